"""The background service: sync after the startup delay, then every interval; rate new items
from the cache after a library scan; wait while a video plays; leave at once when Kodi quits.
It never opens a modal dialog."""

from __future__ import annotations

import logging
import time

from kodi_six import xbmc

from .. import ADDON_ID
from ..core.app.retry import OfflineRetry
from ..core.config import Settings
from ..core.errors import NetworkError, SignedOut, SyncError
from ..core.sync.household import Household, Verdict
from ..core.sync.outbox import DEFAULT_RETRY_CAP
from ..core.sync.run import Mode
from ..core.sync.two_way import work_waiting
from . import strings as S
from .context import AddonContext
from .login import current_credentials
from .runner import run
from .ui import notify

LOG = logging.getLogger(__name__)

TICK = 1.0  # how often the loop looks at the clock, the flags and settings
PLAYBACK_CHECK = 10.0
EDIT_QUIET = 5.0  # two-way: look for edits this long after the last library update


class SyncService(xbmc.Monitor):
    def __init__(self) -> None:
        super().__init__()
        self.ctx: AddonContext | None = None
        self.hinted = False
        self.settings_changed = False
        self.scan_finished = False
        self.updated_at: float | None = None  # last VideoLibrary.OnUpdate heard (two-way)
        self.edits_checked = time.monotonic()
        self.syncing = False
        self.hinted_waiting = False
        self.hinted_household = False
        self.household: Household | None = None
        self.player = xbmc.Player()
        self.offline = OfflineRetry()

    def onSettingsChanged(self) -> None:
        self.settings_changed = True

    def onScanFinished(self, library: str) -> None:
        if library == "video":
            self.scan_finished = True

    def onNotification(self, sender: str, method: str, data: str) -> None:
        """Kodi 20 announces no rating change (a userrating set over JSON-RPC raises nothing),
        but other library updates (watched state, info) do: each one makes the service look
        for edits a few seconds later, without asking Simkl."""
        if method == "VideoLibrary.OnUpdate" and not self.syncing:
            self.updated_at = time.monotonic()

    def _context(self) -> AddonContext:
        if self.ctx is None or self.settings_changed:
            self.settings_changed = False
            self.ctx = AddonContext()
            self._read_household(self.ctx)
        return self.ctx

    def _read_household(self, ctx: AddonContext) -> None:
        """Read at start and after each settings change; published as a Home window property
        so the command-line runner, talking to this Kodi, knows whether it syncs itself."""
        household = ctx.publish_household()
        if household != self.household:
            where = household.shared.where if household.shared else "-"
            LOG.info("video library shared: %s; this device: %s", where, household.describe())
        self.household = household

    def _syncs_here(self) -> bool:
        """On a shared library only the chosen device syncs; the others make no request to
        Simkl and write nothing. Undecided and signed in: one hint per Kodi start, no dialog."""
        ctx = self._context()
        assert self.household is not None
        verdict = self.household.verdict
        undecided = verdict is Verdict.ASK and not self.hinted_household
        if undecided and ctx.settings.notify and current_credentials(ctx) is not None:
            self.hinted_household = True
            notify(ctx, ctx.localize(S.HOUSEHOLD_HINT))
        return verdict is Verdict.SYNC

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
        if not self._syncs_here() or not self._wait_until_idle():
            return
        ctx = self._context()
        self.syncing = True
        try:
            report = run(ctx, self, interactive=False, mode=mode)
        except Exception as exc:  # a bug in one run must not end the service
            LOG.error("the %s run stopped on %s: %s", mode.value, type(exc).__name__, exc)
            return
        finally:
            self.syncing = False
            self.updated_at = None
            ctx.publish_household()  # Simkl may have ended the sign-in
        if report is not None and report.kodi_only_items and not self.hinted_waiting:
            self.hinted_waiting = True  # never a dialog here: a hint, once per Kodi start
            if ctx.settings.notify:
                waiting = len(report.kodi_only_items)
                notify(ctx, ctx.localize(S.SUMMARY_KODI_ONLY_WAITING, count=waiting))
        if report is not None and report.error_code == SignedOut.code and not self.hinted:
            self.hinted = True
            if ctx.settings.notify and mode is Mode.SYNC:
                notify(ctx, ctx.localize(S.SERVICE_SIGN_IN_HINT))
        if report is not None and mode is not Mode.CACHED:
            self._after_network(ctx, report.error_code == NetworkError.code)

    def _after_network(self, ctx: AddonContext, offline: bool) -> None:
        """A run that failed for the network is tried again quietly, sooner than the schedule;
        the user hears of it once it has lasted over an hour."""
        if not offline:
            self.offline.succeeded()
            return
        now = time.monotonic()
        self.offline.failed(now, self._schedule(ctx.settings))
        LOG.info("Simkl unreachable; trying again in %.0f s", self.offline.retry_at - now)
        if self.offline.tell(now):
            notify(ctx, ctx.localize(S.NOTICE_OFFLINE), error=True)

    @staticmethod
    def _schedule(settings: Settings) -> float:
        return settings.sync_interval * 3600.0 if settings.sync_interval else DEFAULT_RETRY_CAP

    def _work_in_kodi(self, settings: Settings) -> bool:
        """Every `edit_check` seconds (two-way: also a few seconds after a library update):
        is a rating in the outbox due, or (two-way) one light read of Kodi's ratings against
        the last sync finds an edit? No request to Simkl; nothing parked counts."""
        if xbmc.getCondVisibility("Library.IsScanningVideo"):
            return False
        if self.household is None or not self.household.syncs:
            return False
        now = time.monotonic()
        updated = self.updated_at is not None and now - self.updated_at >= EDIT_QUIET
        updated = updated and settings.two_way
        if not updated and now - self.edits_checked < settings.edit_check:
            return False
        self.updated_at, self.edits_checked = None, now
        ctx = self._context()
        ws = ctx.workspace(self)
        try:
            types, two_way = settings.enabled_types(), settings.two_way
            waiting = work_waiting(ws.library(), ws.sync_state(), types, two_way=two_way)
            LOG.debug("looked for work in Kodi: %s", "found" if waiting else "none")
            return waiting
        except SyncError as exc:  # Kodi busy or quitting: look again next time
            LOG.info("could not look for rating changes in Kodi: %s", exc)
            return False

    def run(self) -> None:
        ctx = self._context()
        delay = ctx.settings.startup_delay
        LOG.info("service started (startup delay %d s)", delay)
        if delay > 0 and self.waitForAbort(delay):  # Kodi's waitForAbort(0) waits forever
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
            if self._work_in_kodi(settings) or self.offline.due(time.monotonic()):
                self.sync()
                continue
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
