"""The rating window: poster, title, the ratings Kodi and Simkl hold, ten buttons 1 to 10,
Remove rating and Skip.

A remote does everything: arrows and OK, or a number key (1 to 9, 0 for 10) chooses at once.
The current rating is focused, else Skip, so an OK pressed by mistake rates nothing. Sixty
seconds without a key press count as Skip. Like the sign-in window it is shown non-modally and
polled from the calling thread: no second thread touches Kodi's UI, and Kodi quitting ends the
wait at once. Nothing is written while it is open; the caller acts on the choice afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import monotonic

from kodi_six import xbmc, xbmcgui

from ..core.rate.target import RateTarget
from ..core.redact import redact
from . import strings as S
from .context import AddonContext

LOG = logging.getLogger(__name__)

XML_FILE = "script-simkl-ratings-rate.xml"
HEADING, TITLE, NOTE, KODI_RATING, SIMKL_RATING, HINT, COUNTDOWN, PROGRESS = range(100, 108)
VALUE_BUTTONS = 300  # button 300 + n gives the rating n (301..310)
REMOVE, SKIP = 401, 402
POSTER_PROPERTY = "poster"
TIMEOUT = 60.0  # seconds without a key press: Skip
TICK = 0.25
REMOTE_0, REMOTE_9 = 58, 67  # Kodi's actions for the number keys 0..9
CLOSE_ACTIONS = (9, 10, 13, 92)  # parent dir, previous menu, stop, back: Skip


def number_for_action(action_id: int) -> int | None:
    """The rating a number key gives: 1..9 for 1..9, 10 for 0; None for other actions."""
    if REMOTE_0 <= action_id <= REMOTE_9:
        return action_id - REMOTE_0 or 10
    return None


def value_for_control(control_id: int) -> int | None:
    """The rating a button gives (0 for Remove rating); None for Skip and anything else."""
    if VALUE_BUTTONS + 1 <= control_id <= VALUE_BUTTONS + 10:
        return control_id - VALUE_BUTTONS
    return 0 if control_id == REMOVE else None


@dataclass(frozen=True)
class View:
    """Everything the window shows, already in the user's words."""

    labels: dict[int, str]
    poster: str
    focus: int  # the control focused when the window opens
    can_remove: bool


def _rating_line(ctx: AddonContext, rating: int | None, string_id: int, none_id: int) -> str:
    return ctx.localize(string_id, rating=rating) if rating else ctx.localize(none_id)


def view_of(ctx: AddonContext, target: RateTarget, simkl_rating: int | None) -> View:
    item = target.item
    kodi_rating = item.userrating.value if item.userrating else None
    current = kodi_rating or simkl_rating
    title = f"{item.title} ({item.year})" if item.year else item.title
    note = ctx.localize(S.RATE_FOR_SHOW, title=item.title) if target.rates_show_of_part else ""
    labels = {
        HEADING: ctx.localize(S.RATE_HEADING),
        TITLE: title,
        NOTE: note,
        KODI_RATING: _rating_line(ctx, kodi_rating, S.RATE_KODI, S.RATE_KODI_NONE),
        SIMKL_RATING: _rating_line(ctx, simkl_rating, S.RATE_SIMKL, S.RATE_SIMKL_NONE),
        HINT: ctx.localize(S.RATE_HINT),
        REMOVE: ctx.localize(S.RATE_REMOVE),
        SKIP: ctx.localize(S.RATE_SKIP),
        **{VALUE_BUTTONS + value: str(value) for value in range(1, 11)},
    }
    focus = VALUE_BUTTONS + current if current else SKIP
    return View(labels, target.poster or ctx.icon, focus, bool(current))


class RateDialog(xbmcgui.WindowXMLDialog):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args)
        self.ctx: AddonContext = kwargs["ctx"]
        self.view: View = kwargs["view"]
        self.choice: int | None = None
        self.answered = False
        self.touched = monotonic()
        self._ready = False

    def onInit(self) -> None:
        """Focus first, then the labels: a window showing its title is ready for keys."""
        self._ready = True
        self.getControl(REMOVE).setEnabled(self.view.can_remove)
        if self.view.focus != SKIP:  # Up from Remove and Skip goes back to the current rating
            current = self.getControl(self.view.focus)
            for below in (REMOVE, SKIP):
                self.getControl(below).controlUp(current)
        self.setFocusId(self.view.focus)
        for control_id, text in self.view.labels.items():
            self.getControl(control_id).setLabel(redact(text))

    def onAction(self, action) -> None:
        self.touched = monotonic()
        action_id = action.getId()
        number = number_for_action(action_id)
        if number is not None:
            self._answer(number)
        elif action_id in CLOSE_ACTIONS:
            self._answer(None)

    def onClick(self, control_id: int) -> None:
        self.touched = monotonic()
        value = value_for_control(control_id)
        if value is not None or control_id == SKIP:
            self._answer(value)

    def _answer(self, choice: int | None) -> None:
        if not self.answered:
            self.choice, self.answered = choice, True
            self.close()

    def set_remaining(self, seconds: float) -> None:
        if not self._ready:
            return
        left = max(0, int(seconds + 0.999))
        countdown = self.ctx.localize(S.RATE_CLOSES, seconds=left)
        self.getControl(COUNTDOWN).setLabel(redact(countdown))
        self.getControl(PROGRESS).setPercent(100.0 * max(0.0, seconds) / TIMEOUT)


def ask(
    ctx: AddonContext, monitor: xbmc.Monitor, target: RateTarget, simkl_rating: int | None
) -> int | None:
    """Show the window until the user chooses: 1..10, 0 to remove the rating, or None (Skip,
    Back, 60 s without a key press, Kodi quitting). The window is closed when this returns."""
    view = view_of(ctx, target, simkl_rating)
    dialog = RateDialog(XML_FILE, ctx.path, "Default", "1080i", ctx=ctx, view=view)
    dialog.setProperty(POSTER_PROPERTY, view.poster)
    dialog.show()
    try:
        while not dialog.answered:
            left = TIMEOUT - (monotonic() - dialog.touched)
            if left <= 0:
                LOG.info("the rating window closed itself after %d s without input", TIMEOUT)
                break
            dialog.set_remaining(left)
            if monitor.waitForAbort(min(TICK, left)):
                break
    finally:
        if not dialog.answered:
            dialog.close()
    return dialog.choice
