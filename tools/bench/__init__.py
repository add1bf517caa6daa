"""`make bench`: how fast and how light the add-on is, measured against what Kodi itself needs.

A benchmark, not a test: it prints one table (and writes it as JSON) with PASS/MISS per target,
and never fails the build for a miss. The package puts the add-on's ``lib`` and the repository
root on ``sys.path`` so it can use the engine and the real-Kodi harness from a fresh clone.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "bench"

for _path in (ROOT / "lib", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
