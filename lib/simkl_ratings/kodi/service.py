"""The background service: sync after the startup delay, then every interval; leave at once
when Kodi quits. It never opens a modal dialog."""

from __future__ import annotations

import logging
import time

from kodi_six import xbmc

from .. import ADDON_ID
from ..core.errors import SignedOut
from . import strings as S
from .context import AddonContext
from .runner import run
from .ui import notify

LOG = logging.getLogger(__name__)

IDLE_CHECK = 60.0


class SyncService(xbmc.Monitor):
    def __init__(self) -> None:
        super().__init__()
        self.ctx: AddonContext | None = None
        self.hinted = False
        self.settings_changed = False

    def onSettingsChanged(self) -> None:
        self.settings_changed = True

    def _context(self) -> AddonContext:
        if self.ctx is None or self.settings_changed:
            self.settings_changed = False
            self.ctx = AddonContext()
        return self.ctx

    def sync(self) -> None:
        ctx = self._context()
        report = run(ctx, self, interactive=False)
        if report is not None and report.error_code == SignedOut.code and not self.hinted:
            self.hinted = True
            if ctx.settings.notify:
                notify(ctx, ctx.localize(S.SERVICE_SIGN_IN_HINT))

    def run(self) -> None:
        ctx = self._context()
        LOG.info("service started (startup delay %d s)", ctx.settings.startup_delay)
        if self.waitForAbort(ctx.settings.startup_delay):
            return
        if self._context().settings.sync_on_start:
            self.sync()
        last = time.monotonic()
        while not self.abortRequested():
            hours = self._context().settings.sync_interval
            due = last + hours * 3600 if hours > 0 else None
            now = time.monotonic()
            if due is not None and now >= due:
                self.sync()
                last = time.monotonic()
                continue
            wait = IDLE_CHECK if due is None else min(IDLE_CHECK, due - now)
            if self.waitForAbort(wait):
                break
        LOG.info("service stopped")


def main() -> None:
    """Entry point of service.py. Never raises into Kodi."""
    try:
        SyncService().run()
    except Exception as exc:
        xbmc.log(f"[{ADDON_ID}] service stopped on {type(exc).__name__}", xbmc.LOGERROR)
