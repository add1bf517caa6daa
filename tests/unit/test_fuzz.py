"""A hostile-reply fuzz of the whole add-on: `run_sync` end to end, through the real SimklClient
over HTTP, against the sandbox serving generated replies (fuzz_replies.py) for the activities,
the ratings of each type, the account and the answers to two-way's pushes.

Whatever comes back: no exception escapes the run (it returns a Report, which both shells can
save and read back, and the state it left loads), Kodi receives no rating outside 1..10 (0 only
clears one), the run holds at most MEMORY_BOUND at its peak, ends within TIME_BOUND, and logs no
line longer than LOG_LINE_BOUND.

`make test` runs a short, deterministic version (FUZZ_EXAMPLES examples, 40 by default, the
same ones every time); `make fuzz` a long one (FUZZ_EXAMPLES=2000 by default, FUZZ_SEED for
other examples than the last run's).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, seed, settings
from simkl_ratings.core.files import read_json, write_json_atomic
from simkl_ratings.core.sync.report import Report

from tests.sandbox.hostile import Raw

from .fuzz_replies import LOG_LINE_BOUND, MEMORY_BOUND, TIME_BOUND, Case, FuzzEnv, Reply, cases

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
SEED = os.environ.get("FUZZ_SEED")


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory):
    env = FuzzEnv(str(tmp_path_factory.mktemp("fuzz")))
    yield env
    env.close()


def _settings(test):
    chosen = settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )(test)
    return seed(int(SEED))(chosen) if SEED is not None else chosen


@_settings
@given(case=cases)
def test_no_hostile_reply_crashes_a_run_writes_outside_1_to_10_or_holds_it(fuzz, case):
    outcome = fuzz.check(case)
    assert isinstance(outcome.report, Report)
    assert outcome.report.result in ("ok", "error", "cancelled")
    for value in outcome.writes:
        assert type(value) is int and 0 <= value <= 10, value
    assert outcome.peak < MEMORY_BOUND, outcome.peak
    assert outcome.seconds < TIME_BOUND, outcome.seconds
    assert outcome.longest_log_line < LOG_LINE_BOUND, outcome.longest_log_line


# -- cases found or worth keeping, run every time ----------------------------------------------

MOVED = {"all": "2027-01-01T00:00:00Z", "movies": {"rated_at": "2027-01-01T00:00:00Z"}}


def movie_rows(*rows) -> dict:
    return {"movies": list(rows)}


def movie(title="Maleficent", rating=6, year=2014, ids=None) -> dict:
    media = {"title": title, "year": year, "ids": ids or {"simkl": 1, "imdb": "tt1587310"}}
    return {"user_rating": rating, "user_rated_at": "2027-01-01T00:00:00Z", "movie": media}


def ratings_case(body, wire="json", **options) -> Case:
    return Case(
        answers={
            ("GET", "/sync/activities"): Reply(200, MOVED, "json"),
            ("GET", "/sync/ratings/movies"): Reply(200, body, wire),
        },
        **options,
    )


SURROGATE_KEY = Raw('{"\\udc00": 1}')
KNOWN = {
    "a lone surrogate in a title": ratings_case(movie_rows(movie(Raw('"\\ud800 x"')))),
    "a lone surrogate as a key of the activities": Case(
        answers={("GET", "/sync/activities"): Reply(200, {**MOVED, "y": SURROGATE_KEY}, "json")}
    ),
    "a title of 2 MB": ratings_case(movie_rows(movie("x" * 2_000_000))),
    "a year of 5,000 digits": ratings_case(movie_rows(movie(year=Raw("1" * 5000)))),
    "a rating of 1e400": ratings_case(movie_rows(movie(rating=Raw("1e400")))),
    "a rating of 2 MB": ratings_case(movie_rows(movie(rating="7" * 2_000_000))),
    "a rating of 4,000 digits": ratings_case(movie_rows(movie(rating=Raw("7" * 4000)))),
    "ids like paths and SQL": ratings_case(
        movie_rows(movie(ids={"imdb": "../../etc/passwd", "tmdb": "1; DROP TABLE movie;--"}))
    ),
    "a gzip bomb for the movies": ratings_case({}, wire="gzip bomb"),
    **{
        f"a push answered with a simkl id of {what}": Case(
            two_way=True,
            answers={
                ("POST", "/sync/ratings"): Reply(
                    201,
                    {"added": {"movies": 0}, "not_found": {"movies": [{"ids": {"simkl": v}}]}},
                    "json",
                )
            },
        )
        for what, v in (("a superscript two", "²"), ("5,000 digits", "7" * 5000))
    },
    "the account id NaN": Case(
        answers={
            ("GET", "/sync/activities"): Reply(200, {**MOVED, "settings": {"all": "2030"}}, "json"),
            ("POST", "/users/settings"): Reply(200, {"account": {"id": Raw("NaN")}}, "json"),
        }
    ),
    **{
        f"activities nested {depth} deep": Case(
            answers={
                ("GET", "/sync/activities"): Reply(
                    200, {**MOVED, "x": Raw("[" * depth + "]" * depth)}, "json"
                )
            }
        )
        for depth in (900, 950, 970, 980, 990, 1000, 5000)
    },
}


@pytest.mark.parametrize("name", list(KNOWN))
def test_known_hostile_replies(fuzz, name):
    outcome = fuzz.check(KNOWN[name])
    assert outcome.report.result in ("ok", "error")
    for value in outcome.writes:
        assert type(value) is int and 0 <= value <= 10, value
    assert outcome.peak < MEMORY_BOUND
    assert outcome.longest_log_line < LOG_LINE_BOUND


def test_a_lone_surrogate_is_written_and_read_back_as_it_came(tmp_path):
    path = str(tmp_path / "x.json")
    write_json_atomic(path, {"title": "a \ud800 b", "\udc00": 1})
    assert read_json(path) == {"title": "a \ud800 b", "\udc00": 1}


# -- a finding the engine's rule `protect_unreadable` settles ------------------------------------


@pytest.mark.parametrize("garbage", [11, 0, "x", 7.5])
def test_an_unreadable_rating_does_not_clear_what_the_add_on_wrote(engine, garbage):
    """README: rows with a rating that is not a whole number from 1 to 10 are skipped and
    reported. Skipped is not removed: Simkl still holds a rating for the item (only `null` or
    the row's absence says the user removed it), so Kodi's rating must stay."""
    assert engine.run().result == "ok"
    assert engine.kodi.rating("movies", 1) == 6
    engine.sandbox.set_raw_rating("movies", 1, garbage)
    report = engine.run()
    assert report.types["movies"].skipped == 1
    assert engine.kodi.rating("movies", 1) == 6  # protected: an unreadable row is not a removal
    assert report.types["movies"].cleared == 0
