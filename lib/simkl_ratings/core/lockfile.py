"""A lock file two contenders can never both hold, on every platform Kodi runs on.

The lock is a small JSON file created whole (written beside it, then hard-linked into place:
creation fails if it exists, and no reader ever sees it half written). It works between the
interpreters of one Kodi process, where fcntl locks do not, and on Windows and Android.

A lock whose holder died is stale and may be taken over. Nothing removes or rewrites the lock
file but under its guard (a second lock file, held for the moment of one read and one unlink):
a contender removes a stale lock only if it is still exactly the lock it judged (token and
heartbeat); its holder refreshes or releases it only if it is still its own. Creating a lock
needs no guard: only one creation can succeed. So two contenders never both win. The guard
itself is held for microseconds; one left by a process killed in that moment is taken over
after a few seconds by renaming it to a name of one's own (one rename of a file succeeds) and
checking what was moved.

Age is measured on the monotonic clock of the boot the lock was taken in, so a wall-clock jump
changes nothing; a lock from an earlier boot is stale. Where the boot cannot be told (no
/proc), the wall clock is used, and a lock from the future counts as stale too.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
import uuid
from typing import Any, Callable, Mapping

BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id"
FUTURE_SLACK = 60.0  # a wall-clock age this far below zero: the clock went back, or a stale lock
# A lock file that cannot be read is being written (only where hard links are missing, for a
# moment) or was damaged: stale once it is this old.
UNREADABLE_GRACE = 5.0
GUARD_SUFFIX = ".guard"
GUARD_STALE = 5.0  # the guard is held for a read and an unlink: older, its holder was killed
GUARD_POLL = 0.002
GUARD_WAIT = 30.0


@functools.lru_cache(maxsize=1)
def boot_id() -> str:
    """This boot's id where the system says it (Linux, Android), else ""."""
    try:
        with open(BOOT_ID_FILE, encoding="ascii") as stream:
            return stream.read(64).strip()
    except OSError:
        return ""


class LockFile:
    """One lock file; `fields` are what else the holder writes in it (owner, session…)."""

    def __init__(
        self,
        path: str,
        *,
        stale_after: float,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        boot: Callable[[], str] = boot_id,
    ) -> None:
        self.path = path
        self.stale_after = stale_after
        self._monotonic = monotonic
        self._wall = wall
        self._boot = boot
        self.token = uuid.uuid4().hex
        self.beat = 0
        self.fields: dict[str, Any] = {}
        self.held = False

    # -- reading ---------------------------------------------------------------------------

    def holder(self) -> dict[str, Any] | None:
        """The lock's content; None when there is no lock, {} when it cannot be read."""
        return _read(self.path)

    def stale(self, holder: Mapping[str, Any]) -> bool:
        """Whether `holder` (read from the file) belongs to a run that is gone."""
        if not holder.get("token"):
            return self._wall_age_stale(_mtime(self.path), min(self.stale_after, UNREADABLE_GRACE))
        boot, theirs = self._boot(), holder.get("boot")
        if boot and theirs:
            if theirs != boot:
                return True  # taken before this boot
            mono = holder.get("mono")
            if not isinstance(mono, (int, float)) or isinstance(mono, bool):
                return True
            age = self._monotonic() - mono
            return age < 0 or age > self.stale_after
        wall = holder.get("wall")
        moment = wall if isinstance(wall, (int, float)) and not isinstance(wall, bool) else None
        return self._wall_age_stale(moment, self.stale_after)

    def _wall_age_stale(self, moment: float | None, limit: float) -> bool:
        if moment is None:
            return True
        age = self._wall() - moment
        return age < -FUTURE_SLACK or age > limit

    # -- taking and keeping it -------------------------------------------------------------

    def try_acquire(self, fields: Mapping[str, Any] | None = None) -> bool:
        """Take the lock when it is free or stale; False while a live holder has it."""
        self.fields = dict(fields or {})
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        for _attempt in range(3):
            if self._create():
                self.held = True
                return True
            holder = self.holder()
            if holder is None:
                continue  # released meanwhile
            if not self.stale(holder):
                return False
            with _Guard(self.path + GUARD_SUFFIX, self._wall):
                if _same(self.holder(), holder):
                    _unlink(self.path)
        return False

    def refresh(self) -> bool:
        """The heartbeat: a new age for the lock. False when it is no longer ours."""
        if not self.held:
            return False
        with _Guard(self.path + GUARD_SUFFIX, self._wall):
            if (self.holder() or {}).get("token") != self.token:
                self.held = False
                return False
            self.beat += 1
            temp = self._temp()
            try:
                _write(temp, self._content())
                os.replace(temp, self.path)
            except OSError:
                _unlink(temp)
        return True

    def release(self) -> None:
        """Remove the lock, only if it is still ours."""
        if not self.held:
            return
        self.held = False
        with _Guard(self.path + GUARD_SUFFIX, self._wall):
            if (self.holder() or {}).get("token") == self.token:
                _unlink(self.path)

    # -- the file operations ---------------------------------------------------------------

    def _content(self) -> dict[str, Any]:
        return {
            **self.fields,
            "token": self.token,
            "beat": self.beat,
            "boot": self._boot(),
            "mono": self._monotonic(),
            "wall": self._wall(),
        }

    def _temp(self) -> str:
        return f"{self.path}.{self.token}.{self.beat}.tmp"

    def _create(self) -> bool:
        """Create the lock with its content in one step; False when one exists."""
        return _create_whole(self.path, self._content(), self._temp())


