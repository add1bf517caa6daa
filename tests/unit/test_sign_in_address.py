"""The address a sign-in shows and the QR code a user scans are Simkl's own: an https URL on
simkl.com or a subdomain of it, whatever a sign-in reply names (both flows). Anything else
shows the built-in https://simkl.com/pin, with one log line that says why and no secret."""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simkl_ratings.core.qr import QR_PREFIX, write_qr_png
from simkl_ratings.core.simkl.device import parse_device_start
from simkl_ratings.core.simkl.pin import parse_pin_start
from simkl_ratings.core.simkl.signin import DEFAULT_VERIFICATION_URL, check_address
from simkl_ratings.kodi import pin_dialog, script

from .shell_env import API, PIN_REPLY, TOKEN

EXAMPLES = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
DEVICE_CODE = "dc-OPAQUE-secret-4711"
ON_SIMKL = (
    "https://simkl.com/pin",
    "https://simkl.com/pin/",
    "https://simkl.com",
    "https://api.simkl.com/oauth/pin",
    "https://www.simkl.com/pin?user_code=BDWP-HQPK",
    "https://a-b.c9.simkl.com/x",
    "HTTPS://Simkl.COM/pin",
)
FOREIGN = (
    "https://evil.net/pin",
    "https://simkl.com.evil.net/pin",  # a lookalike with simkl.com in front
    "https://evilsimkl.com/pin",  # the suffix without its dot
    "https://simkl.co/pin",
    "https://simkl.com./pin",  # a trailing dot
    "https://simkl.com@evil.net/pin",  # userinfo: the host is evil.net
    "https://evil.net@simkl.com/pin",  # userinfo, even before simkl.com
    "https://user:pw@simkl.com/pin",
    "https://simkl.com:8443/pin",  # an odd port
    "https://simkl.com:443/pin",  # any port
    "https://simkl.com:/pin",
    "https://simkl.com:99999/pin",
    "http://simkl.com/pin",  # not https
    "ftp://simkl.com/pin",
    "javascript:alert(1)//simkl.com",
    "//simkl.com/pin",
    "https:simkl.com/pin",
    "https:///simkl.com/pin",
    "simkl.com/pin",
    "https://evil.net\\.simkl.com/pin",  # browsers read the backslash as "/": host evil.net
    "https://evil.net\\@simkl.com/pin",
    "https://s\u0456mkl.com/pin",  # Cyrillic i
    "https://simkl.com\u3002evil.net/pin",  # an ideographic full stop
    "https://xn--simkl-9za.com/pin",  # punycode of a lookalike, not a subdomain of simkl.com
    "https://simkl%2ecom/pin",
    "https://[::1]/pin",
    "https://127.0.0.1/pin",
    "https://-x.simkl.com/pin",
    "https://a..simkl.com/pin",
    "https://simkl.com/pin[CR]or go to evil.net",  # Kodi label markup: a second line
    "https://simkl.com/pin go to evil.net",
    "https://simkl.com/pin#@evil.net",
    " https://simkl.com/pin",
    "https://simkl.com/pin\n",
    "https://simkl.com/" + "p" * 300,
)


