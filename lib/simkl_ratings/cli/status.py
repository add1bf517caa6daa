"""`status`: the signed-in account, the last report, and what the next sync would do.

"Pending" is read from the state folder (failed writes to retry, changed options, no baseline
yet) and, unless `--offline`, from one `/sync/activities` request (which types moved on Simkl
since the last sync) and one `JSONRPC.Ping` to Kodi. Nothing is written anywhere.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import ScopeMissing, SignedOut, SyncError
from ..core.library.jsonrpc import JsonRpc
from ..core.simkl import activities as activity_gate
from ..core.sync.household import NOT_SHARED, Role
from ..core.sync.report import load_report
from ..core.timeutil import format_instant, parse_instant
from . import output
from .context import RunnerContext
from .exit_codes import ExitCode, for_error_code
from .sync import kodi_household


def _account(ctx: RunnerContext) -> dict[str, Any] | None:
    creds = ctx.workspace().current_credentials()
    if creds is None:
        return None
    return {
        "account_id": creds.account_id,
        "account_name": creds.account_name,
        "auth_version": creds.auth_version,
        "scope": creds.scope,
        "expires_at": creds.expires_at,
        "signed_in_at": creds.created_at,
    }


def _pending(ctx: RunnerContext, offline: bool, signed_in: bool) -> tuple[dict[str, Any], ExitCode]:
    """What the next sync has to do, and the exit code of the Simkl check."""
    config = ctx.config
    ws = ctx.workspace()
    state = ws.sync_state().load()
    options = config.preferences().options(account_id=None, shared_library=config.shared_library)
    pending: dict[str, Any] = {
        "first_sync": state is None or state.activities is None,
        "retry_writes": bool(state and state.needs_apply),
        "options_changed": bool(
            state and state.fingerprint and state.fingerprint != options.fingerprint
        ),
        "simkl_moved": None,  # unknown offline
    }
    blocked = ws.quota_gate().blocked_until()
    pending["quota_blocked_until"] = format_instant(blocked) if blocked else None
    if offline or not signed_in or blocked is not None or state is None or state.activities is None:
        return pending, ExitCode.OK
    creds = ws.current_credentials()
    assert creds is not None
    try:
        current = activity_gate.validate(ws.signed_in_client(creds).activities())
    except SyncError as exc:
        pending["simkl_error"] = str(exc)
        return pending, for_error_code(exc.code)
    groups = tuple(t.activity_group for t in config.types)
    changes = activity_gate.compare(state.activities, current, groups)
    pending["simkl_moved"] = (
        sorted(t.name for t in config.types if t.activity_group in changes.groups) or []
    )
    return pending, ExitCode.OK


SIGN_IN_ERRORS = (SignedOut.code, ScopeMissing.code)
HOUSEHOLD_WORDS = {
    NOT_SHARED: "not signed in, and the library is not shared: this runner may sync it.",
    Role.UNDECIDED.label: "no device chosen yet; this runner may sync it.",
    Role.THIS_DEVICE.label: "it syncs that library itself; `sync` leaves it alone (exit code 8).",
    Role.ANOTHER_DEVICE.label: "another device syncs it (this runner may be that device).",
}


def _kodi(ctx: RunnerContext, offline: bool) -> tuple[dict[str, Any], ExitCode]:
    config = ctx.config
    kodi: dict[str, Any] = {"url": None, "reachable": None}
    if not config.kodi_url:
        return kodi, ExitCode.OK
    try:
        transport = ctx.transport()
    except SyncError as exc:
        kodi["error"] = str(exc)
        return kodi, ExitCode.USAGE
    kodi["url"] = transport.url
    if offline:
        return kodi, ExitCode.OK
    try:
        rpc = JsonRpc(transport)
        rpc.call("JSONRPC.Ping")
        kodi["household"] = kodi_household(rpc) or None  # None: the add-on does not run there
    except SyncError as exc:
        kodi["reachable"] = False
        kodi["error"] = str(exc)
        return kodi, ExitCode.KODI
    kodi["reachable"] = True
    return kodi, ExitCode.OK


def _last(report: dict[str, Any] | None, account: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last run's summary; `before_sign_in` when it failed for want of a sign-in before
    the one now stored was made (its "not signed in" is history, not the state of things)."""
    if report is None:
        return None
    keys = (
        "finished_at",
        "result",
        "mode",
        "dry_run",
        "activities_unchanged",
        "error",
        "error_code",
    )
    summary = {key: report.get(key) for key in keys}
    summary["summary"] = output.summary(report)[0]
    ran = parse_instant(report.get("finished_at"))
    signed_in = parse_instant(account["signed_in_at"]) if account else None
    signed_out = report.get("error_code") in SIGN_IN_ERRORS
    summary["before_sign_in"] = bool(signed_out and ran and signed_in and ran <= signed_in)
    return summary


