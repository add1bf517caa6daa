"""The rating window and the `rate` action, with behaving fake Kodi modules: number keys, arrows
and OK, Back, Skip and Remove, the 60 s timeout, what is focused and shown, and the words for
every bad argument."""

from __future__ import annotations

import json
import os
import sys

import pytest
import xbmcgui
from simkl_ratings.kodi import rate_dialog, rating, script
from simkl_ratings.kodi.rate_dialog import REMOVE, SKIP, TITLE, VALUE_BUTTONS

from .rate_env import click, press, run_rate, window


# -- the rating window -----------------------------------------------------------------------
@pytest.mark.parametrize(("action", "value"), [(59, 1), (63, 5), (66, 8), (67, 9), (58, 10)])
def test_a_number_key_rates_at_once_and_0_is_10(env, monkeypatch, movie, action, value):
    press(env, action)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert env.kodi.rating("movies", movie) == value
    assert window().closed
    assert env.state.missing_strings == []


def test_arrows_move_without_choosing_and_ok_chooses_the_focused_button(env, monkeypatch, movie):
    left, right, up, down = 1, 2, 3, 4
    queue = [left, right, up, down]

    def on_wait(_timeout: float) -> None:
        if queue:
            window().onAction(xbmcgui.Action(queue.pop(0)))
        elif not window().closed:
            window().onClick(VALUE_BUTTONS + 6)  # OK on the button the arrows reached

    env.state.on_wait = on_wait
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert env.kodi.rating("movies", movie) == 6


@pytest.mark.parametrize("action", [9, 10, 92])
def test_back_is_skip_and_writes_nothing(env, monkeypatch, movie, action):
    env.kodi.tables["movies"][movie]["userrating"] = 4
    press(env, action)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert env.kodi.rating("movies", movie) == 4
    assert env.kodi.write_calls == 0
    assert env.messages() == []


def test_skip_writes_nothing_and_remove_removes(env, monkeypatch, movie):
    env.kodi.tables["movies"][movie]["userrating"] = 4
    click(env, SKIP)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert env.kodi.write_calls == 0
    click(env, REMOVE)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert env.kodi.rating("movies", movie) == 0
    hint = "Sign in from Programs → Simkl Ratings Sync to send it to Simkl too."
    assert env.messages() == [f"Rating removed in Kodi: Maleficent {hint}"]  # not signed in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sixty_seconds_without_a_key_is_skip_and_a_key_restarts_them(env, monkeypatch, movie):
    clock = Clock()
    monkeypatch.setattr(rate_dialog, "monotonic", clock)
    monkeypatch.setattr(rate_dialog, "TICK", 5.0)
    seen: list[float] = []

    def on_wait(timeout: float) -> None:
        clock.now += timeout
        seen.append(clock.now - 1000.0)
        if seen[-1] == 50.0:
            window().onAction(xbmcgui.Action(2))  # a key at 50 s: sixty more from there

    env.state.on_wait = on_wait
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert seen[-1] == 110.0
    assert window().closed
    assert env.kodi.write_calls == 0
    assert window().controls[rate_dialog.COUNTDOWN].label == "Closes by itself in 5 s"
    assert "closed itself after 60 s" in env.log_text()


def test_kodi_quitting_closes_the_window(env, monkeypatch, movie):
    env.state.abort_after_waits = 1
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert window().closed
    assert env.kodi.write_calls == 0


def test_the_current_kodi_rating_is_focused_and_shown(env, monkeypatch, movie):
    env.kodi.tables["movies"][movie]["userrating"] = 7
    press(env, 10)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    shown = window()
    assert shown.focused == VALUE_BUTTONS + 7
    assert shown.controls[SKIP].up is shown.controls[VALUE_BUTTONS + 7]
    assert shown.controls[VALUE_BUTTONS + 10].label == "10"
    assert shown.controls[TITLE].label == "Maleficent (2014)"
    assert shown.controls[rate_dialog.KODI_RATING].label == "Your rating in Kodi: 7"
    assert shown.controls[REMOVE].enabled
    assert shown.controls[rate_dialog.NOTE].label == ""


def test_with_only_a_simkl_rating_that_one_is_focused(env, monkeypatch, movie):
    monkeypatch.setattr(rating, "known_simkl_rating", lambda ctx, item: 9)
    press(env, 10)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert window().focused == VALUE_BUTTONS + 9
    assert window().controls[rate_dialog.SIMKL_RATING].label == (
        "Your last known rating on Simkl: 9"
    )


def test_without_a_rating_skip_is_focused_and_there_is_nothing_to_remove(env, monkeypatch, movie):
    press(env, 10)
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}")
    assert window().focused == SKIP
    assert window().controls[SKIP].up is None  # the skin's Up: to 5
    assert not window().controls[REMOVE].enabled
    assert window().controls[rate_dialog.KODI_RATING].label == "Not rated in Kodi"


