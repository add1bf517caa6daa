"""`sync` and `preview`: one run of the engine against Kodi over HTTP, as the add-on runs it.

Before Simkl is asked anything, Kodi must answer `JSONRPC.Ping` with the given user and
password (a wrong password fails fast, even on a day nothing changed on Simkl), and must not
be a Kodi whose add-on syncs that library itself. The run is the core's `locked_sync`; every
run that got that far leaves `last_sync.json` in the state folder, like the add-on's.
"""

from __future__ import annotations

from ..core.app.consent import answer_kodi_only
from ..core.app.sync import Question, SyncOutcome, locked_sync
from ..core.app.workspace import Workspace
from ..core.errors import SignedOut, SyncError
from ..core.library.jsonrpc import JsonRpc
from ..core.sync.household import PROPERTY, Role, role_of
from ..core.sync.report import Report, save_report
from ..core.sync.run import Consent, Mode
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


def _finish(ctx: RunnerContext, report: Report | None, as_json: bool) -> ExitCode:
    if report is None:
        output.error(ctx.stderr, "another sync is running", ExitCode.BUSY)
        return ExitCode.BUSY
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
    outcome = _locked(ctx, ws, dry_run=dry_run, mode=mode)
    code = _finish(ctx, outcome.report, as_json)
    if code is not ExitCode.OK or not outcome.questions:
        return code
    if not ctx.can_ask:
        _held_once(ctx, ws, outcome)
        return ExitCode.ASKS
    yes = _ask(ctx, ws, outcome)
    if not yes:
        return code
    again = _locked(ctx, ws, dry_run=dry_run, mode=mode, consent=outcome.consent(yes))
    return _finish(ctx, again.report, as_json)


def _locked(
    ctx: RunnerContext,
    ws: Workspace,
    *,
    dry_run: bool,
    mode: Mode,
    consent: Consent | None = None,
) -> SyncOutcome:
    bar = ProgressBar(ctx.stderr, interrupted=ctx.interrupt)
    try:
        return locked_sync(
            ws,
            ctx.config.preferences(),
            owner="preview" if dry_run else "sync",
            progress=bar,
            dry_run=dry_run,
            mode=mode,
            shared_library=ctx.config.shared_library,
            preflight=preflight,
            scan_poll=SCAN_POLL,
            consent=consent if consent is not None else (Consent() if ctx.can_ask else None),
        )
    finally:
        bar.close()


def _questions(outcome: SyncOutcome) -> list[tuple[Question, str]]:
    """What the run held back, as terminal questions."""
    report = outcome.report
    assert report is not None
    asked = []
    for question in outcome.questions:
        if question is Question.EMPTY_REPLY:
            types = ", ".join(report.suspicious_types)
            text = (
                f"Simkl sent none of your {types} ratings, though the add-on holds "
                f"{report.suspicious_holding} from it. Did you remove them all on Simkl? "
                "Yes clears them in Kodi too."
            )
        elif question is Question.CLEARS:
            titles = [i.get("title") or "?" for i in report.held_clear_items]
            named = ", ".join(titles[:5]) + (" …" if len(titles) > 5 else "")
            text = (
                f"{len(titles)} ratings were removed on Simkl since the last sync, more than a "
                f"sync clears without asking: {named}. Clear them in Kodi too?"
            )
        else:
            count = len(report.kodi_only_items)
            text = (
                f"{count} ratings are only in Kodi, not on Simkl. Send them to Simkl? (Rating "
                "a title on Simkl adds it to your Simkl lists.)"
            )
        asked.append((question, text))
    return asked


def _ask(ctx: RunnerContext, ws: Workspace, outcome: SyncOutcome) -> set[Question]:
    yes = set()
    for question, text in _questions(outcome):
        answer = ctx.ask(text)
        if question is Question.KODI_ONLY:
            answer = answer_kodi_only(ws, answer) and answer
        if answer:
            yes.add(question)
    return yes


def _held_once(ctx: RunnerContext, ws: Workspace, outcome: SyncOutcome) -> None:
    """No one to ask (cron): say once what waits, not in every mail."""
    notices = ws.notices()
    for question, text in _questions(outcome):
        if notices.first(f"asks-{question.value}", text):
            output.say(
                ctx.stderr,
                f"simkl-ratings-sync: held back: {text} (run `simkl-ratings-sync sync` in a "
                "terminal to answer)",
            )
