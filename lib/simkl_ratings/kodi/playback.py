"""After playback: the service's Player asks for a rating when a watched library item ends.

When a video starts, its library type, id and playcount are noted (Kodi's info tag knows them
for `.strm` files and streams too, where the playing path is not the library's). When it stops,
the facts go to `core.rate.prompt`: the playcount went up (Kodi writes it before these
callbacks run), the episode is the last of its season or show, nothing more is queued, no
party mode, the ratings known. The rating window then opens through `RunScript` in an
interpreter of its own: the service loop never waits for the user, and the window never opens
from a callback that holds the service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from kodi_six import xbmc

from .. import ADDON_ID
from ..core.library.jsonrpc import JsonRpc
from ..core.rate.played import episode_place, playcount
from ..core.rate.prompt import (
    EPISODE,
    MOVIE,
    Moment,
    Played,
    PlaylistMemory,
    PromptSettings,
    RateShows,
    decide,
)
from ..core.rate.target import RateTarget, resolve
from . import rating
from .context import AddonContext

LOG = logging.getLogger(__name__)

PARTY_MODE = "MusicPartyMode.Enabled"  # true in music and in video party mode


@dataclass(frozen=True)
class Started:
    """A video that started: its library type and id (0 when not a library item) and the
    playcount Kodi held then."""

    kind: str
    dbid: int
    playcount: int | None


def run_script_for(target: RateTarget) -> str:
    """The builtin that opens the rating window for the item that played (for an episode,
    the window says that the show is rated)."""
    return f"RunScript({ADDON_ID},rate,dbtype={target.picked},dbid={target.picked_id})"


class PlaybackWatcher(xbmc.Player):
    """The service's Player (it still answers isPlayingVideo for the service)."""

    def __init__(self, context: Callable[[], AddonContext]) -> None:
        super().__init__()
        self._context = context
        self.started: Started | None = None
        self.memory: PlaylistMemory[RateTarget] = PlaylistMemory()

    # -- Kodi's callbacks: never raise into Kodi -------------------------------------------
    def onAVStarted(self) -> None:
        self._guarded(self._note_start)

    def onPlayBackEnded(self) -> None:
        self._guarded(lambda: self._stopped(ended=True))

    def onPlayBackStopped(self) -> None:
        self._guarded(lambda: self._stopped(ended=False))

    def onPlayBackError(self) -> None:
        self.started = None

    @staticmethod
    def _guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # a Player callback must never end in a traceback
            LOG.error("after playback: %s: %s", type(exc).__name__, exc)

    # -- the work --------------------------------------------------------------------------
    def _rpc(self) -> JsonRpc:
        return self._context().workspace().rpc()

    def _note_start(self) -> None:
        self.started = None
        if not self.isPlayingVideo():
            return
        tag = self.getVideoInfoTag()
        kind, dbid = tag.getMediaType(), tag.getDbId()
        if kind not in (MOVIE, EPISODE) or dbid <= 0:
            self.started = Started(kind, 0, None)
            return
        self.started = Started(kind, dbid, playcount(self._rpc(), kind, dbid))

    def _more_queued(self) -> bool:
        """Another item of the video playlist follows (or already plays: these callbacks run
        after Kodi moved on)."""
        playlist = xbmc.PlayList(xbmc.PLAYLIST_VIDEO)
        position = playlist.getposition()
        return position >= 0 and (self.isPlayingVideo() or position < playlist.size() - 1)

    def _facts(self, ctx: AddonContext, started: Started) -> tuple[Played, RateTarget | None]:
        """What played, and the item its rating would land on (None when it does not count)."""
        if started.dbid <= 0 or started.playcount is None:
            return Played(started.kind, in_library=False, watched=False), None
        rpc = ctx.workspace().rpc()
        now = playcount(rpc, started.kind, started.dbid)
        watched = now is not None and now > started.playcount
        if started.kind == MOVIE:
            target = resolve(rpc, MOVIE, started.dbid) if watched else None
            return Played(MOVIE, True, watched), target
        place = episode_place(rpc, started.dbid) if watched else None
        if place is None:
            return Played(EPISODE, in_library=now is not None, watched=False), None
        target = resolve(rpc, EPISODE, started.dbid)
        return Played(EPISODE, True, True, place.last_in_season, place.last_in_show), target

    def _stopped(self, ended: bool) -> None:
        started, self.started = self.started, None
        if started is None:
            return  # it started before the service did: never a window at Kodi's start
        ctx = self._context()
        more_queued = ended and self._more_queued()
        played, target = self._facts(ctx, started)
        moment = Moment(
            more_queued=more_queued,
            party_mode=bool(xbmc.getCondVisibility(PARTY_MODE)),
            signed_in=rating.signed_in(ctx),
            kodi_rating=target.item.userrating.value if target and target.item.userrating else None,
            simkl_rating=rating.known_simkl_rating(ctx, target.item) if target else None,
        )
        settings = ctx.settings
        decision = decide(
            played,
            moment,
            PromptSettings(settings.rate_movies, RateShows(settings.rate_shows), settings.rerate),
        )
        LOG.info(
            "%s %d stopped; rating window: %s (%s)",
            started.kind or "a video",
            started.dbid,
            decision.verdict.value,
            decision.reason,
        )
        chosen = self.memory.after(decision, target, more_queued)
        if chosen is not None:
            xbmc.executebuiltin(run_script_for(chosen))
