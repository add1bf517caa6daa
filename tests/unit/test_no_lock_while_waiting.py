"""No run lock is held while a dialog waits for the user, and a manual sync that needed a
sign-in goes on with the sync right after it, in one go."""

from __future__ import annotations

import os

import responses
from simkl_ratings.core.sync.lock import LOCK_FILE
from simkl_ratings.kodi import pin_dialog, script

from .shell_env import ACTIVITIES, ALL_RATINGS, API, PIN_REPLY, TOKEN
from .test_shell import MOVIES, SHOWS, library


def watch_lock(env) -> list[tuple[str, bool]]:
    """(what was waiting for the user, whether the run lock was held meanwhile)."""
    seen: list[tuple[str, bool]] = []
    held = lambda: os.path.exists(os.path.join(env.profile, LOCK_FILE))  # noqa: E731
    env.state.on_modal = lambda kind: seen.append((kind, held()))
    env.state.on_window_shown = lambda window: seen.append(("sign-in window", held()))
    return seen


def serve_sign_in(env, approve: bool = True) -> None:
    env.v1_client()  # a V1 (PIN) client id: Simkl refuses it the device flow
    responses.get(f"{API}/oauth/pin", json=PIN_REPLY)
    if approve:
        responses.get(f"{API}/oauth/pin/7QX2KD", json={"result": "OK", "access_token": TOKEN})
    responses.post(f"{API}/users/settings", json={"user": {"name": "jane"}, "account": {"id": 42}})


@responses.activate
def test_the_preview_viewer_opens_after_the_lock_is_released(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    seen = watch_lock(env)
    script.main(["default.py", "preview"])
    assert seen == [("textviewer", False)]


@responses.activate
def test_first_use_signs_in_without_the_lock_then_syncs_in_one_go(env):
    library(env)
    serve_sign_in(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    seen = watch_lock(env)
    script.main(["default.py", "sync"])
    assert seen == [("sign-in window", False)]
    assert env.kodi.rating("movies", 1) == 6
    assert env.report()["result"] == "ok"


@responses.activate
def test_signed_out_by_simkl_asks_without_the_lock_signs_in_and_finishes_the_sync(env):
    env.sign_in_stored()
    library(env)
    # the first run is refused (the token was revoked on Simkl), the second goes through
    responses.get(f"{API}/sync/activities", status=401, json={"error": "user_token_failed"})
    serve_sign_in(env)
    responses.get(f"{API}/sync/activities", json=ACTIVITIES)
    for name, rows in (("movies", MOVIES), ("shows", SHOWS), ("anime", [])):
        responses.get(f"{API}/sync/ratings/{name}/{ALL_RATINGS}", json={name: rows})
    env.state.yesno_answers = [True]
    seen = watch_lock(env)
    script.main(["default.py", "sync"])
    assert seen == [("yesno", False), ("sign-in window", False)]
    assert env.kodi.rating("movies", 1) == 6  # the sync the user asked for did happen
    assert env.report()["result"] == "ok"
    assert env.credentials()["access_token"] == TOKEN


@responses.activate
def test_a_declined_sign_in_ends_the_run_with_the_reason_and_no_retry(env):
    env.sign_in_stored()
    library(env)
    responses.get(f"{API}/sync/activities", status=401, json={"error": "user_token_failed"})
    env.state.yesno_answers = [False]
    script.main(["default.py", "sync"])
    assert env.credentials() is None
    assert env.report()["error_code"] == "signed_out"
    assert [c.request.url.split("?")[0] for c in responses.calls] == [f"{API}/sync/activities"]
    assert env.state.windows == []  # no sign-in window


@responses.activate
def test_a_cancelled_sign_in_window_leaves_no_lock_behind(env):
    env.v1_client()
    responses.get(f"{API}/oauth/pin", json=PIN_REPLY)
    responses.get(f"{API}/oauth/pin/7QX2KD", json={"result": "KO", "message": "pending"})
    env.state.on_window_shown = lambda window: window.onClick(pin_dialog.CANCEL)
    script.main(["default.py", "sync"])
    assert not os.path.exists(os.path.join(env.profile, LOCK_FILE))
    assert env.report()["error_code"] == "signed_out"
