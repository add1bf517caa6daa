"""Two-way sync through the engine: the Simkl sandbox (real HTTP) and the fake Kodi library.

Kodi ratings are changed the way a remote app does it (Set…Details over JSON-RPC); what reaches
Simkl is read from the sandbox's request log and its account."""

from __future__ import annotations

import pytest
from simkl_ratings.core.app.consent import answer_kodi_only
from simkl_ratings.core.app.workspace import Workspace
from simkl_ratings.core.library.gateway import KodiLibrary
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import MOVIE
from simkl_ratings.core.sync import state as state_module
from simkl_ratings.core.sync.policy import Policy
from simkl_ratings.core.sync.state import SyncStateStore

from .engine_env import CLIENT, Engine

MALEFICENT, BROKEN = 1, 3  # Kodi movie ids (engine_env.build_library)
LAST_SHIP = 1  # Kodi TV show id


def set_kodi(engine: Engine, table: str, kodi_id: int, value: int) -> None:
    """A rating changed in Kodi by a person (GUI, remote app): a JSON-RPC Set…Details call."""
    method, id_field = {
        "movies": ("VideoLibrary.SetMovieDetails", "movieid"),
        "tvshows": ("VideoLibrary.SetTVShowDetails", "tvshowid"),
    }[table]
    JsonRpc(engine.kodi.handle).call(method, {id_field: kodi_id, "userrating": value})


def posts(engine: Engine, path: str = "/sync/ratings") -> list[dict]:
    return [r.body for r in engine.sandbox.requests if r.method == "POST" and r.path == path]


def simkl_rating(engine: Engine, type_: str, simkl_id: int):
    return engine.sandbox.model.items[type_][simkl_id].user_rating


def two_way(engine: Engine, **options):
    return engine.run(two_way=True, **options)


def retry_now(engine: Engine) -> None:
    """Time passes: every rating waiting in the outbox for its back-off is due."""
    store = SyncStateStore(engine.profile)
    state = store.load()
    for entry in state.outbox.values():
        entry.retry_at = None
    store.save(state)


@pytest.fixture
def synced(engine: Engine) -> Engine:
    """Two-way on, after its first run: the baseline exists."""
    first = two_way(engine)
    assert first.result == "ok"
    assert posts(engine) == [] and posts(engine, "/sync/ratings/remove") == []
    return engine


def test_the_first_two_way_run_takes_no_difference_for_an_edit(engine):
    lonely = engine.kodi.add_movie("Only In Kodi", 1990, imdb="tt0000404")
    engine.kodi.tables["movies"][lonely]["userrating"] = 3  # Simkl has no rating for it
    engine.kodi.tables["movies"][MALEFICENT]["userrating"] = 2  # Simkl has 6
    report = two_way(engine)
    assert report.result == "ok"
    assert engine.kodi.rating("movies", MALEFICENT) == 6  # differing: the pull policy decides
    assert posts(engine) == []  # nothing pushed: no baseline yet
    assert simkl_rating(engine, "movies", 1) == 6
    # the rating only Kodi has waits for consent, listed in the report
    assert report.kodi_only_items == [
        {"kind": "movie", "kodi_id": lonely, "title": "Only In Kodi", "year": 1990, "to": 3}
    ]


def test_a_kodi_edit_is_pushed_once_with_every_id_and_never_written_back(synced):
    set_kodi(synced, "movies", MALEFICENT, 9)
    report = two_way(synced)
    assert report.result == "ok"
    (body,) = posts(synced)
    (entry,) = body["movies"]
    assert body["shows"] == []
    assert entry["rating"] == 9
    assert entry["ids"] == {"imdb": "tt1587310", "tmdb": "102651", "simkl": 1}
    assert (entry["title"], entry["year"]) == ("Maleficent", 2014)
    assert entry["rated_at"].endswith("Z")
    assert report.types["movies"].pushed == 1
    assert report.kodi_writes == 0
    assert simkl_rating(synced, "movies", 1) == 9
    assert synced.kodi.rating("movies", MALEFICENT) == 9
    # next run: Simkl's activities moved (our push) -> a pull, but no echo either way
    again = two_way(synced)
    assert posts(synced) == []
    assert again.kodi_writes == 0
    assert synced.kodi.rating("movies", MALEFICENT) == 9


def test_a_cleared_kodi_rating_is_removed_on_simkl(synced):
    set_kodi(synced, "tvshows", LAST_SHIP, 0)
    report = two_way(synced)
    assert posts(synced) == []
    (body,) = posts(synced, "/sync/ratings/remove")
    assert body["shows"][0]["ids"]["tvdb"] == "269533"
    assert "rating" not in body["shows"][0]
    assert report.types["shows"].push_removed == 1
    assert simkl_rating(synced, "shows", 4) is None
    assert synced.kodi.rating("tvshows", LAST_SHIP) == 0  # not written back


