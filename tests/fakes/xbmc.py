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


def getCondVisibility(condition: str) -> bool:
    return bool(kodi_state.state.conditions.get(condition, False))


class Player:
    """Plays a video while `state.playing_video` is true."""

    def isPlayingVideo(self) -> bool:
        return kodi_state.state.playing_video


def sleep(millis: int) -> None:
    time.sleep(min(millis, 10) / 1000)


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
