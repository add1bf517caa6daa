"""Ratings changed in Kodi, found by comparison, never guessed.

Two-way sync remembers the `userrating` it last saw on every Kodi item (after its own writes).
Any other value now is an edit, whoever made it: the GUI, a remote app over JSON-RPC, a skin,
another Kodi on a shared library. Only an item the baseline knows can be edited: before the
first two-way run nothing is an edit, and an item that arrives with a rating (a scan of an NFO,
a library import) is new, not edited; ratings only Kodi has wait for the user's consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from ..library.gateway import LibraryItem
from .planning import item_key


@dataclass(frozen=True)
class Edit:
    item: LibraryItem
    value: int  # 1..10, or 0: the rating was cleared
    before: int  # what Kodi held at the last sync (0: none)


def kodi_value(item: LibraryItem) -> int:
    return item.userrating.value if item.userrating is not None else 0


def find_edits(items: Iterable[LibraryItem], seen: Mapping[str, int]) -> dict[str, Edit]:
    """Every item the baseline knows whose rating differs from it."""
    edits: dict[str, Edit] = {}
    for item in items:
        key = item_key(item)
        before = seen.get(key)
        if before is not None and kodi_value(item) != before:
            edits[key] = Edit(item, kodi_value(item), before)
    return edits


def changed_ratings(old: Mapping[str, int], new: Mapping[str, int]) -> set[str]:
    """Simkl items (by source) whose rating was added, changed or removed between two pulls."""
    return {source for source in old.keys() | new.keys() if old.get(source) != new.get(source)}
