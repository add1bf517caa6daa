"""Anime as Simkl really sends it: no `anime_type`, ids mostly mal/anidb, a tmdb number that
means a film or a series depending on the kind, null ratings for unrated list items.

The rows below are shaped like the public captures (string ids, extra id keys, episode counts,
`last_watched` markers, no `user_rated_at`); they go through the real parser, then the planner.
"""

from __future__ import annotations

from typing import Any

import pytest
from simkl_ratings.core.library.gateway import LibraryItem
from simkl_ratings.core.media import ANIME, MOVIE, SHOWS, TVSHOW
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.ratings import parse_ratings
from simkl_ratings.core.sync.planning import PlanOptions, plan_sync


def anime_row(
    simkl: int,
    title: str,
    year: int | None,
    rating: Any,
    *,
    episodes: int = 12,
    watched: int | None = None,
    **ids: str,
) -> dict[str, Any]:
    """A real-shaped anime row: media under `show`, no anime_type, no user_rated_at."""
    watched = episodes if watched is None else watched
    return {
        "last_watched_at": "2019-06-26T10:27:29.000Z",
        "status": "completed",
        "user_rating": rating,
        "last_watched": f"E{watched:02d}" if watched else None,
        "next_to_watch": f"E{watched + 1:02d}" if watched < episodes else None,
        "watched_episodes_count": watched,
        "total_episodes_count": episodes,
        "not_aired_episodes_count": 0,
        "show": {
            "title": title,
            "poster": "41/4180093fc43da66",
            "year": year,
            "ids": {
                "simkl": simkl,
                "slug": title.lower(),
                "ann": "605",
                "offjp": "http://x",
                **ids,
            },
        },
    }


def parse_anime(*rows: dict[str, Any]):
    return parse_ratings(ANIME, {"anime": list(rows)})


def item(kind, kodi_id: int, title: str, year: int, rating: int | None = None, **ids):
    return LibraryItem(kind, kodi_id, title, year, Rating(rating) if rating else None, ids)


def plan(rows, library, **options):
    return plan_sync(parse_anime(*rows).items, library, PlanOptions(**options))


def writes(result) -> list[tuple[tuple[str, int], int]]:
    return [(c.write.item.key, c.write.value) for c in result.changes]


# -- the two cases reported in the issue ----------------------------------------------------


def test_an_unowned_series_whose_tmdb_number_is_a_kodi_movie_writes_nothing():
    row = anime_row(1, "Kenpuu Denki Berserk", 1997, 10, mal="33", anidb="5", tmdb="46298")
    library = [item(MOVIE, 1, "An Unrelated Film", 2011, tmdb="46298", imdb="tt1000001")]
    result = plan([row], library)
    assert writes(result) == []
    assert [u.rating.title for u in result.kind_unknown] == ["Kenpuu Denki Berserk"]
    assert [i.key for i in result.kind_unknown[0].items] == [("movie", 1)]
    assert result.conflicts == [] and result.unmatched == []


def test_an_anime_found_by_imdb_lands_on_its_show_despite_a_movie_with_its_tmdb_number():
    row = anime_row(2, "Hunter x Hunter", 2011, 9, imdb="tt2098220", mal="11061", tmdb="46298")
    library = [
        item(TVSHOW, 7, "Hunter x Hunter (2011)", 2011, imdb="tt2098220", tmdb="46298"),
        item(MOVIE, 1, "An Unrelated Film", 2011, tmdb="46298"),
    ]
    result = plan([row], library)
    assert writes(result) == [(("tvshow", 7), 9)]
    assert result.conflicts == [] and result.kind_unknown == []


# -- every rule, as a table ------------------------------------------------------------------