def status(ctx: RunnerContext, *, offline: bool) -> ExitCode:
    """Exit 0 when signed in and every check passed; else the code of the first problem."""
    account = _account(ctx)
    pending, simkl_code = _pending(ctx, offline, account is not None)
    kodi, kodi_code = _kodi(ctx, offline)
    data = {
        "signed_in": account is not None,
        "account": account,
        "kodi": kodi,
        "last_sync": _last(load_report(ctx.workspace().report_path), account),
        "pending": pending,
        "config": ctx.config.describe(),
        "config_dir": ctx.paths.config_dir,
        "state_dir": ctx.paths.state_dir,
    }
    codes = [ExitCode.NOT_SIGNED_IN if account is None else ExitCode.OK, simkl_code, kodi_code]
    code = next((c for c in codes if c is not ExitCode.OK), ExitCode.OK)
    if ctx.json_output:
        output.print_json(ctx.stdout, data)
    else:
        for line in _words(data):
            output.say(ctx.stdout, line)
    return code


def _words(data: dict[str, Any]) -> list[str]:
    account = data["account"]
    if account is None:
        lines = ["Simkl: not signed in (run `simkl-ratings-sync login`)."]
    else:
        who = account["account_name"] or f"account {account['account_id']}"
        until = f", token valid until {account['expires_at']}" if account["expires_at"] else ""
        since = f", since {account['signed_in_at']}" if account["signed_in_at"] else ""
        lines = [f"Simkl: signed in as {who} (AUTH V{account['auth_version']}{since}{until})."]
    kodi = data["kodi"]
    if kodi["url"] is None:
        lines.append(
            "Kodi: no URL configured" + (f" ({kodi['error']})" if kodi.get("error") else "") + "."
        )
    else:
        state = {
            True: "reachable",
            False: f"NOT reachable: {kodi.get('error')}",
            None: "not checked",
        }
        lines.append(f"Kodi: {kodi['url']} ({state[kodi['reachable']]}).")
        if kodi.get("household"):
            role = kodi["household"]
            lines.append(f"The add-on on that Kodi: {HOUSEHOLD_WORDS.get(role, role)}")
    lines.append(_last_words(data["last_sync"]))
    lines.append(_pending_words(data["pending"]))
    return lines


def _last_words(last: dict[str, Any] | None) -> str:
    if last is None:
        return "Last sync: never."
    if last["before_sign_in"]:
        return f"Last sync: {last['finished_at']}, before this sign-in: {last['summary']}"
    return f"Last sync: {last['finished_at']}: {last['summary']}"


def _pending_words(pending: dict[str, Any]) -> str:
    todo = []
    if pending["first_sync"]:
        todo.append("the first sync downloads every rating")
    if pending["retry_writes"]:
        todo.append("writes that failed or were interrupted are retried")
    if pending["options_changed"]:
        todo.append("the options changed: the next sync applies them")
    if pending["simkl_moved"]:
        todo.append("ratings moved on Simkl: " + ", ".join(pending["simkl_moved"]))
    if pending.get("simkl_error"):
        todo.append(f"Simkl could not be asked ({pending['simkl_error']})")
    if pending["quota_blocked_until"]:
        todo.append(f"Simkl's daily quota is used up until {pending['quota_blocked_until']}")
    if not todo and pending["simkl_moved"] is not None:
        todo.append("nothing: Kodi has every Simkl rating")
    return "Pending: " + ("; ".join(todo) if todo else "unknown (offline)") + "."
