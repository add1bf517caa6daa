"""Each finding of the review behind issue 18, reproduced as the user met it.

Every test here failed on the code before the issue (commit 46654c9) and names the rule that
now holds; the rules themselves are tested one by one (with properties and faults) next to
their code. Simkl is the sandbox over real HTTP, Kodi the behaving fake library.
"""

from __future__ import annotations

import pytest
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.sync.household import PROPERTY
from simkl_ratings.core.sync.state import SyncStateStore
from simkl_ratings.core.sync.two_way import kodi_edited
from simkl_ratings.kodi import service

from .engine_env import Engine

MALEFICENT, YOUR_NAME, BROKEN = 1, 2, 3  # Kodi movie ids (engine_env.build_library)
LAST_SHIP, HXH = 1, 2  # Kodi TV show ids


def ratings(engine: Engine) -> dict[str, int]:
    return {
        row["title"]: row["userrating"]
        for table in engine.kodi.tables.values()
        for row in table.values()
    }


def posts(engine: Engine) -> list:
    return [r for r in engine.sandbox.requests if r.method == "POST"]


def test_a_glitch_that_answers_no_movies_clears_nothing_and_the_next_run_converges(engine):
    assert engine.run().result == "ok"
    before = ratings(engine)
    assert before["Maleficent"] == 6 and before["Broken"] == 5
    engine.sandbox.set_rating("movies", 1, 8)  # the movies activity moves: they are fetched
    engine.sandbox.inject("/sync/ratings/movies", "wrong_shape", body={})
    glitch = engine.run()
    assert ratings(engine) == before  # nothing cleared, nothing written for movies
    assert glitch.types["movies"].cleared == 0
    after = engine.run()  # Simkl answers properly again: the change arrives
    assert after.result == "ok"
    assert ratings(engine) == {**before, "Maleficent": 8}


def test_a_row_the_add_on_cannot_read_keeps_the_rating_it_wrote(engine):
    assert engine.run().result == "ok"
    engine.sandbox.set_raw_rating("movies", 3, 6.5)  # Broken: 5 -> an unreadable 6.5
    report = engine.run()
    assert ratings(engine)["Broken"] == 5
    assert report.types["movies"].cleared == 0
    assert report.types["movies"].skipped == 1


def test_two_unrelated_non_latin_titles_sharing_a_tmdb_number_write_nothing(engine):
    # An untyped anime (as Simkl sends every anime) found only by a tmdb number, whose title
    # normalised to "" before, like every CJK title: it "agreed" with an unrelated show.
    engine.kodi.add_tvshow("千と千尋の神隠し", 2001, tmdb="129")
    engine.sandbox.add_item(
        "anime",
        {
            "simkl": 60,
            "title": "ドラゴンボール",
            "year": 2001,
            "ids": {"tmdb": "129"},
            "user_rating": 9,
            "user_rated_at": "2026-01-05T10:00:00Z",
            "status": "completed",
        },
    )
    report = engine.run()
    assert report.result == "ok"
    assert ratings(engine)["千と千尋の神隠し"] == 0
    assert report.types["anime"].kind_unknown == 1


def test_a_year_9999_timestamp_is_skipped_and_the_rest_of_the_run_applies(engine):
    engine.sandbox.set_rating("movies", 1, 7, rated_at="9999-12-31T23:59:59-05:00")
    report = engine.run()
    assert report.result == "ok"
    assert ratings(engine)["Maleficent"] == 7
    assert ratings(engine)["Broken"] == 5


def test_an_edit_simkl_does_not_know_is_parked_and_triggers_no_more_syncs(engine):
    lonely = engine.kodi.add_movie("Only In Kodi", 1990, imdb="tt0000404")
    assert engine.run(two_way=True).result == "ok"  # the baseline
    JsonRpc(engine.kodi.handle).call(
        "VideoLibrary.SetMovieDetails", {"movieid": lonely, "userrating": 7}
    )
    first = engine.run(two_way=True)
    assert first.types["movies"].push_not_found == 1
    assert len(posts(engine)) == 1
    # The service's cheap look at Kodi must now find nothing to do: no sync every edit_check.
    library = engine.kodi_library()
    assert kodi_edited(library, SyncStateStore(engine.profile), engine.types) is False
    again = engine.run(two_way=True)
    assert posts(engine) == []
    assert again.activities_unchanged is True


def test_a_new_item_scanned_with_a_rating_is_not_pushed_without_consent(engine):
    assert engine.run(two_way=True).result == "ok"  # the baseline
    scanned = engine.kodi.add_movie("From An NFO", 1999, imdb="tt0000777")
    engine.kodi.tables["movies"][scanned]["userrating"] = 8  # as a library import sets it
    report = engine.run(two_way=True)
    assert posts(engine) == []
    assert [item["title"] for item in report.kodi_only_items] == ["From An NFO"]


def test_a_connection_dropped_between_write_batches_keeps_the_record_of_what_was_written(
    engine,
):
    engine.kodi.fail_batches_after = 1  # the first batch lands, then the transport fails
    report = engine.run(batch_size=1)
    assert report.result == "error"
    written = SyncStateStore(engine.profile).load()
    assert written is not None and len(written.written) == 1
    engine.kodi.fail_batches_after = None
    assert engine.run().result == "ok"
    assert len(SyncStateStore(engine.profile).load().written) == 5
    engine.sandbox.remove_rating("movies", 1)  # un-rated on Simkl: the first write is cleared
    assert engine.run().types["movies"].cleared == 1
    assert ratings(engine)["Maleficent"] == 0


@pytest.mark.parametrize("rejections", [2])
def test_a_token_refused_after_a_good_refresh_keeps_the_sign_in(cli, rejections):
    cli.sign_in()
    cli.sandbox.inject("/sync/", "invalid_token", count=rejections)
    result = cli("sync")
    assert result.code != 0
    assert cli.credentials_path.exists()  # the refresh token still works
    assert cli("sync").code == 0


def test_the_runner_leaves_a_kodi_whose_add_on_syncs_its_own_library(env, cli):
    # The add-on on that Kodi is signed in; its library is its own (not shared).
    env.sign_in_stored()
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0"})
    env.state.settings["sync_on_start"] = "false"
    env.state.abort_after_waits = 3
    service.main()
    published = env.state.properties.get((10000, PROPERTY), "")
    cli.sign_in()
    cli.web.properties[PROPERTY] = published
    result = cli("sync")
    assert result.code == 8
    assert cli.sandbox.request_count("/sync/ratings") == 0
