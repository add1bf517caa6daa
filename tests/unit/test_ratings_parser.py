"""Parsing /sync/ratings replies with every quirk simkl-api.md lists."""

from __future__ import annotations

import pytest
from simkl_ratings.core.errors import BadResponse
from simkl_ratings.core.media import ANIME, MOVIES, SHOWS
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.ratings import parse_ratings
from simkl_ratings.core.timeutil import parse_instant

from .conftest import movie_row, show_row


@pytest.mark.parametrize("body", [None, {}, {"shows": []}, {"movies": None}, []])
def test_null_empty_and_missing_key_mean_no_ratings(body):
    parsed = parse_ratings(MOVIES, body)
    assert parsed.items == []
    assert parsed.skipped == []


@pytest.mark.parametrize("body", ["text", 7, {"movies": {"a": 1}}, {"movies": "x"}])
def test_a_body_of_the_wrong_shape_is_a_bad_response(body):
    with pytest.raises(BadResponse):
        parse_ratings(MOVIES, body)


def test_only_the_requested_type_key_is_read_from_a_cross_type_reply():
    body = {
        "movies": [movie_row(1, "Maleficent", 6, imdb="tt1587310", tmdb="102651")],
        "shows": [show_row(2, "The Last Ship", 5, tvdb="269533")],
    }
    parsed = parse_ratings(MOVIES, body)
    assert [(i.simkl_id, i.title, i.rating) for i in parsed.items] == [(1, "Maleficent", Rating(6))]
    assert parsed.items[0].ids == {"imdb": "tt1587310", "tmdb": "102651"}
    assert parsed.items[0].rated_at == parse_instant("2021-06-23T13:19:05Z")


@pytest.mark.parametrize("bad", [0, 11, -1, 7.5, "8.5", True, "", "ten", [8]])
def test_a_rating_outside_1_to_10_or_not_an_integer_is_skipped_and_reported(bad):
    body = {"movies": [movie_row(1, "Bad", bad, imdb="tt1"), movie_row(2, "Good", 9, imdb="tt2")]}
    parsed = parse_ratings(MOVIES, body)
    assert [i.title for i in parsed.items] == ["Good"]
    assert len(parsed.skipped) == 1
    assert parsed.skipped[0].title == "Bad"
    assert "invalid rating" in parsed.skipped[0].reason


@pytest.mark.parametrize(("raw", "value"), [(8, 8), ("8", 8), (8.0, 8), (1, 1), (10, 10)])
def test_integral_ratings_in_any_spelling_are_accepted(raw, value):
    parsed = parse_ratings(MOVIES, {"movies": [movie_row(1, "M", raw, imdb="tt1")]})
    assert parsed.items[0].rating == Rating(value)


def test_ids_as_numbers_or_strings_normalise_the_same():
    rows = [
        show_row(1, "A", 7, tvdb=269533, tmdb="1399", imdb="TT0944947"),
        show_row(2, "B", 7, tvdb="269533 ", tmdb=1399.0, imdb="tt0944947"),
    ]
    first, second = parse_ratings(SHOWS, {"shows": rows}).items
    assert first.ids == second.ids == {"tvdb": "269533", "tmdb": "1399", "imdb": "tt0944947"}


def test_junk_ids_are_dropped():
    row = show_row(1, "A", 7, tvdb="0", tmdb="abc", imdb="nm123", slug="a-show", mal=-4)
    assert parse_ratings(SHOWS, {"shows": [row]}).items[0].ids == {}


def test_anime_rows_under_show_or_anime_with_anime_type_on_row_or_inside():
    inside = show_row(3, "Your Name", 9, key="show", mal="32281")
    inside["show"]["anime_type"] = "Movie"
    body = {
        "anime": [
            show_row(1, "Hunter x Hunter", 10, anime_type="tv", mal="11061", anidb="8550"),
            show_row(2, "Cowboy Bebop", 8, key="anime", anidb="23"),
            inside,
        ]
    }
    items = parse_ratings(ANIME, body).items
    assert [(i.title, i.anime_type) for i in items] == [
        ("Hunter x Hunter", "tv"),
        ("Cowboy Bebop", None),
        ("Your Name", "movie"),
    ]
    assert items[0].ids == {"mal": "11061", "anidb": "8550"}


def test_rows_without_a_media_object_are_skipped():
    body = {"movies": ["junk", {"user_rating": 8}, {"user_rating": 8, "show": {"title": "x"}}]}
    parsed = parse_ratings(MOVIES, body)
    assert parsed.items == []
    assert len(parsed.skipped) == 3


def test_a_row_without_ids_is_kept_so_it_can_be_reported_unmatched():
    parsed = parse_ratings(MOVIES, {"movies": [{"user_rating": 8, "movie": {"title": "No ids"}}]})
    assert parsed.items[0].ids == {}
    assert parsed.items[0].simkl_id is None
