"""Issue 4 behaviour: the activities gate, partial downloads, un-rating, policies, cached runs,
full-pull triggers and the title + year fallback."""

from __future__ import annotations

import json

import pytest
from simkl_ratings.core.media import ANIME, MOVIES, SHOWS
from simkl_ratings.core.sync.policy import Policy
from simkl_ratings.core.sync.run import Mode


def test_a_run_with_nothing_new_on_simkl_costs_one_request_and_touches_nothing(engine):
    engine.run()
    writes = engine.kodi.write_calls
    reads = len(engine.kodi.requests)
    report = engine.run()
    assert report.activities_unchanged is True
    assert report.http_requests == engine.http() == 1
    assert engine.http("/sync/activities") == 1
    assert report.kodi_writes == 0
    assert engine.kodi.write_calls == writes
    assert len(engine.kodi.requests) == reads  # not even a library read


def test_a_changed_rating_downloads_only_its_type_and_writes_once(engine):
    engine.run()
    engine.sandbox.set_rating("movies", 1, 9)
    report = engine.run()
    assert engine.http("/sync/ratings/movies") == 1
    assert engine.http("/sync/ratings/shows") == engine.http("/sync/ratings/anime") == 0
    assert report.http_requests == 2
    assert report.kodi_writes == 1
    assert engine.kodi.rating("movies", 1) == 9
    assert report.types["anime"].unchanged == 2  # the cache still plans the other types


def test_a_rating_removed_on_simkl_clears_what_the_add_on_wrote(engine):
    engine.run()
    engine.sandbox.remove_rating("movies", 1)
    report = engine.run()
    assert engine.kodi.rating("movies", 1) == 0
    assert report.types["movies"].cleared == 1
    assert report.changes == [
        {
            "type": "movies",
            "kind": "movie",
            "kodi_id": 1,
            "title": "Maleficent",
            "year": 2014,
            "from": 6,
            "to": 0,
        }
    ]
    assert engine.run().kodi_writes == 0  # and it stays cleared


def test_a_removed_rating_the_user_changed_in_kodi_since_is_left_alone(engine):
    engine.run()
    engine.kodi.tables["movies"][1]["userrating"] = 8  # the user re-rated it in Kodi
    engine.sandbox.remove_rating("movies", 1)
    report = engine.run()
    assert engine.kodi.rating("movies", 1) == 8
    assert report.types["movies"].cleared == 0
    engine.sandbox.set_rating("movies", 1, 3)
    engine.sandbox.remove_rating("movies", 1)
    assert engine.run().kodi_writes == 0  # the add-on no longer owns that value


def test_a_rating_the_add_on_never_wrote_is_never_cleared(engine):
    engine.kodi.tables["movies"][1]["userrating"] = 6  # already equal: nothing written
    engine.run()
    engine.sandbox.remove_rating("movies", 1)
    engine.run()
    assert engine.kodi.rating("movies", 1) == 6


@pytest.mark.parametrize(
    ("policy", "after_edit", "kept"),
    [(Policy.SIMKL_WINS, 9, 0), (Policy.KEEP_LOCAL, 2, 1), (Policy.FILL_EMPTY, 2, 1)],
)
def test_a_kodi_edit_meets_the_overwrite_policy(engine, policy, after_edit, kept):
    engine.run(policy=policy)
    engine.kodi.tables["movies"][1]["userrating"] = 2  # the user edits it in Kodi
    engine.sandbox.set_rating("movies", 1, 9)
    report = engine.run(policy=policy)
    assert engine.kodi.rating("movies", 1) == after_edit
    assert report.types["movies"].kept_local == kept


def test_keep_local_still_updates_values_the_add_on_wrote(engine):
    engine.run(policy=Policy.KEEP_LOCAL)
    engine.sandbox.set_rating("movies", 1, 9)
    engine.run(policy=Policy.KEEP_LOCAL)
    assert engine.kodi.rating("movies", 1) == 9


def test_fill_empty_rates_only_unrated_items(engine):
    engine.kodi.tables["movies"][1]["userrating"] = 3
    report = engine.run(policy=Policy.FILL_EMPTY)
    assert engine.kodi.rating("movies", 1) == 3
    assert engine.kodi.rating("movies", 2) == 9
    assert report.types["movies"].kept_local == 1


def test_a_policy_change_applies_the_cache_without_downloading(engine):
    engine.kodi.tables["movies"][1]["userrating"] = 3
    engine.run(policy=Policy.FILL_EMPTY)
    report = engine.run(policy=Policy.SIMKL_WINS)
    assert report.http_requests == 1
    assert engine.kodi.rating("movies", 1) == 6


