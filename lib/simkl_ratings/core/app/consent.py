"""The user's answers to what a run cannot decide alone, kept for the next run.

Asked by the shell after the run released its lock; written under the lock, so an answer
never lands in the middle of another run.
"""

from __future__ import annotations

import logging

from ..sync.state import KODI_ONLY_KEEP, KODI_ONLY_SEND
from .workspace import Workspace

LOG = logging.getLogger(__name__)


def answer_kodi_only(ws: Workspace, send: bool) -> bool:
    """Two-way's ratings only Kodi has: send them to Simkl, or keep them in Kodi only. False
    when the answer could not be kept (a run started meanwhile, or there is no state yet):
    the question then comes again."""
    lock = ws.run_lock()
    if not lock.acquire("answer"):
        return False
    try:
        store = ws.sync_state()
        state = store.load()
        if state is None:
            return False
        state.two_way.kodi_only = KODI_ONLY_SEND if send else KODI_ONLY_KEEP
        store.save(state)
    finally:
        lock.release()
    LOG.info("ratings only in Kodi: the user chose to %s them", "send" if send else "keep")
    return True
