"""The sign-in QR code as a file: it decodes, with a real QR decoder (zxing-cpp, a test-only
dependency with wheels for the host's Python; the unit suites on Python 3.8 run without it),
to the approval URL with the code, and is removed again. No Kodi needed."""

from __future__ import annotations

import os

import zxingcpp
from PIL import Image
from simkl_ratings.core.qr import remove_qr_pngs, write_qr_png


def test_the_qr_png_decodes_to_the_approval_url(tmp_path):
    url = "https://simkl.com/pin?user_code=BDWP-HQPK"
    path = write_qr_png(url, str(tmp_path))
    assert path is not None and path.startswith(str(tmp_path))
    assert [b.text for b in zxingcpp.read_barcodes(Image.open(path))] == [url]
    remove_qr_pngs(str(tmp_path))
    assert os.listdir(tmp_path) == []
