"""AUTH V2 in the engine: the device flow, which flow a client id gets, refresh with the
cross-process lock, revoke, scopes, the daily quota, redaction and the QR image."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers
from simkl_ratings.core.errors import (
    ClientIdRejected,
    NetworkError,
    QuotaExhausted,
    RateLimited,
    ScopeMissing,
    ServerError,
    SignedOut,
    TokenRefused,
)
from simkl_ratings.core.redact import redact, remember_secret
from simkl_ratings.core.simkl.account import complete_sign_in
from simkl_ratings.core.simkl.client import ALL_RATINGS, DEVICE_GRANT, RetryPolicy, SimklClient
from simkl_ratings.core.simkl.credentials import Credentials, CredentialStore
from simkl_ratings.core.simkl.device import DeviceLogin, parse_device_start, parse_grant
from simkl_ratings.core.simkl.flows import FlowMemory, start_sign_in
from simkl_ratings.core.simkl.quota import QuotaGate
from simkl_ratings.core.simkl.signin import (
    Grant,
    LoginOutcome,
    PinCode,
    grants_write,
    scope_for,
)
from simkl_ratings.core.simkl.tokens import FileLock, TokenManager, refresh_due
from simkl_ratings.core.timeutil import format_instant

from tests.sandbox.simkl_sandbox import SimklSandbox

from .conftest import API, CLIENT_ID, Waits
from .test_pin import FakeTime

ROOT = Path(__file__).resolve().parents[2]
DEVICE_REPLY = {
    "device_code": "dc-opaque-secret-0123456789",
    "user_code": "BDWP-HQPK",
    "verification_uri": "https://simkl.com/pin",
    "verification_uri_complete": "https://simkl.com/pin?user_code=BDWP-HQPK",
    "expires_in": 900,
    "interval": 5,
}
TOKEN_REPLY = {
    "access_token": "simkl_at_unitACCESS000000000000000000000001",
    "token_type": "Bearer",
    "expires_in": 604800,
    "refresh_token": "simkl_rt_unitREFRESH00000000000000000000001",
    "scope": "media:read",
}
NEW_TOKEN_REPLY = {**TOKEN_REPLY, "access_token": "simkl_at_unitACCESS000000000000000000000002"}
TOKEN_URL = f"{API}/oauth2/token"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def oauth_error(word: str, status: int = 400) -> dict:
    return {"status": status, "json": {"error": word, "error_description": "x"}}


@pytest.fixture
def v2_client(waits: Waits) -> SimklClient:
    return SimklClient(API, CLIENT_ID, "0.1.0", wait=waits, retry=RetryPolicy(retries=3, jitter=0))


# -- the device flow ---------------------------------------------------------------------------


def test_device_start_keeps_the_device_code_secret():
    code = parse_device_start(DEVICE_REPLY)
    assert code.user_code == "BDWP-HQPK"
    assert code.verification_url == "https://simkl.com/pin"
    assert code.qr_text == "https://simkl.com/pin?user_code=BDWP-HQPK"
    assert code.secret == DEVICE_REPLY["device_code"]
    assert DEVICE_REPLY["device_code"] not in repr(code)
    assert redact(f"poll with {DEVICE_REPLY['device_code']}") == "poll with ***"


def test_qr_text_without_a_complete_url_is_the_address_plus_the_code():
    reply = {k: v for k, v in DEVICE_REPLY.items() if k != "verification_uri_complete"}
    assert parse_device_start(reply).qr_text == "https://simkl.com/pin?user_code=BDWP-HQPK"
    v1 = PinCode("5G6JAH", "https://simkl.com/pin", 900, 5)
    assert v1.qr_text == "https://simkl.com/pin/5G6JAH"


@responses.activate
def test_device_start_asks_for_read_only_scope_by_default(v2_client):
    responses.post(
        f"{API}/oauth2/device",
        json=DEVICE_REPLY,
        match=[matchers.urlencoded_params_matcher({"client_id": CLIENT_ID, "scope": "media:read"})],
    )
    code = DeviceLogin(v2_client, scope=scope_for(False), wait=FakeTime().wait).start()
    assert code.version == 2
    assert "Authorization" not in responses.calls[0].request.headers


def test_scope_follows_the_features():
    assert scope_for(False) == "media:read"
    assert scope_for(True) == "media:read media:write"
    assert grants_write("media:read media:write")
    assert not grants_write("media:read")
    assert not grants_write(None)


@responses.activate
def test_device_poll_waits_slows_down_for_good_and_gets_the_grant(v2_client):
    form = {
        "grant_type": DEVICE_GRANT,
        "client_id": CLIENT_ID,
        "device_code": "dc-opaque-secret-0123456789",
    }
    match = [matchers.urlencoded_params_matcher(form)]
    responses.post(TOKEN_URL, match=match, **oauth_error("authorization_pending"))
    responses.post(TOKEN_URL, match=match, **oauth_error("slow_down"))
    responses.post(TOKEN_URL, match=match, **oauth_error("authorization_pending"))
    responses.post(TOKEN_URL, match=match, json=TOKEN_REPLY)
    fake = FakeTime()
    login = DeviceLogin(v2_client, scope="media:read", wait=fake.wait, clock=fake.clock)
    result = login.wait_for_approval(parse_device_start(DEVICE_REPLY))
    assert result.outcome is LoginOutcome.SIGNED_IN
    assert fake.waits == [5.0, 5.0, 10.0, 10.0]  # +5 s after slow_down, and it stays
    assert result.grant.refresh_token == TOKEN_REPLY["refresh_token"]
    assert result.grant.scope == "media:read"
    assert TOKEN_REPLY["access_token"] not in repr(result)


@pytest.mark.parametrize(
    ("word", "outcome"),
    [("expired_token", LoginOutcome.CODE_GONE), ("access_denied", LoginOutcome.DENIED)],
)
@responses.activate
def test_device_poll_stops_on_expired_and_denied(v2_client, word, outcome):
    responses.post(TOKEN_URL, **oauth_error(word))
    fake = FakeTime()
    login = DeviceLogin(v2_client, scope="media:read", wait=fake.wait, clock=fake.clock)
    assert login.wait_for_approval(parse_device_start(DEVICE_REPLY)).outcome is outcome
    assert len(responses.calls) == 1


@responses.activate
def test_device_poll_invalid_client_stops_with_that_error(v2_client):
    responses.post(TOKEN_URL, **oauth_error("invalid_client", 401))
    login = DeviceLogin(v2_client, scope="media:read", wait=FakeTime().wait)
    with pytest.raises(ClientIdRejected):
        login.wait_for_approval(parse_device_start(DEVICE_REPLY))


@responses.activate
def test_device_poll_survives_network_trouble(v2_client):
    responses.post(TOKEN_URL, body=requests.ConnectionError("down"))
    responses.post(TOKEN_URL, status=502)
    responses.post(TOKEN_URL, json=TOKEN_REPLY)
    login = DeviceLogin(v2_client, scope="media:read", wait=FakeTime().wait)
    assert (
        login.wait_for_approval(parse_device_start(DEVICE_REPLY)).outcome is LoginOutcome.SIGNED_IN
    )


def test_a_grant_needs_an_access_token():
    with pytest.raises(Exception, match="access_token"):
        parse_grant({"refresh_token": "x"})
    assert parse_grant({**TOKEN_REPLY, "expires_in": "604800"}).expires_in == 604800.0


# -- which flow a client id gets ----------------------------------------------------------------


@responses.activate
def test_v2_first_then_v1_when_simkl_says_so_and_remembered(v2_client, tmp_path):
    responses.post(f"{API}/oauth2/device", **oauth_error("invalid_client", 401))
    responses.get(f"{API}/oauth/pin", json={"user_code": "5G6JAH", "device_code": "DEVICE_CODE"})
    memory = FlowMemory(str(tmp_path))
    login, code = start_sign_in(v2_client, memory, scope="media:read", wait=FakeTime().wait)
    assert (login.version, code.user_code) == (1, "5G6JAH")
    assert memory.get(CLIENT_ID) == 1
    responses.calls.reset()
    start_sign_in(v2_client, memory, scope="media:read", wait=FakeTime().wait)
    assert [c.request.url.split("?")[0] for c in responses.calls] == [f"{API}/oauth/pin"]


@responses.activate
def test_a_v2_client_signs_in_with_one_request_and_never_asks_for_a_pin(v2_client, tmp_path):
    responses.post(f"{API}/oauth2/device", json=DEVICE_REPLY)
    memory = FlowMemory(str(tmp_path))
    login, _code = start_sign_in(v2_client, memory, scope="media:read", wait=FakeTime().wait)
    assert login.version == 2
    assert memory.get(CLIENT_ID) == 2
    assert len(responses.calls) == 1


@responses.activate
def test_a_remembered_v1_client_that_simkl_now_refuses_tries_v2(v2_client, tmp_path):
    memory = FlowMemory(str(tmp_path))
    memory.remember(CLIENT_ID, 1)
    responses.get(f"{API}/oauth/pin", **oauth_error("unauthorized_client"))
    responses.post(f"{API}/oauth2/device", json=DEVICE_REPLY)
    login, _code = start_sign_in(v2_client, memory, scope="media:read", wait=FakeTime().wait)
    assert login.version == 2
    assert memory.get(CLIENT_ID) == 2


@responses.activate
def test_a_wrong_client_id_is_not_mistaken_for_the_other_flow(v2_client, tmp_path):
    responses.post(f"{API}/oauth2/device", status=412, json={"error": "client_id_failed"})
    with pytest.raises(ClientIdRejected):
        start_sign_in(v2_client, FlowMemory(str(tmp_path)), scope="media:read", wait=Waits())
    assert len(responses.calls) == 1


@responses.activate
def test_complete_sign_in_keeps_refresh_token_expiry_and_scope(v2_client):
    responses.post(f"{API}/users/settings", json={"user": {"name": "jane"}, "account": {"id": 9}})
    creds = complete_sign_in(v2_client, parse_grant(TOKEN_REPLY), "media:read")
    assert (creds.auth_version, creds.account_id, creds.scope) == (2, 9, "media:read")
    assert creds.refresh_token == TOKEN_REPLY["refresh_token"]
    assert creds.lifetime == pytest.approx(604800, abs=2)
    assert TOKEN_REPLY["refresh_token"] not in repr(creds)


def test_a_v2_reply_without_scope_is_taken_as_what_was_asked(v2_client):
    grant = Grant("simkl_at_x" * 3, version=2, refresh_token="simkl_rt_y" * 3, expires_in=10)
    with responses.RequestsMock() as mock:
        mock.post(f"{API}/users/settings", json={})
        creds = complete_sign_in(v2_client, grant, "media:read media:write")
    assert grants_write(creds.scope)


# -- refresh ------------------------------------------------------------------------------------


def v2_creds(expires_in: float = 604800, issued: datetime = NOW, **extra) -> Credentials:
    return Credentials(
        access_token=TOKEN_REPLY["access_token"],
        client_id=CLIENT_ID,
        auth_version=2,
        refresh_token=TOKEN_REPLY["refresh_token"],
        expires_at=format_instant(issued + timedelta(seconds=expires_in)),
        scope="media:read",
        created_at=format_instant(issued),
        **extra,
    )


def manager(tmp_path, client, creds, now=NOW) -> TokenManager:
    store = CredentialStore(str(tmp_path))
    store.save(creds)
    tokens = TokenManager(store, creds, client.refresh_grant, clock=lambda: now)
    client.auth = tokens
    return tokens


def test_refresh_is_due_within_24_hours_or_half_a_short_lifetime():
    assert not refresh_due(v2_creds(), NOW + timedelta(days=5))
    assert refresh_due(v2_creds(), NOW + timedelta(days=6, hours=1))
    assert not refresh_due(v2_creds(expires_in=60), NOW + timedelta(seconds=20))
    assert refresh_due(v2_creds(expires_in=60), NOW + timedelta(seconds=31))
    v1 = Credentials(access_token="f" * 64, client_id=CLIENT_ID)
    assert not refresh_due(v1, NOW + timedelta(days=3650))


@responses.activate
def test_a_token_with_less_than_a_day_left_is_refreshed_and_saved_before_use(v2_client, tmp_path):
    tokens = manager(tmp_path, v2_client, v2_creds(), now=NOW + timedelta(days=6, hours=2))
    refresh_form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "refresh_token": TOKEN_REPLY["refresh_token"],
    }
    responses.post(
        TOKEN_URL, json=NEW_TOKEN_REPLY, match=[matchers.urlencoded_params_matcher(refresh_form)]
    )
    new_bearer = f"Bearer {NEW_TOKEN_REPLY['access_token']}"
    responses.get(
        f"{API}/sync/activities",
        json={"all": None},
        match=[matchers.header_matcher({"Authorization": new_bearer})],
    )
    v2_client.activities()
    stored = CredentialStore(str(tmp_path)).load()
    assert stored.access_token == NEW_TOKEN_REPLY["access_token"]
    assert stored.refresh_token == TOKEN_REPLY["refresh_token"]  # Simkl does not rotate it
    path = tmp_path / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.refreshes == 1
    assert not (tmp_path / "token.lock").exists()


@responses.activate
def test_a_fresh_token_is_not_refreshed(v2_client, tmp_path):
    manager(tmp_path, v2_client, v2_creds(), now=NOW + timedelta(days=1))
    responses.get(f"{API}/sync/activities", json={"all": None})
    v2_client.activities()
    assert len(responses.calls) == 1


@responses.activate
def test_a_401_refreshes_once_and_retries_once(v2_client, tmp_path):
    tokens = manager(tmp_path, v2_client, v2_creds())
    responses.get(f"{API}/sync/activities", status=401, json={"error": "invalid_token"})
    responses.post(TOKEN_URL, json=NEW_TOKEN_REPLY)
    responses.get(f"{API}/sync/activities", json={"all": "x"})
    assert v2_client.activities() == {"all": "x"}
    assert tokens.refreshes == 1
    sent = [
        c.request.headers.get("Authorization")
        for c in responses.calls
        if "activities" in c.request.url
    ]
    assert sent == [
        f"Bearer {TOKEN_REPLY['access_token']}",
        f"Bearer {NEW_TOKEN_REPLY['access_token']}",
    ]


@responses.activate
def test_a_second_401_after_a_good_refresh_is_refused_but_keeps_the_sign_in(v2_client, tmp_path):
    """Rule: only invalid_grant or a revoke signs out; a refused access token never deletes a
    refresh token that still works."""
    tokens = manager(tmp_path, v2_client, v2_creds())
    responses.get(f"{API}/sync/activities", status=401, json={"error": "invalid_token"})
    responses.post(TOKEN_URL, json=NEW_TOKEN_REPLY)
    with pytest.raises(TokenRefused) as refused:
        v2_client.activities()
    assert not isinstance(refused.value, SignedOut)
    assert tokens.refreshes == 1
    assert len(responses.calls) == 3
    kept = CredentialStore(str(tmp_path)).load()
    assert kept is not None and kept.refresh_token == NEW_TOKEN_REPLY["refresh_token"]


@responses.activate
def test_a_v1_token_refused_is_signed_out_without_a_refresh(v2_client, tmp_path):
    creds = Credentials(access_token="f" * 64, client_id=CLIENT_ID)
    manager(tmp_path, v2_client, creds)
    responses.get(f"{API}/sync/activities", status=401, json={"error": "user_token_failed"})
    with pytest.raises(SignedOut):
        v2_client.activities()
    assert len(responses.calls) == 1


@responses.activate
def test_invalid_grant_signs_out_and_forgets_the_tokens(v2_client, tmp_path):
    manager(tmp_path, v2_client, v2_creds(), now=NOW + timedelta(days=7))
    responses.post(TOKEN_URL, **oauth_error("invalid_grant"))
    with pytest.raises(SignedOut):
        v2_client.activities()
    assert CredentialStore(str(tmp_path)).load() is None


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"body": requests.ConnectionError("down")}, NetworkError),
        ({"status": 503, "json": {"error": "internal"}}, ServerError),
        ({"status": 429, "json": {"error": "rate_limit"}}, RateLimited),
    ],
)
@responses.activate
def test_trouble_during_a_refresh_keeps_the_tokens(v2_client, tmp_path, reply, error):
    manager(tmp_path, v2_client, v2_creds(), now=NOW + timedelta(days=7, seconds=1))
    responses.post(TOKEN_URL, **reply)
    with pytest.raises(error):
        v2_client.activities()  # expired: the refresh was needed, and it failed
    assert CredentialStore(str(tmp_path)).load().access_token == TOKEN_REPLY["access_token"]


@responses.activate
def test_a_failed_early_refresh_still_uses_the_token_while_it_is_valid(v2_client, tmp_path):
    manager(tmp_path, v2_client, v2_creds(), now=NOW + timedelta(days=6, hours=12))
    responses.post(TOKEN_URL, status=503, json={"error": "internal"})
    responses.get(f"{API}/sync/activities", json={"all": "ok"})
    assert v2_client.activities() == {"all": "ok"}


@responses.activate
def test_a_token_another_process_refreshed_is_used_without_a_request(v2_client, tmp_path):
    tokens = manager(tmp_path, v2_client, v2_creds(), now=NOW + timedelta(days=6, hours=2))
    newer = v2_creds(issued=NOW + timedelta(days=6, hours=1))
    newer = Credentials(**{**newer.__dict__, "access_token": NEW_TOKEN_REPLY["access_token"]})
    CredentialStore(str(tmp_path)).save(newer)
    responses.get(f"{API}/sync/activities", json={"all": "ok"})
    v2_client.activities()
    assert tokens.refreshes == 0
    assert (
        responses.calls[0]
        .request.headers["Authorization"]
        .endswith(NEW_TOKEN_REPLY["access_token"])
    )


def test_two_runs_with_an_expired_token_send_one_refresh(tmp_path):
    """Threads of one process, each with its own manager and lock object, as two interpreters."""
    with SimklSandbox({}, client_ids=(CLIENT_ID,)) as sandbox:
        pair = sandbox.issue_v2_tokens(lifetime=1)
        creds = Credentials(
            access_token=pair["access_token"],
            client_id=CLIENT_ID,
            auth_version=2,
            refresh_token=pair["refresh_token"],
            expires_at=format_instant(datetime.now(timezone.utc) - timedelta(seconds=5)),
            created_at=format_instant(datetime.now(timezone.utc) - timedelta(seconds=6)),
        )
        CredentialStore(str(tmp_path)).save(creds)
        sandbox.inject("/oauth2/token", "slow", seconds=0.5)
        results: list[object] = []

        def one_run() -> None:
            client = SimklClient(sandbox.url, CLIENT_ID, "0.1.0")
            store = CredentialStore(str(tmp_path))
            lock = FileLock(str(tmp_path / "token.lock"))
            client.auth = TokenManager(store, store.load(), client.refresh_grant, lock=lock)
            try:
                results.append(client.activities())
            except Exception as exc:
                results.append(exc)

        runs = [threading.Thread(target=one_run) for _ in range(4)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=30)
        assert all(isinstance(r, dict) for r in results), results
        assert len(results) == 4
        assert sandbox.refresh_requests() == 1


CHILD = """
import sys
sys.path[:0] = [{lib!r}, {root!r}]
from simkl_ratings.core.simkl.client import SimklClient
from simkl_ratings.core.simkl.credentials import CredentialStore
from simkl_ratings.core.simkl.tokens import FileLock, TokenManager
store = CredentialStore({profile!r})
client = SimklClient({url!r}, {cid!r}, "0.1.0")
client.auth = TokenManager(store, store.load(), client.refresh_grant,
                           lock=FileLock({lock!r}))
