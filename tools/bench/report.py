"""From raw measurements to the one table `make bench` prints: figure, target, PASS/MISS.

The targets live here, next to the sentence that justifies each, so the table, the JSON and
the README say the same thing. A miss never raises: it carries the reason, and run.py attaches
the profile that shows where the time went.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .dialog_bench import DialogResults
from .floor import FloorRound
from .kodi_bench import BATCH_SIZE, IdleRun, KodiResults, SyncRun
from .latency import percentile
from .procstat import rendering_cpu
from .two_way_bench import TwoWayResults

FIRST_SYNC_MAX_RATIO = 1.25
NO_CHANGE_MAX_S = 1.0
CHANGES = 100
TWO_WAY_NO_CHANGE_MAX_S = 1.0
PUSH_BATCH = 100  # items a POST /sync/ratings carries at most (simkl-api.md §14)
ENGINE_MAX_CPU_S = 1.0
ENGINE_MAX_MB = 200.0
ENGINE_MAX_GROWTH = 2.2
# Nielsen's limits: 0.1 s feels instant, beyond 1 s the user's flow is interrupted.
UI_P95_MS = 100.0
RATED_P95_S = 2.0  # a rating reaches Simkl within 2 s after the window closes (issue 20)
ACTION_P95_S = 1.5  # the rate action with rating=N, end to end
UI_MAX_MS = 1000.0
DIALOG_P95_S = 1.0  # issue 20: the rating window up within 1 s of a movie's end
MB = 1_000_000
ADDON_THREAD = "LanguageInvoker"  # Kodi's thread running an add-on's Python
FLOOR_THREAD = "TCPServer"  # Kodi's thread answering JSON-RPC over TCP


@dataclass
class Row:
    key: str
    measure: str
    figure: str
    target: str = ""
    passed: bool | None = None  # None: a reference figure, not a target
    why: str = ""

    @property
    def result(self) -> str:
        if self.passed is None:
            return "-"
        return "PASS" if self.passed else "MISS"


def _best(runs: Sequence[SyncRun]) -> SyncRun:
    return min(runs, key=lambda run: run.wall_s)


def _mib_to_mb(mib: float) -> float:
    return mib * 1024 * 1024 / MB


# -- Kodi rows ------------------------------------------------------------------------------
def floor_row(rounds: Sequence[FloorRound]) -> Row:
    best = min(rounds, key=lambda r: r.wall_s)
    figure = (
        f"{best.wall_s:.2f} s wall (read {best.read_s:.2f} s, {best.writes:,} writes in "
        f"{best.batches} batches of {BATCH_SIZE} {best.write_s:.2f} s); Kodi CPU "
        f"{best.kodi_cpu_s:.2f} s (GUI rendering {rendering_cpu(best.threads):.2f} s); "
        f"rounds {', '.join(f'{r.wall_s:.2f}' for r in rounds)} s"
    )
    passed = None if best.errors == 0 else False
    why = f"{best.errors} floor writes failed" if best.errors else ""
    return Row(
        "floor", f"Floor: same Kodi, no add-on (best of {len(rounds)})", figure, "", passed, why
    )


def first_sync_row(runs: Sequence[SyncRun], floors: Sequence[FloorRound]) -> Row:
    best = _best(runs)
    best_floor = min(floors, key=lambda r: r.wall_s)
    floor = best_floor.wall_s
    ratio = best.wall_s / floor
    rendering = rendering_cpu(best.threads)
    figure = (
        f"{best.wall_s:.2f} s wall = {ratio:.2f} x floor; Kodi CPU {best.kodi_cpu_s:.2f} s "
        f"(GUI rendering {rendering:.2f} s; the add-on's thread "
        f"{best.threads.get(ADDON_THREAD, 0.0):.2f} s vs the floor's JSON-RPC thread "
        f"{best_floor.threads.get(FLOOR_THREAD, 0.0):.2f} s); "
        f"kodi.bin RSS peak {_mib_to_mb(best.rss_peak_mib):.0f} MB "
        f"(before {_mib_to_mb(best.rss_start_mib):.0f}); {best.http_requests} HTTP; "
        f"{best.jsonrpc_requests} JSON-RPC; writes {best.kodi_writes:,} report / "
        f"{best.trigger_writes:,} trigger; rounds {', '.join(f'{r.wall_s:.2f}' for r in runs)} s"
    )
    problems = []
    if ratio > FIRST_SYNC_MAX_RATIO:
        problems.append(f"{best.wall_s - floor:.2f} s more than the floor ({ratio:.2f} x)")
        if rendering > 1.0:
            problems.append(
                f"Kodi drew the progress dialog for {rendering:.2f} s of CPU (software OpenGL) "
                "while the writes ran"
            )
    wrong = [r.label for r in runs if not r.writes_as_expected or r.result != "ok"]
    if wrong:
        problems.append(f"wrong writes or result in: {', '.join(wrong)}")
    return Row(
        "first_sync",
        f"First sync, cold (best of {len(runs)})",
        figure,
        f"≤ {FIRST_SYNC_MAX_RATIO} x floor (≤ {FIRST_SYNC_MAX_RATIO * floor:.2f} s)",
        not problems,
        "; ".join(problems),
    )


def no_change_row(runs: Sequence[SyncRun]) -> Row:
    best = _best(runs)
    figure = (
        f"{best.wall_s:.2f} s wall; Kodi CPU {best.kodi_cpu_s:.2f} s; {best.http_requests} HTTP; "
        f"{best.jsonrpc_requests} JSON-RPC; writes {best.kodi_writes} report / "
        f"{best.trigger_writes} trigger; rounds {', '.join(f'{r.wall_s:.2f}' for r in runs)} s"
    )
    problems = []
    if best.wall_s >= NO_CHANGE_MAX_S:
        problems.append(f"best run took {best.wall_s:.2f} s")
    for run in runs:
        if run.http_requests != 1 or run.kodi_writes or run.trigger_writes:
            problems.append(
                f"{run.label}: {run.http_requests} HTTP, {run.kodi_writes}/{run.trigger_writes} "
                "writes"
            )
    return Row(
        "no_change",
        f"Second sync, nothing changed (best of {len(runs)})",
        figure,
        f"1 HTTP request, 0 writes, < {NO_CHANGE_MAX_S:.0f} s",
        not problems,
        "; ".join(problems),
    )


def changed_row(run: SyncRun) -> Row:
    figure = (
        f"{run.wall_s:.2f} s wall; Kodi CPU {run.kodi_cpu_s:.2f} s; {run.http_requests} HTTP; "
        f"{run.jsonrpc_requests} JSON-RPC; writes {run.kodi_writes} report / "
        f"{run.trigger_writes} trigger; the expected items and values: "
        f"{'yes' if run.writes_as_expected else 'NO'}"
    )
    ok = run.kodi_writes == run.trigger_writes == CHANGES and bool(run.writes_as_expected)
    why = "" if ok else f"{run.kodi_writes}/{run.trigger_writes} writes, expected {CHANGES}"
    return Row(
        "changed",
        f"Third sync, {CHANGES} ratings changed on Simkl",
        figure,
        f"exactly {CHANGES} writes",
        ok,
        why,
    )


def ui_row(run: SyncRun, idle: dict[str, Any]) -> Row:
    latency = run.latency or {}
    parts = []
    for method, stats in latency.items():
        base = idle.get(method, {})
        parts.append(
            f"{method} p95 {stats['p95_ms']:.0f} ms / max {stats['max_ms']:.0f} ms "
            f"(n={stats['count']}; idle p95 {base.get('p95_ms', 0):.0f} ms)"
        )
    worst_p95 = max((s["p95_ms"] for s in latency.values()), default=math.inf)
    worst_max = max((s["max_ms"] for s in latency.values()), default=math.inf)
    ok = worst_p95 <= UI_P95_MS and worst_max <= UI_MAX_MS
    why = "" if ok else f"p95 {worst_p95:.0f} ms, max {worst_max:.0f} ms"
    return Row(
        "ui",
        f"UI during a first sync ({run.wall_s:.1f} s), probed every 100 ms",
        "; ".join(parts),
        f"p95 ≤ {UI_P95_MS:.0f} ms, max ≤ {UI_MAX_MS:.0f} ms",
        ok,
        why,
    )


def idle_row(idle: IdleRun) -> Row:
    on, off = idle.addon_enabled, idle.addon_disabled
    mean_on, mean_off = statistics.fmean(on), statistics.fmean(off)
    spread = [statistics.stdev(s) if len(s) > 1 else 0.0 for s in (on, off)]
    noise = 2 * math.sqrt(spread[0] ** 2 / len(on) + spread[1] ** 2 / len(off))
    diff = mean_on - mean_off
    figure = (
        f"{100 * mean_on:.2f} % of a core with the service vs {100 * mean_off:.2f} % disabled: "
        f"difference {100 * diff:+.2f} points, noise ±{100 * noise:.2f} "
        f"(2 standard errors over {len(on)}+{len(off)} slices)"
    )
    if not idle.service_stopped_logged:
        figure += "; the service did not log its stop"
    ok = abs(diff) <= noise
    why = "" if ok else f"the service costs {100 * diff:+.2f} points of a core beyond the noise"
    measure = f"Idle: Kodi CPU over {idle.seconds:.0f} s each"
    return Row("idle", measure, figure, "no measurable difference", ok, why)


def _seconds(phases: dict[str, float], key: str) -> str:
    return f"{phases[key]:.2f} s" if key in phases else "?"


def two_way_no_change_row(tw: TwoWayResults) -> Row:
    runs = tw.unchanged
    best = _best(runs)
    where, outside = best.phases, tw.unchanged_breakdown
    figure = (
        f"{best.wall_s:.2f} s wall; Kodi CPU {best.kodi_cpu_s:.2f} s; {best.http_requests} HTTP; "
        f"{best.jsonrpc_requests} JSON-RPC (the light read of userrating); writes "
        f"{best.kodi_writes} report / {best.trigger_writes} trigger; "
        f"{sum(tw.unchanged_posts)} POSTs; where: start until the action is logged "
        f"{_seconds(where, 'start_to_action_logged')}, then until the activities request "
        f"{_seconds(where, 'to_first_http')} (state file "
        f"{outside.get('state_file_mb', 0):.1f} MB), then until the report "
        f"{_seconds(where, 'until_report')} (the light read, the comparison, the report); "
        f"measured apart: state load {outside.get('state_parse_s', 0):.2f} s (JSON "
        f"{outside.get('state_json_s', 0):.2f} s, the rest checking "
        f"{outside.get('state_cached_ratings', 0):,} cached Simkl ratings), Kodi answering the "
        f"light read {outside.get('kodi_light_read_s', 0):.2f} s; rounds "
        f"{', '.join(f'{r.wall_s:.2f}' for r in runs)} s"
    )
    problems = []
    if best.wall_s > TWO_WAY_NO_CHANGE_MAX_S:
        problems.append(f"best run took {best.wall_s:.2f} s")
    for run, posts in zip(runs, tw.unchanged_posts):
        if run.http_requests != 1 or run.kodi_writes or run.trigger_writes or posts:
            problems.append(
                f"{run.label}: {run.http_requests} HTTP, {posts} POSTs, "
                f"{run.kodi_writes}/{run.trigger_writes} writes"
            )
    return Row(
        "two_way_no_change",
        f"Two-way on, nothing changed either side (best of {len(runs)})",
        figure,
        f"1 HTTP request, 0 writes either way, ≤ {TWO_WAY_NO_CHANGE_MAX_S:.1f} s",
        not problems,
        "; ".join(problems),
    )


def two_way_changed_row(tw: TwoWayResults) -> Row:
    run = tw.changed
    assert run is not None
    figure = (
        f"{run.wall_s:.2f} s wall; Kodi CPU {run.kodi_cpu_s:.2f} s; {run.http_requests} HTTP; "
        f"POSTs carrying {tw.changed_posts or [0]} items; pushed {tw.changed_pushed} by the "
        f"report; the expected items and values: {'yes' if tw.changed_items_as_expected else 'NO'}"
        f"; Kodi writes {run.kodi_writes} report / {run.trigger_writes} trigger"
    )
    ok = (
        tw.changed_posts == [CHANGES]
        and tw.changed_pushed == CHANGES
        and tw.changed_items_as_expected
        and run.kodi_writes == run.trigger_writes == 0
        and run.result == "ok"
    )
    why = "" if ok else f"POSTs {tw.changed_posts}, pushed {tw.changed_pushed}, result {run.result}"
    return Row(
        "two_way_changed",
        f"Two-way, {CHANGES} ratings changed in Kodi (JSON-RPC)",
        figure,
        f"exactly {CHANGES} items pushed in 1 request, 0 Kodi writes",
        ok,
        why,
    )


def two_way_first_row(tw: TwoWayResults) -> Row:
    run = tw.consent
    assert run is not None
    wanted = math.ceil(run.kodi_only / PUSH_BATCH)
    sizes = sorted({p.items for p in run.posts})
    phases, settle = run.phases, run.settle
    figure = (
        f"{run.kodi_only:,} ratings only in Kodi; the first run pulled in {run.pull_wall_s:.2f} s "
        f"({run.pull_http} HTTP, {run.pull_writes:,} writes) and listed {run.listed:,}; "
        f"consent: {run.consent}; Yes → report {run.push_wall_s:.2f} s: "
        f"{len(run.posts)} POSTs of {'/'.join(str(n) for n in sizes)} items "
        f"({sum(p.items for p in run.posts):,} in all), pushed {run.pushed_reported:,} by the "
        f"report, on Simkl as sent: {'yes' if run.items_as_expected else 'NO'}; where: Yes → "
        f"activities request {_seconds(phases, 'to_first_http')} (the answer saved, a second run "
        f"starts and loads its state), → first POST {_seconds(phases, 'first_http_to_first_post')}"
        f" (the light read finds edits, the full read, planning {run.kodi_only:,} pushes), the "
        f"POSTs {_seconds(phases, 'posts')} = spacing {_seconds(phases, 'posts_spacing')} + "
        f"sandbox answering {_seconds(phases, 'posts_sandbox_answering')} + the add-on's own "
        f"{_seconds(phases, 'posts_rest')}, last POST → report "
        f"{_seconds(phases, 'until_report')}; Kodi CPU {run.push_kodi_cpu_s:.2f} s; next sync "
        f"{settle.get('http')} HTTP, {settle.get('posts')} POSTs, "
        f"{settle.get('writes_trigger')} writes"
    )
    problems = []
    if len(run.posts) != wanted:
        problems.append(f"{len(run.posts)} POSTs, expected {wanted}")
    if not run.items_as_expected or run.pushed_reported != run.kodi_only:
        problems.append(f"pushed {run.pushed_reported:,} of {run.kodi_only:,} (or other items)")
    if run.listed != run.kodi_only or run.result != "ok" or run.push_failed:
        problems.append(f"listed {run.listed}, result {run.result}, failed {run.push_failed}")
    if settle.get("posts") or settle.get("writes_trigger") or settle.get("writes_report"):
        problems.append(f"the next sync sent or wrote something: {settle}")
    return Row(
        "two_way_first",
        f"First two-way run, {run.kodi_only:,} ratings only in Kodi, after consent",
        figure,
        f"⌈{run.kodi_only:,}/{PUSH_BATCH}⌉ = {wanted} POSTs; time measured",
        not problems,
        "; ".join(problems),
    )


def kodi_rows(results: KodiResults) -> list[Row]:
    rows = []
    if results.floor and results.cold:  # not with --two-way-only
        rows += [floor_row(results.floor), first_sync_row(results.cold, results.floor)]
    if results.unchanged:
        rows.append(no_change_row(results.unchanged))
    if results.changed is not None:
        rows.append(changed_row(results.changed))
    if results.ping_round is not None:
        rows.append(ui_row(results.ping_round, results.idle_latency))
    if results.idle is not None:
        rows.append(idle_row(results.idle))
    tw = results.two_way
    if tw is not None:
        rows.append(two_way_no_change_row(tw))
        if tw.changed is not None:
            rows.append(two_way_changed_row(tw))
        if tw.consent is not None:
            rows.append(two_way_first_row(tw))
    return rows


def dialog_row(results: DialogResults) -> Row:
    """The rating window after a movie ends: p95 of the rounds against the target."""
    up, ready = results.up_s, results.ready_s
    p95 = percentile(up, 0.95)
    figure = (
        f"p95 {p95:.2f} s up, {percentile(ready, 0.95):.2f} s ready for keys (median "
        f"{percentile(up, 0.5):.2f} / {percentile(ready, 0.5):.2f} s); rounds "
        f"{', '.join(f'{s:.2f}' for s in up)} s; Kodi {results.kodi_version}"
    )
    ok = bool(up) and p95 <= DIALOG_P95_S
    why = "" if ok else f"p95 {p95:.2f} s after the end of playback"
    return Row(
        "dialog",
        f"Rating window up after a movie ends (p95 of {len(up)} playbacks)",
        figure,
        f"≤ {DIALOG_P95_S:.1f} s",
        ok,
        why,
    )


def rating_rows(results: DialogResults) -> list[Row]:
    """A rating on Simkl: after the window closes, and the `rate` action end to end."""
    rows = []
    for key, measure, seconds, target in (
        ("rated_on_simkl", "Rating on Simkl after the key that closes the window", results.simkl_s,
         RATED_P95_S),
        ("rate_action", "The rate action with rating=N, end to end (on Simkl)",
         results.action_s, ACTION_P95_S),
    ):  # fmt: skip
        p95 = percentile(seconds, 0.95) if seconds else float("inf")
        figure = (
            f"p95 {p95:.2f} s (median {percentile(seconds, 0.5):.2f} s); rounds "
            f"{', '.join(f'{s:.2f}' for s in seconds)} s"
            if seconds
            else "not measured"
        )
        ok = p95 <= target
        why = "" if ok else f"p95 {p95:.2f} s"
        rows.append(
            Row(key, f"{measure} (p95 of {len(seconds)})", figure, f"≤ {target:.1f} s", ok, why)
        )
    return rows


def dialog_profile(phases: Sequence[dict[str, float]]) -> str:
    """Where a round's time went (seconds after the end of playback, from kodi.log)."""
    lines = []
    for number, found in enumerate(phases, start=1):
        steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in found.items())
        lines.append(f"round {number}: {steps}")
    return "\n".join(lines)


