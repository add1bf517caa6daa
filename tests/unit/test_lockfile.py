"""Rule: lock takeover is atomic. Two contenders for a stale lock (the sync lock, or the
sign-in's refresh lock) never both win, whatever the timing: real processes race for it."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
from simkl_ratings.core.lockfile import LockFile, boot_id
from simkl_ratings.core.simkl.tokens import FileLock
from simkl_ratings.core.sync.lock import RunLock

CONTENDERS = 6
ROUNDS = 25


def _stale_lock(path: str) -> None:
    """What a run killed in an earlier boot leaves behind."""
    with open(path, "w") as stream:
        json.dump({"token": "dead", "beat": 0, "boot": "an-earlier-boot", "mono": 1.0}, stream)


def _contend(kind: str, folder: str, start, done, results) -> None:
    for round_number in range(ROUNDS):
        start.wait()
        if kind == "run":
            lock = RunLock(folder, "session")
            won = lock.acquire(f"contender-{os.getpid()}")
        else:
            lock = FileLock(os.path.join(folder, "token.lock"))
            won = lock.try_acquire()
        results.put((round_number, won))
        done.wait()  # everyone has tried: the parent plants the next stale lock
        if won:
            lock.release()
        done.wait()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to race real processes")
@pytest.mark.parametrize(("kind", "name"), [("run", "sync.lock"), ("token", "token.lock")])
def test_two_contenders_never_both_take_a_stale_lock(tmp_path, kind, name):
    assert boot_id(), "this test needs the system's boot id (Linux)"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(CONTENDERS + 1)
    done = context.Barrier(CONTENDERS + 1)
    results = context.Queue()
    path = str(tmp_path / name)
    workers = [
        context.Process(target=_contend, args=(kind, str(tmp_path), start, done, results))
        for _ in range(CONTENDERS)
    ]
    for worker in workers:
        worker.start()
    winners: dict[int, int] = {}
    try:
        for round_number in range(ROUNDS):
            _stale_lock(path)
            start.wait(timeout=30)
            for _ in range(CONTENDERS):
                got, won = results.get(timeout=30)
                assert got == round_number
                winners[got] = winners.get(got, 0) + int(won)
            done.wait(timeout=30)
            done.wait(timeout=30)
    finally:
        for worker in workers:
            worker.join(timeout=30)
    assert winners == {n: 1 for n in range(ROUNDS)}
    assert not [f for f in os.listdir(tmp_path) if f.endswith((".grab", ".tmp"))]


def test_a_holder_that_lost_its_lock_learns_it_at_the_next_heartbeat(tmp_path):
    now = [100.0]
    clock = {"monotonic": lambda: now[0], "wall": lambda: now[0], "boot": lambda: "b"}
    holder = LockFile(str(tmp_path / "x.lock"), stale_after=10, **clock)
    assert holder.try_acquire()
    now[0] = 200.0  # the holder hung for longer than the stale time
    other = LockFile(str(tmp_path / "x.lock"), stale_after=10, **clock)
    assert other.try_acquire()
    assert holder.refresh() is False
    holder.release()  # never removes the lock it lost
    assert other.refresh() is True
