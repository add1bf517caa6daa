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
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence, Union
from urllib.parse import quote, urlsplit, urlunsplit

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
MAX_ADDRESS = 256  # Simkl's are about 45 characters; a QR code of a long one is a dense one
# RFC 3986's characters outside the host (unreserved, sub-delims, ":", "@", "/", "?", "%"):
# no space, no backslash (browsers read it as "/"), no brackets (Kodi's label markup, [CR]),
# no "#" (nothing Simkl sends needs a fragment).
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]+")
# simkl.com or a subdomain of it, in plain ASCII letters, digits and hyphens.
_SIMKL_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*simkl\.com")
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
        """What a QR code should carry: the approval page with the code already filled in
        (the code percent-encoded, so whatever Simkl sent stays inside the path or query)."""
        if self.complete_url:
            return self.complete_url
        code = quote(self.user_code, safe="")
        if self.version >= 2:
            return f"{self.verification_url}?user_code={code}"
        return f"{self.verification_url}/{code}"


def check_address(url: Any) -> tuple[str, str]:
    """(the address, "") when ``url`` is on Simkl's own site: https, on simkl.com or one of its
    subdomains, no user name, password or port, plain URL characters; else ("", why not).
    The reason is fixed words: nothing of the address (a hostile one could carry a secret)."""
    why = _text_problem(url)
    if why:
        return "", why
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "", "is not a URL"
    host = parts.hostname or ""
    if parts.scheme != "https":
        return "", "is not https"
    if parts.netloc.lower() != host:
        return "", "carries a user name, password or port"
    if not _SIMKL_HOST.fullmatch(host):
        return "", "is on another host than simkl.com"
    return urlunsplit(("https", host, parts.path, parts.query, "")), ""


def _text_problem(url: Any) -> str:
    if not isinstance(url, str):
        return "is not text"
    if len(url) > MAX_ADDRESS:
        return f"is {len(url)} characters long"
    if not _URL_CHARS.fullmatch(url):
        return "holds characters no URL may (not ASCII, spaces, brackets or backslashes)"
    return ""


def _first_given(body: Mapping[str, Any], names: Sequence[str]) -> tuple[str, Any]:
    for name in names:
        value = body.get(name)
        if value is not None and value != "":
            return name, value
    return names[0], None


def simkl_addresses(body: Mapping[str, Any], *, complete: bool) -> tuple[str, str]:
    """Where the user enters the code (`verification_uri`, or the older `verification_url`)
    and, with ``complete``, the page with the code filled in (`verification_uri_complete`):
    only addresses on Simkl's own site (check_address), since they are shown and put in the QR
    code a user scans. An address that is not falls back to the built-in one (and the QR code
    to it with the code), with one log line saying why."""
    fields: list[Sequence[str]] = [("verification_uri", "verification_url")]
    if complete:
        fields.append(("verification_uri_complete",))
    found: list[str] = []
    refused: list[str] = []
    for names in fields:
        name, raw = _first_given(body, names)
        address, why = check_address(raw) if raw is not None else ("", "")
        if why:
            refused.append(f"{name} {why}")
        found.append(address)
    shown = (found[0] or DEFAULT_VERIFICATION_URL).rstrip("/")
    if refused:
        LOG.warning(
            "the sign-in reply gave an address that is not Simkl's own (%s); showing %s and "
            "a QR code on it instead",
            "; ".join(refused),
            shown,
        )
    return shown, found[1] if complete else ""


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