def test_values_the_add_on_wrote_are_never_pushed(synced):
    synced.sandbox.set_rating("movies", 1, 3)  # Simkl changes; the pull writes 3 into Kodi
    first = two_way(synced)
    assert first.types["movies"].updated == 1
    second = two_way(synced)
    assert posts(synced) == []
    assert second.activities_unchanged is True
    assert synced.http() == 1


def test_nothing_changed_on_either_side_costs_one_request_and_no_write(synced):
    synced.kodi.requests.clear()
    report = two_way(synced)
    assert report.activities_unchanged is True
    assert synced.http() == 1
    assert report.kodi_writes == 0
    reads = [r for r in synced.kodi.requests if isinstance(r, dict)]
    assert {r["params"]["properties"] == ["userrating"] for r in reads} == {True}


@pytest.mark.parametrize(
    ("policy", "kodi_after", "simkl_after", "pushes"),
    [
        (Policy.SIMKL_WINS, 3, 3, 0),  # the Kodi edit is replaced, not pushed
        (Policy.KEEP_LOCAL, 9, 9, 1),  # the edit is pushed, Simkl's value not written
        (Policy.FILL_EMPTY, 9, 3, 0),  # Simkl has a rating: nothing pushed, nothing filled
    ],
)
def test_both_sides_changed_follow_the_policy(synced, policy, kodi_after, simkl_after, pushes):
    synced.sandbox.set_rating("movies", 1, 3)
    set_kodi(synced, "movies", MALEFICENT, 9)
    report = two_way(synced, policy=policy)
    assert report.result == "ok"
    assert synced.kodi.rating("movies", MALEFICENT) == kodi_after
    assert simkl_rating(synced, "movies", 1) == simkl_after
    assert len(posts(synced)) == pushes
    # and it stays that way: no flip back and forth
    two_way(synced, policy=policy)
    assert synced.kodi.rating("movies", MALEFICENT) == kodi_after
    assert simkl_rating(synced, "movies", 1) == simkl_after


def test_fill_empty_pushes_where_simkl_has_no_rating(synced):
    set_kodi(synced, "movies", BROKEN, 8)  # Simkl's rating of it is invalid: none usable
    synced.sandbox.remove_rating("movies", 3)
    two_way(synced, policy=Policy.FILL_EMPTY)  # Simkl moved: pulled, the edit is Kodi's only
    assert simkl_rating(synced, "movies", 3) == 8


def test_a_preview_lists_the_push_and_sends_nothing(synced):
    set_kodi(synced, "movies", MALEFICENT, 9)
    report = two_way(synced, dry_run=True)
    assert posts(synced) == []
    assert [(i["title"], i["to"]) for i in report.pushed_items] == [("Maleficent", 9)]
    assert simkl_rating(synced, "movies", 1) == 6
    report = two_way(synced)  # the real run still sends it
    assert len(posts(synced)) == 1


def test_a_failed_push_stays_pending_and_goes_out_next_run(synced):
    set_kodi(synced, "movies", MALEFICENT, 9)
    synced.sandbox.inject("/sync/ratings", "503", count=None)
    failed = two_way(synced)
    assert failed.result == "error"
    assert failed.types["movies"].push_failed == 1
    assert simkl_rating(synced, "movies", 1) == 6
    assert synced.kodi.rating("movies", MALEFICENT) == 9  # the pull did not undo the edit
    synced.sandbox.clear_faults()
    soon = two_way(synced)  # a minute has not passed: nothing is sent, nothing pulled over
    assert posts(synced) == [] and soon.result == "ok"
    assert synced.kodi.rating("movies", MALEFICENT) == 9
    retry_now(synced)
    done = two_way(synced)
    assert done.result == "ok"
    assert done.types["movies"].pushed == 1
    assert simkl_rating(synced, "movies", 1) == 9
    first_seen = failed.pushed_items[0]
    assert first_seen["to"] == 9


def test_an_item_simkl_does_not_know_is_not_sent_again_until_its_ids_change(synced):
    new = synced.kodi.add_movie("Only In Kodi", 1990, imdb="tt0000404")
    synced.run(two_way=True, offline=True)  # as after the scan that added it: in the baseline
    set_kodi(synced, "movies", new, 7)
    report = two_way(synced)
    assert report.types["movies"].push_not_found == 1
    assert [i["reason"] for i in report.parked_items] == ["not_found"]
    assert len(posts(synced)) == 1
    synced.sandbox.set_rating("movies", 3, 4)  # Simkl moves: a whole run
    again = two_way(synced)
    assert posts(synced) == []  # not sent again...
    assert [i["title"] for i in again.parked_items] == ["Only In Kodi"]  # ...but still listed
    synced.kodi.tables["movies"][new]["uniqueid"] = {"imdb": "tt0000405"}
    synced.sandbox.set_rating("movies", 3, 5)
    two_way(synced)
    assert len(posts(synced)) == 1  # new ids: tried again