@pytest.fixture
def logged() -> Iterator[list[str]]:
    """What the add-on's code logs, caught at its package logger: the shells' log set-ups stop
    propagation to the root logger, where caplog listens, so caplog would depend on order."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger("simkl_ratings")
    handler, level = Keep(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def device_reply(**addresses: object) -> dict:
    return {
        "device_code": DEVICE_CODE,
        "user_code": "BDWP-HQPK",
        "expires_in": 900,
        "interval": 5,
        **addresses,
    }


def on_simkl(url: str) -> bool:
    """The rule, read independently of check_address: https, no user name or port, and the
    host simkl.com or ends in .simkl.com, all plain ASCII (no trick a browser reads otherwise)."""
    if not url.isascii() or any(c in url for c in " \\[]#\t\r\n"):
        return False
    parts = urlsplit(url)
    host = parts.netloc.lower()
    return (
        parts.scheme == "https"
        and parts.hostname == host
        and (host == "simkl.com" or host.endswith(".simkl.com"))
        and ".." not in host
    )


@pytest.mark.parametrize("url", ON_SIMKL)
def test_addresses_on_simkl_com_are_kept(url: str):
    address, why = check_address(url)
    assert why == ""
    assert address == url.replace("HTTPS://Simkl.COM", "https://simkl.com")


@pytest.mark.parametrize("url", FOREIGN)
def test_any_other_address_is_refused_with_a_reason(url: str):
    address, why = check_address(url)
    assert (address, bool(why)) == ("", True)
    assert "evil" not in why and "simkl.com/pin" not in why  # words, never the address


@pytest.mark.parametrize("url", FOREIGN)
def test_a_foreign_address_in_a_device_reply_reaches_neither_the_window_nor_the_qr_code(
    url: str, logged: list[str]
):
    code = parse_device_start(device_reply(verification_uri=url, verification_uri_complete=url))
    assert code.verification_url == DEFAULT_VERIFICATION_URL
    assert code.qr_text == "https://simkl.com/pin?user_code=BDWP-HQPK"
    (line,) = logged
    assert "verification_uri " in line and "verification_uri_complete " in line
    assert "showing https://simkl.com/pin and a QR code on it instead" in line
    reasons = line.split(" (", 1)[1].rsplit("); showing", 1)[0]
    assert DEVICE_CODE not in line and (not url.strip() or url.strip() not in reasons)


@pytest.mark.parametrize("url", FOREIGN)
def test_a_foreign_address_in_a_pin_reply_reaches_neither_the_window_nor_the_qr_code(
    url: str, logged: list[str]
):
    code = parse_pin_start({**PIN_REPLY, "verification_uri": url, "verification_url": url})
    assert code.verification_url == DEFAULT_VERIFICATION_URL
    assert code.qr_text == "https://simkl.com/pin/7QX2KD"
    (line,) = logged
    assert line.startswith("the sign-in reply gave an address that is not Simkl's own")


@pytest.mark.parametrize("given", [{}, {"verification_uri": ""}, {"verification_uri": None}])
def test_a_missing_address_is_the_built_in_one_without_a_word(given, logged):
    device = parse_device_start(device_reply(**given))
    pin = parse_pin_start({"user_code": "7QX2KD", **given})
    assert (device.verification_url, pin.verification_url) == (DEFAULT_VERIFICATION_URL,) * 2
    assert (device.qr_text, pin.qr_text) == (
        "https://simkl.com/pin?user_code=BDWP-HQPK",
        "https://simkl.com/pin/7QX2KD",
    )
    assert logged == []


def test_a_foreign_complete_address_alone_falls_back_to_simkls_own_with_the_code():
    code = parse_device_start(
        device_reply(
            verification_uri="https://simkl.com/pin",
            verification_uri_complete="https://simkl.com.evil.net/pin?user_code=BDWP-HQPK",
        )
    )
    assert (code.verification_url, code.complete_url) == ("https://simkl.com/pin", "")
    assert code.qr_text == "https://simkl.com/pin?user_code=BDWP-HQPK"


def test_simkls_own_addresses_are_used_as_sent_and_logged_about_never(logged):
    code = parse_device_start(
        device_reply(
            verification_uri="https://api.simkl.com/activate/",
            verification_uri_complete="https://api.simkl.com/activate?code=BDWP-HQPK&x=1",
        )
    )
    assert code.verification_url == "https://api.simkl.com/activate"
    assert code.qr_text == "https://api.simkl.com/activate?code=BDWP-HQPK&x=1"
    assert logged == []


def test_the_device_code_never_reaches_the_log_even_inside_a_foreign_address(logged):
    sneaky = f"https://{DEVICE_CODE.lower()}.evil.net/{DEVICE_CODE}?dc={DEVICE_CODE}"
    parse_device_start(device_reply(verification_uri=sneaky, verification_uri_complete=sneaky))
    text = "\n".join(logged).lower()
    assert logged and DEVICE_CODE.lower() not in text and "evil" not in text


# -- properties: whatever a reply names, what is shown and scanned is on simkl.com ------------

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
TRICKY_HOSTS = st.one_of(
    st.sampled_from(
        ["simkl.com", "SIMKL.com", "simkl.com.", "simkl.co", "simkl.com.evil.net", "evil.net"]
    ),
    st.builds(lambda sub: f"{sub}.simkl.com", LABEL),  # on simkl.com
    st.builds(lambda pre: f"{pre}simkl.com", LABEL),  # evilsimkl.com
    st.builds(lambda tail: f"simkl.com.{tail}", LABEL),  # simkl.com.evil
    st.builds(lambda a, b: f"{a}.simkl.com.{b}.net", LABEL, LABEL),
    st.text(min_size=1, max_size=12),  # anything at all, unicode included
)
ADDRESSES = st.one_of(
    st.builds(
        "{}://{}{}{}{}".format,
        st.sampled_from(["https", "HTTPS", "http", "ftp", "javascript", ""]),
        st.sampled_from(["", "user@", "simkl.com@", "evil.net@", "a:b@", "x\\@"]),
        TRICKY_HOSTS,
        st.sampled_from(["", ":443", ":8443", ":", ":x"]),
        st.sampled_from(["", "/pin", "/pin/", "/pin?user_code=AB", "\\.evil.net", "/#@x", "/ x"]),
    ),
    st.text(max_size=60),
    st.none(),
    st.integers(),
)
USER_CODES = st.text(min_size=1, max_size=32).filter(str.strip)


@EXAMPLES
@given(url=ADDRESSES)
def test_check_address_keeps_only_what_the_rule_allows(url):
    address, why = check_address(url)
    if address:
        assert why == "" and on_simkl(address)
        assert address.lower() == url.lower()  # normalised, never rewritten to elsewhere
    else:
        assert why
        assert not (isinstance(url, str) and on_simkl(url) and len(url) <= 256)


@EXAMPLES
@given(uri=ADDRESSES, complete=ADDRESSES, code=USER_CODES)
def test_whatever_a_device_reply_says_the_window_and_qr_code_show_simkl(uri, complete, code):
    pin = parse_device_start(
        device_reply(user_code=code, verification_uri=uri, verification_uri_complete=complete)
    )
    assert on_simkl(pin.verification_url)
    assert on_simkl(pin.qr_text)
    if not (isinstance(complete, str) and on_simkl(complete) and len(complete) <= 256):
        assert pin.qr_text.startswith(pin.verification_url + "?user_code=")


@EXAMPLES
@given(uri=ADDRESSES, url=ADDRESSES, code=USER_CODES)
def test_whatever_a_pin_reply_says_the_window_and_qr_code_show_simkl(uri, url, code):
    pin = parse_pin_start({"user_code": code, "verification_uri": uri, "verification_url": url})
    assert on_simkl(pin.verification_url)
    assert on_simkl(pin.qr_text)
    assert pin.qr_text.startswith(pin.verification_url + "/")


# -- in the Kodi window: the address shown and the QR image written -----------------------------

EVIL = "https://simkl.com.evil.net/pin"


def qr_pngs_seen(env) -> list[bytes]:
    """Each QR image in the profile folder, read while the window waits."""
    seen: list[bytes] = []

    def look(_seconds: float) -> None:
        for path in glob.glob(os.path.join(env.profile, f"{QR_PREFIX}*.png")):
            with open(path, "rb") as stream:
                seen.append(stream.read())

    env.state.on_wait = look
    return seen


def qr_png_of(text: str, folder) -> bytes:
    path = write_qr_png(text, str(folder))
    assert path is not None
    with open(path, "rb") as stream:
        return stream.read()


@responses.activate
def test_the_kodi_window_shows_simkls_address_and_its_qr_code_for_a_foreign_device_reply(
    env, tmp_path
):
    reply = device_reply(verification_uri=EVIL, verification_uri_complete=f"{EVIL}?u=BDWP-HQPK")
    reply["interval"] = 0.01  # the fake Kodi waits for real
    responses.post(f"{API}/oauth2/device", json=reply)
    responses.post(f"{API}/oauth2/token", status=400, json={"error": "authorization_pending"})
    responses.post(f"{API}/oauth2/token", status=400, json={"error": "access_denied"})
    seen = qr_pngs_seen(env)
    script.main(["default.py", "login"])
    window = env.state.windows[0]
    assert window.controls[pin_dialog.URL].label == "[B]https://simkl.com/pin[/B]"
    expected = qr_png_of("https://simkl.com/pin?user_code=BDWP-HQPK", tmp_path / "a")
    assert seen and set(seen) == {expected}
    assert qr_png_of(f"{EVIL}?u=BDWP-HQPK", tmp_path / "b") not in seen
    log = env.log_text()
    assert "verification_uri_complete is on another host than simkl.com" in log
    assert "evil" not in log and DEVICE_CODE not in log


@responses.activate
def test_the_kodi_window_shows_simkls_address_and_its_qr_code_for_a_foreign_pin_reply(
    env, tmp_path
):
    env.v1_client()
    responses.get(f"{API}/oauth/pin", json={**PIN_REPLY, "verification_uri": EVIL})
    responses.get(f"{API}/oauth/pin/7QX2KD", json={"result": "KO", "message": "pending"})
    responses.get(f"{API}/oauth/pin/7QX2KD", json={"result": "OK", "access_token": TOKEN})
    responses.post(f"{API}/users/settings", json={"user": {"name": "jane"}, "account": {"id": 4}})
    seen = qr_pngs_seen(env)
    script.main(["default.py", "login"])
    window = env.state.windows[0]
    assert window.controls[pin_dialog.URL].label == "[B]https://simkl.com/pin[/B]"
    assert seen and set(seen) == {qr_png_of("https://simkl.com/pin/7QX2KD", tmp_path / "a")}
    assert qr_png_of(f"{EVIL}/7QX2KD", tmp_path / "b") not in seen
    assert "verification_uri is on another host than simkl.com" in env.log_text()
    assert env.credentials()["access_token"] == TOKEN
