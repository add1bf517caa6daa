"""One sync at a time, across the service, manual runs and the command-line runner.

The service and manual runs share one Kodi process, so a PID says nothing. The lock is a file
in the profile (or state) folder (`core/lockfile.py`: two contenders never both win) holding
the session it was taken in (a value the Kodi shell keeps for the life of one Kodi run) and
refreshed while the run works. It is stale, and taken over, when it comes from another Kodi
session or an earlier boot (Kodi crashed or was killed mid-sync) or has not been refreshed for
`stale_after` seconds on the monotonic clock (the run died without releasing it).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Mapping

from ..errors import Cancelled
from ..lockfile import LockFile, boot_id
from .run import Progress, Stage

LOG = logging.getLogger(__name__)

LOCK_FILE = "sync.lock"
STALE_AFTER = 600.0


class RunLock(LockFile):
    def __init__(
        self,
        profile_dir: str,
        session: str,
        *,
        stale_after: float = STALE_AFTER,
        boot: Callable[[], str] = boot_id,
        **clocks: Any,
    ) -> None:
        super().__init__(
            os.path.join(profile_dir, LOCK_FILE), stale_after=stale_after, boot=boot, **clocks
        )
        self.session = session

    def stale(self, holder: Mapping[str, Any]) -> bool:
        if holder.get("token") and holder.get("session") != self.session:
            return True  # another Kodi run (or another host's runner): that one is over
        return super().stale(holder)

    def acquire(self, owner: str) -> bool:
        """Take the lock for `owner` ("service", "manual"...); False when a live run holds it."""
        held = self.holder() or {}
        if self.try_acquire({"session": self.session, "owner": owner}):
            if held:
                LOG.warning("took over a stale sync lock (held by %s)", held.get("owner"))
            return True
        return False

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class HeartbeatProgress(Progress):
    """Passes progress on and keeps the run lock fresh while the run works (a lock not
    refreshed for a while is taken for one left by a crash)."""

    def __init__(self, inner: Progress, lock: RunLock) -> None:
        self.inner = inner
        self.lock = lock

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        if not self.lock.refresh():
            raise Cancelled("another run took over the sync lock")
        self.inner.update(percent, stage, detail)

    def cancelled(self) -> bool:
        return self.inner.cancelled()
