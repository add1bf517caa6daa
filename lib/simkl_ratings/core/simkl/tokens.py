"""Keeping a V2 sign-in valid: refresh before expiry and after a 401, one process at a time.

Simkl's V2 access token lives 7 days; a refresh returns a new one and **kills the old one at
once**. In Kodi the service and every script run are separate Python interpreters sharing one
`credentials.json`, so two refreshes at the same moment would leave one of them holding a dead
token. Hence a refresh:

1. takes `token.lock` in the profile folder (core/lockfile.py: works on every platform Kodi
   runs on and between interpreters of one process; a lock not refreshed for `STALE_AFTER`
   seconds was left by a crash and is taken over, by one contender only),
2. reads the stored sign-in again: when another process refreshed meanwhile, that token is
   used and no request is sent,
3. otherwise refreshes, saves the new tokens atomically (0600) and only then uses them.

`invalid_grant` means the sign-in is over (revoked, or unused for 180 days): the record is
removed and SignedOut raised. Network trouble, 5xx and 429 keep the tokens.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

from ..errors import Cancelled, SignedOut, SimklError
from ..lockfile import LockFile
from ..timeutil import utc_now
from .credentials import Credentials, CredentialStore
from .device import parse_grant

LOG = logging.getLogger(__name__)

LOCK_FILE = "token.lock"
STALE_AFTER = 90.0  # longer than a refresh can take (connect 10 s + read 30 s, with margin)
LOCK_POLL = 0.1
REFRESH_AHEAD = timedelta(hours=24)


class FileLock(LockFile):
    """The refresh lock: waited for, never held across a dialog; stale after `stale_after`
    seconds (core/lockfile.py: two processes never both take it, even a stale one)."""

    def __init__(
        self,
        path: str,
        *,
        stale_after: float = STALE_AFTER,
        wait: Callable[[float], bool] | None = None,
        **clocks: Any,
    ) -> None:
        super().__init__(path, stale_after=stale_after, **clocks)
        self._wait = wait or _sleep

    def acquire(self) -> None:
        """Wait for the lock; raises Cancelled when the wait is interrupted (Kodi quits)."""
        while not self.try_acquire():
            if self._wait(LOCK_POLL):
                raise Cancelled("cancelled while waiting for another refresh")

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def refresh_margin(creds: Credentials) -> timedelta:
    """Refresh this long before expiry: 24 h, or half the lifetime of shorter tokens (so a
    token issued for minutes is not refreshed before every request)."""
    lifetime = creds.lifetime
    if lifetime is not None and lifetime > 0:
        return min(REFRESH_AHEAD, timedelta(seconds=lifetime / 2))
    return REFRESH_AHEAD


def refresh_due(creds: Credentials, now: datetime) -> bool:
    expiry = creds.expiry
    if creds.auth_version < 2 or not creds.refresh_token or expiry is None:
        return False
    return expiry - now <= refresh_margin(creds)


def expired(creds: Credentials, now: datetime) -> bool:
    expiry = creds.expiry
    return expiry is not None and expiry <= now


class TokenManager:
    """The client's token source for one run (see client.TokenSource)."""

    def __init__(
        self,
        store: CredentialStore,
        creds: Credentials,
        refresh: Callable[[str], Any],
        *,
        lock: FileLock | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.creds = creds
        self._refresh_call = refresh
        self.lock = lock or FileLock(os.path.join(os.path.dirname(store.path), LOCK_FILE))
        self._clock = clock
        self.refreshes = 0  # refresh requests this manager sent (tests and the log)

    def access_token(self) -> str | None:
        """The token to send; refreshed first when less than the margin is left. A failed
        proactive refresh is not fatal while the current token still works."""
        if refresh_due(self.creds, self._clock()):
            try:
                self._refresh(rejected=None)
            except SignedOut:
                raise
            except SimklError as exc:
                if expired(self.creds, self._clock()):
                    raise
                LOG.warning("could not refresh the Simkl sign-in yet (%s); using it as is", exc)
        return self.creds.access_token

    def refreshed(self, rejected: str) -> str | None:
        """After a 401: a new token for one more try; None when this sign-in cannot refresh."""
        if self.creds.auth_version < 2 or not self.creds.refresh_token:
            return None
        self._refresh(rejected=rejected)
        return self.creds.access_token

    def _refresh(self, rejected: str | None) -> None:
        with self.lock.hold():
            stored = self.store.load()
            if stored is None or not stored.refresh_token:
                raise SignedOut("the Simkl sign-in was removed meanwhile")
            mine = rejected if rejected is not None else self.creds.access_token
            now = self._clock()
            if stored.access_token != mine and not expired(stored, now):
                LOG.info("another run refreshed the Simkl sign-in; using its token")
                self.creds = stored
                return
            if rejected is None and not refresh_due(stored, now):
                self.creds = stored
                return
            self.refreshes += 1
            try:
                reply = self._refresh_call(stored.refresh_token)
            except SimklError as exc:
                if exc.error == "invalid_grant":
                    self.store.clear()
                    raise SignedOut("Simkl ended the sign-in (invalid_grant)") from None
                raise
            fresh = stored.with_grant(parse_grant(reply), self._clock())
            self.store.save(fresh)
            self.creds = fresh
            LOG.info("Simkl sign-in refreshed (valid until %s)", fresh.expires_at)
