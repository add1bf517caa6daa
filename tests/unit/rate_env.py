"""What the rating tests of the shell share: a library with a movie and a show, keys pressed
in the rating window, and the `rate` action run as Kodi runs it."""

from __future__ import annotations

import sys

import pytest
import xbmcgui
from simkl_ratings.kodi import script

from tests.fakes import kodi_state

RUN_SCRIPT = "RunScript(script.simkl.ratings,rate,dbtype={},dbid={})"


def window():
    """The rating window the test opened last."""
    return kodi_state.state.windows[-1]


def press(env, *actions: int) -> None:
    """The user presses these keys, one per wait of the window's loop."""
    queue = list(actions)

    def on_wait(_timeout: float) -> None:
        if queue and env.state.windows and not window().closed:
            window().onAction(xbmcgui.Action(queue.pop(0)))

    env.state.on_wait = on_wait


def click(env, control_id: int) -> None:
    """The user presses OK on this button."""

    def on_wait(_timeout: float) -> None:
        if env.state.windows and not window().closed:
            window().onClick(control_id)

    env.state.on_wait = on_wait


def run_rate(env, monkeypatch, *words: str) -> None:
    """RunScript(script.simkl.ratings,rate,WORDS…): Kodi puts the words in sys.argv."""
    argv = ["default.py", "rate", *words]
    monkeypatch.setattr(sys, "argv", argv)
    script.main(argv)


@pytest.fixture
def movie(env) -> int:
    return env.kodi.add_movie("Maleficent", 2014, imdb="tt1587310")


@pytest.fixture
def show(env) -> dict[str, int]:
    """A show of two seasons: episodes first (1x01), last (1x02) and later (2x01)."""
    show = env.kodi.add_tvshow("The Last Ship", 2014, tvdb="269533")
    first = env.kodi.add_episode(show, 1, 1)
    last = env.kodi.add_episode(show, 1, 2)
    later = env.kodi.add_episode(show, 2, 1)
    season = env.kodi.season_id(show, 1)
    return {"show": show, "first": first, "last": last, "later": later, "season": season}
