"""Ratings changed in Kodi, found by comparison, never guessed.

Two-way sync remembers the `userrating` it last saw on every Kodi item (after its own writes).
Any other value now is an edit, whoever made it: the GUI, a remote app over JSON-RPC, a skin,
another Kodi on a shared library. Before the first two-way run there is no baseline, so nothing
is an edit then; ratings only Kodi has wait for the user's consent instead.
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


def find_edits(
    items: Iterable[LibraryItem], seen: Mapping[str, int], *, ignore: Iterable[str] = ()
) -> dict[str, Edit]:
    """Every item whose rating differs from the baseline (keys in `ignore` are not edits)."""
    skip = set(ignore)
    edits: dict[str, Edit] = {}
    for item in items:
        key = item_key(item)
        now, before = kodi_value(item), seen.get(key, 0)
        if now != before and key not in skip:
            edits[key] = Edit(item, now, before)
    return edits


def changed_ratings(old: Mapping[str, int], new: Mapping[str, int]) -> set[str]:
    """Simkl items (by source) whose rating was added, changed or removed between two pulls."""
    return {source for source in old.keys() | new.keys() if old.get(source) != new.get(source)}
