"""Fault tests for rule "two-way never loops": Simkl answers every push of one item with
not_found, or with a 5xx, for a whole day. The service's decisions are replayed on a
simulated clock (its look at Kodi every `edit_check` = 300 s, a sync every 12 hours), with
the real engine against the sandbox: the requests stay bounded.

Before the rule, the item stayed an edit, and every look at Kodi (288 a day) started a sync
of at least two requests, and more where the push was retried each time."""

from __future__ import annotations

import pytest
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.sync.state import SyncStateStore

from .service_day import START, edit_in_kodi, one_day


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
