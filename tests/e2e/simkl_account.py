"""A Simkl sandbox account built from the e2e library spec, with the ratings each Kodi item
should end up with. One table, so the tests and the demo agree on what "right" means."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.sandbox.accounts import rated

from .library_gen import LibrarySpec

RATED_AT = "2026-03-0{day}T10:00:00Z"
INVALID_RATING = 11
PRE_RATED = 4  # the Kodi rating of the item Simkl sends an invalid value for


@dataclass
class Account:
    """The sandbox fixture plus expectations: (kind, title) -> rating after a sync."""

    fixture: dict[str, Any]
    expected: dict[tuple[str, str], int] = field(default_factory=dict)
    unmatched_titles: list[str] = field(default_factory=list)
    invalid: tuple[str, int] | None = None  # (type, simkl id) stored with a rating of 11
    untouched: list[tuple[str, str]] = field(default_factory=list)


def _row(simkl: int, title: str, year: int, ids: dict, rating: int, day: int, **extra) -> dict:
    return rated(simkl, title, year, rating, ids, RATED_AT.format(day=day), **extra)


def _some(ids: dict[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in ids.items() if k in keys}


def build_account(spec: LibrarySpec) -> Account:
    """Movies rated by imdb and/or tmdb, shows by tvdb/tmdb/imdb, anime by every id kind;
    one film Simkl knows that the library lacks, one invalid rating, one unrated item."""
    movies, shows, anime = [], [], []
    account = Account(
        {
            "account": {"id": 4242, "name": "e2e_user"},
            "movies": movies,
            "shows": shows,
            "anime": anime,
        }
    )
    plain_movies = [m for m in spec.movies if not m.anime]
    id_choices = (("imdb", "tmdb"), ("tmdb",), ("imdb",))
    for n, movie in enumerate(plain_movies[:4], start=1):
        rating = 3 + n
        movies.append(
            _row(
                1000 + n,
                movie.title,
                movie.year,
                _some(movie.uniqueids, id_choices[n % 3]),
                rating,
                n,
            )
        )
        account.expected[("movie", movie.title)] = rating
    invalid = plain_movies[4]
    movies.append(_row(1005, invalid.title, invalid.year, dict(invalid.uniqueids), 5, 5))
    account.invalid = ("movies", 1005)
    account.untouched = [("movie", invalid.title)] + [("movie", m.title) for m in plain_movies[5:]]
    movies.append(_row(1099, "E2E Movie Not In Library", 1999, {"imdb": "tt9999999"}, 7, 6))
    account.unmatched_titles.append("E2E Movie Not In Library")
    show_ids = (("tvdb",), ("tmdb",), ("imdb",))
    plain_shows = [s for s in spec.shows if not s.anime]
    for n, show in enumerate(plain_shows, start=1):
        rating = 6 + n
        shows.append(
            _row(
                2000 + n,
                show.title,
                show.year,
                _some(show.uniqueids, show_ids[(n - 1) % 3]),
                rating,
                n,
            )
        )
        account.expected[("tvshow", show.title)] = rating
    for n, series in enumerate([s for s in spec.shows if s.anime], start=1):
        rating = 11 - n
        extra = {"anime_type": "tv"} if n < 3 else {}  # the last one has no anime_type
        anime.append(
            _row(3000 + n, series.title, series.year, dict(series.uniqueids), rating, n, **extra)
        )
        account.expected[("tvshow", series.title)] = rating
    for n, film in enumerate([m for m in spec.movies if m.anime], start=1):
        rating = 9 - n
        anime.append(
            _row(
                3100 + n, film.title, film.year, dict(film.uniqueids), rating, n, anime_type="movie"
            )
        )
        account.expected[("movie", film.title)] = rating
    return account
