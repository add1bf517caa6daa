"""A Simkl (or whatever answers in its place) that redirects, never answers, trickles, or sends
more than anyone should read, over real HTTP against the sandbox: the session follows no
redirect and sends nothing where one points; a reply over its cap is refused in words, gzip
included; a request has a total deadline and retries a total budget; and an abort stops a
request in flight at once."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from datetime import timedelta

import pytest
import requests
from simkl_ratings.core.app.preferences import Preferences
from simkl_ratings.core.app.sync import locked_sync
from simkl_ratings.core.app.workspace import Workspace
from simkl_ratings.core.errors import Redirected
from simkl_ratings.core.library.gateway import KodiLibrary
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import SIMKL_TYPES
from simkl_ratings.core.simkl import transport
from simkl_ratings.core.simkl.client import RetryPolicy, SimklClient
from simkl_ratings.core.simkl.credentials import CredentialStore, credentials_from_grant
from simkl_ratings.core.simkl.device import parse_grant
from simkl_ratings.core.simkl.tokens import FileLock, TokenManager
from simkl_ratings.core.sync.run import Progress, SyncOptions, run_sync

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary
from tests.sandbox.hostile import recording_server

from .engine_env import CLIENT

MB = 1024 * 1024
REFRESH = "simkl_rt_" + "r" * 40
DEVICE_CODE = "opaque-device-code-0123456789"


@pytest.fixture
def elsewhere():
    with recording_server() as server:
        yield server


def client_for(sandbox, **kwargs) -> SimklClient:
    return SimklClient(
        sandbox.url,
        CLIENT,
        "0.1.0",
        token=sandbox.issue_token(),
        retry=RetryPolicy(retries=2, base_delay=0.0, jitter=0.0),
        wait=lambda seconds: False,
        **kwargs,
    )


# -- redirects ---------------------------------------------------------------------------------

CALLS = {
    "refresh grant (form with the refresh token)": (
        "/oauth2/token",
        lambda client: client.refresh_grant(REFRESH),
    ),
    "device grant (form with the device code)": (
        "/oauth2/token",
        lambda client: client.device_poll(DEVICE_CODE),
    ),
    "revoke (form with the token)": ("/oauth2/revoke", lambda client: client.revoke(REFRESH)),
    "user settings (POST with the bearer token)": (
        "/users/settings",
        lambda client: client.user_settings(),
    ),
    "activities (GET with the bearer token)": (
        "/sync/activities",
        lambda client: client.activities(),
    ),
    "ratings (GET with the bearer token)": (
        "/sync/ratings/",
        lambda client: client.ratings("movies"),
    ),
}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("name", list(CALLS))
def test_a_redirect_is_refused_in_words_and_nothing_reaches_the_other_host(
    sandbox, elsewhere, name, status
):
    path, call = CALLS[name]
    where = elsewhere.url("localhost") + f"/steal?refresh_token={REFRESH}&user=me:pw"
    sandbox.inject(path, "redirect", count=None, status=status, location=where)
    client = client_for(sandbox)
    with pytest.raises(Redirected) as raised:
        call(client)
    assert elsewhere.requests == []
    message = str(raised.value)
    assert message.endswith("Simkl answered with a redirect to localhost; nothing was sent there")
    assert "steal" not in message and REFRESH not in message and "pw" not in message
    assert raised.value.code == "bad_response"
    assert client.requests_sent == 1  # a redirect is not retried


def test_a_307_from_the_token_endpoint_keeps_the_sign_in_and_takes_no_tokens_from_elsewhere(
    sandbox, elsewhere, tmp_path
):
    """The V2 access token dies; the run refreshes; Simkl's token endpoint answers 307 to a
    second host that would hand out tokens. Nothing reaches it, the stored sign-in is kept as
    it was, and the report says what happened."""
    config, state = str(tmp_path / "config"), str(tmp_path / "state")
    reply = sandbox.issue_v2_tokens("media:read")
    creds = credentials_from_grant(
        parse_grant(reply), CLIENT, scope_asked="media:read", account_id=7, account_name="e"
    )
    CredentialStore(config).save(creds)
    stored = (tmp_path / "config" / "credentials.json").read_bytes()
    sandbox.expire_access_tokens()  # Simkl answers 401 invalid_token: the run refreshes
    sandbox.inject(
        "/oauth2/token", "redirect", count=None, status=307, location=elsewhere.url() + "/t"
    )
    ws = Workspace(
        config_dir=config,
        state_dir=state,
        session="test",
        api_url=sandbox.url,
        client_id=CLIENT,
        app_version="0.1.0",
        transport=FakeKodiLibrary().handle,
    )
    outcome = locked_sync(ws, Preferences(types=SIMKL_TYPES), owner="test", progress=Progress())
    assert elsewhere.requests == []
    assert sandbox.refresh_requests() == 1  # the refresh went to Simkl, and only there
    assert (tmp_path / "config" / "credentials.json").read_bytes() == stored
    report = outcome.report
    assert report is not None and report.result == "error"
    assert report.error_code == "bad_response"
    assert report.error == (
        "POST /oauth2/token: Simkl answered with a redirect to localhost; nothing was sent there"
    )


# -- bounded replies ---------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip bomb"])
@pytest.mark.parametrize(
    ("path", "cap_mb"), [("/sync/activities", 1), ("/sync/ratings/movies", 32)]
)
def test_a_reply_over_its_cap_is_refused_in_words_without_holding_more(
    engine, path, cap_mb, compress
):
    engine.run()  # a first sync: the next one downloads the movies again when they moved
    engine.sandbox.set_rating("movies", 1, 3)
    engine.sandbox.inject(path, "big", count=None, size=cap_mb * MB + 1, gzip=compress)
    writes = engine.kodi.write_calls
    tracemalloc.start()
    try:
        report = engine.run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.result == "error"
    assert report.error_code == "bad_response"
    assert report.error.endswith(f"Simkl's reply is larger than {cap_mb} MB; it was not read")
    assert engine.kodi.write_calls == writes
    assert peak < (cap_mb + 8) * MB, peak  # the cap, a chunk, and the run itself
    assert engine.sandbox.request_count(path) == 1  # too large once is too large again


def test_a_gzip_reply_under_its_cap_is_read(engine):
    """2 MB of JSON (an object with no rows) from about 2 kB on the wire."""
    engine.sandbox.inject("/sync/ratings/movies", "big", count=None, size=2 * MB, gzip=True)
    report = engine.run()
    assert report.result == "ok"
    assert report.types["movies"].rated == 0


def test_a_reply_in_an_encoding_not_asked_for_is_refused_in_words(engine):
    engine.sandbox.inject("/sync/activities", "encoded", count=None, encoding="br")
    report = engine.run()
    assert report.error_code == "bad_response"
    assert "a reply in an encoding the add-on did not ask for (br)" in report.error


# -- deadlines, the retry budget, and abort ----------------------------------------------------


def test_a_trickling_server_is_ended_by_the_request_deadline(engine):
    """One byte every 0.2 s: every read gets its byte well within the read timeout, so only
    a deadline for the whole request ends it (the body alone would take 12 s)."""
    body = {"all": "2026-05-14T06:50:38Z", "pad": "x" * 40}
    engine.sandbox.inject("/sync/activities", "trickle", count=None, body=body, interval=0.2)
    began = time.monotonic()
    report = engine.run(
        timeout=(1.0, 1.0), deadline=1.0, retry=RetryPolicy(retries=1, base_delay=0.0)
    )
    took = time.monotonic() - began
    assert report.error_code == "network"
    assert "GET /sync/activities: no complete answer within 1 s" in report.error
    assert "(gave up after 2 tries" in report.error
    assert took < 5.0, took


def test_a_simkl_that_never_answers_ends_the_run_within_the_retry_budget(engine):
    """Scaled down: a read times out after 1 s, the budget is 2.5 s. Without a budget the
    run takes 5 tries x 1 s and the waits between them (6.5 s)."""
    engine.sandbox.inject("/", "stall", count=None, seconds=60)
    retry = RetryPolicy(retries=4, base_delay=0.1, jitter=0.0, budget=2.5, min_try=0.5)
    began = time.monotonic()
    report = engine.run(timeout=(1.0, 1.0), retry=retry, wait=_sleep)
    took = time.monotonic() - began
    assert report.result == "error"
    assert report.error_code == "network"
    assert report.error.startswith("GET /sync/activities: no answer in time (gave up after 2 tri")
    assert took < 2.5 + 1.0, took


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def test_an_abort_during_a_stalled_request_ends_the_run_within_2_s(engine):
    """Kodi quits while Simkl has not answered: the run ends without waiting for the read
    timeout (30 s here), and the request's thread ends with it."""
    engine.sandbox.inject("/sync/activities", "stall", count=None, seconds=60)
    abort = threading.Event()
    threading.Timer(0.5, abort.set).start()
    began = time.monotonic()
    report = engine.run(timeout=(5.0, 30.0), wait=abort.wait)
    after_abort = time.monotonic() - began - 0.5
    assert report.result == "cancelled"
    assert after_abort < 2.0, after_abort
    deadline = time.monotonic() + 2.0
    while _request_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _request_threads() == []


