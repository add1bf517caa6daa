"""Running a sync from Kodi: one at a time, credentials, client, progress, report, summary."""

from __future__ import annotations

import logging

from kodi_six import xbmc, xbmcgui

from .. import ADDON_ID
from ..core.errors import Cancelled, QuotaExhausted, ScopeMissing, SignedOut, SyncError
from ..core.redact import redact
from ..core.simkl.client import SimklClient
from ..core.simkl.signin import require_write
from ..core.sync.household import Household, Role, Verdict
from ..core.sync.lock import HeartbeatProgress, RunLock
from ..core.sync.report import RESULT_CANCELLED, RESULT_ERROR, RESULT_OK, Report, save_report
from ..core.sync.run import Mode, Progress, Stage, SyncOptions, run_sync
from ..core.sync.state import KODI_ONLY_KEEP, KODI_ONLY_SEND
from . import strings as S
from .context import AddonContext
from .login import current_credentials, sign_in
from .messages import error_text, quota_text, report_text, signed_out_text, summary_text
from .ui import BackgroundProgressSink, DialogProgressSink, notify

LOG = logging.getLogger(__name__)

LAST_RUN_PROPERTY = f"{ADDON_ID}.last_run"


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


def run(
    ctx: AddonContext,
    monitor: xbmc.Monitor,
    *,
    dry_run: bool = False,
    interactive: bool = True,
    mode: Mode = Mode.SYNC,
) -> Report | None:
    """One run, unless another is in progress (then the user is told and nothing starts).

    Nothing that waits for a person happens while the run lock is held, so a scheduled sync is
    never refused because a dialog is open: the sign-in comes before the lock, the preview's
    viewer and the "sign in again?" question after it. A manual run that needed a sign-in goes
    on with the sync right after the sign-in succeeded, in one go.
    """
    kwargs = {"dry_run": dry_run, "interactive": interactive, "mode": mode}
    if not _this_device_syncs(ctx, interactive):
        return None
    if current_credentials(ctx) is None:
        if not interactive:  # the service says so once itself, never with a dialog
            return _ended_early(ctx, SignedOut.code, "not signed in", dry_run, mode)
        failed = _sign_in_before_run(ctx, monitor, dry_run=dry_run, mode=mode)
        if failed is not None:
            return failed
    report = _run_once(ctx, monitor, **kwargs)
    text = None
    if report is not None and report.error_code in (SignedOut.code, ScopeMissing.code):
        text = _sign_in_again_text(ctx, report)
        if interactive and xbmcgui.Dialog().yesno(
            ctx.name, f"{text}\n{ctx.localize(S.ASK_SIGN_IN)}"
        ):
            if _sign_in_before_run(ctx, monitor, dry_run=dry_run, mode=mode) is not None:
                return report
            report = _run_once(ctx, monitor, **kwargs)
            text = None
            if report is not None and report.error_code == SignedOut.code:
                ctx.credentials().clear()
    if report is not None:
        _tell(ctx, report, interactive, text)
    if interactive and report is not None and _asked_to_send_kodi_only(ctx, report):
        report = _run_once(ctx, monitor, **kwargs)  # sends them, in the same action
        if report is not None:
            _tell(ctx, report, interactive)
    return report


def _this_device_syncs(ctx: AddonContext, interactive: bool) -> bool:
    """On a shared library only the device chosen for it syncs (household.py). A manual run on
    another device asks once (before any lock): this device, or another one?"""
    household = ctx.household()
    verdict = household.verdict
    if verdict is Verdict.SYNC:
        return True
    LOG.info("shared library %s, this device: %s", _where(household), household.describe())
    if not interactive:
        return False
    question = S.HOUSEHOLD_ASK if verdict is Verdict.ASK else S.HOUSEHOLD_TAKE_OVER
    if xbmcgui.Dialog().yesno(ctx.name, ctx.localize(question, where=_where(household))):
        ctx.set_household_role(Role.THIS_DEVICE)
        LOG.info("this device now syncs the shared library")
        return True
    if verdict is Verdict.ASK:
        ctx.set_household_role(Role.ANOTHER_DEVICE)
        notify(ctx, ctx.localize(S.HOUSEHOLD_LEFT))
    return False


def _where(household: Household) -> str:
    return household.shared.where if household.shared else ""


def _sign_in_again_text(ctx: AddonContext, report: Report) -> str:
    """Why the user must sign in again. A sign-in Simkl refused is forgotten here; an old PIN
    (V1) one most likely because Simkl retired that kind, which the user hears in words."""
    if report.error_code == SignedOut.code:
        text = signed_out_text(ctx, ctx.credentials().load())
        ctx.credentials().clear()
        return text
    return error_text(ctx, report.error_code)  # a sign-in without the write permission


