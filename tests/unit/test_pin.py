"""The PIN sign-in loop: interval, expiry, slow down, lost codes, cancel, network trouble."""

from __future__ import annotations

import pytest
import requests
import responses
from simkl_ratings.core.errors import BadResponse, ClientIdRejected
from simkl_ratings.core.simkl.pin import LoginOutcome, PinCode, PinLogin, parse_pin_start

from .conftest import API

PIN_REPLY = {
    "result": "OK",
    "device_code": "DEVICE_CODE",
    "user_code": "5G6JAH",
    "verification_uri": "https://simkl.com/pin",
    "verification_url": "https://simkl.com/pin/",
    "expires_in": 900,
    "interval": 5,
}
POLL = f"{API}/oauth/pin/5G6JAH"
PENDING = {"result": "KO", "message": "Authorization pending"}
TOKEN = "f" * 64


class FakeTime:
    """A clock that moves only when the loop waits."""

    def __init__(self, cancel_at: float | None = None) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.cancel_at = cancel_at

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return self.cancel_at is not None and self.now >= self.cancel_at


def login(client, fake: FakeTime) -> PinLogin:
    return PinLogin(client, wait=fake.wait, clock=fake.clock)


def code(expires_in=900.0, interval=5.0) -> PinCode:
    return PinCode("5G6JAH", "https://simkl.com/pin", expires_in, interval)


@responses.activate
def test_start_reads_code_url_expiry_and_interval(client):
    responses.get(f"{API}/oauth/pin", json=PIN_REPLY)
    pin = login(client, FakeTime()).start()
    assert pin == PinCode("5G6JAH", "https://simkl.com/pin", 900.0, 5.0)


def test_start_falls_back_to_verification_url_and_defaults():
    pin = parse_pin_start(
        {"user_code": "AB12C", "verification_url": "https://simkl.com/pin/", "interval": "3"}
    )
    assert pin.verification_url == "https://simkl.com/pin"
    assert pin.interval == 3.0
    assert pin.expires_in == 900.0


@pytest.mark.parametrize("body", [None, [], {"result": "OK"}, {"user_code": ""}, "x"])
def test_start_without_a_code_is_a_bad_response(body):
    with pytest.raises(BadResponse):
        parse_pin_start(body)


@responses.activate
def test_polls_every_interval_until_approved(client):
    responses.get(POLL, json=PENDING)
    responses.get(POLL, json=PENDING)
    responses.get(POLL, json={"result": "OK", "access_token": TOKEN})
    fake = FakeTime()
    result = login(client, fake).wait_for_approval(code())
    assert result.outcome is LoginOutcome.SIGNED_IN
    assert result.token == TOKEN
    assert fake.waits == [5.0, 5.0, 5.0]
    assert TOKEN not in repr(result)


@responses.activate
def test_slow_down_lengthens_the_interval(client):
    responses.get(POLL, json={"result": "KO", "message": "Slow down"})
    responses.get(POLL, json=PENDING)
    responses.get(POLL, json={"result": "OK", "access_token": TOKEN})
    fake = FakeTime()
    login(client, fake).wait_for_approval(code())
    assert fake.waits == [5.0, 10.0, 10.0]


@responses.activate
def test_network_errors_and_5xx_do_not_end_the_loop(client):
    responses.get(POLL, body=requests.ConnectionError("down"))
    responses.get(POLL, status=503)
    responses.get(POLL, body="<html>")
    responses.get(POLL, json=["unexpected"])
    responses.get(POLL, json={"result": "OK", "access_token": TOKEN})
    result = login(client, FakeTime()).wait_for_approval(code())
    assert result.outcome is LoginOutcome.SIGNED_IN


@responses.activate
def test_a_reply_with_device_code_means_the_code_is_gone(client):
    responses.get(POLL, json={**PIN_REPLY, "user_code": "NEW999"})
    result = login(client, FakeTime()).wait_for_approval(code())
    assert result.outcome is LoginOutcome.CODE_GONE
    assert result.token is None


@responses.activate
def test_gives_up_when_expires_in_has_passed(client):
    responses.get(POLL, json=PENDING)
    fake = FakeTime()
    result = login(client, fake).wait_for_approval(code(expires_in=12, interval=5))
    assert result.outcome is LoginOutcome.EXPIRED
    assert sum(fake.waits) == pytest.approx(12)
    assert len(responses.calls) == 2  # at 5 s and 10 s; the deadline comes before the third


@responses.activate
def test_cancel_stops_polling(client):
    responses.get(POLL, json=PENDING)
    fake = FakeTime(cancel_at=10)
    result = login(client, fake).wait_for_approval(code())
    assert result.outcome is LoginOutcome.CANCELLED
    assert len(responses.calls) == 1


@responses.activate
def test_a_token_that_is_not_a_token_is_not_accepted(client):
    responses.get(POLL, json={"result": "OK", "access_token": "short"})
    responses.get(POLL, json={"result": "OK", "access_token": TOKEN})
    result = login(client, FakeTime()).wait_for_approval(code())
    assert result.token == TOKEN
    assert len(responses.calls) == 2


@responses.activate
def test_client_id_rejected_while_polling_stops_with_that_error(client):
    responses.get(POLL, status=412, json={"error": "client_id_failed"})
    with pytest.raises(ClientIdRejected):
        login(client, FakeTime()).wait_for_approval(code())
