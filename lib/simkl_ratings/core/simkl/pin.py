"""Simkl PIN sign-in (AUTH V1): show a code, poll until the user approves it.

The loop honours `interval` and `expires_in`, backs off on "Slow down", survives network
errors, and stops when a reply carries `device_code` (Simkl's way of saying the code is gone).
Waiting is injected so the shell can keep a dialog's countdown and Cancel live, and tests can
run the loop without real time passing.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..errors import BadResponse, NetworkError, RateLimited, ServerError
from .client import SimklClient, Wait

LOG = logging.getLogger(__name__)

DEFAULT_EXPIRES_IN = 900.0
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
MAX_INTERVAL = 60.0
DEFAULT_VERIFICATION_URL = "https://simkl.com/pin"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9._~+/=-]{16,512}$")


@dataclass(frozen=True)
class PinCode:
    user_code: str
    verification_url: str
    expires_in: float
    interval: float


class LoginOutcome(enum.Enum):
    SIGNED_IN = "signed_in"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CODE_GONE = "code_gone"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    token: str | None = None

    def __repr__(self) -> str:  # never show the token
        return f"LoginResult({self.outcome.value})"


def _number(raw: Any, default: float) -> float:
    """Simkl documents numbers here; some clients saw strings. Accept both, sanely bounded."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return default
    return value if 0 < value < 86400 else default


def parse_pin_start(body: Any) -> PinCode:
    """The code to show, from GET /oauth/pin (or a poll reply that issued a new code)."""
    if not isinstance(body, Mapping):
        raise BadResponse("sign-in reply is not an object")
    code = body.get("user_code")
    if not isinstance(code, str) or not code.strip() or len(code) > 32:
        raise BadResponse("sign-in reply has no user_code")
    url = body.get("verification_uri") or body.get("verification_url")
    if not isinstance(url, str) or not url.startswith("https://"):
        url = DEFAULT_VERIFICATION_URL
    return PinCode(
        user_code=code.strip(),
        verification_url=url.rstrip("/"),
        expires_in=_number(body.get("expires_in"), DEFAULT_EXPIRES_IN),
        interval=_number(body.get("interval"), DEFAULT_INTERVAL),
    )


def _token_from(reply: Mapping[str, Any]) -> str | None:
    if str(reply.get("result", "")).upper() != "OK":
        return None
    token = reply.get("access_token")
    if isinstance(token, str) and _TOKEN_RE.match(token):
        return token
    return None


class PinLogin:
    """One sign-in attempt: `start()` gets a code, `wait_for_approval()` polls for it."""

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
        deadline = self._clock() + code.expires_in
        interval = code.interval
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                return LoginResult(LoginOutcome.EXPIRED)
            if self._wait(min(interval, remaining)):
                return LoginResult(LoginOutcome.CANCELLED)
            if self._clock() >= deadline:
                return LoginResult(LoginOutcome.EXPIRED)
            try:
                reply = self._client.pin_poll(code.user_code)
            except (NetworkError, ServerError, BadResponse, RateLimited) as exc:
                LOG.info("sign-in poll failed (%s); still waiting", exc)
                continue
            if not isinstance(reply, Mapping):
                LOG.info("sign-in poll returned an unexpected shape; still waiting")
                continue
            token = _token_from(reply)
            if token:
                return LoginResult(LoginOutcome.SIGNED_IN, token)
            if "device_code" in reply:
                return LoginResult(LoginOutcome.CODE_GONE)
            if "slow down" in str(reply.get("message", "")).lower():
                interval = min(MAX_INTERVAL, interval + SLOW_DOWN_STEP)
                LOG.info("Simkl asked to slow down; polling every %.0f s", interval)
