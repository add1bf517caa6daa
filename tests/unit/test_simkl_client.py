"""The Simkl client: identification, auth, retries and typed errors (against `responses`)."""

from __future__ import annotations

import gzip

import pytest
import requests
import responses
from responses import matchers
from simkl_ratings.core.errors import (
    BadResponse,
    Cancelled,
    ClientIdRejected,
    ConfigError,
    NetworkError,
    RateLimited,
    Redirected,
    ServerError,
    SignedOut,
    SimklError,
)
from simkl_ratings.core.simkl.client import (
    ALL_RATINGS,
    SimklClient,
    parse_retry_after,
    validate_api_url,
)

from .conftest import API, CLIENT_ID, TOKEN, Waits

RATINGS_URL = f"{API}/sync/ratings/movies/{ALL_RATINGS}"


@responses.activate
def test_every_request_identifies_the_app(client):
    responses.get(
        f"{API}/sync/activities",
        json={"all": None},
        match=[
            matchers.query_param_matcher(
                {"client_id": CLIENT_ID, "app-name": "kodi-simkl-ratings", "app-version": "0.1.0"}
            ),
            matchers.header_matcher(
                {"User-Agent": "kodi-simkl-ratings/0.1.0", "Authorization": f"Bearer {TOKEN}"}
            ),
        ],
    )
    assert client.activities() == {"all": None}
    assert client.requests_sent == 1


@responses.activate
def test_pin_calls_carry_no_token(client):
    responses.get(f"{API}/oauth/pin", json={"user_code": "ABC123"})
    client.pin_start()
    assert "Authorization" not in responses.calls[0].request.headers
    assert "client_id=unit-client-id" in responses.calls[0].request.url


def test_sync_call_without_token_is_signed_out_before_any_request(waits):
    client = SimklClient(API, CLIENT_ID, "0.1.0", wait=waits)
    with pytest.raises(SignedOut):
        client.ratings("movies")
    assert client.requests_sent == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.simkl.com", "https://api.simkl.com"),
        ("https://api.simkl.com/", "https://api.simkl.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://localhost:9", "http://localhost:9"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_api_url_accepts_https_and_loopback_http(url, expected):
    assert validate_api_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://api.simkl.com",
        "http://192.168.1.10:8080",
        "ftp://api.simkl.com",
        "api.simkl.com",
        "",
        "https://user:pw@api.simkl.com",
        "https://api.simkl.com/?x=1",
    ],
)
def test_api_url_refuses_plain_http_to_other_hosts_and_junk(url):
    with pytest.raises(ConfigError):
        validate_api_url(url)


def test_trailing_slash_in_api_url_does_not_double_the_slash():
    client = SimklClient(API + "/", CLIENT_ID, "1")
    assert client.base_url == API


def test_missing_client_id_is_a_config_error():
    with pytest.raises(ConfigError):
        SimklClient(API, "  ", "1")


@responses.activate
def test_401_user_token_failed_is_signed_out_and_not_retried(client, waits):
    responses.get(RATINGS_URL, status=401, json={"error": "user_token_failed"})
    with pytest.raises(SignedOut) as raised:
        client.ratings("movies")
    assert client.requests_sent == 1
    assert waits.calls == []
    assert TOKEN not in str(raised.value)


@responses.activate
def test_412_client_id_failed_is_never_retried(client):
    responses.get(RATINGS_URL, status=412, json={"error": "client_id_failed", "code": 412})
    with pytest.raises(ClientIdRejected):
        client.ratings("movies")
    assert client.requests_sent == 1


@responses.activate
def test_other_4xx_fail_at_once(client):
    responses.get(RATINGS_URL, status=404, json={"error": "id_err"})
    with pytest.raises(SimklError) as raised:
        client.ratings("movies")
    assert raised.value.status == 404
    assert client.requests_sent == 1


@responses.activate
def test_429_waits_retry_after_then_succeeds(client, waits):
    responses.get(RATINGS_URL, status=429, headers={"Retry-After": "7"}, json={"error": "x"})
    responses.get(RATINGS_URL, json={"movies": []})
    assert client.ratings("movies") == {"movies": []}
    assert waits.calls == [7.0]
    assert client.requests_sent == 2


@responses.activate
def test_429_with_retry_after_beyond_budget_stops_at_once(client, waits):
    responses.get(RATINGS_URL, status=429, headers={"Retry-After": "600"})
    with pytest.raises(RateLimited) as raised:
        client.ratings("movies")
    assert raised.value.retry_after == 600
    assert waits.calls == []


@responses.activate
def test_daily_quota_429_is_not_retried(client, waits):
    responses.get(RATINGS_URL, status=429, json={"error": "user_limit_exceeded"})
    with pytest.raises(RateLimited):
        client.ratings("movies")
    assert waits.calls == []


@responses.activate
def test_429_every_time_gives_up_after_the_retry_budget(client, waits):
    responses.get(RATINGS_URL, status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited):
        client.ratings("movies")
    assert client.requests_sent == 4  # first try + 3 retries
    assert waits.calls == [1.0, 1.0, 1.0]


@responses.activate
@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_then_success_backs_off_exponentially(client, waits, status):
    responses.get(RATINGS_URL, status=status)
    responses.get(RATINGS_URL, status=status)
    responses.get(RATINGS_URL, json={"movies": []})
    assert client.ratings("movies") == {"movies": []}
    assert waits.calls == [1.0, 2.0]


