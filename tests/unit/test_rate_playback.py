"""The service's after-playback prompt, with a fake Kodi that plays as the real one does: the
playcount is written before the callbacks run, and a playlist has moved on when the end of an
item is told."""

from __future__ import annotations

import os

import pytest
from simkl_ratings.core.rate.args import parse_rate_args
from simkl_ratings.kodi import playback, script, service

from .rate_env import RUN_SCRIPT


# -- the after-playback prompt ---------------------------------------------------------------
class Playback:
    """Kodi playing library items as the real one does: the playcount is written before the
    callbacks run, and a playlist has already moved on when the end of an item is told."""

    def __init__(self, env, sync_service: service.SyncService) -> None:
        self.env = env
        self.service = sync_service
        self.watcher = sync_service.player

    def start(self, kind: str, dbid: int, position: int = -1, size: int = 0) -> None:
        state = self.env.state
        state.playing_video, state.playing = True, {"kind": kind, "dbid": dbid}
        state.playlist_position, state.playlist_size = position, size
        self.watcher.onAVStarted()

    def watched(self, kind: str, dbid: int) -> None:
        self.env.kodi.tables[f"{kind}s"][dbid]["playcount"] += 1

    def end(self, next_position: int = -1) -> None:
        state = self.env.state
        state.playlist_position = next_position
        state.playing_video = next_position >= 0
        self.watcher.onPlayBackEnded()

    def stop(self) -> None:
        self.env.state.playing_video = False
        self.env.state.playlist_position = -1
        self.watcher.onPlayBackStopped()

    def play_to_the_end(self, kind: str, dbid: int) -> None:
        self.start(kind, dbid, 0, 1)
        self.watched(kind, dbid)
        self.end()


@pytest.fixture
def player(env) -> Playback:
    env.sign_in_stored()
    sync_service = service.SyncService()
    assert isinstance(sync_service.player, playback.PlaybackWatcher)
    return Playback(env, sync_service)


def test_a_watched_movie_opens_the_window_in_its_own_script(env, player, movie):
    player.play_to_the_end("movie", movie)
    assert env.state.builtins == [RUN_SCRIPT.format("movie", movie)]
    assert env.state.modal_dialogs() == []  # the service itself never opens a window
    assert "movie 1 stopped; rating window: ask (watched)" in env.log_text()


def test_the_builtin_is_a_rate_action_the_script_understands(env, player, movie):
    player.play_to_the_end("movie", movie)
    builtin = env.state.builtins[0]
    assert builtin.startswith("RunScript(") and builtin.endswith(")")
    words = builtin[len("RunScript(") : -1].split(",")[1:]
    assert script.parse_action(["default.py", *words]) == "rate"
    request = parse_rate_args(words)
    assert (request.dbtype, request.dbid, request.asks) == ("movie", movie, True)


def test_stopped_before_kodi_counted_it_watched_asks_nothing(env, player, movie):
    player.start("movie", movie, 0, 1)
    player.stop()
    assert env.state.builtins == []
    assert "rating window: no (not watched to the end)" in env.log_text()


def test_stopped_after_kodi_counted_it_watched_asks(env, player, movie):
    player.start("movie", movie, 0, 1)
    player.watched("movie", movie)
    player.stop()
    assert env.state.builtins == [RUN_SCRIPT.format("movie", movie)]


def first_of_two_watched(env, player: Playback, movie: int) -> int:
    """A playlist of two movies: the first played to its end; the second now plays. Its id."""
    other = env.kodi.add_movie("Elsewhere", 2015, imdb="tt7777777")
    player.start("movie", movie, 0, 2)
    player.watched("movie", movie)
    player.end(next_position=1)  # Kodi already plays the second one
    assert env.state.builtins == []
    player.start("movie", other, 1, 2)
    return other


def test_a_playlist_of_two_asks_once_after_the_second(env, player, movie):
    other = first_of_two_watched(env, player, movie)
    player.watched("movie", other)
    player.end()
    assert env.state.builtins == [RUN_SCRIPT.format("movie", other)]


def test_a_playlist_stopped_in_its_last_item_asks_for_the_one_watched(env, player, movie):
    first_of_two_watched(env, player, movie)
    player.stop()
    assert env.state.builtins == [RUN_SCRIPT.format("movie", movie)]


def test_party_mode_asks_nothing(env, player, movie):
    env.state.conditions["MusicPartyMode.Enabled"] = True
    player.play_to_the_end("movie", movie)
    assert env.state.builtins == []


def test_a_file_outside_the_library_asks_nothing(env, player):
    player.start("", -1, 0, 1)
    player.end()
    assert env.state.builtins == []
    assert "rating window: no (not a library item)" in env.log_text()


def change_setting(env, player: Playback, setting: str, value: str) -> None:
    """The user changes a setting; Kodi tells the service, which reads them again."""
    env.state.settings[setting] = value
    player.service.onSettingsChanged()


def test_already_rated_asks_only_with_rerate(env, player, movie):
    env.kodi.tables["movies"][movie]["userrating"] = 6
    player.play_to_the_end("movie", movie)
    assert env.state.builtins == []
    assert "rating window: no (already rated)" in env.log_text()
    change_setting(env, player, "rerate", "true")
    player.play_to_the_end("movie", movie)
    assert env.state.builtins == [RUN_SCRIPT.format("movie", movie)]


def test_signed_out_with_a_kodi_rating_asks_nothing_even_with_rerate(env, player, movie):
    change_setting(env, player, "rerate", "true")
    os.remove(os.path.join(env.profile, "credentials.json"))
    env.kodi.tables["movies"][movie]["userrating"] = 6
    player.play_to_the_end("movie", movie)
    assert env.state.builtins == []
    env.kodi.tables["movies"][movie]["userrating"] = 0
    player.play_to_the_end("movie", movie)  # unrated: Kodi gets the rating
    assert env.state.builtins == [RUN_SCRIPT.format("movie", movie)]


def test_movies_can_be_left_out(env, player, movie):
    change_setting(env, player, "rate_movies", "false")
    player.play_to_the_end("movie", movie)
    assert env.state.builtins == []


@pytest.mark.parametrize(
    ("rate_shows", "episode", "asks"),
    [
        ("1", "last", True),  # the default: the last episode of a season
        ("1", "first", False),
        ("1", "later", True),
        ("2", "last", False),  # the show goes on in season 2
        ("2", "later", True),
        ("0", "later", False),
    ],
)
def test_an_episode_asks_for_its_show_at_the_end_of_a_season_or_of_the_show(
    env, player, show, rate_shows, episode, asks
):
    change_setting(env, player, "rate_shows", rate_shows)
    player.play_to_the_end("episode", show[episode])
    expected = [RUN_SCRIPT.format("episode", show[episode])] if asks else []
    assert env.state.builtins == expected


def test_a_playback_that_began_before_the_service_asks_nothing(env, player, movie):
    player.watched("movie", movie)
    player.end()
    assert env.state.builtins == []


def test_a_kodi_failure_in_a_callback_is_a_log_line_not_a_traceback(env, player, show):
    player.start("episode", show["last"], 0, 1)
    player.watched("episode", show["last"])
    answer = env.kodi.handle

    def failing(request):
        if request.get("method") == "VideoLibrary.GetEpisodes":
            return {"id": request["id"], "jsonrpc": "2.0", "error": {"code": -1, "message": "x"}}
        return answer(request)

    env.state.jsonrpc = failing
    player.end()  # must not raise into Kodi
    assert env.state.builtins == []
    assert "after playback: JsonRpcError: VideoLibrary.GetEpisodes: x" in env.log_text()
