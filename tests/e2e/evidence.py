"""Evidence from a running Kodi: screenshots of the Xvfb display and Python errors in kodi.log.

Screenshots use ``xwd`` (Debian package ``x11-apps``) and a small XWD -> PNG converter, so
ImageMagick is not needed; ``import`` from ImageMagick is used only as a fallback.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# -- screenshots ----------------------------------------------------------------------------
XWD_FIELDS = (
    "header_size",
    "file_version",
    "pixmap_format",
    "pixmap_depth",
    "width",
    "height",
    "xoffset",
    "byte_order",
    "bitmap_unit",
    "bitmap_bit_order",
    "bitmap_pad",
    "bits_per_pixel",
    "bytes_per_line",
    "visual_class",
    "red_mask",
    "green_mask",
    "blue_mask",
    "bits_per_rgb",
    "colormap_entries",
    "ncolors",
    "window_width",
    "window_height",
    "window_x",
    "window_y",
    "window_bdrwidth",
)


@dataclass(frozen=True)
class Screenshot:
    """A saved PNG plus facts tests can assert on without an image library."""

    path: Path
    width: int
    height: int
    distinct_colours: int  # in a pixel sample; 1 means a blank (single-colour) screen
    rgb: bytes = field(default=b"", repr=False)  # 8-bit RGB rows (from xwd; empty otherwise)

    def luma(self, x: int, y: int) -> int:
        """Brightness of one pixel: the mean of its red, green and blue (0 to 255)."""
        i = (y * self.width + x) * 3
        return sum(self.rgb[i : i + 3]) // 3


def _channel_offset(mask: int, little_endian: bool) -> int:
    """Byte offset of a colour channel inside a 32-bit pixel."""
    shift = (mask & -mask).bit_length() - 1
    return shift // 8 if little_endian else 3 - shift // 8


def xwd_to_rgb(data: bytes) -> tuple[int, int, bytes]:
    """Decode a 32 bpp ZPixmap XWD dump (what xwd gives for Xvfb depth 24) into RGB bytes."""
    header = dict(zip(XWD_FIELDS, struct.unpack(">25I", data[:100]), strict=True))
    if header["bits_per_pixel"] != 32 or header["pixmap_format"] != 2:
        raise ValueError(f"unsupported XWD layout: {header}")
    width, height, stride = header["width"], header["height"], header["bytes_per_line"]
    start = header["header_size"] + 12 * header["ncolors"]
    little = header["byte_order"] == 0
    offsets = [_channel_offset(header[m], little) for m in ("red_mask", "green_mask", "blue_mask")]
    rows = bytearray()
    for y in range(height):
        row = data[start + y * stride : start + y * stride + width * 4]
        rgb = bytearray(width * 3)
        for channel, offset in enumerate(offsets):
            rgb[channel::3] = row[offset::4]
        rows += rgb
    return width, height, bytes(rows)


def rgb_to_png(width: int, height: int, rgb: bytes) -> bytes:
    """Encode 8-bit RGB as PNG (filter 0 on every row)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    line = width * 3
    raw = b"".join(b"\x00" + rgb[y * line : (y + 1) * line] for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _distinct_colours(rgb: bytes, step: int = 97) -> int:
    return len({rgb[i : i + 3] for i in range(0, len(rgb) - 2, 3 * step)})


def _xwd_dump(display: str) -> bytes:
    return subprocess.run(
        ["xwd", "-root", "-silent", "-display", display],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout


def _stable_dump(display: str, timeout: float) -> bytes:
    """Dump until two consecutive frames match and are not blank (fades/first frame done)."""
    deadline = time.monotonic() + timeout
    previous = b""
    while True:
        dump = _xwd_dump(display)
        if dump == previous and _distinct_colours(xwd_to_rgb(dump)[2]) > 1:
            return dump
        if time.monotonic() >= deadline:
            return dump
        previous = dump
        time.sleep(0.25)


def capture_display(display: str, path: Path, settle_timeout: float = 10.0) -> Screenshot:
    """Save the root window of X display ``display`` (":N") as PNG once the picture is stable.

    Right after a (re)start Kodi answers JSON-RPC before its first frame is drawn and then fades
    the home screen in, so a single grab may be black or half-faded.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if shutil.which("xwd"):
        width, height, rgb = xwd_to_rgb(_stable_dump(display, settle_timeout))
        path.write_bytes(rgb_to_png(width, height, rgb))
        return Screenshot(path, width, height, _distinct_colours(rgb), rgb)
    if shutil.which("import"):
        subprocess.run(
            ["import", "-display", display, "-window", "root", f"png:{path}"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        width, height = png_size(path)
        return Screenshot(path, width, height, -1)
    raise FileNotFoundError("screenshots need xwd (apt-get install x11-apps)")


# -- kodi.log -------------------------------------------------------------------------------
# Kodi 20 log lines: "2024-01-02 03:04:05.678 T:1234    error <general>: message"; lines of a
# multi-line message (e.g. a Python error report) follow without that prefix.
LOG_ENTRY_START = re.compile(r"^\ufeff?\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} T:\d+ ")
ERROR_MARKERS = ("Traceback (most recent call last)", "PythonToCppException", "EXCEPTION Thrown")


def log_entries(text: str) -> list[str]:
    """Split kodi.log text into entries (a prefixed line plus its continuation lines)."""
    entries: list[str] = []
    for line in text.splitlines():
        if LOG_ENTRY_START.match(line) or not entries:
            entries.append(line)
        else:
            entries[-1] += "\n" + line
    return entries


def python_errors(text: str, addon_id: str | None = None) -> list[str]:
    """Log entries holding a Python traceback or Kodi's Python exception report.

    With ``addon_id``, only entries mentioning that add-on (its path or id) are returned.
    """
    found = []
    for entry in log_entries(text):
        if not any(marker in entry for marker in ERROR_MARKERS):
            continue
        if addon_id is None or addon_id in entry:
            found.append(entry)
    return found
