"""What a rating the user gives in Kodi does, as the user sees it: the seam between the rating
UI (the window, the after-playback prompt, the context menu, the `rate` action) and the
application layer (`core/app/rate.py`: Kodi at once, Simkl at once, the outbox otherwise).

Called after the window has closed, never with a dialog open; the lock a running sync holds
is waited for in core, and no question is asked while it is held. What became of the rating
is said in one toast; a sign-in that is missing or may not write is said once (notices), and
a read-only one is offered a new sign-in with write access, once (in the question, with no
toast over it).
"""

from __future__ import annotations

import logging

from kodi_six import xbmc

from ..core.app.rate import Sent, rate
from ..core.app.rate import known_simkl_rating as known
from ..core.errors import SyncError
from ..core.library.gateway import LibraryItem
from . import strings as S
from .context import AddonContext
from .login import current_credentials, sign_in
from .messages import error_text
from .ui import Dialog, notify

LOG = logging.getLogger(__name__)


def submit(ctx: AddonContext, monitor: xbmc.Monitor, item: LibraryItem, value: int) -> None:
    """The user chose `value` (1..10, or 0: remove the rating) for `item` (a movie or a TV
    show; a season or episode is already resolved to its show)."""
    ws = ctx.workspace(monitor)
    try:
        result = rate(ws, item, value)
    except SyncError as exc:  # Kodi refused the write, or the state could not be kept
        LOG.error("the rating of %s %d was not kept: %s", item.kind.name, item.kodi_id, exc)
        notify(ctx, error_text(ctx, exc.code), error=True)
        return
    LOG.info(
        "rated %s %d: %s; Simkl: %s%s",
        item.kind.name,
        item.kodi_id,
        value or "removed",
        result.sent.value,
        f" ({result.error})" if result.error else "",
    )
    _tell(ctx, monitor, item, value, result.sent)


def _tell(
    ctx: AddonContext, monitor: xbmc.Monitor, item: LibraryItem, value: int, sent: Sent
) -> None:
    title = item.title
    notices = ctx.workspace(monitor).notices()
    if sent is Sent.CONFIRMED:
        notices.clear("rate-sign-in")
        text = ctx.localize(S.RATE_SENT, rating=value, title=title)
        notify(ctx, ctx.localize(S.RATE_REMOVED_SENT, title=title) if not value else text)
    elif sent is Sent.PARKED:
        notify(ctx, ctx.localize(S.RATE_NOT_FOUND, title=title))
    elif sent is Sent.BUSY:
        notify(ctx, ctx.localize(S.RATE_BUSY))
    elif sent is Sent.NOT_SIGNED_IN:
        text = _in_kodi(ctx, item, value)
        if notices.first("rate-sign-in", "not_signed_in"):  # the sign-in is offered once
            text = f"{text} {ctx.localize(S.RATE_NOT_SIGNED_IN)}"
        notify(ctx, text)
    elif sent is Sent.READ_ONLY:
        _ask_for_write_access(ctx, monitor, item, value)
    else:
        notify(ctx, ctx.localize(S.RATE_QUEUED, rating=value, title=title))


def _in_kodi(ctx: AddonContext, item: LibraryItem, value: int) -> str:
    if not value:
        return ctx.localize(S.RATE_REMOVED_KODI, title=item.title)
    return ctx.localize(S.RATE_SAVED_KODI, rating=value, title=item.title)


def _ask_for_write_access(
    ctx: AddonContext, monitor: xbmc.Monitor, item: LibraryItem, value: int
) -> None:
    """What became of the rating, and once: sign in again with write access; then the rating
    goes out at once. Asked, the news is the question's first line, not a toast: a toast on
    top of the question would take its first Back."""
    told = _in_kodi(ctx, item, value)
    if not ctx.workspace(monitor).notices().first("rate-sign-in", "read_only"):
        notify(ctx, told)
        return
    if not Dialog().yesno(ctx.name, f"{told}\n{ctx.localize(S.ASK_WRITE_ACCESS)}"):
        return
    try:
        if sign_in(ctx, monitor, write=True) is None:
            return
    except SyncError as exc:
        notify(ctx, error_text(ctx, exc.code), error=True)
        return
    submit(ctx, monitor, item, value)


def known_simkl_rating(ctx: AddonContext, item: LibraryItem) -> int | None:
    """The last known Simkl rating of the item (for the window and the prompt rule)."""
    return known(ctx.workspace(), item)


def signed_in(ctx: AddonContext) -> bool:
    """Whether the add-on holds a sign-in for the configured client id."""
    return current_credentials(ctx) is not None
