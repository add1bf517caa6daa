"""`login` and `logout` in a terminal, on the core's sign-in flows (core/simkl/flows.py):
AUTH V2's device flow first, V1's PIN when Simkl says the client id is a V1 app.

The code and the address are always printed; a QR code of the approval page is drawn above
them when the terminal can show it and the `pyqrcode` module is there (core/qr.py).
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence

from ..core.app import signin
from ..core.errors import SyncError
from ..core.qr import qr_matrix
from ..core.simkl.signin import LoginOutcome, PinCode
from . import output
from .context import RunnerContext
from .exit_codes import ExitCode, for_error_code
from .terminal import is_terminal, qr_lines, wants_colour

MatrixMaker = Callable[[str], Optional[Sequence[Sequence[int]]]]


def _show_code(
    ctx: RunnerContext,
    code: PinCode,
    *,
    qr: bool | None,
    make_matrix: MatrixMaker,
    env: Mapping[str, str],
) -> None:
    stream = ctx.stderr if ctx.json_output else ctx.stdout
    draw = is_terminal(stream) if qr is None else qr
    matrix = make_matrix(code.qr_text) if draw else None
    if matrix:
        output.say(stream, "Scan this QR code with your phone, or")
        for line in qr_lines(matrix, colour=wants_colour(stream, env)):
            stream.write(line + "\n")
    minutes = max(1, int(code.expires_in // 60))
    output.say(stream, f"open {code.verification_url} on any device and enter the code:")
    output.say(stream, f"\n    {code.user_code}\n")
    output.say(
        stream, f"Waiting for approval (the code expires in {minutes} minutes; Ctrl-C stops)."
    )


class _TerminalCode:
    """The core's code view: the code, the address and maybe a QR code, in the terminal."""

    def __init__(
        self, ctx: RunnerContext, qr: bool | None, make_matrix: MatrixMaker, env: Mapping
    ) -> None:
        self.ctx, self.qr, self.make_matrix, self.env = ctx, qr, make_matrix, env

    def show(self, code: PinCode, version: int) -> None:
        _show_code(self.ctx, code, qr=self.qr, make_matrix=self.make_matrix, env=self.env)

    def replaced(self) -> None:
        output.say(self.ctx.stderr, "Simkl no longer knows that code; here is a new one.")


def login(
    ctx: RunnerContext,
    *,
    qr: bool | None,
    env: Mapping[str, str],
    make_matrix: MatrixMaker = qr_matrix,
) -> ExitCode:
    """Sign in; the new sign-in replaces a stored one only once it succeeded."""
    view = _TerminalCode(ctx, qr, make_matrix, env)
    try:  # two-way writes to Simkl: ask for that up front
        result = signin.sign_in(ctx.workspace(), write=ctx.config.two_way, view=view)
    except SyncError as exc:
        code_ = for_error_code(exc.code)
        output.error(ctx.stderr, str(exc), code_)
        return code_
    creds = result.creds
    if creds is None:
        return _not_signed_in(ctx, result.outcome)
    who = creds.account_name or (f"account {creds.account_id}" if creds.account_id else "Simkl")
    if ctx.json_output:
        output.print_json(
            ctx.stdout,
            {
                "signed_in": True,
                "account_id": creds.account_id,
                "account_name": creds.account_name,
                "auth_version": creds.auth_version,
            },
        )
    else:
        output.say(ctx.stdout, f"Signed in to Simkl as {who}.")
    return ExitCode.OK


def _not_signed_in(ctx: RunnerContext, outcome: LoginOutcome) -> ExitCode:
    if outcome is LoginOutcome.CANCELLED:
        output.say(ctx.stderr, "Sign-in cancelled.")
        return ExitCode.INTERRUPTED
    reason = {
        LoginOutcome.DENIED: "the sign-in was refused on simkl.com",
        LoginOutcome.EXPIRED: "the code expired before it was approved",
        LoginOutcome.CODE_GONE: "Simkl kept forgetting the code",
    }.get(outcome, outcome.value)
    output.error(ctx.stderr, f"not signed in: {reason}", ExitCode.NOT_SIGNED_IN)
    return ExitCode.NOT_SIGNED_IN


def logout(ctx: RunnerContext) -> ExitCode:
    """V2: revoke at Simkl (its answer proves nothing), then forget here; V1: forget."""
    ws = ctx.workspace()
    if ws.credentials().load() is None:
        output.say(ctx.stdout, "Not signed in.")
        return ExitCode.OK
    result = signin.sign_out(ws)
    if result.problem:
        problem = result.problem[0].upper() + result.problem[1:]
        output.say(ctx.stderr, f"{problem}; signing out here anyway.")
    where = "revoked at Simkl and forgotten here" if result.revoked else "forgotten on this machine"
    output.say(ctx.stdout, f"Signed out: the sign-in was {where}.")
    return ExitCode.OK
