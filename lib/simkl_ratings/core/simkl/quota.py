"""Simkl's daily quota, remembered across runs: "Simkl blocked until T".

When Simkl answers 429 `user_limit_exceeded` / `app_limit_exceeded`, its Retry-After can run
for hours (until midnight US Eastern). Sleeping on it would hold a run for hours, and asking
again before then only burns goodwill, so the time is written to `simkl_blocked.json` in the
profile, and until then every run (service or script, any interpreter) skips its Simkl calls.
The user is told once per block, not on every run.
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import datetime, timedelta
from typing import Callable

from ..files import read_json, write_json_atomic
from ..timeutil import format_instant, parse_instant, utc_now

LOG = logging.getLogger(__name__)

QUOTA_FILE = "simkl_blocked.json"
DEFAULT_BLOCK = 3600.0  # a quota refusal without Retry-After: ask again in an hour
MIN_BLOCK = 5.0  # a zero or tiny Retry-After still means "not now"
MAX_BLOCK = 86400.0  # the quota resets daily: never block longer than a day


class QuotaGate:
    """The persisted block; see client.Quota."""

    def __init__(self, profile_dir: str, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = os.path.join(profile_dir, QUOTA_FILE)
        self._clock = clock

    def _data(self) -> dict:
        data = read_json(self.path)
        return data if isinstance(data, dict) else {}

    def blocked_until(self) -> datetime | None:
        """The end of the block while it lasts; a past block is forgotten."""
        until = parse_instant(self._data().get("until"))
        if until is None:
            return None
        if until <= self._clock() or until - self._clock() > timedelta(seconds=MAX_BLOCK):
            self.clear()
            return None
        return until

    def block(self, retry_after: float | None, reason: str) -> datetime:
        seconds = DEFAULT_BLOCK if retry_after is None else retry_after
        seconds = min(MAX_BLOCK, max(MIN_BLOCK, seconds))
        until = self._clock() + timedelta(seconds=seconds)
        write_json_atomic(self.path, {"until": format_instant(until), "reason": reason[:64]})
        LOG.warning("Simkl's daily quota is used up (%s); no Simkl calls until %s", reason, until)
        return until

    def first_notice(self) -> bool:
        """True once per block: whether the user still has to be told about it."""
        data = self._data()
        if not data or data.get("told"):
            return False
        data["told"] = True
        write_json_atomic(self.path, data)
        return True

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
