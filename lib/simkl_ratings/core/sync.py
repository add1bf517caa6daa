"""One sync run: Simkl ratings -> plan -> Kodi writes -> report.

The data flows one way. Everything the run needs is handed in (client, library, options,
progress), so the same function runs in the service, in a manual run, in a preview and in tests.
It never raises for expected failures: every outcome ends in a `Report`.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Sequence

from .errors import Cancelled, SyncError
from .library import KodiLibrary, LibraryItem, RatingWrite
from .media import KODI_KINDS, KodiKind, SimklType
from .planning import Change, Plan, plan_sync
from .ratings import SimklRating, parse_ratings
from .report import RESULT_CANCELLED, RESULT_ERROR, Report
from .simkl import SimklClient
from .timeutil import format_instant, utc_now

LOG = logging.getLogger(__name__)


class Stage(enum.Enum):
    FETCH = "fetch"
    READ = "read"
    WRITE = "write"


class Progress:
    """Where a run tells the user how far it is, and learns whether to stop. Silent by default."""

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        """Called at each step; `detail` is a Simkl type or Kodi kind name, or "done/total"."""

    def cancelled(self) -> bool:
        return False


@dataclass(frozen=True)
class SyncOptions:
    types: tuple[SimklType, ...]
    batch_size: int = 100
    dry_run: bool = False


def kinds_needed(types: Sequence[SimklType]) -> tuple[KodiKind, ...]:
    """The Kodi kinds any of these types can land on, in library order."""
    wanted = set()
    for simkl_type in types:
        wanted.update(simkl_type.default_kinds)
        for kinds in simkl_type.kinds_by_subtype.values():
            wanted.update(kinds)
    return tuple(kind for kind in KODI_KINDS if kind in wanted)


class _Run:
    """The steps of one run, sharing the report they fill in."""

    def __init__(
        self, simkl: SimklClient, library: KodiLibrary, options: SyncOptions, progress: Progress
    ) -> None:
        self.simkl = simkl
        self.library = library
        self.options = options
        self.progress = progress
        self.report = Report(dry_run=options.dry_run)

    def _step(self, percent: int, stage: Stage, detail: str) -> None:
        if self.progress.cancelled():
            raise Cancelled("cancelled by the user")
        self.progress.update(percent, stage, detail)

    def fetch(self) -> list[SimklRating]:
        ratings: list[SimklRating] = []
        types = self.options.types
        for number, simkl_type in enumerate(types):
            self._step(30 * number // max(1, len(types)), Stage.FETCH, simkl_type.name)
            parsed = parse_ratings(simkl_type, self.simkl.ratings(simkl_type.name))
            counts = self.report.types[simkl_type.name]
            counts.rated = len(parsed.items)
            counts.skipped = len(parsed.skipped)
            self.report.skipped_items.extend(row.describe() for row in parsed.skipped)
            for row in parsed.skipped:
                LOG.warning("skipped a %s rating from Simkl: %s", simkl_type.name, row.reason)
            ratings.extend(parsed.items)
        return ratings

    def read(self) -> list[LibraryItem]:
        items: list[LibraryItem] = []
        kinds = kinds_needed(self.options.types)
        for number, kind in enumerate(kinds):
            self._step(30 + 20 * number // max(1, len(kinds)), Stage.READ, kind.name)
            read = self.library.read(kind)
            self.report.library[kind.name] = len(read.items)
            self.report.library[f"{kind.name}_skipped"] = read.skipped
            items.extend(read.items)
        return items

    def record_plan(self, plan: Plan) -> None:
        types = self.report.types
        for rating, _item in plan.unchanged:
            types[rating.simkl_type.name].unchanged += 1
        for rating in plan.unmatched:
            types[rating.simkl_type.name].unmatched += 1
            self.report.unmatched_items.append(rating.describe())
        for conflict in plan.conflicts:
            types[conflict.rating.simkl_type.name].conflicts += 1
            self.report.conflict_items.append(conflict.describe())
        for collision in plan.collisions:
            types[collision.superseded.simkl_type.name].collisions += 1
            self.report.collision_items.append(collision.describe())
        self.report.changes = [change.describe() for change in plan.changes]

    def write(self, changes: Sequence[Change]) -> None:
        types = self.report.types
        if self.options.dry_run:
            for change in changes:
                types[change.source.simkl_type.name].updated += 1
            return
        source: dict[int, SimklRating] = {id(c.write): c.source for c in changes}

        def on_batch(done: int, total: int) -> bool:
            if self.progress.cancelled():
                return True
            self.progress.update(55 + 45 * done // max(1, total), Stage.WRITE, f"{done}/{total}")
            return False

        writes: list[RatingWrite] = [change.write for change in changes]
        result = self.library.write(writes, batch_size=self.options.batch_size, on_batch=on_batch)
        for write in result.applied:
            types[source[id(write)].simkl_type.name].updated += 1
        for write, error in result.failed:
            rating = source[id(write)]
            types[rating.simkl_type.name].failed += 1
            failed = rating.describe()
            failed["error"] = str(error)
            self.report.failed_items.append(failed)
        if result.cancelled:
            done = {id(w) for w in result.applied} | {id(w) for w, _ in result.failed}
            for write in writes:
                if id(write) not in done:
                    types[source[id(write)].simkl_type.name].not_written += 1
            raise Cancelled("cancelled between write batches")

    def execute(self) -> Report:
        ratings = self.fetch()
        items = self.read()
        plan = plan_sync(ratings, items)
        self._step(55, Stage.WRITE, f"0/{len(plan.changes)}")
        self.record_plan(plan)
        self.write(plan.changes)
        self.progress.update(100, Stage.WRITE, f"{len(plan.changes)}/{len(plan.changes)}")
        return self.report


def run_sync(
    simkl: SimklClient,
    library: KodiLibrary,
    options: SyncOptions,
    progress: Progress | None = None,
) -> Report:
    """Run once and describe what happened; expected failures end in the report, not a raise."""
    run = _Run(simkl, library, options, progress or Progress())
    report = run.report
    try:
        run.execute()
    except Cancelled as exc:
        report.result = RESULT_CANCELLED
        report.error_code = exc.code
        LOG.info("sync cancelled: %s", exc)
    except SyncError as exc:
        report.result = RESULT_ERROR
        report.error = str(exc)
        report.error_code = exc.code
        LOG.error("sync failed (%s): %s", exc.code, exc)
    finally:
        report.finished_at = format_instant(utc_now())
        report.http_requests = simkl.requests_sent
        report.jsonrpc_requests = library.rpc.requests_sent
        report.kodi_writes = library.writes_sent
    return report