@pytest.mark.parametrize(("answer", "sent"), [(True, 1), (False, 0)])
def test_ratings_only_kodi_has_go_out_only_with_consent(engine, answer, sent):
    lonely = engine.kodi.add_movie("Your Name", 2016, anidb="8550", imdb="tt5311514")
    engine.kodi.tables["movies"][lonely]["userrating"] = 10
    first = two_way(engine)
    assert [i["to"] for i in first.kodi_only_items] == [10]
    two_way(engine)
    assert posts(engine) == []  # no answer yet: nothing sent
    workspace = Workspace(
        engine.profile, engine.profile, "s", engine.sandbox.url, CLIENT, "0.1.0", engine.kodi.handle
    )
    assert answer_kodi_only(workspace, answer)
    two_way(engine)
    assert len(posts(engine)) == sent
    two_way(engine)
    assert posts(engine) == []


def test_two_kodis_on_one_library_send_no_redundant_push(engine, tmp_path):
    """Box B reads box A's pull write as a change; Simkl already holds that value: no edit."""
    box_a, box_b = engine, Engine(engine.sandbox, engine.kodi, str(tmp_path / "box-b"))
    box_b.token = box_a.token
    two_way(box_a)
    two_way(box_b)
    engine.sandbox.set_rating("movies", 1, 2)
    two_way(box_a)  # A pulls and writes 2 into the shared library
    assert engine.kodi.rating("movies", MALEFICENT) == 2
    b_run = two_way(box_b)
    assert posts(box_b) == [] and b_run.kodi_writes == 0
    for box in (box_a, box_b, box_a, box_b):
        report = two_way(box)
        assert posts(box) == [] and report.kodi_writes == 0
    assert simkl_rating(engine, "movies", 1) == 2


def test_turning_two_way_off_forgets_the_baseline(synced):
    set_kodi(synced, "movies", MALEFICENT, 9)
    synced.run()  # one-way: Simkl wins, the edit is overwritten, nothing pushed
    assert posts(synced) == []
    assert synced.kodi.rating("movies", MALEFICENT) == 6
    assert SyncStateStore(synced.profile).load().two_way.seen is None


def test_a_cached_run_after_a_push_does_not_write_the_old_value_back(synced):
    set_kodi(synced, "movies", MALEFICENT, 9)
    two_way(synced)
    cached = synced.run(two_way=True, offline=True)
    assert cached.kodi_writes == 0
    assert synced.kodi.rating("movies", MALEFICENT) == 9


def test_the_library_read_for_edits_reads_only_rated_items_ratings(kodi):
    kodi.add_movie("A", 2000, imdb="tt1")
    kodi.add_movie("B", 2001, imdb="tt2")  # unrated: Kodi leaves it out
    kodi.tables["movies"][1]["userrating"] = 7
    values = KodiLibrary(JsonRpc(kodi.handle)).read_values(MOVIE)
    assert values == {"movie:1": 7}
    (request,) = kodi.requests
    assert request["params"]["properties"] == ["userrating"]
    assert request["params"]["filter"]["field"] == "userrating"


def test_kodi_quitting_between_two_push_requests_leaves_the_rest_for_the_next_run(synced):
    for n in range(150):  # titles Simkl knows (listed, unrated) and Kodi has
        imdb = f"tt{5_000_000 + n}"
        synced.sandbox.add_item(
            "movies",
            {"simkl": 5000 + n, "title": f"Film {n}", "year": 2000, "ids": {"imdb": imdb}},
        )
        synced.kodi.add_movie(f"Film {n}", 2000, imdb=imdb)
    synced.run(two_way=True, offline=True)  # as after the scan: the baseline holds them
    for kodi_id in range(4, 154):
        set_kodi(synced, "movies", kodi_id, 7)
    quitting = two_way(synced, wait=lambda seconds: True)  # Kodi quits during the 1 s spacing
    assert len(posts(synced)) == 1  # 100 sent, the other 50 not
    assert quitting.result == "cancelled"
    assert quitting.types["movies"].pushed == 100
    assert quitting.types["movies"].push_failed == 50
    resumed = two_way(synced)
    assert [len(body["movies"]) for body in posts(synced)] == [50]
    assert resumed.types["movies"].pushed == 50
    assert all(simkl_rating(synced, "movies", 5000 + n) == 7 for n in range(150))


def test_a_run_where_nothing_moved_builds_none_of_the_cached_ratings(synced, monkeypatch):
    built = []
    original = state_module._rating_from_json
    monkeypatch.setattr(
        state_module, "_rating_from_json", lambda *a: built.append(1) or original(*a)
    )
    assert two_way(synced).activities_unchanged is True
    assert built == []
    set_kodi(synced, "movies", MALEFICENT, 9)
    assert two_way(synced).types["movies"].pushed == 1  # an edit: now they are needed
    assert built
