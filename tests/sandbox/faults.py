"""Fault injection and the request log of the Simkl sandbox.

Faults model what sits in front of Simkl (Cloudflare, maintenance pages, dropped sockets), so
they are applied before identification or auth. The log lets tests assert how often and how
politely the add-on called the API without ever keeping a bearer token.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

# OAuth words answered as Simkl's /oauth2/token would: 400 {"error": word}
OAUTH_FAULTS = ("slow_down", "expired_token", "invalid_grant", "access_denied")
FAULT_KINDS = (
    "429",
    "500",
    "502",
    "503",
    "slow",
    "malformed",
    "wrong_shape",
    "drop",
    "quota",  # 429 user_limit_exceeded with a long Retry-After (the daily quota, §3.4)
    "insufficient_scope",  # 403: the token lacks media:write
    "invalid_token",  # 401: the V2 access token expired
    *OAUTH_FAULTS,
)
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html><head><title>Simkl is under maintenance</title></head>"
    "<body><h1>We'll be right back</h1></body></html>"
)


@dataclass
class Fault:
    """One queued fault; ``remaining`` None means it never runs out."""

    path_prefix: str
    kind: str
    remaining: int | None = 1
    opts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the control API."""
        return asdict(self)


class FaultQueue:
    """FIFO of faults; each matching request consumes one unit of the first matching fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, path_prefix: str, kind: str | int, count: int | None = 1, **opts: Any) -> Fault:
        """Queue a fault; validates early so a typo does not silently inject nothing."""
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, got {kind!r}")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError(f"count must be a positive int or None, got {count!r}")
        fault = Fault(str(path_prefix), kind, count, dict(opts))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, path: str, method: str = "GET") -> Fault | None:
        """Consume and return the first fault whose prefix matches ``path`` (and whose
        ``method`` option, when it has one, matches ``method``)."""
        with self._lock:
            for fault in self._faults:
                wanted = fault.opts.get("method")
                if wanted is not None and str(wanted).upper() != method.upper():
                    continue
                if path.startswith(fault.path_prefix):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Drop all queued faults."""
        with self._lock:
            self._faults.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        """Queued faults in order, for assertions and the control API."""
        with self._lock:
            return [f.to_dict() for f in self._faults]


@dataclass
class RequestRecord:
    """What the sandbox saw of one API request (never the bearer token itself)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    client_id: str | None
    app_name: str | None
    app_version: str | None
    user_agent: str | None
    authorized: bool
    token_sha256: str | None
    token_valid: bool
    body: Any = None
    status: int | None = None
    fault: str | None = None
    time: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``GET /_control/requests``."""
        return asdict(self)


class RequestLog:
    """Thread-safe append-only list of RequestRecord."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        """Add a record (called before the response is written, so clients never race it)."""
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        """A copy, safe to iterate while the server keeps logging."""
        with self._lock:
            return list(self._records)

    def count(self, path_prefix: str | None = None) -> int:
        """Requests whose path starts with ``path_prefix`` (all when None)."""
        with self._lock:
            return sum(
                1 for r in self._records if path_prefix is None or r.path.startswith(path_prefix)
            )

    def clear(self) -> None:
        """Forget everything logged so far."""
        with self._lock:
            self._records.clear()
