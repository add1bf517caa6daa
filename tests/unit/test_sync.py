"""A whole run through the engine: Simkl (responses) -> plan -> fake Kodi -> report."""

from __future__ import annotations

import json

import responses
from simkl_ratings.core.jsonrpc import JsonRpc
from simkl_ratings.core.library import KodiLibrary
from simkl_ratings.core.media import SIMKL_TYPES
from simkl_ratings.core.report import load_report, save_report
from simkl_ratings.core.simkl import ALL_RATINGS
from simkl_ratings.core.sync import Progress, SyncOptions, run_sync

from .conftest import API, TOKEN, movie_row, show_row


def serve(movies=(), shows=(), anime=()):
    for name, rows in (("movies", movies), ("shows", shows), ("anime", anime)):
        responses.get(
            f"{API}/sync/ratings/{name}/{ALL_RATINGS}", json={name: list(rows)} if rows else {}
        )


def build_library(kodi):
    kodi.add_movie("Maleficent", 2014, imdb="tt1587310", tmdb="102651")
    kodi.add_movie("Your Name", 2016, tmdb="372058")
    kodi.add_movie("Unrated here", 2001, imdb="tt0000009")
    kodi.add_tvshow("The Last Ship", 2014, tvdb="269533", imdb="tt2402207")
    kodi.add_tvshow("Hunter x Hunter", 2011, tvdb="252322", anidb="8550")


def run(client, kodi, dry_run=False, progress=None, batch_size=100):
    library = KodiLibrary(JsonRpc(kodi.handle))
    options = SyncOptions(types=SIMKL_TYPES, batch_size=batch_size, dry_run=dry_run)
    return run_sync(client, library, options, progress)


SIMKL_ACCOUNT = {
    "movies": [
        movie_row(1, "Maleficent", 6, imdb="tt1587310", tmdb="102651"),
        movie_row(2, "Not in library", 9, imdb="tt7777777"),
        movie_row(3, "Broken", 11, imdb="tt0000009"),
    ],
    "shows": [show_row(4, "The Last Ship", 5, tvdb="269533")],
    "anime": [
        show_row(5, "Hunter x Hunter", 10, anime_type="tv", mal="11061", anidb="8550"),
        show_row(6, "Your Name", 9, anime_type="movie", tmdb="372058"),
    ],
}


@responses.activate
def test_ratings_land_on_the_right_items_and_the_report_counts_them(client, kodi):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    report = run(client, kodi)
    assert report.result == "ok"
    assert kodi.rating("movies", 1) == 6
    assert kodi.rating("movies", 2) == 9  # anime movie -> Kodi movie
    assert kodi.rating("movies", 3) == 0  # invalid 11 skipped: nothing written, nothing cleared
    assert kodi.rating("tvshows", 1) == 5
    assert kodi.rating("tvshows", 2) == 10  # anime series -> Kodi TV show
    counts = {name: vars(c) for name, c in report.types.items()}
    assert counts["movies"] == {
        **counts["movies"],
        "rated": 2,
        "updated": 1,
        "unmatched": 1,
        "skipped": 1,
    }
    assert counts["shows"]["updated"] == 1
    assert counts["anime"]["updated"] == 2
    assert report.unmatched_items == [
        {
            "type": "movies",
            "title": "Not in library",
            "year": 2014,
            "ids": {"imdb": "tt7777777", "simkl": "2"},
        }
    ]
    assert report.skipped_items[0]["title"] == "Broken"
    assert report.http_requests == 3
    assert report.kodi_writes == 4
    assert report.finished_at.endswith("Z")


@responses.activate
def test_a_second_run_with_nothing_changed_writes_nothing(client, kodi):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    run(client, kodi)
    writes_before = kodi.write_calls
    report = run(client, kodi)
    assert kodi.write_calls == writes_before
    assert report.kodi_writes == 0
    assert report.totals().unchanged == 4


@responses.activate
def test_preview_writes_nothing_and_lists_what_would_change(client, kodi):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    report = run(client, kodi, dry_run=True)
    assert kodi.write_calls == 0
    assert report.dry_run is True
    assert report.kodi_writes == 0
    assert {(c["title"], c["from"], c["to"]) for c in report.changes} == {
        ("Maleficent", 0, 6),
        ("Your Name", 0, 9),
        ("The Last Ship", 0, 5),
        ("Hunter x Hunter", 0, 10),
    }
    assert report.totals().updated == 4


@responses.activate
def test_a_failed_download_writes_nothing_and_says_why(client, kodi):
    build_library(kodi)
    responses.get(f"{API}/sync/ratings/movies/{ALL_RATINGS}", json=SIMKL_ACCOUNT)
    responses.get(
        f"{API}/sync/ratings/shows/{ALL_RATINGS}", status=401, json={"error": "user_token_failed"}
    )
    report = run(client, kodi)
    assert report.result == "error"
    assert report.error_code == "signed_out"
    assert kodi.write_calls == 0
    assert TOKEN not in json.dumps(report.to_dict())


@responses.activate
def test_kodi_refusing_one_write_is_counted_while_the_others_apply(client, kodi):
    build_library(kodi)
    kodi.fail_ids["tvshows"].add(1)
    serve(**SIMKL_ACCOUNT)
    report = run(client, kodi, batch_size=2)
    assert report.result == "ok"
    assert report.types["shows"].failed == 1
    assert report.failed_items[0]["title"] == "The Last Ship"
    assert kodi.rating("tvshows", 2) == 10


class CancelAt(Progress):
    def __init__(self, stage_value: str) -> None:
        self.stage_value = stage_value
        self.seen: list[tuple[int, str, str]] = []
        self.stop = False

    def update(self, percent, stage, detail):
        self.seen.append((percent, stage.value, detail))
        if stage.value == self.stage_value:
            self.stop = True

    def cancelled(self):
        return self.stop


@responses.activate
def test_cancel_before_writing_writes_nothing(client, kodi):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    report = run(client, kodi, progress=CancelAt("read"))
    assert report.result == "cancelled"
    assert kodi.write_calls == 0


@responses.activate
def test_cancel_between_batches_counts_what_was_not_written(client, kodi):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    progress = CancelAt("write")
    report = run(client, kodi, progress=progress, batch_size=1)
    assert report.result == "cancelled"
    totals = report.totals()
    assert totals.updated + totals.not_written == 4
    assert kodi.write_calls == totals.updated


@responses.activate
def test_progress_moves_forward_through_the_stages(client, kodi):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    progress = CancelAt("never")
    run(client, kodi, progress=progress)
    percents = [p for p, _, _ in progress.seen]
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert [s for _, s, _ in progress.seen][:3] == ["fetch", "fetch", "fetch"]


@responses.activate
def test_the_report_file_round_trips(client, kodi, tmp_path):
    build_library(kodi)
    serve(**SIMKL_ACCOUNT)
    path = str(tmp_path / "last_sync.json")
    save_report(path, run(client, kodi))
    data = load_report(path)
    assert data["result"] == "ok"
    assert set(data["types"]) == {"movies", "shows", "anime"}
    for counts in data["types"].values():
        assert {"rated", "updated", "unchanged", "unmatched", "conflicts", "skipped"} <= set(counts)
    assert list(tmp_path.iterdir()) == [tmp_path / "last_sync.json"]  # no temp files left
