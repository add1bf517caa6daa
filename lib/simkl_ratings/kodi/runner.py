"""Running a sync from Kodi: the household question, sign-in first when needed, progress, the
summary, and the questions a run leaves (sign in again, send ratings only Kodi has).

The run itself is `core/app/sync.py`'s `locked_sync`; nothing that waits for a person happens
while its lock is held, so a scheduled sync is never refused because a dialog is open. A manual
run that needed a sign-in goes on with the sync right after the sign-in succeeded, in one go.
"""

from __future__ import annotations

import logging

from kodi_six import xbmc, xbmcgui

from .. import ADDON_ID
from ..core.app.consent import answer_kodi_only
from ..core.app.sync import Next, SyncOutcome, locked_sync
from ..core.errors import QuotaExhausted, SignedOut, SyncError
from ..core.sync.household import Household, Role, Verdict
from ..core.sync.report import RESULT_ERROR, RESULT_OK, Report, save_report
from ..core.sync.run import Mode
from . import strings as S
from .context import AddonContext
from .login import current_credentials, sign_in
from .messages import error_text, quota_text, report_text, signed_out_text, summary_text
from .ui import BackgroundProgressSink, Dialog, DialogProgressSink, notify

LOG = logging.getLogger(__name__)

LAST_RUN_PROPERTY = f"{ADDON_ID}.last_run"


def run(
    ctx: AddonContext,
    monitor: xbmc.Monitor,
    *,
    dry_run: bool = False,
    interactive: bool = True,
    mode: Mode = Mode.SYNC,
) -> Report | None:
    """One run, unless another is in progress (then the user is told and nothing starts)."""
    if not _this_device_syncs(ctx, interactive):
        return None
    if current_credentials(ctx) is None:
        if not interactive:  # the service says so once itself, never with a dialog
            return _ended_early(ctx, SignedOut.code, "not signed in", dry_run, mode)
        failed = _sign_in_before_run(ctx, monitor, dry_run=dry_run, mode=mode)
        if failed is not None:
            return failed
    outcome = _run_once(ctx, monitor, dry_run=dry_run, interactive=interactive, mode=mode)
    text = None
    if outcome.next in (Next.SIGN_IN, Next.WRITE_ACCESS) and outcome.report is not None:
        text = _sign_in_again_text(ctx, outcome)
        if interactive and Dialog().yesno(ctx.name, f"{text}\n{ctx.localize(S.ASK_SIGN_IN)}"):
            if _sign_in_before_run(ctx, monitor, dry_run=dry_run, mode=mode) is not None:
                return outcome.report
            outcome = _run_once(ctx, monitor, dry_run=dry_run, interactive=interactive, mode=mode)
            text = None
    report = outcome.report
    if report is not None:
        _tell(ctx, report, interactive, text)
    if interactive and report is not None and _asked_to_send_kodi_only(ctx, monitor, report):
        report = _run_once(ctx, monitor, dry_run=dry_run, interactive=True, mode=mode).report
        if report is not None:  # sends them, in the same action
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
    if Dialog().yesno(ctx.name, ctx.localize(question, where=_where(household))):
        ctx.set_household_role(Role.THIS_DEVICE)
        LOG.info("this device now syncs the shared library")
        return True
    if verdict is Verdict.ASK:
        ctx.set_household_role(Role.ANOTHER_DEVICE)
        notify(ctx, ctx.localize(S.HOUSEHOLD_LEFT))
    return False


def _where(household: Household) -> str:
    return household.shared.where if household.shared else ""


def _sign_in_again_text(ctx: AddonContext, outcome: SyncOutcome) -> str:
    """Why the user must sign in again: a sign-in Simkl refused (an old PIN (V1) one most
    likely because Simkl retired that kind, which the user hears in words), or one without
    the write permission."""
    if outcome.next is Next.SIGN_IN:
        return signed_out_text(ctx, outcome.creds)
    return error_text(ctx, outcome.report.error_code if outcome.report else None)


def _asked_to_send_kodi_only(ctx: AddonContext, monitor: xbmc.Monitor, report: Report) -> bool:
    """Two-way's first run found ratings only Kodi has: ask once (the lock is not held while
    the question is up), remember the answer. True when the user said send."""
    waiting = len(report.kodi_only_items)
    if not waiting or report.dry_run or report.result != RESULT_OK:
        return False
    send = Dialog().yesno(ctx.name, ctx.localize(S.ASK_SEND_KODI_ONLY, count=waiting))
    return answer_kodi_only(ctx.workspace(monitor), send) and send


def _sign_in_before_run(
    ctx: AddonContext, monitor: xbmc.Monitor, *, dry_run: bool, mode: Mode
) -> Report | None:
    """Sign in (no lock held: the code window may stay up for minutes). None when signed in;
    otherwise the report of the run that could not start."""
    try:
        if sign_in(ctx, monitor) is not None:
            return None
    except SyncError as exc:
        LOG.error("cannot start the sync (%s): %s", exc.code, exc)
        report = _ended_early(ctx, exc.code, str(exc), dry_run, mode)
        notify(ctx, error_text(ctx, exc.code), error=True)
        return report
    return _ended_early(ctx, SignedOut.code, "not signed in", dry_run, mode)


def _ended_early(ctx: AddonContext, code: str, message: str, dry_run: bool, mode: Mode) -> Report:
    report = Report.ended_early(code, message, dry_run=dry_run, mode=mode.value)
    save_report(ctx.report_path, report)
    _announce(report)
    return report


def _announce(report: Report) -> None:
    """Say a run is done (for skins and test harnesses)."""
    xbmcgui.Window(10000).setProperty(LAST_RUN_PROPERTY, report.finished_at or "")


def _run_once(
    ctx: AddonContext, monitor: xbmc.Monitor, *, dry_run: bool, interactive: bool, mode: Mode
) -> SyncOutcome:
    """The run itself, under the lock: progress only, no question."""
    if ctx.setting_problems:
        notify(ctx, ctx.localize(S.SETTINGS_INVALID, names=", ".join(ctx.setting_problems)))
    heading = ctx.localize(S.ACTION_PREVIEW if dry_run else S.ACTION_SYNC)
    sink = (
        DialogProgressSink(ctx, monitor, heading)
        if interactive
        else BackgroundProgressSink(ctx, monitor)
    )
    try:
        outcome = locked_sync(
            ctx.workspace(monitor),
            ctx.settings.preferences(),
            owner="manual" if interactive else "service",
            progress=sink,
            dry_run=dry_run,
            mode=mode,
            shared_library=ctx.shared_library is not None,
        )
    finally:
        sink.close()
    if outcome.report is None:
        if interactive:
            notify(ctx, ctx.localize(S.BUSY))
        return outcome
    _announce(outcome.report)
    return outcome


def _quiet(report: Report) -> bool:
    """Background runs that changed nothing stay silent."""
    totals = report.totals()
    return not (totals.updated or totals.cleared or totals.failed)


def _tell(ctx: AddonContext, report: Report, interactive: bool, text: str | None = None) -> None:
    """After the lock is released: the summary (or `text`), and for a manual preview, the
    viewer. Simkl's daily quota is told once per block in the background, with its end."""
    if report.error_code == QuotaExhausted.code:
        gate = ctx.workspace().quota_gate()
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
        Dialog().textviewer(ctx.localize(S.ACTION_PREVIEW), text)
