"""The user's answers to what a run cannot decide alone, kept for the next run.

Asked by the shell after the run released its lock; written under the lock, so an answer
never lands in the middle of another run.
"""

from __future__ import annotations

import logging

from ..sync.state import Pending
from ..timeutil import format_instant, utc_now
from .workspace import Workspace

LOG = logging.getLogger(__name__)


def answer_kodi_only(ws: Workspace, send: bool) -> bool:
    """Two-way's ratings only Kodi has, listed by the last run: send them to Simkl (they go to
    the outbox, and out with the next run), or keep them in Kodi only (they are never asked
    about again; a later change to one is an edit like any other). False when the answer
    could not be kept (a run started meanwhile, or nothing waits): the question comes again."""
    lock = ws.run_lock()
    if not lock.acquire("answer"):
        return False
    try:
        store = ws.sync_state()
        state = store.load()
        if state is None or not state.two_way.awaiting:
            return False
        now = format_instant(utc_now())
        for key, value in state.two_way.awaiting.items():
            if send:
                state.outbox[key] = Pending(value, now)
            if state.two_way.seen is not None:
                state.two_way.seen[key] = value
        state.two_way.awaiting = {}
        store.save(state)
    finally:
        lock.release()
    LOG.info("ratings only in Kodi: the user chose to %s them", "send" if send else "keep")
    return True
