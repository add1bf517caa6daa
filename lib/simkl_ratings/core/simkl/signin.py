"""What both Simkl sign-in flows share: the code shown, the result, and the poll loop.

AUTH V1 (`pin.py`, GET /oauth/pin) and AUTH V2 (`device.py`, the OAuth device flow) differ in
how a code is asked for and how one poll is read; the loop around the polls is the same:
honour `interval`, give up at `expires_in`, lengthen the interval for good on "slow down",
survive network trouble, and stop when the code is gone, refused or cancelled. Waiting is
injected so the shell keeps its window's countdown and Cancel live, and tests run without
real time passing.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Union

from ..errors import (
    BadResponse,
    NetworkError,
    QuotaExhausted,
    RateLimited,
    ScopeMissing,
    ServerError,
)
from .client import Wait

LOG = logging.getLogger(__name__)

DEFAULT_EXPIRES_IN = 900.0
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
MAX_INTERVAL = 60.0
DEFAULT_VERIFICATION_URL = "https://simkl.com/pin"
READ_SCOPE = "media:read"
WRITE_SCOPE = "media:write"


def scope_for(write: bool) -> str:
    """Ask for what the enabled features need: reading only, unless one writes to Simkl."""
    return f"{READ_SCOPE} {WRITE_SCOPE}" if write else READ_SCOPE


def grants_write(scope: str | None) -> bool:
    return WRITE_SCOPE in (scope or "").split()


def require_write(auth_version: int, scope: str | None) -> None:
    """Before a feature writes to Simkl: a V2 sign-in without media:write cannot, so the user
    must sign in again (ScopeMissing says so in words) rather than meet a silent 403. V1
    sign-ins have no scopes."""
    if auth_version >= 2 and not grants_write(scope):
        raise ScopeMissing(f"the sign-in grants {scope or 'no scope'}; writing needs {WRITE_SCOPE}")


@dataclass(frozen=True)
class PinCode:
    """A code to show. `secret` is V2's device code: used to poll, never shown or logged."""

    user_code: str
    verification_url: str
    expires_in: float
    interval: float
    complete_url: str = ""
    version: int = 1
    secret: str = field(default="", repr=False, compare=False)

    @property
    def qr_text(self) -> str:
        """What a QR code should carry: the approval page with the code already filled in."""
        if self.complete_url:
            return self.complete_url
        if self.version >= 2:
            return f"{self.verification_url}?user_code={self.user_code}"
        return f"{self.verification_url}/{self.user_code}"


class LoginOutcome(enum.Enum):
    SIGNED_IN = "signed_in"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CODE_GONE = "code_gone"
    DENIED = "denied"


@dataclass(frozen=True)
class Grant:
    """What a sign-in (or a refresh) hands over. V1 grants carry only the access token."""

    access_token: str = field(repr=False)
    version: int = 1
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: float | None = None
    scope: str | None = None


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    grant: Grant | None = None

    @property
    def token(self) -> str | None:
        return self.grant.access_token if self.grant else None

    def __repr__(self) -> str:  # never show the token
        return f"LoginResult({self.outcome.value})"


class Poll(enum.Enum):
    """One poll's verdict when it brought no token."""

    PENDING = "pending"
    SLOW_DOWN = "slow_down"
    GONE = "gone"
    DENIED = "denied"


PollAnswer = Union[Grant, Poll]


def number(raw: Any, default: float, limit: float = 86400) -> float:
    """Simkl documents numbers here; some clients saw strings. Accept both, sanely bounded."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return default
    return value if 0 < value < limit else default


def poll_until(
    code: PinCode,
    poll_once: Callable[[], PollAnswer],
    *,
    wait: Wait,
    clock: Callable[[], float] = time.monotonic,
) -> LoginResult:
    """Poll every `interval` until a grant, the deadline, a lost or refused code, or cancel."""
    deadline = clock() + code.expires_in
    interval = code.interval
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            return LoginResult(LoginOutcome.EXPIRED)
        if wait(min(interval, remaining)):
            return LoginResult(LoginOutcome.CANCELLED)
        if clock() >= deadline:
            return LoginResult(LoginOutcome.EXPIRED)
        try:
            answer = poll_once()
        except QuotaExhausted:
            raise
        except (NetworkError, ServerError, BadResponse, RateLimited) as exc:
            LOG.info("sign-in poll failed (%s); still waiting", exc)
            continue
        if isinstance(answer, Grant):
            return LoginResult(LoginOutcome.SIGNED_IN, answer)
        if answer is Poll.GONE:
            return LoginResult(LoginOutcome.CODE_GONE)
        if answer is Poll.DENIED:
            return LoginResult(LoginOutcome.DENIED)
        if answer is Poll.SLOW_DOWN:
            interval = min(MAX_INTERVAL, interval + SLOW_DOWN_STEP)
            LOG.info("Simkl asked to slow down; polling every %.0f s", interval)
