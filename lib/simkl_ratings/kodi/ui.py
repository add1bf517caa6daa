"""Progress dialogs and notifications, adapted to the engine's Progress interface."""

from __future__ import annotations

import time
from typing import Callable

from kodi_six import xbmc, xbmcgui

from ..core.redact import redact
from ..core.sync.run import Progress, Stage
from . import strings as S
from .context import AddonContext
from .messages import KIND_STRINGS, TYPE_STRINGS


class Dialog:
    """Kodi's dialogs with every text masked (core/redact.py): the only way the add-on opens
    one, so no dialog can show a secret, whatever error text reaches it."""

    def __init__(self) -> None:
        self._dialog = xbmcgui.Dialog()

    def ok(self, heading: str, message: str) -> bool:
        return self._dialog.ok(redact(heading), redact(message))

    def yesno(self, heading: str, message: str) -> bool:
        return self._dialog.yesno(redact(heading), redact(message))

    def select(self, heading: str, options: list[str]) -> int:
        return self._dialog.select(redact(heading), [redact(o) for o in options])

    def textviewer(self, heading: str, text: str) -> None:
        self._dialog.textviewer(redact(heading), redact(text))

    def notification(
        self, heading: str, message: str, icon: str, millis: int = 6000, sound: bool = True
    ) -> None:
        self._dialog.notification(redact(heading), redact(message), icon, millis, sound)


def notify(ctx: AddonContext, message: str, *, error: bool = False, millis: int = 6000) -> None:
    """One toast with the add-on's icon (errors keep the icon but sound like errors)."""
    Dialog().notification(ctx.name, message, ctx.icon, millis, error)


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
        self.dialog.create(redact(heading), redact(ctx.localize(S.PROGRESS_START)))

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        if self.throttle.due(percent, stage):
            self.dialog.update(percent, redact(stage_text(self.ctx, stage, detail)))

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
        self.dialog.create(redact(ctx.name), redact(ctx.localize(S.PROGRESS_START)))

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        if self.throttle.due(percent, stage):
            text = stage_text(self.ctx, stage, detail)
            self.dialog.update(percent, redact(self.ctx.name), redact(text))

    def cancelled(self) -> bool:
        return self.monitor.waitForAbort(0.01)

    def close(self) -> None:
        self.dialog.close()
