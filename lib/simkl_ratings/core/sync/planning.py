"""Planning: from (Simkl ratings, library items, options, write record) to the writes a run
should make. A pure function; the caller only executes the plan.

- Each Simkl item is matched by its ids (and, when enabled, by exact title + year, only when
  exactly one library item qualifies and no id contradicts it); `matching.Matcher` holds the
  rules, including those for anime whose kind Simkl does not say.
- An item whose ids point at two Kodi items is a conflict and writes nothing; an anime found by
  an unconfirmed tmdb number only is of unknown kind and writes nothing; several Simkl
  items on one Kodi item (anime seasons) resolve to the most recently rated one.
- A value Kodi already holds is never written again; otherwise the policy table decides.
- A rating this add-on wrote whose Simkl rating is gone is cleared, only if Kodi still holds
  exactly what was written (the user did not change it since).

Safety rules, each a named step below:
- `protect_unreadable`: a Simkl row that is there but cannot be read protects the item it
  names: nothing is written to it and nothing cleared. A row that names nothing leaves its
  whole type without clears this run.
- `guard_clears`: a run clears at most max(5, 20 %) of the ratings it holds from Simkl for a
  type without the user's say; beyond that every clear of that type is held back (`held`)
  until the user agrees.
- titles compare only when both are non-empty after normalisation (matching.py).
"""

from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator, Mapping, Sequence

from ..library.gateway import LibraryItem, RatingWrite
from ..media import SIMKL_TYPES_BY_NAME, SimklType
from ..simkl.ratings import SimklRating
from .matching import LibraryIndex, Matcher, MatchOutcome
from .policy import THEIRS, Outcome, Policy, decide, local_state
from .state import WrittenRecord, key_of, source_of


def item_key(item: LibraryItem) -> str:
    return f"{item.kind.name}:{item.kodi_id}"


CLEAR_GUARD_MIN = 5  # clears a run may make per type without asking, at the least
CLEAR_GUARD_SHARE = 0.2  # ... or this share of the ratings it holds from Simkl for the type


def clear_limit(held: int) -> int:
    """How many of the `held` ratings of a type one run may clear without the user's say."""
    return max(CLEAR_GUARD_MIN, int(held * CLEAR_GUARD_SHARE))


@dataclass(frozen=True)
class PlanOptions:
    policy: Policy = Policy.SIMKL_WINS
    title_fallback: bool = False
    # Types whose ratings in this plan are complete: a written rating missing from them was
    # un-rated on Simkl. Types not listed never cause a clear.
    complete_types: frozenset[str] = frozenset()
    # Per type, the rows Simkl sent that could not be read: {"simkl": id or None, "ids": {}}.
    unreadable: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    # Types whose clears beyond the guard the user agreed to.
    clears_allowed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Change:
    """A planned write (or clear) and the Simkl item it comes from (None for a clear)."""

    write: RatingWrite
    simkl_type: SimklType
    source: SimklRating | None = None

    def describe(self) -> dict:
        item = self.write.item
        return {
            "type": self.simkl_type.name,
            "kind": item.kind.name,
            "kodi_id": item.kodi_id,
            "title": item.title or (self.source.title if self.source else ""),
            "year": item.year,
            "from": item.userrating.value if item.userrating else 0,
            "to": self.write.value,
        }


@dataclass(frozen=True)
class Unplaced:
    """A Simkl item that was not written, and the library items that made it uncertain."""

    rating: SimklRating
    items: tuple[LibraryItem, ...]

    def describe(self) -> dict:
        described = self.rating.describe()
        described["kodi_items"] = [
            {"kind": i.kind.name, "kodi_id": i.kodi_id, "title": i.title} for i in self.items
        ]
        return described


