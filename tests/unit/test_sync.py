"""Whole runs through the engine: the Simkl sandbox -> plan -> fake Kodi -> report."""

from __future__ import annotations

import json
import os

from simkl_ratings.core.sync.report import load_report, save_report
from simkl_ratings.core.sync.run import Progress


def test_first_run_lands_every_rating_on_the_right_item_and_counts_it(engine):
    engine.sandbox.set_raw_rating("movies", 3, 11)
    engine.kodi.tables["movies"][3]["userrating"] = 4
    report = engine.run()
    kodi = engine.kodi
    assert report.result == "ok"
    assert kodi.rating("movies", 1) == 6
    assert kodi.rating("movies", 2) == 9  # anime film -> Kodi movie
    assert kodi.rating("movies", 3) == 4  # Simkl sent 11: skipped, nothing written or cleared
    assert kodi.rating("tvshows", 1) == 5
    assert kodi.rating("tvshows", 2) == 10  # anime series -> Kodi TV show
    movies = report.types["movies"]
    assert (movies.rated, movies.updated, movies.unmatched, movies.skipped) == (2, 1, 1, 1)
    assert report.types["anime"].updated == 2
    assert report.unmatched_items == [
        {
            "type": "movies",
            "title": "Not In Library",
            "year": 2001,
            "ids": {"imdb": "tt7777777", "simkl": "2"},
        }
    ]
    assert report.skipped_items[0]["title"] == "Broken"
    assert report.http_requests == engine.http() == 4  # activities + three rated sets
    assert report.kodi_writes == 4
    assert report.finished_at.endswith("Z")


def test_preview_writes_nothing_remembers_nothing_and_lists_the_changes(engine):
    report = engine.run(dry_run=True)
    assert engine.kodi.write_calls == 0
    assert report.dry_run is True
    assert report.kodi_writes == 0
    assert {(c["title"], c["from"], c["to"]) for c in report.changes} == {
        ("Maleficent", 0, 6),
        ("Your Name", 0, 9),
        ("The Last Ship", 0, 5),
        ("Hunter x Hunter", 0, 10),
        ("Broken", 0, 5),
    }
    assert report.totals().updated == 5
    assert not os.path.exists(engine.state_path)


def test_a_revoked_token_ends_the_run_before_any_write(engine):
    engine.sandbox.revoke_token(engine.token)
    report = engine.run()
    assert report.result == "error"
    assert report.error_code == "signed_out"
    assert engine.kodi.write_calls == 0
    assert engine.token not in json.dumps(report.to_dict())


def test_a_failed_download_writes_nothing_and_commits_nothing(engine):
    engine.sandbox.inject("/sync/ratings/shows", "500", count=None)
    report = engine.run()
    assert report.result == "error"
    assert report.error_code == "server"
    assert engine.kodi.write_calls == 0
    assert not os.path.exists(engine.state_path)
    engine.sandbox.clear_faults()
    assert engine.run().totals().updated == 5  # the next good run converges


def test_kodi_refusing_one_write_is_counted_while_the_others_apply(engine):
    engine.kodi.fail_ids["tvshows"].add(1)
    report = engine.run(batch_size=2)
    assert report.result == "ok"
    assert report.types["shows"].failed == 1
    assert report.failed_items[0]["title"] == "The Last Ship"
    assert engine.kodi.rating("tvshows", 2) == 10
    engine.kodi.fail_ids["tvshows"].clear()
    second = engine.run()  # nothing moved on Simkl, but the failed write is retried
    assert second.activities_unchanged is False
    assert engine.kodi.rating("tvshows", 1) == 5
    assert second.kodi_writes == 1


class StopAt(Progress):
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


def test_cancel_before_writing_writes_nothing(engine):
    report = engine.run(progress=StopAt("read"))
    assert report.result == "cancelled"
    assert engine.kodi.write_calls == 0


def test_cancel_between_batches_counts_what_was_not_written_and_the_next_run_finishes(engine):
    report = engine.run(progress=StopAt("write"), batch_size=1)
    assert report.result == "cancelled"
    totals = report.totals()
    assert totals.updated + totals.not_written == 5
    assert engine.kodi.write_calls == totals.updated
    second = engine.run()
    assert second.result == "ok"
    assert second.totals().updated == totals.not_written


def test_progress_moves_forward_through_the_stages(engine):
    progress = StopAt("never")
    engine.run(progress=progress)
    percents = [p for p, _, _ in progress.seen]
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert [s for _, s, _ in progress.seen][:4] == ["check", "fetch", "fetch", "fetch"]


def test_the_report_file_round_trips(engine, tmp_path):
    folder = tmp_path / "reports"
    path = str(folder / "last_sync.json")
    save_report(path, engine.run())
    data = load_report(path)
    assert data["result"] == "ok"
    assert set(data["types"]) == {"movies", "shows", "anime"}
    for counts in data["types"].values():
        assert {
            "rated",
            "updated",
            "unchanged",
            "unmatched",
            "conflicts",
            "skipped",
            "cleared",
            "kept_local",
        } <= set(counts)
    assert data["activities_unchanged"] is False
    assert [p.name for p in folder.iterdir()] == ["last_sync.json"]  # no temp files left
