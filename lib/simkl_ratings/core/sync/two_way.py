"""The two-way phase of a run: ratings edited in Kodi, found by comparison with the baseline;
ratings only Kodi has, which wait for the user's consent; and the new baseline.

Edits it finds go to the outbox (pushing.py decides which, outbox.py what became of them).
The baseline is what Kodi holds after the run: our own writes are in it at once, so they are
never taken for edits (no echo), and so are the ratings in the outbox (they are on their way),
so a send that failed never makes the next look at Kodi find "an edit" again. With two-way off
the phase does nothing, and forgets the baseline: turning it on again never takes what changed
meanwhile for edits (it starts afresh, with consent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Mapping, Sequence

from ..library.gateway import KodiLibrary, LibraryItem, WriteResult
from ..media import SimklType, kinds_needed
from ..simkl.ratings import SimklRating
from ..timeutil import utc_now
from .edits import Edit, changed_ratings, find_edits, kodi_value
from .outbox import due
from .planning import item_key
from .pushing import kodi_only
from .state import SyncStateStore, TwoWayState, source_of


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
    return work_waiting(library, store, types, two_way=True)


def work_waiting(
    library: KodiLibrary,
    store: SyncStateStore,
    types: Sequence[SimklType],
    *,
    two_way: bool,
    now: datetime | None = None,
) -> bool:
    """Without a word to Simkl: is a rating in the outbox due, or (two-way) has a Kodi rating
    moved since the last sync? A parked item, or one waiting for its back-off, is neither."""
    state = store.load()
    if state is None:
        return False
    if due(state.outbox, now or utc_now()):
        return True
    if not two_way or state.two_way.seen is None:
        return False  # no baseline: the next scheduled sync makes one
    return has_edits(state.two_way, kodi_values(library, types))


def has_edits(state: TwoWayState, values: Mapping[str, int]) -> bool:
    """The cheap check of a run where nothing moved on Simkl: any Kodi rating not as left?
    Ratings waiting for consent are as left; a newly rated item is not (one run files it)."""
    if state.seen is None:
        return True  # no baseline yet: the first two-way run must look at everything
    keys = (values.keys() | state.seen.keys()) - state.awaiting.keys()
    return any(values.get(key, 0) != state.seen.get(key, 0) for key in keys)


class TwoWay:
    """The phase with two-way on."""

    enabled = True

    def __init__(self, state: TwoWayState) -> None:
        self.state = state
        self.changed: set[str] = set()

    def find(
        self,
        items: Sequence[LibraryItem],
        old: Mapping[str, Mapping[str, int]],
        new: Mapping[str, Mapping[str, int]],
    ) -> dict[str, Edit]:
        """Kodi edits since the last sync, and the Simkl items whose rating moved since then
        (only types pulled again in this run can have moved)."""
        for name, values in new.items():
            self.changed |= changed_ratings(old.get(name, {}), values)
        if self.state.seen is None:
            return {}
        return find_edits(items, self.state.seen)

    def awaiting(
        self, items: Sequence[LibraryItem], winners: Mapping[int, SimklRating]
    ) -> dict[str, int]:
        """Ratings only Kodi has, of items the baseline does not know (all of them at the
        first run): sent only once the user agrees."""
        if self.state.seen is None:
            return kodi_only(items, winners)
        unknown = {item_key(item) for item in items} - self.state.seen.keys()
        return kodi_only(items, winners, unknown)

    def baseline(
        self,
        items: Sequence[LibraryItem],
        winners: Mapping[int, SimklRating],
        written: WriteResult,
        awaiting: Mapping[str, int],
    ) -> TwoWayState:
        """What the next run compares Kodi with: Kodi now, with this run's writes."""
        seen = {item_key(item): kodi_value(item) for item in items}
        for write in written.applied:
            seen[item_key(write.item)] = write.value
        for key in awaiting:
            seen.pop(key, None)
        links = {
            item_key(item): source_of(winners[id(item)]) for item in items if id(item) in winners
        }
        return TwoWayState(seen=seen, links=links, awaiting=dict(awaiting))


class OneWay:
    """The phase with two-way off: no edit, nothing awaiting, no baseline."""

    enabled = False
    changed: set[str] = set()

    def find(self, items, old, new) -> dict[str, Edit]:  # TwoWay's signature
        return {}

    def awaiting(self, items, winners) -> dict[str, int]:
        return {}

    def baseline(self, items, winners, written, awaiting) -> TwoWayState:
        return TwoWayState()
