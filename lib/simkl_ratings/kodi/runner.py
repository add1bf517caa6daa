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
from ..core.app.sync import Next, Question, SyncOutcome, locked_sync
from ..core.errors import NetworkError, QuotaExhausted, SignedOut, SyncError
from ..core.sync.household import Household, Role, Verdict
from ..core.sync.outbox import DEFAULT_RETRY_CAP
from ..core.sync.report import RESULT_ERROR, RESULT_OK, Report, save_report
from ..core.sync.run import Consent, Mode
from . import strings as S
from .context import AddonContext
from .login import current_credentials, sign_in
from .messages import (
    TYPE_STRINGS,
    error_text,
    quota_text,
    report_text,
    signed_out_text,
    summary_text,
)
from .ui import BackgroundProgressSink, Dialog, DialogProgressSink, notify

LOG = logging.getLogger(__name__)

LAST_RUN_PROPERTY = f"{ADDON_ID}.last_run"
ASKED_TITLES = 5  # titles named in the question about held clears


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
        if interactive:
            if not Dialog().yesno(ctx.name, f"{text}\n{ctx.localize(S.ASK_SIGN_IN)}"):
                return outcome.report  # the question said it all: no toast repeats it
            if _sign_in_before_run(ctx, monitor, dry_run=dry_run, mode=mode) is not None:
                return outcome.report
            outcome = _run_once(ctx, monitor, dry_run=dry_run, interactive=interactive, mode=mode)
            text = None
    report = outcome.report
    if interactive and outcome.questions:  # asked before the summary: no toast over a question
        yes = _ask(ctx, monitor, outcome)
        if yes:  # what the user agreed to, in the same action
            again = _run_once(
                ctx, monitor, dry_run=dry_run, interactive=True, mode=mode, yes=(outcome, yes)
            )
            if again.report is not None:
                report = again.report
    if report is not None:
        _tell(ctx, report, interactive, text)
    return report


def _ask(ctx: AddonContext, monitor: xbmc.Monitor, outcome: SyncOutcome) -> set[Question]:
    """Each question the run left, once, with No as the default (the lock is not held while
    a question is up). The answers to keep are kept; returns what was answered Yes."""
    report = outcome.report
    assert report is not None
    yes: set[Question] = set()
    for question in outcome.questions:
        if question is Question.EMPTY_REPLY:
            types = ", ".join(_type_words(ctx, report.suspicious_types))
            text = ctx.localize(S.ASK_EMPTY_REPLY, types=types, count=report.suspicious_holding)
        elif question is Question.CLEARS:
            items = report.held_clear_items
            titles = ", ".join(i.get("title") or "?" for i in items[:ASKED_TITLES])
            titles += " …" if len(items) > ASKED_TITLES else ""
            text = ctx.localize(S.ASK_CLEARS, count=len(items), titles=titles)
        else:
            text = ctx.localize(S.ASK_SEND_KODI_ONLY, count=len(report.kodi_only_items))
        answer = bool(Dialog().yesno(ctx.name, text))
        if question is Question.KODI_ONLY:
            answer = answer_kodi_only(ctx.workspace(monitor), answer) and answer
        if answer:
            yes.add(question)
    return yes


def _type_words(ctx: AddonContext, names: list[str]) -> list[str]:
    return [ctx.localize(TYPE_STRINGS.get(name, S.TYPE_MOVIES)) for name in names]


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
    ctx: AddonContext,
    monitor: xbmc.Monitor,
    *,
    dry_run: bool,
    interactive: bool,
    mode: Mode,
    yes: tuple[SyncOutcome, set[Question]] | None = None,
) -> SyncOutcome:
    """The run itself, under the lock: progress only, no question. A manual run may hold
    back what needs a say (and asks after); `yes` carries the answers of the run before."""
    if ctx.setting_problems:
        notify(ctx, ctx.localize(S.SETTINGS_INVALID, names=", ".join(ctx.setting_problems)))
    heading = ctx.localize(S.ACTION_PREVIEW if dry_run else S.ACTION_SYNC)
    sink = (
        DialogProgressSink(ctx, monitor, heading)
        if interactive
        else BackgroundProgressSink(ctx, monitor)
    )
    consent = None
    if interactive:
        consent = yes[0].consent(yes[1]) if yes else Consent()
    hours = ctx.settings.sync_interval
    try:
        outcome = locked_sync(
            ctx.workspace(monitor),
            ctx.settings.preferences(),
            owner="manual" if interactive else "service",
            progress=sink,
            dry_run=dry_run,
            mode=mode,
            shared_library=ctx.shared_library is not None,
            consent=consent,
            retry_cap=hours * 3600.0 if hours else DEFAULT_RETRY_CAP,
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
    """After the lock is released and every question answered: the summary (or `text`) in a
    toast, or for a manual preview in the viewer. In the background a problem is said once,
    not at every run (notices)."""
    if report.error_code == QuotaExhausted.code:
        gate = ctx.workspace().quota_gate()
        if not (gate.first_notice() or interactive):
            LOG.info("Simkl's daily quota is still used up; this run made no request")
            return
        text = quota_text(ctx, gate.blocked_until())
    if interactive and report.dry_run and report.result == RESULT_OK:
        # the summary heads the viewer: a toast would sit on top of it and take its first Back
        viewer = f"{summary_text(ctx, report)}\n\n{report_text(ctx, report.to_dict())}"
        Dialog().textviewer(ctx.localize(S.ACTION_PREVIEW), viewer)
    elif interactive:
        notify(ctx, text or summary_text(ctx, report), error=report.result != RESULT_OK)
    else:
        _tell_background(ctx, report, text)
    if report.written_elsewhere:  # always said: two devices syncing one library is a mistake
        notify(ctx, ctx.localize(S.HOUSEHOLD_TWO_SYNCING))


def _tell_background(ctx: AddonContext, report: Report, text: str | None) -> None:
    notices = ctx.workspace().notices()
    if report.result == RESULT_ERROR:
        if report.error_code == NetworkError.code:
            return  # the service retries quietly, and says so once it lasted (service.py)
        if notices.first("error", report.error_code or ""):
            notify(ctx, text or summary_text(ctx, report), error=True)
        return
    notices.clear("error")
    if ctx.settings.notify and report.result == RESULT_OK and not _quiet(report):
        notify(ctx, summary_text(ctx, report))
    for key, fingerprint, message in _lasting(ctx, report):
        if not fingerprint:
            notices.clear(key)
        elif notices.first(key, fingerprint):
            notify(ctx, message)


def _lasting(ctx: AddonContext, report: Report) -> list[tuple[str, str, str]]:
    """Problems that last over runs: (notice key, what identifies this one, the words)."""
    totals = report.totals()
    held = len(report.held_clear_items)
    types = ", ".join(_type_words(ctx, report.suspicious_types))
    parked = totals.push_not_found + totals.push_refused
    return [
        ("clears_held", str(held) if held else "", ctx.localize(S.NOTICE_CLEARS_HELD, count=held)),
        ("empty_reply", types, ctx.localize(S.NOTICE_EMPTY_REPLY, types=types)),
        ("push_failing", "1" if totals.push_failed else "", ctx.localize(S.NOTICE_PUSH_FAILING)),
        ("parked", str(parked) if parked else "", ctx.localize(S.NOTICE_PARKED, count=parked)),
    ]
