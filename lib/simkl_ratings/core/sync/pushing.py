"""Planning the other direction: which ratings made in Kodi go to Simkl now.

Pull and push share one match: the Simkl item a Kodi item is claimed by in this run (or was
linked to at the last sync) says what Simkl holds for it and whether that moved. The outbox
(state.py) holds what waits to be sent; each run decides it again:
- a two-way edit equal to what Simkl holds is no edit (another Kodi on a shared library wrote
  it, or both sides agree): nothing is sent;
- otherwise the edit table in `policy` decides: push (the entry stays in the outbox and the
  pull leaves the item alone) or pull (the entry goes, the pull decides the item);
- a rating given in the add-on's own dialog (`explicit`) is the user's wish to rate on Simkl:
  it goes unless Simkl already holds it or the rating in Kodi changed since;
- an entry not yet due (a send failed, back-off) waits, still protected from the pull;
- a parked item (Simkl did not know it, or refused it) comes back only when its ids change.
A pure function of its inputs, like the pull planner.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Sequence

from ..library.gateway import LibraryItem
from ..media import MOVIE, SIMKL_TYPES_BY_NAME
from ..simkl.ratings import SimklRating
from ..timeutil import format_instant, parse_instant
from .edits import Edit, kodi_value
from .planning import item_key
from .policy import EDIT_TABLE, EditOutcome, Policy, SimklSide
from .state import Parked, Pending, source_of

ANIME = "anime"
NOT_FOUND, REFUSED, NO_IDS = "not_found", "refused", "no_ids"


@dataclass(frozen=True)
class Push:
    """One rating for Simkl (`value` 0: remove it), with everything that identifies the item."""

    item: LibraryItem
    value: int
    type_name: str  # the report's type: movies, shows or anime
    bucket: str  # the request's list: movies or shows (anime goes in shows, §14)
    ids: Mapping[str, str]
    simkl_id: int | None
    rated_at: str | None

    @property
    def key(self) -> str:
        return item_key(self.item)

    def entry(self) -> dict:
        """The item as the request body lists it."""
        ids: dict = dict(self.ids)
        if self.simkl_id is not None:
            ids["simkl"] = self.simkl_id
        entry: dict = {"ids": ids}
        if self.item.title:
            entry["title"] = self.item.title
        if self.item.year:
            entry["year"] = self.item.year
        if self.value:
            entry["rating"] = self.value
            if self.rated_at:
                entry["rated_at"] = self.rated_at
        return entry

    def describe(self) -> dict:
        return {
            "type": self.type_name,
            "kind": self.item.kind.name,
            "kodi_id": self.item.kodi_id,
            "title": self.item.title,
            "year": self.item.year,
            "to": self.value,
            "ids": dict(self.ids),
        }


@dataclass
class PushPlan:
    pushes: list[Push] = field(default_factory=list)  # due now
    protected: set[int] = field(default_factory=set)  # id() of items the pull must not write
    outbox: dict[str, Pending] = field(default_factory=dict)  # what waits, after this plan
    parked: dict[str, Parked] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)  # keys in the outbox, not due yet
    parked_now: list[str] = field(default_factory=list)  # keys parked by this plan (no ids)


def ids_fingerprint(ids: Mapping[str, str]) -> str:
    """Stable across runs: a parked item is sent again only when its ids change."""
    text = ",".join(f"{k}={v}" for k, v in sorted(ids.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _simkl_id(source: str | None) -> int | None:
    key = source.split(":", 1)[1] if source and ":" in source else ""
    return int(key) if key.isdigit() else None


def _type_of(item: LibraryItem, source: str | None) -> str:
    name = source.split(":", 1)[0] if source else ""
    if name in SIMKL_TYPES_BY_NAME:
        return name
    return "movies" if item.kind is MOVIE else "shows"


def make_push(
    item: LibraryItem, value: int, source: str | None, rated_at: str | None
) -> Push | None:
    """The push for an item, or None when it has no id Simkl could find it by."""
    type_name = _type_of(item, source)
    bucket = "shows" if type_name == ANIME or item.kind is not MOVIE else "movies"
    ids = dict(item.ids)
    if bucket == "shows" and item.kind is MOVIE:
        ids.pop("tmdb", None)  # a film's tmdb number would name a series in shows[]
    simkl_id = _simkl_id(source)
    if not ids and simkl_id is None:
        return None
    return Push(item, value, type_name, bucket, ids, simkl_id, rated_at)


def push_identity(item: LibraryItem, source: str | None) -> str:
    """The fingerprint of the ids a push for `item` would carry (a parked item's)."""
    push = make_push(item, 0, source, None)
    return ids_fingerprint(push.ids) if push is not None else ""


@dataclass
class PushPlanner:
    """Decides the outbox for one run; see the module docstring for the rules."""

    policy: Policy
    links: Mapping[str, str]  # Kodi item -> Simkl item at the last sync
    changed: set[str]  # Simkl items whose rating moved since the last sync
    now: datetime
    two_way: bool

    def plan(
        self,
        items: Mapping[str, LibraryItem],
        winners: Mapping[int, SimklRating],
        edits: Mapping[str, Edit],
        outbox: Mapping[str, Pending],
        parked: Mapping[str, Parked],
    ) -> PushPlan:
        plan = PushPlan()
        stamp = format_instant(self.now)
        queue: dict[str, Pending] = {}
        for key, entry in outbox.items():
            if key not in edits and (entry.explicit or self.two_way):
                queue[key] = entry
        for key, edit in edits.items():  # a new edit replaces what waited for that item
            queue[key] = Pending(edit.value, stamp)
        for key, held in parked.items():
            item = items.get(key)
            if item is None or key in queue:
                continue
            if not (held.explicit or self.two_way):
                continue  # two-way is off: its parked edits are forgotten
            moved = kodi_value(item) != held.value
            if push_identity(item, self._source(item, winners)) != held.ids or moved:
                if self.two_way or not moved:  # come back: new ids, or a new value
                    queue[key] = Pending(kodi_value(item), stamp, explicit=held.explicit)
            else:
                plan.parked[key] = held
        for key, entry in queue.items():
            self._decide(plan, key, entry, items.get(key), winners)
        return plan

    def _source(self, item: LibraryItem, winners: Mapping[int, SimklRating]) -> str | None:
        winner = winners.get(id(item))
        return source_of(winner) if winner is not None else self.links.get(item_key(item))

    def _decide(
        self,
        plan: PushPlan,
        key: str,
        entry: Pending,
        item: LibraryItem | None,
        winners: Mapping[int, SimklRating],
    ) -> None:
        if item is None or kodi_value(item) != entry.value:
            return  # gone from the library, or changed in Kodi since: not what was meant
        winner = winners.get(id(item))
        source = self._source(item, winners)
        if entry.value == (winner.rating.value if winner is not None else 0):
            return  # Simkl holds it already
        if not entry.explicit and not self._pushes(source, winner is not None):
            return  # the edit table leaves it to the pull
        push = make_push(item, entry.value, source, entry.since or None)
        if push is None:
            plan.parked[key] = Parked(entry.value, "", NO_IDS, entry.explicit)
            plan.parked_now.append(key)
            return
        plan.outbox[key] = entry
        plan.protected.add(id(item))
        retry = parse_instant(entry.retry_at) if entry.retry_at else None
        if retry is not None and retry > self.now:
            plan.waiting.append(key)
        else:
            plan.pushes.append(push)

    def _pushes(self, source: str | None, claimed: bool) -> bool:
        if source is not None and source in self.changed:
            side = SimklSide.MOVED if claimed else SimklSide.REMOVED
        else:
            side = SimklSide.SAME if claimed else SimklSide.NONE
        return EDIT_TABLE[(self.policy, side)] is EditOutcome.PUSH


def kodi_only(
    items: Sequence[LibraryItem],
    winners: Mapping[int, SimklRating],
    keys: set[str] | None = None,
) -> dict[str, int]:
    """Ratings Kodi has on items that no Simkl rating claims (of `keys`, when given)."""
    return {
        item_key(item): kodi_value(item)
        for item in items
        if item.userrating is not None
        and id(item) not in winners
        and (keys is None or item_key(item) in keys)
    }
