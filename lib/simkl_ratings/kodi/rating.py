"""What a rating the user gives in Kodi does: the seam between the rating UI (the dialog, the
after-playback prompt, the context menu, the `rate` action) and the application layer.

Placeholder bodies, to be replaced by the application layer (issue 20 §4: write Kodi's
userrating, send it to Simkl at once, pending queue when offline, `not_found` parking, ask for
write access, move the baseline, wait for a running sync's lock). The signatures stay.
"""

from __future__ import annotations

import logging

from kodi_six import xbmc

from ..core.errors import SyncError
from ..core.library.gateway import LibraryItem, RatingWrite
from ..core.rating import Rating
from . import strings as S
from .context import AddonContext
from .login import current_credentials
from .messages import error_text
from .ui import notify

LOG = logging.getLogger(__name__)


def submit(ctx: AddonContext, monitor: xbmc.Monitor, item: LibraryItem, value: int) -> None:
    """The user chose `value` (1..10, or 0: remove the rating) for `item` (a movie or a TV
    show; a season or episode is already resolved to its show). Called after the dialog has
    closed; never with a dialog open. Placeholder: writes Kodi's userrating through
    KodiLibrary.write (one write, nothing when equal) and shows a toast."""
    rating = Rating(value) if value else None
    if item.userrating != rating:
        try:
            result = ctx.library().write([RatingWrite(item, rating)], batch_size=1)
        except SyncError as exc:
            LOG.error("the rating of %s %d was not written: %s", item.kind.name, item.kodi_id, exc)
            notify(ctx, error_text(ctx, exc.code), error=True)
            return
        if result.failed:
            notify(ctx, error_text(ctx, "kodi"), error=True)
            return
    LOG.info("rated %s %d: %s", item.kind.name, item.kodi_id, value or "removed")
    if rating is None:
        notify(ctx, ctx.localize(S.RATE_REMOVED_KODI, title=item.title))
    else:
        notify(ctx, ctx.localize(S.RATE_SAVED_KODI, rating=value, title=item.title))


def known_simkl_rating(ctx: AddonContext, item: LibraryItem) -> int | None:
    """The last known Simkl rating of the item (for the dialog and the prompt rule).
    Placeholder: None."""
    return None


def signed_in(ctx: AddonContext) -> bool:
    """Whether the add-on holds a sign-in for the configured client id."""
    return current_credentials(ctx) is not None
