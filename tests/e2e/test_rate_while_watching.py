"""Rate it where you watch it, in real Kodi: real clips played to the end ask for a rating, the
rating window answers a remote (a number key, arrows and OK), the context menu has "Rate on
Simkl…" on movies, shows, seasons and episodes, and the `rate` action works for keymaps and
skins, with words for bad arguments.

The clips live in a library of their own, added to the session's Kodi for this module
(playback.py) and removed again afterwards; Simkl (the sandbox) knows them as catalog titles in
none of the user's lists. Every rating reaches the sandbox at once, sent with every id Kodi
holds; Simkl down, it goes out with the next sync; a read-only sign-in is asked once to sign in
again with write access.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import AddonDriver
from .conftest import ADDON_ID, KodiSession
from .fixture_support import require
from .host import wait_for
from .kodi_harness import KodiInstance
from .library_gen import FFMPEG
from .playback import (
    CLIP_SHOW_SIMKL,
    CLIP_SIMKL_IDS,
    KODI_RATING,
    NOTE,
    TITLE,
    PlaybackLibrary,
    clip_catalog,
    context_menu_labels,
    control_label,
    focus_library_item,
    focused_label,
    log_line,
    move_focus_to,
    play,
    rate_window_visible,
    seek,
    serving,
    stop,
    wait_ended,
    wait_rate_window,
    wait_rate_window_closed,
    wait_started,
)
from .simkl_account import Account

MOVIE, SECOND, STRM, STREAM = (
    "E2E Clip Movie",
    "E2E Clip Second",
    "E2E Clip Strm",
    "E2E Clip Stream",
)
NEAR_THE_END = 60  # percent: a seek there leaves 4 s of the clip to play
ASKED = "rating window: ask"
SERVICE_STARTED = f"[{ADDON_ID}] service started"
TOAST = "Window.IsVisible(notification)"


@pytest.fixture(scope="module")
def clips(kodi_session: KodiSession) -> Iterator[PlaybackLibrary]:
    """The clip library in the session's Kodi for this module; the session's own library is
    restored from its snapshot afterwards, as other modules expect it."""
    require([] if shutil.which(FFMPEG) else ["ffmpeg"], "real clips need Debian's ffmpeg")
    kodi = kodi_session.kodi
    if not kodi.running:
        kodi.start()
    root = kodi.workdir / "playback"
    root.mkdir(exist_ok=True)
    with serving(root) as url:
        yield PlaybackLibrary.build(kodi, root, url)
    kodi_session.restores.append(kodi.restore_db())


@pytest.fixture
def rater(
    kodi: KodiInstance,
    clips: PlaybackLibrary,
    signed_in: AddonDriver,
    sandbox: SimklSandbox,
    account: Account,
) -> KodiInstance:
    """Signed in, the clips unrated (in Kodi and on Simkl), Kodi on its home screen, the
    add-on's service running (a playback that began before it is never asked about; Kodi 21.3
    starts it seconds late)."""
    sandbox.reset_account({**account.fixture, "catalog": clip_catalog(clips.spec)})
    sandbox.clear_requests()
    wait_for(lambda: SERVICE_STARTED in kodi.read_log(), 30, 0.2, "the service did not start")
    clips.reset(kodi)
    kodi.call("GUI.ActivateWindow", {"window": "home"})
    wait_for(lambda: not rate_window_visible(kodi), 10, 0.1, "a rating window is still open")
    # an earlier test's toast ends before a clip plays (a long one scrolls for 20 s and more),
    # or it would still sit over the rating window (and its screenshot) when the clip ends
    wait_for(lambda: not kodi.info_booleans([TOAST])[TOAST], 20, 0.2, "an earlier test's toast")
    return kodi


def rating_of(kodi: KodiInstance, kind: str, dbid: int) -> int:
    method, key = {
        "movie": ("VideoLibrary.GetMovieDetails", "moviedetails"),
        "tvshow": ("VideoLibrary.GetTVShowDetails", "tvshowdetails"),
        "episode": ("VideoLibrary.GetEpisodeDetails", "episodedetails"),
    }[kind]
    reply = kodi.call(method, {f"{kind}id": dbid, "properties": ["userrating"]})
    return int(reply[key]["userrating"])


def wait_rating(kodi: KodiInstance, kind: str, dbid: int, value: int) -> None:
    """Kodi holds ``value`` (written once the window closed)."""
    wait_for(lambda: rating_of(kodi, kind, dbid) == value, 10, 0.1, f"{kind} {dbid} != {value}")


def on_simkl(sandbox: SimklSandbox, type_: str, simkl_id: int) -> int | None:
    return sandbox.model.items[type_][simkl_id].user_rating


def wait_on_simkl(sandbox: SimklSandbox, type_: str, simkl_id: int, value: int | None) -> None:
    """The sandbox holds ``value`` (None: no rating) for that title."""
    wait_for(
        lambda: on_simkl(sandbox, type_, simkl_id) == value,
        10,
        0.1,
        f"Simkl's {type_} {simkl_id} is not {value}",
    )


# -- after playback --------------------------------------------------------------------------
def test_a_movie_played_to_the_end_asks_and_a_number_key_rates_it(
    rater: KodiInstance, clips: PlaybackLibrary, sandbox: SimklSandbox, test_output: Path
) -> None:
    movie = clips.movies[MOVIE]
    play(rater, {"movieid": movie})  # the whole clip, no seek
    wait_ended(rater)
    wait_rate_window(rater)
    # the add-on's screenshot (make screenshots): no toast of an earlier test over it
    wait_for(lambda: not rater.info_booleans([TOAST])[TOAST], 10, 0.2, "an earlier toast")
    shot = rater.screenshot(test_output / "rating-dialog.png", settle_timeout=3)
    assert shot.distinct_colours > 8
    assert control_label(rater, TITLE) == "E2E Clip Movie (2001)"
    assert control_label(rater, KODI_RATING) == "Not rated in Kodi"
    assert focused_label(rater) == "Skip"  # no rating yet: an OK by mistake rates nothing
    rater.call("Input.ExecuteAction", {"action": "number8"})
    wait_rate_window_closed(rater)
    wait_rating(rater, "movie", movie, 8)
    wait_on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[1], 8)
    (body,) = [r.body for r in sandbox.requests if r.method == "POST"]
    (entry,) = body["movies"]
    assert entry["ids"] == {"imdb": "tt9800001", "tmdb": "980001"}
    assert entry["rating"] == 8 and entry["rated_at"].endswith("Z")


def test_a_strm_movie_asks_too_and_arrows_and_ok_rate_it(
    rater: KodiInstance, clips: PlaybackLibrary, test_output: Path
) -> None:
    movie = clips.movies[STRM]  # a .strm file: the playing path is not the library's
    play(rater, {"movieid": movie}, seek_percent=NEAR_THE_END)
    wait_ended(rater)
    wait_rate_window(rater)
    assert control_label(rater, TITLE) == "E2E Clip Strm (2003)"
    rater.call("Input.Up")  # from Skip to the row of ratings, which starts on 5
    wait_for(lambda: focused_label(rater) == "5", 5, 0.1, "Up did not reach 5")
    move_focus_to(rater, "7", "Input.Right")
    rater.screenshot(test_output / "rating-dialog-focus-7.png", settle_timeout=2)
    rater.call("Input.Select")
    wait_rate_window_closed(rater)
    wait_rating(rater, "movie", movie, 7)


def test_a_stream_behind_a_strm_file_asks_too(rater: KodiInstance, clips: PlaybackLibrary) -> None:
    movie = clips.movies[STREAM]  # http://127.0.0.1:…/clip.mkv
    play(rater, {"movieid": movie})
    wait_ended(rater)
    wait_rate_window(rater)
    rater.call("Input.ExecuteAction", {"action": "number0"})  # 0 is 10
    wait_rate_window_closed(rater)
    wait_rating(rater, "movie", movie, 10)


def test_a_movie_stopped_early_asks_nothing(rater: KodiInstance, clips: PlaybackLibrary) -> None:
    mark = rater.log_mark()
    play(rater, {"movieid": clips.movies[MOVIE]})
    time.sleep(2)  # two seconds of the ten
    stop(rater)
    log_line(rater, "stopped; rating window: no (not watched to the end)", mark)
    assert not rate_window_visible(rater)


def test_a_playlist_of_two_asks_once_after_the_second(
    rater: KodiInstance, clips: PlaybackLibrary
) -> None:
    first, second = clips.movies[MOVIE], clips.movies[SECOND]
    mark = rater.log_mark()
    rater.call("Playlist.Clear", {"playlistid": 1})
    items = [{"movieid": first}, {"movieid": second}]
    rater.call("Playlist.Add", {"playlistid": 1, "item": items})
    play(rater, {"playlistid": 1, "position": 0}, seek_percent=NEAR_THE_END)
    wait_started(rater, "movie", second)
    log_line(rater, "rating window: wait (more items are queued)", mark)
    assert not rate_window_visible(rater)
    seek(rater, NEAR_THE_END)
    wait_ended(rater)
    wait_rate_window(rater)
    assert control_label(rater, TITLE) == "E2E Clip Second (2002)"
    rater.call("Input.Back")  # Skip
    wait_rate_window_closed(rater)
    assert rater.log_since(mark).count(ASKED) == 1
    assert (rating_of(rater, "movie", first), rating_of(rater, "movie", second)) == (0, 0)


def test_the_last_episode_of_a_season_rates_the_show(
    rater: KodiInstance, clips: PlaybackLibrary, test_output: Path
) -> None:
    episode = clips.episodes[(1, 2)]
    play(rater, {"episodeid": episode}, seek_percent=NEAR_THE_END)
    wait_ended(rater)
    wait_rate_window(rater)
    rater.screenshot(test_output / "rating-dialog-show.png", settle_timeout=3)
    assert control_label(rater, TITLE) == "E2E Clip Show (2011)"
    assert control_label(rater, NOTE) == (
        "Simkl rates a show as a whole: this rates the show E2E Clip Show."
    )
    rater.call("Input.ExecuteAction", {"action": "number7"})
    wait_rate_window_closed(rater)
    wait_rating(rater, "tvshow", clips.show, 7)
    assert rating_of(rater, "episode", episode) == 0


def test_with_rerate_off_a_rated_movie_asks_nothing(
    rater: KodiInstance, clips: PlaybackLibrary
) -> None:
    movie = clips.movies[SECOND]
    rater.call("VideoLibrary.SetMovieDetails", {"movieid": movie, "userrating": 6})
    mark = rater.log_mark()
    play(rater, {"movieid": movie}, seek_percent=NEAR_THE_END)
    wait_ended(rater)
    log_line(rater, "stopped; rating window: no (already rated)", mark)
    assert not rate_window_visible(rater)
    assert rating_of(rater, "movie", movie) == 6


# -- the context menu ------------------------------------------------------------------------
CONTEXT_CASES = {
    "movie": ("videodb://movies/titles/", "Rate on Simkl… (8)", "E2E Clip Movie (2001)"),
    "tvshow": ("videodb://tvshows/titles/", "Rate on Simkl…", "E2E Clip Show (2011)"),
    "season": (
        "videodb://tvshows/titles/{show}/",
        "Rate the show on Simkl…",
        "E2E Clip Show (2011)",
    ),
    "episode": (
        "videodb://tvshows/titles/{show}/1/",
        "Rate the show on Simkl…",
        "E2E Clip Show (2011)",
    ),
}


@pytest.mark.parametrize("dbtype", list(CONTEXT_CASES))
def test_the_context_menu_offers_rate_on_simkl_and_opens_the_window(
    rater: KodiInstance, clips: PlaybackLibrary, test_output: Path, dbtype: str
) -> None:
    path, entry, title = CONTEXT_CASES[dbtype]
    dbid = {
        "movie": clips.movies[MOVIE],
        "tvshow": clips.show,
        "season": clips.seasons[1],
        "episode": clips.episodes[(1, 1)],
    }[dbtype]
    if dbtype == "movie":  # a rated item shows its rating in the entry
        rater.call("VideoLibrary.SetMovieDetails", {"movieid": dbid, "userrating": 8})
    focus_library_item(rater, path.format(show=clips.show), dbtype, dbid)
    labels = context_menu_labels(rater)
    rater.screenshot(test_output / f"context-menu-{dbtype}.png", settle_timeout=2)
    assert entry in labels, labels
    assert sum("Simkl" in label for label in labels) == 1, labels
    move_focus_to(rater, entry, "Input.Down", steps=len(labels) + 1)
    rater.call("Input.Select")
    wait_rate_window(rater)
    assert control_label(rater, TITLE) == title
    rater.call("Input.Back")
    wait_rate_window_closed(rater)
    rater.call("GUI.ActivateWindow", {"window": "home"})


# -- the rate action for keymaps and skins ---------------------------------------------------
def test_the_rate_action_opens_the_window_or_rates_at_once(
    rater: KodiInstance, clips: PlaybackLibrary, sandbox: SimklSandbox
) -> None:
    movie = clips.movies[SECOND]
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}"])
    wait_rate_window(rater)
    rater.call("Input.ExecuteAction", {"action": "number3"})
    wait_rate_window_closed(rater)
    wait_rating(rater, "movie", movie, 3)
    wait_on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[2], 3)

    mark = rater.log_mark()
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}", "rating=8"])
    wait_rating(rater, "movie", movie, 8)
    log_line(rater, f"rated movie {movie}: 8", mark)
    assert "asking for a rating" not in rater.log_since(mark)  # no window for that
    wait_on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[2], 8)
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}", "rating=0"])
    wait_rating(rater, "movie", movie, 0)
    wait_on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[2], None)

    episode = clips.episodes[(2, 1)]
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=episode", f"dbid={episode}", "rating=5"])
    wait_rating(rater, "tvshow", clips.show, 5)
    assert rating_of(rater, "episode", episode) == 0
    wait_on_simkl(sandbox, "shows", CLIP_SHOW_SIMKL, 5)


def test_simkl_down_the_rating_waits_and_the_next_sync_sends_it(
    rater: KodiInstance, clips: PlaybackLibrary, sandbox: SimklSandbox, signed_in: AddonDriver
) -> None:
    movie = clips.movies[SECOND]
    sandbox.inject("/sync/ratings", "503", count=None, method="POST")
    mark = rater.log_mark()
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}", "rating=6"])
    wait_rating(rater, "movie", movie, 6)  # Kodi has it at once
    log_line(rater, f"rated movie {movie}: 6; Simkl: queued", mark)
    assert on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[2]) is None
    sandbox.clear_faults()
    signed_in.retry_now()  # its back-off is over
    report = signed_in.run("sync")
    assert report["types"]["movies"]["pushed"] == 1
    assert on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[2]) == 6
    assert rating_of(rater, "movie", movie) == 6  # not pulled over meanwhile


def test_a_read_only_sign_in_is_asked_once_to_sign_in_again(
    rater: KodiInstance, clips: PlaybackLibrary, sandbox: SimklSandbox, signed_in: AddonDriver
) -> None:
    signed_in.seed_v2(sandbox.issue_v2_tokens("media:read"), keep_state=True)
    movie = clips.movies[MOVIE]
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}", "rating=4"])
    wait_rating(rater, "movie", movie, 4)
    asked = "Window.IsVisible(yesnodialog)"
    wait_for(lambda: rater.info_booleans([asked])[asked], 10, 0.1, "the sign-in question")
    rater.dismiss_dialogs()  # No: not now
    assert on_simkl(sandbox, "movies", CLIP_SIMKL_IDS[1]) is None
    mark = rater.log_mark()
    rater.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}", "rating=5"])
    wait_rating(rater, "movie", movie, 5)
    log_line(rater, f"rated movie {movie}: 5; Simkl: read_only", mark)
    time.sleep(1.5)
    assert not rater.info_booleans([asked])[asked]  # asked once, not at every rating


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (
            ["rate", "dbtype=movie"],
            "The rate action needs dbid=…, for example "
            "RunScript(script.simkl.ratings,rate,dbtype=movie,dbid=12).",
        ),
        (
            ["rate", "dbtype=song", "dbid=1"],
            "The rate action cannot rate dbtype=song: use movie, tvshow, season or episode.",
        ),
        (
            ["rate", "dbtype=movie", "dbid="],
            "The rate action needs a library item: dbid= is not the id of one.",
        ),
        (
            ["rate", "dbtype=movie", "dbid=1", "rating=11"],
            "rating=11 is not a rating: use 1 to 10, or 0 to remove the rating.",
        ),
        (
            ["rate", "dbtype=movie", "dbid=999999"],
            "There is no movie with dbid 999999 in your Kodi library, so nothing was rated.",
        ),
        (
            ["rate", "focused", "rating=8"],  # from the home screen
            "No movie, show, season or episode of your library is focused, so there is nothing "
            "to rate.",
        ),
    ],
    ids=["missing", "dbtype", "dbid", "rating", "not-in-library", "nothing-focused"],
)
def test_bad_arguments_get_their_messages(
    rater: KodiInstance, clips: PlaybackLibrary, test_output: Path, words: list[str], message: str
) -> None:
    """The toast's words are the log line's (the unit tests check the toast itself)."""
    mark = rater.log_mark()
    rater.execute_addon(ADDON_ID, words)
    log_line(rater, message, mark)
    wait_for(lambda: rater.info_booleans([TOAST])[TOAST], 10, 0.05, "no toast")
    rater.screenshot(test_output / "toast.png", settle_timeout=1)
    assert not rate_window_visible(rater)
    assert "Traceback" not in rater.log_since(mark)


# A keymap binding number keys in the video library (Kodi does not resolve info labels in a
# keymap's RunScript, so "focused" names the item; README, "Rate while you watch").
KEYMAP = """<keymap>
  <videos>
    <keyboard>
      <eight>RunScript(script.simkl.ratings,rate,focused,rating=8)</eight>
      <r>RunScript(script.simkl.ratings,rate,focused)</r>
    </keyboard>
  </videos>