@pytest.mark.parametrize("picked", ["season", "first"])
def test_a_season_or_an_episode_says_it_rates_the_show(env, monkeypatch, show, picked):
    dbtype = "season" if picked == "season" else "episode"
    press(env, 66)
    run_rate(env, monkeypatch, f"dbtype={dbtype}", f"dbid={show[picked]}")
    assert window().controls[rate_dialog.NOTE].label == (
        "Simkl rates a show as a whole: this rates the show The Last Ship."
    )
    assert env.kodi.rating("tvshows", show["show"]) == 8
    assert env.kodi.tables["episodes"][show["first"]]["userrating"] == 0


# -- the rate action without the window ------------------------------------------------------
def test_a_rating_in_the_call_is_set_without_a_window(env, monkeypatch, movie):
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}", "rating=8")
    assert env.kodi.rating("movies", movie) == 8
    assert env.state.windows == []
    hint = "Sign in from Programs → Simkl Ratings Sync to send it to Simkl too."
    assert env.messages() == [f"Rated 8 in Kodi: Maleficent {hint}"]  # not signed in: once
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}", "rating=8")
    assert env.messages()[-1] == "Rated 8 in Kodi: Maleficent"
    assert env.kodi.write_calls == 1  # the same value again: nothing written
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}", "rating=0")
    assert env.kodi.rating("movies", movie) == 0


def test_an_episode_with_a_rating_rates_its_show(env, monkeypatch, show):
    run_rate(env, monkeypatch, "dbtype=episode", f"dbid={show['later']}", "rating=3")
    assert env.kodi.rating("tvshows", show["show"]) == 3


def test_a_keymap_rates_the_focused_item(env, monkeypatch, show):
    env.state.info_labels.update(
        {"ListItem.DBTYPE": "season", "ListItem.DBID": str(show["season"])}
    )
    run_rate(env, monkeypatch, "focused", "rating=9")
    assert env.kodi.rating("tvshows", show["show"]) == 9
    env.state.info_labels.clear()  # the home screen: nothing of the library is focused
    run_rate(env, monkeypatch, "focused", "rating=9")
    assert env.messages()[-1] == (
        "No movie, show, season or episode of your library is focused, so there is nothing to rate."
    )


def test_json_rpc_s_object_params_work_too(env, monkeypatch, movie):
    argv = ["default.py", "action=rate", f"dbid={movie}", "dbtype=movie", "rating=2"]
    monkeypatch.setattr(sys, "argv", argv)
    script.main(argv)
    assert env.kodi.rating("movies", movie) == 2


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (
            ["dbtype=movie"],
            "The rate action needs dbid=…, for example "
            "RunScript(script.simkl.ratings,rate,dbtype=movie,dbid=12).",
        ),
        (
            ["dbtype=song", "dbid=1"],
            "The rate action cannot rate dbtype=song: use movie, tvshow, season or episode.",
        ),
        (
            ["dbtype=movie", "dbid="],
            "The rate action needs a library item: dbid= is not the id of one.",
        ),
        (
            ["dbtype=movie", "dbid=1", "rating=11"],
            "rating=11 is not a rating: use 1 to 10, or 0 to remove the rating.",
        ),
        (["dbtype=movie", "dbid=1", "stars=3"], "The rate action has no argument 'stars'."),
        (["dbtype=movie", "dbid=1", "dbid=2"], "The rate action was given dbid twice."),
        (
            ["dbtype=movie", "dbid=99"],
            "There is no movie with dbid 99 in your Kodi library, so nothing was rated.",
        ),
    ],
)
def test_a_bad_argument_is_a_message_and_a_log_line(env, monkeypatch, movie, words, message):
    run_rate(env, monkeypatch, *words)
    assert env.messages() == [message]
    assert env.state.notifications[0]["sound"] is True  # sounds like an error
    assert env.state.windows == []
    assert env.kodi.write_calls == 0
    assert message in env.log_text()  # the same words in kodi.log
    assert "unexpected" not in env.log_text()


def test_a_read_only_sign_in_hears_of_the_rating_in_the_question_once_then_in_a_toast(
    env, monkeypatch, movie
):
    """The question says what became of the rating itself: a toast on top of it would take
    its first Back (the fakes fail any test that leaves a toast under a dialog)."""
    os.makedirs(env.profile, exist_ok=True)
    with open(os.path.join(env.profile, "credentials.json"), "w") as stream:
        json.dump(
            {
                "access_token": "simkl_at_readONLY000000000000000000000001",
                "refresh_token": "simkl_rt_readONLY000000000000000000000001",
                "client_id": "shell-client",
                "auth_version": 2,
                "scope": "media:read",
                "expires_at": "2099-01-01T00:00:00Z",
                "created_at": "2026-01-01T00:00:00Z",
            },
            stream,
        )
    env.state.yesno_answers = [False]  # not now
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}", "rating=4")
    assert env.kodi.rating("movies", movie) == 4
    (question,) = [text for kind, _, text in env.state.dialogs if kind == "yesno"]
    assert question.startswith("Rated 4 in Kodi: Maleficent\nSending ratings to Simkl needs")
    assert env.messages() == []
    run_rate(env, monkeypatch, "dbtype=movie", f"dbid={movie}", "rating=5")
    assert [kind for kind, _, _ in env.state.dialogs].count("yesno") == 1  # asked once
    assert env.messages() == ["Rated 5 in Kodi: Maleficent"]