FILM = item(MOVIE, 1, "Paprika", 2006, imdb="tt0851578", tmdb="4977")
SERIES = item(TVSHOW, 2, "Cowboy Bebop", 1998, tmdb="30991", anidb="23", tvdb="76885")
# Kodi items that share a tmdb number with an anime in the other numbering
FILM_30991 = item(MOVIE, 3, "Some Film", 2003, tmdb="30991", imdb="tt0300001")
SERIES_4977 = item(TVSHOW, 4, "Some Series", 2015, tmdb="4977")
FILM_NO_IMDB = item(MOVIE, 5, "Perfect Blue", 1997, tmdb="10494")
SERIES_TMDB_ONLY = item(TVSHOW, 6, "Mononoke", 2007, tmdb="31725")
LIBRARY = [FILM, SERIES, FILM_30991, SERIES_4977, FILM_NO_IMDB, SERIES_TMDB_ONLY]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            anime_row(10, "Paprika", 2006, 8, episodes=1, imdb="tt0851578", tmdb="4977", mal="1"),
            ("write", ("movie", 1)),
            id="imdb decides the film; tmdb 4977 on a series is another numbering",
        ),
        pytest.param(
            anime_row(11, "Cowboy Bebop", 1998, 8, anidb="23", mal="1", tmdb="30991"),
            ("write", ("tvshow", 2)),
            id="anidb decides the series; tmdb 30991 on a film is another numbering",
        ),
        pytest.param(
            anime_row(12, "Unowned", 2003, 8, episodes=1, mal="99", anidb="99", tmdb="30991"),
            ("kind_unknown", ("movie", 3), ("tvshow", 2)),
            id="tmdb only, a film and a series with other titles: kind unknown",
        ),
        pytest.param(
            anime_row(13, "Mononoke", 2007, 8, episodes=12, mal="2246", tmdb="31725"),
            ("write", ("tvshow", 6)),
            id="tmdb only, confirmed by the series shape (12 episodes) for a show",
        ),
        pytest.param(
            anime_row(14, "Perfect Blue", 1997, 8, episodes=1, mal="437", tmdb="10494"),
            ("write", ("movie", 5)),
            id="tmdb only, confirmed by the same title and year",
        ),
        pytest.param(
            anime_row(15, "Some Film", 2003, 8, episodes=1, imdb="tt0999999", tmdb="30991"),
            ("kind_unknown", ("movie", 3), ("tvshow", 2)),
            id="same title and year, but the imdb ids differ: never the same entry",
        ),
        pytest.param(
            anime_row(16, "Unowned OVA", 2015, 8, episodes=1, mal="5", tmdb="4977"),
            ("kind_unknown", ("tvshow", 4), ("movie", 1)),
            id="one episode is no series shape: both tmdb hits stay unconfirmed",
        ),
        pytest.param(
            anime_row(17, "Unowned Series", 2015, 8, episodes=24, mal="6", tmdb="4977"),
            ("write", ("tvshow", 4)),
            id="tmdb on a film and a show, the series shape confirms only the show",
        ),
        pytest.param(
            anime_row(18, "Unowned", 2001, 8, episodes=1, mal="7", tvdb="111", tmdb="31725"),
            ("write", ("tvshow", 6)),
            id="a tvdb id means a series: tmdb then counts in TV numbering",
        ),
        pytest.param(
            anime_row(19, "Nowhere", 2001, 8, mal="8", anidb="8"),
            ("unmatched",),
            id="nothing found at all: not in library",
        ),
        pytest.param(
            anime_row(20, "Two Kinds", 2006, 8, imdb="tt0851578", anidb="23"),
            ("conflict", ("movie", 1), ("tvshow", 2)),
            id="neutral ids point at a film and a series: ambiguous",
        ),
    ],
)
def test_untyped_anime_rules(row, expected):
    result = plan([row], LIBRARY)
    outcome, *keys = expected
    if outcome == "write":
        assert writes(result) == [(keys[0], 8)]
        assert result.kind_unknown == [] and result.conflicts == []
        return
    assert writes(result) == []
    if outcome == "unmatched":
        assert len(result.unmatched) == 1 and result.kind_unknown == []
        return
    unplaced = result.kind_unknown if outcome == "kind_unknown" else result.conflicts
    assert len(unplaced) == 1
    assert sorted(i.key for i in unplaced[0].items) == sorted(keys)


