"""What the runner draws in a terminal: a progress bar on stderr and the sign-in QR code.

The bar is drawn only when its stream is a terminal (cron mail and pipes get nothing), at most
a few times a second. The QR code uses Unicode half blocks, two modules per character cell, so
it fits an 80x24 terminal; with colours it is black on white whatever the terminal's theme,
without them the light modules are drawn as ink (right for the usual dark terminal).
"""

from __future__ import annotations

import time
from typing import Callable, Mapping, Sequence, TextIO

from ..core.redact import redact
from ..core.sync.run import Progress, Stage

QUIET_ZONE = 4  # modules of light around the code (ISO/IEC 18004)
UPPER, LOWER, FULL, EMPTY = "\u2580", "\u2584", "\u2588", " "
BLACK_ON_WHITE = "\x1b[30;107m"
RESET = "\x1b[0m"
BAR_WIDTH = 30
REDRAW_EVERY = 0.2  # seconds

Matrix = Sequence[Sequence[int]]

_STAGE_WORDS = {
    Stage.CHECK: "checking Simkl",
    Stage.FETCH: "downloading",
    Stage.READ: "reading Kodi",
    Stage.WRITE: "writing",
}


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def wants_colour(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colours only on a terminal, never with NO_COLOR (no-color.org) or TERM=dumb."""
    return is_terminal(stream) and "NO_COLOR" not in env and env.get("TERM") != "dumb"


def _padded(matrix: Matrix, border: int) -> list[list[bool]]:
    """The matrix as dark=True rows, with the quiet zone, and an even number of rows."""
    size = len(matrix)
    if size == 0 or any(len(row) != size for row in matrix):
        raise ValueError("a QR matrix is a non-empty square")
    side = size + 2 * border
    rows = [[False] * side for _ in range(border)]
    rows += [[False] * border + [bool(m) for m in row] + [False] * border for row in matrix]
    rows += [[False] * side for _ in range(border + (side % 2))]
    return rows


def qr_lines(matrix: Matrix, *, colour: bool, border: int = QUIET_ZONE) -> list[str]:
    """The code as text lines; each character is one module wide and two modules high."""
    rows = _padded(matrix, border)
    # With colours the ink is dark on a forced white ground; without, the ink is the light part.
    ink = (lambda dark: dark) if colour else (lambda dark: not dark)
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2]):
        cells = []
        for upper, lower in zip(top, bottom):
            a, b = ink(upper), ink(lower)
            cells.append(FULL if a and b else UPPER if a else LOWER if b else EMPTY)
        line = "".join(cells)
        lines.append(f"{BLACK_ON_WHITE}{line}{RESET}" if colour else line)
    return lines


def matrix_from_lines(lines: Sequence[str], *, border: int = QUIET_ZONE) -> list[list[int]]:
    """The inverse of `qr_lines` without colours (dark = 1): how tests prove the drawing."""
    rows: list[list[int]] = []
    for line in lines:
        top = [0 if ch in (UPPER, FULL) else 1 for ch in line]
        bottom = [0 if ch in (LOWER, FULL) else 1 for ch in line]
        rows += [top, bottom]
    side = len(rows[0]) - 2 * border
    return [row[border : border + side] for row in rows[border : border + side]]


class ProgressBar(Progress):
    """The engine's progress as one redrawn line on a terminal; nothing on anything else.

    `cancelled` reports the runner's interrupt flag (first Ctrl-C), so the engine stops between
    write batches and keeps what it wrote.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        interrupted: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool | None = None,
    ) -> None:
        self.stream = stream
        self.enabled = is_terminal(stream) if enabled is None else enabled
        self._interrupted = interrupted
        self._clock = clock
        self._last = float("-inf")
        self._drawn = False

    def update(self, percent: int, stage: Stage, detail: str) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if percent < 100 and now - self._last < REDRAW_EVERY:
            return
        self._last = now
        percent = max(0, min(100, percent))
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        words = _STAGE_WORDS.get(stage, stage.value)
        text = f"[{bar}] {percent:3d}% {words} {detail}".rstrip()
        self.stream.write(redact(f"\r{text[:79]:<79}"))
        self.stream.flush()
        self._drawn = True

    def cancelled(self) -> bool:
        return self._interrupted()

    def close(self) -> None:
        """Leave the terminal on a clean line for what is printed next."""
        if self._drawn:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()
            self._drawn = False
