"""The engine's safety rules in the real Kodi, each read back from Kodi's own database and the
sandbox account: a glitch clears nothing and the next run converges; an unreadable row keeps
what the add-on wrote; unrelated non-Latin titles never "agree"; an item Simkl does not know
is sent once, then the service stays quiet; an odd timestamp costs one timestamp, not the
run."""

from __future__ import annotations

import time

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import AddonDriver
from .host import wait_for
from .simkl_account import Account

FILM, FILM_SIMKL = "E2E Movie 01", 1001
OTHER_FILM, OTHER_SIMKL = "E2E Movie 02", 1002
THIRD_FILM, THIRD_SIMKL = "E2E Film Ümlaut", 1003
NOT_ON_SIMKL = "E2E Movie 06"  # in the library, never rated on Simkl (simkl_account)


@pytest.fixture
def addon_settings(sandbox_settings, request) -> dict[str, str]:
    return {**sandbox_settings, **getattr(request, "param", {})}


TWO_WAY = {"two_way": "true", "edit_check": "5", "startup_delay": "0"}


@pytest.fixture
def synced(pristine_kodi, signed_in: AddonDriver, account: Account) -> AddonDriver:
    report = signed_in.run("sync")
    pristine_kodi.dismiss_dialogs()  # two-way's question about ratings only Kodi has: No
    assert report["result"] == "ok"
    ratings = signed_in.ratings()
    assert all(ratings[key] == value for key, value in account.expected.items())
    return signed_in


def test_a_reply_without_the_movies_clears_nothing_and_the_next_run_converges(
    synced: AddonDriver, sandbox: SimklSandbox, pristine_kodi
):
    before = synced.ratings()
    pristine_kodi.install_write_counter()
    pristine_kodi.reset_write_counter()
    sandbox.set_rating("movies", FILM_SIMKL, 9)  # the movies' activity moves: fetched again
    sandbox.inject("/sync/ratings/movies", "wrong_shape", body={})
    glitch = synced.run("sync")
    pristine_kodi.dismiss_dialogs()  # the question "did you remove them all?": No
    assert glitch["suspicious_types"] == ["movies"]
    assert glitch["types"]["movies"]["cleared"] == 0
    assert synced.ratings() == before
    assert pristine_kodi.write_count() == 0
    sandbox.clear_faults()
    after = synced.run("sync")  # its cursor did not move: Simkl is asked again
    assert after["result"] == "ok" and after["suspicious_types"] == []
    assert synced.ratings() == {**before, ("movie", FILM): 9}


def test_a_row_that_cannot_be_read_keeps_the_rating_the_add_on_wrote(
    synced: AddonDriver, sandbox: SimklSandbox, account: Account
):
    sandbox.set_raw_rating("movies", FILM_SIMKL, 6.5)
    report = synced.run("sync")
    assert report["result"] == "ok"
    assert report["types"]["movies"]["skipped"] == 2  # this one, and the account's 11
    assert report["types"]["movies"]["cleared"] == 0
    assert synced.ratings()[("movie", FILM)] == account.expected[("movie", FILM)]


def test_two_unrelated_non_latin_titles_sharing_a_tmdb_number_write_nothing(
    synced: AddonDriver, sandbox: SimklSandbox, pristine_kodi
):
    shows = pristine_kodi.call("VideoLibrary.GetTVShows", {"properties": ["title", "year"]})
    show = next(s for s in shows["tvshows"] if s["title"] == "E2E Show 02")  # rated by tmdb
    pristine_kodi.call(  # now a show with a Japanese title, and another tmdb number
        "VideoLibrary.SetTVShowDetails",
        {
            "tvshowid": show["tvshowid"],
            "title": "千と千尋の神隠し",
            "uniqueid": {"tmdb": "129"},
            "userrating": 0,
        },
    )
    sandbox.add_item(  # an anime as Simkl sends them: no anime_type, a tmdb number only
        "anime",
        {
            "simkl": 3999,
            "title": "ドラゴンボール",
            "year": show["year"],
            "ids": {"tmdb": "129"},
            "user_rating": 9,
            "user_rated_at": "2026-03-09T10:00:00Z",
            "status": "completed",
        },
    )
    report = synced.run("sync")
    assert report["result"] == "ok"
    assert synced.ratings()[("tvshow", "千と千尋の神隠し")] == 0
    unplaced = [i["title"] for i in report["kind_unknown_items"]]
    assert "ドラゴンボール" in unplaced


@pytest.mark.parametrize("addon_settings", [TWO_WAY], indirect=True)
def test_an_edit_simkl_does_not_know_is_sent_once_then_the_service_is_quiet(
    synced: AddonDriver, sandbox: SimklSandbox
):
    sandbox.clear_requests()
    synced.set_rating("movie", NOT_ON_SIMKL, 7)  # as a remote app would
    wait_for(
        lambda: [r for r in sandbox.requests if r.method == "POST"],
        timeout=20,
        message="the service's push",
    )
    wait_for(lambda: synced.report()["parked_items"], timeout=20, message="the parked item")
    quiet_since = len(sandbox.requests)
    time.sleep(20)  # four of the service's looks at Kodi (every 5 s)
    assert len(sandbox.requests) == quiet_since
    posts = [r for r in sandbox.requests if r.method == "POST"]
    assert len(posts) == 1
    assert synced.report()["parked_items"][0]["reason"] == "not_found"
    assert synced.ratings()[("movie", NOT_ON_SIMKL)] == 7  # the user's rating stays


def test_a_year_9999_timestamp_is_skipped_and_the_rest_of_the_run_is_written(
    synced: AddonDriver, sandbox: SimklSandbox
):
    sandbox.set_rating("movies", OTHER_SIMKL, 2, rated_at="9999-12-31T23:59:59-05:00")
    sandbox.set_rating("movies", THIRD_SIMKL, 3)
    report = synced.run("sync")
    assert report["result"] == "ok", report.get("error")
    ratings = synced.ratings()
    assert ratings[("movie", OTHER_FILM)] == 2
    assert ratings[("movie", THIRD_FILM)] == 3
