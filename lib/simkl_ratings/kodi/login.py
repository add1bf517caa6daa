"""Sign-in and sign-out, as the user sees them."""

from __future__ import annotations

import logging
import time

from kodi_six import xbmc, xbmcgui

from ..core.simkl.account import complete_sign_in
from ..core.simkl.credentials import Credentials
from ..core.simkl.pin import LoginOutcome, PinLogin
from . import strings as S
from .context import AddonContext
from .pin_dialog import PinDialog
from .ui import notify

LOG = logging.getLogger(__name__)

MAX_CODES = 3  # a code Simkl reports gone is replaced this many times before giving up
TICK = 0.25
ACCOUNT_SETTING = "account"  # read-only status line in the settings dialog


def sign_in(ctx: AddonContext, monitor: xbmc.Monitor) -> Credentials | None:
    """Show a code, poll until approved, store the token. None when it did not happen.

    Raises SyncError for problems the caller reports (settings, Simkl refusing the client).
    """
    client = ctx.simkl_client(wait=monitor.waitForAbort)
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

    login = PinLogin(client, wait=wait)
    try:
        for _attempt in range(MAX_CODES):
            code = login.start()
            deadline[0] = time.monotonic() + code.expires_in
            dialog.show_code(code)
            LOG.info("sign-in code shown; waiting for approval on %s", code.verification_url)
            result = login.wait_for_approval(code)
            if result.outcome is not LoginOutcome.CODE_GONE:
                break
            LOG.info("Simkl no longer knows the code; showing a new one")
    finally:
        dialog.close()
    if result.outcome is LoginOutcome.SIGNED_IN and result.token:
        creds = complete_sign_in(client, result.token)
        ctx.credentials().save(creds)
        ctx.addon.setSetting(ACCOUNT_SETTING, creds.account_name or str(creds.account_id or ""))
        LOG.info("signed in to Simkl (account %s)", creds.account_id)
        text = (
            ctx.localize(S.LOGIN_DONE_AS, name=creds.account_name)
            if creds.account_name
            else ctx.localize(S.LOGIN_DONE)
        )
        notify(ctx, text)
        return creds
    if result.outcome in (LoginOutcome.EXPIRED, LoginOutcome.CODE_GONE):
        xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGIN_EXPIRED))
    LOG.info("sign-in ended: %s", result.outcome.value)
    return None


def sign_out(ctx: AddonContext) -> None:
    had_token = ctx.credentials().clear()
    ctx.addon.setSetting(ACCOUNT_SETTING, "")
    LOG.info("signed out (a token was %s)", "removed" if had_token else "not stored")
    xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGOUT_DONE))


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
