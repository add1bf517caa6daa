"""The Programs entry and RunScript/ExecuteAddon actions: sync, preview, login, logout, report."""

from __future__ import annotations

import logging
import sys
from typing import Callable

from kodi_six import xbmc, xbmcgui

from .. import ADDON_ID
from ..core.errors import SyncError
from ..core.sync.report import load_report
from ..core.sync.run import Mode
from . import strings as S
from .context import AddonContext
from .log import log_error
from .login import sign_in, sign_out
from .messages import error_text, report_text
from .rate_action import run as rate
from .runner import run
from .ui import Dialog, notify

LOG = logging.getLogger(__name__)

Action = Callable[[AddonContext, xbmc.Monitor], None]


def _sync(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    run(ctx, monitor)


def _preview(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    run(ctx, monitor, dry_run=True)


def _rebuild(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    run(ctx, monitor, mode=Mode.REBUILD)


def _login(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    try:
        sign_in(ctx, monitor)
    except SyncError as exc:
        LOG.error("sign-in failed (%s): %s", exc.code, exc)
        notify(ctx, error_text(ctx, exc.code), error=True)


def _logout(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    sign_out(ctx)


def _report(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    data = load_report(ctx.report_path)
    if data is None:
        Dialog().ok(ctx.name, ctx.localize(S.NO_REPORT))
        return
    Dialog().textviewer(ctx.name, report_text(ctx, data))


def _settings(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    ctx.addon.openSettings()


ACTIONS: dict[str, Action] = {
    "sync": _sync,
    "preview": _preview,
    "rebuild": _rebuild,
    "login": _login,
    "logout": _logout,
    "report": _report,
    "settings": _settings,
    "rate": rate,  # keymaps, skins, JSON-RPC, the context menu and the playback prompt
}
MENU = [
    ("sync", S.ACTION_SYNC),
    ("preview", S.ACTION_PREVIEW),
    ("rebuild", S.ACTION_REBUILD),
    ("login", S.ACTION_LOGIN),
    ("logout", S.ACTION_LOGOUT),
    ("report", S.ACTION_REPORT),
    ("settings", S.ACTION_SETTINGS),
]


def parse_action(argv: list[str]) -> str | None:
    """The action from RunScript(id,ACTION), ExecuteAddon params ["ACTION"] or "action=ACTION"."""
    for arg in argv[1:]:
        word = arg.strip().lstrip("?")
        if word.startswith(("action=", "mode=")):
            word = word.split("=", 1)[1]
        if word:
            return word.lower()
    return None


def _menu(ctx: AddonContext) -> str | None:
    labels = [ctx.localize(string_id) for _, string_id in MENU]
    choice = Dialog().select(ctx.name, labels)
    return MENU[choice][0] if 0 <= choice < len(MENU) else None


def main(argv: list[str] | None = None) -> None:
    """Entry point of default.py. Never raises: errors become a message and a log line."""
    argv = sys.argv if argv is None else argv
    try:
        ctx = AddonContext()
        action = parse_action(argv)
        if action is not None and action not in ACTIONS:
            LOG.warning("unknown action %r; showing the menu", action)
            action = None
        if action is None:
            action = _menu(ctx)
        if action is not None:
            LOG.debug("action %s", action)
            ACTIONS[action](ctx, xbmc.Monitor())
    except Exception as exc:  # the last line of defence: a message, not a traceback
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        location = f"{where.tb_frame.f_code.co_filename}:{where.tb_lineno}" if where else "?"
        log_error(f"unexpected {type(exc).__name__} at {location}: {exc}")
        Dialog().notification(ADDON_ID, "Error", xbmcgui.NOTIFICATION_ERROR, 6000)
