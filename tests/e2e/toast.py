"""Kodi's notification toast in a screenshot: where its message line is, and whether the text
drawn there fits it.

Estuary draws a toast's message in a one-line label (``DialogNotification.xml``, control 402)
and cuts off what is wider. Where that label is comes from the skin file of the Kodi under test,
scaled from the skin's own resolution (1920x1080) to the screen. The text is what the toast lit
up: pixels in the label's rows clearly brighter than in a screenshot of the same screen without
the toast. Brightness alone would not do: on Kodi 21 the toast's box is translucent, so icons
behind it show through (darker).

The text fits when it starts where the label starts and ends at least ``MARGIN_UNITS`` before
the label does. A cut-off text reaches the label's end (the cut falls in a glyph, or at worst
in one space, narrower than the margin), and a text Kodi scrolls starts left of the label.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .evidence import Screenshot
from .host import wait_for
from .kodi_harness import KodiInstance, kodi_root

SKIN = Path("usr/share/kodi/addons/skin.estuary")
MESSAGE_LABEL = "402"  # DialogNotification.xml: 401 is the heading, 402 the message
ACTIVE = "Window.IsActive(notification)"
MARGIN_UNITS = 15  # what the text keeps free before the label ends (10 px at 720p)
START_UNITS = 8  # how far right of the label's start the first glyph may begin
LIT = 60  # a text pixel is this much brighter than without the toast...
BRIGHT = 150  # ...and at least this bright (mean of red, green and blue)
CLOSING = 1.0  # seconds a toast takes to close after it stops being active
SETTLE = 1.5  # seconds a toast's screenshot may wait for the picture to stand still


@dataclass(frozen=True)
class Box:
    """A rectangle on the screen in pixels; ``right`` and ``bottom`` are exclusive."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class ToastText:
    """Where the toast's message text was found in its label (None: nothing lit up)."""

    label: Box
    scale: float  # screen pixels per skin unit
    first: int | None  # leftmost column with text
    last: int | None  # rightmost column with text

    @property
    def room(self) -> int | None:
        """Pixels left free between the text and the label's end."""
        return None if self.last is None else self.label.right - 1 - self.last

    @property
    def fits(self) -> bool:
        if self.first is None or self.room is None:
            return False
        starts_in_place = 0 <= self.first - self.label.left <= START_UNITS * self.scale
        return starts_in_place and self.room >= MARGIN_UNITS * self.scale


def _number(element: ET.Element, tag: str) -> float | None:
    text = element.findtext(tag)
    return float(text) if text is not None else None


def skin_resolution(root: Path) -> tuple[int, int]:
    """Estuary's default coordinate space (1920x1080) from its addon.xml."""
    addon = ET.parse(root / SKIN / "addon.xml").getroot()
    for res in addon.iter("res"):
        if res.get("default") == "true":
            return int(res.get("width", "0")), int(res.get("height", "0"))
    raise AssertionError("Estuary's addon.xml names no default resolution")


def message_label(width: int, height: int, root: Path | None = None) -> tuple[Box, float]:
    """The message label of the toast on a ``width`` x ``height`` screen, and the scale."""
    root = root or kodi_root()
    skin_width, skin_height = skin_resolution(root)
    scale_x, scale_y = width / skin_width, height / skin_height
    window = ET.parse(root / SKIN / "xml" / "DialogNotification.xml").getroot()
    for group in window.iter("control"):
        label = next((c for c in group if c.get("id") == MESSAGE_LABEL), None)
        if label is None:
            continue
        group_width, group_right = _number(group, "width"), _number(group, "right")
        group_top = _number(group, "top") or 0.0
        if group_width is None or group_right is None:
            raise AssertionError("the toast group is no longer placed by right and width")
        group_left = skin_width - group_right - group_width
        left = group_left + (_number(label, "left") or 0.0)
        top = group_top + (_number(label, "top") or 0.0)
        right = left + (_number(label, "width") or 0.0)
        bottom = top + (_number(label, "height") or 0.0)
        box = Box(
            round(left * scale_x),
            round(top * scale_y),
            round(right * scale_x),
            round(bottom * scale_y),
        )
        return box, scale_x
    raise AssertionError(f"DialogNotification.xml has no control {MESSAGE_LABEL}")


def measure(shot: Screenshot, without_toast: Screenshot) -> ToastText:
    """Where the message text lies in ``shot`` (see the module docstring)."""
    if not shot.rgb or not without_toast.rgb:
        raise AssertionError("measuring a toast needs xwd's pixels (apt-get install x11-apps)")
    label, scale = message_label(shot.width, shot.height)
    columns = [
        x
        for x in range(label.left, label.right)
        if any(
            shot.luma(x, y) >= BRIGHT and shot.luma(x, y) - without_toast.luma(x, y) >= LIT
            for y in range(label.top, label.bottom)
        )
    ]
    return ToastText(label, scale, min(columns, default=None), max(columns, default=None))


def toast_shown(kodi: KodiInstance) -> bool:
    return kodi.info_booleans([ACTIVE])[ACTIVE]


def wait_for_toast(kodi: KodiInstance, timeout: float = 30.0) -> None:
    wait_for(lambda: toast_shown(kodi), timeout=timeout, interval=0.05, message="no toast")


def wait_until_no_toast(kodi: KodiInstance, timeout: float = 30.0) -> None:
    wait_for(lambda: not toast_shown(kodi), timeout=timeout, message="the toast stays")


def show_and_measure(
    kodi: KodiInstance, heading: str, message: str, path: Path, without_toast: Screenshot
) -> ToastText:
    """Show ``message`` as Kodi shows any add-on's notification, screenshot it once it stands
    still, measure it, and wait until it is gone.

    A notification asked for while the previous toast is still closing is dropped (seen on
    Kodi 20.1: every second one of a quick series never showed): the next one waits until the
    closing is over, and is asked for once more if it still does not show."""
    params = {"title": heading, "message": message, "image": "info", "displaytime": 4000}
    for attempt in (1, 2):
        kodi.call("GUI.ShowNotification", params)
        try:
            wait_for_toast(kodi, timeout=5)
            break
        except TimeoutError:
            if attempt == 2:
                raise
    # Kodi scrolls a message too wide for the label: the picture then never stands still,
    # so the shot is taken within a fraction of the toast's time whatever it shows.
    text = measure(kodi.screenshot(path, settle_timeout=SETTLE), without_toast)
    wait_until_no_toast(kodi)
    time.sleep(CLOSING)
    return text
