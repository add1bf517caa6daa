"""One sync run: Simkl ratings -> plan -> Kodi writes -> report.

Every run starts with the activities gate: when nothing relevant moved on Simkl since the last
committed baseline, the run costs that one request and ends. Otherwise only the types whose
`rated_at` / `removed_from_list` moved are downloaded again (all of them on a first run, after
an account change, a timestamp that went backwards, a missing cache, or a rebuild); the rest
come from the cache. The new baseline is committed only after every download succeeded.

The data flows one way, and everything the run needs is handed in, so the same function runs
in the service, a manual run, a preview, after a library scan (cached mode, no HTTP) and in
tests. Expected failures end in the `Report`, never in a raise.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..errors import Cancelled, SyncError
from ..library.gateway import KodiLibrary, LibraryItem, WriteResult
from ..media import SimklType, kinds_needed
from ..simkl import activities as activity_gate
from ..simkl.account import account_of
from ..simkl.client import SimklClient
from ..simkl.ratings import SimklRating, parse_ratings
from ..timeutil import format_instant, utc_now
from .planning import Change, Plan, PlanOptions, PullPlanner, gc_paused, item_key
from .policy import Policy
from .report import RESULT_CANCELLED, RESULT_ERROR, Report
from .state import (
    SyncState,
    SyncStateStore,
    TwoWayState,
    WrittenRecord,
    cached_values,
    source_of,
)
from .two_way import TwoWayStep, has_edits, kodi_values

LOG = logging.getLogger(__name__)
LOGGED_SKIPS = 10  # a bad reply must not flood kodi.log: the report lists every skipped row


class Stage(enum.Enum):
    CHECK = "check"
    FETCH = "fetch"
    READ = "read"
    WRITE = "write"
    PUSH = "push"


class Mode(enum.Enum):
    SYNC = "sync"  # gated by activities
    REBUILD = "rebuild"  # ignore the baseline and the cache: download everything
    CACHED = "cached"  # apply the cached Simkl ratings only (after a library scan): no HTTP


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
    mode: Mode = Mode.SYNC
    policy: Policy = Policy.SIMKL_WINS
    title_fallback: bool = False
    account_id: int | None = None  # from the stored sign-in
    two_way: bool = False  # also send ratings edited in Kodi to Simkl
    # The library is shared with other devices (household.py): a value equal to Simkl's is
    # recorded as the sync's own, whichever device wrote it, so un-rating stays right.
    shared_library: bool = False
    wait: Callable[[float], bool] = lambda seconds: False  # between pushes; True: stop

    @property
    def type_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.types)

    @property
    def fingerprint(self) -> str:
        """What changes the plan without anything moving on Simkl."""
        names = ",".join(t.name for t in self.types)
        flags = f"{int(self.title_fallback)}|{int(self.two_way)}"
        return f"{names}|{self.policy.value}|{flags}" + ("|shared" if self.shared_library else "")


@dataclass
class _Inputs:
    """What the Simkl side of a run produced."""

    ratings: list[SimklRating] = field(default_factory=list)
    fetched: dict[str, list[SimklRating]] = field(default_factory=dict)
    activities: dict[str, Any] | None = None
    unchanged: bool = False


class _Run:
    """The steps of one run, sharing the report they fill in."""

    def __init__(
        self,
        simkl: SimklClient | None,
        library: KodiLibrary,
        options: SyncOptions,
        progress: Progress,
        store: SyncStateStore | None,
    ) -> None:
        self.simkl = simkl
        self.library = library
        self.options = options
        self.progress = progress
        self.store = store
        self.report = Report(dry_run=options.dry_run, mode=options.mode.value)

    def _step(self, percent: int, stage: Stage, detail: str) -> None:
        if self.progress.cancelled():
            raise Cancelled("cancelled by the user")
        self.progress.update(percent, stage, detail)

    # -- state ---------------------------------------------------------------------------------

    def load_state(self) -> SyncState:
        state = self.store.load() if self.store else None
        client_id = self.simkl.client_id if self.simkl else (state.client_id if state else "")
        if state is None:
            return SyncState(account_id=self.options.account_id, client_id=client_id)
        account = self.options.account_id
        if (account is not None and state.account_id not in (None, account)) or (
            client_id and state.client_id and state.client_id != client_id
        ):
            LOG.info("another Simkl account or client: pulling everything again")
            state.forget_simkl()
        state.account_id = account if account is not None else state.account_id
        state.client_id = client_id
        return state

    # -- the Simkl side --------------------------------------------------------------------------

    def fetch_type(self, simkl_type: SimklType, percent: int) -> list[SimklRating]:
        assert self.simkl is not None
        self._step(percent, Stage.FETCH, simkl_type.name)
        parsed = parse_ratings(simkl_type, self.simkl.ratings(simkl_type.name))
        self.report.skipped_items.extend(row.describe() for row in parsed.skipped)
        self.report.types[simkl_type.name].skipped = len(parsed.skipped)
        self.report.types[simkl_type.name].unrated = parsed.unrated
        if parsed.unrated:
            LOG.info("%d %s list items without a rating ignored", parsed.unrated, simkl_type.name)
        for row in parsed.skipped[:LOGGED_SKIPS]:
            LOG.warning("skipped a %s rating from Simkl: %s", simkl_type.name, row.reason)
        if len(parsed.skipped) > LOGGED_SKIPS:
            more = len(parsed.skipped) - LOGGED_SKIPS
            LOG.warning("skipped %d more %s ratings (listed in the report)", more, simkl_type.name)
        return parsed.items

    def types_to_fetch(self, state: SyncState, current: Mapping[str, Any]) -> list[SimklType]:
        types = self.options.types
        groups = tuple(t.activity_group for t in types)
        changes = activity_gate.compare(state.activities, current, groups)
        full = self.options.mode is Mode.REBUILD or state.activities is None or changes.regressed
        if changes.regressed:
            LOG.warning("Simkl activity went backwards: pulling everything again")
        if not full and changes.settings_moved and self.simkl is not None:
            account_id, _ = account_of(self.simkl.user_settings())
            if account_id is not None and state.account_id not in (None, account_id):
                LOG.info("the Simkl account changed: pulling everything again")
                full = True
            state.account_id = account_id if account_id is not None else state.account_id
        if full:
            state.forget_simkl()
            return list(types)
        return [
            t for t in types if t.activity_group in changes.groups or t.name not in state.ratings
        ]

    def simkl_side(self, state: SyncState) -> _Inputs:
        inputs = _Inputs()
        names = [t.name for t in self.options.types]
        if self.options.mode is Mode.CACHED:
            if not state.has_cache_for(names):
                LOG.info("no cached Simkl ratings yet: the next sync downloads them")
                inputs.unchanged = True
                return inputs
            inputs.ratings = [r for name in names for r in state.ratings[name]]
            return inputs
        assert self.simkl is not None
        self._step(0, Stage.CHECK, "")
        inputs.activities = dict(activity_gate.validate(self.simkl.activities()))
        fetch = self.types_to_fetch(state, inputs.activities)
        nothing_to_apply = not state.needs_apply and state.fingerprint == self.options.fingerprint
        if not fetch and nothing_to_apply and not self.options.dry_run:
            inputs.unchanged = True
            return inputs
        for number, simkl_type in enumerate(fetch):
            percent = 5 + 25 * number // max(1, len(fetch))
            inputs.fetched[simkl_type.name] = self.fetch_type(simkl_type, percent)
        for name in names:
            rows = inputs.fetched.get(name, state.ratings.get(name, []))
            inputs.ratings.extend(rows)
        return inputs

    # -- the Kodi side ---------------------------------------------------------------------------

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

    def record_plan(self, plan: Plan, ratings: Sequence[SimklRating]) -> None:
        types = self.report.types
        for rating in ratings:
            types[rating.simkl_type.name].rated += 1
        for rating, _item in plan.unchanged:
            types[rating.simkl_type.name].unchanged += 1
        for rating, _item in plan.kept_local:
            types[rating.simkl_type.name].kept_local += 1
        for rating, _item in plan.by_title:
            types[rating.simkl_type.name].matched_by_title += 1
            self.report.title_matched_items.append(rating.describe())
        for rating in plan.unmatched:
            types[rating.simkl_type.name].unmatched += 1
            self.report.unmatched_items.append(rating.describe())
        for conflict in plan.conflicts:
            types[conflict.rating.simkl_type.name].conflicts += 1
            self.report.conflict_items.append(conflict.describe())
        for unknown in plan.kind_unknown:
            types[unknown.rating.simkl_type.name].kind_unknown += 1
            self.report.kind_unknown_items.append(unknown.describe())
        for collision in plan.collisions:
            types[collision.superseded.simkl_type.name].collisions += 1
            self.report.collision_items.append(collision.describe())
        self.report.changes = [change.describe() for change in plan.changes]

    def write(self, plan: Plan) -> WriteResult:
        changes = plan.changes
        if self.options.dry_run:
            for change in changes:
                self._count_applied(change)
            return WriteResult()
        by_write: dict[int, Change] = {id(c.write): c for c in changes}

        def on_batch(done: int, total: int) -> bool:
            if self.progress.cancelled():
                return True
            self.progress.update(55 + 45 * done // max(1, total), Stage.WRITE, f"{done}/{total}")
            return False

        writes = [change.write for change in changes]
        result = self.library.write(writes, batch_size=self.options.batch_size, on_batch=on_batch)
        for write in result.applied:
            self._count_applied(by_write[id(write)])
        for write, error in result.failed:
            change = by_write[id(write)]
            self.report.types[change.simkl_type.name].failed += 1
            failed = change.describe()
            failed["error"] = str(error)
            self.report.failed_items.append(failed)
        if result.cancelled:
            done = {id(w) for w in result.applied} | {id(w) for w, _ in result.failed}
            for write in writes:
                if id(write) not in done and write.rating is not None:
                    self.report.types[by_write[id(write)].simkl_type.name].not_written += 1
        return result

    def _count_applied(self, change: Change) -> None:
        counts = self.report.types[change.simkl_type.name]
        if change.write.rating is None:
            counts.cleared += 1
        else:
            counts.updated += 1

    # -- committing ------------------------------------------------------------------------------

    def commit(self, state: SyncState, inputs: _Inputs, plan: Plan, result: WriteResult) -> None:
        """Remember what was downloaded and what was written; baseline only after downloads."""
        if self.options.dry_run or self.store is None:
            return
        if inputs.activities is not None:
            state.activities = inputs.activities
        state.ratings.update(inputs.fetched)
        enabled = self.options.type_names
        for name in list(state.ratings):
            if name not in enabled:
                del state.ratings[name]  # a type turned off: pull it afresh when turned on
        for key in plan.released:
            state.written.pop(key, None)
        if self.options.shared_library:
            self.adopt(state, plan)
        applied = {id(write) for write in result.applied}
        for change in plan.changes:
            if id(change.write) not in applied:
                continue
            key = item_key(change.write.item)
            if change.write.rating is None or change.source is None:
                state.written.pop(key, None)
            else:
                state.written[key] = WrittenRecord(
                    change.write.rating.value, source_of(change.source)
                )
        state.fingerprint = self.options.fingerprint
        state.needs_apply = bool(result.failed) or result.cancelled
        if not self.options.two_way:
            # Off: forget the Kodi baseline, so turning two-way on again never takes what
            # changed meanwhile for edits (it starts afresh, with consent).
            state.two_way = TwoWayState()
        self.store.save(state)

    def adopt(self, state: SyncState, plan: Plan) -> None:
        """Shared library: every value equal to Simkl's is the sync's own, whoever wrote it.
        One this device wrote at an older value, found already moved to Simkl's new one, tells
        that another device syncs this library too (household.py)."""
        for rating, item in plan.unchanged:
            key = item_key(item)
            record = WrittenRecord(rating.rating.value, source_of(rating))
            earlier = state.written.get(key)
            if earlier is not None and earlier.source == record.source and earlier != record:
                self.report.written_elsewhere += 1
            state.written[key] = record
        if self.report.written_elsewhere:
            LOG.warning(
                "%d changes on Simkl were already in the shared library: another device seems "
                "to sync it too",
                self.report.written_elsewhere,
            )

    def execute(self) -> None:
        state = self.load_state()
        before = cached_values(state.ratings)
        inputs = self.simkl_side(state)
        two_way = self._two_way(state) if self.options.two_way else None
        if inputs.unchanged and (two_way is None or not self._kodi_moved(state)):
            self.report.activities_unchanged = True
            where = " or in Kodi" if two_way else ""
            LOG.info("nothing moved on Simkl%s since the last sync", where)
            return
        if inputs.unchanged:  # only Kodi moved: the cache says what Simkl holds
            names = [t.name for t in self.options.types]
            inputs.ratings = [r for name in names for r in state.ratings.get(name, [])]
        items = self.read()
        options = PlanOptions(
            self.options.policy, self.options.title_fallback, self.options.type_names
        )
        with gc_paused():
            planner = PullPlanner(items, options, state.written)
            planner.match(inputs.ratings)
            winners = planner.winners()
            if two_way is not None:
                two_way.find(items, before, cached_values(inputs.fetched))
                two_way.decide(items, winners)
            plan = planner.finish(inputs.ratings, two_way.plan.protected if two_way else None)
        self._step(55, Stage.WRITE, f"0/{len(plan.changes)}")
        self.record_plan(plan, inputs.ratings)
        result = self.write(plan)
        failure = self.push(two_way) if two_way is not None and not result.cancelled else None
        self.commit(state, inputs, plan, result)
        if two_way is not None and not self.options.dry_run and self.store is not None:
            two_way.commit(state, items, winners, plan, result)
            self.store.save(state)
        if result.cancelled:
            raise Cancelled("cancelled between write batches")
        if failure is not None:
            raise failure
        self.progress.update(100, Stage.WRITE, f"{len(plan.changes)}/{len(plan.changes)}")

    # -- two-way -------------------------------------------------------------------------------

    def _two_way(self, state: SyncState) -> TwoWayStep:
        return TwoWayStep(state.two_way, self.options.policy, format_instant(utc_now()))

    def _kodi_moved(self, state: SyncState) -> bool:
        """Nothing moved on Simkl: one light read of Kodi's ratings says whether Kodi did."""
        return has_edits(state.two_way, kodi_values(self.library, self.options.types))

    def push(self, two_way: TwoWayStep) -> SyncError | None:
        """Send what the plan pushes (a preview only lists it); report every outcome."""
        report = self.report
        for push in two_way.plan.pushes:
            report.pushed_items.append(push.describe())
        for push in two_way.plan.not_found_again:
            report.types[push.type_name].push_not_found += 1
        report.kodi_only_items = two_way.describe_waiting()
        if self.options.dry_run or not two_way.plan.pushes or self.simkl is None:
            return None
        self._step(95, Stage.PUSH, str(len(two_way.plan.pushes)))
        result = two_way.send(self.simkl, self.options.wait)
        for push in result.confirmed:
            counts = report.types[push.type_name]
            if push.value:
                counts.pushed += 1
            else:
                counts.push_removed += 1
        for push in result.not_found:
            report.types[push.type_name].push_not_found += 1
        for push in result.failed:
            report.types[push.type_name].push_failed += 1
        return result.error


def run_sync(
    simkl: SimklClient | None,
    library: KodiLibrary,
    options: SyncOptions,
    progress: Progress | None = None,
    store: SyncStateStore | None = None,
) -> Report:
    """Run once and describe what happened; expected failures end in the report, not a raise.

    `simkl` may be None only in cached mode; `store` None means a run that remembers nothing.
    """
    run = _Run(simkl, library, options, progress or Progress(), store)
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
        report.http_requests = simkl.requests_sent if simkl else 0
        report.jsonrpc_requests = library.rpc.requests_sent
        report.kodi_writes = library.writes_sent
    return report