client.activities()
print("ok")
"""


def test_two_processes_with_an_expired_token_send_one_refresh(tmp_path):
    with SimklSandbox({}, client_ids=(CLIENT_ID,)) as sandbox:
        pair = sandbox.issue_v2_tokens(lifetime=1)
        stale = datetime.now(timezone.utc) - timedelta(seconds=5)
        CredentialStore(str(tmp_path)).save(
            Credentials(
                access_token=pair["access_token"],
                client_id=CLIENT_ID,
                auth_version=2,
                refresh_token=pair["refresh_token"],
                expires_at=format_instant(stale),
                created_at=format_instant(stale - timedelta(seconds=1)),
            )
        )
        sandbox.inject("/oauth2/token", "slow", seconds=0.8)
        code = CHILD.format(
            lib=str(ROOT / "lib"),
            root=str(ROOT),
            profile=str(tmp_path),
            url=sandbox.url,
            cid=CLIENT_ID,
            lock=str(tmp_path / "token.lock"),
        )
        children = [
            subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        outputs = [child.communicate(timeout=60)[0].strip() for child in children]
        assert outputs == ["ok", "ok", "ok"]
        assert sandbox.refresh_requests() == 1
        assert sandbox.request_count("/sync/activities") == 3


def test_a_lock_left_by_a_crash_is_taken_over_after_the_stale_time(tmp_path):
    path = str(tmp_path / "token.lock")
    Path(path).write_text("someone")
    old = time.time() - 200
    os.utime(path, (old, old))
    lock = FileLock(path, stale_after=90)
    with lock.hold():
        assert Path(path).read_text() != "someone"
    assert not Path(path).exists()


def test_a_live_lock_is_waited_for_and_waiting_can_be_cancelled(tmp_path):
    path = str(tmp_path / "token.lock")
    holder = FileLock(path)
    holder.acquire()
    waits = Waits(abort_after=3)
    with pytest.raises(Exception, match="cancelled"):
        FileLock(path, wait=waits).acquire()
    assert len(waits.calls) == 3
    holder.release()
    assert not Path(path).exists()


# -- revoke, scope, quota -------------------------------------------------------------------------


@responses.activate
def test_revoke_posts_the_refresh_token_as_a_form(v2_client):
    responses.post(
        f"{API}/oauth2/revoke",
        json={},
        match=[
            matchers.urlencoded_params_matcher({"token": "simkl_rt_abc", "client_id": CLIENT_ID})
        ],
    )
    v2_client.revoke("simkl_rt_abc")
    assert len(responses.calls) == 1


@responses.activate
def test_403_insufficient_scope_is_its_own_error(v2_client):
    v2_client.token = "simkl_at_x"
    responses.post(f"{API}/sync/ratings", status=403, json={"error": "insufficient_scope"})
    with pytest.raises(ScopeMissing):
        v2_client.request("POST", "/sync/ratings", body={"movies": []})


@responses.activate
def test_the_daily_quota_is_remembered_and_no_request_is_sent_until_it_ends(tmp_path, waits):
    now = [NOW]
    gate = QuotaGate(str(tmp_path), clock=lambda: now[0])
    client = SimklClient(API, CLIENT_ID, "0.1.0", token="t" * 64, wait=waits, quota=gate)
    url = f"{API}/sync/activities"
    responses.get(
        url, status=429, headers={"Retry-After": "7200"}, json={"error": "user_limit_exceeded"}
    )
    with pytest.raises(QuotaExhausted) as first:
        client.activities()
    assert first.value.until == NOW + timedelta(hours=2)
    assert waits.calls == []  # never slept on it
    assert first.value.code == "quota"
    with pytest.raises(QuotaExhausted):
        client.activities()
    assert len(responses.calls) == 1  # the second run asked nobody
    assert gate.first_notice() is True
    assert gate.first_notice() is False  # told once
    now[0] = NOW + timedelta(hours=2, seconds=1)
    responses.replace(responses.GET, url, json={"all": "x"})
    assert client.activities() == {"all": "x"}
    assert not (tmp_path / "simkl_blocked.json").exists()


def test_a_quota_block_is_bounded_to_a_day_and_has_a_default(tmp_path):
    gate = QuotaGate(str(tmp_path), clock=lambda: NOW)
    assert gate.block(10 * 86400, "user_limit_exceeded") == NOW + timedelta(days=1)
    assert gate.block(None, "app_limit_exceeded") == NOW + timedelta(hours=1)


@responses.activate
def test_a_per_second_429_keeps_the_bounded_retry(client, waits, tmp_path):
    client.quota = QuotaGate(str(tmp_path))
    url = f"{API}/sync/ratings/movies/{ALL_RATINGS}"
    responses.get(url, status=429, headers={"Retry-After": "2"}, json={"error": "rate_limit"})
    responses.get(url, json={"movies": []})
    assert client.ratings("movies") == {"movies": []}
    assert waits.calls == [2.0]
    assert client.quota.blocked_until() is None


# -- secrets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "token simkl_at_Zx9-abc_DEF123456789 in a message",
        "refresh simkl_rt_Zx9-abc_DEF123456789",
        "Authorization: Bearer opaque-value-123",
        'authorization": "Bearer opaque-value-123"',
        "device_code=abc123opaque&client_id=x",
        '{"device_code": "abc123opaque"}',
        "refresh_token=abcdefOPAQUE",
    ],
)
def test_redaction_covers_v2_tokens_the_device_code_and_the_authorization_header(text):
    masked = redact(text)
    for secret in ("Zx9-abc_DEF123456789", "opaque-value-123", "abc123opaque", "abcdefOPAQUE"):
        assert secret not in masked
    assert "***" in masked


def test_a_remembered_secret_is_masked_wherever_it_appears():
    remember_secret("XyZ-no-shape-at-all-42")
    assert redact("failed: XyZ-no-shape-at-all-42 (x)") == "failed: *** (x)"
    remember_secret("short")  # too short to mask safely: ordinary words would vanish
    assert redact("short") == "short"


def test_any_error_while_making_the_qr_code_means_no_qr_code(tmp_path, monkeypatch):
    from simkl_ratings.core import qr  # noqa: PLC0415

    monkeypatch.setattr(qr, "qr_matrix", lambda _text: [[1, 0], [1]])  # not square
    assert qr.write_qr_png("https://simkl.com/pin", str(tmp_path)) is None
    assert os.listdir(tmp_path) == []


def test_a_feature_that_writes_checks_the_granted_scope_first():
    from simkl_ratings.core.simkl.signin import require_write  # noqa: PLC0415

    require_write(2, "media:read media:write")
    require_write(1, None)  # V1 sign-ins have no scopes
    with pytest.raises(ScopeMissing, match="media:write"):
        require_write(2, "media:read")
