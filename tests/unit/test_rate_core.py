"""The pure core of rating from Kodi: the rate action's arguments, which item a rating lands
on, and each rule of the after-playback prompt."""

from __future__ import annotations

import pytest
from simkl_ratings.core.library.gateway import KodiLibrary
from simkl_ratings.core.library.jsonrpc import JsonRpc, JsonRpcError
from simkl_ratings.core.media import MOVIE, TVSHOW
from simkl_ratings.core.rate.args import RateArgsError, RateRequest, parse_rate_args
from simkl_ratings.core.rate.played import episode_place, last_of, playcount
from simkl_ratings.core.rate.prompt import (
    RULES,
    Decision,
    Moment,
    Played,
    PlaylistMemory,
    PromptSettings,
    RateShows,
    Verdict,
    decide,
)
from simkl_ratings.core.rate.target import TargetError, resolve
from simkl_ratings.core.rating import Rating


# -- the rate action's arguments -------------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "request_"),
    [
        (["rate", "dbtype=movie", "dbid=12"], RateRequest("movie", 12)),
        (["rate", "dbtype=tvshow", "dbid=3", "rating=8"], RateRequest("tvshow", 3, 8)),
        (["rate", "dbtype=episode", "dbid=7", "rating=0"], RateRequest("episode", 7, 0)),
        (["action=rate", "dbid=5", "dbtype=season"], RateRequest("season", 5)),  # an object
        (["rate", " DBTYPE=Movie ", "dbid= 12", "rating=10"], RateRequest("movie", 12, 10)),
    ],
)
def test_the_rate_arguments_as_keymaps_skins_and_json_rpc_send_them(words, request_):
    assert parse_rate_args(words) == request_


def test_focused_stands_for_the_focused_list_item_in_keymaps():
    words = ["rate", "focused", "rating=8"]
    assert parse_rate_args(words, ("movie", "12")) == RateRequest("movie", 12, 8)
    assert parse_rate_args(["rate", "Focused"], ("episode", "3")) == RateRequest("episode", 3)


@pytest.mark.parametrize(
    ("words", "focused", "code", "name"),
    [
        (["rate", "focused"], ("", ""), "focused", "focused"),  # the home screen
        (["rate", "focused"], ("movie", ""), "focused", "focused"),
        (["rate", "focused"], ("song", "4"), "dbtype", "dbtype"),
        (["rate", "focused", "dbid=3"], ("movie", "12"), "repeated", "dbid"),
    ],
)
def test_focused_without_a_library_item_is_named(words, focused, code, name):
    with pytest.raises(RateArgsError) as caught:
        parse_rate_args(words, focused)
    assert (caught.value.code, caught.value.name) == (code, name)


def test_without_a_rating_the_request_asks_with_the_dialog():
    assert parse_rate_args(["rate", "dbtype=movie", "dbid=1"]).asks
    assert not parse_rate_args(["rate", "dbtype=movie", "dbid=1", "rating=0"]).asks


@pytest.mark.parametrize(
    ("words", "code", "name", "value"),
    [
        (["rate", "dbid=1"], "missing", "dbtype", ""),
        (["rate", "dbtype=movie"], "missing", "dbid", ""),
        (["rate"], "missing", "dbtype", ""),
        (["rate", "dbtype=song", "dbid=1"], "dbtype", "dbtype", "song"),
        (["rate", "dbtype=", "dbid=1"], "dbtype", "dbtype", ""),
        (["rate", "dbtype=movie", "dbid="], "dbid", "dbid", ""),  # a skin outside the library
        (["rate", "dbtype=movie", "dbid=-1"], "dbid", "dbid", "-1"),
        (["rate", "dbtype=movie", "dbid=0"], "dbid", "dbid", "0"),
        (["rate", "dbtype=movie", "dbid=abc"], "dbid", "dbid", "abc"),
        (["rate", "dbtype=movie", "dbid=\uff11\uff12"], "dbid", "dbid", "\uff11\uff12"),
        (["rate", "dbtype=movie", "dbid=12345678901"], "dbid", "dbid", "12345678901"),
        (["rate", "dbtype=movie", "dbid=1", "rating=11"], "rating", "rating", "11"),
        (["rate", "dbtype=movie", "dbid=1", "rating=7.5"], "rating", "rating", "7.5"),
        (["rate", "dbtype=movie", "dbid=1", "rating=-1"], "rating", "rating", "-1"),
        (["rate", "dbtype=movie", "dbid=1", "rating="], "rating", "rating", ""),
        (["rate", "dbtype=movie", "dbid=1", "stars=4"], "unknown", "stars", "4"),
        (["rate", "dbtype=movie", "dbid=1", "now"], "unknown", "now", ""),
        (["rate", "dbtype=movie", "dbid=1", "dbid=2"], "repeated", "dbid", "2"),
    ],
)
def test_every_mistake_names_its_argument(words, code, name, value):
    with pytest.raises(RateArgsError) as caught:
        parse_rate_args(words)
    assert (caught.value.code, caught.value.name, caught.value.value) == (code, name, value)


