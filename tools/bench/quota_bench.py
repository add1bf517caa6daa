"""Simkl's requests a day when Simkl will not take a rating: one item it does not know (parked),
and one push that fails all day (503). The service's day is replayed on a simulated clock
(tests/unit/service_day.py: a look at Kodi every 300 s, a scheduled sync every 12 hours) with
the real engine against the sandbox. The daily quota of a new Simkl app is about 500-1,000
requests; before the outbox, a parked item made every look a sync: 288 a day and more."""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Callable

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary
from tests.sandbox.simkl_sandbox import SimklSandbox
from tests.unit.engine_env import ACCOUNT, CLIENT, Engine, build_library
from tests.unit.service_day import EDIT_CHECK, SCHEDULE, START, edit_in_kodi, one_day

from .report import Row

SCHEDULED_SYNCS = 24 * 3600 // SCHEDULE  # what the schedule alone costs: one request each


def _engine(sandbox: SimklSandbox, folder: str) -> Engine:
    kodi = FakeKodiLibrary()
    build_library(kodi)
    engine = Engine(sandbox, kodi, folder)
    assert engine.run(two_way=True, clock=lambda: START).result == "ok"  # the baseline
    return engine


def measure(log: Callable[[str], None]) -> dict[str, dict[str, object]]:
    engine_log = logging.getLogger("simkl_ratings")
    level = engine_log.level
    engine_log.setLevel(logging.CRITICAL)  # the day's 503s are the point, not news
    try:
        return _measure(log)
    finally:
        engine_log.setLevel(level)


def _measure(log: Callable[[str], None]) -> dict[str, dict[str, object]]:
    days: dict[str, dict[str, object]] = {}
    with SimklSandbox(copy.deepcopy(ACCOUNT), client_ids=(CLIENT,)) as sandbox:
        with tempfile.TemporaryDirectory() as folder:
            engine = _engine(sandbox, folder)
            edit_in_kodi(engine, "Only In Kodi", "tt0000404", 7)
            engine.run(two_way=True, clock=lambda: START)  # sent once: not_found, parked
            days["parked"] = one_day(engine)
        sandbox.reset_account(copy.deepcopy(ACCOUNT))
        with tempfile.TemporaryDirectory() as folder:
            engine = _engine(sandbox, folder)
            edit_in_kodi(engine, "Also Only In Kodi", "tt0000405", 6)
            sandbox.inject("/sync/ratings", "503", count=None, method="POST")
            engine.run(two_way=True, clock=lambda: START, keep=True)
            days["failing"] = one_day(engine)
    log(f"quota: parked {days['parked']['all']}, failing {days['failing']['all']} requests a day")
    return days


def rows(days: dict[str, dict[str, object]]) -> list[Row]:
    parked, failing = days["parked"], days["failing"]
    looks = 24 * 3600 // EDIT_CHECK
    return [
        Row(
            "parked_day",
            f"Two-way: Simkl requests a day with one parked item (look at Kodi every "
            f"{EDIT_CHECK} s, {looks} looks; a sync every {SCHEDULE // 3600} h)",
            f"{parked['all']} requests ({parked['syncs']} syncs, {parked['pushes']} pushes)",
            f"= the schedule alone ({SCHEDULED_SYNCS})",
            parked["all"] == SCHEDULED_SYNCS,
            "" if parked["all"] == SCHEDULED_SYNCS else "a parked item costs requests",
        ),
        Row(
            "failing_day",
            "Two-way: Simkl requests a day with one push failing all day (503)",
            f"{failing['all']} requests ({failing['pushes']} tries, at minutes "
            f"{', '.join(str(m) for m in failing['pushed_at'])})",
            "≤ 2 per hour",
            int(failing["all"]) <= 48,
            "" if int(failing["all"]) <= 48 else "retries not backing off",
        ),
    ]
