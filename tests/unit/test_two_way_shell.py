"""Two-way as the user meets it in Kodi: the consent question for ratings only Kodi has, and the
service pushing an edit soon after Kodi announces a library update."""

from __future__ import annotations

import json

import responses
from simkl_ratings.kodi import script, service

from .shell_env import API
from .test_shell import MOVIES, SHOWS, library

ADDED = {"added": {"movies": 1, "shows": 0}, "not_found": {"movies": [], "shows": []}}


def pushed_bodies() -> list[dict]:
    return [
        json.loads(c.request.body)
        for c in responses.calls
        if c.request.method == "POST" and c.request.url.split("?")[0] == f"{API}/sync/ratings"
    ]


def kodi_only_rating(env, answer: bool) -> None:
    """Two-way on, first run ahead, one rating only Kodi has; the user will answer `answer`."""
    env.sign_in_stored()
    library(env)
    lonely = env.kodi.add_movie("Only In Kodi", 1990, imdb="tt0000404")
    env.kodi.tables["movies"][lonely]["userrating"] = 8
    env.state.settings["two_way"] = "true"
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    responses.post(f"{API}/sync/ratings", json=ADDED)
    env.state.yesno_answers = [answer]


@responses.activate
def test_ratings_only_in_kodi_are_sent_after_a_yes_in_the_same_action(env):
    kodi_only_rating(env, True)
    script.main(["default.py", "sync"])
    kind, _, question = env.state.dialogs[0]
    assert kind == "yesno"
    assert question.startswith("1 ratings are only in Kodi")
    (body,) = pushed_bodies()
    assert body["movies"][0]["ids"] == {"imdb": "tt0000404"}
    assert body["movies"][0]["rating"] == 8
    assert env.report()["types"]["movies"]["pushed"] == 1
    assert env.messages()[-1] == "0 updated · 1 sent to Simkl"


@responses.activate
def test_a_no_keeps_them_in_kodi_and_the_question_is_not_asked_again(env):
    kodi_only_rating(env, False)
    script.main(["default.py", "sync"])
    script.main(["default.py", "sync"])
    assert [d[0] for d in env.state.dialogs] == ["yesno"]
    assert pushed_bodies() == []


@responses.activate
def test_the_service_pushes_an_edit_soon_after_kodi_announces_it(env, monkeypatch):
    env.sign_in_stored()
    library(env)
    env.state.settings.update({"two_way": "true", "startup_delay": "0", "sync_interval": "0"})
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    responses.post(f"{API}/sync/ratings", json=ADDED)
    script.main(["default.py", "sync"])  # the baseline
    monkeypatch.setattr(service, "EDIT_QUIET", 0.0)
    env.state.settings["sync_on_start"] = "false"
    svc = service.SyncService()
    edited = []

    def edit_once(_timeout):
        if not edited:  # a remote app sets a rating over JSON-RPC; Kodi announces it
            edited.append(True)
            env.kodi.handle(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "VideoLibrary.SetMovieDetails",
                    "params": {"movieid": 1, "userrating": 10},
                }
            )
            svc.onNotification("xbmc", "VideoLibrary.OnUpdate", '{"item":{"id":1}}')

    env.state.on_wait = edit_once
    env.state.abort_after_waits = 20
    svc.run()
    (body,) = pushed_bodies()
    assert body["movies"][0]["rating"] == 10
    assert env.kodi.rating("movies", 1) == 10