# -- the item a rating lands on --------------------------------------------------------------
@pytest.fixture
def rpc(kodi) -> JsonRpc:
    return JsonRpc(kodi.handle)


def test_a_movie_rates_itself_with_the_ids_a_sync_matches_by(kodi, rpc):
    kodi.add("movies", "Maleficent", 2014, {"tmdb": "102651"}, imdbnumber="tt1587310")
    kodi.tables["movies"][1].update(userrating=6, art={"poster": "image://poster.jpg/"})
    target = resolve(rpc, "movie", 1)
    read = KodiLibrary(rpc).read(MOVIE).items[0]
    assert target.item == read  # the gateway's reader: same ids, title, year and rating
    assert target.item.ids == {"tmdb": "102651", "imdb": "tt1587310"}
    assert target.item.userrating == Rating(6)
    assert target.poster == "image://poster.jpg/"
    assert not target.rates_show_of_part


@pytest.mark.parametrize("picked", ["tvshow", "season", "episode"])
def test_a_show_its_seasons_and_its_episodes_all_rate_the_show(kodi, rpc, picked):
    kodi.add_tvshow("Other", 2001, tvdb="1")
    show = kodi.add_tvshow("The Last Ship", 2014, tvdb="269533")
    kodi.tables["tvshows"][show]["art"] = {"thumb": "image://thumb.jpg/"}
    kodi.add_episode(show, 1, 1)
    episode = kodi.add_episode(show, 2, 1)
    dbid = {"tvshow": show, "season": kodi.season_id(show, 2), "episode": episode}[picked]
    target = resolve(rpc, picked, dbid)
    assert target.item.kind == TVSHOW
    assert (target.item.kodi_id, target.item.title) == (show, "The Last Ship")
    assert target.item.ids == {"tvdb": "269533"}
    assert target.poster == "image://thumb.jpg/"  # no poster: the thumb
    assert target.rates_show_of_part is (picked != "tvshow")
    assert (target.picked, target.picked_id) == (picked, dbid)


@pytest.mark.parametrize("picked", ["movie", "tvshow", "season", "episode"])
def test_an_item_kodi_does_not_have_is_a_target_error(kodi, rpc, picked):
    with pytest.raises(TargetError) as caught:
        resolve(rpc, picked, 99)
    assert (caught.value.dbtype, caught.value.dbid) == (picked, 99)


def test_kodi_failing_is_not_mistaken_for_a_missing_item(kodi):
    def failing(request):
        return {"id": request["id"], "jsonrpc": "2.0", "error": {"code": -32100, "message": "x"}}

    with pytest.raises(JsonRpcError):
        resolve(JsonRpc(failing), "movie", 1)


# -- what a playback tells -------------------------------------------------------------------
def test_the_playcount_kodi_holds(kodi, rpc):
    movie = kodi.add_movie("A", 2001, imdb="tt1")
    kodi.tables["movies"][movie]["playcount"] = 2
    assert playcount(rpc, "movie", movie) == 2
    assert playcount(rpc, "movie", 42) is None
    assert playcount(rpc, "song", movie) is None


@pytest.mark.parametrize(
    ("place", "episodes", "last"),
    [
        ((1, 2), [(1, 1), (1, 2), (2, 1)], (True, False)),
        ((1, 1), [(1, 1), (1, 2), (2, 1)], (False, False)),
        ((2, 1), [(1, 1), (1, 2), (2, 1)], (True, True)),
        ((2, 1), [(1, 1), (0, 5)], (True, True)),  # the special does not come after it
        ((0, 5), [(1, 1), (0, 5)], (False, False)),  # a special is never "the last"
        ((3, 4), [], (True, True)),  # the only one the library holds
    ],
)
def test_the_last_episode_of_a_season_and_of_the_show(place, episodes, last):
    assert last_of(place, episodes) == last


def test_an_episode_is_placed_among_its_own_show_only(kodi, rpc):
    show = kodi.add_tvshow("S", 2001, tvdb="1")
    other = kodi.add_tvshow("O", 2001, tvdb="2")
    first = kodi.add_episode(show, 1, 1)
    last = kodi.add_episode(show, 1, 2)
    kodi.add_episode(other, 1, 9)  # another show's later episode changes nothing
    place = episode_place(rpc, last)
    assert place is not None
    assert (place.tvshowid, place.last_in_season, place.last_in_show) == (show, True, True)
    first_place = episode_place(rpc, first)
    assert first_place is not None
    assert not first_place.last_in_season
    assert episode_place(rpc, 99) is None


