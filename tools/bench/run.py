"""`make bench`: the engine alone, then the add-on in a real Kodi against the floor; one table.

Order matters on a small machine: the engine runs first and alone (its subprocesses would
otherwise steal CPU from Kodi), then Kodi. A missed target does not fail the run; the profile
that explains it is printed under the table and stored in the JSON.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from tests.e2e.kodi_harness import kodi_installed
from tools.build_zip import build

from . import OUTPUT, ROOT, dialog_bench, engine_bench, machine, quota_bench, report
from .dataset import Sizes
from .dataset import build as build_dataset
from .kodi_bench import KodiResults, SyncRun, kodi_bench


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of every size, short idle")
    parser.add_argument("--rounds", type=int, default=3, help="cold rounds (floor and add-on)")
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--skip-kodi", action="store_true")
    parser.add_argument("--skip-engine", action="store_true")
    parser.add_argument("--skip-two-way", action="store_true")
    parser.add_argument(
        "--two-way-only", action="store_true", help="after the scan, only the two-way rows"
    )
    parser.add_argument("--skip-dialog", action="store_true")
    parser.add_argument(
        "--dialog-only", action="store_true", help="only the rating window's row (own Kodi)"
    )
    parser.add_argument("--out", default=str(OUTPUT / "bench.json"))
    return parser.parse_args(argv)


def run_engine(quick: bool) -> list[dict[str, Any]]:
    sizes = engine_bench.SIZES
    if quick:
        sizes = tuple((items // 10, ratings // 10) for items, ratings in sizes)
    return engine_bench.run_sizes(sizes, repeats=3 if quick else 9, log=log)


def run_kodi(args: argparse.Namespace, facts: dict[str, Any]) -> KodiResults:
    sizes = Sizes.small() if args.quick else Sizes.full()
    dataset = build_dataset(sizes)
    zip_path = build(ROOT, OUTPUT / "dist")
    log(f"kodi: add-on zip {zip_path.name}; {len(dataset.in_library):,} rated items in library")
    facts["library"] = {
        "movies": len(dataset.spec.movies),
        "tvshows": len(dataset.spec.shows),
        "episodes": len(dataset.spec.episodes),
    }
    facts["account"] = {t: len(dataset.fixture[t]) for t in ("movies", "shows", "anime")}
    facts["account"]["in_library"] = len(dataset.in_library)
    with kodi_bench(dataset, zip_path, log, args.rounds) as bench:
        bench.setup()
        facts["machine"]["kodi"] = bench.results.kodi_version
        return bench.run(
            idle_seconds=10.0 if args.quick else args.idle_seconds,
            two_way=not args.skip_two_way,
            two_way_only=args.two_way_only,
        )


def run_dialog(facts: dict[str, Any]) -> list[report.Row]:
    """The rating window's latency in a Kodi of its own, after the big library's Kodi stopped."""
    if shutil.which("ffmpeg") is None:
        log("dialog: ffmpeg not installed (apt-get install ffmpeg); the row is skipped")
        return []
    zip_path = build(ROOT, OUTPUT / "dist")
    results = dialog_bench.run(zip_path, log)
    facts["dialog"] = {
        "up_s": results.up_s,
        "ready_s": results.ready_s,
        "phases": results.phases,
        "simkl_s": results.simkl_s,
        "action_s": results.action_s,
    }
    return [report.dialog_row(results), *report.rating_rows(results)]


def _phases(run: SyncRun) -> str:
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in run.phases.items())


def _threads(threads: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in list(threads.items())[:6])


def explain(rows: Sequence[report.Row], kodi: KodiResults | None, quick: bool) -> dict[str, str]:
    """For each miss, the evidence of where the time or memory went."""
    profiles: dict[str, str] = {}
    misses = {row.key for row in rows if row.passed is False}
    if kodi is not None and misses & {"first_sync", "ui"}:
        best = min(kodi.cold, key=lambda r: r.wall_s)
        floor = min(kodi.floor, key=lambda r: r.wall_s)
        lines = [
            f"floor: read {floor.read_s:.2f} s, writes {floor.write_s:.2f} s",
            f"add-on (best cold round): {_phases(best)}",
            f"Kodi CPU by thread, floor: {_threads(floor.threads)}",
            f"Kodi CPU by thread, add-on: {_threads(best.threads)}",
        ]
        probed = kodi.ping_round
        if probed is not None:
            lines.append(f"add-on (probed round): {_phases(probed)}")
            lines += ["add-on log (probed round):", *probed.addon_log]
        profiles["first_sync"] = "\n".join(lines)
    if kodi is not None and "no_change" in misses:
        profiles["no_change"] = "\n".join(f"{r.label}: {_phases(r)}" for r in kodi.unchanged)
    two_way = kodi.two_way if kodi is not None else None
    if two_way is not None and misses & {"two_way_no_change", "two_way_changed"}:
        runs = [*two_way.unchanged, *([two_way.changed] if two_way.changed else [])]
        lines = [f"{r.label}: {_phases(r)}" for r in runs]
        lines += ["add-on log (last run):", *(runs[-1].addon_log if runs else [])]
        profiles["two_way"] = "\n".join(lines)
    if two_way is not None and two_way.consent is not None and "two_way_first" in misses:
        consent = two_way.consent
        posts = ", ".join(f"{p.items}@{p.handled_s:.2f}s" for p in consent.posts)
        profiles["two_way_first"] = f"phases: {consent.phases}\nPOSTs (items@answering): {posts}"
    if misses & {"engine", "engine_growth"}:
        items, ratings = engine_bench.REFERENCE
        if quick:
            items, ratings = items // 10, ratings // 10
        profiles["engine"] = engine_bench.run_size(items, ratings, 1, profile=True)["profile"]
    if kodi is not None and kodi.idle is not None and "idle" in misses:
        profiles["idle"] = (
            f"with the service: {kodi.idle.addon_enabled}\ndisabled: {kodi.idle.addon_disabled}"
        )
    return profiles


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    facts: dict[str, Any] = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "quick": args.quick,
    }
    rows: list[report.Row] = []
    engine: list[dict[str, Any]] = []
    if args.dialog_only:
        args.skip_engine = args.skip_kodi = True
    if not args.skip_engine:
        engine = run_engine(args.quick)
        rows += report.engine_rows(engine)
        days = quota_bench.measure(log)
        facts["quota"] = days
        rows += quota_bench.rows(days)
    kodi: KodiResults | None = None
    if args.skip_kodi:
        log("kodi: skipped (--skip-kodi)")
    elif not kodi_installed():
        log("kodi: kodi.bin not installed (make kodi-installed); the Kodi part is skipped")
    else:
        kodi = run_kodi(args, facts)
        rows = report.kodi_rows(kodi) + rows
    if kodi_installed() and (args.dialog_only or not (args.skip_kodi or args.skip_dialog)):
        rows += run_dialog(facts)
    profiles = explain(rows, kodi, args.quick)
    if any(row.key == "dialog" and row.passed is False for row in rows):
        profiles["dialog"] = report.dialog_profile(facts["dialog"]["phases"])
    total = time.monotonic() - began
    print_summary(facts, rows, profiles, total)
    payload = {**facts, "total_s": total, "engine": engine, "profiles": profiles}
    payload["kodi"] = kodi.to_dict() if kodi is not None else None
    out = ROOT / args.out
    report.write_json(out, payload, rows)
    print(f"\nJSON: {out}")
    return 0


def print_summary(
    facts: dict[str, Any], rows: Sequence[report.Row], profiles: dict[str, str], total: float
) -> None:
    print()
    print(f"Machine: {machine.one_line(facts['machine'])}")
    if "library" in facts:
        lib, acc = facts["library"], facts["account"]
        print(
            f"Library: {lib['movies']:,} movies, {lib['tvshows']:,} TV shows, "
            f"{lib['episodes']:,} episodes. Simkl sandbox account: {acc['movies']:,} movies, "
            f"{acc['shows']:,} shows, {acc['anime']:,} anime rated ({acc['in_library']:,} in "
            "the library)."
        )
    print()
    print(report.table(rows))
    for row in rows:
        if row.passed is False:
            print(f"\nMISS {row.measure}: {row.why}")
    for key, text in profiles.items():
        print(f"\nProfile ({key}):\n{text}")
    print(f"\nTotal run time: {total / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
