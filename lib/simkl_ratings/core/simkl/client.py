"""The Simkl HTTP client: identification, retries, and typed errors.

One `requests.Session` for a run. Every request carries client_id, app-name and app-version;
/sync and /users calls carry the bearer token, taken from a `TokenSource` that may refresh it
(AUTH V2): a 401 asks the source for a new token once and the call is sent once more; a second
401 is `TokenRefused`, which keeps the sign-in (only `invalid_grant` ends it). 429 and
5xx are retried with backoff that honours Retry-After; other 4xx never are. Simkl's daily quota
(429 user_limit_exceeded) is never waited for: the `QuotaGate` remembers it and every later call
is refused locally until it ends. /oauth2/* calls are form posts without a token. Nothing here
logs or raises a token, a device code or a full URL.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Mapping, Protocol, Union
from urllib.parse import urlsplit

import requests

from ..errors import (
    BadResponse,
    Cancelled,
    ClientIdRejected,
    ConfigError,
    NetworkError,
    QuotaExhausted,
    RateLimited,
    ScopeMissing,
    ServerError,
    SignedOut,
    SimklError,
    TokenRefused,
)
from ..timeutil import utc_now

LOG = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.simkl.com"
APP_NAME = "kodi-simkl-ratings"
ALL_RATINGS = "1,2,3,4,5,6,7,8,9,10"
_AUTH_PREFIXES = ("/sync/", "/users/")
_QUOTA_ERRORS = ("user_limit_exceeded", "app_limit_exceeded")

_WRONG_CLIENT_KIND = ("invalid_client", "unauthorized_client")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# wait(seconds) -> True when the wait was interrupted (cancel or Kodi abort).
Wait = Callable[[float], bool]


class TokenSource(Protocol):
    """Where the bearer token comes from (core/simkl/tokens.py refreshes V2 tokens)."""

    def access_token(self) -> str | None:
        """The token to send now (refreshed first when it is about to expire)."""

    def refreshed(self, rejected: str) -> str | None:
        """After Simkl answered 401 to `rejected`: a new token, or None (signed out)."""


class Quota(Protocol):
    """The persisted "Simkl blocked until" (core/simkl/quota.py)."""

    def blocked_until(self) -> Any:
        """An aware datetime while blocked, else None."""

    def block(self, retry_after: float | None, reason: str) -> Any:
        """Remember a quota refusal; returns the datetime until which calls are refused."""


def is_wrong_client_kind(exc: SimklError) -> bool:
    """Simkl's answer when a V1 client id calls a V2 endpoint, or the other way round."""
    return exc.status in (400, 401) and exc.error in _WRONG_CLIENT_KIND