# -- the prompt rules, one by one ------------------------------------------------------------
MOVIE_WATCHED = Played("movie", in_library=True, watched=True)
SEASON_END = Played("episode", True, True, last_in_season=True, last_in_show=False)
SHOW_END = Played("episode", True, True, last_in_season=True, last_in_show=True)
MID_SEASON = Played("episode", True, True, last_in_season=False, last_in_show=False)
DEFAULTS = PromptSettings()


@pytest.mark.parametrize(
    ("played", "moment", "settings", "reason"),
    [
        (Played("movie", False, True), Moment(), DEFAULTS, "not a library item"),
        (Played("", True, True), Moment(), DEFAULTS, "not a library item"),
        (MOVIE_WATCHED, Moment(party_mode=True), DEFAULTS, "party mode"),
        (Played("movie", True, False), Moment(), DEFAULTS, "not watched to the end"),
        (
            MOVIE_WATCHED,
            Moment(),
            PromptSettings(rate_movies=False),
            "movies are not asked for",
        ),
        (
            SHOW_END,
            Moment(),
            PromptSettings(rate_shows=RateShows.NEVER),
            "shows are not asked for",
        ),
        (MID_SEASON, Moment(), DEFAULTS, "not the last episode of its season in the library"),
        (
            SEASON_END,
            Moment(),
            PromptSettings(rate_shows=RateShows.SHOW_END),
            "not the last episode of the show in the library",
        ),
        (
            MOVIE_WATCHED,
            Moment(signed_in=False, kodi_rating=7),
            PromptSettings(rerate=True),
            "not signed in and already rated in Kodi",
        ),
        (MOVIE_WATCHED, Moment(kodi_rating=7), DEFAULTS, "already rated"),
        (MOVIE_WATCHED, Moment(simkl_rating=7), DEFAULTS, "already rated"),
    ],
)
def test_each_rule_that_says_no(played, moment, settings, reason):
    assert decide(played, moment, settings) == Decision(Verdict.NO, reason)


def test_every_rule_is_tested_above():
    """A rule added without a test of its own fails here."""
    tested = {
        "not a library item", "party mode", "not watched to the end", "movies are not asked for",
        "shows are not asked for", "not the last episode of its season in the library",
        "not the last episode of the show in the library",
        "not signed in and already rated in Kodi", "already rated",
    }  # fmt: skip
    assert {reason for reason, _rule in RULES} == tested


@pytest.mark.parametrize(
    ("played", "moment", "settings"),
    [
        (MOVIE_WATCHED, Moment(), DEFAULTS),
        (SEASON_END, Moment(), DEFAULTS),
        (SHOW_END, Moment(), PromptSettings(rate_shows=RateShows.SHOW_END)),
        (MOVIE_WATCHED, Moment(signed_in=False), DEFAULTS),  # Kodi gets it; sign-in offered
        (MOVIE_WATCHED, Moment(kodi_rating=7, simkl_rating=6), PromptSettings(rerate=True)),
        (MOVIE_WATCHED, Moment(signed_in=False, simkl_rating=6), PromptSettings(rerate=True)),
    ],
)
def test_what_asks(played, moment, settings):
    assert decide(played, moment, settings).verdict is Verdict.ASK


def test_a_qualifying_item_with_more_queued_waits_for_the_playlist():
    decision = decide(MOVIE_WATCHED, Moment(more_queued=True), DEFAULTS)
    assert decision.verdict is Verdict.WAIT
    no = decide(Played("movie", True, False), Moment(more_queued=True), DEFAULTS)
    assert no.verdict is Verdict.NO  # a rule's no wins over waiting


def test_a_playlist_asks_once_at_its_end_for_the_last_item_that_qualified():
    memory: PlaylistMemory[str] = PlaylistMemory()
    wait = Decision(Verdict.WAIT, "")
    no = Decision(Verdict.NO, "")
    ask = Decision(Verdict.ASK, "")
    assert memory.after(wait, "first", more_queued=True) is None
    assert memory.after(wait, "second", more_queued=True) is None
    assert memory.after(no, "third", more_queued=True) is None  # still going
    assert memory.after(no, "last, stopped early", more_queued=False) == "second"
    assert memory.after(no, "next", more_queued=False) is None  # asked once
    memory.after(wait, "first", more_queued=True)
    assert memory.after(ask, "last", more_queued=False) == "last"  # the last qualifies itself
    assert memory.waiting is None
