"""Fake `xbmc`: logging, JSON-RPC into a fake library, and a Monitor tests can abort."""

from __future__ import annotations

import json
import time

from tests.fakes import kodi_state

LOGDEBUG, LOGINFO, LOGWARNING, LOGERROR, LOGFATAL, LOGNONE = range(6)


def log(msg: str, level: int = LOGDEBUG) -> None:
    if not isinstance(msg, str):
        raise TypeError("xbmc.log takes a string")
    if level == LOGFATAL:
        raise RuntimeError(f"fatal log: {msg}")
    kodi_state.state.log.append((level, msg))


def executeJSONRPC(request: str) -> str:
    handler = kodi_state.state.jsonrpc
    parsed = json.loads(request)
    if handler is None:
        return json.dumps(
            {
                "id": None,
                "jsonrpc": "2.0",
                "error": {"code": -32601, "message": "Method not found."},
            }
        )
    return json.dumps(handler(parsed))


PLAYLIST_MUSIC, PLAYLIST_VIDEO = 0, 1


def getCondVisibility(condition: str) -> bool:
    return bool(kodi_state.state.conditions.get(condition, False))


def getInfoLabel(label: str) -> str:
    return kodi_state.state.info_labels.get(label, "")


def executebuiltin(function: str, wait: bool = False) -> None:
    kodi_state.state.builtins.append(function)


class InfoTagVideo:
    """What Kodi's info tag says of a library item (media type "" and dbid -1 for a file)."""

    def __init__(self, media_type: str = "", dbid: int = -1) -> None:
        self._media_type = media_type
        self._dbid = dbid

    def getMediaType(self) -> str:
        return self._media_type

    def getDbId(self) -> int:
        return self._dbid


class Player:
    """Plays a video while `state.playing_video` is true; `state.playing` is its library item.
    Kodi calls the callbacks; tests call them after changing the state as Kodi would."""

    def isPlayingVideo(self) -> bool:
        return kodi_state.state.playing_video

    def getVideoInfoTag(self) -> InfoTagVideo:
        playing = kodi_state.state.playing
        if not kodi_state.state.playing_video or playing is None:
            raise RuntimeError("Kodi is not playing any videofile")
        return InfoTagVideo(playing.get("kind", ""), playing.get("dbid", -1))

    def onAVStarted(self) -> None:
        pass

    def onPlayBackEnded(self) -> None:
        pass

    def onPlayBackStopped(self) -> None:
        pass

    def onPlayBackError(self) -> None:
        pass


class PlayList:
    def __init__(self, playlist: int) -> None:
        if playlist not in (PLAYLIST_MUSIC, PLAYLIST_VIDEO):
            raise ValueError("no such playlist")

    def getposition(self) -> int:
        return kodi_state.state.playlist_position

    def size(self) -> int:
        return kodi_state.state.playlist_size


def sleep(millis: int) -> None:
    time.sleep(min(millis, 10) / 1000)


TOAST_SECONDS = 5.0  # how long Kodi shows a toast by default


class Monitor:
    """Abort is scripted: `state.aborted`, or after `abort_after_waits` waits. Waits are
    recorded and take at most 10 ms of real time, so loops run fast but genuinely wait."""

    def __init__(self) -> None:
        pass

    def abortRequested(self) -> bool:
        return kodi_state.state.aborted

    def waitForAbort(self, timeout: float = -1) -> bool:
        if timeout == 0:  # as in Kodi 20.1: no timeout at all, a wait until Kodi quits
            raise AssertionError("waitForAbort(0) waits until Kodi quits")
        state = kodi_state.state
        state.waits.append(timeout)
        if timeout is not None and timeout >= TOAST_SECONDS:
            state.toast_on_screen = None  # a toast's time is up
        if state.on_wait is not None:
            state.on_wait(timeout)
        if state.abort_after_waits is not None and len(state.waits) >= state.abort_after_waits:
            state.aborted = True
        if not state.aborted and timeout and timeout > 0:
            time.sleep(min(timeout, 0.01))
        return state.aborted

    def onSettingsChanged(self) -> None:
        pass


def getRegion(setting_id: str) -> str:
    """Kodi's region formats (strftime style), as an en_GB Kodi answers."""
    return {"time": "%H:%M:%S", "dateshort": "%d/%m/%Y"}.get(setting_id, "")
