"""Matching and planning as table tests: id types, kind scoping, anime routing, conflicts,
collisions and equal values."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from simkl_ratings.core.library.gateway import LibraryItem
from simkl_ratings.core.media import ANIME, MOVIE, MOVIES, SHOWS, TVSHOW
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.ratings import SimklRating
from simkl_ratings.core.sync.planning import plan_sync


def kodi_item(kind, kodi_id, rating=None, **ids) -> LibraryItem:
    return LibraryItem(
        kind, kodi_id, f"{kind.name} {kodi_id}", 2000, Rating(rating) if rating else None, ids
    )


def simkl(simkl_type, simkl_id, rating, *, anime_type=None, day=1, **ids) -> SimklRating:
    return SimklRating(
        simkl_type,
        simkl_id,
        f"simkl {simkl_id}",
        2000,
        ids,
        Rating(rating),
        datetime(2024, 1, day, tzinfo=timezone.utc),
        anime_type,
    )


LIBRARY = [
    kodi_item(MOVIE, 1, imdb="tt0000001", tmdb="100"),
    kodi_item(MOVIE, 2, tmdb="200"),
    kodi_item(MOVIE, 3, tmdb="300", anidb="9300"),
    kodi_item(TVSHOW, 1, tvdb="500", tmdb="100"),
    kodi_item(TVSHOW, 2, anidb="8550"),
    kodi_item(TVSHOW, 3, mal="11061"),
    kodi_item(TVSHOW, 4, anilist="21", kitsu="12"),
]


@pytest.mark.parametrize(
    ("rating", "target"),
    [
        (simkl(MOVIES, 1, 8, imdb="tt0000001"), ("movie", 1)),
        (simkl(MOVIES, 2, 8, tmdb="200"), ("movie", 2)),
        (simkl(MOVIES, 3, 8, tmdb="100"), ("movie", 1)),  # tmdb 100 is also a show: scoped
        (simkl(SHOWS, 4, 8, tmdb="100"), ("tvshow", 1)),
        (simkl(SHOWS, 5, 8, tvdb="500"), ("tvshow", 1)),
        (simkl(ANIME, 6, 8, anime_type="tv", anidb="8550"), ("tvshow", 2)),
        (simkl(ANIME, 7, 8, anime_type="ova", mal="11061"), ("tvshow", 3)),
        (simkl(ANIME, 8, 8, anime_type="tv", anilist="21"), ("tvshow", 4)),
        (simkl(ANIME, 9, 8, anime_type="tv", kitsu="12"), ("tvshow", 4)),
        (simkl(ANIME, 10, 8, anime_type="movie", tmdb="300"), ("movie", 3)),
        (simkl(ANIME, 11, 8, anidb="9300"), ("movie", 3)),  # no anime_type: ids decide
        (simkl(ANIME, 12, 8, anidb="8550"), ("tvshow", 2)),
    ],
)
def test_each_id_type_finds_its_item_in_the_right_kind(rating, target):
    plan = plan_sync([rating], LIBRARY)
    assert [c.write.item.key for c in plan.changes] == [target]
    assert plan.changes[0].write.rating == Rating(8)


@pytest.mark.parametrize(
    "rating",
    [
        simkl(SHOWS, 1, 8, tmdb="200"),  # a movie's tmdb never matches a show
        simkl(MOVIES, 2, 8, tvdb="500"),  # no movie has that tvdb
        simkl(ANIME, 3, 8, anime_type="movie", anidb="8550"),  # a series' id, routed to movies
        simkl(ANIME, 4, 8, anime_type="tv", tmdb="300"),
        simkl(MOVIES, 5, 8),  # no ids at all
    ],
)
def test_ids_do_not_cross_kinds(rating):
    plan = plan_sync([rating], LIBRARY)
    assert plan.changes == []
    assert plan.unmatched == [rating]


def test_ids_pointing_at_two_items_are_a_conflict_and_write_nothing():
    rating = simkl(MOVIES, 1, 9, imdb="tt0000001", tmdb="200")
    plan = plan_sync([rating], LIBRARY)
    assert plan.changes == []
    assert [sorted(i.key for i in c.items) for c in plan.conflicts] == [
        [("movie", 1), ("movie", 2)]
    ]


def test_anime_without_type_found_in_both_kinds_is_a_conflict():
    library = [kodi_item(MOVIE, 1, anidb="77"), kodi_item(TVSHOW, 1, anidb="77")]
    plan = plan_sync([simkl(ANIME, 1, 9, anidb="77")], library)
    assert plan.changes == []
    assert len(plan.conflicts) == 1


def test_several_simkl_items_on_one_kodi_item_most_recent_wins():
    season1 = simkl(ANIME, 1, 6, anime_type="tv", day=1, anidb="8550")
    season2 = simkl(ANIME, 2, 9, anime_type="tv", day=5, anidb="8550")
    season3 = simkl(ANIME, 3, 7, anime_type="tv", day=3, anidb="8550")
    plan = plan_sync([season1, season2, season3], LIBRARY)
    assert [(c.write.item.key, c.write.rating) for c in plan.changes] == [
        (("tvshow", 2), Rating(9))
    ]
    assert sorted(c.superseded.simkl_id for c in plan.collisions) == [1, 3]
    assert all(c.winner is season2 for c in plan.collisions)


def test_a_show_and_an_anime_on_one_kodi_show_collide_across_types():
    show = simkl(SHOWS, 1, 4, day=2, tvdb="500")
    anime = simkl(ANIME, 2, 8, anime_type="tv", day=9, tmdb="100")
    plan = plan_sync([show, anime], LIBRARY)
    assert [c.source for c in plan.changes] == [anime]
    assert [c.superseded for c in plan.collisions] == [show]


def test_an_equal_value_is_never_written_again():
    library = [kodi_item(MOVIE, 1, rating=8, imdb="tt1"), kodi_item(MOVIE, 2, rating=3, imdb="tt2")]
    plan = plan_sync([simkl(MOVIES, 1, 8, imdb="tt1"), simkl(MOVIES, 2, 9, imdb="tt2")], library)
    assert [c.write.item.kodi_id for c in plan.changes] == [2]
    assert [item.kodi_id for _, item in plan.unchanged] == [1]
    assert plan.changes[0].describe()["from"] == 3
    assert plan.changes[0].describe()["to"] == 9


def test_library_items_without_simkl_ratings_are_never_touched():
    library = [kodi_item(MOVIE, 1, rating=5, imdb="tt1"), kodi_item(MOVIE, 2, imdb="tt2")]
    plan = plan_sync([simkl(MOVIES, 1, 6, imdb="tt2")], library)
    assert [c.write.item.kodi_id for c in plan.changes] == [2]


def test_planning_is_linear_in_the_inputs():
    """A large library and many ratings plan by index, not by scanning."""
    library = [kodi_item(MOVIE, n, imdb=f"tt{n}") for n in range(1, 20001)]
    ratings = [simkl(MOVIES, n, 1 + n % 10, imdb=f"tt{n}") for n in range(1, 5001)]
    plan = plan_sync(ratings, library)
    assert len(plan.changes) == 5000
