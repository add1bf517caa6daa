"""A script add-on that imports one module of an installed add-on's ``lib`` in its own Python
sub-interpreter and logs whether that failed, one JSON line per run.

Kodi starts each script in a fresh sub-interpreter of one process. On Kodi 19 (Python 3.9),
class attributes of the ``_datetime`` types (``datetime.min``, ``timezone.utc``, ...) then come
back as other objects in a run that follows one which read them (xbmc/xbmc #17311): this probe
shows whether an add-on's modules survive being imported under those conditions. The probe
itself reads none of them (reading a clobbered one can bring Kodi 19 down).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .dummy_addon import script_addon_xml

PROBE_ID = "script.e2e.importprobe"
LOG_TAG = "E2E-IMPORT-PROBE"

ADDON_XML = script_addon_xml(
    PROBE_ID, "E2E import probe", "Imports an add-on's modules and logs failures"
)

# sys.argv[1]: the lib folder; sys.argv[2]: one module; sys.argv[3]: the run's number, logged
# back so that no two lines are equal (Kodi 20 and 21 hold back repeated identical log lines).
# The module is the first thing the run imports (with what it imports itself), as default.py
# and service.py import the add-on's code.
DEFAULT_PY = """import sys

lib, name, run = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, lib)
failure = None
try:
    __import__(name)
except Exception as exc:
    failure = "%s: %s" % (type(exc).__name__, exc)

import json
import xbmc

xbmc.log("TAG " + json.dumps({"module": name, "run": run, "failure": failure}), xbmc.LOGINFO)
""".replace("TAG", LOG_TAG)


def module_names(lib: Path, package: str) -> list[str]:
    """Every module of ``package`` under ``lib``, dotted, sorted (packages as themselves)."""
    names = []
    for path in sorted((lib / package).rglob("*.py")):
        parts = list(path.relative_to(lib).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def build_import_probe_zip(dest_dir: Path) -> Path:
    """Write ``script.e2e.importprobe-1.0.0.zip`` into ``dest_dir``."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    zip_path = dest_dir / f"{PROBE_ID}-1.0.0.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{PROBE_ID}/addon.xml", ADDON_XML)
        archive.writestr(f"{PROBE_ID}/default.py", DEFAULT_PY)
    return zip_path


def parse_probe_line(log: str, run: str) -> dict[str, object] | None:
    """The JSON the probe logged for ``run``, or None while it logged nothing."""
    for line in log.splitlines():
        if LOG_TAG in line:
            found = json.loads(line.split(LOG_TAG, 1)[1])
            if found.get("run") == run:
                return found
    return None
