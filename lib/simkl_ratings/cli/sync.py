"""`sync` and `preview`: one run of the engine against Kodi over HTTP, as the add-on runs it.

Before Simkl is asked anything, Kodi must answer `JSONRPC.Ping` with the given user and
password (a wrong password fails fast, even on a day nothing changed on Simkl), and a running
library scan is waited for, so the library is read once, whole. Every run that got that far
leaves `last_sync.json` in the state folder, like the add-on's.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Cancelled, SignedOut, SyncError
from ..core.library.jsonrpc import JsonRpc
from ..core.simkl.signin import require_write
from ..core.sync.household import PROPERTY, Role, role_of
from ..core.sync.lock import HeartbeatProgress
from ..core.sync.report import RESULT_CANCELLED, Report, save_report
from ..core.sync.run import Mode, Progress, Stage, SyncOptions, run_sync
from . import output
from .context import RunnerContext
from .exit_codes import ExitCode, for_error_code, for_report
from .terminal import ProgressBar

HOUSEHOLD_LABEL = f"Window(Home).Property({PROPERTY})"
OTHER_DEVICE_TEXT = (
    "that Kodi syncs its shared library itself; set its add-on to 'Another device syncs it' "
    "to let this runner sync for the household"
)
SCAN_POLL = 2.0
SCAN_WAIT = 1800.0  # a scan longer than 30 minutes: sync anyway (the next run rates the rest)


def _wait_for_scan(ctx: RunnerContext, rpc: JsonRpc, progress: Progress) -> bool:
    """Wait while Kodi scans its video library; False when interrupted."""
    waited = 0.0
    while waited < SCAN_WAIT:
        answer = rpc.call("XBMC.GetInfoBooleans", {"booleans": ["Library.IsScanningVideo"]})
        if not (isinstance(answer, dict) and answer.get("Library.IsScanningVideo")):
            return True
        progress.update(0, Stage.CHECK, "Kodi is scanning its library")
        if ctx.interrupt.wait(SCAN_POLL):
            return False
        waited += SCAN_POLL
    return True


def kodi_household(rpc: JsonRpc) -> str:
    """What the add-on's service on that Kodi publishes (`Household.describe()`), or "" when
    it does not run there."""
    answer = rpc.call("XBMC.GetInfoLabels", {"labels": [HOUSEHOLD_LABEL]})
    value = answer.get(HOUSEHOLD_LABEL) if isinstance(answer, dict) else None
    return value if isinstance(value, str) else ""


def _finish(ctx: RunnerContext, report: Report, as_json: bool) -> ExitCode:
    save_report(ctx.report_path, report)
    data = report.to_dict()
    code = for_report(data)
    if as_json:
        output.print_json(ctx.stdout, data)
    elif code in (ExitCode.OK, ExitCode.PARTIAL):
        for line in output.summary(data):
            output.say(ctx.stdout, line)
    elif code is ExitCode.INTERRUPTED:
        output.say(ctx.stderr, "Stopped: what was written so far is kept.")
    if code not in (ExitCode.OK, ExitCode.INTERRUPTED):
        output.error(ctx.stderr, report.error or "the sync did not finish", code)
    return code


class _OtherDeviceSyncs(Exception):
    """The Kodi the runner talks to syncs its shared library itself."""


def _locked_run(ctx: RunnerContext, creds: Any, progress: Progress, *, dry_run: bool, mode: Mode):
    """Kodi answers, is not the household's syncing device and is not scanning: the engine
    runs. Raises SyncError (before the engine) or _OtherDeviceSyncs."""
    client = ctx.signed_in_client(creds)
    library = ctx.library()
    preflight = JsonRpc(ctx.transport())
    preflight.call("JSONRPC.Ping")
    role = role_of(kodi_household(preflight))  # None: not shared, or no add-on there
    if role is Role.THIS_DEVICE:
        raise _OtherDeviceSyncs()
    if ctx.config.two_way:
        require_write(creds.auth_version, creds.scope)
    if not _wait_for_scan(ctx, preflight, progress):
        return Report.ended_early(
            Cancelled.code, result=RESULT_CANCELLED, dry_run=dry_run, mode=mode.value
        )
    options = SyncOptions(
        types=ctx.config.types,
        batch_size=ctx.config.batch_size,
        dry_run=dry_run,
        mode=mode,
        policy=ctx.config.policy,
        title_fallback=ctx.config.title_fallback,
        account_id=creds.account_id,
        two_way=ctx.config.two_way,
        shared_library=ctx.config.shared_library or role is not None,
    )
    return run_sync(client, library, options, progress, ctx.sync_state())


def run(ctx: RunnerContext, *, dry_run: bool, rebuild: bool, as_json: bool) -> ExitCode:
    """One sync (or preview); the exit code says how it ended."""
    mode = Mode.REBUILD if rebuild else Mode.SYNC
    if not ctx.config.kodi_url:
        output.error(
            ctx.stderr,
            "no Kodi URL (--kodi-url, SIMKL_RATINGS_KODI_URL or config.ini)",
            ExitCode.USAGE,
        )
        return ExitCode.USAGE
    try:
        ctx.transport()  # a malformed URL is a usage error, before anything else happens
    except SyncError as exc:
        output.error(ctx.stderr, str(exc), ExitCode.USAGE)
        return ExitCode.USAGE
    creds = ctx.current_credentials()
    if creds is None:
        report = Report.ended_early(
            SignedOut.code, "not signed in to Simkl", dry_run=dry_run, mode=mode.value
        )
        return _finish(ctx, report, as_json)
    lock = ctx.run_lock()
    if not lock.acquire("preview" if dry_run else "sync"):
        output.error(ctx.stderr, "another sync is running", ExitCode.BUSY)
        return ExitCode.BUSY
    bar = ProgressBar(ctx.stderr, interrupted=ctx.interrupt)
    failure: tuple[str, ExitCode] | None = None
    try:
        progress = HeartbeatProgress(bar, lock)
        try:
            report = _locked_run(ctx, creds, progress, dry_run=dry_run, mode=mode)
        except _OtherDeviceSyncs:
            failure = (OTHER_DEVICE_TEXT, ExitCode.OTHER_DEVICE)
        except SyncError as exc:
            if for_error_code(exc.code) is ExitCode.USAGE:
                failure = (str(exc), ExitCode.USAGE)
            report = Report.ended_early(exc.code, str(exc), dry_run=dry_run, mode=mode.value)
        bar.close()
    finally:
        lock.release()
    if failure is not None:
        output.error(ctx.stderr, *failure)
        return failure[1]
    if report.error_code == SignedOut.code:
        ctx.credentials().clear()  # Simkl ended it, as the add-on does: `status` tells the truth
    return _finish(ctx, report, as_json)
