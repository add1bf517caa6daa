"""What a rating given in the add-on's own dialog or action does: the user's explicit wish to
rate a title, on Kodi and on Simkl, whether two-way sync is on or off.

1. It waits for a sync in progress to end (the run lock; never a dialog held under it).
2. It writes Kodi's `userrating` at once: one write, none when Kodi holds it already.
3. It goes into the outbox as an explicit rating, and the baseline moves with it, so the next
   sync neither sends it again nor writes Simkl's old value back over it; the value in Kodi is
   the user's own now, not a copy of Simkl's (the write record forgets the item).
4. It is sent to Simkl at once (`POST /sync/ratings` with every id Kodi holds and `rated_at`
   now, or `/sync/ratings/remove`), even when the last sync saw that value there: the cache
   may be old, and the user just rated it. Confirmed: done. Simkl does not know the title by
   its ids, or refuses it: parked. Offline, not signed in, a read-only sign-in or any other
   failure: it stays in the outbox and goes out with the next run.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from ..errors import ScopeMissing, SignedOut, SyncError
from ..library.gateway import LibraryItem, RatingWrite
from ..media import SIMKL_TYPES_BY_NAME
from ..rating import Rating
from ..simkl.push import PushResult, send_pushes
from ..simkl.ratings import SimklRating
from ..simkl.signin import require_write
from ..sync.matching import LibraryIndex, Matcher, MatchOutcome
from ..sync.outbox import DEFAULT_RETRY_CAP, settle
from ..sync.planning import item_key
from ..sync.pushing import PushPlan, make_push
from ..sync.state import Pending, SyncState, source_of
from ..timeutil import format_instant, utc_now
from .workspace import Workspace

LOG = logging.getLogger(__name__)

LOCK_WAIT = 0.5  # seconds between two looks at a sync's lock
LOCK_PATIENCE = 900.0  # a sync holding the lock longer than this: the rating waits in Kodi


class Sent(enum.Enum):
    """Where the rating stands on Simkl after `rate`."""

    CONFIRMED = "confirmed"  # Simkl holds it
    PARKED = "parked"  # Simkl does not know the title by its ids (or refused it)
    QUEUED = "queued"  # in the outbox: it goes out with the next run
    NOT_SIGNED_IN = "not_signed_in"  # queued; the user must sign in
    READ_ONLY = "read_only"  # queued; the sign-in may not write to Simkl
    BUSY = "busy"  # a sync held the lock too long: nothing done, the user may try again


@dataclass(frozen=True)
class RateResult:
    value: int  # 1..10, or 0: removed
    kodi_written: bool
    sent: Sent
    error: str | None = None  # the error code when the send failed


class InvalidValue(ValueError):
    """A rating that is not 0 (remove) or 1..10."""


def rate(
    ws: Workspace,
    item: LibraryItem,
    value: int,
    *,
    clock: Callable[[], datetime] = utc_now,
    patience: float = LOCK_PATIENCE,
) -> RateResult:
    """Rate `item` (a movie or a TV show) `value` on Kodi and on Simkl; see the docstring."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidValue(f"a rating is 1 to 10, or 0 to remove it: {value!r}")
    lock = ws.run_lock()
    waited = 0.0
    while not lock.acquire("rate"):
        if waited >= patience or ws.wait(LOCK_WAIT):
            return RateResult(value, False, Sent.BUSY)
        waited += LOCK_WAIT
    try:
        return _rate_locked(ws, item, value, clock())
    finally:
        lock.release()