def _asked_to_send_kodi_only(ctx: AddonContext, report: Report) -> bool:
    """Two-way's first run found ratings only Kodi has: ask once (the lock is not held while
    the question is up), remember the answer. True when the user said send."""
    waiting = len(report.kodi_only_items)
    if not waiting or report.dry_run or report.result != RESULT_OK:
        return False
    send = xbmcgui.Dialog().yesno(ctx.name, ctx.localize(S.ASK_SEND_KODI_ONLY, count=waiting))
    lock = ctx.run_lock()
    if not lock.acquire("answer"):
        return False  # a run started meanwhile: the question comes again next time
    try:
        store = ctx.sync_state()
        state = store.load()
        if state is None:
            return False
        state.two_way.kodi_only = KODI_ONLY_SEND if send else KODI_ONLY_KEEP
        store.save(state)
    finally:
        lock.release()
    LOG.info("ratings only in Kodi: the user chose to %s them", "send" if send else "keep")
    return send


def _sign_in_before_run(
    ctx: AddonContext, monitor: xbmc.Monitor, *, dry_run: bool, mode: Mode
) -> Report | None:
    """Sign in (no lock held: the code window may stay up for minutes). None when signed in;
    otherwise the report of the run that could not start."""
    try:
        if sign_in(ctx, monitor) is not None:
            return None
    except SyncError as exc:
        return _cannot_start(ctx, exc, dry_run, mode)
    return _ended_early(ctx, SignedOut.code, "not signed in", dry_run, mode)


def _ended_early(ctx: AddonContext, code: str, message: str, dry_run: bool, mode: Mode) -> Report:
    report = Report.ended_early(code, message, dry_run=dry_run, mode=mode.value)
    _finish(ctx, report)
    return report


def _cannot_start(ctx: AddonContext, exc: SyncError, dry_run: bool, mode: Mode) -> Report:
    LOG.error("cannot start the sync (%s): %s", exc.code, exc)
    report = _ended_early(ctx, exc.code, str(exc), dry_run, mode)
    notify(ctx, error_text(ctx, exc.code), error=True)
    return report


def _run_once(
    ctx: AddonContext, monitor: xbmc.Monitor, *, dry_run: bool, interactive: bool, mode: Mode
) -> Report | None:
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
    """The run itself, under the lock: progress and notifications only, no question."""
    if ctx.setting_problems:
        notify(ctx, ctx.localize(S.SETTINGS_INVALID, names=", ".join(ctx.setting_problems)))
    try:
        creds = current_credentials(ctx)
        if creds is None:  # signed out by another process since the run began
            return _ended_early(ctx, SignedOut.code, "not signed in", dry_run, mode)
        client: SimklClient | None = None
        if mode is not Mode.CACHED:
            client = ctx.signed_in_client(creds, monitor.waitForAbort)
            if ctx.settings.two_way:  # two-way writes to Simkl: the sign-in must allow it
                require_write(creds.auth_version, creds.scope)
    except ScopeMissing as exc:  # run() asks to sign in again (no dialog under the lock)
        return _ended_early(ctx, exc.code, str(exc), dry_run, mode)
    except SyncError as exc:
        return _cannot_start(ctx, exc, dry_run, mode)
    settings = ctx.settings
    options = SyncOptions(
        types=settings.enabled_types(),
        batch_size=settings.batch_size,
        dry_run=dry_run,
        mode=mode,
        policy=settings.policy,
        title_fallback=settings.title_fallback,
        account_id=creds.account_id,
        two_way=settings.two_way,
        shared_library=ctx.shared_library is not None,
        wait=monitor.waitForAbort,
    )
    heading = ctx.localize(S.ACTION_PREVIEW if dry_run else S.ACTION_SYNC)
    sink = (
        DialogProgressSink(ctx, monitor, heading)
        if interactive
        else BackgroundProgressSink(ctx, monitor)
    )
    try:
        progress = HeartbeatProgress(sink, lock)
        if not _wait_for_scan(ctx, monitor, progress):
            report = Report.ended_early(
                Cancelled.code, result=RESULT_CANCELLED, dry_run=dry_run, mode=mode.value
            )
        else:
            report = run_sync(client, ctx.library(), options, progress, ctx.sync_state())
    finally:
        sink.close()
    _finish(ctx, report)
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


def _tell(ctx: AddonContext, report: Report, interactive: bool, text: str | None = None) -> None:
    """After the lock is released: the summary (or `text`), and for a manual preview, the
    viewer. Simkl's daily quota is told once per block in the background, with its end."""
    if report.error_code == QuotaExhausted.code:
        gate = ctx.quota_gate()
        if not (gate.first_notice() or interactive):
            LOG.info("Simkl's daily quota is still used up; this run made no request")
            return
        text = quota_text(ctx, gate.blocked_until())
    failed = report.result == RESULT_ERROR
    background_news = ctx.settings.notify and report.result == RESULT_OK and not _quiet(report)
    if interactive or failed or background_news:
        notify(ctx, text or summary_text(ctx, report), error=report.result != RESULT_OK)
    if report.written_elsewhere:  # always said: two devices syncing one library is a mistake
        notify(ctx, ctx.localize(S.HOUSEHOLD_TWO_SYNCING))
    if interactive and report.dry_run and report.result == RESULT_OK:
        text = report_text(ctx, report.to_dict())
        xbmcgui.Dialog().textviewer(ctx.localize(S.ACTION_PREVIEW), text)
