"""Real playback in the test Kodi, and the add-on's rating window as a user meets it.

``PlaybackLibrary`` adds a small library of real clips to a running Kodi: ffmpeg's ``testsrc``
pattern as a 10 s H.264 clip, behind two plain movies, a ``.strm`` movie pointing at the clip's
path, a ``.strm`` movie streaming it over HTTP from 127.0.0.1, and a show of three episodes over
two seasons, each with NFO ids. Kodi under Xvfb plays them through ALSA's null sink and marks
them watched at its 90 % rule, so the add-on's Player callbacks fire as in a living room.

The rest drives Kodi as a remote would (``Input.*``) and reads back what is on screen
(``Window.IsVisible``, ``Control.GetLabel``, ``System.CurrentControl``) over JSON-RPC.
"""

from __future__ import annotations

import functools
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import library_gen
from .host import wait_for
from .kodi_harness import KodiInstance, Notification
from .library_gen import EpisodeSpec, LibrarySpec, Media, MovieSpec, ShowSpec

CLIP_SECONDS = 10
RATE_WINDOW = "script-simkl-ratings-rate.xml"
RATE_VISIBLE = f"Window.IsVisible({RATE_WINDOW})"
CONTEXT_MENU = "Window.IsActive(contextmenu)"
# The rating window's controls (kodi/rate_dialog.py).
TITLE, NOTE, KODI_RATING = 101, 102, 103


def playback_spec(clip: Path, stream_url: str) -> LibrarySpec:
    """The clips as library items; ids unlike any of the standard library or the account."""

    def movie(title: str, number: int, strm: str | None = None) -> MovieSpec:
        ids = {"imdb": f"tt98000{number:02d}", "tmdb": str(980000 + number)}
        return MovieSpec(title, 2000 + number, ids, "imdb", strm=strm)

    episodes = tuple(
        EpisodeSpec(season, number, f"Clip {season}x{number:02d}", f"2011-0{n}-01",
                    {"tvdb": str(7980000 + n)}, "tvdb")
        for n, (season, number) in enumerate([(1, 1), (1, 2), (2, 1)], start=1)
    )  # fmt: skip
    show = ShowSpec("E2E Clip Show", 2011, {"tvdb": "798001", "tmdb": "698001"}, "tvdb", episodes)
    return LibrarySpec(
        movies=[
            movie("E2E Clip Movie", 1),
            movie("E2E Clip Second", 2),
            movie("E2E Clip Strm", 3, strm=str(clip)),
            movie("E2E Clip Stream", 4, strm=stream_url),
        ],
        shows=[show],
    )


CLIP_SIMKL_IDS = {1: 9801, 2: 9802, 3: 9803, 4: 9804}  # the clip movies on Simkl
CLIP_SHOW_SIMKL = 9901


