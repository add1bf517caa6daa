"""The library gateway against a fake Kodi that pages, batches and fails like Kodi 20."""

from __future__ import annotations

import pytest
from simkl_ratings.core.library.gateway import KodiLibrary, LibraryItem, RatingWrite
from simkl_ratings.core.library.jsonrpc import JsonRpc, JsonRpcError
from simkl_ratings.core.media import MOVIE, TVSHOW
from simkl_ratings.core.rating import InvalidRating, Rating


def library(kodi, page_size=1000) -> KodiLibrary:
    return KodiLibrary(JsonRpc(kodi.handle), page_size=page_size)


def item(kind, kodi_id) -> LibraryItem:
    return LibraryItem(kind, kodi_id, "t", None, None, {})


def test_reads_all_pages_with_limits(kodi):
    for n in range(7):
        kodi.add_movie(f"Movie {n}", 2000 + n, imdb=f"tt{n + 1}", tmdb=str(100 + n))
    lib = library(kodi, page_size=3)
    read = lib.read(MOVIE)
    assert [i.title for i in read.items] == [f"Movie {n}" for n in range(7)]
    limits = [r["params"]["limits"] for r in kodi.requests]
    assert limits == [{"start": 0, "end": 3}, {"start": 3, "end": 6}, {"start": 6, "end": 9}]
    assert read.items[0].ids == {"imdb": "tt1", "tmdb": "100"}
    assert read.items[0].userrating is None


def test_an_empty_library_costs_one_call(kodi):
    lib = library(kodi)
    assert lib.read(TVSHOW).items == []
    assert lib.rpc.requests_sent == 1


def test_legacy_imdbnumber_counts_only_when_it_is_an_imdb_id(kodi):
    kodi.add("movies", "A", 2001, {"tmdb": "5"}, imdbnumber="tt0000005")
    kodi.add("movies", "B", 2001, {"tmdb": "6"}, imdbnumber="6")
    a, b = library(kodi).read(MOVIE).items
    assert a.ids == {"tmdb": "5", "imdb": "tt0000005"}
    assert b.ids == {"tmdb": "6"}


def test_existing_ratings_read_back_and_zero_means_unrated(kodi):
    rated = kodi.add_movie("Rated", 2000, imdb="tt1")
    kodi.tables["movies"][rated]["userrating"] = 7
    kodi.add_movie("Unrated", 2000, imdb="tt2")
    first, second = library(kodi).read(MOVIE).items
    assert first.userrating == Rating(7)
    assert second.userrating is None


def test_unusable_items_from_kodi_are_skipped_and_counted():
    def transport(request):
        rows = [{"movieid": 1, "title": "ok"}, {"title": "no id"}, {"movieid": "x"}, "junk"]
        return {
            "id": request["id"],
            "jsonrpc": "2.0",
            "result": {"movies": rows, "limits": {"start": 0, "end": 4, "total": 4}},
        }

    read = KodiLibrary(JsonRpc(transport)).read(MOVIE)
    assert [i.kodi_id for i in read.items] == [1]
    assert read.skipped == 3


def test_a_refused_read_raises_a_typed_error(kodi):
    def transport(request):
        return {
            "id": request["id"],
            "jsonrpc": "2.0",
            "error": {"code": -32602, "message": "Invalid params."},
        }

    with pytest.raises(JsonRpcError) as raised:
        KodiLibrary(JsonRpc(transport)).read(MOVIE)
    assert raised.value.rpc_code == -32602


def test_writes_go_in_batches_and_every_element_is_checked(kodi):
    ids = [kodi.add_movie(f"M{n}", 2000, imdb=f"tt{n + 1}") for n in range(5)]
    kodi.fail_ids["movies"].add(ids[3])
    lib = library(kodi)
    writes = [RatingWrite(item(MOVIE, i), Rating(8)) for i in ids]
    result = lib.write(writes, batch_size=2)
    assert [len(r) for r in kodi.requests] == [2, 2, 1]
    assert [w.item.kodi_id for w in result.applied] == [1, 2, 3, 5]
    assert [(w.item.kodi_id, e.rpc_code) for w, e in result.failed] == [(4, -32602)]
    assert [kodi.rating("movies", i) for i in ids] == [8, 8, 8, 0, 8]
    assert lib.writes_sent == 5


def test_writing_to_tv_shows_uses_set_tvshow_details(kodi):
    show = kodi.add_tvshow("S", 2010, tvdb="1")
    library(kodi).write([RatingWrite(item(TVSHOW, show), Rating(3))], batch_size=10)
    assert kodi.requests[0][0]["method"] == "VideoLibrary.SetTVShowDetails"
    assert kodi.requests[0][0]["params"] == {"tvshowid": show, "userrating": 3}
    assert kodi.rating("tvshows", show) == 3


def test_a_stop_between_batches_keeps_what_was_written(kodi):
    ids = [kodi.add_movie(f"M{n}", 2000, imdb=f"tt{n + 1}") for n in range(4)]
    writes = [RatingWrite(item(MOVIE, i), Rating(5)) for i in ids]
    calls = []

    def stop_after_first(done, total):
        calls.append((done, total))
        return done >= 2

    result = library(kodi).write(writes, batch_size=2, on_batch=stop_after_first)
    assert result.cancelled
    assert len(result.applied) == 2
    assert [kodi.rating("movies", i) for i in ids] == [5, 5, 0, 0]


def test_only_ratings_1_to_10_can_become_writes():
    for bad in (0, 11, -1):
        with pytest.raises(InvalidRating):
            RatingWrite(item(MOVIE, 1), Rating(bad))


def test_the_fake_behaves_like_kodi_on_the_edges(kodi):
    """Guards the fake itself: out-of-range clears, null leaves, wrong types are refused."""
    movie = kodi.add_movie("M", 2000, imdb="tt1")
    rpc = JsonRpc(kodi.handle)
    rpc.call("VideoLibrary.SetMovieDetails", {"movieid": movie, "userrating": 6})
    rpc.call("VideoLibrary.SetMovieDetails", {"movieid": movie, "userrating": None})
    assert kodi.rating("movies", movie) == 6
    rpc.call("VideoLibrary.SetMovieDetails", {"movieid": movie, "userrating": 11})
    assert kodi.rating("movies", movie) == 0
    for bad in (
        {"movieid": movie, "userrating": 7.5},
        {"movieid": 0, "userrating": 1},
        {"movieid": 99, "userrating": 1},
        {"userrating": 1},
    ):
        with pytest.raises(JsonRpcError) as raised:
            rpc.call("VideoLibrary.SetMovieDetails", bad)
        assert raised.value.rpc_code == -32602
