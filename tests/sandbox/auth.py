"""Tokens and the AUTH V1 PIN flow of the Simkl sandbox (simkl-api.md §2).

Separate from the HTTP layer so the PIN state machine (pending -> slow down -> OK once -> gone)
can be reasoned about in one place; time comes from an injectable monotonic clock.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CODE_ALPHABET = string.ascii_uppercase + string.digits
VERIFICATION_URI = "https://simkl.com/pin"
# Polls this fraction of the interval apart still count as on time (client timers jitter).
SLOW_DOWN_TOLERANCE = 0.9


def token_fingerprint(token: str) -> str:
    """Short sha256 prefix so request logs can tell tokens apart without storing them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


class TokenStore:
    """Access tokens this sandbox accepts; V1 tokens are 64 hex chars and never expire."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: set[str] = set()

    def issue(self, token: str | None = None) -> str:
        """Accept ``token`` (or a new random one) from now on and return it."""
        token = token or secrets.token_hex(32)
        with self._lock:
            self._tokens.add(token)
        return token

    def revoke(self, token: str | None = None) -> int:
        """Forget one token, or all when ``token`` is None (user removed the app); returns count."""
        with self._lock:
            if token is None:
                count = len(self._tokens)
                self._tokens.clear()
                return count
            if token in self._tokens:
                self._tokens.discard(token)
                return 1
            return 0

    def valid(self, token: str | None) -> bool:
        """True for a token issued here and not revoked."""
        with self._lock:
            return token is not None and token in self._tokens


def _number(value: float) -> float | int:
    """Emit 5 rather than 5.0 so the JSON looks like Simkl's while allowing fast test values."""
    return int(value) if float(value).is_integer() else value


@dataclass
class PinCode:
    """One issued user_code and its polling history."""

    user_code: str
    created: float
    expires_at: float
    last_poll: float | None = None
    polls: int = 0
    approved: bool = False


class PinRegistry:
    """``GET /oauth/pin`` and ``GET /oauth/pin/{user_code}`` state."""

    def __init__(
        self,
        tokens: TokenStore,
        *,
        interval: float = 5,
        expires_in: float = 900,
        approve_after_polls: int | None = None,
        approve_after_seconds: float | None = None,
        strict_slow_down: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens = tokens
        self.interval = interval
        self.expires_in = expires_in
        self.approve_after_polls = approve_after_polls
        self.approve_after_seconds = approve_after_seconds
        self.strict_slow_down = strict_slow_down
        self.clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, PinCode] = {}

    def init(self) -> dict[str, Any]:
        """New code in the documented shape; ``device_code`` is Simkl's literal placeholder."""
        with self._lock:
            self._purge()
            code = self._new_code()
            now = self.clock()
            self._codes[code] = PinCode(code, now, now + self.expires_in)
        return {
            "result": "OK",
            "device_code": "DEVICE_CODE",
            "user_code": code,
            "verification_uri": VERIFICATION_URI,
            "verification_url": VERIFICATION_URI,
            "expires_in": _number(self.expires_in),
            "interval": _number(self.interval),
        }

    def poll(self, user_code: str) -> dict[str, Any] | None:
        """Poll answer, or None when the code is unknown/expired/used (caller falls through).

        Slow-down polls neither count towards ``approve_after_polls`` nor approve the code.
        """
        with self._lock:
            self._purge()
            pin = self._codes.get(user_code)
            if pin is None:
                return None
            now = self.clock()
            previous, pin.last_poll = pin.last_poll, now
            too_fast = previous is not None and now - previous < self.interval * SLOW_DOWN_TOLERANCE
            if self.strict_slow_down and too_fast:
                return {"result": "KO", "message": "Slow down"}
            pin.polls += 1
            if self._auto_approved(pin, now):
                pin.approved = True
            if not pin.approved:
                return {"result": "KO", "message": "Authorization pending"}
            del self._codes[user_code]
        return {"result": "OK", "access_token": self.tokens.issue()}

    def approve(self, user_code: str | None = None) -> str:
        """Approve ``user_code`` (or the newest pending one) as the user would on simkl.com/pin."""
        with self._lock:
            self._purge()
            if user_code is None:
                pending = [p for p in self._codes.values() if not p.approved]
                if not pending:
                    raise KeyError("no pending PIN code")
                user_code = max(pending, key=lambda p: p.created).user_code
            if user_code not in self._codes:
                raise KeyError(f"unknown or expired PIN code {user_code!r}")
            self._codes[user_code].approved = True
            return user_code

    def pending(self) -> list[dict[str, Any]]:
        """Live codes, oldest first, for the control API and test assertions."""
        with self._lock:
            self._purge()
            now = self.clock()
            return [
                {
                    "user_code": p.user_code,
                    "approved": p.approved,
                    "polls": p.polls,
                    "expires_in": round(p.expires_at - now, 3),
                }
                for p in sorted(self._codes.values(), key=lambda p: p.created)
            ]

    def _auto_approved(self, pin: PinCode, now: float) -> bool:
        """``approve_after_polls=N``: N polls answer pending, poll N+1 gets the token."""
        by_polls = self.approve_after_polls is not None and pin.polls > self.approve_after_polls
        by_time = (
            self.approve_after_seconds is not None
            and now - pin.created >= self.approve_after_seconds
        )
        return by_polls or by_time

    def _purge(self) -> None:
        now = self.clock()
        for code in [c for c, p in self._codes.items() if p.expires_at <= now]:
            del self._codes[code]

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
            if code not in self._codes:
                return code