def _request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "simkl-request" and t.is_alive()]


def test_the_cap_of_every_path_is_32_mb_for_ratings_and_1_mb_otherwise():
    from simkl_ratings.core.simkl import client as module  # noqa: PLC0415

    assert module.RATINGS_CAP == 32 * MB
    assert module.REPLY_CAP == MB
    assert os.path.basename(module.__file__) == "client.py"


# -- the default numbers, on a fake clock ------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.now += seconds
        return False


class SilentSimkl:
    """A `requests.Session` stand-in for a Simkl that accepts the connection and never
    answers: each request lasts until its read timeout, unless the exchange's deadline (the
    request's own, or the retry budget's) stops it first."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.headers: dict[str, str] = {}
        self.tries: list[tuple[str, float, float]] = []

    def mount(self, prefix, adapter) -> None:
        pass

    def request(self, method, url, *, timeout, **kwargs):
        exchange = transport._exchange()
        began = self.clock.now
        self.clock.now = min(began + timeout[1], exchange.deadline)
        self.tries.append((url.split("?")[0].rsplit("/", 2)[-2:][-1], began, self.clock.now))
        exchange.check()  # the deadline came first: stopped
        raise requests.ReadTimeout("read timed out")


def silent_run(retry: RetryPolicy, tmp_path) -> tuple[FakeClock, SilentSimkl, object]:
    """A whole run against a Simkl that never answers, with every default but the clock: the
    V2 sign-in is due for its refresh (a POST, tried once), then the activities (a GET)."""
    clock = FakeClock()
    silent = SilentSimkl(clock)
    client = SimklClient(
        "https://api.simkl.test",
        CLIENT,
        "0.1.0",
        session=silent,
        retry=retry,
        wait=clock.sleep,
        clock=clock,
        rng=lambda low, high: 1.0,
    )
    grant = parse_grant(
        {"access_token": "simkl_at_" + "a" * 40, "refresh_token": REFRESH, "expires_in": 604800}
    )
    creds = credentials_from_grant(grant, CLIENT, scope_asked="media:read", account_id=7)
    store = CredentialStore(str(tmp_path / "config"))
    store.save(creds)
    later = creds.expiry - timedelta(hours=1)  # due for its refresh, not expired
    lock = FileLock(str(tmp_path / "config" / "token.lock"))
    client.auth = TokenManager(store, creds, client.refresh_grant, lock=lock, clock=lambda: later)
    library = KodiLibrary(JsonRpc(FakeKodiLibrary().handle))
    report = run_sync(client, library, SyncOptions(types=SIMKL_TYPES, wait=clock.sleep))
    return clock, silent, report


def test_with_the_default_limits_a_simkl_that_never_answers_ends_a_run_within_90_s(tmp_path):
    clock, silent, report = silent_run(RetryPolicy(), tmp_path)
    assert report.result == "error"
    assert report.error_code == "network"
    assert report.error.startswith("GET /sync/activities: no complete answer within 14 s")
    assert "(gave up after 2 tries in 75 s)" in report.error
    assert clock.now <= 90
    assert [(what, began, ended) for what, began, ended in silent.tries] == [
        ("token", 0.0, 30.0),  # the refresh: its read timeout; the token still works
        ("activities", 30.0, 60.0),  # a read timeout
        ("activities", 61.0, 75.0),  # the retry, ended by the budget
    ]


def test_without_the_budget_the_same_run_took_over_three_minutes(tmp_path):
    """What a new user saw before: every try waits for its read timeout, five tries."""
    clock, silent, report = silent_run(RetryPolicy(budget=float("inf")), tmp_path)
    assert report.error_code == "network"
    assert len(silent.tries) == 6  # the refresh, then 5 tries of the activities
    assert clock.now == 30 + 5 * 30 + (1 + 2 + 4 + 8)  # 195 s
