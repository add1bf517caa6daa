"""Find the Kodi items a Simkl item refers to, by id, in O(1) per id.

The library is indexed once by (Kodi kind, id type, canonical value). Ids are scoped by kind,
so a movie's tmdb id never finds a TV show with the same number.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping, Sequence, Tuple

from ..library.gateway import LibraryItem
from ..media import KODI_KINDS, KodiKind

IndexKey = Tuple[str, str, str]
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str) -> str:
    """Case, accents and punctuation folded: "Bäckström!" and "backstrom" are equal."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


class LibraryIndex:
    def __init__(self, items: Iterable[LibraryItem], *, titles: bool = False) -> None:
        # One map per (kind, id type), keyed by the id strings the items already hold: no key
        # object is allocated per id. One item per id is the rule; ids shared by several items
        # (duplicates in the library) also go to a second, small map.
        self._by_id: dict[tuple[str, str], dict[str, LibraryItem]] = {}
        self._shared: dict[IndexKey, list[LibraryItem]] = {}
        self._by_title: dict[tuple[str, str, int], list[LibraryItem]] = {}
        self._by_kodi_id: dict[str, dict[int, LibraryItem]] = {k.name: {} for k in KODI_KINDS}
        by_id, by_kodi_id = self._by_id, self._by_kodi_id
        for item in items:
            kind = item.kind.name
            by_kodi_id[kind][item.kodi_id] = item
            for id_type, value in item.ids.items():
                values = by_id.get((kind, id_type))
                if values is None:
                    values = by_id[(kind, id_type)] = {}
                first = values.setdefault(value, item)
                if first is not item:
                    self._shared.setdefault((kind, id_type, value), [first]).append(item)
            if titles and item.year and item.title:
                title_key = (kind, normalise_title(item.title), item.year)
                self._by_title.setdefault(title_key, []).append(item)

    def item(self, key: str) -> LibraryItem | None:
        """The item behind a write-record key ("movie:12"), if it is still in the library."""
        kind, _, kodi_id = key.partition(":")
        items = self._by_kodi_id.get(kind)
        return items.get(int(kodi_id)) if items is not None and kodi_id.isdigit() else None

    def find(self, kinds: Sequence[KodiKind], ids: Mapping[str, str]) -> list[LibraryItem]:
        """Every distinct item of those kinds that any of the ids points at."""
        found: dict[tuple[str, int], LibraryItem] = {}
        for kind in kinds:
            for id_type, value in ids.items():
                item = self._by_id.get((kind.name, id_type), {}).get(value)
                if item is None:
                    continue
                for match in self._shared.get((kind.name, id_type, value), (item,)):
                    found.setdefault(match.key, match)
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
