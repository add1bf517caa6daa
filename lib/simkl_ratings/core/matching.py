"""Find the Kodi items a Simkl item refers to, by id, in O(1) per id.

The library is indexed once by (Kodi kind, id type, canonical value). Ids are scoped by kind,
so a movie's tmdb id never finds a TV show with the same number.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence, Tuple

from .library import LibraryItem
from .media import KodiKind

IndexKey = Tuple[str, str, str]


class LibraryIndex:
    def __init__(self, items: Iterable[LibraryItem]) -> None:
        self._by_id: dict[IndexKey, list[LibraryItem]] = {}
        for item in items:
            for id_type, value in item.ids.items():
                self._by_id.setdefault((item.kind.name, id_type, value), []).append(item)

    def find(self, kinds: Sequence[KodiKind], ids: Mapping[str, str]) -> list[LibraryItem]:
        """Every distinct item of those kinds that any of the ids points at."""
        found: dict[tuple[str, int], LibraryItem] = {}
        for kind in kinds:
            for id_type, value in ids.items():
                for item in self._by_id.get((kind.name, id_type, value), ()):
                    found.setdefault(item.key, item)
        return list(found.values())
