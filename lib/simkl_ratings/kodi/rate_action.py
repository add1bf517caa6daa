"""The `rate` action for keymaps, skins and JSON-RPC, and what the context menu and the
after-playback prompt run: find the rated item, ask with the rating window unless the call
brought the rating, then hand the choice to `rating.submit` once the window is closed.

`RunScript(script.simkl.ratings,rate,dbtype=movie,dbid=12[,rating=8])` and
`Addons.ExecuteAddon` with `["rate", "dbtype=movie", "dbid=12", "rating=8"]` both reach the
script's `sys.argv`; in a keymap, `focused` names the focused list item. A bad argument or an
item Kodi does not have is a toast in words and a log line, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Sequence

from kodi_six import xbmc

from ..core.errors import SyncError
from ..core.rate.args import RateArgsError, RateRequest, parse_rate_args
from ..core.rate.target import TargetError, resolve
from . import rating
from . import strings as S
from .context import AddonContext
from .messages import error_text
from .rate_dialog import ask
from .ui import notify

LOG = logging.getLogger(__name__)

ARG_STRINGS = {
    "missing": S.RATE_ARG_MISSING,
    "repeated": S.RATE_ARG_REPEATED,
    "unknown": S.RATE_ARG_UNKNOWN,
    "dbtype": S.RATE_ARG_DBTYPE,
    "dbid": S.RATE_ARG_DBID,
    "rating": S.RATE_ARG_RATING,
    "focused": S.RATE_ARG_FOCUSED,
}
FOCUSED_ITEM = ("ListItem.DBTYPE", "ListItem.DBID")  # what `focused` stands for


def run(ctx: AddonContext, monitor: xbmc.Monitor) -> None:
    """The `rate` action: Kodi hands RunScript's and ExecuteAddon's arguments over in
    sys.argv (default.py passes the same list to script.main)."""
    rate(ctx, monitor, sys.argv[1:])


def rate(ctx: AddonContext, monitor: xbmc.Monitor, words: Sequence[str]) -> None:
    focused = (xbmc.getInfoLabel(FOCUSED_ITEM[0]), xbmc.getInfoLabel(FOCUSED_ITEM[1]))
    try:
        request = parse_rate_args(words, focused)
    except RateArgsError as exc:
        text = ctx.localize(ARG_STRINGS[exc.code], name=exc.name, value=exc.value)
        LOG.warning("the rate action was called with a bad argument (%s): %s", exc.code, text)
        notify(ctx, text, error=True)
        return
    rate_item(ctx, monitor, request)


def rate_item(ctx: AddonContext, monitor: xbmc.Monitor, request: RateRequest) -> None:
    try:
        target = resolve(ctx.workspace().rpc(), request.dbtype, request.dbid)
    except TargetError as exc:
        text = ctx.localize(S.RATE_NOT_IN_LIBRARY, dbtype=exc.dbtype, dbid=exc.dbid)
        LOG.warning("rate: %s", text)
        notify(ctx, text, error=True)
        return
    except SyncError as exc:
        LOG.error("rate: Kodi's library could not be read: %s", exc)
        notify(ctx, error_text(ctx, exc.code), error=True)
        return
    item = target.item
    value = request.rating
    if value is None:
        LOG.info("asking for a rating of %s %d (%s %d)", item.kind.name, item.kodi_id,
                 request.dbtype, request.dbid)  # fmt: skip
        value = ask(ctx, monitor, target, rating.known_simkl_rating(ctx, item))
        if value is None:
            LOG.info("the rating window was skipped")
            return
    rating.submit(ctx, monitor, item, value)