def _plain_sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def validate_api_url(url: str) -> str:
    """The API base URL without a trailing slash; https, or http for loopback hosts only.

    A token must never cross a network unencrypted, so plain http is refused unless the host
    is this machine (the sandbox used by tests and the demo).
    """
    text = (url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("api_url must be an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError("api_url must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError("api_url must use https (plain http only for this machine)")
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Received:
    """One exchange brought a usable reply: its parsed JSON body."""

    body: Any


@dataclass(frozen=True)
class Retry:
    """One exchange failed in a way another try may mend, after `delay` seconds."""

    error: SimklError
    delay: float


Attempt = Union[Received, Retry]  # what one exchange gives; a final failure is raised


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a GET tries: `retries` more attempts after the first, exponential backoff."""

    retries: int = 4
    base_delay: float = 1.0
    max_delay: float = 16.0
    max_retry_after: float = 60.0
    jitter: float = 0.2

    def backoff(self, attempt: int, rng: Callable[[float, float], float]) -> float:
        delay = min(self.max_delay, self.base_delay * (2**attempt))
        return max(0.0, delay * rng(1 - self.jitter, 1 + self.jitter))


def parse_retry_after(raw: str | None) -> float | None:
    """Retry-After as seconds (it may be a number or an HTTP date); None when absent or bad."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - utc_now()).total_seconds())


class SimklClient:
    """Talks to the Simkl API (or the local sandbox) for one run."""

    def __init__(
        self,
        api_url: str,
        client_id: str,
        app_version: str,
        *,
        token: str | None = None,
        auth: TokenSource | None = None,
        quota: Quota | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10.0, 30.0),
        retry: RetryPolicy = RetryPolicy(),
        wait: Wait = _plain_sleep,
        rng: Callable[[float, float], float] = random.uniform,
    ) -> None:
        if not client_id or not client_id.strip():
            raise ConfigError("no Simkl client_id configured")
        self.base_url = validate_api_url(api_url)
        self.client_id = client_id.strip()
        self.app_version = app_version
        self.token = token
        self.auth = auth
        self.quota = quota
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"{APP_NAME}/{app_version}"
        self.timeout = timeout
        self.retry = retry
        self._wait = wait
        self._rng = rng
        self.requests_sent = 0

    # -- endpoints ---------------------------------------------------------------------------

    def pin_start(self) -> Any:
        """GET /oauth/pin: a new user code to show."""
        return self.get("/oauth/pin")

    def pin_poll(self, user_code: str) -> Any:
        """GET /oauth/pin/{code}, once: the PIN loop is the retry, so no backoff here."""
        return self.get(f"/oauth/pin/{user_code}", retry=False)

    def device_start(self, scope: str) -> Any:
        """POST /oauth2/device (AUTH V2): a device code and the user code to show."""
        return self.post_form("/oauth2/device", {"client_id": self.client_id, "scope": scope})

    def device_poll(self, device_code: str) -> Any:
        """POST /oauth2/token with the device grant, once (the sign-in loop is the retry)."""
        form = {"grant_type": DEVICE_GRANT, "client_id": self.client_id, "device_code": device_code}
        return self.post_form("/oauth2/token", form)

    def refresh_grant(self, refresh_token: str) -> Any:
        """POST /oauth2/token with the refresh grant: a new access token (the old one dies)."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": refresh_token,
        }
        return self.post_form("/oauth2/token", form)

    def revoke(self, token: str) -> Any:
        """POST /oauth2/revoke: ends the whole grant; its answer proves nothing (RFC 7009)."""
        return self.post_form("/oauth2/revoke", {"token": token, "client_id": self.client_id})

    def user_settings(self) -> Any:
        """The signed-in account (POST for historical reasons, no body)."""
        return self.request("POST", "/users/settings", body={})

    def activities(self) -> Any:
        return self.get("/sync/activities")

    def ratings(self, type_name: str) -> Any:
        """The user's own rated items of one type (the full 1..10 list, so only rated rows).

        `extended=full` asks for `anime_type` where Simkl offers it (documented for all-items);
        a server that ignores it changes nothing, since untyped anime are matched safely.
        """
        return self.get(f"/sync/ratings/{type_name}/{ALL_RATINGS}?extended=full")

    # -- transport ---------------------------------------------------------------------------

    def get(self, path: str, *, retry: bool = True) -> Any:
        return self.request("GET", path, retry=retry)

    def post_form(self, path: str, form: Mapping[str, str]) -> Any:
        """An /oauth2/* call: form-encoded, no token, no retry (its caller decides)."""
        return self.request("POST", path, form=form, retry=False)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: Mapping[str, str] | None = None,
        retry: bool = True,
    ) -> Any:
        """Send one call with retries; return the parsed JSON body or raise a SimklError.

        POSTs are only retried on 429 (the server refused them before doing anything);
        a POST that timed out or failed with 5xx may have landed and must not be resent.
        A 401 on an authenticated call is retried once with a refreshed token.
        """
        self._check_quota()
        headers = self._headers(path)
        retries = self.retry.retries if retry else 0
        attempt = 0
        reauthorised = False
        while True:
            try:
                outcome = self._attempt(method, path, headers, body, form, attempt)
            except SignedOut as refused:
                sent = headers.get("Authorization", "")[len("Bearer ") :]
                if reauthorised:  # refused again right after a refresh that worked
                    raise TokenRefused(str(refused), refused.status, refused.error) from None
                if self.auth is None or not sent:
                    raise
                reauthorised = True
                fresh = self.auth.refreshed(sent)
                if not fresh:
                    raise
                LOG.info("%s %s: the token was refused; sending it again refreshed", method, path)
                headers["Authorization"] = f"Bearer {fresh}"
                continue
            if isinstance(outcome, Received):
                return outcome.body
            failure = outcome.error
            safe_to_retry = method == "GET" or isinstance(failure, RateLimited)
            if attempt >= retries or not safe_to_retry:
                raise failure
            LOG.info("%s %s failed (%s); retrying in %.1f s", method, path, failure, outcome.delay)
            if self._wait(outcome.delay):
                raise Cancelled("cancelled while waiting to retry")
            attempt += 1

    def _check_quota(self) -> None:
        """Refuse locally, without a request, while Simkl's daily quota is used up."""
        until = self.quota.blocked_until() if self.quota is not None else None
        if until is not None:
            raise QuotaExhausted(f"Simkl's daily quota is used up until {until}", until)

    def _headers(self, path: str) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if path.startswith(_AUTH_PREFIXES):
            token = self.auth.access_token() if self.auth is not None else self.token
            if not token:
                raise SignedOut("not signed in to Simkl")
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _params(self) -> dict[str, str]:
        return {"client_id": self.client_id, "app-name": APP_NAME, "app-version": self.app_version}

    def _attempt(  # noqa: PLR0917 (one exchange's parts; private)
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: Any,
        form: Mapping[str, str] | None,
        attempt: int,
    ) -> Attempt:
        """One HTTP exchange: the reply, a failure worth another try, or a raised SimklError."""
        self.requests_sent += 1
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=self._params(),
                headers=headers,
                json=body if method != "GET" and form is None else None,
                data=dict(form) if form is not None else None,
                timeout=self.timeout,
            )
        except requests.Timeout:
            return Retry(NetworkError(f"{method} {path}: timed out"), self._backoff(attempt))
        except requests.RequestException as exc:
            reason = type(exc).__name__
            return Retry(NetworkError(f"{method} {path}: {reason}"), self._backoff(attempt))
        return self._classify(method, path, response, attempt)

    def _classify(
        self, method: str, path: str, response: requests.Response, attempt: int
    ) -> Attempt:
        status = response.status_code
        where = f"{method} {path}: HTTP {status}"
        if 200 <= status < 300:
            try:
                return Received(response.json())
            except ValueError:
                # A maintenance page served with 200 is transient: retried like a 5xx.
                failure = BadResponse(f"{where} with a body that is not JSON", status)
                return Retry(failure, self._backoff(attempt))
        error = _error_word(response)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if error in _QUOTA_ERRORS:
                until = self.quota.block(retry_after, error) if self.quota is not None else None
                raise QuotaExhausted(f"{where} ({error})", until, error)
            limited = RateLimited(f"{where} ({error or 'rate_limit'})", retry_after, error)
            if retry_after is not None and retry_after > self.retry.max_retry_after:
                raise limited
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            return Retry(limited, delay)
        if status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            return Retry(ServerError(where, status), min(delay, self.retry.max_retry_after))
        if status == 401 and path.startswith(_AUTH_PREFIXES):
            raise SignedOut(f"{where} ({error or 'unauthorized'})", status, error)
        if status == 403 and error == "insufficient_scope":
            raise ScopeMissing(f"{where} ({error})", status, error)
        if status == 412 or (status == 401 and error in (None, "invalid_client")):
            raise ClientIdRejected(f"{where} ({error or 'client_id_failed'})", status, error)
        raise SimklError(f"{where} ({error or 'error'})", status, error)

    def _backoff(self, attempt: int) -> float:
        return self.retry.backoff(attempt, self._rng)


def _error_word(response: requests.Response) -> str | None:
    """The `error` word of Simkl's error envelope, when there is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"][:64]
    return None
