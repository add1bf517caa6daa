"""Staying in sync, in the real Kodi: changed, removed and locally edited ratings, a library
scan rated from the cache, and one sync at a time. Writes are counted by SQLite triggers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .addon_driver import AddonDriver
from .host import mtime_ns, wait_for, wait_for_file_change
from .library_gen import MovieSpec, write_movie
from .simkl_account import Account

FIRST_MOVIE = 1001  # the sandbox's simkl id of the first rated library movie
FIRST_SHOW = 2001


@pytest.fixture
def synced(pristine_kodi, signed_in: AddonDriver, sandbox) -> AddonDriver:
    """A first sync done; writes counted from here; the sandbox request log empty."""
    assert signed_in.run("sync")["result"] == "ok"
    pristine_kodi.install_write_counter()
    pristine_kodi.reset_write_counter()
    sandbox.clear_requests()
    return signed_in


def first_movie(account: Account) -> str:
    return next(title for kind, title in account.expected if kind == "movie")


def test_a_rating_changed_on_simkl_costs_exactly_one_write(synced, sandbox, account, kodi):
    sandbox.set_rating("movies", FIRST_MOVIE, 10)
    report = synced.run("sync")
    assert report["kodi_writes"] == kodi.write_count() == 1
    assert report["http_requests"] == 2  # activities + the movies' rated set
    assert synced.ratings()[("movie", first_movie(account))] == 10


def test_a_rating_removed_on_simkl_is_cleared_in_kodi(synced, sandbox, kodi):
    sandbox.remove_rating("shows", FIRST_SHOW)
    report = synced.run("sync")
    assert report["types"]["shows"]["cleared"] == 1
    assert kodi.write_count() == 1
    assert synced.ratings()[("tvshow", "E2E Show 01")] == 0


def test_under_simkl_wins_a_rating_edited_in_kodi_is_replaced(synced, sandbox, account, kodi):
    title = first_movie(account)
    synced.set_rating("movie", title, 2)
    sandbox.set_rating("movies", FIRST_MOVIE, 9)
    synced.run("sync")
    assert synced.ratings()[("movie", title)] == 9


def test_a_scanned_new_item_is_rated_from_the_cache_without_a_download(
    synced, sandbox, account, kodi
):
    """The film Simkl rated but the library lacked arrives; the service rates it after the
    scan with the cached rating, with no request to Simkl."""
    new = MovieSpec(
        title="E2E Movie Not In Library",
        year=1999,
        uniqueids={"imdb": "tt9999999"},
        default_id="imdb",
    )
    source = kodi.workdir / "media" / "movies"
    video = write_movie(new, source)
    try:
        before = mtime_ns(synced.report_path)
        kodi.scan(source)
        wait_for_file_change(synced.report_path, before, timeout=60)
        report = synced.report()
        assert report["mode"] == "cached"
        assert report["http_requests"] == 0
        assert len(sandbox.requests) == 0
        assert synced.ratings()[("movie", new.title)] == 7
        assert report["kodi_writes"] == 1
        rating_writes = [w for w in kodi.write_log() if w[3] != w[2]]
        assert [(table, new_value) for table, _id, _old, new_value in rating_writes] == [
            ("movie", 7)
        ]  # the scanner's own row updates leave userrating alone
    finally:
        shutil.rmtree(video.parent, ignore_errors=True)


def test_a_manual_sync_during_a_running_sync_is_refused_with_a_message(
    pristine_kodi, signed_in: AddonDriver, sandbox, test_output: Path
):
    sandbox.inject("/sync/ratings/movies", "slow", seconds=8)
    before = mtime_ns(signed_in.report_path)
    mark = pristine_kodi.log_mark()
    pristine_kodi.execute_addon("script.simkl.ratings", ["sync"])
    wait_for((signed_in.profile / "sync.lock").exists, timeout=20, message="first sync running")
    pristine_kodi.execute_addon("script.simkl.ratings", ["sync"])
    wait_for(
        lambda: "a sync is already running" in pristine_kodi.log_since(mark),
        timeout=20,
        message="refusal logged",
    )
    pristine_kodi.screenshot(test_output / "already-running.png")
    wait_for_file_change(signed_in.report_path, before, timeout=60)
    assert signed_in.report()["result"] == "ok"  # the first sync finished undisturbed
    assert sandbox.request_count("/sync/activities") == 1  # the second started nothing
