"""Movies, shows and anime as data.

What differs between the media types (URL words, row keys, Kodi methods, where anime goes)
lives in these tables, so the rest of the engine has one code path for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence


@dataclass(frozen=True)
class KodiKind:
    """A kind of Kodi library item that carries a `userrating`."""

    name: str
    list_method: str
    list_key: str
    id_field: str
    set_method: str


MOVIE = KodiKind(
    "movie", "VideoLibrary.GetMovies", "movies", "movieid", "VideoLibrary.SetMovieDetails"
)
TVSHOW = KodiKind(
    "tvshow", "VideoLibrary.GetTVShows", "tvshows", "tvshowid", "VideoLibrary.SetTVShowDetails"
)
KODI_KINDS: tuple[KodiKind, ...] = (MOVIE, TVSHOW)


@dataclass(frozen=True)
class SimklType:
    """A Simkl rating bucket and how its items land in Kodi.

    `name` is at once the URL word, the response key and the report key. `row_keys` are the
    keys under which a row carries its media object, in order of preference. `kinds_by_subtype`
    routes by `anime_type`; a missing or unknown subtype goes to `default_kinds`.
    """

    name: str
    row_keys: tuple[str, ...]
    activity_group: str
    setting_id: str
    default_kinds: tuple[KodiKind, ...]
    kinds_by_subtype: Mapping[str, tuple[KodiKind, ...]] = field(default_factory=dict)

    def kinds_for(self, subtype: str | None) -> tuple[KodiKind, ...]:
        """The Kodi kinds an item of this type (and anime subtype) may match."""
        if subtype is None:
            return self.default_kinds
        return self.kinds_by_subtype.get(subtype, self.default_kinds)


_SERIES: tuple[KodiKind, ...] = (TVSHOW,)
_ANIME_ROUTES: dict[str, tuple[KodiKind, ...]] = {
    "movie": (MOVIE,),
    "tv": _SERIES,
    "special": _SERIES,
    "ova": _SERIES,
    "ona": _SERIES,
    "music video": _SERIES,
    "music": _SERIES,
}

MOVIES = SimklType("movies", ("movie",), "movies", "sync_movies", (MOVIE,))
SHOWS = SimklType("shows", ("show",), "tv_shows", "sync_shows", (TVSHOW,))
# Anime rows carry the media under "show" (tolerate "anime"); an anime with no known
# anime_type may be a film or a series, so its ids decide (both kinds are searched).
ANIME = SimklType("anime", ("show", "anime"), "anime", "sync_anime", (MOVIE, TVSHOW), _ANIME_ROUTES)

SIMKL_TYPES: tuple[SimklType, ...] = (MOVIES, SHOWS, ANIME)

# What an id says about the kind of entry it names, for items whose kind is not known (anime
# without `anime_type`, which is every anime row Simkl really sends). A kind-neutral id names
# one entry whatever its kind, so where it finds a Kodi item it decides the kind. An id of one
# kind only exists for that kind. A per-kind id (tmdb) has one numbering for films and another
# for series: the same number names an unrelated film and series, so on its own it never
# decides anything.
KIND_NEUTRAL_IDS: frozenset[str] = frozenset({"imdb", "anidb", "mal", "anilist", "kitsu"})
IDS_OF_ONE_KIND: Mapping[str, KodiKind] = {"tvdb": TVSHOW}
SIMKL_TYPES_BY_NAME: dict[str, SimklType] = {t.name: t for t in SIMKL_TYPES}


def kinds_needed(types: Sequence[SimklType]) -> tuple[KodiKind, ...]:
    """The Kodi kinds any of these types can land on, in library order."""
    wanted = set()
    for simkl_type in types:
        wanted.update(simkl_type.default_kinds)
        for kinds in simkl_type.kinds_by_subtype.values():
            wanted.update(kinds)
    return tuple(kind for kind in KODI_KINDS if kind in wanted)
