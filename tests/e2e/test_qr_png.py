"""The sign-in QR code as a file: it decodes, with a real QR decoder (zxing-cpp, a test-only
dependency with wheels for the host's Python; the unit suites on Python 3.8 run without it),
to the approval URL with the code, and is removed again; an address a sign-in reply names off
simkl.com never gets into it. No Kodi needed."""

from __future__ import annotations

import os

import pytest
import zxingcpp
from PIL import Image
from simkl_ratings.core.qr import remove_qr_pngs, write_qr_png
from simkl_ratings.core.simkl.device import parse_device_start
from simkl_ratings.core.simkl.pin import parse_pin_start


def test_the_qr_png_decodes_to_the_approval_url(tmp_path):
    url = "https://simkl.com/pin?user_code=BDWP-HQPK"
    path = write_qr_png(url, str(tmp_path))
    assert path is not None and path.startswith(str(tmp_path))
    assert [b.text for b in zxingcpp.read_barcodes(Image.open(path))] == [url]
    remove_qr_pngs(str(tmp_path))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("reply", "parse", "expected"),
    [
        (
            {
                "device_code": "dc-opaque-0123456789",
                "user_code": "BDWP-HQPK",
                "verification_uri": "https://simkl.com.evil.net/pin",
                "verification_uri_complete": "https://evil.net/pin?user_code=BDWP-HQPK",
            },
            parse_device_start,
            "https://simkl.com/pin?user_code=BDWP-HQPK",
        ),
        (
            {"user_code": "5G6JAH", "verification_uri": "https://simkl.com@evil.net/pin"},
            parse_pin_start,
            "https://simkl.com/pin/5G6JAH",
        ),
    ],
    ids=["device flow", "pin flow"],
)
def test_a_foreign_address_in_a_sign_in_reply_never_reaches_the_qr_png(
    tmp_path, reply, parse, expected
):
    path = write_qr_png(parse(reply).qr_text, str(tmp_path))
    assert path is not None
    assert [b.text for b in zxingcpp.read_barcodes(Image.open(path))] == [expected]
