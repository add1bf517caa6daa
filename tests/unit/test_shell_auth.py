"""Sign-in V2, refresh, revoke and the daily quota as the user sees them in Kodi (fake Kodi
modules, Simkl through `responses`)."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta, timezone

import responses
import xbmc
from simkl_ratings.core.simkl.client import ALL_RATINGS
from simkl_ratings.core.timeutil import format_instant
from simkl_ratings.kodi import pin_dialog, runner, script
from simkl_ratings.kodi.context import AddonContext

from .shell_env import ACTIVITIES, API

DEVICE = {
    "device_code": "sh-device-code-OPAQUE-77",
    "user_code": "BDWP-HQPK",
    "verification_uri": "https://simkl.com/pin",
    "verification_uri_complete": "https://simkl.com/pin?user_code=BDWP-HQPK",
    "expires_in": 30,
    "interval": 0.01,
}
TOKENS = {
    "access_token": "simkl_at_shellACCESS0000000000000000000001",
    "refresh_token": "simkl_rt_shellREFRESH000000000000000000001",
    "expires_in": 604800,
    "token_type": "Bearer",
    "scope": "media:read",
}
REFRESHED = {**TOKENS, "access_token": "simkl_at_shellACCESS0000000000000000000002"}


def seen_qr(env) -> list[str]:
    """What the window's QR property held, each time it was set (the path, or "" when gone)."""
    return [v for (_w, key), v in env.state.properties.items() if key == pin_dialog.QR_PROPERTY]


def store_v2(env, *, expires_in: float = 604800, issued: datetime | None = None) -> None:
    issued = issued or datetime.now(timezone.utc)
    os.makedirs(env.profile, exist_ok=True)
    record = {
        "access_token": TOKENS["access_token"],
        "refresh_token": TOKENS["refresh_token"],
        "client_id": "shell-client",
        "auth_version": 2,
        "scope": "media:read",
        "expires_at": format_instant(issued + timedelta(seconds=expires_in)),
        "created_at": format_instant(issued),
    }
    with open(os.path.join(env.profile, "credentials.json"), "w") as stream:
        json.dump(record, stream)


@responses.activate
def test_v2_sign_in_shows_code_url_and_a_qr_code_then_stores_the_tokens(env, monkeypatch):
    responses.post(f"{API}/oauth2/device", json=DEVICE)
    responses.post(f"{API}/oauth2/token", status=400, json={"error": "authorization_pending"})
    responses.post(f"{API}/oauth2/token", json=TOKENS)
    responses.post(f"{API}/users/settings", json={"user": {"name": "jane"}, "account": {"id": 5}})
    qr_files: list[bool] = []
    env.state.on_wait = lambda _s: qr_files.append(
        any(name.startswith("sign-in-qr-") for name in os.listdir(env.profile))
    )
    at_close: list[list[str]] = []
    closing = pin_dialog.xbmcgui.WindowXMLDialog.close

    def close(window) -> None:  # what is left in the profile the moment the window goes
        at_close.append([n for n in os.listdir(env.profile) if n.startswith("sign-in-qr-")])
        closing(window)

    monkeypatch.setattr(pin_dialog.xbmcgui.WindowXMLDialog, "close", close)
    script.main(["default.py", "login"])
    window = env.state.windows[0]
    assert at_close == [[]]  # the image is deleted before the window closes, not after
    assert window.controls[pin_dialog.CODE].label == "[B]BDWP-HQPK[/B]"
    assert window.controls[pin_dialog.URL].label == "[B]https://simkl.com/pin[/B]"
    assert window.controls[pin_dialog.ENTER_CODE].label == "Your code"
    assert window.closed
    assert any(qr_files)  # the QR image existed while the window was open...
    assert not [n for n in os.listdir(env.profile) if n.startswith("sign-in-qr-")]  # ...not after
    creds = env.credentials()
    assert (creds["auth_version"], creds["scope"], creds["account_id"]) == (2, "media:read", 5)
    assert creds["refresh_token"] == TOKENS["refresh_token"]
    assert stat.S_IMODE(os.stat(os.path.join(env.profile, "credentials.json")).st_mode) == 0o600
    with open(os.path.join(env.profile, "sign_in_flow.json")) as stream:
        assert json.load(stream) == {"shell-client": 2}
    log = env.log_text()
    assert "AUTH V2" in log
    for secret in (DEVICE["device_code"], TOKENS["access_token"], TOKENS["refresh_token"]):
        assert secret not in log
    assert "Signed in to Simkl as jane" in env.messages()
    assert not any("device_code" in c.request.url for c in responses.calls)


