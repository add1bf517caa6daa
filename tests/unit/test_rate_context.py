"""The context menu's "Rate on Simkl…" runs the rate action for the chosen list item."""

from __future__ import annotations

import sys

import pytest
import xbmcgui
from simkl_ratings.kodi import context_item

from .rate_env import press


# -- the context menu ------------------------------------------------------------------------
@pytest.mark.parametrize(("media_type", "key"), [("episode", "last"), ("season", "season")])
def test_the_context_menu_rates_the_show_of_a_season_or_an_episode(
    env, monkeypatch, show, media_type, key
):
    item = xbmcgui.ListItem("x", media_type, show[key])
    monkeypatch.setattr(sys, "listitem", item, raising=False)
    monkeypatch.setattr(sys, "argv", ["script.simkl.ratings", "show"])
    press(env, 59)
    context_item.main()
    assert env.kodi.rating("tvshows", show["show"]) == 1


def test_the_context_menu_on_a_movie(env, monkeypatch, movie):
    monkeypatch.setattr(sys, "listitem", xbmcgui.ListItem("x", "movie", movie), raising=False)
    monkeypatch.setattr(sys, "argv", ["script.simkl.ratings"])
    press(env, 62)
    context_item.main()
    assert env.kodi.rating("movies", movie) == 4
