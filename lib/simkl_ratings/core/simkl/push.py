"""Sending ratings to Simkl (`POST /sync/ratings`, `/sync/ratings/remove`), and reading what
Simkl says it did.

At most 100 items a request, at least a second between requests (simkl-api.md §14). A 2xx is
not success on its own: an item counts as confirmed only when it is not in `not_found` and the
reply's count for its list covers it. Anything unconfirmed stays pending for the next run;
ratings are idempotent, so sending one again is harmless. A request Simkl refuses outright
(a 4xx that is not about the sign-in or the rate) refuses its items: sending them again would
be refused again, so they are not retried (the outbox parks them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..errors import Cancelled, SimklError, SyncError
from ..ids import normalise_ids
from ..sync.pushing import Push
from .client import SimklClient

LOG = logging.getLogger(__name__)

BATCH = 100
SPACING = 1.0  # seconds between two requests
ADD, REMOVE = "/sync/ratings", "/sync/ratings/remove"
BUCKETS = ("movies", "shows")


# 4xx answers that say nothing about the items: the sign-in, its permissions, the client id,
# the rate, a timeout.
_NOT_ABOUT_THE_ITEMS = (401, 403, 408, 412, 429)


@dataclass
class PushResult:
    confirmed: list[Push] = field(default_factory=list)
    not_found: list[Push] = field(default_factory=list)
    refused: list[Push] = field(default_factory=list)  # in a request Simkl refused (4xx)
    failed: list[Push] = field(default_factory=list)  # unconfirmed: worth another try
    requests: int = 0
    error: SyncError | None = None  # why sending stopped early (Cancelled: Kodi is quitting)


def _identity(ids: Any) -> frozenset:
    """Ids as Simkl echoes them back, comparable with ours (strings vs numbers, case)."""
    if not isinstance(ids, Mapping):
        return frozenset()
    found = normalise_ids(ids)
    simkl = ids.get("simkl")
    if isinstance(simkl, (int, str)) and str(simkl).isdigit():
        found["simkl"] = str(int(simkl))
    return frozenset(found.items())


def _push_identity(push: Push) -> frozenset:
    ids = dict(push.ids)
    if push.simkl_id is not None:
        ids["simkl"] = str(push.simkl_id)
    return _identity(ids)


def _body(chunk: Sequence[Push]) -> dict[str, list[dict]]:
    return {bucket: [p.entry() for p in chunk if p.bucket == bucket] for bucket in BUCKETS}


def read_reply(reply: Any, chunk: Sequence[Push], counted: str, result: PushResult) -> None:
    """Sort one request's items into confirmed, not found and failed (unconfirmed)."""
    if not isinstance(reply, Mapping):
        LOG.warning("Simkl's reply to a rating push is not an object; kept for the next run")
        result.failed.extend(chunk)
        return
    echoed = reply.get("not_found") if isinstance(reply.get("not_found"), Mapping) else {}
    missing = {
        _identity(entry.get("ids"))
        for bucket in BUCKETS
        for entry in (echoed.get(bucket) if isinstance(echoed.get(bucket), list) else [])
        if isinstance(entry, Mapping)
    }
    counts = reply.get(counted) if isinstance(reply.get(counted), Mapping) else {}
    for bucket in BUCKETS:
        items = [p for p in chunk if p.bucket == bucket]
        gone = [p for p in items if _push_identity(p) in missing]
        rest = [p for p in items if _push_identity(p) not in missing]
        count = counts.get(bucket)
        result.not_found.extend(gone)
        if isinstance(count, int) and not isinstance(count, bool) and count >= len(rest):
            result.confirmed.extend(rest)
        elif rest:
            LOG.warning(
                "Simkl confirmed %s of %d %s ratings sent; the rest stay pending",
                count,
                len(rest),
                bucket,
            )
            result.failed.extend(rest)


def send_pushes(
    client: SimklClient,
    pushes: Sequence[Push],
    *,
    wait: Callable[[float], bool],
    batch: int = BATCH,
    spacing: float = SPACING,
) -> PushResult:
    """Send every push; stop at the first error (the rest stay pending) or when `wait` says
    to stop (Kodi is quitting)."""
    result = PushResult()
    plan = [
        (path, counted, chunk[start : start + batch])
        for path, counted, chunk in (
            (ADD, "added", [p for p in pushes if p.value]),
            (REMOVE, "deleted", [p for p in pushes if not p.value]),
        )
        for start in range(0, len(chunk), batch)
    ]
    for number, (path, counted, chunk) in enumerate(plan):
        if number and wait(spacing):
            result.error = Cancelled("stopped between two pushes")
            result.failed.extend(p for _, _, rest in plan[number:] for p in rest)
            break
        result.requests += 1
        try:
            reply = client.request("POST", path, body=_body(chunk))
        except SimklError as exc:
            status = exc.status or 0
            if 400 <= status < 500 and status not in _NOT_ABOUT_THE_ITEMS:
                LOG.warning("Simkl refused %d ratings (HTTP %d)", len(chunk), status)
                result.refused.extend(chunk)
                continue
            LOG.warning("sending ratings to Simkl failed (%s); kept for the next run", exc.code)
            result.error = exc
            result.failed.extend(p for _, _, rest in plan[number:] for p in rest)
            break
        except SyncError as exc:
            LOG.warning("sending ratings to Simkl stopped (%s); kept for the next run", exc.code)
            result.error = exc
            result.failed.extend(p for _, _, rest in plan[number:] for p in rest)
            break
        read_reply(reply, chunk, counted, result)
    return result
