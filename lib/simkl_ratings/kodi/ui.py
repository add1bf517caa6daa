"""Progress dialogs and notifications, adapted to the engine's Progress interface."""

from __future__ import annotations

import time
from typing import Callable

from kodi_six import xbmc, xbmcgui

from ..core.sync.run import Progress, Stage
from . import strings as S
from .context import AddonContext
from .messages import KIND_STRINGS, TYPE_STRINGS


def notify(ctx: AddonContext, message: str, *, error: bool = False, millis: int = 6000) -> None:
    """One toast with the add-on's icon (errors keep the icon but sound like errors)."""
    xbmcgui.Dialog().notification(ctx.name, message, ctx.icon, millis, error)


def stage_text(ctx: AddonContext, stage: Stage, detail: str) -> str:
    if stage is Stage.CHECK:
        return ctx.localize(S.PROGRESS_SCAN if detail == "scan" else S.PROGRESS_CHECK)
    if stage is Stage.FETCH:
        return ctx.localize(S.PROGRESS_FETCH, type=ctx.localize(TYPE_STRINGS[detail]))
    if stage is Stage.READ:
        return ctx.localize(S.PROGRESS_READ, kind=ctx.localize(KIND_STRINGS[detail]))
    done, _, total = detail.partition("/")
    return ctx.localize(S.PROGRESS_WRITE, done=done, total=total)


class _Throttle:
    """Whether to redraw: a new stage and the end at once, within a stage at most once a
    second. Without a GPU Kodi draws every dialog update in software; redrawing after every
    write batch cost as much CPU as the writes themselves (make bench)."""

    INTERVAL = 1.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.stage: Stage | None = None
        self.last = 0.0

    def due(self, percent: int, stage: Stage) -> bool:
        now = self.clock()
        if stage is not self.stage or percent >= 100 or now - self.last >= self.INTERVAL:
            self.stage, self.last = stage, now
            return True
        return False


class DialogProgressSink(Progress):
    """A manual run: a progress dialog with Cancel. Kodi shutting down also cancels."""

    def __init__(self, ctx: AddonContext, monitor: xbmc.Monitor, heading: str) -> None:
        self.ctx = ctx
        self.monitor = monitor
        self.throttle = _Throttle()
        self.dialog = xbmcgui.DialogProgress()
        self.dialog.create(heading, ctx.localize(S.PROGRESS_START))

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        if self.throttle.due(percent, stage):
            self.dialog.update(percent, stage_text(self.ctx, stage, detail))

    def cancelled(self) -> bool:
        return self.dialog.iscanceled() or self.monitor.abortRequested()

    def close(self) -> None:
        self.dialog.close()


class BackgroundProgressSink(Progress):
    """A scheduled run: the small corner progress; only Kodi shutting down stops it.

    Between write batches it yields briefly so the UI stays responsive on slow devices.
    """

    def __init__(self, ctx: AddonContext, monitor: xbmc.Monitor) -> None:
        self.ctx = ctx
        self.monitor = monitor
        self.throttle = _Throttle()
        self.dialog = xbmcgui.DialogProgressBG()
        self.dialog.create(ctx.name, ctx.localize(S.PROGRESS_START))

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        if self.throttle.due(percent, stage):
            self.dialog.update(percent, self.ctx.name, stage_text(self.ctx, stage, detail))

    def cancelled(self) -> bool:
        return self.monitor.waitForAbort(0.01)

    def close(self) -> None:
        self.dialog.close()
