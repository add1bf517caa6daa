"""Atomic JSON files in the add-on profile: a crash never leaves half a file behind."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any


def write_json_atomic(path: str, data: Any, *, private: bool = False) -> None:
    """Write to a temporary file beside `path`, then rename over it."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        if private:
            os.chmod(temp, 0o600)
        # A lone surrogate (a reply's "\ud800" escape) is written as that escape again: valid
        # JSON that reads back the same, where strict UTF-8 would raise.
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as stream:
            json.dump(data, stream, indent=1, ensure_ascii=False, sort_keys=False)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def read_json(path: str) -> Any | None:
    """The parsed file, or None when it is missing or not valid JSON."""
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None