# -- engine rows ----------------------------------------------------------------------------
def _engine_figure(result: dict[str, Any]) -> str:
    return (
        f"plan {result['plan_cpu_best_s']:.3f} s CPU (best of {len(result['plan_cpu_s'])}); "
        f"process peak {_mib_to_mb(result['maxrss_mib']):.0f} MB (inputs "
        f"{_mib_to_mb(result['inputs_rss_mib']):.0f} MB, planning allocates "
        f"{_mib_to_mb(result['plan_traced_peak_mib']):.0f} MB); read "
        f"{result['read_cpu_s']:.2f} s + parse {result['parse_cpu_s']:.2f} s CPU; "
        f"{result['plan']['changes']:,} changes"
    )


def engine_rows(results: Sequence[dict[str, Any]]) -> list[Row]:
    """Half, reference and double size; targets on the reference and on the growth."""
    half, ref, double = results
    name = "Engine: plan_sync, {items:,} items x {ratings:,} ratings"
    rows = [Row("engine_half", name.format(**half), _engine_figure(half))]
    cpu, peak = ref["plan_cpu_best_s"], _mib_to_mb(ref["maxrss_mib"])
    problems = []
    if cpu > ENGINE_MAX_CPU_S:
        problems.append(f"{cpu:.2f} s CPU")
    if peak > ENGINE_MAX_MB:
        problems.append(f"{peak:.0f} MB peak")
    rows.append(
        Row(
            "engine",
            name.format(**ref),
            _engine_figure(ref),
            f"≤ {ENGINE_MAX_CPU_S:.0f} s CPU, ≤ {ENGINE_MAX_MB:.0f} MB",
            not problems,
            "; ".join(problems),
        )
    )
    growth = (
        ref["plan_cpu_best_s"] / half["plan_cpu_best_s"],
        double["plan_cpu_best_s"] / ref["plan_cpu_best_s"],
    )
    calls = (ref["plan_calls"] / half["plan_calls"], double["plan_calls"] / ref["plan_calls"])
    bare = (
        ref["dict_reference_s"] / half["dict_reference_s"],
        double["dict_reference_s"] / ref["dict_reference_s"],
    )
    figure = _engine_figure(double) + (
        f"; doubling costs x {growth[0]:.2f} (half → reference) and x {growth[1]:.2f} "
        f"(reference → double); function calls x {calls[0]:.2f} and x {calls[1]:.2f}; a bare "
        f"dict of the same id keys x {bare[0]:.2f} and x {bare[1]:.2f}"
    )
    ok = max(growth) <= ENGINE_MAX_GROWTH
    why = "" if ok else f"time grows x {max(growth):.2f} when the input doubles"
    rows.append(
        Row(
            "engine_growth",
            name.format(**double),
            figure,
            f"linear: doubling ≤ {ENGINE_MAX_GROWTH} x the time",
            ok,
            why,
        )
    )
    return rows


# -- output ---------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(rows: Sequence[Row]) -> str:
    """A Markdown table, readable in a terminal and pasted as is into the README."""
    lines = ["| Measure | Figure | Target | Result |", "|---|---|---|---|"]
    for row in rows:
        cells = (row.measure, row.figure, row.target or "reference", row.result)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, Any], rows: Sequence[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**payload, "rows": [{**asdict(r), "result": r.result} for r in rows]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
