"""Running a sync from Kodi: one at a time, credentials, client, progress, report, summary."""

from __future__ import annotations

import logging

from kodi_six import xbmc, xbmcgui

from .. import ADDON_ID
from ..core.errors import Cancelled, QuotaExhausted, ScopeMissing, SignedOut, SyncError
from ..core.redact import redact
from ..core.simkl.client import SimklClient
from ..core.simkl.credentials import Credentials
from ..core.sync.lock import RunLock
from ..core.sync.report import RESULT_CANCELLED, RESULT_ERROR, RESULT_OK, Report, save_report
from ..core.sync.run import Mode, Progress, Stage, SyncOptions, run_sync
from . import strings as S
from .context import AddonContext
from .login import current_credentials, sign_in
from .messages import error_text, quota_text, report_text, signed_out_text, summary_text
from .ui import BackgroundProgressSink, DialogProgressSink, notify

LOG = logging.getLogger(__name__)

LAST_RUN_PROPERTY = f"{ADDON_ID}.last_run"


class _Heartbeat(Progress):
    """Passes progress on and keeps the run lock fresh while the run works."""

    def __init__(self, inner: Progress, lock: RunLock) -> None:
        self.inner = inner
        self.lock = lock

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        self.lock.refresh()
        self.inner.update(percent, stage, detail)

    def cancelled(self) -> bool:
        return self.inner.cancelled()


def _finish(ctx: AddonContext, report: Report) -> None:
    """Every run leaves its report (with any secret in its error text masked), and says it is
    done (for skins and test harnesses)."""
    if report.error:
        report.error = redact(report.error)
    save_report(ctx.report_path, report)
    xbmcgui.Window(10000).setProperty(LAST_RUN_PROPERTY, report.finished_at or "")
    totals = report.totals()
    LOG.info(
        "%s %s%s: %d updated, %d unchanged, %d kept, %d cleared, %d unmatched, %d failed; "
        "%d HTTP requests, %d Kodi writes",
        report.mode,
        report.result,
        " (preview)" if report.dry_run else "",
        totals.updated,
        totals.unchanged,
        totals.kept_local,
        totals.cleared,
        totals.unmatched,
        totals.failed,
        report.http_requests,
        report.kodi_writes,
    )


def _signed_in(ctx: AddonContext, monitor: xbmc.Monitor, interactive: bool) -> Credentials | None:
    creds = current_credentials(ctx)
    if creds is None and interactive:
        creds = sign_in(ctx, monitor)
    return creds


def run(
    ctx: AddonContext,
    monitor: xbmc.Monitor,
    *,
    dry_run: bool = False,
    interactive: bool = True,
    mode: Mode = Mode.SYNC,
) -> Report | None:
    """One run, unless another is in progress (then the user is told and nothing starts)."""
    lock = ctx.run_lock()
    if not lock.acquire("manual" if interactive else "service"):
        LOG.info("a sync is already running; this %s run does not start", mode.value)
        if interactive:
            notify(ctx, ctx.localize(S.BUSY))
        return None
    try:
        return _run_locked(ctx, monitor, lock, dry_run=dry_run, interactive=interactive, mode=mode)
    finally:
        lock.release()


def _run_locked(
    ctx: AddonContext,
    monitor: xbmc.Monitor,
    lock: RunLock,
    *,
    dry_run: bool,
    interactive: bool,
    mode: Mode,
) -> Report:
    if ctx.setting_problems:
        notify(ctx, ctx.localize(S.SETTINGS_INVALID, names=", ".join(ctx.setting_problems)))
    try:
        creds = _signed_in(ctx, monitor, interactive)
        if creds is None:
            report = Report.ended_early(
                SignedOut.code, "not signed in", dry_run=dry_run, mode=mode.value
            )
            _finish(ctx, report)
            return report
        client: SimklClient | None = None
        if mode is not Mode.CACHED:
            client = ctx.signed_in_client(creds, monitor.waitForAbort)
    except SyncError as exc:
        LOG.error("cannot start the sync (%s): %s", exc.code, exc)
        report = Report.ended_early(exc.code, str(exc), dry_run=dry_run, mode=mode.value)
        _finish(ctx, report)
        notify(ctx, error_text(ctx, exc.code), error=True)
        return report
    settings = ctx.settings
    options = SyncOptions(
        types=settings.enabled_types(),
        batch_size=settings.batch_size,
        dry_run=dry_run,
        mode=mode,
        policy=settings.policy,
        title_fallback=settings.title_fallback,
        account_id=creds.account_id,
    )
    heading = ctx.localize(S.ACTION_PREVIEW if dry_run else S.ACTION_SYNC)
    sink = (
        DialogProgressSink(ctx, monitor, heading)
        if interactive
        else BackgroundProgressSink(ctx, monitor)
    )
    try:
        progress = _Heartbeat(sink, lock)
        if not _wait_for_scan(ctx, monitor, progress):
            report = Report.ended_early(
                Cancelled.code, result=RESULT_CANCELLED, dry_run=dry_run, mode=mode.value
            )
        else:
            report = run_sync(client, ctx.library(), options, progress, ctx.sync_state())
    finally:
        sink.close()
    _finish(ctx, report)
    _tell(ctx, monitor, report, interactive)
    return report


def _wait_for_scan(ctx: AddonContext, monitor: xbmc.Monitor, progress: Progress) -> bool:
    """Kodi is scanning the video library: wait for it, so the library is read once, whole.
    False when the user cancelled or Kodi is quitting."""
    while xbmc.getCondVisibility("Library.IsScanningVideo"):
        progress.update(0, Stage.CHECK, "scan")
        if progress.cancelled() or monitor.waitForAbort(1):
            return False
    return True


def _quiet(report: Report) -> bool:
    """Background runs that changed nothing stay silent."""
    totals = report.totals()
    return not (totals.updated or totals.cleared or totals.failed)


def _tell(ctx: AddonContext, monitor: xbmc.Monitor, report: Report, interactive: bool) -> None:
    text = None
    if report.error_code in (SignedOut.code, ScopeMissing.code):
        if report.error_code == SignedOut.code:
            text = signed_out_text(ctx, ctx.credentials().load())
            ctx.credentials().clear()
        else:
            text = error_text(ctx, report.error_code)
        if interactive and xbmcgui.Dialog().yesno(
            ctx.name, f"{text}\n{ctx.localize(S.ASK_SIGN_IN)}"
        ):
            sign_in(ctx, monitor, write=report.error_code == ScopeMissing.code)
            return
    if report.error_code == QuotaExhausted.code:
        gate = ctx.quota_gate()
        first = gate.first_notice()
        if not (interactive or first):
            LOG.info("Simkl's daily quota is still used up; this run made no request")
            return
        text = quota_text(ctx, gate.blocked_until())
    failed = report.result == RESULT_ERROR
    background_news = ctx.settings.notify and report.result == RESULT_OK and not _quiet(report)
    if interactive or failed or background_news:
        notify(ctx, text or summary_text(ctx, report), error=report.result != RESULT_OK)
    if interactive and report.dry_run and report.result == RESULT_OK:
        text = report_text(ctx, report.to_dict())
        xbmcgui.Dialog().textviewer(ctx.localize(S.ACTION_PREVIEW), text)