def test_a_library_scan_is_rated_from_the_cache_without_any_request(engine):
    engine.run()
    new_show = engine.kodi.add_tvshow("Added Later", 2020, tmdb="1399")
    engine.sandbox.add_item(
        "shows",
        {
            "simkl": 40,
            "title": "Added Later",
            "year": 2020,
            "ids": {"tmdb": "1399"},
            "user_rating": 7,
            "user_rated_at": "2026-01-05T10:00:00Z",
            "status": "completed",
        },
    )
    engine.run()  # Simkl moved: the cache learns the new rating (the show is not in Kodi yet)
    engine.kodi.add_movie("Scanned Later", 2021, imdb="tt0000042")
    report = engine.run(offline=True)
    assert report.mode == "cached"
    assert report.http_requests == 0
    assert engine.kodi.rating("tvshows", new_show) == 7


def test_cached_mode_before_any_download_does_nothing(engine):
    report = engine.run(offline=True)
    assert report.activities_unchanged is True
    assert engine.kodi.write_calls == 0


@pytest.mark.parametrize(
    "spoil",
    [
        lambda state: "{not json",
        lambda state: json.dumps({**state, "schema_version": 99}),
        lambda state: json.dumps({**state, "ratings": {"movies": [{"rating": 11}]}}),
    ],
)
def test_a_missing_or_corrupt_cache_means_a_full_pull(engine, spoil):
    engine.run()
    with open(engine.state_path) as stream:
        state = json.load(stream)
    with open(engine.state_path, "w") as stream:
        stream.write(spoil(state))
    report = engine.run()
    assert engine.http("/sync/ratings/") == 3
    assert report.result == "ok"


def test_a_timestamp_that_went_backwards_means_a_full_pull(engine):
    engine.run()
    with open(engine.state_path) as stream:
        state = json.load(stream)
    state["activities"]["movies"]["rated_at"] = "2099-01-01T00:00:00.000Z"
    with open(engine.state_path, "w") as stream:
        json.dump(state, stream)
    engine.run()
    assert engine.http("/sync/ratings/") == 3


def test_another_account_means_a_full_pull(engine):
    engine.run()
    engine.run(account_id=8)
    assert engine.http("/sync/ratings/") == 3


def test_rebuild_downloads_everything_even_when_nothing_moved(engine):
    engine.run()
    report = engine.run(mode=Mode.REBUILD)
    assert engine.http("/sync/ratings/") == 3
    assert report.activities_unchanged is False
    assert report.kodi_writes == 0


def test_a_failed_run_keeps_the_old_baseline(engine):
    engine.run()
    engine.sandbox.set_rating("movies", 1, 2)
    engine.sandbox.inject("/sync/ratings/movies", "503", count=None)
    assert engine.run().result == "error"
    engine.sandbox.clear_faults()
    report = engine.run()  # the change is still seen: the baseline did not move
    assert engine.kodi.rating("movies", 1) == 2
    assert report.http_requests == 2


def test_a_type_turned_off_and_on_again_is_downloaded_afresh(engine):
    engine.run()
    engine.run(types=(MOVIES, SHOWS))
    engine.run(types=(MOVIES, SHOWS, ANIME))
    assert engine.http("/sync/ratings/anime") == 1


def test_title_and_year_match_only_when_enabled_and_unambiguous(engine):
    engine.sandbox.add_item(
        "movies",
        {
            "simkl": 50,
            "title": "Bäckström",
            "year": 2020,
            "ids": {},
            "user_rating": 8,
            "user_rated_at": "2026-01-05T10:00:00Z",
            "status": "completed",
        },
    )
    only = engine.kodi.add("movies", "Backstrom", 2020, {})
    report = engine.run()
    assert engine.kodi.rating("movies", only) == 0
    assert report.types["movies"].unmatched == 2
    report = engine.run(title_fallback=True)
    assert engine.kodi.rating("movies", only) == 8
    assert report.types["movies"].matched_by_title == 1
    assert report.title_matched_items[0]["title"] == "Bäckström"


def test_title_fallback_refuses_two_candidates_and_contradicting_ids(engine):
    engine.sandbox.add_item(
        "movies",
        {
            "simkl": 51,
            "title": "Heat",
            "year": 1995,
            "ids": {"imdb": "tt0113277"},
            "user_rating": 9,
            "user_rated_at": "2026-01-05T10:00:00Z",
            "status": "completed",
        },
    )
    engine.sandbox.add_item(
        "movies",
        {
            "simkl": 52,
            "title": "Solaris",
            "year": 2002,
            "ids": {},
            "user_rating": 7,
            "user_rated_at": "2026-01-05T10:00:00Z",
            "status": "completed",
        },
    )
    other_heat = engine.kodi.add("movies", "Heat", 1995, {"imdb": "tt9999991"})
    solaris_a = engine.kodi.add("movies", "Solaris", 2002, {})
    solaris_b = engine.kodi.add("movies", "Solaris", 2002, {})
    report = engine.run(title_fallback=True)
    assert engine.kodi.rating("movies", other_heat) == 0  # its imdb id says it is another film
    assert engine.kodi.rating("movies", solaris_a) == engine.kodi.rating("movies", solaris_b) == 0
    assert report.types["movies"].matched_by_title == 0
