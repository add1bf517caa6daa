"""The sign-in QR code: a PNG made here, never by a web service (it carries a credential).

The QR matrix comes from `pyqrcode` (Kodi's module add-on `script.module.pyqrcode`, pure
Python), imported only when needed and optionally: without it, or on any error, there is no
QR code and the window shows the code and address alone. The PNG is written with zlib from
the standard library: 8-bit grey, black modules on white, with the quiet zone the standard asks.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import struct
import uuid
import zlib
from typing import Sequence

LOG = logging.getLogger(__name__)

QR_PREFIX = "sign-in-qr-"
QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)
TARGET_PIXELS = 480  # about the size the window shows it at, so Kodi scales it little

Matrix = Sequence[Sequence[int]]


def qr_matrix(text: str) -> Matrix | None:
    """The QR modules (1 = dark) for `text`, or None without the pyqrcode module."""
    try:
        import pyqrcode  # noqa: PLC0415 (optional: the module add-on may be missing)
    except ImportError:
        LOG.info("no QR code: the module script.module.pyqrcode is not installed")
        return None
    return pyqrcode.create(text, error="M").code


def png_bytes(matrix: Matrix, scale: int, border: int = QUIET_ZONE) -> bytes:
    """A greyscale PNG of the matrix, each module `scale` pixels square."""
    size = len(matrix)
    if size == 0 or any(len(row) != size for row in matrix) or scale < 1:
        raise ValueError("a QR matrix is a non-empty square")
    white = bytes([255]) * (border * scale)
    rows = []
    for row in matrix:
        line = b"".join(bytes([0 if module else 255]) * scale for module in row)
        rows.extend([b"\x00" + white + line + white] * scale)
    side = (size + 2 * border) * scale
    blank = b"\x00" + bytes([255]) * side
    raw = b"".join([blank] * (border * scale) + rows + [blank] * (border * scale))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(raw, 9)),
            chunk(b"IEND", b""),
        ]
    )


def write_qr_png(text: str, folder: str) -> str | None:
    """Write the QR code of `text` into `folder` under a new name (Kodi caches images by
    path); return its path, or None when there is no QR code to show."""
    remove_qr_pngs(folder)
    try:
        matrix = qr_matrix(text)
        if matrix is None:
            return None
        scale = max(4, TARGET_PIXELS // (len(matrix) + 2 * QUIET_ZONE))
        data = png_bytes(matrix, scale)
        path = os.path.join(folder, f"{QR_PREFIX}{uuid.uuid4().hex[:12]}.png")
        os.makedirs(folder, exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(data)
        return path
    except Exception as exc:  # a QR code is a convenience: never let it stop a sign-in
        LOG.warning("no QR code (%s)", type(exc).__name__)
        return None


def remove_qr_pngs(folder: str) -> None:
    """Delete every sign-in QR image in `folder` (the window closed, or an earlier run died)."""
    for path in glob.glob(os.path.join(glob.escape(folder), f"{QR_PREFIX}*.png")):
        with contextlib.suppress(OSError):
            os.unlink(path)
