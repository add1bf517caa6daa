"""The service's decisions over a day, replayed on a simulated clock with the real engine
against the sandbox: a look at Kodi every `edit_check` seconds (a sync when work waits there),
and a scheduled sync every 12 hours. Used by the request-loop tests and by `make bench`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.sync.state import SyncStateStore
from simkl_ratings.core.sync.two_way import work_waiting

from .engine_env import Engine

START = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)
EDIT_CHECK = 300
SCHEDULE = 12 * 3600


def edit_in_kodi(engine: Engine, title: str, imdb: str, value: int) -> None:
    kodi_id = engine.kodi.add_movie(title, 1990, imdb=imdb)
    engine.run(two_way=True, offline=True, clock=lambda: START)  # the scan: in the baseline
    JsonRpc(engine.kodi.handle).call(
        "VideoLibrary.SetMovieDetails", {"movieid": kodi_id, "userrating": value}
    )


def one_day(engine: Engine, hours: int = 24) -> dict[str, object]:
    """The service's loop on a simulated clock; Simkl's requests, and when pushes were sent
    (minutes after START)."""
    engine.sandbox.clear_requests()
    syncs, pushed_at = 0, []
    last_scheduled = START
    store = SyncStateStore(engine.profile)
    for step in range(1, hours * 3600 // EDIT_CHECK + 1):
        now = START + timedelta(seconds=step * EDIT_CHECK)
        scheduled = (now - last_scheduled).total_seconds() >= SCHEDULE
        waiting = work_waiting(engine.kodi_library(), store, engine.types, two_way=True, now=now)
        if scheduled or waiting:
            before = engine.sandbox.request_count("/sync/ratings")
            engine.run(two_way=True, clock=lambda moment=now: moment, retry_cap=SCHEDULE, keep=True)
            syncs += 1
            if engine.sandbox.request_count("/sync/ratings") > before:
                pushed_at.append(step * EDIT_CHECK // 60)
            if scheduled:
                last_scheduled = now
    requests = engine.sandbox.requests
    pushes = sum(1 for r in requests if r.method == "POST")
    return {"syncs": syncs, "all": len(requests), "pushes": pushes, "pushed_at": pushed_at}
