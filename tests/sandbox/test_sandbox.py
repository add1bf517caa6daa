"""Behaviour tests for the Simkl sandbox.

The add-on's own tests trust this server to behave like Simkl, so each documented behaviour and
quirk (simkl-api.md §1-§9, §13, §15) is pinned here over real HTTP with stdlib urllib.
"""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

CID = "sandbox-client-id"
FIXTURE = Path(__file__).parent / "fixtures" / "sample_account.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
ALL_RATINGS = "1,2,3,4,5,6,7,8,9,10"
ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PIN = 0.2  # fast PIN interval for tests


@dataclass
class Reply:
    """One HTTP answer with its raw body, so non-JSON bodies can be asserted too."""

    status: int
    headers: Any
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw.decode("utf-8"))


def call(
    base: str,
    path: str,
    *,
    method: str = "GET",
    token: str | None = None,
    client_id: str | None = CID,
    query: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Request like the add-on does: identification params, User-Agent, optional bearer."""
    params = {"app-name": "sandbox-tests", "app-version": "1.0", **(query or {})}
    if client_id is not None:
        params["client_id"] = client_id
    hdrs = {"User-Agent": "sandbox-tests/1.0", **(headers or {})}
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None or method == "POST":
        data = json.dumps(body if body is not None else {}).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(
        f"{base}{path}?{urlencode(params)}", data=data, method=method, headers=hdrs
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


def control(base: str, name: str, payload: dict[str, Any] | None = None) -> Reply:
    """Drive the control API the way an out-of-process demo script would (no client_id)."""
    method = "GET" if payload is None else "POST"
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    req = urllib.request.Request(f"{base}/_control/{name}", data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


def simkl_ids(body: dict[str, Any], type_: str) -> list[int]:
    media = "movie" if type_ == "movies" else "show"
    return [row[media]["ids"]["simkl"] for row in body.get(type_, [])]


@pytest.fixture
def sandbox() -> Iterator[SimklSandbox]:
    with SimklSandbox.from_fixture(FIXTURE, pin_interval=PIN) as sb:
        yield sb


@pytest.fixture
def token(sandbox: SimklSandbox) -> str:
    return sandbox.issue_token()


# -- identification and auth ---------------------------------------------------------------


@pytest.mark.parametrize("client_id", [None, "wrong-id"])
def test_missing_or_wrong_client_id_is_412(sandbox: SimklSandbox, client_id: str | None) -> None:
    for path in ("/oauth/pin", "/sync/activities", "/users/settings"):
        reply = call(sandbox.url, path, client_id=client_id, token=sandbox.issue_token())
        assert reply.status == 412
        assert reply.json() == {
            "error": "client_id_failed",
            "code": 412,
            "message": "Your client_id is wrong. Try another one",
        }


def test_simkl_api_key_header_identifies(sandbox: SimklSandbox) -> None:
    reply = call(sandbox.url, "/oauth/pin", client_id=None, headers={"simkl-api-key": CID})
    assert reply.status == 200
    assert reply.json()["result"] == "OK"


def test_any_configured_client_id_is_accepted() -> None:
    with SimklSandbox(client_ids=("a", "b")) as sb:
        assert call(sb.url, "/oauth/pin", client_id="b").status == 200
        assert call(sb.url, "/oauth/pin", client_id=CID).status == 412


@pytest.mark.parametrize("path", ["/sync/activities", "/users/settings", "/sync/ratings/movies/9"])
def test_auth_required_without_token(sandbox: SimklSandbox, path: str) -> None:
    reply = call(sandbox.url, path)
    assert reply.status == 401
    body = reply.json()
    assert body["error"] == "user_token_failed"
    assert body["code"] == 401
    assert body["message"]


def test_unknown_and_revoked_tokens_are_401(sandbox: SimklSandbox) -> None:
    assert call(sandbox.url, "/sync/activities", token="f" * 64).status == 401
    one, two = sandbox.issue_token(), sandbox.issue_token()
    assert call(sandbox.url, "/sync/activities", token=one).status == 200
    assert sandbox.revoke_token(one) == 1
    assert call(sandbox.url, "/sync/activities", token=one).status == 401
    assert call(sandbox.url, "/sync/activities", token=two).status == 200
    assert sandbox.revoke_token() == 1
    assert call(sandbox.url, "/sync/activities", token=two).json()["error"] == "user_token_failed"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_users_settings(sandbox: SimklSandbox, token: str, method: str) -> None:
    body = call(sandbox.url, "/users/settings", method=method, token=token).json()
    assert body["account"]["id"] == 12345
    assert body["user"]["name"] == "sandbox_user"
    assert set(body) >= {"user", "account"}
    assert body["account"]["type"] in ("free", "pro", "vip")


def test_request_log_records_identification_but_not_the_token(
    sandbox: SimklSandbox, token: str
) -> None:
    call(sandbox.url, "/sync/activities", token=token)
    call(sandbox.url, "/oauth/pin")
    first, second = sandbox.requests
    assert (first.method, first.path, first.status) == ("GET", "/sync/activities", 200)
    assert first.query["client_id"] == CID
    assert (first.app_name, first.app_version) == ("sandbox-tests", "1.0")
    assert first.user_agent == "sandbox-tests/1.0"
    assert first.headers["user-agent"] == "sandbox-tests/1.0"
    assert first.authorized is True and first.token_valid is True
    assert first.token_sha256 and len(first.token_sha256) == 12
    assert token not in json.dumps(first.to_dict())
    assert second.authorized is False and second.token_sha256 is None


# -- PIN flow ------------------------------------------------------------------------------


def test_pin_init_shape(sandbox: SimklSandbox) -> None:
    body = call(sandbox.url, "/oauth/pin").json()
    assert body["result"] == "OK"
    assert body["device_code"] == "DEVICE_CODE"
    assert re.fullmatch(r"[A-Z0-9]{6}", body["user_code"])
    assert body["verification_uri"] == body["verification_url"] == "https://simkl.com/pin"
    assert body["expires_in"] == 900
    assert body["interval"] == PIN


def test_pin_pending_slow_down_approve_once_then_gone(sandbox: SimklSandbox) -> None:
    code = call(sandbox.url, "/oauth/pin").json()["user_code"]
    poll = f"/oauth/pin/{code}"
    assert call(sandbox.url, poll).json() == {"result": "KO", "message": "Authorization pending"}
    assert call(sandbox.url, poll).json() == {"result": "KO", "message": "Slow down"}
    time.sleep(PIN)
    assert call(sandbox.url, poll).json()["message"] == "Authorization pending"
    assert sandbox.approve(code) == code
    time.sleep(PIN)
    ok = call(sandbox.url, poll).json()
    assert ok["result"] == "OK"
    assert re.fullmatch(r"[0-9a-f]{64}", ok["access_token"])
    assert call(sandbox.url, "/sync/activities", token=ok["access_token"]).status == 200
    time.sleep(PIN)
    gone = call(sandbox.url, poll).json()  # consumed code: falls through to a new PIN
    assert gone["device_code"] == "DEVICE_CODE"
    assert gone["result"] == "OK" and "access_token" not in gone
    assert gone["user_code"] != code


def test_pin_slow_down_can_be_disabled() -> None:
    with SimklSandbox(pin_interval=5, strict_slow_down=False) as sb:
        code = call(sb.url, "/oauth/pin").json()["user_code"]
        for _ in range(3):
            assert call(sb.url, f"/oauth/pin/{code}").json()["message"] == "Authorization pending"


def test_pin_approve_after_polls() -> None:
    with SimklSandbox(pin_interval=0, approve_after_polls=2) as sb:
        code = call(sb.url, "/oauth/pin").json()["user_code"]
        answers = [call(sb.url, f"/oauth/pin/{code}").json() for _ in range(3)]
        assert [a["result"] for a in answers] == ["KO", "KO", "OK"]
        assert sb.tokens.valid(answers[2]["access_token"])


def test_pin_approve_after_seconds() -> None:
    with SimklSandbox(pin_interval=0, approve_after_seconds=0.3) as sb:
        code = call(sb.url, "/oauth/pin").json()["user_code"]
        assert call(sb.url, f"/oauth/pin/{code}").json()["result"] == "KO"
        time.sleep(0.35)
        assert call(sb.url, f"/oauth/pin/{code}").json()["result"] == "OK"


def test_pin_expired_or_unknown_code_gets_fresh_init() -> None:
    with SimklSandbox(pin_interval=0, pin_expires_in=0.3) as sb:
        code = call(sb.url, "/oauth/pin").json()["user_code"]
        time.sleep(0.35)
        expired = call(sb.url, f"/oauth/pin/{code}").json()
        assert expired["device_code"] == "DEVICE_CODE" and expired["user_code"] != code
        assert sb.pending_codes()[-1]["user_code"] == expired["user_code"]
        with pytest.raises(KeyError):
            sb.approve(code)
        unknown = call(sb.url, "/oauth/pin/NOPE00").json()
        assert unknown["device_code"] == "DEVICE_CODE" and unknown["user_code"] != "NOPE00"


def test_pin_404_mode(sandbox: SimklSandbox) -> None:
    sandbox.pin_404_mode = True
    reply = call(sandbox.url, "/oauth/pin/NOPE00")
    assert reply.status == 404
    assert sandbox.pending_codes() == []


# -- ratings reads -------------------------------------------------------------------------


def test_full_csv_returns_only_rated_rows_of_that_type(sandbox: SimklSandbox, token: str) -> None:
    body = call(sandbox.url, f"/sync/ratings/movies/{ALL_RATINGS}", token=token).json()
    assert list(body) == ["movies"]
    assert simkl_ids(body, "movies") == [195258, 53536, 120553, 120554, 163452]
    assert all(isinstance(row["user_rating"], int) for row in body["movies"])


def test_csv_filters_by_rating(sandbox: SimklSandbox, token: str) -> None:
    body = call(sandbox.url, "/sync/ratings/shows/9,10", token=token).json()
    assert simkl_ids(body, "shows") == [17465, 11121]
    assert {row["user_rating"] for row in body["shows"]} == {9, 10}
    assert list(body) == ["shows"]


def test_out_of_range_rating_is_empty_object(sandbox: SimklSandbox, token: str) -> None:
    reply = call(sandbox.url, "/sync/ratings/movies/99", token=token)
    assert reply.status == 200
    assert reply.json() == {}


def test_legacy_null_empty_mode(token: str) -> None:
    with SimklSandbox(legacy_null_empty=True) as sb:
        reply = call(sb.url, f"/sync/ratings/movies/{ALL_RATINGS}", token=sb.issue_token())
        assert reply.status == 200
        assert reply.raw == b"null"


def test_empty_account_is_empty_object() -> None:
    with SimklSandbox() as sb:
        tok = sb.issue_token()
        for type_ in ("movies", "shows", "anime"):
            assert call(sb.url, f"/sync/ratings/{type_}/{ALL_RATINGS}", token=tok).json() == {}
        assert call(sb.url, "/users/settings", token=tok).json()["account"]["id"] == 1


def test_unknown_type_word_gives_cross_type_results(sandbox: SimklSandbox, token: str) -> None:
    body = call(sandbox.url, "/sync/ratings/tv_shows/9", token=token).json()
    assert set(body) == {"movies", "shows", "anime"}
    assert simkl_ids(body, "movies") == [120554]
    assert simkl_ids(body, "shows") == [17465]
    assert simkl_ids(body, "anime") == [594417, 39687]
    assert all(row["user_rating"] == 9 for rows in body.values() for row in rows)


@pytest.mark.parametrize("path", ["/sync/ratings/movies", "/sync/ratings/movies/all"])
def test_missing_or_non_digit_rating_returns_whole_library(
    sandbox: SimklSandbox, token: str, path: str
) -> None:
    body = call(sandbox.url, path, token=token).json()
    assert list(body) == ["movies"]
    assert len(body["movies"]) == 6
    unrated = [row for row in body["movies"] if row["movie"]["ids"]["simkl"] == 55328]
    assert unrated[0]["user_rating"] is None and unrated[0]["user_rated_at"] is None


def test_post_method_reads_ratings_too(sandbox: SimklSandbox, token: str) -> None:
    body = call(sandbox.url, "/sync/ratings/anime/10", method="POST", token=token).json()
    assert simkl_ids(body, "anime") == [40398]


def test_anime_rows_use_show_key_and_row_level_anime_type(
    sandbox: SimklSandbox, token: str
) -> None:
    body = call(sandbox.url, f"/sync/ratings/anime/{ALL_RATINGS}", token=token).json()
    assert list(body) == ["anime"]
    rows = {row["show"]["ids"]["simkl"]: row for row in body["anime"]}
    assert len(rows) == 5
    assert all("anime" not in row and "movie" not in row for row in rows.values())
    assert rows[594417]["anime_type"] == "movie"
    assert rows[38130]["anime_type"] == "ova"
    assert rows[37089]["show"]["ids"] == {"simkl": 37089, "mal": "1", "anidb": "23"}
    assert rows[39687]["show"]["ids"]["tvdb"] == "267440"


def test_anime_rows_without_a_type_look_like_real_replies() -> None:
    """Real anime rows carry no anime_type; episode counts come as real rows have them."""
    account = {
        "anime": [
            {"simkl": 1, "title": "Berserk", "year": 1997, "ids": {"mal": "33", "tmdb": "46298"},
             "user_rating": 10, "user_rated_at": "2026-01-01T00:00:00Z", "episodes": 25},
        ]
    }  # fmt: skip
    with SimklSandbox(account) as sb:
        body = call(sb.url, f"/sync/ratings/anime/{ALL_RATINGS}", token=sb.issue_token()).json()
    (row,) = body["anime"]
    assert "anime_type" not in row
    assert (row["watched_episodes_count"], row["total_episodes_count"]) == (25, 25)
    assert row["show"]["ids"] == {"simkl": 1, "mal": "33", "tmdb": "46298"}


def test_row_shapes_and_id_types(sandbox: SimklSandbox, token: str) -> None:
    movie = call(sandbox.url, "/sync/ratings/movies/8", token=token).json()["movies"][0]
    assert set(movie) == {"last_watched_at", "user_rated_at", "user_rating", "status", "movie"}
    assert movie["movie"] == {
        "title": "Terminator 3: Rise of the Machines",
        "year": 2003,
        "ids": {"simkl": 53536, "imdb": "tt0181852", "tmdb": "296"},
    }
    assert ISO_MILLIS.match(movie["user_rated_at"])
    show = call(sandbox.url, "/sync/ratings/shows/9", token=token).json()["shows"][0]
    assert {"last_watched", "next_to_watch"} <= set(show) and "anime_type" not in show
    for key, value in show["show"]["ids"].items():
        assert isinstance(value, int if key == "simkl" else str)


def test_date_from_is_inclusive_on_user_rated_at(sandbox: SimklSandbox, token: str) -> None:
    query = {"date_from": "2026-01-02T03:04:05Z"}
    body = call(sandbox.url, f"/sync/ratings/movies/{ALL_RATINGS}", token=token, query=query)
    assert simkl_ids(body.json(), "movies") == [120554, 163452]
    query = {"date_from": "2026-01-02T03:04:05.001Z"}
    body = call(sandbox.url, f"/sync/ratings/movies/{ALL_RATINGS}", token=token, query=query)
    assert simkl_ids(body.json(), "movies") == [163452]


@pytest.mark.parametrize("value", [0, 11, "8", 7.5, None])
def test_raw_invalid_ratings_reach_the_client(
    sandbox: SimklSandbox, token: str, value: Any
) -> None:
    sandbox.set_raw_rating("movies", 53536, value)
    body = call(sandbox.url, f"/sync/ratings/movies/{ALL_RATINGS}", token=token).json()
    row = next(r for r in body["movies"] if r["movie"]["ids"]["simkl"] == 53536)
    assert row["user_rating"] == value and type(row["user_rating"]) is type(value)
    assert row["user_rated_at"] is not None


def test_set_rating_validates(sandbox: SimklSandbox) -> None:
    for bad in (0, 11, "8", 7.5, None, True):
        with pytest.raises(ValueError):
            sandbox.set_rating("movies", 53536, bad)
    with pytest.raises(KeyError):
        sandbox.set_rating("movies", 999999, 5)
    with pytest.raises(ValueError):
        sandbox.set_rating("tv_shows", 17465, 5)


# -- activities ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_activities_shape(sandbox: SimklSandbox, token: str, method: str) -> None:
    body = call(sandbox.url, "/sync/activities", method=method, token=token).json()
    assert set(body) == {"all", "settings", "movies", "tv_shows", "anime"}
    assert "watching" not in body["movies"] and "hold" not in body["movies"]
    for group in ("tv_shows", "anime"):
        assert {"all", "rated_at", "removed_from_list", "watching", "hold"} <= set(body[group])
    stamps = [body["all"], body["settings"]["all"]]
    stamps += [v for g in ("movies", "tv_shows", "anime") for v in body[g].values()]
    assert all(ISO_SECONDS.match(s) for s in stamps)


def test_mutations_bump_activities_strictly(sandbox: SimklSandbox, token: str) -> None:
    def activities() -> dict[str, Any]:
        return call(sandbox.url, "/sync/activities", token=token).json()

    before = activities()
    seen = [before["all"]]
    sandbox.set_rating("movies", 53536, 3)
    after_set = activities()
    sandbox.remove_rating("movies", 53536)
    after_remove = activities()
    sandbox.set_rating("anime", 40398, 9)
    after_anime = activities()
    seen += [after_set["all"], after_remove["all"], after_anime["all"]]
    assert seen == sorted(seen) and len(set(seen)) == 4  # same-second mutations still advance
    assert after_set["movies"]["rated_at"] == after_set["movies"]["all"] == after_set["all"]
    assert after_set["tv_shows"] == before["tv_shows"] and after_set["anime"] == before["anime"]
    assert after_remove["movies"]["rated_at"] > after_set["movies"]["rated_at"]
    assert after_anime["anime"]["rated_at"] == after_anime["all"]
    assert after_anime["movies"] == after_remove["movies"]


def test_remove_rating_keeps_item_in_library(sandbox: SimklSandbox, token: str) -> None:
    sandbox.remove_rating("shows", 42040)
    rated = call(sandbox.url, f"/sync/ratings/shows/{ALL_RATINGS}", token=token).json()
    assert 42040 not in simkl_ids(rated, "shows")
    library = call(sandbox.url, "/sync/ratings/shows", token=token).json()
    row = next(r for r in library["shows"] if r["show"]["ids"]["simkl"] == 42040)
    assert row["user_rating"] is None and row["status"] == "dropped"


def test_remove_from_list_bumps_removed_from_list(sandbox: SimklSandbox, token: str) -> None:
    before = sandbox.activities()
    sandbox.remove_from_list("anime", 37089)
    after = sandbox.activities()
    assert after["anime"]["removed_from_list"] > before["anime"]["removed_from_list"]
    assert after["anime"]["all"] == after["all"] > before["all"]
    library = call(sandbox.url, "/sync/ratings/anime", token=token).json()
    assert 37089 not in simkl_ids(library, "anime")


def test_add_item(sandbox: SimklSandbox, token: str) -> None:
    before = sandbox.activities()
    sandbox.add_item(
        "movies",
        {"simkl": 7, "title": "Elephants Dream", "year": 2006, "ids": {"imdb": "tt0807840"},
         "user_rating": 6, "user_rated_at": "2026-04-01T00:00:00Z", "status": "completed"},
    )  # fmt: skip
    after = sandbox.activities()
    assert after["movies"]["completed"] > before["movies"]["completed"]
    assert after["movies"]["rated_at"] > before["movies"]["rated_at"]
    body = call(sandbox.url, "/sync/ratings/movies/6", token=token).json()
    assert simkl_ids(body, "movies") == [195258, 7]
    with pytest.raises(ValueError):
        sandbox.add_item("movies", {"simkl": 7, "title": "Dup"})


# -- ratings writes ------------------------------------------------------------------------


def test_post_ratings_resolves_ids_and_reports_not_found(sandbox: SimklSandbox, token: str) -> None:
    before = sandbox.activities()
    request = {
        "movies": [
            {"rating": 2, "ids": {"imdb": "tt1375666"}},
            {"rating": 11, "ids": {"simkl": 53536}},
            {"rating": 5, "ids": {"imdb": "tt0000001"}},
        ],
        "shows": [
            {"rating": 3, "ids": {"tvdb": 121361, "imdb": "tt0944947"}},
            {"rating": 6, "rated_at": "2026-05-15T20:00:00Z", "ids": {"mal": 11061}},
        ],
        "anime": [{"rating": 7, "ids": {"anidb": 23}}],
    }
    reply = call(sandbox.url, "/sync/ratings", method="POST", token=token, body=request)
    assert reply.status == 201
    body = reply.json()
    assert (body["added"]["movies"], body["added"]["shows"]) == (1, 3)
    assert "anime" not in body["added"] and "anime" not in body["not_found"]
    assert body["not_found"]["movies"] == request["movies"][1:]
    assert body["not_found"]["shows"] == []
    assert body["added"]["statuses"][0]["response"] == {"status": "completed"}
    ratings = {
        t: {i: r["user_rating"] for i, r in zip(simkl_ids(b, t), b[t])}
        for t in ("movies", "shows", "anime")
        for b in [call(sandbox.url, f"/sync/ratings/{t}", token=token).json()]
    }
    assert ratings["movies"][163452] == 2 and ratings["movies"][53536] == 8
    assert ratings["shows"][17465] == 3
    assert ratings["anime"][40398] == 6 and ratings["anime"][37089] == 7
    after = sandbox.activities()
    for group in ("movies", "tv_shows", "anime"):
        assert after[group]["rated_at"] > before[group]["rated_at"]
    hxh = call(sandbox.url, "/sync/ratings/anime/6", token=token).json()["anime"][0]
    assert hxh["user_rated_at"] == "2026-05-15T20:00:00.000Z"


def test_post_ratings_auto_files_unlisted_titles(sandbox: SimklSandbox, token: str) -> None:
    before = sandbox.activities()
    request = {"movies": [{"rating": 9, "ids": {"tmdb": "133701"}}]}
    body = call(sandbox.url, "/sync/ratings", method="POST", token=token, body=request).json()
    assert body["added"]["movies"] == 1
    assert body["added"]["statuses"][0]["response"]["status"] == "completed"
    assert sandbox.activities()["movies"]["completed"] > before["movies"]["completed"]
    rated = call(sandbox.url, "/sync/ratings/movies/9", token=token).json()
    assert 120555 in simkl_ids(rated, "movies")


def test_post_ratings_remove_is_idempotent(sandbox: SimklSandbox, token: str) -> None:
    request = {
        "movies": [{"ids": {"simkl": 163452}}, {"ids": {"imdb": "tt0000001"}}],
        "shows": [{"ids": {"tmdb": "1396"}}, {"ids": {"mal": "1"}}],
    }
    for _ in range(2):
        reply = call(sandbox.url, "/sync/ratings/remove", method="POST", token=token, body=request)
        assert reply.status == 201
        assert reply.json() == {
            "deleted": {"movies": 1, "shows": 2},
            "not_found": {"movies": [{"ids": {"imdb": "tt0000001"}}], "shows": []},
        }
    library = call(sandbox.url, "/sync/ratings/movies", token=token).json()
    assert 163452 in simkl_ids(library, "movies")
    rated = call(sandbox.url, f"/sync/ratings/shows/{ALL_RATINGS}", token=token).json()
    assert 11121 not in simkl_ids(rated, "shows")


def test_post_ratings_rejects_non_object_body(sandbox: SimklSandbox, token: str) -> None:
    reply = call(sandbox.url, "/sync/ratings", method="POST", token=token, body=[1, 2])
    assert reply.status == 400
    assert reply.json()["error"] == "wrong_parameter"


# -- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_error_faults(sandbox: SimklSandbox, token: str, kind: str) -> None:
    sandbox.inject("/sync/activities", kind)
    reply = call(sandbox.url, "/sync/activities", token=token)
    assert reply.status == int(kind)
    assert reply.json()["error"] == "internal"
    assert call(sandbox.url, "/sync/activities", token=token).status == 200  # count=1 consumed


def test_429_fault_with_retry_after(sandbox: SimklSandbox, token: str) -> None:
    sandbox.inject("/sync/", "429")
    sandbox.inject("/sync/", 429, retry_after=7)
    sandbox.inject("/sync/", "429", retry_after=None, error="user_limit_exceeded")
    first, second, third = (call(sandbox.url, "/sync/activities", token=token) for _ in range(3))
    assert (first.status, first.headers["Retry-After"], first.json()) == (
        429,
        "1",
        {"error": "rate_limit"},
    )
    assert second.headers["Retry-After"] == "7"
    assert third.headers.get("Retry-After") is None
    assert third.json()["error"] == "user_limit_exceeded"


def test_slow_fault_delays_then_answers(sandbox: SimklSandbox, token: str) -> None:
    sandbox.inject("/sync/activities", "slow", seconds=0.3)
    started = time.monotonic()
    reply = call(sandbox.url, "/sync/activities", token=token)
    assert time.monotonic() - started >= 0.3
    assert reply.status == 200 and "all" in reply.json()
    assert sandbox.requests[-1].fault == "slow"


def test_malformed_fault_is_200_html(sandbox: SimklSandbox, token: str) -> None:
    sandbox.inject("/sync/ratings", "malformed")
    reply = call(sandbox.url, "/sync/ratings/movies/9", token=token)
    assert reply.status == 200
    assert reply.raw.lstrip().startswith(b"<")
    with pytest.raises(ValueError):
        reply.json()


def test_wrong_shape_fault(sandbox: SimklSandbox, token: str) -> None:
    sandbox.inject("/sync/ratings", "wrong_shape")
    sandbox.inject("/sync/ratings", "wrong_shape", body={"movies": "nope"})
    assert call(sandbox.url, "/sync/ratings/movies/9", token=token).json() == []
    assert call(sandbox.url, "/sync/ratings/movies/9", token=token).json() == {"movies": "nope"}


def test_drop_fault_closes_without_response(sandbox: SimklSandbox, token: str) -> None:
    sandbox.inject("/sync/activities", "drop")
    with pytest.raises((urllib.error.URLError, ConnectionError)) as info:
        call(sandbox.url, "/sync/activities", token=token)
    assert not isinstance(info.value, urllib.error.HTTPError)
    assert sandbox.requests[-1].status is None and sandbox.requests[-1].fault == "drop"
    assert call(sandbox.url, "/sync/activities", token=token).status == 200


def test_faults_fifo_prefix_count_forever_and_clear(sandbox: SimklSandbox, token: str) -> None:
    sandbox.inject("/sync/ratings", "503", count=2)
    sandbox.inject("/sync/", "500", count=None)
    assert call(sandbox.url, "/sync/ratings/movies/9", token=token).status == 503
    assert call(sandbox.url, "/sync/activities", token=token).status == 500  # prefix mismatch
    assert call(sandbox.url, "/sync/ratings/movies/9", token=token).status == 503
    for _ in range(3):
        assert call(sandbox.url, "/sync/ratings/movies/9", token=token).status == 500
    assert call(sandbox.url, "/oauth/pin").status == 200
    sandbox.clear_faults()
    assert call(sandbox.url, "/sync/activities", token=token).status == 200
    with pytest.raises(ValueError):
        sandbox.inject("/sync/", "418")


# -- request log and control API -----------------------------------------------------------


def test_request_count_and_clear(sandbox: SimklSandbox, token: str) -> None:
    call(sandbox.url, "/sync/activities", token=token)
    call(sandbox.url, "/sync/ratings/movies/9", token=token)
    call(sandbox.url, "/sync/ratings/shows/9", token=token)
    control(sandbox.url, "pending_codes")
    assert sandbox.request_count() == 3
    assert sandbox.request_count("/sync/ratings") == 2
    assert [r.status for r in sandbox.requests] == [200, 200, 200]
    sandbox.clear_requests()
    assert sandbox.request_count() == 0


def test_control_pin_approval(sandbox: SimklSandbox) -> None:
    old = call(sandbox.url, "/oauth/pin").json()["user_code"]
    new = call(sandbox.url, "/oauth/pin").json()["user_code"]
    codes = control(sandbox.url, "pending_codes").json()["codes"]
    assert [c["user_code"] for c in codes] == [old, new]
    assert control(sandbox.url, "approve", {}).json() == {"approved": new}
    assert control(sandbox.url, "approve", {"user_code": old}).json() == {"approved": old}
    assert control(sandbox.url, "approve", {}).status == 404
    assert call(sandbox.url, f"/oauth/pin/{old}").json()["result"] == "OK"
    assert sandbox.request_count() == 3  # control requests are not logged


def test_control_ratings_and_revoke(sandbox: SimklSandbox, token: str) -> None:
    base = sandbox.url
    assert control(base, "rating", {"type": "shows", "simkl_id": 42040, "rating": 1}).status == 200
    raw = {"type": "movies", "simkl_id": 53536, "rating": "8", "raw": True}
    assert control(base, "rating", raw).status == 200
    assert control(base, "remove_rating", {"type": "anime", "simkl_id": 40398}).status == 200
    assert call(base, "/sync/ratings/shows/1", token=token).json()["shows"][0]["user_rating"] == 1
    movies = call(base, "/sync/ratings/movies/8", token=token).json()["movies"]
    assert [r["user_rating"] for r in movies] == ["8"]
    assert 40398 not in simkl_ids(call(base, "/sync/ratings/anime/10", token=token).json(), "anime")
    bad = {"type": "movies", "simkl_id": 1, "rating": 5}
    assert control(base, "rating", bad).status == 404
    assert control(base, "rating", {**raw, "raw": False}).status == 400
    assert control(base, "revoke", {}).json() == {"revoked": 1}
    assert call(base, "/sync/activities", token=token).status == 401


def test_control_faults_and_request_log(sandbox: SimklSandbox, token: str) -> None:
    base = sandbox.url
    reply = control(base, "fault", {"path_prefix": "/sync/", "kind": "429", "retry_after": 3})
    assert reply.json()["fault"]["kind"] == "429"
    assert control(base, "fault", {"path_prefix": "/sync/", "kind": "bogus"}).status == 400
    limited = call(base, "/sync/activities", token=token)
    assert (limited.status, limited.headers["Retry-After"]) == (429, "3")
    logged = control(base, "requests").json()["requests"]
    assert [(r["path"], r["status"], r["fault"]) for r in logged] == [
        ("/sync/activities", 429, "429")
    ]
    assert logged[0]["app_name"] == "sandbox-tests"
    assert control(base, "reset_requests", {}).status == 200
    assert control(base, "requests").json() == {"requests": []}
    forever = {"path_prefix": "/oauth", "kind": "500", "count": None}
    control(base, "fault", forever)
    assert control(base, "faults").json()["faults"][0]["remaining"] is None
    assert call(base, "/oauth/pin").status == 500
    control(base, "clear_faults", {})
    assert call(base, "/oauth/pin").status == 200


def test_unknown_paths_are_404(sandbox: SimklSandbox, token: str) -> None:
    assert call(sandbox.url, "/sync/nothing", token=token).json()["error"] == "url_failed"
    assert call(sandbox.url, "/nothing").status == 404
    assert control(sandbox.url, "nothing").status == 404


# -- CLI -----------------------------------------------------------------------------------


def test_cli_serves_until_sigterm() -> None:
    cmd = [sys.executable, "-m", "tests.sandbox.simkl_sandbox", "--fixture", str(FIXTURE)]
    cmd += ["--client-id", "cli-id", "--pin-interval", "0", "--approve-after-polls", "0"]
    with subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], 10)
            assert ready, "sandbox CLI did not print its URL"
            line = proc.stdout.readline().strip()
            assert re.fullmatch(r"SANDBOX_URL=http://127\.0\.0\.1:\d+", line)
            url = line.split("=", 1)[1]
            code = call(url, "/oauth/pin", client_id="cli-id").json()["user_code"]
            token = call(url, f"/oauth/pin/{code}", client_id="cli-id").json()["access_token"]
            body = call(url, "/sync/ratings/movies/10", client_id="cli-id", token=token).json()
            assert simkl_ids(body, "movies") == [163452]
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=5) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_an_account_state_comes_back_exactly_activities_included(sandbox: SimklSandbox) -> None:
    """Household tests resume from a kept state: nothing may look changed to a client."""
    sandbox.set_rating("movies", 53536, 3)
    kept = sandbox.account_state()
    before = sandbox.activities()
    time.sleep(1.1)  # later ticks would be new seconds
    sandbox.set_rating("movies", 53536, 9)
    sandbox.restore_account_state(kept)
    assert sandbox.activities() == before
    assert sandbox.model.get("movies", 53536).user_rating == 3
    sandbox.set_rating("movies", 53536, 7)  # the copy stays reusable, the lock works
    sandbox.restore_account_state(kept)
    assert sandbox.model.get("movies", 53536).user_rating == 3
