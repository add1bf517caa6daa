"""Simkl device sign-in (AUTH V2, OAuth 2.0 device flow, RFC 8628).

POST /oauth2/device gives a device code (a secret: it is only ever sent back to Simkl), the
user code to show and where to enter it; POST /oauth2/token is polled with the device grant.
Its refusals are RFC words in a 400: `authorization_pending` waits, `slow_down` lengthens the
interval for good, `expired_token` means a new code, `access_denied` stops. The loop is
`signin.poll_until`, shared with the PIN flow.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Mapping

from ..errors import BadResponse, SimklError
from ..redact import remember_secret
from .client import SimklClient, Wait
from .pin import user_code
from .signin import (
    DEFAULT_EXPIRES_IN,
    DEFAULT_INTERVAL,
    Grant,
    LoginResult,
    PinCode,
    Poll,
    PollAnswer,
    number,
    poll_until,
    simkl_addresses,
)

LOG = logging.getLogger(__name__)

MAX_TOKEN_LIFETIME = 400 * 86400.0  # Simkl's is 7 days; anything beyond a year is nonsense
_POLL_WORDS = {
    "authorization_pending": Poll.PENDING,
    "slow_down": Poll.SLOW_DOWN,
    "expired_token": Poll.GONE,
    "access_denied": Poll.DENIED,
}


def parse_device_start(body: Any) -> PinCode:
    """The code to show from POST /oauth2/device; the device code is kept, never shown."""
    code = user_code(body)
    device_code = body.get("device_code")
    if not isinstance(device_code, str) or not device_code.strip() or len(device_code) > 2048:
        raise BadResponse("device sign-in reply has no device_code")
    remember_secret(device_code)  # before anything is logged about this reply
    shown, complete = simkl_addresses(body, complete=True)
    return PinCode(
        user_code=code,
        verification_url=shown,
        expires_in=number(body.get("expires_in"), DEFAULT_EXPIRES_IN),
        interval=number(body.get("interval"), DEFAULT_INTERVAL),
        complete_url=complete,
        version=2,
        secret=device_code,
    )


def parse_grant(body: Any) -> Grant:
    """A token reply (device grant or refresh): access and refresh tokens, lifetime, scope."""
    if not isinstance(body, Mapping):
        raise BadResponse("token reply is not an object")
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not access.strip() or len(access) > 2048:
        raise BadResponse("token reply has no access_token")
    if refresh is not None and (not isinstance(refresh, str) or not refresh.strip()):
        refresh = None
    remember_secret(access)
    remember_secret(refresh)
    scope = body.get("scope")
    expires_in = body.get("expires_in")
    return Grant(
        access_token=access.strip(),
        version=2,
        refresh_token=refresh.strip() if refresh else None,
        expires_in=number(expires_in, 0.0, limit=MAX_TOKEN_LIFETIME) or None,
        scope=scope.strip() if isinstance(scope, str) else None,
    )


class DeviceLogin:
    """One V2 sign-in attempt: `start()` gets a code, `wait_for_approval()` polls for it."""

    version = 2

    def __init__(
        self,
        client: SimklClient,
        *,
        scope: str,
        wait: Wait,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._scope = scope
        self._wait = wait
        self._clock = clock

    def start(self) -> PinCode:
        return parse_device_start(self._client.device_start(self._scope))

    def poll_once(self, code: PinCode) -> PollAnswer:
        """One POST /oauth2/token; Simkl's RFC words become the loop's verdicts."""
        try:
            reply = self._client.device_poll(code.secret)
        except SimklError as exc:
            verdict = _POLL_WORDS.get(exc.error or "") if exc.status == 400 else None
            if verdict is None:
                raise
            return verdict
        return parse_grant(reply)

    def wait_for_approval(self, code: PinCode) -> LoginResult:
        return poll_until(code, lambda: self.poll_once(code), wait=self._wait, clock=self._clock)
