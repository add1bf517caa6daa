"""The push side as table tests: every cell of the edit table, equal values, ids, not_found,
and Kodi quitting between two push requests."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from simkl_ratings.core.library.gateway import LibraryItem
from simkl_ratings.core.media import ANIME, MOVIE, MOVIES, TVSHOW
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.push import PushResult, read_reply
from simkl_ratings.core.simkl.ratings import SimklRating
from simkl_ratings.core.sync.edits import Edit, changed_ratings, find_edits
from simkl_ratings.core.sync.policy import Policy
from simkl_ratings.core.sync.pushing import ids_fingerprint, make_push, plan_pushes
from simkl_ratings.core.sync.state import source_of

NOW = "2026-12-02T10:00:00Z"
FILM = LibraryItem(MOVIE, 5, "Film", 2001, Rating(9), {"imdb": "tt0000005", "tmdb": "55"})


def simkl_rating(value: int, simkl_type=MOVIES, simkl_id: int = 77) -> SimklRating:
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return SimklRating(
        simkl_type, simkl_id, "Film", 2001, {"imdb": "tt0000005"}, Rating(value), when
    )


def plan(edit_value: int, simkl_value: int | None, policy: Policy, *, moved: bool = False, **kw):
    edit = Edit(FILM, edit_value, 4)
    winners = {id(FILM): simkl_rating(simkl_value)} if simkl_value else {}
    source = "movies:77"
    return plan_pushes(
        {"movie:5": edit},
        winners,
        policy=policy,
        links=kw.get("links", {"movie:5": source}),
        changed={source} if moved else set(),
        not_found=kw.get("not_found", {}),
        edit_times=kw.get("edit_times", {}),
        now=NOW,
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
    assert (id(FILM) in result.protected) is pushed  # a pushed edit is never pulled over


@pytest.mark.parametrize("policy", list(Policy))
def test_an_edit_equal_to_simkls_rating_is_no_edit(policy):
    result = plan(6, 6, policy, moved=True)
    assert result.pushes == [] and result.protected == set()


def test_a_cleared_rating_is_a_remove_and_none_is_sent_where_simkl_has_nothing():
    assert [p.value for p in plan(0, 6, Policy.SIMKL_WINS).pushes] == [0]
    assert plan(0, None, Policy.SIMKL_WINS).pushes == []


def test_the_push_carries_every_kodi_id_the_simkl_id_and_the_first_time_it_was_seen():
    (push,) = plan(9, 6, Policy.SIMKL_WINS, edit_times={"movie:5": "2026-11-30T08:00:00Z"}).pushes
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


def test_not_found_items_wait_until_their_ids_change():
    known = {"movie:5": ids_fingerprint(FILM.ids)}
    result = plan(9, None, Policy.SIMKL_WINS, not_found=known)
    assert result.pushes == [] and len(result.not_found_again) == 1
    stale = {"movie:5": ids_fingerprint({"imdb": "tt0000001"})}
    assert len(plan(9, None, Policy.SIMKL_WINS, not_found=stale).pushes) == 1


def test_edits_are_differences_from_the_baseline_only():
    items = [FILM, LibraryItem(TVSHOW, 1, "Show", 2000, None, {"tvdb": "1"})]
    edits = find_edits(items, {"movie:5": 9, "tvshow:1": 3})
    assert {k: (e.before, e.value) for k, e in edits.items()} == {"tvshow:1": (3, 0)}
    assert find_edits(items, {"movie:5": 2}, ignore=["movie:5"]) == {}


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
