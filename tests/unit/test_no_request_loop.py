"""Fault tests for rule "two-way never loops": Simkl answers every push of one item with
not_found, or with a 5xx, for a whole day. The service's decisions are replayed on a
simulated clock (its look at Kodi every `edit_check` = 300 s, a sync every 12 hours), with
the real engine against the sandbox: the requests stay bounded.

Before the rule, the item stayed an edit, and every look at Kodi (288 a day) started a sync
of at least two requests, and more where the push was retried each time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
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


def test_an_item_simkl_does_not_know_costs_the_schedule_alone(engine):
    assert engine.run(two_way=True, clock=lambda: START).result == "ok"  # the baseline
    edit_in_kodi(engine, "Only In Kodi", "tt0000404", 7)
    first = engine.run(two_way=True, clock=lambda: START)
    assert first.types["movies"].push_not_found == 1
    day = one_day(engine)
    # two scheduled syncs, one request each: the requests of the schedule alone
    assert day == {"syncs": 2, "all": 2, "pushes": 0, "pushed_at": []}


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_a_push_that_keeps_failing_backs_off_up_to_the_schedule(engine, fault):
    assert engine.run(two_way=True, clock=lambda: START).result == "ok"
    JsonRpc(engine.kodi.handle).call(
        "VideoLibrary.SetMovieDetails", {"movieid": 1, "userrating": 9}
    )
    engine.sandbox.inject("/sync/ratings", fault, count=None, method="POST")
    failed = engine.run(two_way=True, clock=lambda: START, keep=True)
    assert failed.types["movies"].push_failed == 1
    day = one_day(engine)
    # Retried after 1, 2, 4 … minutes, seen at the next look at Kodi (every 5 minutes), the
    # wait doubling up to the schedule: ten tries in a day, five of them in the first hour.
    assert day["pushed_at"] == [5, 10, 15, 25, 45, 80, 145, 275, 535, 1050]
    assert day["pushes"] == 10
    assert day["all"] == 2 * 10 + 2  # each try: activities and the push; two scheduled syncs
    state = SyncStateStore(engine.profile).load()
    assert state.outbox["movie:1"].attempts == 11
    assert engine.kodi.rating("movies", 1) == 9  # never pulled over while it waits