def _rate_locked(ws: Workspace, item: LibraryItem, value: int, now: datetime) -> RateResult:
    library = ws.library()
    written = False
    held = item.userrating.value if item.userrating is not None else 0
    if held != value:
        result = library.write([RatingWrite(item, Rating(value) if value else None)], batch_size=1)
        if result.failed:
            raise result.failed[0][1]
        written = True
    store = ws.sync_state()
    state = store.load() or SyncState(client_id=ws.client_id)
    key = item_key(item)
    source = state.two_way.links.get(key) or _source_from_cache(state, item)
    state.written.pop(key, None)  # the user's own value now, never cleared as a Simkl copy
    state.parked.pop(key, None)
    if state.two_way.seen is not None:
        state.two_way.seen[key] = value  # the baseline moves: not an edit
        state.two_way.awaiting.pop(key, None)
    stamp = format_instant(now)
    state.outbox[key] = Pending(value, stamp, explicit=True)
    store.save(state)  # from here on, the rating is safe whatever the network does
    sent, error = _send(ws, state, item, source=source, now=now)
    store.save(state)
    return RateResult(value, written, sent, error)


def _send(
    ws: Workspace, state: SyncState, item: LibraryItem, *, source: str | None, now: datetime
) -> tuple[Sent, str | None]:
    """Send the outbox entry of `item` now; the outbox and parked items settle by the answer."""
    creds = ws.current_credentials()
    if creds is None:
        return Sent.NOT_SIGNED_IN, SignedOut.code
    try:
        require_write(creds.auth_version, creds.scope)
        client = ws.signed_in_client(creds)
    except ScopeMissing as exc:
        return Sent.READ_ONLY, exc.code
    except SyncError as exc:
        return Sent.QUEUED, exc.code
    key = item_key(item)
    entry = state.outbox[key]
    push = make_push(item, entry.value, source, entry.since)
    if push is None:
        state.outbox.pop(key, None)
        return Sent.PARKED, "no_ids"
    result = send_pushes(client, [push], wait=ws.wait)
    plan = PushPlan(pushes=[push], outbox=dict(state.outbox), parked=dict(state.parked))
    state.outbox, state.parked = settle(plan, result, now, DEFAULT_RETRY_CAP)
    if result.confirmed:
        _patch(state, source, entry.value)
    return _verdict(result)


def _verdict(result: PushResult) -> tuple[Sent, str | None]:
    if result.confirmed:
        return Sent.CONFIRMED, None
    if result.not_found or result.refused:
        return Sent.PARKED, "not_found" if result.not_found else "refused"
    error = result.error
    if isinstance(error, ScopeMissing):
        return Sent.READ_ONLY, error.code
    if isinstance(error, SignedOut):
        return Sent.NOT_SIGNED_IN, error.code
    return Sent.QUEUED, error.code if isinstance(error, SyncError) else "unconfirmed"


def _patch(state: SyncState, source: str | None, value: int) -> None:
    """Simkl holds the new value: so does the cache (a cached run must not undo it)."""
    if source is None:
        return
    name = source.split(":", 1)[0]
    rows = state.ratings.get(name)
    if rows is None:
        return
    patched: list[SimklRating] = []
    for rating in rows:
        if source_of(rating) != source:
            patched.append(rating)
        elif value:
            patched.append(replace(rating, rating=Rating(value)))
    state.ratings[name] = patched


def _source_from_cache(state: SyncState, item: LibraryItem) -> str | None:
    """The Simkl item the cached ratings match to `item`, by the sync's own rules."""
    matcher = Matcher(LibraryIndex([item]))
    for name, rows in state.ratings.items():
        if name not in SIMKL_TYPES_BY_NAME:
            continue
        for rating in rows:
            if any(item.ids.get(k) == v for k, v in rating.ids.items()):
                match = matcher.match(rating)
                if match.outcome is MatchOutcome.MATCHED and match.item is item:
                    return source_of(rating)
    return None


def _cached_value(state: SyncState, source: str | None) -> int:
    if source is None:
        return 0
    name = source.split(":", 1)[0]
    for rating in state.ratings.get(name, ()):
        if source_of(rating) == source:
            return rating.rating.value
    return 0


def known_simkl_rating(ws: Workspace, item: LibraryItem) -> int | None:
    """The last known Simkl rating of `item` (from the last sync's cache, or a rating sent
    since); None when Simkl is not known to rate it."""
    state = ws.sync_state().load()
    if state is None:
        return None
    source = state.two_way.links.get(item_key(item)) or _source_from_cache(state, item)
    return _cached_value(state, source) or None
