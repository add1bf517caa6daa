"""`sync` and `preview`: one run of the engine against Kodi over HTTP, as the add-on runs it.

Before Simkl is asked anything, Kodi must answer `JSONRPC.Ping` with the given user and
password (a wrong password fails fast, even on a day nothing changed on Simkl), and must not
be a Kodi whose add-on syncs that library itself. The run is the core's `locked_sync`; every
run that got that far leaves `last_sync.json` in the state folder, like the add-on's.
"""

from __future__ import annotations

from ..core.app.sync import locked_sync
from ..core.errors import SignedOut, SyncError
from ..core.library.jsonrpc import JsonRpc
from ..core.sync.household import PROPERTY, Role, role_of
from ..core.sync.report import Report, save_report
from ..core.sync.run import Mode
from . import output
from .context import RunnerContext
from .exit_codes import ExitCode, for_report
from .terminal import ProgressBar

HOUSEHOLD_LABEL = f"Window(Home).Property({PROPERTY})"
OTHER_DEVICE_TEXT = (
    "the Simkl Ratings Sync add-on on that Kodi syncs its library itself; to let this runner "
    "sync it instead, sign out in that add-on (a library of its own) or set it to 'Another "
    "device syncs it' (a library shared by several devices)"
)
SCAN_POLL = 2.0


class OtherDeviceSyncs(SyncError):
    """The Kodi the runner talks to syncs its library itself (the add-on there does)."""

    code = "other_device"


def kodi_household(rpc: JsonRpc) -> str:
    """What the add-on's service on that Kodi publishes (`Household.describe()`), or "" when
    it does not run there."""
    answer = rpc.call("XBMC.GetInfoLabels", {"labels": [HOUSEHOLD_LABEL]})
    value = answer.get(HOUSEHOLD_LABEL) if isinstance(answer, dict) else None
    return value if isinstance(value, str) else ""


def preflight(rpc: JsonRpc) -> bool:
    """Kodi answers and is not the household's syncing device; True when its add-on says the
    library is shared (the runner then syncs for the household)."""
    rpc.call("JSONRPC.Ping")
    published = kodi_household(rpc)
    role = role_of(published)  # None: not shared and the add-on not signed in, or no add-on
    if role is Role.THIS_DEVICE:
        raise OtherDeviceSyncs(OTHER_DEVICE_TEXT)
    return role is not None


def _finish(ctx: RunnerContext, report: Report, as_json: bool) -> ExitCode:
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
    try:
        ctx.transport()  # no URL or a malformed one: a usage error, before anything happens
    except SyncError as exc:
        output.error(ctx.stderr, str(exc), ExitCode.USAGE)
        return ExitCode.USAGE
    ws = ctx.workspace()
    if ws.current_credentials() is None:
        report = Report.ended_early(
            SignedOut.code, "not signed in to Simkl", dry_run=dry_run, mode=mode.value
        )
        save_report(ws.report_path, report)
        return _finish(ctx, report, as_json)
    bar = ProgressBar(ctx.stderr, interrupted=ctx.interrupt)
    try:
        outcome = locked_sync(
            ws,
            ctx.config.preferences(),
            owner="preview" if dry_run else "sync",
            progress=bar,
            dry_run=dry_run,
            mode=mode,
            shared_library=ctx.config.shared_library,
            preflight=preflight,
            scan_poll=SCAN_POLL,
        )
    finally:
        bar.close()
    if outcome.report is None:
        output.error(ctx.stderr, "another sync is running", ExitCode.BUSY)
        return ExitCode.BUSY
    return _finish(ctx, outcome.report, as_json)
