"""The Kodi-to-Simkl half of a two-way run: find edits, decide pushes, send, remember.

It works beside the pull on the same match (see `pushing`), and commits the baseline of what
Kodi held only for what Simkl confirmed: an edit that failed, or that Simkl did not know, stays
an edit and is looked at again next run. Our own writes become the baseline at once, so they are
never taken for edits (no echo); a push that Simkl confirmed updates the cached Simkl rating, so
a later pull from the cache does not write the old value back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Sequence

from ..library.gateway import KodiLibrary, LibraryItem, WriteResult
from ..media import SimklType, kinds_needed
from ..rating import Rating
from ..simkl.client import SimklClient
from ..simkl.push import PushResult, send_pushes
from ..simkl.ratings import SimklRating
from .edits import Edit, changed_ratings, find_edits, kodi_value
from .planning import Plan, item_key
from .policy import Policy
from .pushing import PushPlan, ids_fingerprint, kodi_only, plan_pushes
from .state import (
    KODI_ONLY_KEEP,
    KODI_ONLY_SEND,
    SyncState,
    SyncStateStore,
    TwoWayState,
    source_of,
)


def kodi_values(library: KodiLibrary, types: Sequence[SimklType]) -> dict[str, int]:
    """Every Kodi rating of the kinds these types land on, read with nothing else."""
    values: dict[str, int] = {}
    for kind in kinds_needed(types):
        values.update(library.read_values(kind))
    return values


def kodi_edited(library: KodiLibrary, store: SyncStateStore, types: Sequence[SimklType]) -> bool:
    """Without a word to Simkl: has a Kodi rating moved since the last two-way sync? (Kodi
    announces no notification when a rating changes, so the service asks this now and then.)
    """
    state = store.load()
    if state is None or state.two_way.seen is None:
        return False  # no baseline: the next scheduled sync makes one
    return has_edits(state.two_way, kodi_values(library, types))


def has_edits(state: TwoWayState, values: Mapping[str, int]) -> bool:
    """The cheap check of a run where nothing moved on Simkl: any Kodi rating not as left?"""
    if state.seen is None:
        return True  # no baseline yet: the first two-way run must look at everything
    waiting = set() if state.kodi_only == KODI_ONLY_SEND else set(state.awaiting)
    keys = (values.keys() | state.seen.keys()) - waiting
    return any(values.get(key, 0) != state.seen.get(key, 0) for key in keys)


@dataclass
class TwoWayStep:
    state: TwoWayState
    policy: Policy
    now: str
    edits: dict[str, Edit] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    plan: PushPlan = field(default_factory=PushPlan)
    first_run_kodi_only: dict[str, int] = field(default_factory=dict)
    result: PushResult = field(default_factory=PushResult)
    library: dict[str, LibraryItem] = field(default_factory=dict)

    @property
    def baseline(self) -> bool:
        return self.state.seen is not None

    def find(
        self,
        items: Sequence[LibraryItem],
        old: Mapping[str, Mapping[str, int]],
        new: Mapping[str, Mapping[str, int]],
    ) -> None:
        """Kodi edits since the last sync, and the Simkl items whose rating moved since then
        (only types pulled again in this run can have moved)."""
        for name, values in new.items():
            self.changed |= changed_ratings(old.get(name, {}), values)
        if self.state.seen is None:
            return
        waiting = () if self.state.kodi_only == KODI_ONLY_SEND else self.state.awaiting
        self.edits = find_edits(items, self.state.seen, ignore=waiting)

    def decide(self, items: Sequence[LibraryItem], winners: Mapping[int, SimklRating]) -> None:
        self.library = {item_key(item): item for item in items}
        if not self.baseline:
            self.first_run_kodi_only = kodi_only(items, winners)
            return
        self.plan = plan_pushes(
            self.edits,
            winners,
            policy=self.policy,
            links=self.state.links,
            changed=self.changed,
            not_found=self.state.not_found,
            edit_times=self.state.edit_times,
            now=self.now,
        )

    @property
    def waiting(self) -> dict[str, int]:
        """Ratings only Kodi has that wait for the user's consent."""
        if not self.baseline:
            return self.first_run_kodi_only
        return {} if self.state.kodi_only else dict(self.state.awaiting)

    def describe_waiting(self) -> list[dict]:
        described = []
        for key, value in sorted(self.waiting.items()):
            item = self.library.get(key)
            if item is not None:
                entry = {"kind": item.kind.name, "kodi_id": item.kodi_id, "title": item.title}
                described.append({**entry, "year": item.year, "to": value})
        return described

    def send(self, client: SimklClient, wait: Callable[[float], bool]) -> PushResult:
        if self.plan.pushes:
            self.result = send_pushes(client, self.plan.pushes, wait=wait)
        return self.result

    def commit(
        self,
        state: SyncState,
        items: Sequence[LibraryItem],
        winners: Mapping[int, SimklRating],
        pull: Plan,
        written: WriteResult,
    ) -> None:
        """The new baseline: what Kodi holds now, but for edits Simkl has not confirmed."""
        old = self.state
        seen = {item_key(item): kodi_value(item) for item in items}
        for write in written.applied:
            seen[item_key(write.item)] = write.value
        pending = {p.key for p in self.result.failed + self.result.not_found}
        pending |= {p.key for p in self.plan.not_found_again}
        pending |= {p.key for p in self.plan.pushes} - {p.key for p in self.result.confirmed}
        for key in pending:
            seen[key] = (old.seen or {}).get(key, 0)
        awaiting = dict(self.waiting if not self.baseline else old.awaiting)
        if old.kodi_only == KODI_ONLY_KEEP:
            awaiting = {}
        elif old.kodi_only == KODI_ONLY_SEND:
            awaiting = {k: v for k, v in awaiting.items() if k in pending}
        for key in awaiting:
            seen[key] = 0  # so consent makes them edits
        not_found = {k: v for k, v in old.not_found.items() if k in pending}
        for push in self.result.not_found:
            not_found[push.key] = ids_fingerprint(push.ids)
        state.two_way = TwoWayState(
            seen=seen,
            links={
                item_key(item): source_of(winners[id(item)])
                for item in items
                if id(item) in winners
            },
            edit_times={k: old.edit_times.get(k, self.now) for k in pending},
            not_found=not_found,
            awaiting=awaiting,
            kodi_only=old.kodi_only,
        )
        _patch_cache(state, self.result, winners)


def _patch_cache(state: SyncState, result: PushResult, winners: Mapping[int, SimklRating]) -> None:
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
