"""Fake `xbmcvfs`: special://profile maps to a per-test folder."""

from __future__ import annotations

import os

from tests.fakes import kodi_state


def translatePath(path: str) -> str:
    prefix = "special://profile/"
    if path.startswith(prefix):
        return os.path.join(kodi_state.state.profile_root, path[len(prefix) :])
    return path


def exists(path: str) -> bool:
    return os.path.exists(path)


def mkdirs(path: str) -> bool:
    os.makedirs(path, exist_ok=True)
    return True
