"""Reading image sizes the way Kodi's add-on rules check them, without an imaging library."""

from __future__ import annotations

import struct
from pathlib import Path

PNG_RGB = 2  # PNG colour type: RGB without an alpha channel


def png_size(path: Path) -> tuple[int, int, int]:
    """(width, height, colour type) from the PNG header."""
    width, height, _depth, colour_type = struct.unpack(">IIBB", path.read_bytes()[16:26])
    return width, height, colour_type


def jpeg_size(path: Path) -> tuple[int, int]:
    """(width, height) from the first JPEG frame header."""
    data = path.read_bytes()
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no JPEG frame header")
