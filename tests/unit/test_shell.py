"""The Kodi shell with behaving fake Kodi modules: what the user sees, what lands in Kodi."""

from __future__ import annotations

import logging
import os
import stat

import pytest
import responses
import xbmcgui
from simkl_ratings.core.sync.lock import RunLock
from simkl_ratings.core.sync.run import Stage
from simkl_ratings.kodi import pin_dialog, script, service
from simkl_ratings.kodi.ui import _Throttle

from .conftest import movie_row, show_row
from .shell_env import ACTIVITIES, API, PIN_REPLY, TOKEN

MOVIES = [
    movie_row(1, "Maleficent", 6, imdb="tt1587310"),
    movie_row(2, "Elsewhere", 9, imdb="tt7777777"),
]
PENDING = {"result": "KO", "message": "Authorization pending"}
SHOWS = [show_row(3, "The Last Ship", 5, tvdb="269533")]


def library(env):
    env.kodi.add_movie("Maleficent", 2014, imdb="tt1587310")
    env.kodi.add_tvshow("The Last Ship", 2014, tvdb="269533")


@responses.activate
def test_sync_when_signed_in_writes_reports_and_tells_the_user(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    script.main(["default.py", "sync"])
    assert env.kodi.rating("movies", 1) == 6
    assert env.kodi.rating("tvshows", 1) == 5
    report = env.report()
    assert report["result"] == "ok"
    assert report["unmatched_items"][0]["title"] == "Elsewhere"
    assert env.messages() == ["2 updated · 1 not in library"]
    progress = env.state.progress[0]
    assert type(progress).__name__ == "DialogProgress"
    assert progress.closed
    assert any("Writing ratings to Kodi" in text for _, text in progress.updates)
    assert env.state.properties[(10000, "script.simkl.ratings.last_run")] == report["finished_at"]
    assert env.state.missing_strings == []


@responses.activate
def test_sync_when_not_signed_in_signs_in_first_then_syncs(env):
    library(env)
    env.v1_client()
    responses.get(f"{API}/oauth/pin", json=PIN_REPLY)
    responses.get(
        f"{API}/oauth/pin/7QX2KD", json={"result": "KO", "message": "Authorization pending"}
    )
    responses.get(f"{API}/oauth/pin/7QX2KD", json={"result": "OK", "access_token": TOKEN})
    responses.post(f"{API}/users/settings", json={"user": {"name": "jane"}, "account": {"id": 42}})
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    script.main(["default.py", "sync"])
    window = env.state.windows[0]
    assert window.controls[pin_dialog.CODE].label == "[B]7QX2KD[/B]"
    assert window.controls[pin_dialog.URL].label == "[B]https://simkl.com/pin[/B]"
    assert "The code expires in 0:" in window.controls[pin_dialog.COUNTDOWN].label
    assert window.closed
    creds = env.credentials()
    assert creds["access_token"] == TOKEN
    assert creds["account_id"] == 42
    assert stat.S_IMODE(os.stat(os.path.join(env.profile, "credentials.json")).st_mode) == 0o600
    assert env.state.settings["account"] == "jane"
    assert "Signed in to Simkl as jane" in env.messages()
    assert env.kodi.rating("movies", 1) == 6


@responses.activate
def test_cancel_in_the_sign_in_window_stores_nothing_and_syncs_nothing(env):
    env.v1_client()
    responses.get(f"{API}/oauth/pin", json=PIN_REPLY)
    responses.get(
        f"{API}/oauth/pin/7QX2KD", json={"result": "KO", "message": "Authorization pending"}
    )
    env.state.on_window_shown = lambda window: window.onClick(pin_dialog.CANCEL)
    script.main(["default.py", "sync"])
    assert env.credentials() is None
    assert env.report()["error_code"] == "signed_out"
    assert env.kodi.write_calls == 0
    assert not [c for c in responses.calls if "/sync/" in c.request.url]


@responses.activate
def test_back_key_cancels_sign_in_too(env):
    env.v1_client()
    responses.get(f"{API}/oauth/pin", json=PIN_REPLY)
    env.state.on_window_shown = lambda window: window.onAction(xbmcgui.Action(92))
    script.main(["default.py", "login"])
    assert env.credentials() is None
    assert env.state.windows[0].closed


@responses.activate
def test_an_expired_code_is_said_in_words(env):
    env.v1_client()
    responses.get(f"{API}/oauth/pin", json={**PIN_REPLY, "expires_in": 0.05})
    responses.get(
        f"{API}/oauth/pin/7QX2KD", json={"result": "KO", "message": "Authorization pending"}
    )
    script.main(["default.py", "login"])
    assert (
        "ok",
        "Simkl Ratings Sync",
        "The code expired before it was entered. Try again.",
    ) in env.state.dialogs
    assert env.credentials() is None


@responses.activate
def test_preview_writes_nothing_and_shows_what_would_change(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    script.main(["default.py", "preview"])
    assert env.kodi.write_calls == 0
    kind, _, text = env.state.dialogs[-1]
    assert kind == "textviewer"
    assert "Would change (preview, nothing was written):" in text
    assert "Maleficent (2014): - → 6" in text
    assert text.startswith("Preview: 2 would change\n\n")  # the summary
    assert env.state.notifications == []  # heads the viewer: no toast on top of it
    assert env.report()["dry_run"] is True


@responses.activate
def test_an_old_pin_sign_in_refused_by_simkl_is_explained_and_sign_in_offered(env):
    env.sign_in_stored()
    library(env)
    responses.get(f"{API}/sync/activities", json=ACTIVITIES)
    responses.get(
        f"{API}/sync/ratings/movies/1,2,3,4,5,6,7,8,9,10",
        status=401,
        json={"error": "user_token_failed"},
    )
    script.main(["default.py", "sync"])
    assert env.credentials() is None
    kind, _, text = env.state.dialogs[-1]
    assert kind == "yesno"
    assert text.startswith("Simkl changed how apps sign in")
    assert env.messages() == []  # declined: the question said it all, no toast repeats it
    assert env.report()["error_code"] == "signed_out"


@responses.activate
def test_rate_limiting_reaches_the_user_in_words(env):
    env.sign_in_stored()
    responses.get(f"{API}/sync/activities", json=ACTIVITIES)
    responses.get(
        f"{API}/sync/ratings/movies/1,2,3,4,5,6,7,8,9,10",
        status=429,
        headers={"Retry-After": "600"},
        json={"error": "rate_limit"},
    )
    script.main(["default.py", "sync"])
    assert env.messages() == ["Simkl is rate-limiting requests; try again in 10 minutes."]
    assert env.state.notifications[0]["sound"] is True  # errors are flagged as errors
    assert env.report()["error_code"] == "rate_limited"


def test_an_http_api_url_to_another_host_is_refused_before_any_request(env):
    env.sign_in_stored()
    env.state.settings["api_url"] = "http://api.example.com"
    with responses.RequestsMock() as mock:
        script.main(["default.py", "sync"])
        assert len(mock.calls) == 0
    assert env.report()["error_code"] == "config"
    assert env.messages()[-1].startswith("The add-on settings are not usable")
    assert "Traceback" not in env.log_text()


@responses.activate
def test_invalid_setting_values_are_named_and_defaults_used(env):
    env.sign_in_stored()
    env.state.settings["batch_size"] = "many"
    env.serve_ratings()
    script.main(["default.py", "sync"])
    assert env.messages()[0] == (
        "Some settings had invalid values; their defaults were used: batch_size"
    )
    assert env.report()["result"] == "ok"


def test_logout_forgets_the_token(env):
    env.sign_in_stored()
    script.main(["default.py", "logout"])
    assert env.credentials() is None
    assert env.state.dialogs[-1][2].startswith("Signed out.")
    assert env.state.settings["account"] == ""


@responses.activate
def test_report_viewer_shows_the_last_report_or_says_there_is_none(env):
    script.main(["default.py", "report"])
    assert env.state.dialogs[-1] == ("ok", "Simkl Ratings Sync", "No sync has run yet.")
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    script.main(["default.py", "sync"])
    env.state.later()
    script.main(["default.py", "report"])
    kind, _, text = env.state.dialogs[-1]
    assert kind == "textviewer"
    assert "Rated on Simkl but not found in your library:" in text
    assert "Elsewhere (2014)" in text
    assert "movies: 2 rated on Simkl, 1 updated" in text


@responses.activate
def test_no_argument_opens_the_menu_and_runs_the_choice(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES)
    env.state.select_answers = [1]  # preview
    script.main(["default.py"])
    kind, _heading, options = env.state.dialogs[0]
    assert kind == "select"
    assert options.splitlines()[:2] == ["Sync ratings now", "Preview changes (writes nothing)"]
    assert env.report()["dry_run"] is True


@pytest.mark.parametrize(
    ("argv", "action"),
    [
        (["d.py", "sync"], "sync"),
        (["d.py", "action=preview"], "preview"),
        (["d.py", "?mode=login"], "login"),
        (["d.py"], None),
        (["d.py", " "], None),
    ],
)
def test_actions_arrive_in_every_form_kodi_passes_them(argv, action):
    assert script.parse_action(argv) == action


@responses.activate
def test_the_token_never_reaches_the_log_even_with_debug_on(env):
    env.sign_in_stored()
    responses.get(f"{API}/sync/activities", json=ACTIVITIES)
    responses.get(
        f"{API}/sync/ratings/movies/1,2,3,4,5,6,7,8,9,10",
        status=401,
        json={"error": "user_token_failed", "message": f"bad token {TOKEN}"},
    )
    script.main(["default.py", "sync"])
    logging.getLogger("simkl_ratings.test").warning("leak? Authorization: Bearer %s", TOKEN)
    assert TOKEN not in env.log_text()
    assert "Bearer ***" in env.log_text()


def test_an_unexpected_error_becomes_one_log_line_without_a_traceback(env, monkeypatch):
    def explode(*_):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(script, "_report", explode)
    monkeypatch.setitem(script.ACTIONS, "report", explode)
    script.main(["default.py", "report"])
    errors = [m for level, m in env.state.log if level == 3]
    assert len(errors) == 1
    assert "unexpected ZeroDivisionError at" in errors[0]
    assert "Traceback" not in env.log_text()
    assert env.state.notifications


# -- the service -------------------------------------------------------------------------------


@responses.activate
def test_service_not_signed_in_hints_once_and_opens_no_modal_dialog(env):
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0"})
    env.state.abort_after_waits = 3
    service.main()
    assert env.messages() == ["Sign in from Programs → Simkl Ratings Sync to sync your ratings."]
    assert env.state.modal_dialogs() == []
    assert len(responses.calls) == 0


@responses.activate
def test_service_hint_can_be_turned_off(env):
    env.state.settings.update({"startup_delay": "0", "notify": "false"})
    env.state.abort_after_waits = 2
    service.main()
    assert env.state.notifications == []


@responses.activate
def test_service_syncs_in_the_background_after_the_startup_delay(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    env.state.settings.update({"startup_delay": "7", "sync_interval": "0"})
    env.state.abort_after_waits = 30
    service.main()
    assert env.state.waits[0] == 7  # the startup delay comes first
    assert env.kodi.rating("movies", 1) == 6
    assert [type(p).__name__ for p in env.state.progress] == ["DialogProgressBG"]
    assert env.state.modal_dialogs() == []
    assert env.messages() == ["2 updated · 1 not in library"]


@responses.activate
def test_service_leaves_at_once_when_kodi_quits_during_the_startup_delay(env):
    env.sign_in_stored()
    env.state.aborted = True
    service.main()
    assert len(responses.calls) == 0
    assert env.state.waits == [30]


@responses.activate
def test_service_skips_the_start_sync_when_turned_off(env):
    env.sign_in_stored()
    env.state.settings.update(
        {"startup_delay": "0", "sync_on_start": "false", "sync_interval": "0"}
    )
    env.state.abort_after_waits = 3
    service.main()
    assert len(responses.calls) == 0
    assert env.state.waits[1:] == [service.TICK, service.TICK]


@responses.activate
def test_a_manual_sync_while_another_runs_is_refused_with_a_message(env):
    env.sign_in_stored()
    session = "running-session"
    env.state.properties[(10000, "script.simkl.ratings.session")] = session
    busy = RunLock(env.profile, session)
    assert busy.acquire("service")
    script.main(["default.py", "sync"])
    assert env.messages() == ["A sync is already running; try again when it has finished."]
    assert len(responses.calls) == 0
    assert not os.path.exists(os.path.join(env.profile, "last_sync.json"))


@responses.activate
def test_the_service_rates_new_items_after_a_scan_without_asking_simkl(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    script.main(["default.py", "sync"])  # fills the cache
    added = env.kodi.add_movie("Elsewhere", 2014, imdb="tt7777777")
    calls = len(responses.calls)
    env.state.settings.update({"startup_delay": "0", "sync_on_start": "false"})
    svc = service.SyncService()
    scanned = []

    def scan_once(_timeout):
        if not scanned:
            scanned.append(True)
            svc.onScanFinished("video")

    env.state.on_wait = scan_once
    env.state.abort_after_waits = 40
    svc.run()
    assert env.kodi.rating("movies", added) == 9
    assert len(responses.calls) == calls
    assert env.report()["mode"] == "cached"


@responses.activate
def test_a_scheduled_sync_waits_while_a_video_plays(env):
    env.sign_in_stored()
    env.serve_ratings()
    env.state.settings.update({"startup_delay": "0"})
    env.state.playing_video = True

    def stop_playing_after_two_waits(_timeout):
        if len(env.state.waits) >= 2:
            env.state.playing_video = False

    env.state.on_wait = stop_playing_after_two_waits
    env.state.abort_after_waits = 40
    service.main()
    assert env.state.waits[:1] == [service.PLAYBACK_CHECK]  # no delay (0), then one playback wait
    assert env.report()["result"] == "ok"


@responses.activate
def test_rebuild_downloads_everything_again(env):
    env.sign_in_stored()
    env.serve_ratings(movies=MOVIES)
    script.main(["default.py", "sync"])
    first = len(responses.calls)
    script.main(["default.py", "sync"])
    assert len(responses.calls) == first + 1  # only the activities check
    script.main(["default.py", "rebuild"])
    assert len(responses.calls) == first * 2 + 1
    assert env.report()["mode"] == "rebuild"


@responses.activate
def test_progress_says_what_each_stage_does(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES)
    script.main(["default.py", "sync"])
    texts = [text for _, text in env.state.progress[0].updates]
    assert texts[:3] == [
        "Starting…",
        "Asking Simkl what changed…",
        "Downloading your Simkl ratings: movies…",
    ]
    assert "Reading your Kodi library: movies…" in texts
    assert texts[-1] == "Writing ratings to Kodi: 1 of 1"


@responses.activate
def test_a_sync_waits_for_a_library_scan_in_progress(env):
    env.sign_in_stored()
    env.serve_ratings()
    env.state.conditions["Library.IsScanningVideo"] = True

    def scan_ends_after_three_waits(_timeout):
        if len(env.state.waits) >= 3:
            env.state.conditions["Library.IsScanningVideo"] = False

    env.state.on_wait = scan_ends_after_three_waits
    script.main(["default.py", "sync"])
    assert env.state.waits[:3] == [1, 1, 1]
    texts = [text for _, text in env.state.progress[0].updates]
    assert "Waiting for Kodi to finish scanning the library…" in texts
    assert env.report()["result"] == "ok"


def test_a_sync_cancelled_while_waiting_for_a_scan_writes_nothing(env):
    env.sign_in_stored()
    env.state.conditions["Library.IsScanningVideo"] = True
    env.state.cancel_progress_after = 2
    with responses.RequestsMock() as mock:
        script.main(["default.py", "sync"])
        assert len(mock.calls) == 0
    assert env.report()["result"] == "cancelled"


def test_progress_redraws_a_stage_at_most_once_a_second_but_shows_new_stages_and_the_end():
    now = [100.0]
    throttle = _Throttle(clock=lambda: now[0])
    shown = []
    for step, (percent, stage) in enumerate(
        [
            (0, Stage.CHECK),
            (5, Stage.FETCH),
            (55, Stage.WRITE),
            (60, Stage.WRITE),
            (70, Stage.WRITE),
            (80, Stage.WRITE),
            (100, Stage.WRITE),
        ]
    ):
        now[0] = 100.0 + 0.4 * step
        if throttle.due(percent, stage):
            shown.append(percent)
    assert shown == [0, 5, 55, 80, 100]  # 60 and 70 fall within a second of 55
