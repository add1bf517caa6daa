"""The outbox after a send: what Simkl took, what it will never take, what to try again when.

- confirmed: gone from the outbox;
- not found by its ids, or refused (a 4xx about the items): parked, never sent again until
  the item's ids or its rating change (pushing.py), so one bad item cannot make the service
  ask Simkl every few minutes;
- not confirmed (network, 5xx, a reply that does not add up): tried again after a back-off
  that doubles from a minute up to the schedule; Kodi quitting mid-send costs no back-off.

Rule "two-way never loops": nothing parked, and nothing waiting for its back-off, makes the
service start a sync; only an entry that is due does (`next_due`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Mapping

from ..errors import Cancelled
from ..simkl.push import PushResult
from ..timeutil import format_instant, parse_instant
from .pushing import NOT_FOUND, REFUSED, PushPlan, ids_fingerprint
from .state import Parked, Pending

RETRY_BASE = 60.0  # seconds before the first retry of a failed send
DEFAULT_RETRY_CAP = 6 * 3600.0  # the longest wait, when no schedule says otherwise


def backoff(attempts: int, cap: float) -> float:
    """Seconds to wait after `attempts` failed sends: 1, 2, 4… minutes, at most `cap`."""
    return min(max(RETRY_BASE, cap), RETRY_BASE * 2 ** min(30, max(0, attempts - 1)))


def settle(
    plan: PushPlan, result: PushResult, now: datetime, cap: float
) -> tuple[dict[str, Pending], dict[str, Parked]]:
    """The outbox and the parked items once Simkl answered `result`."""
    outbox = dict(plan.outbox)
    parked = dict(plan.parked)
    for push in result.confirmed:
        outbox.pop(push.key, None)
    for pushes, reason in ((result.not_found, NOT_FOUND), (result.refused, REFUSED)):
        for push in pushes:
            entry = outbox.pop(push.key, None)
            explicit = entry.explicit if entry is not None else False
            parked[push.key] = Parked(push.value, ids_fingerprint(push.ids), reason, explicit)
    if not isinstance(result.error, Cancelled):
        for push in result.failed:
            entry = outbox.get(push.key)
            if entry is not None:
                attempts = entry.attempts + 1
                retry = now + timedelta(seconds=backoff(attempts, cap))
                outbox[push.key] = replace(entry, attempts=attempts, retry_at=format_instant(retry))
    return outbox, parked


def next_due(outbox: Mapping[str, Pending], now: datetime) -> datetime | None:
    """When the earliest entry may be sent (now or earlier: due); None when the outbox is
    empty."""
    times = [parse_instant(entry.retry_at) or now for entry in outbox.values()]
    return min(times) if times else None


def due(outbox: Mapping[str, Pending], now: datetime) -> bool:
    moment = next_due(outbox, now)
    return moment is not None and moment <= now
