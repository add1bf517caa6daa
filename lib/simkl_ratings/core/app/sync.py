"""A sync as both shells run it: one at a time, signed in, Kodi idle, the report kept.

`locked_sync` takes the run lock (or says another run holds it), builds the client from the
stored sign-in, lets the shell check Kodi first (the runner asks whether that Kodi syncs
itself), waits for a library scan to end, runs the engine and saves the report with every
secret masked. What the shell must do next (ask the user to sign in again, or to grant write
access) comes back with the report: the lock is never held while a person is asked anything.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Callable

from ..errors import Cancelled, ScopeMissing, SignedOut, SyncError
from ..library.jsonrpc import JsonRpc
from ..redact import redact
from ..simkl.client import SimklClient, Wait
from ..simkl.credentials import Credentials
from ..simkl.signin import require_write
from ..sync.lock import HeartbeatProgress
from ..sync.outbox import DEFAULT_RETRY_CAP
from ..sync.report import RESULT_CANCELLED, RESULT_OK, Report, save_report
from ..sync.run import Consent, Mode, Progress, Stage, run_sync
from .preferences import Preferences
from .workspace import Workspace

LOG = logging.getLogger(__name__)

SCAN_POLL = 1.0
SCAN_WAIT = 1800.0  # a scan longer than 30 minutes: sync anyway (the next run rates the rest)

# The shell's check of Kodi before Simkl is asked anything: raises SyncError to stop the run;
# True when Kodi says its library is shared by several devices.
Preflight = Callable[[JsonRpc], bool]


class Next(enum.Enum):
    """What the shell should do after a run, with the user's say."""

    NOTHING = "nothing"
    SIGN_IN = "sign_in"  # not signed in, or Simkl ended the sign-in
    WRITE_ACCESS = "write_access"  # the sign-in may not write to Simkl; a feature needs it


class Question(enum.Enum):
    """What a run held back until the user says (asked after the lock is released; No is
    the default answer)."""

    EMPTY_REPLY = "empty_reply"  # Simkl sent none of a type the add-on holds ratings from
    CLEARS = "clears"  # more clears than the guard allows
    KODI_ONLY = "kodi_only"  # two-way: ratings only Kodi has, to send or keep


@dataclass(frozen=True)
class SyncOutcome:
    report: Report | None  # None: another sync holds the lock, nothing started
    creds: Credentials | None = None  # the sign-in the run used (kept when it was cleared)

    @property
    def busy(self) -> bool:
        return self.report is None

    @property
    def next(self) -> Next:
        code = self.report.error_code if self.report is not None else None
        if code == SignedOut.code:
            return Next.SIGN_IN
        if code == ScopeMissing.code:
            return Next.WRITE_ACCESS
        return Next.NOTHING

    @property
    def questions(self) -> list[Question]:
        """What to ask, in order; nothing for a preview or a run that did not finish."""
        report = self.report
        if report is None or report.dry_run or report.result != RESULT_OK:
            return []
        asked = []
        if report.suspicious_types:
            asked.append(Question.EMPTY_REPLY)
        if report.held_clear_items:
            asked.append(Question.CLEARS)
        if report.kodi_only_items:
            asked.append(Question.KODI_ONLY)
        return asked

    def consent(self, yes: set[Question]) -> Consent:
        """The consent for the next run once the user said yes to `yes`."""
        report = self.report
        empty = frozenset(report.suspicious_types) if report and Question.EMPTY_REPLY in yes else ()
        clears: frozenset[str] = frozenset()
        if report is not None and Question.CLEARS in yes:
            clears = frozenset(item["type"] for item in report.held_clear_items)
        return Consent(clears=clears, empty=frozenset(empty))


def wait_for_scan(
    is_scanning: Callable[[], bool],
    progress: Progress,
    wait: Wait,
    *,
    poll: float = SCAN_POLL,
    limit: float = SCAN_WAIT,
) -> bool:
    """Kodi is scanning the video library: wait for it, so the library is read once, whole.
    False when the user cancelled or Kodi is quitting."""
    waited = 0.0
    while waited < limit and is_scanning():
        progress.update(0, Stage.CHECK, "scan")
        if progress.cancelled() or wait(poll):
            return False
        waited += poll
    return True


def locked_sync(
    ws: Workspace,
    prefs: Preferences,
    *,
    owner: str,
    progress: Progress,
    dry_run: bool = False,
    mode: Mode = Mode.SYNC,
    shared_library: bool = False,
    preflight: Preflight | None = None,
    scan_poll: float = SCAN_POLL,
    consent: Consent | None = None,
    retry_cap: float = DEFAULT_RETRY_CAP,
) -> SyncOutcome:
    """One run under the lock, unless another holds it; every run that starts leaves its
    report. A sign-in Simkl ended is forgotten here (the outcome keeps it for the words).
    `consent` is given by a run someone can be asked in (None: the service, cron)."""
    creds = ws.current_credentials()
    if creds is None:
        report = Report.ended_early(
            SignedOut.code, "not signed in", dry_run=dry_run, mode=mode.value
        )
        _keep(ws, report)
        return SyncOutcome(report)
    lock = ws.run_lock()
    if not lock.acquire(owner):
        LOG.info("a sync is already running; this %s run does not start", mode.value)
        return SyncOutcome(None, creds)
    try:
        beat = HeartbeatProgress(progress, lock)
        report = _run(
            ws,
            prefs,
            creds,
            beat,
            dry_run=dry_run,
            mode=mode,
            shared_library=shared_library,
            preflight=preflight,
            scan_poll=scan_poll,
            consent=consent,
            retry_cap=retry_cap,
        )
        _keep(ws, report)
    finally:
        lock.release()
    if report.error_code == SignedOut.code:
        ws.credentials().clear()  # Simkl ended it: `status` and the settings tell the truth
    return SyncOutcome(report, creds)


def _run(
    ws: Workspace,
    prefs: Preferences,
    creds: Credentials,
    progress: Progress,
    *,
    dry_run: bool,
    mode: Mode,
    shared_library: bool,
    preflight: Preflight | None,
    scan_poll: float,
    consent: Consent | None,
    retry_cap: float,
) -> Report:
    try:
        client: SimklClient | None = None
        if mode is not Mode.CACHED:
            client = ws.signed_in_client(creds)
            if preflight is not None and preflight(ws.rpc()):
                shared_library = True
            if prefs.two_way:  # two-way writes to Simkl: the sign-in must allow it
                require_write(creds.auth_version, creds.scope)
    except SyncError as exc:
        LOG.error("cannot start the sync (%s): %s", exc.code, exc)
        return Report.ended_early(exc.code, str(exc), dry_run=dry_run, mode=mode.value)
    if not wait_for_scan(ws.is_scanning, progress, ws.wait, poll=scan_poll):
        return Report.ended_early(
            Cancelled.code, result=RESULT_CANCELLED, dry_run=dry_run, mode=mode.value
        )
    options = prefs.options(
        account_id=creds.account_id,
        shared_library=shared_library,
        dry_run=dry_run,
        mode=mode,
        wait=ws.wait,
        consent=consent,
        retry_cap=retry_cap,
    )
    return run_sync(client, ws.library(), options, progress, ws.sync_state())


def _keep(ws: Workspace, report: Report) -> None:
    """Save the report, with any secret in its error text masked, and log its summary."""
    if report.error:
        report.error = redact(report.error)
    save_report(ws.report_path, report)
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
