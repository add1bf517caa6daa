"""Kodi's JSON-RPC over HTTP (`POST <url>/jsonrpc`, basic auth): the transport the core's
`JsonRpc` takes, with typed errors the runner turns into exit codes.

Plain http:// is allowed to any host: Kodi's web server speaks nothing else, and it lives on the
local network. The password is sent only in the Authorization header; no message, log line or
`repr` here contains it (nor the URL with credentials: a URL carrying them is refused).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from ..core.errors import ConfigError
from ..core.library.jsonrpc import JsonRpcError

LOG = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 120.0)  # connect; read (a large library page or batch takes seconds)


class KodiUnreachable(JsonRpcError):
    """Nothing answered at the URL: Kodi is off, its web server is off, or the address is wrong."""

    code = "kodi_unreachable"


class KodiAuthFailed(JsonRpcError):
    """Kodi's web server refused the user name or password (HTTP 401)."""

    code = "kodi_auth"


def jsonrpc_url(url: str) -> str:
    """`http(s)://host[:port][/path]` -> the JSON-RPC endpoint; refuses credentials in the URL
    (they would show in `ps`, shell history and error messages)."""
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("the Kodi URL must look like http://HOST:PORT (Kodi's web server)")
    if parts.username is not None or parts.password is not None:
        raise ConfigError("put the Kodi user and password in their options, not in the URL")
    if parts.query or parts.fragment:
        raise ConfigError("the Kodi URL must not carry a query or a fragment")
    try:
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise ConfigError("the Kodi URL has an invalid port") from None
    path = parts.path.rstrip("/")
    if not path.endswith("/jsonrpc"):
        path += "/jsonrpc"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _method_of(request: Any) -> str:
    first = request[0] if isinstance(request, list) and request else request
    method = first.get("method") if isinstance(first, dict) else None
    return method if isinstance(method, str) else "JSON-RPC"


class HttpTransport:
    """Callable transport for `JsonRpc`: one POST per call or batch, one kept-alive session."""

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.url = jsonrpc_url(url)
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["Content-Type"] = "application/json"
        if password is not None or user:
            self.session.auth = (user or "kodi", password or "")

    def __repr__(self) -> str:  # never the password
        return f"HttpTransport({self.url!r})"

    def __call__(self, request: Any) -> Any:
        method = _method_of(request)
        try:
            response = self.session.post(self.url, json=request, timeout=self.timeout)
        except requests.Timeout:
            raise KodiUnreachable(method, None, f"no answer from {self.url} in time") from None
        except requests.RequestException as exc:
            reason = type(exc).__name__
            raise KodiUnreachable(method, None, f"cannot reach {self.url} ({reason})") from None
        if response.status_code == 401:
            raise KodiAuthFailed(method, None, f"{self.url} refused the Kodi user or password")
        if response.status_code != 200:
            raise JsonRpcError(method, None, f"{self.url} answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise JsonRpcError(method, None, f"{self.url} did not answer JSON") from None
