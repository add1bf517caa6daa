"""The background service: sync after the startup delay, then every interval; rate new items
from the cache after a library scan; wait while a video plays; leave at once when Kodi quits.
It never opens a modal dialog."""

from __future__ import annotations

import logging
import time

from kodi_six import xbmc

from .. import ADDON_ID
from ..core.errors import SignedOut
from ..core.sync.run import Mode
from . import strings as S
from .context import AddonContext
from .runner import run
from .ui import notify

LOG = logging.getLogger(__name__)

TICK = 5.0  # how often the loop looks at the clock, the scan flag and settings
PLAYBACK_CHECK = 10.0


class SyncService(xbmc.Monitor):
    def __init__(self) -> None:
        super().__init__()
        self.ctx: AddonContext | None = None
        self.hinted = False
        self.settings_changed = False
        self.scan_finished = False
        self.player = xbmc.Player()

    def onSettingsChanged(self) -> None:
        self.settings_changed = True

    def onScanFinished(self, library: str) -> None:
        if library == "video":
            self.scan_finished = True

    def _context(self) -> AddonContext:
        if self.ctx is None or self.settings_changed:
            self.settings_changed = False
            self.ctx = AddonContext()
        return self.ctx

    def _busy(self) -> bool:
        """Kodi is playing a video (and the user wants syncs to wait) or scanning."""
        if self._context().settings.wait_for_playback and self.player.isPlayingVideo():
            return True
        return bool(xbmc.getCondVisibility("Library.IsScanningVideo"))

    def _wait_until_idle(self) -> bool:
        """False when Kodi quits while waiting."""
        while self._busy():
            if self.waitForAbort(PLAYBACK_CHECK):
                return False
        return True

    def sync(self, mode: Mode = Mode.SYNC) -> None:
        if not self._wait_until_idle():
            return
        ctx = self._context()
        try:
            report = run(ctx, self, interactive=False, mode=mode)
        except Exception as exc:  # a bug in one run must not end the service
            LOG.error("the %s run stopped on %s: %s", mode.value, type(exc).__name__, exc)
            return
        if report is not None and report.error_code == SignedOut.code and not self.hinted:
            self.hinted = True
            if ctx.settings.notify and mode is Mode.SYNC:
                notify(ctx, ctx.localize(S.SERVICE_SIGN_IN_HINT))

    def run(self) -> None:
        ctx = self._context()
        LOG.info("service started (startup delay %d s)", ctx.settings.startup_delay)
        delay = ctx.settings.startup_delay
        # Kodi's waitForAbort(0) waits forever (Monitor.cpp): no delay means no wait.
        if self.waitForAbort(delay) if delay > 0 else self.abortRequested():
            return
        if self._context().settings.sync_on_start:
            self.sync()
        last = time.monotonic()
        while not self.abortRequested():
            settings = self._context().settings
            if self.scan_finished:
                self.scan_finished = False
                if settings.sync_after_scan:
                    self.sync(Mode.CACHED)
            hours = settings.sync_interval
            if hours > 0 and time.monotonic() >= last + hours * 3600:
                self.sync()
                last = time.monotonic()
                continue
            if self.waitForAbort(TICK):
                break
        LOG.info("service stopped")


def main() -> None:
    """Entry point of service.py. Never raises into Kodi."""
    try:
        SyncService().run()
    except Exception as exc:
        xbmc.log(f"[{ADDON_ID}] service stopped on {type(exc).__name__}", xbmc.LOGERROR)
