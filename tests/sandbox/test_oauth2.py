"""The sandbox's AUTH V2 (simkl-api.md §3): device flow, expiring tokens, refresh, revoke, the
V1/V2 client switch, and the V2-era faults, pinned over real HTTP with stdlib urllib."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from .test_sandbox import CID, FIXTURE, Reply, call, control

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
FAST = 0.2


def form_post(base: str, path: str, form: dict[str, str], client_id: str = CID) -> Reply:
    """An /oauth2/* call as the add-on sends it: form-encoded, ids also in the query."""
    query = urlencode({"client_id": client_id, "app-name": "t", "app-version": "1"})
    req = urllib.request.Request(
        f"{base}{path}?{query}",
        data=urlencode(form).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


@pytest.fixture
def sandbox() -> Iterator[SimklSandbox]:
    with SimklSandbox.from_fixture(FIXTURE, pin_interval=FAST) as sb:
        yield sb


def start(sandbox: SimklSandbox, scope: str = "media:read") -> dict[str, Any]:
    reply = form_post(sandbox.url, "/oauth2/device", {"client_id": CID, "scope": scope})
    assert reply.status == 200
    return reply.json()


def poll(sandbox: SimklSandbox, device_code: str) -> Reply:
    form = {"grant_type": DEVICE_GRANT, "client_id": CID, "device_code": device_code}
    return form_post(sandbox.url, "/oauth2/token", form)


def signed_in(sandbox: SimklSandbox, scope: str = "media:read") -> dict[str, Any]:
    code = start(sandbox, scope)
    sandbox.approve(code["user_code"])
    reply = poll(sandbox, code["device_code"])
    assert reply.status == 200
    return reply.json()


def test_device_code_shape_and_pending_until_approved(sandbox):
    code = start(sandbox)
    assert len(code["user_code"]) == 9 and code["user_code"][4] == "-"
    assert code["verification_uri_complete"].endswith(code["user_code"])
    for field in ("verification_uri", "verification_uri_complete"):  # Simkl's own, as real
        parts = urlsplit(code[field])  # Simkl's: the add-on refuses any other address
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "simkl.com", "/pin")
    assert code["device_code"] not in code["verification_uri_complete"]
    first = poll(sandbox, code["device_code"])
    assert (first.status, first.json()["error"]) == (400, "authorization_pending")
    assert sandbox.pending_codes()[0]["flow"] == "v2"
    sandbox.approve()
    time.sleep(FAST)
    tokens = poll(sandbox, code["device_code"]).json()
    assert tokens["access_token"].startswith("simkl_at_")
    assert tokens["refresh_token"].startswith("simkl_rt_")
    assert (tokens["expires_in"], tokens["scope"]) == (604800, "media:read")
    assert poll(sandbox, code["device_code"]).json()["error"] == "invalid_grant"  # used up


def test_polling_faster_than_the_interval_is_told_to_slow_down(sandbox):
    code = start(sandbox)
    poll(sandbox, code["device_code"])
    assert poll(sandbox, code["device_code"]).json()["error"] == "slow_down"


def test_a_denied_code_answers_access_denied(sandbox):
    code = start(sandbox)
    sandbox.deny(code["user_code"])
    assert poll(sandbox, code["device_code"]).json()["error"] == "access_denied"


def test_an_expired_device_code_answers_expired_token():
    with SimklSandbox.from_fixture(FIXTURE, pin_interval=0.01, pin_expires_in=0.1) as sandbox:
        code = start(sandbox)
        time.sleep(0.2)
        assert poll(sandbox, code["device_code"]).json()["error"] == "expired_token"


def test_a_misspelt_scope_silently_yields_read_only(sandbox):
    assert signed_in(sandbox, "media:read media:wrtie")["scope"] == "media:read"
    assert signed_in(sandbox, "media:read media:write")["scope"] == "media:read media:write"


def test_v2_tokens_read_and_a_read_only_token_cannot_write(sandbox):
    reader = signed_in(sandbox)["access_token"]
    assert call(sandbox.url, "/sync/activities", token=reader).status == 200
    refused = call(sandbox.url, "/sync/ratings", method="POST", token=reader, body={})
    assert (refused.status, refused.json()["error"]) == (403, "insufficient_scope")
    writer = signed_in(sandbox, "media:read media:write")["access_token"]
    assert call(sandbox.url, "/sync/ratings", method="POST", token=writer, body={}).status == 201


def test_refresh_returns_the_same_refresh_token_and_kills_the_old_access_token(sandbox):
    first = signed_in(sandbox)
    form = {
        "grant_type": "refresh_token",
        "client_id": CID,
        "refresh_token": first["refresh_token"],
    }
    second = form_post(sandbox.url, "/oauth2/token", form).json()
    assert second["refresh_token"] == first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert call(sandbox.url, "/sync/activities", token=first["access_token"]).status == 401
    assert call(sandbox.url, "/sync/activities", token=second["access_token"]).status == 200
    assert sandbox.refresh_requests() == 1
    logged = [r.body for r in sandbox.requests if r.path == "/oauth2/token"]
    assert all(first["refresh_token"] not in str(body) for body in logged)


def test_an_expired_access_token_answers_invalid_token_and_refresh_still_works():
    with SimklSandbox.from_fixture(FIXTURE, access_lifetime=0.2) as sandbox:
        pair = sandbox.issue_v2_tokens()
        assert pair["expires_in"] == 0.2
        time.sleep(0.3)
        expired = call(sandbox.url, "/sync/activities", token=pair["access_token"])
        assert (expired.status, expired.json()["error"]) == (401, "invalid_token")
        form = {
            "grant_type": "refresh_token",
            "client_id": CID,
            "refresh_token": pair["refresh_token"],
        }
        assert form_post(sandbox.url, "/oauth2/token", form).status == 200


def test_revoke_always_answers_200_and_ends_the_grant(sandbox):
    pair = signed_in(sandbox)
    assert form_post(sandbox.url, "/oauth2/revoke", {"token": pair["refresh_token"]}).status == 200
    assert form_post(sandbox.url, "/oauth2/revoke", {"token": "nonsense"}).status == 200
    assert call(sandbox.url, "/sync/activities", token=pair["access_token"]).status == 401
    form = {"grant_type": "refresh_token", "client_id": CID, "refresh_token": pair["refresh_token"]}
    assert form_post(sandbox.url, "/oauth2/token", form).json()["error"] == "invalid_grant"


def test_a_v1_only_client_is_refused_the_device_flow_and_a_v2_only_one_the_pin(sandbox):
    sandbox.set_client_flows(CID, "v1")
    refused = form_post(sandbox.url, "/oauth2/device", {"client_id": CID, "scope": "media:read"})
    assert (refused.status, refused.json()["error"]) == (401, "invalid_client")
    assert call(sandbox.url, "/oauth/pin").status == 200
    assert control(sandbox.url, "client_flows", {"client_id": CID, "flows": "v2"}).status == 200
    pin = call(sandbox.url, "/oauth/pin")
    assert (pin.status, pin.json()["error"]) == (400, "unauthorized_client")
    assert start(sandbox)["user_code"]


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("slow_down", 400, "slow_down"),
        ("expired_token", 400, "expired_token"),
        ("invalid_grant", 400, "invalid_grant"),
        ("insufficient_scope", 403, "insufficient_scope"),
        ("invalid_token", 401, "invalid_token"),
    ],
)
def test_v2_faults(sandbox, kind, status, error):
    sandbox.inject("/oauth2/token", kind)
    reply = form_post(sandbox.url, "/oauth2/token", {"grant_type": "refresh_token"})
    assert (reply.status, reply.json()["error"]) == (status, error)


def test_the_daily_quota_fault_has_a_long_retry_after(sandbox):
    sandbox.inject("/sync/", "quota", count=None)
    reply = call(sandbox.url, "/sync/activities", token=sandbox.issue_token())
    assert (reply.status, reply.json()["error"]) == (429, "user_limit_exceeded")
    assert int(reply.headers["Retry-After"]) >= 3600


def test_every_v2_secret_issued_is_listed_for_log_searches(sandbox):
    code = start(sandbox)
    pair = signed_in(sandbox)
    issued = sandbox.secrets_issued()
    assert {code["device_code"], pair["access_token"], pair["refresh_token"]} <= set(issued)
