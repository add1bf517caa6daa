"""A hostile-reply fuzz of the whole add-on: `run_sync` end to end, through the real SimklClient
over HTTP, against the sandbox serving generated replies (fuzz_replies.py) for the activities,
the ratings of each type, the account and the answers to two-way's pushes.

Whatever comes back: no exception escapes the run (it returns a Report, which both shells can
save and read back, and the state it left loads), Kodi receives no rating outside 1..10 (0 only
clears one), the run holds at most MEMORY_BOUND at its peak, and it ends within TIME_BOUND.

`make test` runs a short, deterministic version (FUZZ_EXAMPLES examples, 40 by default, the
same ones every time); `make fuzz` a long one (FUZZ_EXAMPLES=2000 by default, FUZZ_SEED for
other examples than the last run's).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, seed, settings
from simkl_ratings.core.sync.report import Report

from .fuzz_replies import MEMORY_BOUND, TIME_BOUND, FuzzEnv, cases

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
