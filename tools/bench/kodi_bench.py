"""The add-on in a real headless Kodi with a large library, against the floor on the same Kodi.

One Kodi (tests/e2e harness: Xvfb, kodi.bin on free ports, HOME on tmpfs) gets the benchmark
library by a real scan, the add-on from its zip, and a Simkl sandbox account. The video DB is
snapshotted after the scan; every cold round (floor or add-on) starts from that snapshot with a
freshly started Kodi that has gone quiet, so rounds compare like with like. Writes are counted
twice: by the add-on's report and by SQLite triggers in Kodi's DB.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.e2e import addon_install, library_gen
from tests.e2e.addon_driver import ADDON_ID, CLIENT_ID, AddonDriver
from tests.e2e.host import mtime_ns, tmpfs_workdir, wait_for
from tests.e2e.kodi_harness import KodiInstance
from tests.sandbox.simkl_sandbox import SimklSandbox

from . import floor
from .dataset import Dataset, pick_changes
from .latency import Pinger
from .procstat import (
    RssSampler,
    cpu_seconds,
    status_kib,
    thread_cpu,
    thread_delta,
    wait_quiet,
)
from .two_way_bench import TwoWayBench, TwoWayResults

BATCH_SIZE = 100
MIB = 1024
Log = Callable[[str], None]
Expected = set[tuple[str, int, int]]  # (table, Kodi id, new userrating)


@dataclass
class SyncRun:
    """One add-on run as Kodi, the sandbox and the DB saw it."""

    label: str
    wall_s: float
    kodi_cpu_s: float
    rss_start_mib: float
    rss_peak_mib: float
    vmhwm_mib: float
    http_requests: int
    jsonrpc_requests: int
    kodi_writes: int
    trigger_writes: int
    result: str
    mode: str
    activities_unchanged: bool
    writes_as_expected: bool | None
    phases: dict[str, float] = field(default_factory=dict)
    threads: dict[str, float] = field(default_factory=dict)
    latency: dict[str, Any] | None = None
    addon_log: list[str] = field(default_factory=list)


@dataclass
class IdleRun:
    """CPU share of one core per slice, with the add-on's service running or disabled."""

    seconds: float
    addon_enabled: list[float]
    addon_disabled: list[float]
    service_stopped_logged: bool


