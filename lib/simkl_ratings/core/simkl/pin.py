"""Simkl PIN sign-in (AUTH V1): GET /oauth/pin for a code, GET /oauth/pin/{code} to poll.

Only what is V1's own lives here: reading its replies. A reply carrying `device_code` is
Simkl's way of saying the code is gone; "Slow down" comes as a message. The loop around the
polls is `signin.poll_until`, shared with the device flow.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable, Mapping

from ..errors import BadResponse
from .client import SimklClient, Wait
from .signin import (
    DEFAULT_EXPIRES_IN,
    DEFAULT_INTERVAL,
    Grant,
    LoginOutcome,
    LoginResult,
    PinCode,
    Poll,
    PollAnswer,
    number,
    poll_until,
    simkl_addresses,
)

LOG = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"^[A-Za-z0-9._~+/=-]{16,512}$")

__all__ = ["LoginOutcome", "LoginResult", "PinCode", "PinLogin", "parse_pin_start"]


def user_code(body: Any) -> str:
    if not isinstance(body, Mapping):
        raise BadResponse("sign-in reply is not an object")
    code = body.get("user_code")
    if not isinstance(code, str) or not code.strip() or len(code) > 32:
        raise BadResponse("sign-in reply has no user_code")
    return code.strip()


def parse_pin_start(body: Any) -> PinCode:
    """The code to show, from GET /oauth/pin (or a poll reply that issued a new code)."""
    code = user_code(body)
    return PinCode(
        user_code=code,
        verification_url=simkl_addresses(body, complete=False)[0],
        expires_in=number(body.get("expires_in"), DEFAULT_EXPIRES_IN),
        interval=number(body.get("interval"), DEFAULT_INTERVAL),
    )


def read_pin_poll(reply: Any) -> PollAnswer:
    """One V1 poll reply: a token, pending, slow down, or "the code is gone"."""
    if not isinstance(reply, Mapping):
        LOG.info("sign-in poll returned an unexpected shape; still waiting")
        return Poll.PENDING
    token = reply.get("access_token")
    approved = str(reply.get("result", "")).upper() == "OK"
    if approved and isinstance(token, str) and _TOKEN_RE.match(token):
        return Grant(access_token=token, version=1)
    if "device_code" in reply:
        return Poll.GONE
    if "slow down" in str(reply.get("message", "")).lower():
        return Poll.SLOW_DOWN
    return Poll.PENDING


class PinLogin:
    """One V1 sign-in attempt: `start()` gets a code, `wait_for_approval()` polls for it."""

    version = 1

    def __init__(
        self,
        client: SimklClient,
        *,
        wait: Wait,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._wait = wait
        self._clock = clock

    def start(self) -> PinCode:
        return parse_pin_start(self._client.pin_start())

    def wait_for_approval(self, code: PinCode) -> LoginResult:
        def poll_once() -> PollAnswer:
            return read_pin_poll(self._client.pin_poll(code.user_code))

        return poll_until(code, poll_once, wait=self._wait, clock=self._clock)
