"""One sync run, a transaction in named phases: gate → fetch → read → plan → apply → push →
commit.

- **gate**: one `/sync/activities` request says which types moved on Simkl since the committed
  baseline (all of them on a first run, after an account change, a timestamp that went
  backwards, a missing cache, or a rebuild). When nothing moved, nothing is left to apply, no
  rating changed in Kodi (two-way) and nothing in the outbox is due, the run ends there: one
  request.
- **fetch**: the moved types are downloaded; the others come from the cache. Rule
  `suspicious`: a type that comes back empty, missing or null while the add-on holds ratings
  from it changes nothing (the cache stands for it, its activities cursor stays where it was,
  so the next run asks again), unless the user said it is right.
- **read**: one paged read of the library per kind.
- **plan**: the pull planner (planning.py) and the push planner (pushing.py) on one match;
  the two-way phase (two_way.py) brings the edits.
- **apply**: the Kodi writes, in batches; every batch applied is known, even when a later one
  fails or the connection drops.
- **push**: the due entries of the outbox to Simkl (outbox.py says what became of them).
- **commit**: in a `finally`, whatever stopped the run: what was written is recorded (a batch
  whose answer never came is checked by the next run), the baseline moves only when every
  download succeeded, and only past what was trusted.

Everything the run needs is handed in, so the same function runs in the service, a manual run,
a preview, after a library scan (cached mode, no HTTP) and in tests. Rule `no escape`: no
exception leaves `run_sync`; expected failures end in the report, anything else too, as one
clear error.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from ..errors import Cancelled, SyncError
from ..library.gateway import KodiLibrary, LibraryItem, WriteResult
from ..media import SimklType, kinds_needed
from ..rating import Rating
from ..redact import redact
from ..simkl import activities as activity_gate
from ..simkl.account import account_of
from ..simkl.client import SimklClient
from ..simkl.push import PushResult, send_pushes
from ..simkl.ratings import ParsedRatings, SimklRating, parse_ratings
from ..timeutil import format_instant, utc_now
from .outbox import DEFAULT_RETRY_CAP, due, next_due, settle
from .planning import Change, Plan, PlanOptions, PullPlanner, gc_paused, item_key
from .policy import Policy
from .pushing import PushPlan, PushPlanner
from .report import RESULT_CANCELLED, RESULT_ERROR, Report
from .state import SyncState, SyncStateStore, WrittenRecord, cached_values, source_of
from .two_way import OneWay, TwoWay, has_edits, kodi_values

LOG = logging.getLogger(__name__)
LOGGED_SKIPS = 10  # a bad reply must not flood kodi.log: the report lists every skipped row
INTERNAL = "internal"


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
class Consent:
    """What the user said yes to, in a run where someone can be asked (a manual run). A run
    without one (the service, cron) holds back what needs a say and only reports it."""

    clears: frozenset[str] = frozenset()  # types whose clears beyond the guard may be made
    empty: frozenset[str] = frozenset()  # types whose empty reply is the truth


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
    consent: Consent | None = None  # None: nobody can be asked now
    retry_cap: float = DEFAULT_RETRY_CAP  # the longest wait before a failed send is retried
    clock: Callable[[], datetime] = utc_now  # when the run happens (the outbox's back-off)

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
class Fetched:
    """What the Simkl side of a run produced."""

    ratings: list[SimklRating] = field(default_factory=list)  # every enabled type's
    fresh: dict[str, list[SimklRating]] = field(default_factory=dict)  # downloaded, trusted
    unreadable: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per fresh type
    activities: dict[str, Any] | None = None  # the baseline to commit
    unchanged: bool = False  # nothing moved on Simkl and nothing is left to apply


@dataclass
class Planned:
    """What the plan phase decided, for the phases after it."""

    plan: Plan
    pushes: PushPlan
    items: Sequence[LibraryItem]
    winners: Mapping[int, SimklRating]
    awaiting: Mapping[str, int]  # two-way: ratings only Kodi has, waiting for consent


class SyncRun:
    """The phases of one run, sharing the state, the report and what each phase produced."""

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
        self.now = options.clock()
        self.written = WriteResult()  # grows batch by batch: a failure keeps what landed
        self.pushed = PushResult()
        self.previous: dict[str, Sequence[SimklRating]] = {}  # the cache before this run
        self.baseline: Mapping[str, Any] | None = None  # the activities before this run

    def _step(self, percent: int, stage: Stage, detail: str) -> None:
        if self.progress.cancelled():
            raise Cancelled("cancelled by the user")
        self.progress.update(percent, stage, detail)

    # -- the transaction -------------------------------------------------------------------------

    def execute(self) -> None:
        state = self.load_state()
        phase = TwoWay(state.two_way) if self.options.two_way else OneWay()
        fetched = self.gate_and_fetch(state)
        if fetched.unchanged:
            if not self.kodi_side_due(state, phase):
                self.report.activities_unchanged = True
                where = " or in Kodi" if phase.enabled else ""
                LOG.info("nothing moved on Simkl%s since the last sync", where)
                return
            names = [t.name for t in self.options.types]  # Kodi moved: the cache is Simkl
            fetched.ratings = [r for name in names for r in state.ratings.get(name, [])]
        planned = self.plan(state, fetched, self.read(), phase)
        try:
            self.apply(planned.plan)
            if not self.written.cancelled:
                self.push(planned.pushes)
        finally:
            self.commit(state, fetched, planned, phase)
        if self.written.cancelled:
            raise Cancelled("cancelled between write batches")
        if self.pushed.error is not None:
            raise self.pushed.error
        total = len(planned.plan.changes)
        self.progress.update(100, Stage.WRITE, f"{total}/{total}")

    # -- gate and fetch --------------------------------------------------------------------------

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

    def gate_and_fetch(self, state: SyncState) -> Fetched:
        names = [t.name for t in self.options.types]
        fetched = Fetched()
        if self.options.mode is Mode.CACHED:
            if not state.has_cache_for(names):
                LOG.info("no cached Simkl ratings yet: the next sync downloads them")
                fetched.unchanged = True
                return fetched
            fetched.ratings = [r for name in names for r in state.ratings[name]]
            return fetched
        assert self.simkl is not None
        self._step(0, Stage.CHECK, "")
        current = dict(activity_gate.validate(self.simkl.activities()))
        fetch = self.types_to_fetch(state, current)
        asking = self.options.consent is not None and bool(state.held_clears)
        settled = not state.needs_apply and state.fingerprint == self.options.fingerprint
        if not fetch and settled and not asking and not self.options.dry_run:
            fetched.unchanged = True
            return fetched
        fetched.activities = current
        for number, simkl_type in enumerate(fetch):
            self._step(5 + 25 * number // max(1, len(fetch)), Stage.FETCH, simkl_type.name)
            self.fetch_type(state, simkl_type, fetched)
        for name in names:
            fetched.ratings.extend(fetched.fresh.get(name, state.ratings.get(name, [])))
        return fetched

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
        self.previous = dict(state.ratings)  # what a suspicious reply falls back on
        self.baseline = state.activities  # its cursors stay where they were
        if full:
            state.forget_simkl()
            return list(types)
        return [
            t for t in types if t.activity_group in changes.groups or t.name not in state.ratings
        ]

    def fetch_type(self, state: SyncState, simkl_type: SimklType, fetched: Fetched) -> None:
        assert self.simkl is not None
        name = simkl_type.name
        parsed = parse_ratings(simkl_type, self.simkl.ratings(name))
        self._count_rows(simkl_type, parsed)
        if self.suspicious(state, simkl_type, parsed):
            self.report.suspicious_types.append(name)
            self.report.suspicious_holding += max(
                len(self.previous.get(name, ())),
                sum(1 for rec in state.written.values() if rec.source.startswith(f"{name}:")),
            )
            LOG.warning(
                "Simkl sent no %s ratings though the add-on holds some: nothing changes for "
                "them until Simkl confirms (the next sync asks again)",
                name,
            )
            if name not in state.ratings and name in self.previous:
                state.ratings[name] = self.previous[name]
            return
        fetched.fresh[name] = parsed.items
        fetched.unreadable[name] = [
            {"simkl": row.simkl_id, "ids": dict(row.ids)} for row in parsed.skipped
        ]

    def suspicious(self, state: SyncState, simkl_type: SimklType, parsed: ParsedRatings) -> bool:
        """Rule `suspicious`: no rating at all for a type the add-on holds ratings from."""
        name = simkl_type.name
        if parsed.items or parsed.skipped:
            return False
        if self.options.consent is not None and name in self.options.consent.empty:
            return False
        cached = len(self.previous.get(name, ()))
        held = sum(1 for rec in state.written.values() if rec.source.startswith(f"{name}:"))
        return bool(cached or held)

    def _count_rows(self, simkl_type: SimklType, parsed: ParsedRatings) -> None:
        name = simkl_type.name
        self.report.skipped_items.extend(row.describe() for row in parsed.skipped)
        self.report.types[name].skipped = len(parsed.skipped)
        self.report.types[name].unrated = parsed.unrated
        if parsed.unrated:
            LOG.info("%d %s list items without a rating ignored", parsed.unrated, name)
        for row in parsed.skipped[:LOGGED_SKIPS]:
            LOG.warning("skipped a %s rating from Simkl: %s", name, row.reason)
        if len(parsed.skipped) > LOGGED_SKIPS:
            more = len(parsed.skipped) - LOGGED_SKIPS
            LOG.warning("skipped %d more %s ratings (listed in the report)", more, name)

    def kodi_side_due(self, state: SyncState, phase: TwoWay | OneWay) -> bool:
        """Nothing moved on Simkl: is there work on the Kodi side? A rating due in the outbox,
        or (two-way) one light read of Kodi's ratings that differs from the last sync."""
        if due(state.outbox, self.now):
            return True
        if not phase.enabled:
            return False
        return has_edits(state.two_way, kodi_values(self.library, self.options.types))

    # -- read and plan ---------------------------------------------------------------------------

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

    def plan(
        self,
        state: SyncState,
        fetched: Fetched,
        items: Sequence[LibraryItem],
        phase: TwoWay | OneWay,
    ) -> Planned:
        resolve_uncertain(state, items)
        consent = self.options.consent or Consent()
        unreadable = {
            name: state.invalid.get(name, [])
            for name in self.options.type_names
            if name not in fetched.fresh
        }
        unreadable.update(fetched.unreadable)
        options = PlanOptions(
            self.options.policy,
            self.options.title_fallback,
            self.options.type_names,
            unreadable=unreadable,
            clears_allowed=consent.clears | consent.empty,
        )
        before = cached_values(self.previous or state.ratings)
        with gc_paused():
            planner = PullPlanner(items, options, state.written)
            planner.match(fetched.ratings)
            winners = planner.winners()
            edits = phase.find(items, before, cached_values(fetched.fresh))
            pusher = PushPlanner(
                self.options.policy,
                state.two_way.links,
                phase.changed,
                self.now,
                two_way=phase.enabled,
            )
            by_key = {item_key(item): item for item in items}
            push_plan = pusher.plan(by_key, winners, edits, state.outbox, state.parked)
            plan = planner.finish(fetched.ratings, push_plan.protected)
        awaiting = phase.awaiting(items, winners)
        self._step(55, Stage.WRITE, f"0/{len(plan.changes)}")
        self.record_plan(plan, fetched.ratings, push_plan, awaiting, by_key)
        return Planned(plan, push_plan, items, winners, awaiting)

    def record_plan(
        self,
        plan: Plan,
        ratings: Sequence[SimklRating],
        push_plan: PushPlan,
        awaiting: Mapping[str, int],
        items: Mapping[str, LibraryItem],
    ) -> None:
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
        for change in plan.held:
            types[change.simkl_type.name].clears_held += 1
            self.report.held_clear_items.append(change.describe())
        self.report.changes = [change.describe() for change in plan.changes]
        self.record_pushes(push_plan, items)
        self.report.kodi_only_items = describe_kodi_only(awaiting, items)

    def record_pushes(self, push_plan: PushPlan, items: Mapping[str, LibraryItem]) -> None:
        types = self.report.types
        for push in push_plan.pushes:
            self.report.pushed_items.append(push.describe())
        for key in push_plan.waiting:
            item = items.get(key)
            if item is not None:
                types["movies" if item.kind.name == "movie" else "shows"].push_waiting += 1
        for key, held in sorted(push_plan.parked.items()):
            item = items.get(key)
            if item is not None:
                entry = {"kind": item.kind.name, "kodi_id": item.kodi_id, "title": item.title}
                self.report.parked_items.append(
                    {**entry, "year": item.year, "to": held.value, "reason": held.reason}
                )

    # -- apply and push --------------------------------------------------------------------------

    def apply(self, plan: Plan) -> None:
        changes = plan.changes
        if self.options.dry_run:
            for change in changes:
                self._count_applied(change)
            return
        by_write: dict[int, Change] = {id(c.write): c for c in changes}

        def on_batch(done: int, total: int) -> bool:
            if self.progress.cancelled():
                return True
            self.progress.update(55 + 45 * done // max(1, total), Stage.WRITE, f"{done}/{total}")
            return False

        writes = [change.write for change in changes]
        try:
            self.library.write(
                writes, batch_size=self.options.batch_size, on_batch=on_batch, result=self.written
            )
        finally:  # the connection may drop: the report counts what landed all the same
            self._count_written(writes, by_write)

    def _count_written(self, writes: Sequence[Any], by_write: Mapping[int, Change]) -> None:
        for write in self.written.applied:
            self._count_applied(by_write[id(write)])
        for write, error in self.written.failed:
            change = by_write[id(write)]
            self.report.types[change.simkl_type.name].failed += 1
            failed = change.describe()
            failed["error"] = str(error)
            self.report.failed_items.append(failed)
        if self.written.cancelled:
            done = {id(w) for w in self.written.applied} | {id(w) for w, _ in self.written.failed}
            for write in writes:
                if id(write) not in done and write.rating is not None:
                    self.report.types[by_write[id(write)].simkl_type.name].not_written += 1

    def _count_applied(self, change: Change) -> None:
        counts = self.report.types[change.simkl_type.name]
        if change.write.rating is None:
            counts.cleared += 1
        else:
            counts.updated += 1

    def push(self, push_plan: PushPlan) -> None:
        """Send what is due (a preview only lists it); report every outcome."""
        if self.options.dry_run or not push_plan.pushes or self.simkl is None:
            return
        self._step(95, Stage.PUSH, str(len(push_plan.pushes)))
        self.pushed = send_pushes(self.simkl, push_plan.pushes, wait=self.options.wait)
        counts = self.report.types
        for push in self.pushed.confirmed:
            if push.value:
                counts[push.type_name].pushed += 1
            else:
                counts[push.type_name].push_removed += 1
        for push in self.pushed.not_found:
            counts[push.type_name].push_not_found += 1
            self.report.parked_items.append({**push.describe(), "reason": "not_found"})
        for push in self.pushed.refused:
            counts[push.type_name].push_refused += 1
            self.report.parked_items.append({**push.describe(), "reason": "refused"})
        for push in self.pushed.failed:
            counts[push.type_name].push_failed += 1

    # -- commit ----------------------------------------------------------------------------------

    def commit(
        self, state: SyncState, fetched: Fetched, planned: Planned, phase: TwoWay | OneWay
    ) -> None:
        """Remember what was downloaded, written and sent; the baseline only past what was
        fetched and trusted. Runs whatever stopped the run after the plan."""
        if self.options.dry_run or self.store is None:
            return
        plan = planned.plan
        self.commit_simkl(state, fetched)
        self.commit_written(state, plan)
        outbox, parked = settle(planned.pushes, self.pushed, self.now, self.options.retry_cap)
        state.outbox, state.parked = outbox, parked
        moment = next_due(outbox, self.now)
        self.report.next_push = format_instant(moment) if moment else None
        state.two_way = phase.baseline(
            planned.items, planned.winners, self.written, planned.awaiting
        )
        patch_cache(state, self.pushed, planned.winners)
        state.held_clears = {}
        for change in plan.held:
            name = change.simkl_type.name
            state.held_clears[name] = state.held_clears.get(name, 0) + 1
        state.fingerprint = self.options.fingerprint
        incomplete = len(self.written.applied) + len(self.written.failed) < len(plan.changes)
        state.needs_apply = bool(self.written.failed) or self.written.cancelled or incomplete
        self.store.save(state)

    def commit_simkl(self, state: SyncState, fetched: Fetched) -> None:
        """The new cache and baseline; a suspicious type keeps its old cursor."""
        if fetched.activities is not None:
            activities = dict(fetched.activities)
            for name in self.report.suspicious_types:
                group = next(t.activity_group for t in self.options.types if t.name == name)
                old = (self.baseline or {}).get(group)
                if old is None:
                    activities.pop(group, None)  # no cursor: the next run asks again
                else:
                    activities[group] = old
            state.activities = activities
        state.ratings.update(fetched.fresh)
        state.invalid.update(fetched.unreadable)
        enabled = self.options.type_names
        for name in list(state.ratings):
            if name not in enabled:
                del state.ratings[name]  # a type turned off: pull it afresh when turned on
                state.invalid.pop(name, None)

    def commit_written(self, state: SyncState, plan: Plan) -> None:
        for key in plan.released:
            state.written.pop(key, None)
        if self.options.shared_library:
            self.adopt(state, plan)
        by_write = {id(change.write): change for change in plan.changes}
        for write in self.written.applied:
            change = by_write[id(write)]
            key = item_key(write.item)
            state.uncertain.pop(key, None)
            if write.rating is None or change.source is None:
                state.written.pop(key, None)
            else:
                state.written[key] = WrittenRecord(write.rating.value, source_of(change.source))
        for write in self.written.in_flight:  # when the connection dropped: landed or not
            change = by_write.get(id(write))
            if change is not None and change.source is not None and write.rating is not None:
                value = write.rating.value
                state.uncertain[item_key(write.item)] = WrittenRecord(
                    value, source_of(change.source)
                )

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


def resolve_uncertain(state: SyncState, items: Sequence[LibraryItem]) -> None:
    """Writes whose answer never came: recorded as ours when Kodi shows the value we sent,
    forgotten otherwise (the plan then decides the item afresh)."""
    if not state.uncertain:
        return
    values = {item_key(item): item.userrating for item in items}
    for key, record in state.uncertain.items():
        held = values.get(key)
        if held is not None and held.value == record.value:
            state.written[key] = record
    state.uncertain = {}


def patch_cache(state: SyncState, result: PushResult, winners: Mapping[int, SimklRating]) -> None:
    """Simkl holds the pushed values now: so does the cache, or a cached run would undo them."""
    pushed = {}
    for push in result.confirmed:
        winner = winners.get(id(push.item))
        if winner is not None:
            pushed[source_of(winner)] = push.value
    if not pushed:
        return
    for name, rows in list(state.ratings.items()):
        patched = []
        for rating in rows:
            value = pushed.get(source_of(rating))
            if value is None:
                patched.append(rating)
            elif value:
                patched.append(replace(rating, rating=Rating(value)))
        state.ratings[name] = patched


def describe_kodi_only(
    awaiting: Mapping[str, int], items: Mapping[str, LibraryItem]
) -> list[dict[str, Any]]:
    described = []
    for key, value in sorted(awaiting.items()):
        item = items.get(key)
        if item is not None:
            entry = {"kind": item.kind.name, "kodi_id": item.kodi_id, "title": item.title}
            described.append({**entry, "year": item.year, "to": value})
    return described


def run_sync(
    simkl: SimklClient | None,
    library: KodiLibrary,
    options: SyncOptions,
    progress: Progress | None = None,
    store: SyncStateStore | None = None,
) -> Report:
    """Run once and describe what happened. Rule `no escape`: nothing raises out of here;
    expected failures end in the report, anything else as one clear error.

    `simkl` may be None only in cached mode; `store` None means a run that remembers nothing.
    """
    run = SyncRun(simkl, library, options, progress or Progress(), store)
    report = run.report
    try:
        run.execute()
    except Cancelled as exc:
        report.result = RESULT_CANCELLED
        report.error_code = exc.code
        LOG.info("sync cancelled: %s", exc)
    except SyncError as exc:
        report.result = RESULT_ERROR
        report.error = redact(str(exc))
        report.error_code = exc.code
        LOG.error("sync failed (%s): %s", exc.code, report.error)
    except Exception as exc:  # a bug, or something no rule foresaw: one clear error, no crash
        report.result = RESULT_ERROR
        report.error_code = INTERNAL
        report.error = f"unexpected {type(exc).__name__} at {_where(exc)}"
        LOG.error("sync stopped on %s: %s", report.error, redact(str(exc))[:300])
    finally:
        report.finished_at = format_instant(utc_now())
        report.http_requests = simkl.requests_sent if simkl else 0
        report.jsonrpc_requests = library.rpc.requests_sent
        report.kodi_writes = library.writes_sent
    return report


def _where(exc: BaseException) -> str:
    """The file and line an exception came from (for the report and bug reports)."""
    trace = exc.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    if trace is None:
        return "?"
    return f"{trace.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{trace.tb_lineno}"
