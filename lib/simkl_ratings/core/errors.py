"""Typed errors for every way a run can stop.

Each error carries a stable `code` that the report stores and the shell turns into words for
the user. Messages never contain tokens or full URLs with credentials.
"""

from __future__ import annotations

from datetime import datetime


class SyncError(Exception):
    """Base for every error a run reports instead of crashing."""

    code = "error"


class ConfigError(SyncError):
    """A setting or the packaging is unusable (bad api_url, no client_id...)."""

    code = "config"


class Cancelled(SyncError):
    """The user cancelled or Kodi is shutting down."""

    code = "cancelled"


class SimklError(SyncError):
    """Simkl answered with something we cannot use."""

    code = "simkl"

    def __init__(self, message: str, status: int | None = None, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error  # Simkl's `error` word, when the reply had one


class SignedOut(SimklError):
    """No token, or Simkl rejected it (401 user_token_failed): the user must sign in again."""

    code = "signed_out"


class TokenRefused(SimklError):
    """Simkl refused an access token even right after a refresh that worked. The refresh token
    still does, so the sign-in is kept: only `invalid_grant` or a revoke ends a sign-in."""

    code = "token_refused"


class ScopeMissing(SimklError):
    """The token may not do what a feature needs (no media:write, or 403 insufficient_scope):
    the user must sign in again and grant it."""

    code = "scope"


class ClientIdRejected(SimklError):
    """412 client_id_failed: wrong client_id or a throttling block. Never retried."""

    code = "client_id"


class RateLimited(SimklError):
    """429 beyond the retry budget; `retry_after` is in seconds when Simkl said so."""

    code = "rate_limited"

    def __init__(
        self, message: str, retry_after: float | None = None, error: str | None = None
    ) -> None:
        super().__init__(message, status=429, error=error)
        self.retry_after = retry_after


class QuotaExhausted(RateLimited):
    """Simkl's daily quota is used up (429 user_limit_exceeded / app_limit_exceeded): no call
    to Simkl until `until` (an aware datetime), which the profile remembers across runs."""

    code = "quota"

    def __init__(self, message: str, until: datetime | None, error: str | None = None) -> None:
        super().__init__(message, None, error)
        self.until = until


class ServerError(SimklError):
    """5xx (or an unparseable maintenance page) beyond the retry budget."""

    code = "server"


class NetworkError(SimklError):
    """Timeout, refused connection, DNS failure..."""

    code = "network"


class BadResponse(SimklError):
    """A body of the wrong shape: not JSON, or JSON we cannot read."""

    code = "bad_response"