@responses.activate
def test_5xx_forever_is_a_server_error(client):
    responses.get(RATINGS_URL, status=503)
    with pytest.raises(ServerError):
        client.ratings("movies")
    assert client.requests_sent == 4


@responses.activate
def test_malformed_json_is_retried_then_a_bad_response(client):
    responses.get(RATINGS_URL, body="<html>maintenance</html>")
    with pytest.raises(BadResponse):
        client.ratings("movies")
    assert client.requests_sent == 4


@responses.activate
def test_network_error_is_retried(client, waits):
    responses.get(RATINGS_URL, body=requests.ConnectionError("refused"))
    responses.get(RATINGS_URL, json={})
    assert client.ratings("movies") == {}
    assert len(waits.calls) == 1


@responses.activate
def test_timeout_becomes_network_error(client):
    responses.get(RATINGS_URL, body=requests.Timeout("slow"))
    with pytest.raises(NetworkError):
        client.ratings("movies")


@responses.activate
def test_post_is_not_resent_after_a_5xx(client, waits):
    responses.post(f"{API}/users/settings", status=500)
    with pytest.raises(ServerError):
        client.user_settings()
    assert client.requests_sent == 1
    assert waits.calls == []


@responses.activate
def test_pin_poll_is_sent_once_even_on_5xx(client, waits):
    responses.get(f"{API}/oauth/pin/ABC", status=502)
    with pytest.raises(ServerError):
        client.pin_poll("ABC")
    assert client.requests_sent == 1


@responses.activate
def test_cancel_during_a_retry_wait_stops_the_call():
    client = SimklClient(API, CLIENT_ID, "1", token=TOKEN, wait=Waits(abort_after=1))
    responses.get(RATINGS_URL, status=503)
    with pytest.raises(Cancelled):
        client.ratings("movies")
    assert client.requests_sent == 1


def test_retry_after_parses_seconds_and_http_dates():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" ") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT") > 60


@responses.activate
def test_only_gzip_is_asked_for_and_a_gzip_reply_is_inflated(client):
    body = gzip.compress(b'{"movies": [], "ok": "\xc3\xa9t\xc3\xa9"}')
    responses.get(
        RATINGS_URL,
        body=body,
        headers={"Content-Encoding": "gzip"},
        match=[matchers.header_matcher({"Accept-Encoding": "gzip"})],
    )
    assert client.ratings("movies") == {"movies": [], "ok": "été"}


@responses.activate
def test_nan_infinity_and_nesting_deeper_than_the_parser_are_not_json(client):
    for text in ('{"user_rating": NaN}', "[Infinity]", "[" * 100_000 + "]" * 100_000):
        responses.get(RATINGS_URL, body=text)
    with pytest.raises(BadResponse) as raised:
        client.ratings("movies")
    assert "with a body that is not JSON" in str(raised.value)


@responses.activate
def test_a_redirect_from_the_token_endpoint_is_an_error_in_words(client):
    responses.post(
        f"{API}/oauth2/token",
        status=307,
        headers={"Location": "https://collector.example:8443/grab?refresh_token=abc#x"},
    )
    with pytest.raises(Redirected) as raised:
        client.refresh_grant("simkl_rt_abcdef")
    assert str(raised.value) == (
        "POST /oauth2/token: Simkl answered with a redirect to collector.example; "
        "nothing was sent there"
    )
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    ("location", "said"),
    [
        ("/elsewhere/on/simkl", "api.simkl.test"),  # relative: the same host
        ("https://[::1", "an unreadable address"),
        ("https://a b.example/", "an unreadable address"),
        ("", "api.simkl.test"),
        ("https://user:pw@evil.example/", "evil.example"),
    ],
)
@responses.activate
def test_a_redirect_names_a_host_only(client, location, said):
    responses.get(f"{API}/sync/activities", status=302, headers={"Location": location})
    with pytest.raises(Redirected) as raised:
        client.activities()
    assert f"a redirect to {said};" in str(raised.value)


@pytest.mark.parametrize("path", ["@evil.example/sync/activities", ".evil.example/x", ""])
def test_a_path_that_would_leave_the_api_origin_is_refused_before_any_request(client, path):
    with pytest.raises(BadResponse):
        client.get(path)
    assert client.requests_sent == 0


@responses.activate
def test_an_integer_longer_than_any_of_simkl_s_is_not_json(client):
    """Its conversion takes time quadratic in its length on a Python without a digit limit."""
    responses.get(RATINGS_URL, body='{"movies": [], "n": ' + "7" * 100_000 + "}")
    with pytest.raises(BadResponse):
        client.ratings("movies")
    responses.replace(responses.GET, RATINGS_URL, body='{"movies": [], "id": "' + "7" * 99 + '"}')
    assert client.ratings("movies")["id"] == "7" * 99  # digits in a string are no number


def test_an_unreadable_rating_is_quoted_40_characters_at_most():
    from simkl_ratings.core.rating import InvalidRating, Rating  # noqa: PLC0415

    for raw in ("7" * 2_000_000, 10**3000, "x" * 500, [1] * 300):
        with pytest.raises(InvalidRating) as raised:
            Rating.parse(raw)
        assert len(str(raised.value)) < 100