@dataclass(frozen=True)
class Collision:
    item: LibraryItem
    winner: SimklRating
    superseded: SimklRating

    def describe(self) -> dict:
        described = self.superseded.describe()
        described["kodi_item"] = {
            "kind": self.item.kind.name,
            "kodi_id": self.item.kodi_id,
            "title": self.item.title,
        }
        described["used_instead"] = self.winner.describe()
        return described


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: list[tuple[SimklRating, LibraryItem]] = field(default_factory=list)
    kept_local: list[tuple[SimklRating, LibraryItem]] = field(default_factory=list)
    unmatched: list[SimklRating] = field(default_factory=list)
    conflicts: list[Unplaced] = field(default_factory=list)
    kind_unknown: list[Unplaced] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    by_title: list[tuple[SimklRating, LibraryItem]] = field(default_factory=list)
    # Write-record entries that no longer describe Kodi (the user changed or cleared the
    # value): the add-on does not own those values any more.
    released: list[str] = field(default_factory=list)
    held: list[Change] = field(default_factory=list)  # clears beyond the guard, not made
    unreadable_items: list[LibraryItem] = field(default_factory=list)  # protected by a row

    @property
    def clears(self) -> list[Change]:
        return [c for c in self.changes if c.write.rating is None]


def _recency(rating: SimklRating) -> tuple[bool, datetime | None, int]:
    # No datetime.min sentinel: on Kodi 19 that class attribute can be another object in a
    # sub-interpreter (xbmc/xbmc #17311). Undated ratings sort first; two of them compare
    # equal on the None and go on to the id.
    return (rating.rated_at is not None, rating.rated_at, rating.simkl_id or 0)


def winner_of(claimants: Sequence[SimklRating]) -> SimklRating:
    """Of several Simkl items on one Kodi item (anime seasons), the most recently rated."""
    return max(claimants, key=_recency) if len(claimants) > 1 else claimants[0]