@responses.activate
def test_without_the_qr_module_the_window_shows_code_and_address_only(env, monkeypatch):
    monkeypatch.setattr("simkl_ratings.core.qr.qr_matrix", lambda _text: None)
    responses.post(f"{API}/oauth2/device", json=DEVICE)
    responses.post(f"{API}/oauth2/token", json=TOKENS)
    responses.post(f"{API}/users/settings", json={})
    script.main(["default.py", "login"])
    assert env.state.windows[0].controls[pin_dialog.CODE].label == "[B]BDWP-HQPK[/B]"
    assert set(seen_qr(env)) == {""}
    assert env.credentials()["auth_version"] == 2


@responses.activate
def test_a_refused_device_sign_in_is_said_in_words(env):
    responses.post(f"{API}/oauth2/device", json=DEVICE)
    responses.post(f"{API}/oauth2/token", status=400, json={"error": "access_denied"})
    script.main(["default.py", "login"])
    assert env.state.dialogs[-1][2].startswith("The sign-in was refused on simkl.com")
    assert env.credentials() is None


@responses.activate
def test_an_expired_device_code_gets_a_new_one_up_to_three_times(env):
    responses.post(f"{API}/oauth2/device", json=DEVICE)
    responses.post(f"{API}/oauth2/token", status=400, json={"error": "expired_token"})
    script.main(["default.py", "login"])
    starts = [c for c in responses.calls if c.request.url.startswith(f"{API}/oauth2/device")]
    assert len(starts) == 3
    assert env.state.dialogs[-1][2] == "The code expired before it was entered. Try again."


@responses.activate
def test_sign_out_of_a_v2_sign_in_revokes_it_then_forgets_it(env):
    store_v2(env)
    responses.post(f"{API}/oauth2/revoke", json={})
    script.main(["default.py", "logout"])
    revoke = responses.calls[0].request
    assert f"token={TOKENS['refresh_token']}" in revoke.body
    assert env.credentials() is None
    assert env.state.dialogs[-1][2].startswith("Signed out. The add-on asked Simkl")


@responses.activate
def test_sign_out_forgets_locally_even_when_the_revoke_fails(env):
    store_v2(env)
    responses.post(f"{API}/oauth2/revoke", status=503, json={"error": "internal"})
    script.main(["default.py", "logout"])
    assert env.credentials() is None
    assert len(responses.calls) == 1


@responses.activate
def test_sign_out_of_a_v1_sign_in_sends_nothing(env):
    env.sign_in_stored()
    script.main(["default.py", "logout"])
    assert env.credentials() is None
    assert len(responses.calls) == 0


@responses.activate
def test_a_token_that_expires_mid_run_is_refreshed_and_the_run_ends_ok(env):
    store_v2(env)
    env.kodi.add_movie("Maleficent", 2014, imdb="tt1587310")
    responses.get(f"{API}/sync/activities", json=ACTIVITIES)
    responses.get(
        f"{API}/sync/ratings/movies/{ALL_RATINGS}", status=401, json={"error": "invalid_token"}
    )
    responses.post(f"{API}/oauth2/token", json=REFRESHED)
    for name in ("movies", "shows", "anime"):
        responses.get(f"{API}/sync/ratings/{name}/{ALL_RATINGS}", json={})
    script.main(["default.py", "sync"])
    assert env.report()["result"] == "ok"
    assert env.credentials()["access_token"] == REFRESHED["access_token"]
    refreshes = [c for c in responses.calls if c.request.url.startswith(f"{API}/oauth2/token")]
    assert len(refreshes) == 1