@dataclass
class KodiResults:
    setup: dict[str, float] = field(default_factory=dict)
    kodi_version: str = ""
    floor: list[floor.FloorRound] = field(default_factory=list)
    cold: list[SyncRun] = field(default_factory=list)
    ping_round: SyncRun | None = None
    idle_latency: dict[str, Any] = field(default_factory=dict)
    unchanged: list[SyncRun] = field(default_factory=list)
    changed: SyncRun | None = None
    idle: IdleRun | None = None
    expected_writes: int = 0
    two_way: TwoWayResults | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sqlite_utc(text: str) -> float:
    """The write counter's ``strftime('%Y-%m-%d %H:%M:%f', 'now')`` as a Unix time."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    return moment.replace(tzinfo=timezone.utc).timestamp()


def _log_time(line: str) -> float | None:
    """Unix time of a kodi.log line (Kodi writes local time, to the millisecond)."""
    try:
        moment = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return None
    return moment.timestamp()


class KodiBench:
    """Owns the Kodi, the sandbox and the add-on driver for one benchmark run."""

    def __init__(self, dataset: Dataset, zip_path: Path, log: Log, rounds: int = 3) -> None:
        self.dataset = dataset
        self.zip_path = zip_path
        self.log = log
        self.rounds = rounds
        self.workdir = tmpfs_workdir("kodi-bench-")
        self.kodi = KodiInstance(self.workdir, start_timeout=180)
        self.driver = AddonDriver(self.kodi)
        self.sandbox = SimklSandbox(dataset.fixture, client_ids=(CLIENT_ID,))
        self.results = KodiResults()
        self.first_writes: list[floor.Write] = []

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        self.kodi.stop()
        self.sandbox.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _timed(self, key: str, action: Callable[[], object]) -> None:
        began = time.monotonic()
        action()
        self.results.setup[key] = time.monotonic() - began

    def setup(self) -> None:
        """Library by a real scan, module add-ons, write counter, the add-on, a DB snapshot."""
        kodi = self.kodi
        self.sandbox.start()
        modules = kodi.build_module_addons()
        self._timed("kodi_start_s", kodi.start)
        self.results.kodi_version = self._kodi_version()
        media = self.workdir / "media"
        sources: dict[Path, str] = {}

        def write_tree() -> None:
            sources.update(library_gen.write_media_tree(self.dataset.spec, media))
            library_gen.write_sources_xml(kodi.userdata, sources)
            library_gen.insert_path_rows(kodi.video_db_path(), sources)

        self._timed("nfo_tree_s", write_tree)
        self.log(f"kodi: NFO tree written in {self.results.setup['nfo_tree_s']:.1f} s; scanning…")
        self._timed("scan_s", lambda: [kodi.scan(d, timeout=1200) for d in sources])
        counts = kodi.library_counts()
        self.results.setup.update({f"library_{k}": v for k, v in counts.items()})
        self.log(f"kodi: scanned {counts} in {self.results.setup['scan_s']:.1f} s")
        kodi.enable_addons(modules)
        kodi.install_write_counter()
        self._install_addon()
        self._timed("snapshot_s", kodi.snapshot_db)
        self.first_writes = self._expected_first_writes()
        self.results.expected_writes = len(self.first_writes)

    def _kodi_version(self) -> str:
        props = self.kodi.call("Application.GetProperties", {"properties": ["version", "name"]})
        version = props["version"]
        return f"{version['major']}.{version['minor']}"

    def _install_addon(self) -> None:
        kodi = self.kodi
        kodi.quit_kodi()
        addon_install.extract_addon_zip(self.zip_path, kodi.addons_dir)
        kodi.write_addon_settings(ADDON_ID, self.addon_settings())
        kodi.start()
        kodi.enable_addons([ADDON_ID])
        self.driver.seed_token(self.sandbox.issue_token())

    def addon_settings(self, **extra: str) -> dict[str, str]:
        return {
            "api_url": self.sandbox.url,
            "client_id": CLIENT_ID,
            "debug": "true",
            "sync_on_start": "false",
            "batch_size": str(BATCH_SIZE),
            **extra,
        }

    def _expected_first_writes(self) -> list[floor.Write]:
        """The account turned into (kind, Kodi id, value), in the order the add-on plans."""
        ids = floor.library_ids(self.kodi.tcp_port)
        writes = []
        for rated in self.dataset.in_library:
            assert rated.kind is not None and rated.lookup is not None
            writes.append((rated.kind, ids[(rated.kind, *rated.lookup)], rated.rating))
        return writes

    def fresh_kodi(self) -> None:
        """DB from the snapshot, Kodi restarted and quiet, add-on state of a first run."""
        self.kodi.restore_db()
        self.driver.reset_state()
        self.kodi.call("JSONRPC.SetConfiguration", {"notifications": floor.NO_NOTIFICATIONS})
        pid = self.kodi.kodi_pid
        assert pid is not None
        wait_quiet(pid)

    # -- measuring -------------------------------------------------------------------------------
    def floor_round(self) -> floor.FloorRound:
        self.fresh_kodi()
        pid = self.kodi.kodi_pid
        assert pid is not None
        return floor.measure(self.kodi.tcp_port, pid, self.first_writes, BATCH_SIZE)

    def _wait_report(self, before: int | None, mark: int, timeout: float = 300.0) -> float:
        """The report file's new mtime (Unix time): when the run wrote its report. Gives up
        early when the add-on left a Python traceback in kodi.log."""
        path = self.driver.report_path
        deadline = time.monotonic() + timeout
        next_log_check = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            now = mtime_ns(path)
            if now is not None and now != before:
                return now / 1e9
            if time.monotonic() >= next_log_check:
                next_log_check += 1.0
                errors = self.kodi.log_tracebacks(ADDON_ID, since=mark)
                if errors:
                    raise RuntimeError("the add-on failed:\n" + "\n".join(errors))
            time.sleep(0.005)
        raise TimeoutError(f"{path} not written within {timeout} s")

    def _phases(self, began: float, ended: float, log_lines: list[str]) -> dict[str, float]:
        """Where the wall time went, from kodi.log (the add-on logs its action once its
        interpreter, imports and settings are ready), the sandbox's request times and the DB's
        write times: start-up, Simkl, read + plan, writes, state + report."""
        marks = [r.time for r in self.sandbox.requests]
        conn = self.kodi.db_connect()
        try:
            first, last = conn.execute("SELECT MIN(at), MAX(at) FROM e2e_writes").fetchone()
        finally:
            conn.close()
        phases: dict[str, float] = {}
        cursor = began
        action = next((_log_time(line) for line in log_lines if "] action " in line), None)
        if action is not None:
            phases["start_to_action_logged"] = action - began
            cursor = action
        if marks:
            phases["to_first_http"] = min(marks) - cursor
            phases["http"] = max(marks) - min(marks)
            cursor = max(marks)
        if first is not None:
            phases["read_plan_until_first_write"] = _sqlite_utc(first) - cursor
            phases["writes"] = _sqlite_utc(last) - _sqlite_utc(first)
            cursor = _sqlite_utc(last)
        phases["until_report"] = ended - cursor
        return phases

    def sync(self, label: str, expected: Expected | None, *, ping: bool = False) -> SyncRun:
        """One ``sync`` action: wall, Kodi CPU and memory, requests, writes (both counts)."""
        kodi, pid = self.kodi, self.kodi.kodi_pid
        assert pid is not None
        wait_quiet(pid)  # e.g. the previous run's notification still fading out
        self.sandbox.clear_requests()
        kodi.reset_write_counter()
        mark = kodi.log_mark()
        before = mtime_ns(self.driver.report_path)
        probe = Pinger(kodi.tcp_port) if ping else contextlib.nullcontext()
        with probe as pinger, RssSampler(pid) as rss:
            threads_before = thread_cpu(pid)
            cpu_before, began = cpu_seconds(pid), time.time()
            kodi.execute_addon(ADDON_ID, ["sync"])
            ended = self._wait_report(before, mark)
            cpu = cpu_seconds(pid) - cpu_before
            threads = thread_delta(threads_before, thread_cpu(pid))
        wait_for(lambda: not (self.driver.profile / "sync.lock").exists(), timeout=60)
        report = self.driver.report()
        log_lines = [line for line in kodi.log_since(mark).splitlines() if f"[{ADDON_ID}]" in line]
        return SyncRun(
            label=label,
            wall_s=ended - began,
            kodi_cpu_s=cpu,
            rss_start_mib=rss.start_kib / MIB,
            rss_peak_mib=rss.peak_kib / MIB,
            vmhwm_mib=status_kib(pid, "VmHWM") / MIB,
            http_requests=self.sandbox.request_count(),
            jsonrpc_requests=int(report.get("jsonrpc_requests", -1)),
            kodi_writes=int(report.get("kodi_writes", -1)),
            trigger_writes=kodi.write_count(),
            result=str(report.get("result")),
            mode=str(report.get("mode")),
            activities_unchanged=bool(report.get("activities_unchanged")),
            writes_as_expected=None if expected is None else self._writes_match(expected),
            phases=self._phases(began, ended, log_lines),
            threads=threads,
            latency=pinger.result.summary() if isinstance(pinger, Pinger) else None,
            addon_log=log_lines[-40:],
        )

    def _writes_match(self, expected: Expected) -> bool:
        done = {(table, item, new) for table, item, _old, new in self.kodi.write_log()}
        return done == expected and len(self.kodi.write_log()) == len(expected)

    def idle_latency(self, seconds: float = 3.0) -> dict[str, Any]:
        """The same probes with nothing running: the reference for the sync's latencies."""
        with Pinger(self.kodi.tcp_port) as pinger:
            time.sleep(seconds)
        return pinger.result.summary()

    def idle(self, seconds: float, slices: int) -> IdleRun:
        """Kodi's CPU with the service idling between syncs, then with the add-on disabled."""
        pid = self.kodi.kodi_pid
        assert pid is not None
        wait_quiet(pid, timeout=30)
        enabled = self._cpu_slices(pid, seconds, slices)
        mark = self.kodi.log_mark()
        self.kodi.call("Addons.SetAddonEnabled", {"addonid": ADDON_ID, "enabled": False})
        time.sleep(2)
        wait_quiet(pid, timeout=30)
        stopped = "service stopped" in self.kodi.log_since(mark)
        disabled = self._cpu_slices(pid, seconds, slices)
        return IdleRun(seconds, enabled, disabled, stopped)

    @staticmethod
    def _cpu_slices(pid: int, seconds: float, slices: int) -> list[float]:
        length = seconds / slices
        shares = []
        for _ in range(slices):
            before, began = cpu_seconds(pid), time.monotonic()
            time.sleep(length)
            shares.append((cpu_seconds(pid) - before) / (time.monotonic() - began))
        return shares

    # -- the scenario ----------------------------------------------------------------------------
    def first_expected(self) -> Expected:
        return {(kind, kodi_id, value) for kind, kodi_id, value in self.first_writes}

    def run(
        self,
        idle_seconds: float = 60.0,
        idle_slices: int = 6,
        two_way: bool = True,
        two_way_only: bool = False,
    ) -> KodiResults:
        """Floor and cold add-on rounds interleaved; then a cold run probed for latency,
        followed by no-change runs, 100 changes, the idle comparison, and two-way."""
        results = self.results
        if two_way_only:
            return self._two_way(results)
        for number in range(1, self.rounds + 1):
            results.floor.append(self.floor_round())
            self.log(f"kodi: floor round {number}: {results.floor[-1].wall_s:.2f} s")
            self.fresh_kodi()
            results.cold.append(self.sync(f"cold {number}", self.first_expected()))
            self.log(f"kodi: first sync round {number}: {results.cold[-1].wall_s:.2f} s")
        self.fresh_kodi()
        results.idle_latency = self.idle_latency()
        results.ping_round = self.sync("cold, probed", self.first_expected(), ping=True)
        self.log(f"kodi: probed first sync: {results.ping_round.wall_s:.2f} s")
        for number in range(1, self.rounds + 1):
            results.unchanged.append(self.sync(f"no change {number}", set()))
        self.log(f"kodi: no-change syncs: {[round(r.wall_s, 2) for r in results.unchanged]}")
        results.changed = self.sync("100 changes", self._change_ratings())
        self.log(f"kodi: after 100 changes: {results.changed.trigger_writes} writes")
        self.log(f"kodi: idle {idle_seconds:.0f} s with the service, then disabled…")
        results.idle = self.idle(idle_seconds, idle_slices)
        return self._two_way(results) if two_way else results

    def _two_way(self, results: KodiResults) -> KodiResults:
        self.log("kodi: two-way on: first run with ratings only in Kodi…")
        results.two_way = TwoWayBench(self).run(self.rounds)
        consent = results.two_way.consent
        assert consent is not None
        self.log(
            f"kodi: two-way: {len(consent.posts)} POSTs in {consent.push_wall_s:.1f} s; "
            f"no change {[round(r.wall_s, 2) for r in results.two_way.unchanged]} s"
        )
        return results

    def _change_ratings(self) -> Expected:
        """Rate 100 library items anew on Simkl; the writes that must follow."""
        by_simkl = {
            (r.simkl_type, r.simkl_id): (kind, kodi_id)
            for r, (kind, kodi_id, _value) in zip(self.dataset.in_library, self.first_writes)
        }
        expected: Expected = set()
        for rated, value in pick_changes(self.dataset):
            self.sandbox.set_rating(rated.simkl_type, rated.simkl_id, value)
            kind, kodi_id = by_simkl[(rated.simkl_type, rated.simkl_id)]
            expected.add((kind, kodi_id, value))
        return expected


@contextlib.contextmanager
def kodi_bench(dataset: Dataset, zip_path: Path, log: Log, rounds: int) -> Iterator[KodiBench]:
    bench = KodiBench(dataset, zip_path, log, rounds)
    try:
        yield bench
    finally:
        bench.close()
