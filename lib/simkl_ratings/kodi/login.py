"""Sign-in and sign-out, as the user sees them in Kodi.

The loops live in core (`core/app/signin.py`); here is the window that shows the code, the
address and, when it can be made, a QR code, with a countdown and Cancel, plus what the user
is told afterwards.
"""

from __future__ import annotations

import logging
import time

from kodi_six import xbmc, xbmcgui

from ..core.app import signin
from ..core.simkl.credentials import Credentials
from ..core.simkl.signin import LoginOutcome, PinCode, grants_write
from . import strings as S
from .context import AddonContext
from .pin_dialog import PinDialog
from .ui import notify

LOG = logging.getLogger(__name__)

TICK = 0.25
ACCOUNT_SETTING = "account"  # read-only status line in the settings dialog


class _CodeWindow:
    """The sign-in window as the core's code view, and the wait that keeps it live."""

    def __init__(self, dialog: PinDialog, monitor: xbmc.Monitor) -> None:
        self.dialog = dialog
        self.monitor = monitor
        self.deadline = 0.0

    def show(self, code: PinCode, version: int) -> None:
        self.deadline = time.monotonic() + code.expires_in
        self.dialog.show_code(code)
        LOG.info(
            "sign-in code shown (AUTH V%d%s); waiting for approval on %s",
            version,
            ", with a QR code" if self.dialog.qr_path else "",
            code.verification_url,
        )

    def replaced(self) -> None:
        """A new code follows at once; nothing to tell the user."""

    def wait(self, seconds: float) -> bool:
        """Sleep in short ticks, keeping the countdown current; True on Cancel or Kodi quit."""
        end = time.monotonic() + seconds
        while True:
            self.dialog.set_remaining(self.deadline - time.monotonic())
            if self.dialog.cancelled or self.monitor.abortRequested():
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            if self.monitor.waitForAbort(min(TICK, left)):
                return True


def sign_in(
    ctx: AddonContext, monitor: xbmc.Monitor, *, write: bool | None = None
) -> Credentials | None:
    """Show a code, poll until approved, store the sign-in. None when it did not happen.

    `write` asks for permission to change the user's Simkl lists too; by default it follows
    the features (two-way sync writes to Simkl), otherwise only reading is asked for. Raises
    SyncError for problems the caller reports (settings, Simkl refusing the client).
    """
    write = ctx.settings.two_way if write is None else write
    ws = ctx.workspace(monitor)
    window = _CodeWindow(PinDialog.open(ctx), monitor)
    try:
        result = signin.sign_in(ws, write=write, view=window, wait=window.wait)
    finally:
        window.dialog.close()
    if result.creds is not None:
        return _signed_in(ctx, result.creds, write)
    if result.outcome in (LoginOutcome.EXPIRED, LoginOutcome.CODE_GONE):
        xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGIN_EXPIRED))
    if result.outcome is LoginOutcome.DENIED:
        xbmcgui.Dialog().ok(ctx.name, ctx.localize(S.LOGIN_DENIED))
    return None


def _signed_in(ctx: AddonContext, creds: Credentials, write: bool) -> Credentials:
    """Say so; warn when the new sign-in cannot write."""
    ctx.addon.setSetting(ACCOUNT_SETTING, creds.account_name or str(creds.account_id or ""))
    ctx.publish_household()
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
    result = signin.sign_out(ctx.workspace())
    ctx.addon.setSetting(ACCOUNT_SETTING, "")
    ctx.publish_household()
    xbmcgui.Dialog().ok(
        ctx.name, ctx.localize(S.LOGOUT_REVOKED if result.revoked else S.LOGOUT_DONE)
    )


def current_credentials(ctx: AddonContext) -> Credentials | None:
    """The stored sign-in, if it belongs to the client_id now configured."""
    return ctx.workspace().current_credentials()
