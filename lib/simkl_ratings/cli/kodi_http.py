"""Kodi's JSON-RPC over HTTP (`POST <url>/jsonrpc`, basic auth): the transport the core's
`JsonRpc` takes, with typed errors the runner turns into exit codes.

Plain http:// is allowed to any host: Kodi's web server speaks nothing else, and it lives on the
local network. Behind TLS (a reverse proxy, docs/RUNNER-TLS.md), an https:// address has its
certificate verified: against the system's CAs, or the CA file given (`--kodi-ca`) for a
self-signed one. Two-way sync over plain http to another machine is warned about
(`plain_http_risk`). The password is sent only in the Authorization header; no message, log line
or `repr` here contains it (nor the URL with credentials: a URL carrying them is refused). No
redirect is followed.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from ..core.errors import ConfigError
from ..core.library.jsonrpc import JsonRpcError
from ..core.simkl.client import is_loopback

LOG = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 120.0)  # connect; read (a large library page or batch takes seconds)


class KodiUnreachable(JsonRpcError):
    """Nothing answered at the URL: Kodi is off, its web server is off, or the address is wrong."""

    code = "kodi_unreachable"


class KodiCertificate(KodiUnreachable):
    """An https:// Kodi whose certificate could not be verified."""


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


def check_ca_file(url: str, ca_file: str | None) -> None:
    """A CA file goes with an https:// address, and must be readable."""
    if not ca_file:
        return
    if urlsplit(url).scheme != "https":
        raise ConfigError("a Kodi CA file (--kodi-ca) needs an https:// Kodi address")
    try:
        with open(ca_file, "rb"):
            pass
    except OSError:
        raise ConfigError(f"the Kodi CA file {ca_file} cannot be read") from None


def plain_http_risk(url: str | None) -> str | None:
    """Why two-way sync with this Kodi address is risky, in words; None when the address is
    https or this machine (or unusable: that is said elsewhere)."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme != "http" or not host or is_loopback(host):
        return None
    return (
        f"warning: two-way sync talks to the Kodi at {host} over plain http. Anyone on that "
        "network who can pose as this Kodi can feed it ratings that two-way then sends to "
        "your Simkl account, and can read the Kodi password. Put Kodi behind https and use "
        "an https:// address (docs/RUNNER-TLS.md), or run the runner on the Kodi machine "
        "(http://127.0.0.1)."
    )


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
        ca_file: str | None = None,
    ) -> None:
        self.url = jsonrpc_url(url)
        check_ca_file(self.url, ca_file)
        # Given with every request, so REQUESTS_CA_BUNDLE cannot replace the CA file.
        self.verify: bool | str = ca_file or True
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
            response = self.session.post(
                self.url,
                json=request,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise KodiUnreachable(method, None, f"no answer from {self.url} in time") from None
        except requests.exceptions.SSLError:
            words = (
                f"the certificate of {self.url} could not be verified (for a certificate of "
                "your own, give its CA with --kodi-ca FILE; see docs/RUNNER-TLS.md)"
            )
            raise KodiCertificate(method, None, words) from None
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
