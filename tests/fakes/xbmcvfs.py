"""Fake `xbmcvfs`: special://profile maps to a per-test folder."""

from __future__ import annotations

import os

from tests.fakes import kodi_state


def translatePath(path: str) -> str:
    """special://profile and special://masterprofile (the same, as for Kodi's master profile)
    map to the test's userdata folder; special://xbmc to the test's install folder."""
    roots = {
        "special://profile/": kodi_state.state.profile_root,
        "special://masterprofile/": kodi_state.state.profile_root,
        "special://xbmc/": kodi_state.state.xbmc_root,
    }
    for prefix, root in roots.items():
        if path.startswith(prefix):
            return os.path.join(root, path[len(prefix) :])
    return path


def exists(path: str) -> bool:
    return os.path.exists(path)


def mkdirs(path: str) -> bool:
    os.makedirs(path, exist_ok=True)
    return True
