"""Find the Kodi items a Simkl item refers to, by id, in O(1) per id.

The library is indexed once by (Kodi kind, id type, canonical value). Ids are scoped by kind,
so a movie's tmdb id never finds a TV show with the same number.

`Matcher` holds the rules of one match, shared by every direction of sync:
- an item of a known kind (a movie, a show, an anime with `anime_type`) is looked up by every
  id it carries in that kind;
- an item whose kind is not known (anime as Simkl really sends it) is decided by its
  kind-neutral ids (imdb, anidb, mal, anilist, kitsu; tvdb means a series). A tmdb number alone
  is never enough, because films and series are numbered apart: it must be confirmed by the
  same title and year, or by a series-shaped row for a TV show. Otherwise the kind is unknown
  and nothing is written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping, Sequence, Tuple

from ..library.gateway import LibraryItem
from ..media import IDS_OF_ONE_KIND, KIND_NEUTRAL_IDS, KODI_KINDS, TVSHOW, KodiKind
from ..simkl.ratings import SimklRating

IndexKey = Tuple[str, str, str]


def _latin(char: str) -> bool:
    """A Latin letter (any of Unicode's Latin blocks): the script whose accents are folded."""
    return ord(char) < 0x80 or unicodedata.name(char, "").startswith("LATIN ")


def normalise_title(title: str) -> str:
    """Letters and digits of every script, case folded (NFKC): "Bäckström!" and "backstrom"
    are equal, and so are two equal CJK titles, but "ドラゴンボール" and "千と千尋の神隠し" are
    not. Accents are folded on Latin letters only: elsewhere a mark can be half the word
    (Japanese dakuten, Indic vowel signs). Anything else is a single space; a title of
    punctuation alone normalises to "", which compares with nothing (`same_title`)."""
    decomposed = unicodedata.normalize("NFKD", title)
    kept: list[str] = []
    base_is_latin = False
    for char in decomposed:
        if unicodedata.combining(char):
            if not base_is_latin:
                kept.append(char)
            continue
        base_is_latin = _latin(char)
        kept.append(char)
    folded = unicodedata.normalize("NFKC", "".join(kept)).casefold()
    words = "".join(c if _word_char(c) else " " for c in folded)
    return " ".join(words.split())


def _word_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category in ("Mn", "Mc")


def same_title(first: str, second: str) -> bool:
    """Equal after normalisation, and not empty: two titles of nothing but punctuation (or
    nothing at all) never agree."""
    left = normalise_title(first)
    return bool(left) and left == normalise_title(second)


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
                name = normalise_title(item.title)
                if name:  # a title of punctuation alone is no title
                    self._by_title.setdefault((kind, name, item.year), []).append(item)

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
        name = normalise_title(title) if title and year else ""
        if not name:
            return []
        return [
            item
            for kind in kinds
            for item in self._by_title.get((kind.name, name, year), ())
            if not set(item.ids) & set(ids)
        ]


class MatchOutcome(Enum):
    MATCHED = "matched"
    BY_TITLE = "by_title"  # the title + year fallback (a setting)
    UNMATCHED = "unmatched"
    CONFLICT = "conflict"  # the ids point at several library items
    KIND_UNKNOWN = "kind_unknown"  # only a tmdb number, unconfirmed, found something


@dataclass(frozen=True)
class Match:
    outcome: MatchOutcome
    items: tuple[LibraryItem, ...] = ()

    @property
    def item(self) -> LibraryItem:
        """The one item of a MATCHED or BY_TITLE match."""
        return self.items[0]


_UNMATCHED = Match(MatchOutcome.UNMATCHED)


def contradicts(ids: Mapping[str, str], other: Mapping[str, str]) -> bool:
    """Both hold an id of the same type with different values: not the same entry."""
    return any(other.get(id_type, value) != value for id_type, value in ids.items())


def same_title_and_year(rating: SimklRating, item: LibraryItem) -> bool:
    return bool(rating.year and rating.year == item.year and same_title(rating.title, item.title))


class Matcher:
    """The Kodi item (or the reason there is none) for each Simkl item."""

    def __init__(self, index: LibraryIndex, *, title_fallback: bool = False) -> None:
        self.index = index
        self.title_fallback = title_fallback

    def match(self, rating: SimklRating) -> Match:
        kinds = rating.simkl_type.kinds_for(rating.anime_type)
        if len(kinds) > 1:
            return self._match_kind_unknown(rating, kinds)
        return self._by_ids(rating, kinds, rating.ids)

    def _by_ids(
        self, rating: SimklRating, kinds: Sequence[KodiKind], ids: Mapping[str, str]
    ) -> Match:
        found = self.index.find(kinds, ids)
        if len(found) == 1:
            return Match(MatchOutcome.MATCHED, (found[0],))
        if found:
            return Match(MatchOutcome.CONFLICT, tuple(found))
        return self._by_title(rating, kinds)

    def _by_title(self, rating: SimklRating, kinds: Sequence[KodiKind]) -> Match:
        if not self.title_fallback:
            return _UNMATCHED
        found = self.index.find_by_title(kinds, rating.title, rating.year, rating.ids)
        # several candidates by title: never guess
        return Match(MatchOutcome.BY_TITLE, (found[0],)) if len(found) == 1 else _UNMATCHED

    def _match_kind_unknown(self, rating: SimklRating, kinds: Sequence[KodiKind]) -> Match:
        ids = rating.ids
        neutral = {k: v for k, v in ids.items() if k in KIND_NEUTRAL_IDS}
        decided: dict[str, KodiKind] = {}
        evidence: list[LibraryItem] = []
        for kind in kinds:
            found = self.index.find((kind,), neutral) if neutral else []
            if found:
                decided[kind.name] = kind
                evidence.extend(found)
        for id_type, kind in IDS_OF_ONE_KIND.items():
            if id_type in ids and kind in kinds:
                decided[kind.name] = kind
                evidence.extend(self.index.find((kind,), {id_type: ids[id_type]}))
        if len(decided) > 1:
            unique = {id(item): item for item in evidence}
            return Match(MatchOutcome.CONFLICT, tuple(unique.values()))
        if decided:
            # The kind is known now: every id counts in it, tmdb included; a tmdb hit in the
            # other kind is another numbering, not a conflict.
            return self._by_ids(rating, tuple(decided.values()), ids)
        candidates = self.index.find(kinds, {k: v for k, v in ids.items() if k not in neutral})
        if not candidates:
            return self._by_title(rating, kinds)
        confirmed = [item for item in candidates if self._confirms(rating, item)]
        if len(confirmed) == 1:
            return Match(MatchOutcome.MATCHED, (confirmed[0],))
        if confirmed:
            return Match(MatchOutcome.CONFLICT, tuple(confirmed))
        return Match(MatchOutcome.KIND_UNKNOWN, tuple(candidates))

    @staticmethod
    def _confirms(rating: SimklRating, item: LibraryItem) -> bool:
        """A second, independent sign that a tmdb hit is the item the row names."""
        if contradicts(rating.ids, item.ids):
            return False
        return same_title_and_year(rating, item) or (item.kind is TVSHOW and rating.series_shape)
