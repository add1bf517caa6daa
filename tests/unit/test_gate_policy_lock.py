"""The activity comparison, the policy table and the run lock, as tables."""

from __future__ import annotations

import json
import os
import time

import pytest
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.activities import compare
from simkl_ratings.core.sync.lock import RunLock
from simkl_ratings.core.sync.policy import Outcome, Policy, decide

GROUPS = ("movies", "tv_shows", "anime")


def acts(movies_rated=None, removed=None, all_=None, settings=None):
    return {
        "all": all_,
        "settings": {"all": settings},
        "movies": {"rated_at": movies_rated, "removed_from_list": removed},
    }


@pytest.mark.parametrize(
    ("old", "new", "groups", "regressed"),
    [
        (acts("2026-01-01T00:00:00Z"), acts("2026-01-01T00:00:00.000Z"), set(), False),
        (acts(None), acts("2026-01-01T00:00:00Z"), {"movies"}, False),
        (acts("2026-01-01T00:00:00Z"), acts("2026-01-02T00:00:00Z"), {"movies"}, False),
        (
            acts(removed="2026-01-01T00:00:00Z"),
            acts(removed="2026-01-03T00:00:00Z"),
            {"movies"},
            False,
        ),
        (acts("2026-01-02T00:00:00Z"), acts("2026-01-01T00:00:00Z"), {"movies"}, True),
        (acts("2026-01-02T00:00:00Z"), acts(None), {"movies"}, True),
        (acts(all_="2026-02-01T00:00:00Z"), acts(all_="2026-01-01T00:00:00Z"), set(), True),
        (None, acts(), set(), False),
    ],
)
def test_activity_changes_compare_instants_and_spot_regressions(old, new, groups, regressed):
    changes = compare(old, new, GROUPS)
    assert set(changes.groups) == groups
    assert changes.regressed is regressed


def test_settings_moving_is_reported():
    old = acts(settings="2026-01-01T00:00:00Z")
    assert compare(old, acts(settings="2026-01-02T00:00:00Z"), GROUPS).settings_moved
    assert not compare(old, old, GROUPS).settings_moved


R = Rating
W, K = Outcome.WRITE, Outcome.KEPT_LOCAL


@pytest.mark.parametrize(
    ("policy", "kodi", "last_written", "outcome"),
    [
        (Policy.SIMKL_WINS, None, None, W),
        (Policy.SIMKL_WINS, R(4), 4, W),
        (Policy.SIMKL_WINS, R(4), None, W),
        (Policy.SIMKL_WINS, R(4), 6, W),
        (Policy.FILL_EMPTY, None, None, W),
        (Policy.FILL_EMPTY, R(4), 4, K),
        (Policy.FILL_EMPTY, R(4), None, K),
        (Policy.KEEP_LOCAL, None, 5, W),
        (Policy.KEEP_LOCAL, R(4), 4, W),
        (Policy.KEEP_LOCAL, R(4), None, K),
        (Policy.KEEP_LOCAL, R(4), 6, K),
    ],
)
def test_the_policy_table(policy, kodi, last_written, outcome):
    assert decide(policy, kodi, last_written) is outcome


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def clocks(clock: Clock, boot: str = "boot-1") -> dict:
    """The lock's monotonic and wall clocks, both `clock`, in one boot."""
    return {"monotonic": clock, "wall": clock, "boot": lambda: boot}


def test_one_run_at_a_time_in_one_kodi_session(tmp_path):
    clock = Clock(1000.0)
    service = RunLock(str(tmp_path), "session-a", **clocks(clock))
    manual = RunLock(str(tmp_path), "session-a", **clocks(clock))
    assert service.acquire("service")
    assert not manual.acquire("manual")
    service.release()
    assert manual.acquire("manual")
    manual.release()
    assert not os.path.exists(tmp_path / "sync.lock")


def test_a_lock_from_an_earlier_kodi_session_is_stale(tmp_path):
    crashed = RunLock(str(tmp_path), "before-the-crash", **clocks(Clock(1000.0)))
    assert crashed.acquire("service")
    after_restart = RunLock(str(tmp_path), "after-restart", **clocks(Clock(1001.0)))
    assert after_restart.acquire("manual")


def test_a_lock_not_refreshed_for_too_long_is_stale_and_refresh_keeps_it_alive(tmp_path):
    clock = Clock(1000.0)
    holder = RunLock(str(tmp_path), "s", stale_after=60, **clocks(clock))
    other = RunLock(str(tmp_path), "s", stale_after=60, **clocks(clock))
    assert holder.acquire("service")
    clock.now = 1050.0
    holder.refresh()
    clock.now = 1100.0
    assert not other.acquire("manual")
    clock.now = 1200.0
    assert other.acquire("manual")


def test_release_only_removes_our_own_lock(tmp_path):
    clock = Clock(1000.0)
    first = RunLock(str(tmp_path), "old", **clocks(clock))
    first.acquire("service")
    second = RunLock(str(tmp_path), "new", **clocks(clock))
    assert second.acquire("manual")  # took over the stale one
    first.release()
    with open(tmp_path / "sync.lock") as stream:
        assert json.load(stream)["owner"] == "manual"


def test_an_unreadable_lock_file_is_stale_once_it_is_a_few_seconds_old(tmp_path):
    path = tmp_path / "sync.lock"
    path.write_text("")  # where hard links are missing, a lock is created, then written
    assert not RunLock(str(tmp_path), "s").acquire("manual")
    old = time.time() - 10
    os.utime(path, (old, old))
    assert RunLock(str(tmp_path), "s").acquire("manual")


def test_a_lock_of_an_earlier_boot_is_stale_and_a_wall_clock_jump_changes_nothing(tmp_path):
    clock = Clock(1000.0)
    before = RunLock(str(tmp_path), "s", **clocks(clock, "boot-1"))
    assert before.acquire("service")
    same_boot = RunLock(
        str(tmp_path), "s", monotonic=clock, wall=lambda: 5.0, boot=lambda: "boot-1"
    )
    assert not same_boot.acquire("manual")  # the wall clock went back hours: still live
    after_reboot = RunLock(str(tmp_path), "s", **clocks(Clock(3.0), "boot-2"))
    assert after_reboot.acquire("manual")