def clip_catalog(spec: LibrarySpec) -> dict[str, list[dict[str, Any]]]:
    """The clips as Simkl knows them: titles in its catalog, in none of the user's lists (a
    rating files them, as on simkl.com)."""
    movies = [
        {"simkl": CLIP_SIMKL_IDS[n], "title": m.title, "year": m.year, "ids": dict(m.uniqueids)}
        for n, m in enumerate(spec.movies, start=1)
    ]
    show = spec.shows[0]
    shows = [{"simkl": CLIP_SHOW_SIMKL, "title": show.title, "year": show.year,
              "ids": dict(show.uniqueids)}]  # fmt: skip
    return {"movies": movies, "shows": shows}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving ``folder``; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="clip-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class PlaybackLibrary:
    """The clips in Kodi's library: ids by title, and the show's episodes by (season, number)."""

    spec: LibrarySpec
    movies: dict[str, int] = field(default_factory=dict)
    show: int = 0
    episodes: dict[tuple[int, int], int] = field(default_factory=dict)
    seasons: dict[int, int] = field(default_factory=dict)

    @classmethod
    def build(cls, kodi: KodiInstance, root: Path, stream_url: str) -> PlaybackLibrary:
        """Write the clip tree under ``root`` (a folder Kodi sees: the HOME's tmpfs), register
        its sources and scan them; the clip itself is ``root/clip.mkv``."""
        clip = library_gen.make_clip(root / "clip.mkv", CLIP_SECONDS)
        poster = library_gen.make_poster(root / "poster.jpg")
        library = cls(playback_spec(clip, f"{stream_url}/clip.mkv"))
        sources = library_gen.write_media_tree(library.spec, root / "library", Media(clip, poster))
        kodi.video_store.register_sources(sources)
        for directory in sources:
            kodi.scan(directory)
        library.read_ids(kodi)
        return library

    def read_ids(self, kodi: KodiInstance) -> None:
        titles = {m.title for m in self.spec.movies}
        self.movies = {m["title"]: m["movieid"] for m in kodi.get_movies() if m["title"] in titles}
        show_title = self.spec.shows[0].title
        self.show = next(s["tvshowid"] for s in kodi.get_tvshows() if s["title"] == show_title)
        for episode in kodi.get_episodes():
            if episode["tvshowid"] == self.show:
                self.episodes[(episode["season"], episode["episode"])] = episode["episodeid"]
        seasons = kodi.call(
            "VideoLibrary.GetSeasons", {"tvshowid": self.show, "properties": ["season"]}
        )
        self.seasons = {s["season"]: s["seasonid"] for s in seasons["seasons"]}
        if len(self.movies) != len(titles) or len(self.episodes) != 3:
            raise AssertionError(f"the clips were not all scanned: {self.movies} {self.episodes}")

    def reset(self, kodi: KodiInstance) -> None:
        """No rating on any clip item (playcounts may go on rising: a rule compares)."""
        calls = [("VideoLibrary.SetMovieDetails", {"movieid": i, "userrating": 0})
                 for i in self.movies.values()]  # fmt: skip
        calls.append(("VideoLibrary.SetTVShowDetails", {"tvshowid": self.show, "userrating": 0}))
        for item in kodi.batch(calls):
            if item.error:
                raise item.error


# -- playing ---------------------------------------------------------------------------------
OPEN_ATTEMPTS = 2  # Kodi 20.1's player once hung at start (see play)


def play(kodi: KodiInstance, item: dict[str, Any], seek_percent: float | None = None) -> None:
    """Player.Open once no player is active, wait until audio and video run; with
    ``seek_percent`` jump there (the clip has a keyframe a second), so the rest plays to the end
    in a few seconds.

    In one full-suite run Kodi 20.1's VideoPlayer hung before its first frame (its message
    queue "MSGQ_NOT_INITIALIZED", a spinner forever) a second after the previous file had
    closed; such a start is stopped and opened once more, with a warning. A second hang fails.
    """
    assert kodi.rpc is not None
    for attempt in range(1, OPEN_ATTEMPTS + 1):
        wait_for(lambda: not kodi.call("Player.GetActivePlayers"), 20, 0.1, "a player stays")
        kodi.rpc.clear_notifications()
        kodi.call("Player.Open", {"item": item})
        try:
            kodi.wait_for_notification("Player.OnAVStart", timeout=20)
            break
        except TimeoutError:
            if attempt == OPEN_ATTEMPTS:
                raise
            warnings.warn(f"Kodi's player did not start {item}; opened again", stacklevel=2)
            for player in kodi.call("Player.GetActivePlayers"):
                kodi.call("Player.Stop", {"playerid": player["playerid"]})
    if seek_percent is not None:
        seek(kodi, seek_percent)


def seek(kodi: KodiInstance, percent: float) -> None:
    kodi.call("Player.Seek", {"playerid": video_player(kodi), "value": {"percentage": percent}})


def video_player(kodi: KodiInstance) -> int:
    players = kodi.call("Player.GetActivePlayers")
    return next(p["playerid"] for p in players if p["type"] == "video")


def wait_started(kodi: KodiInstance, kind: str, dbid: int, timeout: float = 40) -> None:
    """The next item of a playlist started playing (its audio and video)."""

    def is_it(note: Notification) -> bool:
        item = note.params.get("data", {}).get("item", {})
        return item.get("type") == kind and item.get("id") == dbid

    kodi.wait_for_notification("Player.OnAVStart", timeout, is_it)


