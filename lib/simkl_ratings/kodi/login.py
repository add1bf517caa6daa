"""Sign-in and sign-out, as the user sees them.

Sign-in tries Simkl's device flow (AUTH V2) first and the PIN flow (V1) when Simkl says the
client id is a V1 app (core/simkl/flows.py); either way the same window shows the code, the
address and, when it can be made, a QR code. Sign-out of a V2 sign-in revokes it at Simkl
first, then forgets it here whatever Simkl answered.
"""

from __future__ import annotations

import logging
import time

from kodi_six import xbmc, xbmcgui

from ..core.errors import SyncError
from ..core.simkl.account import complete_sign_in
from ..core.simkl.credentials import Credentials
from ..core.simkl.flows import start_sign_in
from ..core.simkl.signin import LoginOutcome, LoginResult, grants_write, scope_for
from . import strings as S
from .context import AddonContext
from .pin_dialog import PinDialog
from .ui import notify

LOG = logging.getLogger(__name__)

MAX_CODES = 3  # a code Simkl reports gone is replaced this many times before giving up
TICK = 0.25
ACCOUNT_SETTING = "account"  # read-only status line in the settings dialog


def sign_in(
    ctx: AddonContext, monitor: xbmc.Monitor, *, write: bool | None = None
) -> Credentials | None:
    """Show a code, poll until approved, store the sign-in. None when it did not happen.

    `write` asks for permission to change the user's Simkl lists too; by default it follows
    the features (two-way sync writes to Simkl), otherwise only reading is asked for. Raises
    SyncError for problems the caller reports (settings, Simkl refusing the client).
    """
    write = ctx.settings.two_way if write is None else write
    client = ctx.simkl_client(wait=monitor.waitForAbort)
    scope = scope_for(write)
    dialog = PinDialog.open(ctx)
    deadline = [0.0]

    def wait(seconds: float) -> bool:
        end = time.monotonic() + seconds
        while True:
            dialog.set_remaining(deadline[0] - time.monotonic())
            if dialog.cancelled or monitor.abortRequested():
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            if monitor.waitForAbort(min(TICK, left)):
                return True

    result = LoginResult(LoginOutcome.CANCELLED)
    try:
        for _attempt in range(MAX_CODES):
            login, code = start_sign_in(client, ctx.flow_memory(), scope=scope, wait=wait)
            deadline[0] = time.monotonic() + code.expires_in
            dialog.show_code(code)
            LOG.info(
                "sign-in code shown (AUTH V%d%s); waiting for approval on %s",
                login.version,
                ", with a QR code" if dialog.qr_path else "",
                code.verification_url,
            )
            result = login.wait_for_approval(code)
            if result.outcome is not LoginOutcome.CODE_GONE:
                break
            LOG.info("Simkl no longer knows the code; showing a new one")
    finally:
        dialog.close()
    if result.outcome is LoginOutcome.SIGNED_IN and result.grant:
        return _signed_in(ctx, complete_sign_in(client, result.grant, scope), write)
    if result.outcome in (LoginOutcome.EXPIRED, LoginOutcome.CODE_GONE):
        xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGIN_EXPIRED))
    if result.outcome is LoginOutcome.DENIED:
        xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGIN_DENIED))
    LOG.info("sign-in ended: %s", result.outcome.value)
    return None


def _signed_in(ctx: AddonContext, creds: Credentials, write: bool) -> Credentials:
    """Keep the new sign-in (0600, atomically), and say so; warn when it cannot write."""
    ctx.credentials().save(creds)
    ctx.addon.setSetting(ACCOUNT_SETTING, creds.account_name or str(creds.account_id or ""))
    LOG.info(
        "signed in to Simkl (account %s, AUTH V%d, scope %s)",
        creds.account_id,
        creds.auth_version,
        creds.scope or "-",
    )
    if write and creds.auth_version >= 2 and not grants_write(creds.scope):
        LOG.warning("Simkl granted %s only; writing to Simkl needs media:write", creds.scope)
        xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.ERROR_SCOPE))
    text = (
        ctx.localize(S.LOGIN_DONE_AS, name=creds.account_name)
        if creds.account_name
        else ctx.localize(S.LOGIN_DONE)
    )
    notify(ctx, text)
    return creds


def sign_out(ctx: AddonContext) -> None:
    """V2: revoke at Simkl (its answer proves nothing), then forget; V1: forget."""
    store = ctx.credentials()
    creds = store.load()
    revoked = False
    if creds is not None and creds.auth_version >= 2 and creds.refresh_token:
        try:
            ctx.simkl_client().revoke(creds.refresh_token)
            revoked = True
        except SyncError as exc:
            LOG.info("Simkl did not confirm the revoke (%s); signing out here anyway", exc.code)
    had_token = store.clear()
    ctx.addon.setSetting(ACCOUNT_SETTING, "")
    LOG.info("signed out (a token was %s)", "removed" if had_token else "not stored")
    xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGOUT_REVOKED if revoked else S.LOGOUT_DONE))


def current_credentials(ctx: AddonContext) -> Credentials | None:
    """The stored sign-in, if it belongs to the client_id now configured."""
    creds = ctx.credentials().load()
    if creds is None:
        return None
    client_id = ctx.settings.effective_client_id(ctx.packaged_client_id())
    if creds.client_id and creds.client_id != client_id:
        LOG.warning("the stored sign-in was made with another client_id; sign in again")
        return None
    return creds