@responses.activate
def test_invalid_grant_signs_out_and_asks_once_to_sign_in(env):
    store_v2(env, expires_in=-10, issued=datetime.now(timezone.utc) - timedelta(days=7))
    responses.post(f"{API}/oauth2/token", status=400, json={"error": "invalid_grant"})
    env.state.yesno_answers = [False]
    script.main(["default.py", "sync"])
    assert env.report()["error_code"] == "signed_out"
    assert env.credentials() is None
    prompts = [d for d in env.state.dialogs if d[0] == "yesno"]
    assert len(prompts) == 1
    assert prompts[0][2].startswith("Simkl signed you out.")


@responses.activate
def test_the_daily_quota_is_told_once_with_the_time_and_no_run_asks_simkl_until_then(env):
    env.sign_in_stored()
    responses.get(
        f"{API}/sync/activities",
        status=429,
        headers={"Retry-After": "36000"},
        json={"error": "user_limit_exceeded"},
    )
    for _ in range(3):
        runner.run(AddonContext(), xbmc.Monitor(), interactive=False)
    assert len(responses.calls) == 1
    told = [m for m in env.messages() if "daily request limit" in m]
    assert len(told) == 1
    assert "asks Simkl again after" in told[0]
    assert env.report()["error_code"] == "quota"
    assert env.report()["http_requests"] == 0
    script.main(["default.py", "sync"])  # the user asks: told again, still no request
    assert len(responses.calls) == 1
    assert len([m for m in env.messages() if "daily request limit" in m]) == 2


@responses.activate
def test_a_missing_write_scope_asks_to_sign_in_again_with_it(env):
    store_v2(env)
    env.kodi.add_movie("Maleficent", 2014, imdb="tt1587310")
    responses.get(f"{API}/sync/activities", status=403, json={"error": "insufficient_scope"})
    env.state.yesno_answers = [False]
    script.main(["default.py", "sync"])
    assert env.report()["error_code"] == "scope"
    assert env.state.dialogs[-1][2].startswith("This needs permission to change your Simkl lists")
    assert env.credentials() is not None  # reading still works: the sign-in is kept


@responses.activate
def test_a_secret_in_an_error_never_reaches_the_report(env, monkeypatch):
    from simkl_ratings.core.errors import SimklError  # noqa: PLC0415

    store_v2(env)

    def leaky(*_args, **_kwargs):
        raise SimklError(f"odd reply mentioning {TOKENS['refresh_token']} and Bearer abc.def")

    monkeypatch.setattr("simkl_ratings.core.simkl.client.SimklClient.activities", leaky)
    script.main(["default.py", "sync"])
    with open(os.path.join(env.profile, "last_sync.json")) as stream:
        report_text = stream.read()
    assert TOKENS["refresh_token"] not in report_text
    assert "abc.def" not in report_text
    assert env.report()["error_code"] == "simkl"
    assert TOKENS["refresh_token"] not in env.log_text()


@responses.activate
def test_with_two_way_on_the_sign_in_asks_to_write_too(env):
    env.state.settings["two_way"] = "true"
    responses.post(
        f"{API}/oauth2/device",
        json=DEVICE,
        match=[
            responses.matchers.urlencoded_params_matcher(
                {"client_id": "shell-client", "scope": "media:read media:write"}
            )
        ],
    )
    responses.post(f"{API}/oauth2/token", json={**TOKENS, "scope": "media:read media:write"})
    responses.post(f"{API}/users/settings", json={})
    script.main(["default.py", "login"])
    assert env.credentials()["scope"] == "media:read media:write"


@responses.activate
def test_two_way_with_a_read_only_sign_in_asks_to_sign_in_again_before_any_request(env):
    env.state.settings["two_way"] = "true"
    store_v2(env)  # scope media:read
    env.state.yesno_answers = [False]
    script.main(["default.py", "sync"])
    assert env.report()["error_code"] == "scope"
    prompts = [d for d in env.state.dialogs if d[0] == "yesno"]
    assert len(prompts) == 1
    assert prompts[0][2].startswith("This needs permission to change your Simkl lists")
    assert len(responses.calls) == 0
    assert env.credentials() is not None