def wait_ended(kodi: KodiInstance, timeout: float = CLIP_SECONDS + 30) -> Notification:
    """Playback ran to the end (Player.OnStop with end=true); when it was told."""
    return kodi.wait_for_notification(
        "Player.OnStop", timeout, lambda note: bool(note.params.get("data", {}).get("end"))
    )


def stop(kodi: KodiInstance) -> None:
    kodi.call("Player.Stop", {"playerid": video_player(kodi)})
    kodi.wait_for_notification("Player.OnStop", timeout=20)


# -- the rating window and what is on screen -------------------------------------------------
def rate_window_visible(kodi: KodiInstance) -> bool:
    return bool(kodi.info_booleans([RATE_VISIBLE])[RATE_VISIBLE])


def wait_rate_window(kodi: KodiInstance, timeout: float = 20) -> None:
    """The rating window is up and has its labels (it is visible a moment before)."""

    def ready() -> bool:
        return rate_window_visible(kodi) and control_label(kodi, TITLE) != ""

    wait_for(ready, timeout, 0.05, "the rating window did not open")


def wait_rate_window_closed(kodi: KodiInstance, timeout: float = 10) -> None:
    wait_for(lambda: not rate_window_visible(kodi), timeout, 0.05, "the rating window stayed")


def control_label(kodi: KodiInstance, control_id: int) -> str:
    """A label of the window on top (the rating window while it is open)."""
    label = f"Control.GetLabel({control_id})"
    return kodi.info_labels([label])[label]


def focused_label(kodi: KodiInstance) -> str:
    return kodi.info_labels(["System.CurrentControl"])["System.CurrentControl"]


def move_focus_to(kodi: KodiInstance, label: str, key: str, steps: int = 12) -> None:
    """Press ``key`` (Input.Left, Input.Right, …) until the focused control reads ``label``."""
    for _ in range(steps):
        if focused_label(kodi) == label:
            return
        kodi.call(key)
        time.sleep(0.15)
    if focused_label(kodi) != label:
        raise AssertionError(f"{label!r} never got the focus (now {focused_label(kodi)!r})")


def log_line(kodi: KodiInstance, text: str, since: int, timeout: float = 20) -> str:
    """Wait until kodi.log (after ``since``, a log_mark) holds ``text``; return the log part."""

    def logged() -> str:
        part = kodi.log_since(since)
        return part if text in part else ""

    return wait_for(logged, timeout, 0.1, f"kodi.log never said {text!r}")


# -- the video library window and its context menu -------------------------------------------
def focus_library_item(kodi: KodiInstance, path: str, dbtype: str, dbid: int) -> None:
    """Open the video library at ``path`` and move down to the item (``ListItem.DBTYPE`` and
    ``ListItem.DBID`` tell when it is focused)."""
    kodi.call("GUI.ActivateWindow", {"window": "videos", "parameters": [path]})
    wanted = {"ListItem.DBTYPE": dbtype, "ListItem.DBID": str(dbid)}

    def on_it() -> bool:
        shown = kodi.info_labels(list(wanted))
        if shown == wanted:
            return True
        kodi.call("Input.Down")
        return False

    wait_for(on_it, 20, 0.2, f"{dbtype} {dbid} not found in {path}")


def context_menu_labels(kodi: KodiInstance) -> list[str]:
    """Open the context menu of the focused item and read every entry, top to bottom (the
    focus wraps around at the end); the menu stays open, focused on its first entry."""
    kodi.call("Input.ContextMenu")
    wait_for(lambda: kodi.info_booleans([CONTEXT_MENU])[CONTEXT_MENU], 10, 0.05, "no menu")
    time.sleep(0.3)
    labels: list[str] = []
    for _ in range(30):
        label = focused_label(kodi)
        if label in labels:
            break
        labels.append(label)
        kodi.call("Input.Down")
        time.sleep(0.1)
    move_focus_to(kodi, labels[0], "Input.Down", steps=len(labels) + 1)
    return labels
