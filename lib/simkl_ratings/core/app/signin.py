"""Signing in and out, as both shells do it: the code loop and the revoke.

A sign-in asks Simkl for a code with the flow this client id speaks (core/simkl/flows.py),
shows it through the shell's view, and polls until it is approved, refused, expired or
cancelled; a code Simkl forgot is replaced a few times. The new sign-in replaces a stored one
only once it succeeded. Signing out of a V2 sign-in revokes it at Simkl first (its answer
proves nothing, RFC 7009) and forgets it here whatever Simkl answered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from ..errors import SimklError, SyncError
from ..simkl.account import complete_sign_in
from ..simkl.client import Wait
from ..simkl.credentials import Credentials
from ..simkl.flows import start_sign_in
from ..simkl.signin import LoginOutcome, LoginResult, PinCode, scope_for
from .workspace import Workspace

LOG = logging.getLogger(__name__)

MAX_CODES = 3  # a code Simkl reports gone is replaced this many times before giving up


class CodeView(Protocol):
    """How a shell shows the code: the Kodi window, or the terminal."""

    def show(self, code: PinCode, version: int) -> None:
        """A new code to enter at `code.verification_url` (AUTH V`version`)."""

    def replaced(self) -> None:
        """Simkl no longer knows the code shown; a new one follows."""


@dataclass(frozen=True)
class SignInResult:
    outcome: LoginOutcome
    creds: Credentials | None = None  # the stored sign-in when `outcome` is SIGNED_IN


def sign_in(
    ws: Workspace, *, write: bool, view: CodeView, wait: Wait | None = None
) -> SignInResult:
    """Show codes until one is approved (or not); store the sign-in it gave.

    `write` asks for permission to change the user's Simkl lists too; otherwise only reading.
    `wait` paces the polls (the shell's window keeps its countdown and Cancel live in it).
    Raises SyncError for what the shell reports (settings, Simkl refusing the client).
    """
    client = ws.client()
    scope = scope_for(write)
    result = LoginResult(LoginOutcome.CANCELLED)
    for _attempt in range(MAX_CODES):
        login, code = start_sign_in(client, ws.flow_memory(), scope=scope, wait=wait or ws.wait)
        view.show(code, login.version)
        result = login.wait_for_approval(code)
        if result.outcome is not LoginOutcome.CODE_GONE:
            break
        LOG.info("Simkl no longer knows the code; showing a new one")
        view.replaced()
    if result.outcome is not LoginOutcome.SIGNED_IN or result.grant is None:
        LOG.info("sign-in ended: %s", result.outcome.value)
        return SignInResult(result.outcome)
    creds = complete_sign_in(client, result.grant, scope)
    ws.credentials().save(creds)
    LOG.info(
        "signed in to Simkl (account %s, AUTH V%d, scope %s)",
        creds.account_id,
        creds.auth_version,
        creds.scope or "-",
    )
    return SignInResult(LoginOutcome.SIGNED_IN, creds)


@dataclass(frozen=True)
class SignOutResult:
    had_sign_in: bool
    revoked: bool  # Simkl confirmed the revoke (V2 only)
    problem: str | None = None  # why the revoke could not be confirmed, in words


def sign_out(ws: Workspace) -> SignOutResult:
    """V2: revoke at Simkl, then forget here whatever Simkl answered; V1: forget."""
    store = ws.credentials()
    creds = store.load()
    revoked, problem = False, None
    if creds is not None and creds.auth_version >= 2 and creds.refresh_token:
        try:
            ws.client().revoke(creds.refresh_token)
            revoked = True
        except SimklError as exc:
            problem = f"Simkl did not confirm the revoke ({exc.code})"
        except SyncError as exc:  # no client id configured: nothing to revoke with
            problem = f"could not revoke at Simkl ({exc})"
        if problem:
            LOG.info("%s; signing out here anyway", problem)
    had = store.clear()
    LOG.info("signed out (a token was %s)", "removed" if had else "not stored")
    return SignOutResult(had_sign_in=had, revoked=revoked, problem=problem)
