"""Find the Kodi items a Simkl item refers to, by id, in O(1) per id.

The library is indexed once by (Kodi kind, id type, canonical value). Ids are scoped by kind,
so a movie's tmdb id never finds a TV show with the same number.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping, Sequence, Tuple

from .library import LibraryItem
from .media import KodiKind

IndexKey = Tuple[str, str, str]
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str) -> str:
    """Case, accents and punctuation folded: "Bäckström!" and "backstrom" are equal."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


class LibraryIndex:
    def __init__(self, items: Iterable[LibraryItem], *, titles: bool = False) -> None:
        self._by_id: dict[IndexKey, list[LibraryItem]] = {}
        self._by_title: dict[tuple[str, str, int], list[LibraryItem]] = {}
        for item in items:
            for id_type, value in item.ids.items():
                self._by_id.setdefault((item.kind.name, id_type, value), []).append(item)
            if titles and item.year and item.title:
                key = (item.kind.name, normalise_title(item.title), item.year)
                self._by_title.setdefault(key, []).append(item)

    def find(self, kinds: Sequence[KodiKind], ids: Mapping[str, str]) -> list[LibraryItem]:
        """Every distinct item of those kinds that any of the ids points at."""
        found: dict[tuple[str, int], LibraryItem] = {}
        for kind in kinds:
            for id_type, value in ids.items():
                for item in self._by_id.get((kind.name, id_type, value), ()):
                    found.setdefault(item.key, item)
        return list(found.values())

    def find_by_title(
        self, kinds: Sequence[KodiKind], title: str, year: int | None, ids: Mapping[str, str]
    ) -> list[LibraryItem]:
        """Items with exactly this normalised title and year whose ids do not contradict
        `ids` (an item holding another value of an id type the Simkl item has is different)."""
        if not title or not year:
            return []
        name = normalise_title(title)
        return [
            item
            for kind in kinds
            for item in self._by_title.get((kind.name, name, year), ())
            if not set(item.ids) & set(ids)
        ]
