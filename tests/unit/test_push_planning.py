"""The push side as table tests: every cell of the edit table, equal values, ids, parked items,
the outbox's back-off, and what Simkl's reply confirms."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from simkl_ratings.core.library.gateway import LibraryItem
from simkl_ratings.core.media import ANIME, MOVIE, MOVIES, TVSHOW
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.push import PushResult, read_reply
from simkl_ratings.core.simkl.ratings import SimklRating
from simkl_ratings.core.sync.edits import Edit, changed_ratings, find_edits
from simkl_ratings.core.sync.outbox import backoff, due, next_due, settle
from simkl_ratings.core.sync.policy import Policy
from simkl_ratings.core.sync.pushing import (
    NOT_FOUND,
    REFUSED,
    PushPlanner,
    ids_fingerprint,
    make_push,
    push_identity,
)
from simkl_ratings.core.sync.state import Parked, Pending, source_of
from simkl_ratings.core.timeutil import format_instant

NOW = "2026-12-02T10:00:00Z"
MOMENT = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
FILM = LibraryItem(MOVIE, 5, "Film", 2001, Rating(9), {"imdb": "tt0000005", "tmdb": "55"})


def film(value: int) -> LibraryItem:
    """The film as Kodi holds it now (0: no rating)."""
    return replace(FILM, userrating=Rating(value) if value else None)


def simkl_rating(value: int, simkl_type=MOVIES, simkl_id: int = 77) -> SimklRating:
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return SimklRating(
        simkl_type, simkl_id, "Film", 2001, {"imdb": "tt0000005"}, Rating(value), when
    )


def plan(edit_value: int, simkl_value: int | None, policy: Policy, *, moved: bool = False, **kw):
    item = film(edit_value)
    edits = {"movie:5": Edit(item, edit_value, 4)} if kw.get("edit", True) else {}
    winners = {id(item): simkl_rating(simkl_value)} if simkl_value else {}
    source = "movies:77"
    planner = PushPlanner(
        policy,
        kw.get("links", {"movie:5": source}),
        {source} if moved else set(),
        kw.get("now", MOMENT),
        two_way=kw.get("two_way", True),
    )
    return planner.plan(
        {"movie:5": item}, winners, edits, kw.get("outbox", {}), kw.get("parked", {})
    )


@pytest.mark.parametrize(
    ("policy", "simkl_value", "moved", "pushed"),
    [
        # Simkl unchanged since the last sync (it holds 6)
        (Policy.SIMKL_WINS, 6, False, True),
        (Policy.FILL_EMPTY, 6, False, False),
        (Policy.KEEP_LOCAL, 6, False, True),
        # Simkl changed too: a conflict
        (Policy.SIMKL_WINS, 6, True, False),
        (Policy.FILL_EMPTY, 6, True, False),
        (Policy.KEEP_LOCAL, 6, True, True),
        # Simkl removed its rating since the last sync
        (Policy.SIMKL_WINS, None, True, False),
        (Policy.FILL_EMPTY, None, True, True),
        (Policy.KEEP_LOCAL, None, True, True),
        # Simkl has no rating, and had none
        (Policy.SIMKL_WINS, None, False, True),
        (Policy.FILL_EMPTY, None, False, True),
        (Policy.KEEP_LOCAL, None, False, True),
    ],
)
def test_every_cell_of_the_edit_table(policy, simkl_value, moved, pushed):
    result = plan(9, simkl_value, policy, moved=moved)
    assert [p.value for p in result.pushes] == ([9] if pushed else [])
    assert bool(result.protected) is pushed  # a pushed edit is never pulled over
    assert list(result.outbox) == (["movie:5"] if pushed else [])


@pytest.mark.parametrize("policy", list(Policy))
def test_an_edit_equal_to_simkls_rating_is_no_edit(policy):
    result = plan(6, 6, policy, moved=True)
    assert result.pushes == [] and result.protected == set()


def test_a_cleared_rating_is_a_remove_and_none_is_sent_where_simkl_has_nothing():
    assert [p.value for p in plan(0, 6, Policy.SIMKL_WINS).pushes] == [0]
    assert plan(0, None, Policy.SIMKL_WINS).pushes == []


def test_the_push_carries_every_kodi_id_the_simkl_id_and_the_first_time_it_was_seen():
    waiting = {"movie:5": Pending(9, "2026-11-30T08:00:00Z", attempts=1)}
    (push,) = plan(9, 6, Policy.SIMKL_WINS, edit=False, outbox=waiting).pushes
    assert push.entry() == {
        "ids": {"imdb": "tt0000005", "tmdb": "55", "simkl": 77},
        "title": "Film",
        "year": 2001,
        "rating": 9,
        "rated_at": "2026-11-30T08:00:00Z",
    }
    assert push.bucket == "movies"


def test_an_anime_film_goes_in_shows_without_its_film_tmdb_number():
    push = make_push(FILM, 8, "anime:40398", NOW)
    assert (push.bucket, push.type_name) == ("shows", "anime")
    assert push.ids == {"imdb": "tt0000005"} and push.simkl_id == 40398


def test_an_item_without_any_id_is_not_sent():
    bare = LibraryItem(TVSHOW, 9, "Home Video", 2001, Rating(7), {})
    assert make_push(bare, 7, None, NOW) is None


@pytest.mark.parametrize("reason", [NOT_FOUND, REFUSED])
def test_parked_items_wait_until_their_ids_or_their_rating_change(reason):
    """Rule: two-way never loops. A parked item is not sent again, and stays parked."""
    fingerprint = push_identity(FILM, "movies:77")
    parked = {"movie:5": Parked(9, fingerprint, reason)}
    result = plan(9, None, Policy.SIMKL_WINS, edit=False, parked=parked)
    assert result.pushes == [] and result.parked == parked and result.outbox == {}
    new_ids = {"movie:5": Parked(9, ids_fingerprint({"imdb": "tt0000001"}), reason)}
    assert len(plan(9, None, Policy.SIMKL_WINS, edit=False, parked=new_ids).pushes) == 1
    rerated = plan(7, None, Policy.SIMKL_WINS, parked=parked)  # an edit in Kodi: a new try
    assert [p.value for p in rerated.pushes] == [7] and rerated.parked == {}


def test_an_entry_waiting_for_its_retry_is_protected_and_not_sent():
    later = format_instant(MOMENT + timedelta(minutes=4))
    waiting = {"movie:5": Pending(9, NOW, attempts=2, retry_at=later)}
    result = plan(9, 6, Policy.SIMKL_WINS, edit=False, outbox=waiting)
    assert result.pushes == [] and result.waiting == ["movie:5"]
    assert result.outbox == waiting and result.protected
    assert due(waiting, MOMENT) is False
    assert next_due(waiting, MOMENT) == MOMENT + timedelta(minutes=4)


def test_failed_sends_back_off_from_a_minute_doubling_up_to_the_cap():
    assert [backoff(n, 3600) for n in (1, 2, 3, 4, 7, 40)] == [60, 120, 240, 480, 3600, 3600]
    outbox = {"movie:5": Pending(9, NOW)}
    push = make_push(FILM, 9, "movies:77", NOW)
    plan_ = plan(9, 6, Policy.SIMKL_WINS, edit=False, outbox=outbox)
    failed = PushResult(failed=[push])
    after, parked = settle(plan_, failed, MOMENT, 3600)
    assert after["movie:5"].attempts == 1 and parked == {}
    assert after["movie:5"].retry_at == format_instant(MOMENT + timedelta(minutes=1))
    gone, parked = settle(plan_, PushResult(not_found=[push]), MOMENT, 3600)
    assert gone == {} and parked["movie:5"].reason == NOT_FOUND


def test_with_two_way_off_only_ratings_given_in_the_add_on_are_sent():
    edited = {"movie:5": Pending(9, NOW)}
    assert plan(9, 6, Policy.SIMKL_WINS, edit=False, outbox=edited, two_way=False).pushes == []
    given = {"movie:5": Pending(9, NOW, explicit=True)}
    result = plan(9, 6, Policy.SIMKL_WINS, edit=False, outbox=given, two_way=False)
    assert [p.value for p in result.pushes] == [9]
    changed_since = plan(7, 6, Policy.SIMKL_WINS, edit=False, outbox=given, two_way=False)
    assert changed_since.pushes == [] and changed_since.outbox == {}


def test_edits_are_differences_from_the_baseline_only_and_new_items_are_not_edits():
    items = [FILM, LibraryItem(TVSHOW, 1, "Show", 2000, None, {"tvdb": "1"})]
    edits = find_edits(items, {"movie:5": 9, "tvshow:1": 3})
    assert {k: (e.before, e.value) for k, e in edits.items()} == {"tvshow:1": (3, 0)}
    assert find_edits(items, {"tvshow:1": 0}) == {}  # the film is new to the baseline


def test_changed_ratings_sees_adds_changes_and_removals():
    old = {"movies:1": 5, "movies:2": 6, "movies:3": 7}
    new = {"movies:1": 5, "movies:2": 8, "movies:4": 1}
    assert changed_ratings(old, new) == {"movies:2", "movies:3", "movies:4"}
    assert source_of(simkl_rating(3, ANIME, 12)) == "anime:12"


def test_simkls_counts_decide_what_is_confirmed():
    pushes = [make_push(FILM, 9, "movies:77", NOW)]
    pushes.append(
        make_push(LibraryItem(MOVIE, 6, "B", 2002, Rating(2), {"imdb": "tt6"}), 2, None, NOW)
    )
    result = PushResult()
    reply = {
        "added": {"movies": 1, "shows": 0},
        "not_found": {"movies": [{"ids": {"imdb": "TT6"}}]},
    }
    read_reply(reply, pushes, "added", result)
    assert [p.item.kodi_id for p in result.confirmed] == [5]
    assert [p.item.kodi_id for p in result.not_found] == [6]
    short = PushResult()
    read_reply({"added": {"movies": 0}, "not_found": {}}, pushes[:1], "added", short)
    assert short.confirmed == [] and len(short.failed) == 1  # a 2xx alone is not success
    bad = PushResult()
    read_reply(None, pushes, "added", bad)
    assert len(bad.failed) == 2