class PullPlanner:
    """The pull plan in two steps (match, then finish), so that two-way sync can decide its
    pushes from the same match in between and keep the pull off the items it pushes."""

    def __init__(
        self,
        library: Sequence[LibraryItem],
        options: PlanOptions,
        written: Mapping[str, WrittenRecord],
    ) -> None:
        self.options = options
        self.written = written
        self.index = LibraryIndex(library, titles=options.title_fallback)
        self.plan = Plan()
        self.claims: dict[int, tuple[LibraryItem, list[SimklRating]]] = {}
        self.complete = set(options.complete_types)
        self.protected_sources: set[str] = set()
        self.protected_items: set[int] = set()
        self.protect_unreadable()

    def protect_unreadable(self) -> None:
        """Rule: a row that is there but unreadable protects the item it names."""
        for name, rows in self.options.unreadable.items():
            simkl_type = SIMKL_TYPES_BY_NAME.get(name)
            if simkl_type is None:
                continue
            kinds = simkl_type.kinds_for(None) + tuple(
                k for ks in simkl_type.kinds_by_subtype.values() for k in ks
            )
            for row in rows:
                simkl_id, ids = row.get("simkl"), row.get("ids") or {}
                if simkl_id is None and not ids:
                    self.complete.discard(name)  # it may be any item: no clear of this type
                    continue
                self.protected_sources.add(f"{name}:{key_of(simkl_id, ids)}")
                for item in self.index.find(tuple(dict.fromkeys(kinds)), ids):
                    if id(item) not in self.protected_items:
                        self.protected_items.add(id(item))
                        self.plan.unreadable_items.append(item)

    def match(self, ratings: Sequence[SimklRating]) -> dict[int, tuple[LibraryItem, list]]:
        """Claims per Kodi item (keyed by identity: no key strings for the whole library)."""
        claims: dict[int, tuple[LibraryItem, list[SimklRating]]] = {}
        matcher = Matcher(self.index, title_fallback=self.options.title_fallback)
        plan = self.plan
        for rating in ratings:
            match = matcher.match(rating)
            outcome = match.outcome
            if outcome is MatchOutcome.MATCHED or outcome is MatchOutcome.BY_TITLE:
                item = match.item
                claims.setdefault(id(item), (item, []))[1].append(rating)
                if outcome is MatchOutcome.BY_TITLE:
                    plan.by_title.append((rating, item))
            elif outcome is MatchOutcome.UNMATCHED:
                plan.unmatched.append(rating)
            elif outcome is MatchOutcome.CONFLICT:
                plan.conflicts.append(Unplaced(rating, match.items))
            else:
                plan.kind_unknown.append(Unplaced(rating, match.items))
        self.claims = claims
        return claims

    def winners(self) -> dict[int, SimklRating]:
        """The Simkl item that claims each matched Kodi item, by id() of the item."""
        return {key: winner_of(claimants) for key, (_item, claimants) in self.claims.items()}

    def finish(self, ratings: Sequence[SimklRating], protected: set[int] | None = None) -> Plan:
        """Decide every matched item (but the protected ones) and every un-rating."""
        skip = (protected or set()) | self.protected_items
        for key, (item, claimants) in self.claims.items():
            if key not in skip:
                self.decide(item, claimants)
        # An item a present row points at, even ambiguously, is not "no longer rated".
        pointed = {id(i) for unplaced in self.plan.conflicts for i in unplaced.items}
        pointed |= {id(i) for unplaced in self.plan.kind_unknown for i in unplaced.items}
        self.unrate(set(self.claims) | skip | pointed, {source_of(r) for r in ratings})
        self.guard_clears()
        return self.plan

    def decide(self, item: LibraryItem, claimants: list[SimklRating]) -> None:
        winner = winner_of(claimants)
        if len(claimants) > 1:
            self.plan.collisions.extend(
                Collision(item, winner, other) for other in claimants if other is not winner
            )
        if item.userrating == winner.rating:
            self.plan.unchanged.append((winner, item))
            return
        key = item_key(item)
        record = self.written.get(key)
        outcome = decide(self.options.policy, item.userrating, record.value if record else None)
        if outcome is Outcome.WRITE:
            write = RatingWrite(item, winner.rating)
            self.plan.changes.append(Change(write, winner.simkl_type, winner))
        else:
            self.plan.kept_local.append((winner, item))
            if record is not None and local_state(item.userrating, record.value) == THEIRS:
                self.plan.released.append(key)

    def unrate(self, claimed: set[int], sources: set[str]) -> None:
        for key, record in self.written.items():
            simkl_type = SIMKL_TYPES_BY_NAME.get(record.source.split(":", 1)[0])
            item = self.index.item(key)
            if simkl_type is None or item is None or id(item) in claimed:
                continue
            if simkl_type.name not in self.complete or record.source in sources:
                continue
            if record.source in self.protected_sources:
                continue
            if item.userrating is not None and item.userrating.value == record.value:
                self.plan.changes.append(Change(RatingWrite(item, None), simkl_type))
            else:
                self.plan.released.append(key)

    def guard_clears(self) -> None:
        """Rule: at most max(5, 20 %) of a type's ratings cleared without the user's say."""
        holding: dict[str, int] = {}
        for record in self.written.values():
            name = record.source.split(":", 1)[0]
            holding[name] = holding.get(name, 0) + 1
        clears: dict[str, list[Change]] = {}
        for change in self.plan.clears:
            clears.setdefault(change.simkl_type.name, []).append(change)
        for name, changes in clears.items():
            if name in self.options.clears_allowed:
                continue
            if len(changes) > clear_limit(holding.get(name, 0)):
                held = {id(change) for change in changes}
                self.plan.changes = [c for c in self.plan.changes if id(c) not in held]
                self.plan.held.extend(changes)


def plan_sync(
    ratings: Sequence[SimklRating],
    library: Sequence[LibraryItem],
    options: PlanOptions = PlanOptions(),
    written: Mapping[str, WrittenRecord] | None = None,
) -> Plan:
    """Decide every write and clear; see the module docstring for the rules."""
    with gc_paused():
        planner = PullPlanner(library, options, written or {})
        planner.match(ratings)
        return planner.finish(ratings)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Planning builds hundreds of thousands of small, acyclic objects that reference counting
    frees anyway; the cyclic collector would walk every live object again and again while they
    are made, which makes planning time grow faster than the library. Paused only meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
