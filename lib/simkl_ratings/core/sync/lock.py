"""One sync at a time, across the service and manual runs.

Both run inside the same Kodi process, so a PID says nothing. The lock is a file in the profile
folder holding the Kodi session it was taken in (a value the shell keeps for the life of one
Kodi run) and refreshed while the run works. It is stale, and taken over, when it comes from
another Kodi session (Kodi crashed or was killed mid-sync) or has not been refreshed for
`stale_after` seconds (the run died without releasing it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import uuid
from typing import Callable

from .run import Progress, Stage

LOG = logging.getLogger(__name__)

LOCK_FILE = "sync.lock"
STALE_AFTER = 600.0


class RunLock:
    def __init__(
        self,
        profile_dir: str,
        session: str,
        *,
        clock: Callable[[], float] = time.time,
        stale_after: float = STALE_AFTER,
    ) -> None:
        self.path = os.path.join(profile_dir, LOCK_FILE)
        self.session = session
        self.clock = clock
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.held = False

    def _holder(self) -> dict | None:
        try:
            with open(self.path, encoding="utf-8") as stream:
                data = json.load(stream)
            data["refreshed"] = os.path.getmtime(self.path)
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError):
            return {}  # unreadable: treat as stale

    def _stale(self, holder: dict) -> bool:
        if holder.get("session") != self.session:
            return True
        refreshed = holder.get("refreshed")
        return not isinstance(refreshed, float) or self.clock() - refreshed > self.stale_after

    def acquire(self, owner: str) -> bool:
        """Take the lock for `owner` ("service", "manual"...); False when a live run holds it."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        for _attempt in range(2):
            try:
                handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                holder = self._holder()
                if holder is None:
                    continue
                if not self._stale(holder):
                    return False
                LOG.warning("taking over a stale sync lock (held by %s)", holder.get("owner"))
                self._remove()
                continue
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"session": self.session, "owner": owner, "token": self.token}, stream)
            os.utime(self.path, (self.clock(), self.clock()))
            self.held = True
            return True
        return False

    def refresh(self) -> None:
        if self.held:
            with contextlib.suppress(OSError):
                os.utime(self.path, (self.clock(), self.clock()))

    def release(self) -> None:
        """Remove the lock, only if it is still ours."""
        if not self.held:
            return
        self.held = False
        holder = self._holder()
        if holder and holder.get("token") == self.token:
            self._remove()

    def _remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

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
        self.lock.refresh()
        self.inner.update(percent, stage, detail)

    def cancelled(self) -> bool:
        return self.inner.cancelled()
