"""A rating given in the add-on's own dialog or action (core/app/rate.py): Kodi at once, Simkl
at once, two-way on or off; the outbox when Simkl cannot take it now; parked when Simkl does
not know the title; and the next sync neither sends it again nor writes the old value back."""

from __future__ import annotations

import pytest
from simkl_ratings.core.app.rate import InvalidValue, Sent, known_simkl_rating, rate
from simkl_ratings.core.app.workspace import Workspace
from simkl_ratings.core.library.gateway import LibraryItem
from simkl_ratings.core.media import MOVIE
from simkl_ratings.core.simkl.client import RetryPolicy
from simkl_ratings.core.simkl.credentials import Credentials, CredentialStore
from simkl_ratings.core.sync.state import SyncStateStore

from .engine_env import CLIENT, Engine

MALEFICENT = 1  # Kodi movie id; Simkl 1, rated 6 (engine_env)


def workspace(engine: Engine, *, scope: str | None = None, version: int = 1) -> Workspace:
    CredentialStore(engine.profile).save(
        Credentials(
            access_token=engine.token,
            client_id=CLIENT,
            auth_version=version,
            account_id=7,
            scope=scope,
        )
    )
    return Workspace(
        engine.profile,
        engine.profile,
        "session",
        engine.sandbox.url,
        CLIENT,
        "0.1.0",
        engine.kodi.handle,
        retry=RetryPolicy(retries=0),
    )


def item(engine: Engine, kodi_id: int = MALEFICENT) -> LibraryItem:
    (found,) = [i for i in engine.kodi_library().read(MOVIE).items if i.kodi_id == kodi_id]
    return found


def posts(engine: Engine, path: str = "/sync/ratings") -> list[dict]:
    return [r.body for r in engine.sandbox.requests if r.method == "POST" and r.path == path]


def on_simkl(engine: Engine, simkl_id: int = 1):
    return engine.sandbox.model.items["movies"][simkl_id].user_rating


@pytest.mark.parametrize("two_way", [False, True])
def test_a_rating_goes_to_kodi_and_simkl_at_once_and_the_next_sync_leaves_it(engine, two_way):
    assert engine.run(two_way=two_way).result == "ok"
    ws = workspace(engine)
    engine.sandbox.clear_requests()
    result = rate(ws, item(engine), 9)
    assert (result.kodi_written, result.sent) == (True, Sent.CONFIRMED)
    assert engine.kodi.rating("movies", MALEFICENT) == 9
    (body,) = posts(engine)
    (entry,) = body["movies"]
    assert entry["rating"] == 9 and entry["ids"]["imdb"] == "tt1587310"
    assert entry["ids"]["simkl"] == 1 and entry["rated_at"].endswith("Z")
    assert on_simkl(engine) == 9
    assert known_simkl_rating(ws, item(engine)) == 9
    after = engine.run(two_way=two_way)
    assert posts(engine) == [] and after.kodi_writes == 0
    assert engine.kodi.rating("movies", MALEFICENT) == 9


def test_zero_removes_the_rating_in_kodi_and_on_simkl(engine):
    engine.run()
    result = rate(workspace(engine), item(engine), 0)
    assert result.sent is Sent.CONFIRMED
    assert engine.kodi.rating("movies", MALEFICENT) == 0
    assert len(posts(engine, "/sync/ratings/remove")) == 1
    assert on_simkl(engine) is None
    assert engine.run().kodi_writes == 0


def test_a_title_simkl_does_not_know_is_parked_and_never_sent_again(engine):
    engine.run()
    lonely = engine.kodi.add_movie("Only In Kodi", 1990, imdb="tt0000404")
    result = rate(workspace(engine), item(engine, lonely), 7)
    assert result.sent is Sent.PARKED and result.error == "not_found"
    assert engine.kodi.rating("movies", lonely) == 7
    engine.sandbox.set_rating("movies", 3, 2)  # Simkl moves: a whole run
    assert engine.run().result == "ok"
    assert posts(engine) == []
    assert engine.kodi.rating("movies", lonely) == 7


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_offline_the_rating_waits_in_the_outbox_and_goes_out_with_a_later_run(engine, fault):
    engine.run()
    engine.sandbox.inject("/sync/ratings", fault, count=None, method="POST")
    result = rate(workspace(engine), item(engine), 3)
    assert result.sent is Sent.QUEUED
    assert engine.kodi.rating("movies", MALEFICENT) == 3
    engine.sandbox.clear_faults()
    engine.run()  # before its back-off ends: not sent, and not pulled over with Simkl's 6
    assert engine.kodi.rating("movies", MALEFICENT) == 3 and on_simkl(engine) == 6
    store = SyncStateStore(engine.profile)
    state = store.load()
    state.outbox["movie:1"].retry_at = None  # time passes
    store.save(state)
    report = engine.run()
    assert report.types["movies"].pushed == 1
    assert on_simkl(engine) == 3 and engine.kodi.rating("movies", MALEFICENT) == 3


def test_not_signed_in_or_read_only_kodi_gets_it_and_simkl_waits(engine):
    engine.run()
    ws = workspace(engine, scope="media:read", version=2)
    result = rate(ws, item(engine), 8)
    assert (result.kodi_written, result.sent) == (True, Sent.READ_ONLY)
    CredentialStore(engine.profile).clear()
    again = rate(ws, item(engine), 4)
    assert again.sent is Sent.NOT_SIGNED_IN
    assert engine.kodi.rating("movies", MALEFICENT) == 4
    assert posts(engine) == []
    assert SyncStateStore(engine.profile).load().outbox["movie:1"].value == 4


def test_a_rating_waits_for_a_running_sync_and_never_forever(engine):
    engine.run()
    ws = workspace(engine)
    running = ws.run_lock()
    assert running.acquire("service")
    result = rate(ws, item(engine), 9, patience=0)
    assert result.sent is Sent.BUSY and not result.kodi_written
    assert engine.kodi.rating("movies", MALEFICENT) == 6
    running.release()
    assert rate(ws, item(engine), 9).sent is Sent.CONFIRMED


@pytest.mark.parametrize("value", [-1, 11, 7.5, "8", True, None])
def test_only_0_to_10_is_a_rating(engine, value):
    with pytest.raises(InvalidValue):
        rate(workspace(engine), item(engine), value)
    assert engine.kodi.write_calls == 0
