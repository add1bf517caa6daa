"""Planning: from (Simkl ratings, library items, options) to the writes a run should make.

A pure function. Each Simkl item is matched by its ids; an item whose ids point at two Kodi
items is a conflict and writes nothing; several Simkl items on one Kodi item (anime seasons
often do that) resolve to the most recently rated one. A value Kodi already holds is never
written again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

from .library import LibraryItem, RatingWrite
from .matching import LibraryIndex
from .ratings import SimklRating

_NEVER = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Change:
    """A planned write and the Simkl item it comes from."""

    write: RatingWrite
    source: SimklRating

    def describe(self) -> dict:
        item = self.write.item
        previous = item.userrating.value if item.userrating else 0
        return {
            "type": self.source.simkl_type.name,
            "kind": item.kind.name,
            "kodi_id": item.kodi_id,
            "title": item.title or self.source.title,
            "year": item.year,
            "from": previous,
            "to": self.write.rating.value,
        }


@dataclass(frozen=True)
class Conflict:
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
    unmatched: list[SimklRating] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)


def _recency(rating: SimklRating) -> tuple[datetime, int]:
    return (rating.rated_at or _NEVER, rating.simkl_id or 0)


def plan_sync(ratings: Sequence[SimklRating], library: Sequence[LibraryItem]) -> Plan:
    """Decide every write; the caller only executes the plan."""
    plan = Plan()
    index = LibraryIndex(library)
    claims: dict[tuple[str, int], list[SimklRating]] = {}
    items: dict[tuple[str, int], LibraryItem] = {}
    for rating in ratings:
        found = index.find(rating.simkl_type.kinds_for(rating.anime_type), rating.ids)
        if not found:
            plan.unmatched.append(rating)
        elif len(found) > 1:
            plan.conflicts.append(Conflict(rating, tuple(found)))
        else:
            item = found[0]
            items[item.key] = item
            claims.setdefault(item.key, []).append(rating)
    for key, claimants in claims.items():
        item = items[key]
        winner = max(claimants, key=_recency)
        plan.collisions.extend(
            Collision(item, winner, other) for other in claimants if other is not winner
        )
        if item.userrating == winner.rating:
            plan.unchanged.append((winner, item))
        else:
            plan.changes.append(Change(RatingWrite(item, winner.rating), winner))
    return plan
