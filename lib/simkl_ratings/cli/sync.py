"""`sync` and `preview`: one run of the engine against Kodi over HTTP, as the add-on runs it.

Before Simkl is asked anything, Kodi must answer `JSONRPC.Ping` with the given user and
password (a wrong password fails fast, even on a day nothing changed on Simkl), and a running
library scan is waited for, so the library is read once, whole. Every run that got that far
leaves `last_sync.json` in the state folder, like the add-on's.
"""

from __future__ import annotations

from ..core.errors import Cancelled, SignedOut, SyncError
from ..core.library.jsonrpc import JsonRpc
from ..core.sync.lock import HeartbeatProgress
from ..core.sync.report import RESULT_CANCELLED, Report, save_report
from ..core.sync.run import Mode, Progress, Stage, SyncOptions, run_sync
from . import output
from .context import RunnerContext
from .exit_codes import ExitCode, for_error_code, for_report
from .terminal import ProgressBar

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
    try:
        progress = HeartbeatProgress(bar, lock)
        try:
            client = ctx.signed_in_client(creds)
            library = ctx.library()
            preflight = JsonRpc(ctx.transport())
            preflight.call("JSONRPC.Ping")
            ready = _wait_for_scan(ctx, preflight, progress)
        except SyncError as exc:
            if for_error_code(exc.code) is ExitCode.USAGE:
                bar.close()
                output.error(ctx.stderr, str(exc), ExitCode.USAGE)
                return ExitCode.USAGE
            report = Report.ended_early(exc.code, str(exc), dry_run=dry_run, mode=mode.value)
        else:
            if not ready:
                report = Report.ended_early(
                    Cancelled.code, result=RESULT_CANCELLED, dry_run=dry_run, mode=mode.value
                )
            else:
                options = SyncOptions(
                    types=ctx.config.types,
                    batch_size=ctx.config.batch_size,
                    dry_run=dry_run,
                    mode=mode,
                    policy=ctx.config.policy,
                    title_fallback=ctx.config.title_fallback,
                    account_id=creds.account_id,
                )
                report = run_sync(client, library, options, progress, ctx.sync_state())
        bar.close()
    finally:
        lock.release()
    if report.error_code == SignedOut.code:
        ctx.credentials().clear()  # Simkl ended it, as the add-on does: `status` tells the truth
    return _finish(ctx, report, as_json)
