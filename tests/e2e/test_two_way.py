"""Two-way in the real Kodi: ratings set over JSON-RPC (as a remote app does) reach the sandbox
account, once, with the right ids; nothing echoes; conflicts follow the policy."""

from __future__ import annotations

import time

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import AddonDriver
from .host import mtime_ns, wait_for, wait_for_file_change

FILM, FILM_SIMKL = "E2E Movie 01", 1001  # rated on Simkl by tmdb only (simkl_account)
OTHER_FILM, OTHER_SIMKL = "E2E Movie 02", 1002
SHOW, SHOW_SIMKL = "E2E Show 01", 2001
POLICIES = {"simkl_wins": "0", "fill_empty": "1", "keep_local": "2"}


@pytest.fixture
def addon_settings(sandbox_settings, request) -> dict[str, str]:
    policy = getattr(request, "param", "simkl_wins")
    settings = {**sandbox_settings, "two_way": "true", "overwrite_policy": POLICIES[policy]}
    return {**settings, "edit_check": "5", "startup_delay": "0"}


@pytest.fixture
def synced(pristine_kodi, signed_in: AddonDriver, sandbox: SimklSandbox) -> AddonDriver:
    """Two-way on, after its first run (the baseline)."""
    sandbox.clear_requests()
    assert signed_in.run("sync")["result"] == "ok"
    assert posts(sandbox) == [] and posts(sandbox, "/sync/ratings/remove") == []
    return signed_in


def posts(sandbox: SimklSandbox, path: str = "/sync/ratings") -> list[dict]:
    return [r.body for r in sandbox.requests if r.method == "POST" and r.path == path]


def on_simkl(sandbox: SimklSandbox, type_: str, simkl_id: int):
    return sandbox.model.items[type_][simkl_id].user_rating


def test_a_kodi_rating_reaches_simkl_in_one_post_and_never_comes_back(
    synced: AddonDriver, sandbox: SimklSandbox, kodi_spec
):
    synced.set_rating("movie", FILM, 9)
    sandbox.clear_requests()
    report = synced.run("sync")
    assert report["result"] == "ok", report
    (body,) = posts(sandbox)
    (entry,) = body["movies"]
    film = kodi_spec.movie(FILM)
    assert entry["rating"] == 9
    assert entry["ids"] == {**film.uniqueids, "simkl": FILM_SIMKL}
    assert (entry["title"], entry["year"]) == (film.title, film.year)
    assert report["types"]["movies"]["pushed"] == 1 and report["kodi_writes"] == 0
    assert on_simkl(sandbox, "movies", FILM_SIMKL) == 9
    sandbox.clear_requests()
    again = synced.run("sync")  # Simkl moved (our push): pulled, equal, nothing either way
    assert posts(sandbox) == [] and again["kodi_writes"] == 0
    assert synced.ratings()[("movie", FILM)] == 9


def test_a_rating_cleared_in_kodi_is_removed_on_simkl(synced, sandbox: SimklSandbox):
    synced.set_rating("tvshow", SHOW, 0)
    sandbox.clear_requests()
    report = synced.run("sync")
    assert posts(sandbox) == []
    (body,) = posts(sandbox, "/sync/ratings/remove")
    assert [e["ids"]["simkl"] for e in body["shows"]] == [SHOW_SIMKL]
    assert report["types"]["shows"]["push_removed"] == 1
    assert on_simkl(sandbox, "shows", SHOW_SIMKL) is None
    assert synced.ratings()[("tvshow", SHOW)] == 0


def test_a_value_the_add_on_wrote_is_not_pushed(synced, sandbox: SimklSandbox):
    sandbox.set_rating("movies", OTHER_SIMKL, 3)
    assert synced.run("sync")["kodi_writes"] == 1
    sandbox.clear_requests()
    report = synced.run("sync")
    assert posts(sandbox) == []
    assert report["activities_unchanged"] is True
    assert len(sandbox.requests) == 1


def test_the_preview_lists_the_push_and_sends_nothing(synced, sandbox: SimklSandbox):
    synced.set_rating("movie", FILM, 9)
    sandbox.clear_requests()
    report = synced.run("preview")
    synced.kodi.dismiss_dialogs()
    assert posts(sandbox) == []
    assert [(i["title"], i["to"]) for i in report["pushed_items"]] == [(FILM, 9)]
    assert on_simkl(sandbox, "movies", FILM_SIMKL) != 9


def test_a_failed_push_is_sent_at_the_next_run(synced, sandbox: SimklSandbox):
    synced.set_rating("movie", FILM, 9)
    sandbox.inject("/sync/ratings", "503", count=None)
    failed = synced.run("sync")
    synced.kodi.dismiss_dialogs()
    assert failed["result"] == "error"
    assert failed["types"]["movies"]["push_failed"] == 1
    assert synced.ratings()[("movie", FILM)] == 9  # the edit stays in Kodi
    sandbox.clear_faults()
    sandbox.clear_requests()
    synced.retry_now()  # its back-off (a minute) is over
    done = synced.run("sync")
    assert done["result"] == "ok" and done["types"]["movies"]["pushed"] == 1
    assert len(posts(sandbox)) == 1
    assert on_simkl(sandbox, "movies", FILM_SIMKL) == 9


@pytest.mark.parametrize(
    ("addon_settings", "kodi_after", "simkl_after", "sent"),
    [("simkl_wins", 3, 3, 0), ("keep_local", 9, 9, 1), ("fill_empty", 9, 3, 0)],
    indirect=["addon_settings"],
)
def test_both_sides_changed_follow_the_policy(
    synced, sandbox: SimklSandbox, kodi_after, simkl_after, sent
):
    sandbox.set_rating("movies", FILM_SIMKL, 3)
    synced.set_rating("movie", FILM, 9)
    sandbox.clear_requests()
    assert synced.run("sync")["result"] == "ok"
    assert len(posts(sandbox)) == sent
    assert synced.ratings()[("movie", FILM)] == kodi_after
    assert on_simkl(sandbox, "movies", FILM_SIMKL) == simkl_after
    sandbox.clear_requests()
    synced.run("sync")  # stable: no flip back
    assert posts(sandbox) == []
    assert synced.ratings()[("movie", FILM)] == kodi_after
    assert on_simkl(sandbox, "movies", FILM_SIMKL) == simkl_after


def test_the_service_finds_a_json_rpc_rating_and_pushes_it_within_15_s(
    synced, sandbox: SimklSandbox
):
    """Kodi 20.1 announces nothing when a userrating is set over JSON-RPC (a playcount change
    does raise VideoLibrary.OnUpdate), so the service's light look at Kodi's ratings finds it."""
    sandbox.clear_requests()
    report_before = mtime_ns(synced.report_path)
    began = time.monotonic()
    synced.set_rating("movie", FILM, 10)  # as Kore or Yatse would
    wait_for(lambda: posts(sandbox), timeout=15, message="a push from the service")
    assert time.monotonic() - began < 15
    (body,) = posts(sandbox)
    assert body["movies"][0]["rating"] == 10
    assert on_simkl(sandbox, "movies", FILM_SIMKL) == 10
    wait_for_file_change(synced.report_path, report_before, timeout=30)  # the run's own report
    assert synced.report()["types"]["movies"]["pushed"] == 1
