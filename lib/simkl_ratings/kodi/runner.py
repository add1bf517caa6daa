"""Running a sync from Kodi: credentials, client, progress, report file, the user's summary."""

from __future__ import annotations

import logging

from kodi_six import xbmc, xbmcgui

from .. import ADDON_ID
from ..core.credentials import Credentials
from ..core.errors import SignedOut, SyncError
from ..core.report import RESULT_ERROR, RESULT_OK, Report, save_report
from ..core.sync import SyncOptions, run_sync
from . import strings as S
from .context import AddonContext
from .login import current_credentials, sign_in
from .messages import error_text, report_text, summary_text
from .ui import BackgroundProgressSink, DialogProgressSink, notify

LOG = logging.getLogger(__name__)

LAST_RUN_PROPERTY = f"{ADDON_ID}.last_run"


def _finish(ctx: AddonContext, report: Report) -> None:
    """Every run leaves its report, and says it is done (for skins and test harnesses)."""
    save_report(ctx.report_path, report)
    xbmcgui.Window(10000).setProperty(LAST_RUN_PROPERTY, report.finished_at or "")
    totals = report.totals()
    LOG.info(
        "sync %s%s: %d updated, %d unchanged, %d unmatched, %d failed; %d HTTP requests, "
        "%d Kodi writes",
        report.result,
        " (preview)" if report.dry_run else "",
        totals.updated,
        totals.unchanged,
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
    ctx: AddonContext, monitor: xbmc.Monitor, *, dry_run: bool = False, interactive: bool = True
) -> Report | None:
    """One sync or preview. Interactive runs may sign in first and show a progress dialog."""
    if ctx.setting_problems:
        notify(ctx, ctx.localize(S.SETTINGS_INVALID, names=", ".join(ctx.setting_problems)))
    try:
        creds = _signed_in(ctx, monitor, interactive)
        if creds is None:
            report = Report.failure(SignedOut.code, "not signed in", dry_run=dry_run)
            _finish(ctx, report)
            return report
        client = ctx.simkl_client(token=creds.access_token, wait=monitor.waitForAbort)
    except SyncError as exc:
        LOG.error("cannot start the sync (%s): %s", exc.code, exc)
        report = Report.failure(exc.code, str(exc), dry_run=dry_run)
        _finish(ctx, report)
        notify(ctx, error_text(ctx, exc.code), error=True)
        return report
    options = SyncOptions(
        types=ctx.settings.enabled_types(),
        batch_size=ctx.settings.batch_size,
        dry_run=dry_run,
    )
    heading = ctx.localize(S.ACTION_PREVIEW if dry_run else S.ACTION_SYNC)
    progress = (
        DialogProgressSink(ctx, monitor, heading)
        if interactive
        else BackgroundProgressSink(ctx, monitor)
    )
    try:
        report = run_sync(client, ctx.library(), options, progress)
    finally:
        progress.close()
    _finish(ctx, report)
    _tell(ctx, monitor, report, interactive)
    return report


def _tell(ctx: AddonContext, monitor: xbmc.Monitor, report: Report, interactive: bool) -> None:
    if report.error_code == SignedOut.code:
        ctx.credentials().clear()
        if interactive and xbmcgui.Dialog().yesno(
            ctx.name, f"{error_text(ctx, report.error_code)}\n{ctx.localize(S.ASK_SIGN_IN)}"
        ):
            sign_in(ctx, monitor)
            return
    failed = report.result == RESULT_ERROR
    if interactive or failed or (ctx.settings.notify and report.result == RESULT_OK):
        notify(ctx, summary_text(ctx, report), error=report.result != RESULT_OK)
    if interactive and report.dry_run and report.result == RESULT_OK:
        text = report_text(ctx, report.to_dict())
        xbmcgui.Dialog().textviewer(ctx.localize(S.ACTION_PREVIEW), text)