</keymap>
"""


def test_a_keymap_rates_the_focused_item_with_a_number_key(
    rater: KodiInstance, clips: PlaybackLibrary
) -> None:
    keymaps = rater.userdata / "keymaps"
    keymaps.mkdir(exist_ok=True)
    (keymaps / "simkl-e2e.xml").write_text(KEYMAP, encoding="utf-8")
    try:
        rater.call("Input.ExecuteAction", {"action": "reloadkeymaps"})
        movie = clips.movies[MOVIE]
        focus_library_item(rater, "videodb://movies/titles/", "movie", movie)
        rater.call("Input.ButtonEvent", {"button": "eight", "keymap": "KB"})
        wait_rating(rater, "movie", movie, 8)
        episode = clips.episodes[(2, 1)]
        focus_library_item(rater, f"videodb://tvshows/titles/{clips.show}/2/", "episode", episode)
        rater.call("Input.ButtonEvent", {"button": "r", "keymap": "KB"})
        wait_rate_window(rater)
        assert control_label(rater, TITLE) == "E2E Clip Show (2011)"
        rater.call("Input.Back")
        wait_rate_window_closed(rater)
    finally:
        (keymaps / "simkl-e2e.xml").unlink()
        rater.call("Input.ExecuteAction", {"action": "reloadkeymaps"})
        rater.call("GUI.ActivateWindow", {"window": "home"})
