"""The engine's safety rules as the user meets them in Kodi: what a manual run asks (No is the
default), what the service does instead (nothing, said once), and a missing network ridden
out quietly."""

from __future__ import annotations

import copy

import pytest
import requests
import responses
from simkl_ratings.core.app.retry import TELL_AFTER, OfflineRetry
from simkl_ratings.core.simkl.client import ALL_RATINGS
from simkl_ratings.kodi import script, service

from .conftest import movie_row
from .shell_env import ACTIVITIES, API

TITLES = [f"Film {n}" for n in range(1, 8)]


def serve(movies: list[dict], moved: str) -> None:
    """Simkl as of `moved` (the movies' rated_at): the activities and the movie ratings."""
    activities = copy.deepcopy(ACTIVITIES)
    activities["movies"]["rated_at"] = moved
    responses.upsert(responses.GET, f"{API}/sync/activities", json=activities)
    responses.upsert(
        responses.GET, f"{API}/sync/ratings/movies/{ALL_RATINGS}", json={"movies": movies}
    )
    for name in ("shows", "anime"):
        responses.upsert(responses.GET, f"{API}/sync/ratings/{name}/{ALL_RATINGS}", json={})


def seven_rated(env) -> list[dict]:
    """Seven films in Kodi, rated on Simkl, and one more Simkl has that Kodi lacks."""
    env.sign_in_stored()
    rows = []
    for number, title in enumerate(TITLES, start=1):
        imdb = f"tt{1000 + number}"
        env.kodi.add_movie(title, 2000 + number, imdb=imdb)
        rows.append(movie_row(number, title, 7, year=2000 + number, imdb=imdb))
    rows.append(movie_row(99, "Not In Kodi", 4, imdb="tt0099999"))
    serve(rows, "2026-05-14T06:43:20Z")
    script.main(["default.py", "sync"])
    assert [env.kodi.rating("movies", n) for n in range(1, 8)] == [7] * 7
    env.state.later()
    return rows


def kodi_start(env) -> None:
    """Kodi starts: the service syncs once in the background, then Kodi quits."""
    env.state.aborted = False
    env.state.waits.clear()
    env.state.abort_after_waits = 40
    service.main()


def ratings(env) -> list[int]:
    return [env.kodi.rating("movies", n) for n in range(1, 8)]


@responses.activate
@pytest.mark.parametrize("answer", [False, True])
def test_a_manual_run_asks_before_clearing_more_than_the_guard_allows(env, answer):
    rows = seven_rated(env)
    serve(rows[-1:], "2026-05-15T08:00:00Z")  # seven un-rated on Simkl at once
    env.state.yesno_answers = [answer]
    told = len(env.state.notifications)
    script.main(["default.py", "sync"])
    (question,) = [text for kind, _, text in env.state.dialogs if kind == "yesno"]
    assert question.startswith("7 ratings were removed on Simkl")
    assert "Film 1, Film 2, Film 3, Film 4, Film 5 …" in question
    assert ratings(env) == ([0] * 7 if answer else [7] * 7)
    # one summary, after the question (a toast over it would take its first Back)
    (summary,) = [n["message"] for n in env.state.notifications[told:]]
    assert summary == ("0 updated · 7 cleared" if answer else "0 updated · 7 removals held")
    report = env.report()
    assert report["types"]["movies"]["cleared"] == (7 if answer else 0)
    assert report["types"]["movies"]["clears_held"] == (0 if answer else 7)


@responses.activate
def test_the_service_clears_nothing_beyond_the_guard_and_says_so_once(env):
    rows = seven_rated(env)
    serve(rows[-1:], "2026-05-15T08:00:00Z")
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0"})
    env.state.notifications.clear()
    env.state.dialogs.clear()
    env.state.progress.clear()
    for _ in range(3):  # three Kodi starts, three background syncs
        kodi_start(env)
    assert ratings(env) == [7] * 7
    held = [m for m in env.messages() if "kept in Kodi until you agree" in m]
    assert len(held) == 1
    assert env.state.modal_dialogs() == []


@responses.activate
@pytest.mark.parametrize("answer", [False, True])
def test_an_empty_reply_is_a_question_in_a_manual_run_and_a_notice_in_the_service(env, answer):
    seven_rated(env)
    serve([], "2026-05-15T08:00:00Z")  # Simkl says: no movie ratings at all
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0"})
    for _ in range(2):
        kodi_start(env)
    assert ratings(env) == [7] * 7
    assert [m for m in env.messages() if m.startswith("Simkl sent none")] == [
        "Simkl sent none of your movies ratings. Nothing was changed; the next sync asks again."
    ]
    env.state.aborted, env.state.abort_after_waits = False, None  # Kodi runs again
    env.state.later()
    env.state.yesno_answers = [answer]
    script.main(["default.py", "sync"])
    (question,) = [text for kind, _, text in env.state.dialogs if kind == "yesno"]
    assert question.startswith("Simkl sent none of your movies ratings, though the add-on holds 8")
    assert ratings(env) == ([0] * 7 if answer else [7] * 7)


@responses.activate
def test_a_background_run_without_network_retries_quietly(env, monkeypatch):
    env.sign_in_stored()
    responses.get(f"{API}/sync/activities", body=requests.ConnectionError("no route"))
    env.state.settings.update({"startup_delay": "0", "sync_interval": "12"})
    monkeypatch.setattr(service, "OfflineRetry", Recording)
    kodi_start(env)
    assert env.state.notifications == []  # nothing said: it may come up in a moment
    assert env.report()["error_code"] == "network"
    (retry,) = Recording.made
    assert retry.attempts == 1 and retry.retry_at is not None


class Recording(OfflineRetry):
    made: list[OfflineRetry] = []

    def __init__(self) -> None:
        super().__init__()
        Recording.made.append(self)


def test_an_outage_is_tried_again_after_1_2_4_minutes_up_to_the_schedule_and_told_once():
    retry = OfflineRetry()
    delays = []
    now = 0.0
    for _ in range(9):
        retry.failed(now, cap=3600)
        delays.append(retry.retry_at - now)
        now = retry.retry_at
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert retry.tell(TELL_AFTER - 1) is False
    assert retry.tell(TELL_AFTER + 1) is True and retry.tell(TELL_AFTER + 2) is False
    retry.succeeded()
    assert not retry.due(now) and retry.attempts == 0