class _Guard:
    """The lock file's guard: a lock of its own, held while the lock is checked and removed
    or rewritten; waited for in short sleeps (it is held for a moment only)."""

    def __init__(self, path: str, wall: Callable[[], float]) -> None:
        self.path = path
        self._wall = wall
        self.token = uuid.uuid4().hex

    def __enter__(self) -> _Guard:
        content = {"token": self.token, "wall": self._wall()}
        temp = f"{self.path}.{self.token}.tmp"
        deadline = time.monotonic() + GUARD_WAIT
        while not _create_whole(self.path, content, temp):
            if self._stale():
                self._take_over()
            elif time.monotonic() > deadline:
                raise OSError(f"the lock guard {self.path} stays taken")
            else:
                time.sleep(GUARD_POLL)
        return self

    def __exit__(self, *exc: object) -> None:
        if (_read(self.path) or {}).get("token") == self.token:
            _unlink(self.path)

    def _stale(self) -> bool:
        moment = (_read(self.path) or {}).get("wall")
        if not isinstance(moment, (int, float)):
            moment = _mtime(self.path)
        if moment is None:
            return False
        age = self._wall() - moment
        return age > GUARD_STALE or age < -FUTURE_SLACK

    def _take_over(self) -> None:
        """Remove a guard left by a killed process, and only that one."""
        judged = _read(self.path)
        grabbed = f"{self.path}.{uuid.uuid4().hex}.grab"
        try:
            os.rename(self.path, grabbed)
        except FileNotFoundError:
            return
        if not _same(_read(grabbed), judged):
            with contextlib.suppress(OSError):  # a live guard: back where it was
                os.link(grabbed, self.path)
        _unlink(grabbed)


def _same(first: Mapping[str, Any] | None, second: Mapping[str, Any] | None) -> bool:
    """The same lock, at the same heartbeat."""
    if not first or not second:
        return first == second
    return first.get("token") == second.get("token") and first.get("beat") == second.get("beat")


def _create_whole(path: str, content: Mapping[str, Any], temp: str) -> bool:
    """Create `path` with `content` in one step; False when it exists."""
    _write(temp, content)
    try:
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    except OSError:  # no hard links here (FAT): exclusive create, then write
        return _create_plain(path, content)
    finally:
        _unlink(temp)


def _create_plain(path: str, content: Mapping[str, Any]) -> bool:
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(dict(content), stream)
    return True


def _read(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: str, data: Mapping[str, Any]) -> None:
    handle = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(dict(data), stream)


def _mtime(path: str) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
