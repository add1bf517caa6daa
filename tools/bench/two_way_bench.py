"""Two-way in the same Kodi, after the one-way scenario: ratings made in Kodi go to Simkl.

Kodi restarts with `two_way` on (the service's own look for edits every hour, so it never
pushes behind the bench's back) on the snapshot DB, with fresh add-on state and the sandbox
account as the fixture left it. Then, as a user would meet them:

1. **First two-way run**: `kodi_only` library items Simkl has no rating for are rated in Kodi
   (JSON-RPC batches of Set…Details, as a remote app would). A manual sync pulls and lists them;
   the add-on asks yes/no; the bench answers **Yes over JSON-RPC** (Input.Left from "No" to
   "Yes", checked with System.CurrentControlId, then Input.Select), and the same action sends
   them. The sandbox's request log says how many POSTs, with which items, and when; the
   sandbox's own answering time is measured apart, so the spacing, Simkl and the add-on's own
   work can be told apart.
2. A settling sync (Simkl moved: our pushes), then **nothing changed** syncs.
3. **100 ratings changed in Kodi** (one JSON-RPC batch), then a sync: what was POSTed, and the
   Kodi writes by the report and the SQLite triggers.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simkl_ratings.core.sync.state import SyncStateStore

from tests.e2e.addon_driver import ADDON_ID
from tests.e2e.host import mtime_ns, wait_for

from . import OUTPUT, floor
from .dataset import pick_changes
from .procstat import cpu_seconds, wait_quiet

if TYPE_CHECKING:
    from .kodi_bench import KodiBench, SyncRun

ADD = "/sync/ratings"
YES_BUTTON = "11"  # DialogConfirm: Yes (11) left of No (10), No focused by default
EDIT_CHECK = 3600  # the service looks for Kodi edits once an hour: never during the bench
CHANGES = 100
CHANGE_SHIFT = 5  # new value = account's + 5 (mod 10): never what Simkl or Kodi holds


@dataclass
class Post:
    """One POST the sandbox answered: when it was logged, how long the sandbox took."""

    at: float
    handled_s: float
    items: int


@dataclass
class ConsentRun:
    """The first two-way manual sync: the pull (report 1), the question, the pushes (report 2)."""

    kodi_only: int
    pull_wall_s: float  # action -> first report
    pull_http: int
    pull_writes: int
    listed: int  # ratings only in Kodi the first report lists
    question_after_s: float  # first report -> the yes/no visible
    consent: str
    push_wall_s: float  # Yes -> second report
    push_kodi_cpu_s: float
    push_http: int
    posts: list[Post] = field(default_factory=list)
    pushed_reported: int = 0
    push_failed: int = 0
    result: str = ""
    items_as_expected: bool = False
    phases: dict[str, float] = field(default_factory=dict)
    settle: dict[str, Any] = field(default_factory=dict)  # the next sync, Simkl having moved


@dataclass
class TwoWayResults:
    consent: ConsentRun | None = None
    unchanged: list[SyncRun] = field(default_factory=list)
    unchanged_posts: list[int] = field(default_factory=list)
    unchanged_breakdown: dict[str, float] = field(default_factory=dict)
    changed: SyncRun | None = None
    changed_posts: list[int] = field(default_factory=list)  # items per POST
    changed_pushed: int = 0
    changed_items_as_expected: bool = False


class TwoWayBench:
    def __init__(self, bench: KodiBench) -> None:
        self.bench = bench
        self.kodi = bench.kodi
        self.sandbox = bench.sandbox
        self.handled: list[tuple[str, str, float]] = []  # (method, path, seconds)
        handle = self.sandbox.handle

        def timed(req: Any) -> Any:
            began = time.perf_counter()
            try:
                return handle(req)
            finally:
                self.handled.append((req.method, req.path, time.perf_counter() - began))

        self.sandbox.handle = timed  # type: ignore[method-assign]

    # -- set-up ----------------------------------------------------------------------------------
    def restart_two_way(self) -> None:
        """Kodi with two-way on (settings are cached by Kodi: written while it is stopped), the
        snapshot DB, fresh add-on state, the account as the fixture has it, the add-on enabled."""
        bench, kodi = self.bench, self.kodi
        kodi.quit_kodi()
        kodi.write_addon_settings(
            ADDON_ID, bench.addon_settings(two_way="true", edit_check=str(EDIT_CHECK))
        )
        self.sandbox.reset_account(bench.dataset.fixture)
        bench.fresh_kodi()
        if not kodi.addon_details(ADDON_ID)["enabled"]:  # the idle part disabled it
            kodi.enable_addons([ADDON_ID])

    def _set_ratings(self, writes: list[floor.Write]) -> None:
        """Set…Details in batches of 100 over TCP, as a remote app would; every one must hold."""
        rpc = floor.LeanRpc(self.kodi.tcp_port)
        try:
            rpc.call("JSONRPC.SetConfiguration", {"notifications": floor.NO_NOTIFICATIONS})
            errors = 0
            for start in range(0, len(writes), 100):
                chunk = writes[start : start + 100]
                calls = [
                    (floor.SET_METHODS[kind], {floor.ID_FIELDS[kind]: kodi_id, "userrating": v})
                    for kind, kodi_id, v in chunk
                ]
                errors += floor._errors(rpc.send(*rpc.encode(calls)))
        finally:
            rpc.close()
        if errors:
            raise RuntimeError(f"{errors} of {len(writes)} Set…Details calls failed")

    # -- 1. the first two-way run ------------------------------------------------------------------
    def _dialog_open(self) -> bool:
        return bool(
            self.kodi.info_booleans(["Window.IsActive(yesnodialog)"]).get(
                "Window.IsActive(yesnodialog)"
            )
        )

    def _focused(self) -> str:
        return self.kodi.info_labels(["System.CurrentControlId"])["System.CurrentControlId"]

    def answer_yes(self) -> float:
        """Focus Yes as the remote's left key does, press OK; the time of the press."""
        if self._focused() != YES_BUTTON:
            self.kodi.call("Input.Left")
        wait_for(lambda: self._focused() == YES_BUTTON, timeout=10, message="Yes focused")
        pressed = time.time()
        self.kodi.call("Input.Select")
        return pressed

    def first_run(self) -> ConsentRun:
        bench, kodi, sandbox = self.bench, self.kodi, self.sandbox
        ids = floor.library_ids(kodi.tcp_port)
        only = bench.dataset.kodi_only
        self._set_ratings([(k.kind, ids[(k.kind, *k.lookup)], k.rating) for k in only])
        pid = kodi.kodi_pid
        assert pid is not None
        wait_quiet(pid)
        sandbox.clear_requests()
        kodi.reset_write_counter()
        mark = kodi.log_mark()
        path = bench.driver.report_path
        before = mtime_ns(path)
        began = time.time()
        kodi.execute_addon(ADDON_ID, ["sync"])
        pulled = bench._wait_report(before, mark)
        first = bench.driver.report()
        pull_http, pull_writes = sandbox.request_count(), kodi.write_count()
        wait_for(self._dialog_open, timeout=60, message="the yes/no for ratings only in Kodi")
        asked = time.time()
        sandbox.clear_requests()
        self.handled.clear()
        before = mtime_ns(path)
        cpu_before = cpu_seconds(pid)
        pressed = self.answer_yes()
        ended = bench._wait_report(before, mark)
        cpu = cpu_seconds(pid) - cpu_before
        wait_for(lambda: not (bench.driver.profile / "sync.lock").exists(), timeout=60)
        second = bench.driver.report()
        requests = sandbox.requests
        posts = [r for r in requests if r.method == "POST" and r.path == ADD]
        handled = [s for m, p, s in self.handled if m == "POST" and p == ADD]
        sent = [e for r in posts for b in ("movies", "shows") for e in (r.body or {}).get(b, [])]
        expected = {(k.lookup[1], k.rating) for k in only}
        got = {(e["ids"].get(k.lookup[0]), e.get("rating")) for e, k in _pair(sent, only)}
        totals = _type_totals(second)
        run = ConsentRun(
            kodi_only=len(only),
            pull_wall_s=pulled - began,
            pull_http=pull_http,
            pull_writes=pull_writes,
            listed=len(first.get("kodi_only_items", [])),
            question_after_s=asked - pulled,
            consent="Yes answered over JSON-RPC (Input.Left, Input.Select)",
            push_wall_s=ended - pressed,
            push_kodi_cpu_s=cpu,
            push_http=len(requests),
            posts=[
                Post(
                    r.time,
                    s,
                    len((r.body or {}).get("movies", [])) + len((r.body or {}).get("shows", [])),
                )
                for r, s in zip(posts, handled)
            ],
            pushed_reported=totals.get("pushed", 0),
            push_failed=totals.get("push_failed", 0),
            result=str(second.get("result")),
            items_as_expected=got == expected and len(sent) == len(expected),
        )
        run.phases = self._push_phases(pressed, ended, run.posts, requests)
        run.settle = self.settle()
        return run

    @staticmethod
    def _push_phases(
        pressed: float, ended: float, posts: list[Post], requests: list[Any]
    ) -> dict[str, float]:
        """Yes -> first POST (the run starts, asks Simkl, reads Kodi, plans), the POSTs (the
        add-on's 1 s spacing, the sandbox answering, the rest), last POST -> report."""
        if not posts:
            return {"until_report": ended - pressed}
        first, last = posts[0], posts[-1]
        spacing = float(len(posts) - 1)  # SPACING (1 s) between two requests
        answering = sum(p.handled_s for p in posts[1:])
        phases = {
            "to_first_post": first.at - pressed,
            "posts": last.at - first.at,
            "posts_spacing": spacing,
            "posts_sandbox_answering": answering,
            "posts_rest": last.at - first.at - spacing - answering,
            "until_report": ended - last.at,
        }
        if requests:
            first_http = min(r.time for r in requests)
            phases["to_first_http"] = first_http - pressed
            phases["first_http_to_first_post"] = first.at - first_http
        return phases

    def settle(self) -> dict[str, Any]:
        """The sync after the pushes: Simkl moved (our ratings), so it pulls; nothing either
        way may follow (no echo)."""
        run = self.bench.sync("two-way, after the pushes", set())
        posts = [r for r in self.sandbox.requests if r.method == "POST"]
        return {
            "wall_s": run.wall_s,
            "http": run.http_requests,
            "posts": len(posts),
            "writes_report": run.kodi_writes,
            "writes_trigger": run.trigger_writes,
        }

    # -- 2. nothing changed ------------------------------------------------------------------------
    def unchanged(self, rounds: int, results: TwoWayResults) -> None:
        for number in range(1, rounds + 1):
            results.unchanged.append(self.bench.sync(f"two-way no change {number}", set()))
            results.unchanged_posts.append(
                sum(1 for r in self.sandbox.requests if r.method == "POST")
            )
        results.unchanged_breakdown = self.breakdown()

    def breakdown(self, repeats: int = 3) -> dict[str, float]:
        """The two costs of a no-change two-way run, measured again from outside: loading the
        state file (the add-on's own loader, best of 3; the JSON decoding alone, the rest is
        building the cached Simkl ratings) and Kodi answering the light read (GetMovies +
        GetTVShows with `userrating` only, unpaged, over TCP, best of 3)."""
        path: Path = self.bench.driver.profile / "sync_state.json"
        store = SyncStateStore(str(path.parent))
        if store.load() is None:
            raise RuntimeError(f"{path} does not load")
        parse = min(_timed(store.load) for _ in range(repeats))
        decode = min(_timed(lambda: json.loads(path.read_bytes())) for _ in range(repeats))
        cached = sum(len(rows) for rows in json.loads(path.read_bytes())["ratings"].values())
        shutil.copy2(path, OUTPUT / "two_way_sync_state.json")  # to look at after the run
        rpc = floor.LeanRpc(self.kodi.tcp_port)
        try:

            def read() -> None:
                for method, _key in floor.READS:
                    rpc.call(method, {"properties": ["userrating"]})

            kodi_read = min(_timed(read) for _ in range(repeats))
        finally:
            rpc.close()
        return {
            "state_file_mb": path.stat().st_size / 1e6,
            "state_parse_s": parse,
            "state_json_s": decode,
            "state_cached_ratings": cached,
            "kodi_light_read_s": kodi_read,
        }

    # -- 3. 100 changed in Kodi --------------------------------------------------------------------
    def changed(self, results: TwoWayResults) -> None:
        bench = self.bench
        ids = floor.library_ids(self.kodi.tcp_port)
        picked = pick_changes(bench.dataset, CHANGES, shift=CHANGE_SHIFT)
        writes = []
        for rated, value in picked:
            assert rated.kind is not None and rated.lookup is not None
            writes.append((rated.kind, ids[(rated.kind, *rated.lookup)], value))
        self._set_ratings(writes)
        run = bench.sync(f"two-way, {CHANGES} changed in Kodi", set())
        posts = [r for r in self.sandbox.requests if r.method == "POST"]
        sent = [e for r in posts for b in ("movies", "shows") for e in (r.body or {}).get(b, [])]
        expected = {(rated.simkl_id, value) for rated, value in picked}
        got = {(e.get("ids", {}).get("simkl"), e.get("rating")) for e in sent}
        results.changed = run
        results.changed_posts = [
            len((r.body or {}).get("movies", [])) + len((r.body or {}).get("shows", []))
            if r.path == ADD
            else -1  # a remove: none may be sent
            for r in posts
        ]
        results.changed_pushed = _type_totals(bench.driver.report()).get("pushed", 0)
        results.changed_items_as_expected = got == expected and len(sent) == len(expected)

    def run(self, rounds: int) -> TwoWayResults:
        results = TwoWayResults()
        self.restart_two_way()
        results.consent = self.first_run()
        self.unchanged(rounds, results)
        self.changed(results)
        return results


def _pair(sent: list[dict], only: list[Any]) -> list[tuple[dict, Any]]:
    """Each sent entry with the Kodi-only item whose lookup id it carries."""
    by_id = {k.lookup: k for k in only}
    paired = []
    for entry in sent:
        ids = entry.get("ids", {})
        for key in ("imdb", "tvdb"):
            item = by_id.get((key, str(ids.get(key))))
            if item is not None:
                paired.append((entry, item))
                break
    return paired


def _type_totals(report: dict[str, Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counts in (report.get("types") or {}).values():
        for key, value in counts.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    return totals


def _timed(action: Any) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def ceil_posts(items: int) -> int:
    return math.ceil(items / 100)