def test_a_typed_anime_keeps_routing_by_its_type():
    typed = {**anime_row(30, "Some Film", 2003, 7, mal="3", tmdb="30991"), "anime_type": "movie"}
    result = plan([typed], LIBRARY)
    assert writes(result) == [(("movie", 3), 7)]  # typed: tmdb is in the film numbering


def test_shows_are_not_affected_by_the_anime_rules():
    body = {
        "shows": [{**anime_row(31, "x", 2001, 6, tmdb="4977"), "show": {"ids": {"tmdb": 4977}}}]
    }
    shows = parse_ratings(SHOWS, body).items
    result = plan_sync(shows, LIBRARY, PlanOptions())
    assert writes(result) == [(("tvshow", 4), 6)]


def test_the_title_fallback_never_places_an_anime_that_only_a_tmdb_hit_found():
    row = anime_row(32, "Unowned", 2003, 8, episodes=1, mal="99", tmdb="30991")
    result = plan([row], LIBRARY, title_fallback=True)
    assert writes(result) == [] and len(result.kind_unknown) == 1


# -- the parser: unrated rows and the series shape -----------------------------------------


@pytest.mark.parametrize("missing", ["null", "absent"])
def test_a_null_or_missing_rating_is_an_unrated_list_item_not_an_invalid_one(missing):
    unrated = anime_row(40, "Plan To Watch", 2002, None, mal="48", anidb="24")
    if missing == "absent":
        del unrated["user_rating"]
    parsed = parse_anime(unrated, anime_row(41, "Rated", 2002, 7, mal="49"))
    assert [i.title for i in parsed.items] == ["Rated"]
    assert parsed.unrated == 1
    assert parsed.skipped == []


def test_invalid_ratings_are_still_skipped_and_reported():
    parsed = parse_anime(anime_row(42, "Eleven", 2002, 11, mal="50"))
    assert parsed.unrated == 0
    assert [s.title for s in parsed.skipped] == ["Eleven"]


@pytest.mark.parametrize(
    ("fields", "series"),
    [
        ({"total_episodes_count": 26, "last_watched": "E01", "next_to_watch": "E02"}, True),
        ({"total_episodes_count": 1, "last_watched": "E01", "next_to_watch": None}, False),
        ({"total_episodes_count": 0, "last_watched": None, "next_to_watch": None}, False),
        ({"last_watched": "S01E05"}, True),
        ({"next_to_watch": "E148"}, True),
        ({"total_episodes_count": "26"}, False),  # not a number: no evidence
        ({"last_watched": "Episode 5"}, False),
        ({}, False),
    ],
)
def test_the_series_shape_comes_from_the_rows_episode_fields(fields, series):
    row = {"user_rating": 8, "show": {"title": "x", "ids": {"simkl": 1, "mal": "1"}}, **fields}
    assert parse_anime(row).items[0].series_shape is series


# -- a whole run: the report names what could not be placed ---------------------------------


def test_a_run_reports_kind_unknown_and_unrated_items_and_writes_neither(engine):
    engine.kodi.add_movie("An Unrelated Film", 2011, tmdb="46298", imdb="tt1000001")
    berserk = {"simkl": 90, "title": "Berserk", "year": 1997, "episodes": 25,
               "ids": {"mal": "33", "anidb": "5", "tmdb": "46298"},
               "user_rating": 10, "user_rated_at": "2026-01-03T00:00:00Z"}  # fmt: skip
    engine.sandbox.add_item("anime", berserk)
    engine.sandbox.set_raw_rating("anime", 5, None)  # Hunter x Hunter: rated, then no rating
    report = engine.run()
    anime = report.types["anime"]
    assert (anime.kind_unknown, anime.unrated, anime.skipped) == (1, 1, 0)
    assert [i["title"] for i in report.kind_unknown_items] == ["Berserk"]
    assert report.kind_unknown_items[0]["kodi_items"][0]["title"] == "An Unrelated Film"
    assert engine.kodi.rating("movies", 4) == 0  # the unrelated film is untouched
    assert all(c["title"] != "An Unrelated Film" for c in report.changes)
