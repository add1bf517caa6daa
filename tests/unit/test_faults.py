"""The fault matrix against the Simkl sandbox: every failure ends in a clear report, writes
nothing wrong or partial, leaves the activities baseline untouched, and the next good run
converges to the right ratings."""

from __future__ import annotations

import socket
import threading

import pytest

from .engine_env import row

EXPECTED = {("movies", 1): 6, ("movies", 2): 9, ("tvshows", 1): 5, ("tvshows", 2): 10}
AFTER_CHANGE = {**EXPECTED, ("movies", 1): 2, ("tvshows", 1): 8}


def kodi_ratings(engine) -> dict:
    return {key: engine.kodi.rating(*key) for key in EXPECTED}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def inject(path: str, kind: str, **opts):
    def setup(engine) -> dict:
        engine.sandbox.inject(path, kind, count=opts.pop("count", None), **opts)
        return {}

    return setup


def with_options(**options):
    return lambda engine: dict(options)


def timeout(engine) -> dict:
    engine.sandbox.inject("/sync/activities", "slow", count=None, seconds=1.5)
    return {"timeout": (0.3, 0.3)}


def refused(engine) -> dict:
    return {"api_url": f"http://127.0.0.1:{closed_port()}"}


def revoke_mid_run(engine) -> dict:
    """The token dies while the movies download is on its way (after activities succeeded)."""
    engine.sandbox.inject("/sync/ratings/movies", "slow", seconds=0.6)
    threading.Timer(0.2, engine.sandbox.revoke_token, args=(engine.token,)).start()
    return {}


SCENARIOS = {
    "timeout": (timeout, "network"),
    "connection refused": (refused, "network"),
    "connection dropped": (inject("/sync/ratings/shows", "drop"), "network"),
    "429 beyond the retry budget": (
        inject("/sync/ratings/movies", "429", retry_after=600), "rate_limited"),
    "503 on every try": (inject("/sync/ratings/shows", "503"), "server"),
    "401 in the middle of a run": (revoke_mid_run, "signed_out"),
    "412 client_id_failed": (with_options(client_id="unknown-client"), "client_id"),
    "malformed JSON": (inject("/sync/ratings/shows", "malformed"), "bad_response"),
    "a list where an object belongs": (
        inject("/sync/activities", "wrong_shape", body=[1, 2]), "bad_response"),
    "an object where the rows belong": (
        inject("/sync/ratings/movies", "wrong_shape", body={"movies": {"oops": 1}}),
        "bad_response"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_failed_run_reports_writes_nothing_keeps_the_baseline_and_then_converges(engine, name):
    assert engine.run().result == "ok"
    assert kodi_ratings(engine) == EXPECTED
    with open(engine.state_path, "rb") as stream:
        baseline = stream.read()
    engine.sandbox.set_rating("movies", 1, 2)
    engine.sandbox.set_rating("shows", 4, 8)
    setup, code = SCENARIOS[name]
    writes = engine.kodi.write_calls
    report = engine.run(**setup(engine))
    assert report.result == "error"
    assert report.error_code == code
    assert report.error  # a clear message, for the log and the report
    assert engine.kodi.write_calls == writes  # nothing written at all
    with open(engine.state_path, "rb") as stream:
        assert stream.read() == baseline  # the activities baseline did not move
    engine.sandbox.clear_faults()
    if name == "401 in the middle of a run":
        engine.token = engine.sandbox.issue_token()  # the user signs in again
    report = engine.run()
    assert report.result == "ok"
    assert kodi_ratings(engine) == AFTER_CHANGE


@pytest.mark.parametrize("status", ["429", "500", "502", "503"])
def test_transient_failures_within_the_retry_budget_do_not_fail_the_run(engine, status):
    engine.sandbox.inject("/sync/ratings/movies", status, count=2, retry_after=0)
    report = engine.run()
    assert report.result == "ok"
    assert report.http_requests == 6  # activities + 3 types + 2 retries
    assert kodi_ratings(engine) == EXPECTED


def test_strings_for_numbers_are_read_as_numbers(engine):
    engine.sandbox.set_raw_rating("movies", 1, "6")
    engine.sandbox.add_item("shows", {**row(60, "Year As Text", "2014", 7), "ids": {"tvdb": 555}})
    show = engine.kodi.add_tvshow("Year As Text", 2014, tvdb="555")
    report = engine.run()
    assert report.result == "ok"
    assert engine.kodi.rating("movies", 1) == 6
    assert engine.kodi.rating("tvshows", show) == 7


def test_rows_without_ids_are_reported_unmatched_never_guessed(engine):
    engine.sandbox.add_item("movies", {**row(61, "Maleficent", 2014, 1), "ids": {}})
    report = engine.run()
    assert engine.kodi.rating("movies", 1) == 6
    assert "Maleficent" in [i["title"] for i in report.unmatched_items]


def api_row(simkl: int, title: str, year: int, rating, day: int = 1, **ids) -> dict:
    """A row as /sync/ratings sends it (the sandbox's fixture format is flatter)."""
    media = {"title": title, "year": year, "ids": {"simkl": simkl, **ids}}
    when = f"2026-01-{day:02d}T10:00:00.000Z"
    return {"user_rating": rating, "user_rated_at": when, "status": "completed", "movie": media}


def test_duplicate_simkl_ids_resolve_to_the_most_recent_rating(engine):
    older = api_row(1, "Maleficent", 2014, 3, day=1, imdb="tt1587310")
    newer = api_row(1, "Maleficent", 2014, 8, day=9, imdb="tt1587310")
    engine.sandbox.inject("/sync/ratings/movies", "wrong_shape", body={"movies": [older, newer]})
    report = engine.run()
    assert engine.kodi.rating("movies", 1) == 8
    assert report.types["movies"].collisions == 1
    assert report.kodi_writes == 4


def test_a_hundred_thousand_rows_in_one_reply(engine):
    rows = [
        api_row(100000 + n, f"Film {n}", 1990 + n % 30, 1 + n % 10, imdb=f"tt{5000000 + n}")
        for n in range(100_000)
    ]
    rows.append(api_row(1, "Maleficent", 2014, 6, imdb="tt1587310"))
    engine.sandbox.inject("/sync/ratings/movies", "wrong_shape", body={"movies": rows})
    report = engine.run()
    assert report.result == "ok"
    assert report.types["movies"].rated == 100_001
    assert report.types["movies"].unmatched == 100_000
    assert engine.kodi.rating("movies", 1) == 6
