"""AUTH V2 of the Simkl sandbox: the device flow, tokens that expire, refresh and revoke.

Behaviour as reported for Simkl (simkl-api.md §3): `POST /oauth2/device` issues an opaque
device code and an `XXXX-YYYY` user code; `POST /oauth2/token` answers RFC 8628 words in a 400
until the user approves, then a token pair. A refresh returns a new access token and the same
refresh token, and kills the previous access token at once. Revoking either token ends the
grant; revoke always answers 200. Lifetimes are settable down to seconds for tests; every
secret ever issued is kept so tests can search logs and files for them.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .auth import SLOW_DOWN_TOLERANCE, VERIFICATION_URI, _number

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels, as RFC 8628 §6.1 suggests
ACCESS_LIFETIME = 604800.0  # 7 days
SCOPES = ("media:read", "media:write")


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    scope: str
    created: float
    expires_at: float
    last_poll: float | None = None
    polls: int = 0
    approved: bool = False
    denied: bool = False


@dataclass
class Grant:
    """One signed-in device: a refresh token and its current access token."""

    refresh_token: str
    scope: str
    access_token: str = ""
    access_expires_at: float = 0.0
    revoked: bool = False
    refreshes: int = 0
    previous: list[str] = field(default_factory=list)


def granted_scope(asked: str | None) -> str:
    """Known scopes only; a missing or misspelt scope silently yields read-only (§3.1)."""
    words = [w for w in (asked or "").split() if w in SCOPES]
    return " ".join(sorted(set(words), key=SCOPES.index)) or "media:read"


class OAuth2:
    """Device codes and grants; thread-safe, time from an injectable monotonic clock."""

    def __init__(
        self,
        *,
        interval: float = 5,
        expires_in: float = 900,
        access_lifetime: float = ACCESS_LIFETIME,
        approve_after_polls: int | None = None,
        strict_slow_down: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.expires_in = expires_in
        self.access_lifetime = access_lifetime
        self.approve_after_polls = approve_after_polls
        self.strict_slow_down = strict_slow_down
        self.clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, DeviceCode] = {}
        self._grants: dict[str, Grant] = {}  # by refresh token
        self._by_access: dict[str, Grant] = {}
        self.issued_secrets: list[str] = []
        self.counts = {"device": 0, "poll": 0, "refresh": 0, "revoke": 0}

    # -- device flow ---------------------------------------------------------------------------

    def device(self, scope: str | None) -> dict[str, Any]:
        with self._lock:
            self._purge()
            self.counts["device"] += 1
            device_code = secrets.token_urlsafe(30)
            user_code = self._new_user_code()
            now = self.clock()
            self._codes[device_code] = DeviceCode(
                device_code, user_code, granted_scope(scope), now, now + self.expires_in
            )
            self.issued_secrets.append(device_code)
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": VERIFICATION_URI,
            "verification_uri_complete": f"{VERIFICATION_URI}?user_code={user_code}",
            "expires_in": _number(self.expires_in),
            "interval": _number(self.interval),
        }

    def poll(self, device_code: str | None) -> tuple[int, dict[str, Any]]:
        """The device grant: (status, body) with RFC 8628 words until approved."""
        with self._lock:
            self.counts["poll"] += 1
            code = self._codes.get(device_code or "")
            if code is None:
                return 400, {"error": "invalid_grant", "error_description": "unknown code"}
            now = self.clock()
            if code.expires_at <= now:
                del self._codes[code.device_code]
                return 400, {"error": "expired_token", "error_description": "code expired"}
            previous, code.last_poll = code.last_poll, now
            too_fast = previous is not None and now - previous < self.interval * SLOW_DOWN_TOLERANCE
            if self.strict_slow_down and too_fast:
                return 400, {"error": "slow_down", "error_description": "polling too fast"}
            code.polls += 1
            if self.approve_after_polls is not None and code.polls > self.approve_after_polls:
                code.approved = True
            if code.denied:
                del self._codes[code.device_code]
                return 400, {"error": "access_denied", "error_description": "refused"}
            if not code.approved:
                return 400, {"error": "authorization_pending", "error_description": "waiting"}
            del self._codes[code.device_code]
            return 200, self._new_grant(code.scope)

    def approve(self, user_code: str | None = None) -> str:
        return self._decide(user_code, deny=False)

    def deny(self, user_code: str | None = None) -> str:
        return self._decide(user_code, deny=True)

    def _decide(self, user_code: str | None, *, deny: bool) -> str:
        with self._lock:
            self._purge()
            pending = [c for c in self._codes.values() if not c.approved and not c.denied]
            if user_code is None:
                if not pending:
                    raise KeyError("no pending device code")
                code = max(pending, key=lambda c: c.created)
            else:
                found = [c for c in self._codes.values() if c.user_code == user_code]
                if not found:
                    raise KeyError(f"unknown or expired device code {user_code!r}")
                code = found[0]
            if deny:
                code.denied = True
            else:
                code.approved = True
            return code.user_code

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            self._purge()
            now = self.clock()
            return [
                {
                    "user_code": c.user_code,
                    "approved": c.approved,
                    "polls": c.polls,
                    "expires_in": round(c.expires_at - now, 3),
                    "flow": "v2",
                    "created": c.created,
                }
                for c in sorted(self._codes.values(), key=lambda c: c.created)
            ]

    # -- tokens --------------------------------------------------------------------------------

    def issue(self, scope: str = "media:read", lifetime: float | None = None) -> dict[str, Any]:
        """A grant without the device flow (a previous sign-in), in the token reply's shape."""
        with self._lock:
            return self._new_grant(granted_scope(scope), lifetime)

    def refresh(self, refresh_token: str | None) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.counts["refresh"] += 1
            grant = self._grants.get(refresh_token or "")
            if grant is None or grant.revoked:
                return 400, {"error": "invalid_grant", "error_description": "refresh token dead"}
            grant.refreshes += 1
            self._by_access.pop(grant.access_token, None)
            grant.previous.append(grant.access_token)
            return 200, self._new_access(grant)

    def revoke(self, token: str | None) -> None:
        with self._lock:
            self.counts["revoke"] += 1
            grant = self._grants.get(token or "") or self._by_access.get(token or "")
            if grant is not None:
                grant.revoked = True
                self._by_access.pop(grant.access_token, None)

    def revoke_all(self) -> int:
        with self._lock:
            live = [g for g in self._grants.values() if not g.revoked]
            for grant in live:
                grant.revoked = True
                self._by_access.pop(grant.access_token, None)
            return len(live)

    def expire_access(self) -> None:
        """Every live access token expires now (a refresh still works)."""
        with self._lock:
            for grant in self._grants.values():
                grant.access_expires_at = min(grant.access_expires_at, self.clock())

    def access_state(self, token: str | None) -> str | None:
        """ "ok", "expired", or None for a token this registry never issued or no longer honours."""
        with self._lock:
            grant = self._by_access.get(token or "")
            if grant is None or grant.revoked:
                return None
            return "ok" if grant.access_expires_at > self.clock() else "expired"

    def scope_of(self, token: str | None) -> str | None:
        with self._lock:
            grant = self._by_access.get(token or "")
            return grant.scope if grant else None

    def _new_grant(self, scope: str, lifetime: float | None = None) -> dict[str, Any]:
        grant = Grant(refresh_token="simkl_rt_" + secrets.token_urlsafe(32), scope=scope)
        self._grants[grant.refresh_token] = grant
        self.issued_secrets.append(grant.refresh_token)
        return self._new_access(grant, lifetime)

    def _new_access(self, grant: Grant, lifetime: float | None = None) -> dict[str, Any]:
        life = self.access_lifetime if lifetime is None else lifetime
        grant.access_token = "simkl_at_" + secrets.token_urlsafe(32)
        grant.access_expires_at = self.clock() + life
        self._by_access[grant.access_token] = grant
        self.issued_secrets.append(grant.access_token)
        return {
            "access_token": grant.access_token,
            "token_type": "Bearer",
            "expires_in": _number(life),
            "refresh_token": grant.refresh_token,
            "scope": grant.scope,
        }

    def _purge(self) -> None:
        now = self.clock()
        for key in [k for k, c in self._codes.items() if c.expires_at <= now]:
            del self._codes[key]

    def _new_user_code(self) -> str:
        while True:
            half = lambda: "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(4))  # noqa: E731
            code = f"{half()}-{half()}"
            if all(c.user_code != code for c in self._codes.values()):
                return code
