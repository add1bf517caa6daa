"""The benchmark's library and Simkl account: a large, realistic pair that agree by ids.

Library: 10,000 movies (100 of them anime films) and 1,000 TV shows (150 of them anime series),
10 episodes each. Account: 5,000 rated movies, 800 rated shows and 200 rated anime, about 96 %
of them in the library, identified the way Simkl rows are (imdb and/or tmdb for movies; tvdb,
tmdb or imdb for shows; anidb plus ids Kodi does not hold for anime). Every library item is
rated by at most one Simkl item, so the writes a first sync needs are known in advance: that
list is what the floor performs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.library_gen import EpisodeSpec, LibrarySpec, MovieSpec, ShowSpec

RATED_AT = "2025-0{month}-1{day}T10:00:00Z"
EPISODES_PER_SHOW = 10


@dataclass(frozen=True)
class Sizes:
    """Library and account sizes; ``full()`` is the benchmark, ``small()`` a quick try-out."""

    movies: int = 9_900
    anime_movies: int = 100
    shows: int = 850
    anime_series: int = 150
    episodes: int = EPISODES_PER_SHOW
    rated_movies: int = 5_000
    rated_shows: int = 800
    rated_anime: int = 200
    missing_share: int = 25  # one rated item in this many is not in the library
    kodi_only: int = 5_000  # two-way: library items rated in Kodi only (Simkl's catalog has them)

    @classmethod
    def full(cls) -> Sizes:
        return cls()

    @classmethod
    def small(cls) -> Sizes:
        return cls(
            movies=990,
            anime_movies=10,
            shows=85,
            anime_series=15,
            episodes=2,
            rated_movies=500,
            rated_shows=80,
            rated_anime=20,
            kodi_only=500,
        )


@dataclass(frozen=True)
class Rated:
    """A Simkl item of the account and where it lands in the library (None: not there)."""

    simkl_type: str  # movies / shows / anime
    simkl_id: int
    kind: str | None  # "movie" / "tvshow" when in the library
    lookup: tuple[str, str] | None  # (uniqueid type, value) that finds it in Kodi
    rating: int


@dataclass(frozen=True)
class KodiOnly:
    """A library item that Kodi rates and the account does not (two-way's first run)."""

    kind: str  # "movie" / "tvshow"
    lookup: tuple[str, str]  # (uniqueid type, value) that finds it in Kodi and in a push
    rating: int


@dataclass
class Dataset:
    spec: LibrarySpec
    fixture: dict[str, Any]
    rated: list[Rated] = field(default_factory=list)
    kodi_only: list[KodiOnly] = field(default_factory=list)

    @property
    def in_library(self) -> list[Rated]:
        """Rated items in the library, in the order the add-on plans (and writes) them."""
        return [r for r in self.rated if r.kind is not None]


def _movie(i: int) -> MovieSpec:
    return MovieSpec(
        title=f"Bench Movie {i:05d}",
        year=1950 + i % 70,
        uniqueids={"imdb": f"tt{2_000_000 + i}", "tmdb": str(3_000_000 + i)},
        default_id="imdb" if i % 2 else "tmdb",
    )


def _anime_movie(i: int) -> MovieSpec:
    return MovieSpec(
        title=f"Bench Anime Movie {i:04d}",
        year=1990 + i % 30,
        uniqueids={"tmdb": str(3_500_000 + i), "anidb": str(8_500_000 + i)},
        default_id="tmdb",
        source="anime-movies",
        anime=True,
        genres=("Animation", "Anime"),
    )


def _episodes(show_no: int, count: int) -> tuple[EpisodeSpec, ...]:
    return tuple(
        EpisodeSpec(
            1,
            n,
            f"Episode {n}",
            f"{1990 + show_no % 30}-01-{n:02d}",
            {"tvdb": str(90_000_000 + show_no * 100 + n)},
            "tvdb",
        )
        for n in range(1, count + 1)
    )


def _show(j: int, episodes: int) -> ShowSpec:
    return ShowSpec(
        title=f"Bench Show {j:04d}",
        year=1980 + j % 40,
        uniqueids={
            "tvdb": str(4_000_000 + j),
            "tmdb": str(5_000_000 + j),
            "imdb": f"tt{6_000_000 + j}",
        },
        default_id="tvdb",
        episodes=_episodes(j, episodes),
    )


def _anime_series(k: int, episodes: int) -> ShowSpec:
    return ShowSpec(
        title=f"Bench Anime Series {k:04d}",
        year=1990 + k % 30,
        uniqueids={"tvdb": str(7_000_000 + k), "anidb": str(8_000_000 + k)},
        default_id="tvdb",
        episodes=_episodes(50_000 + k, episodes),
        source="anime",
        anime=True,
        genres=("Animation", "Anime"),
    )


def _row(simkl: int, title: str, year: int, ids: dict[str, str], value: int, **extra: Any) -> dict:
    return {
        "simkl": simkl,
        "title": title,
        "year": year,
        "ids": ids,
        "user_rating": value,
        "user_rated_at": RATED_AT.format(month=1 + simkl % 9, day=simkl % 10),
        "status": "completed",
        **extra,
    }


class _AccountBuilder:
    def __init__(self, sizes: Sizes, spec: LibrarySpec) -> None:
        self.sizes = sizes
        self.spec = spec
        self.rng = random.Random(20_250_101)
        self.fixture: dict[str, Any] = {
            "account": {"id": 4242, "name": "bench_user"},
            "movies": [],
            "shows": [],
            "anime": [],
        }
        self.rated: list[Rated] = []

    def _missing(self, n: int) -> bool:
        return n % self.sizes.missing_share == self.sizes.missing_share - 1

    def _add(self, simkl_type: str, row: dict, kind: str | None, lookup: Any) -> None:
        self.fixture[simkl_type].append(row)
        self.rated.append(Rated(simkl_type, row["simkl"], kind, lookup, row["user_rating"]))

    def movies(self) -> None:
        plain = [m for m in self.spec.movies if not m.anime]
        step = max(1, len(plain) // self.sizes.rated_movies)
        for n in range(self.sizes.rated_movies):
            value, simkl = self.rng.randint(1, 10), 100_000 + n
            movie = plain[(n * step) % len(plain)]
            if self._missing(n):
                self._add(
                    "movies",
                    _row(simkl, f"Elsewhere {n}", 2001, {"imdb": f"tt{80_000_000 + n}"}, value),
                    None,
                    None,
                )
                continue
            ids = movie.uniqueids
            chosen = (
                {"imdb": ids["imdb"], "tmdb": ids["tmdb"]},
                {"imdb": ids["imdb"]},
                {"tmdb": ids["tmdb"]},
            )[n % 3]
            lookup = ("imdb", ids["imdb"])
            self._add(
                "movies", _row(simkl, movie.title, movie.year, chosen, value), "movie", lookup
            )

    def shows(self) -> None:
        plain = [s for s in self.spec.shows if not s.anime]
        for n in range(self.sizes.rated_shows):
            value, simkl = self.rng.randint(1, 10), 200_000 + n
            if self._missing(n) or n >= len(plain):
                self._add(
                    "shows",
                    _row(simkl, f"Elsewhere Show {n}", 2002, {"tvdb": str(81_000_000 + n)}, value),
                    None,
                    None,
                )
                continue
            show = plain[n]
            key = ("tvdb", "tmdb", "imdb")[n % 3]
            chosen = {key: show.uniqueids[key]}
            lookup = ("tvdb", show.uniqueids["tvdb"])
            self._add("shows", _row(simkl, show.title, show.year, chosen, value), "tvshow", lookup)

    def anime(self) -> None:
        """Two thirds series (``anime_type`` tv), one third films (``anime_type`` movie)."""
        series = [s for s in self.spec.shows if s.anime]
        films = [m for m in self.spec.movies if m.anime]
        for n in range(self.sizes.rated_anime):
            value, simkl = self.rng.randint(1, 10), 300_000 + n
            extra_ids = {"mal": str(60_000 + n), "anilist": str(70_000 + n)}
            if self._missing(n):
                row = _row(
                    simkl,
                    f"Elsewhere Anime {n}",
                    2003,
                    {"anidb": str(82_000_000 + n)},
                    value,
                    anime_type="tv",
                )
                self._add("anime", row, None, None)
            elif n % 3 < 2 and n // 3 * 2 + n % 3 < len(series):
                show = series[n // 3 * 2 + n % 3]
                ids = {"anidb": show.uniqueids["anidb"], **extra_ids}
                row = _row(simkl, show.title, show.year, ids, value, anime_type="tv")
                self._add("anime", row, "tvshow", ("anidb", show.uniqueids["anidb"]))
            elif n // 3 < len(films):
                film = films[n // 3]
                ids = {
                    "anidb": film.uniqueids["anidb"],
                    "tmdb": film.uniqueids["tmdb"],
                    **extra_ids,
                }
                row = _row(simkl, film.title, film.year, ids, value, anime_type="movie")
                self._add("anime", row, "movie", ("anidb", film.uniqueids["anidb"]))


def _kodi_only(sizes: Sizes, spec: LibrarySpec, builder: _AccountBuilder) -> list[KodiOnly]:
    """Unrated plain shows, then unrated plain movies, up to ``sizes.kodi_only``; each is put
    in Simkl's catalog (known to Simkl, in none of the user's lists), as real titles are."""
    rated = {r.lookup for r in builder.rated if r.lookup is not None}
    rng = random.Random(20_250_202)
    chosen: list[KodiOnly] = []
    catalog: dict[str, list[dict]] = {"movies": [], "shows": []}
    shows = [s for s in spec.shows if not s.anime and ("tvdb", s.uniqueids["tvdb"]) not in rated]
    movies = [m for m in spec.movies if not m.anime and ("imdb", m.uniqueids["imdb"]) not in rated]
    for number, show in enumerate(shows[: sizes.kodi_only]):
        chosen.append(KodiOnly("tvshow", ("tvdb", show.uniqueids["tvdb"]), rng.randint(1, 10)))
        row = {"simkl": 410_000 + number, "title": show.title, "year": show.year}
        catalog["shows"].append({**row, "ids": dict(show.uniqueids)})
    for number, movie in enumerate(movies[: sizes.kodi_only - len(chosen)]):
        chosen.append(KodiOnly("movie", ("imdb", movie.uniqueids["imdb"]), rng.randint(1, 10)))
        row = {"simkl": 400_000 + number, "title": movie.title, "year": movie.year}
        catalog["movies"].append({**row, "ids": dict(movie.uniqueids)})
    builder.fixture["catalog"] = catalog
    return chosen


def build(sizes: Sizes) -> Dataset:
    """The library spec and the account fixture, deterministic for a given ``sizes``."""
    spec = LibrarySpec()
    spec.movies += [_movie(i) for i in range(sizes.movies)]
    spec.movies += [_anime_movie(i) for i in range(sizes.anime_movies)]
    spec.shows += [_show(j, sizes.episodes) for j in range(sizes.shows)]
    spec.shows += [_anime_series(k, sizes.episodes) for k in range(sizes.anime_series)]
    builder = _AccountBuilder(sizes, spec)
    builder.movies()
    builder.shows()
    builder.anime()
    kodi_only = _kodi_only(sizes, spec, builder)
    return Dataset(spec, builder.fixture, builder.rated, kodi_only)


def pick_changes(dataset: Dataset, count: int = 100, shift: int = 1) -> list[tuple[Rated, int]]:
    """``count`` rated library items spread over the three types, each with a new value
    (``shift`` steps up from the account's, 1..9, wrapping round after 10)."""
    pool = dataset.in_library
    by_type = {t: [r for r in pool if r.simkl_type == t] for t in ("movies", "shows", "anime")}
    wanted = {"movies": count * 8 // 10, "shows": count * 15 // 100}
    wanted["anime"] = count - wanted["movies"] - wanted["shows"]
    picked: list[tuple[Rated, int]] = []
    for simkl_type, n in wanted.items():
        items = by_type[simkl_type]
        step = max(1, len(items) // max(1, n))
        picked += [(r, (r.rating - 1 + shift) % 10 + 1) for r in items[::step][:n]]
    return picked
