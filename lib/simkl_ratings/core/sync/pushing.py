"""Planning the other direction: which Kodi edits go to Simkl, and which the pull decides.

Pull and push share one match: the Simkl item a Kodi item is claimed by in this run (or was
linked to at the last sync) says what Simkl holds for it and whether that moved. Then:
- an edit equal to what Simkl holds is no edit (another Kodi on a shared library wrote it, or
  both sides agree): nothing is sent, nothing written;
- otherwise the edit table in `policy` decides: push (the pull then leaves the item alone) or
  pull (the edit is not sent);
- items Simkl did not know last time are not sent again until their ids change.
A pure function, like the pull planner.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..library.gateway import LibraryItem
from ..media import MOVIE, SIMKL_TYPES_BY_NAME
from ..simkl.ratings import SimklRating
from .edits import Edit, kodi_value
from .planning import item_key
from .policy import EDIT_TABLE, EditOutcome, Policy, SimklSide
from .state import source_of

ANIME = "anime"


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
    pushes: list[Push] = field(default_factory=list)
    protected: set[int] = field(default_factory=set)  # id() of items the pull must not write
    not_found_again: list[Push] = field(default_factory=list)  # Simkl did not know them
    no_ids: list[Edit] = field(default_factory=list)  # nothing to identify them on Simkl


def ids_fingerprint(ids: Mapping[str, str]) -> str:
    """Stable across runs: a not-found item is sent again only when its ids change."""
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


def plan_pushes(
    edits: Mapping[str, Edit],
    winners: Mapping[int, SimklRating],
    *,
    policy: Policy,
    links: Mapping[str, str],
    changed: set[str],
    not_found: Mapping[str, str],
    edit_times: Mapping[str, str],
    now: str,
) -> PushPlan:
    """Decide every edit. `winners` maps id(item) to the Simkl item that claims it now."""
    plan = PushPlan()
    for key, edit in edits.items():
        winner = winners.get(id(edit.item))
        source = source_of(winner) if winner is not None else links.get(key)
        simkl_value = winner.rating.value if winner is not None else 0
        if edit.value == simkl_value:
            continue  # Simkl already holds it: no edit to send (shared library, or agreement)
        if source is not None and source in changed:
            side = SimklSide.MOVED if winner is not None else SimklSide.REMOVED
        else:
            side = SimklSide.SAME if winner is not None else SimklSide.NONE
        if EDIT_TABLE[(policy, side)] is not EditOutcome.PUSH:
            continue
        push = make_push(edit.item, edit.value, source, edit_times.get(key, now))
        if push is None:
            plan.no_ids.append(edit)
            continue
        plan.protected.add(id(edit.item))
        if not_found.get(key) == ids_fingerprint(push.ids):
            plan.not_found_again.append(push)
            continue
        plan.pushes.append(push)
    return plan


def kodi_only(items: Sequence[LibraryItem], winners: Mapping[int, SimklRating]) -> dict[str, int]:
    """Ratings Kodi has on items that no Simkl rating claims."""
    return {
        item_key(item): kodi_value(item)
        for item in items
        if item.userrating is not None and id(item) not in winners
    }
