"""Local Simkl API sandbox: a stdlib HTTP server with Simkl's documented behaviour and quirks.

Unit tests run it in-process; end-to-end tests start it as a subprocess (see ``main``) so a real
Kodi can talk to it. The API surface is what ``script.simkl.ratings`` uses: PIN sign-in, user
settings, activities, ratings reads with their silent fallbacks, and rating writes; and AUTH V2
(``oauth2.py``): the device flow, expiring tokens, refresh and revoke, with a per-client-id
switch making a client V1-only or V2-only. Everything a
test needs to steer (approving PINs, changing ratings, injecting faults) is available both as
Python methods and under ``/_control/`` for out-of-process drivers.

Reference: /work/shared/reference/simkl-api.md (§ numbers in docstrings point there).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .auth import PinRegistry, TokenStore, token_fingerprint
from .faults import MAINTENANCE_PAGE, OAUTH_FAULTS, Fault, FaultQueue, RequestLog, RequestRecord
from .model import AccountModel
from .oauth2 import DEVICE_GRANT, OAuth2

HOST = "127.0.0.1"
RECORDED_HEADERS = ("user-agent", "content-type", "accept", "simkl-api-key")
CONTROL_PREFIX = "/_control"
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Request:
    """The parts of an HTTP request the sandbox looks at; header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    @property
    def token(self) -> str | None:
        """Bearer token from ``Authorization``, if any."""
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        return (value.strip() or None) if scheme.lower() == "bearer" else None

    def json(self) -> Any:
        """Parsed JSON body; an empty body counts as ``{}`` like Simkl's "no body" POSTs."""
        if not self.body.strip():
            return {}
        return json.loads(self.body.decode("utf-8"))

    def json_or_none(self) -> Any:
        """Body for the request log: parsed JSON or None, never an exception."""
        try:
            return self.json() if self.body else None
        except (ValueError, UnicodeDecodeError):
            return None

    def form(self) -> dict[str, str]:
        """An /oauth2/* body: form-encoded (what clients normally send) or a JSON object."""
        if "application/x-www-form-urlencoded" in self.headers.get("content-type", ""):
            return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        body = self.json_or_none()
        return {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}


@dataclass
class Response:
    """What to send back; ``drop`` closes the connection without any response."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    fault: str | None = None


def json_response(status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
    """Serialise ``value`` (``None`` becomes the literal ``null``)."""
    return Response(
        status, json.dumps(value).encode("utf-8"), {"Content-Type": JSON_TYPE, **(headers or {})}
    )


def error_response(status: int, error: str, message: str) -> Response:
    """Simkl's error envelope (§1.6): ``{error, code, message}``."""
    return json_response(status, {"error": error, "code": status, "message": message})


CLIENT_ID_FAILED = (412, "client_id_failed", "Your client_id is wrong. Try another one")
USER_TOKEN_FAILED = (401, "user_token_failed", "Your token is wrong, revoked or missing.")
URL_FAILED = (404, "url_failed", "This URL does not exist")


def fault_response(fault: Fault) -> Response:
    """The canned answer for every fault kind except ``slow`` (which only delays)."""
    kind, opts = fault.kind, fault.opts
    # 429 always carries Retry-After (default 1 s) unless retry_after=None; 5xx only on request.
    retry = opts.get("retry_after", 1 if kind == "429" else None)
    headers = {} if retry is None else {"Retry-After": str(retry)}
    if kind == "429":
        return json_response(429, {"error": opts.get("error", "rate_limit")}, headers)
    if kind in ("500", "502", "503"):
        if opts.get("html"):
            page = MAINTENANCE_PAGE.encode("utf-8")
            return Response(int(kind), page, {"Content-Type": "text/html", **headers})
        return json_response(int(kind), {"error": "internal", "code": int(kind)}, headers)
    if kind == "malformed":
        return Response(200, MAINTENANCE_PAGE.encode("utf-8"), {"Content-Type": "text/html"})
    if kind in AUTH_FAULTS or kind == "wrong_shape":
        return auth_fault_response(kind, opts)
    return Response(0, drop=True)


AUTH_FAULTS = ("quota", "insufficient_scope", "invalid_token", *OAUTH_FAULTS)


def auth_fault_response(kind: str, opts: dict[str, Any]) -> Response:
    """The V2-era refusals: the daily quota, a missing scope, an expired token, OAuth words
    (and a 200 of the wrong shape, to keep fault_response short)."""
    if kind == "wrong_shape":
        return json_response(200, opts.get("body", []))
    if kind == "quota":
        wait = {"Retry-After": str(opts.get("retry_after", 36000))}
        return json_response(429, {"error": opts.get("error", "user_limit_exceeded")}, wait)
    status = {"insufficient_scope": 403, "invalid_token": 401}.get(kind, 400)
    return json_response(status, {"error": kind, "error_description": "injected"})


def oauth_error(status: int, error: str, description: str) -> Response:
    """The RFC 6749 envelope /oauth2/* answers with (no ``code``, §1.6)."""
    return json_response(status, {"error": error, "error_description": description})


FLOWS = ("v1", "v2")
REDACTED_FORM_KEYS = ("device_code", "refresh_token", "token")


class SimklSandbox:
    """In-process fake of api.simkl.com for one user account."""

    def __init__(
        self,
        account: dict[str, Any] | None = None,
        *,
        client_ids: tuple[str, ...] | list[str] = ("sandbox-client-id",),
        pin_interval: float = 5,
        pin_expires_in: float = 900,
        approve_after_polls: int | None = None,
        approve_after_seconds: float | None = None,
        legacy_null_empty: bool = False,
        strict_slow_down: bool = True,
        access_lifetime: float = 604800,
    ) -> None:
        self.client_ids = tuple(client_ids)
        self.client_flows: dict[str, set[str]] = {cid: set(FLOWS) for cid in self.client_ids}
        self.legacy_null_empty = legacy_null_empty
        self.pin_404_mode = False  # some clients treat a 404 poll as "expired" (§2.2)
        self.verbose = False
        self.model = AccountModel(account)
        self.tokens = TokenStore()
        self.pins = PinRegistry(
            self.tokens,
            interval=pin_interval,
            expires_in=pin_expires_in,
            approve_after_polls=approve_after_polls,
            approve_after_seconds=approve_after_seconds,
            strict_slow_down=strict_slow_down,
        )
        self.oauth2 = OAuth2(
            interval=pin_interval,
            expires_in=pin_expires_in,
            access_lifetime=access_lifetime,
            approve_after_polls=approve_after_polls,
            strict_slow_down=strict_slow_down,
        )
        self.faults = FaultQueue()
        self._log = RequestLog()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()

    def reset_account(self, account: dict[str, Any] | None) -> None:
        """Start over from this account (tests sharing one server must not see each other's
        rating changes); issued tokens stay valid, faults are cleared."""
        self.model = AccountModel(copy.deepcopy(account))
        self.faults.clear()

    def account_state(self) -> AccountModel:
        """A copy of the account as it is now (ratings, activities' timestamps), for
        restore_account_state: a later test resumes exactly there, with nothing "changed"."""
        return copy.deepcopy(self.model)

    def restore_account_state(self, state: AccountModel) -> None:
        """Back to an account_state() copy (it stays reusable); faults are cleared."""
        self.model = copy.deepcopy(state)
        self.faults.clear()

    @classmethod
    def from_fixture(cls, path: str | Path, **kw: Any) -> SimklSandbox:
        """Build from an account fixture JSON file (format: fixtures/sample_account.json)."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")), **kw)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, port: int = 0) -> SimklSandbox:
        """Serve on 127.0.0.1 (a free port unless ``port`` is given) in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        self._server = _Server((HOST, port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="simkl-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listener and any kept-alive client connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # client may have closed it already
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimklSandbox:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """Bound port; only valid while running."""
        if self._server is None:
            raise RuntimeError("sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL to use instead of https://api.simkl.com."""
        return f"http://{HOST}:{self.port}"

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._conn_lock:
            (self._connections.add if alive else self._connections.discard)(conn)

    # -- request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Snapshot of every API request so far (control requests excluded)."""
        return self._log.snapshot()

    def request_count(self, path_prefix: str | None = None) -> int:
        """Number of API requests, optionally only those whose path starts with the prefix."""
        return self._log.count(path_prefix)

    def clear_requests(self) -> None:
        """Forget logged requests (e.g. after test setup)."""
        self._log.clear()

    # -- auth --------------------------------------------------------------------------------

    def issue_token(self, token: str | None = None) -> str:
        """Pre-seed a valid access token, skipping the PIN flow."""
        return self.tokens.issue(token)

    def revoke_token(self, token: str | None = None) -> int:
        """Revoke one token, or all of both flows (the user removed the app on simkl.com)."""
        if token is None:
            return self.tokens.revoke() + self.oauth2.revoke_all()
        if self.oauth2.access_state(token) is not None or token.startswith("simkl_"):
            self.oauth2.revoke(token)
            return 1
        return self.tokens.revoke(token)

    def approve(self, user_code: str | None = None) -> str:
        """Approve a PIN or device code (the newest pending one of either flow when omitted),
        as the user would on simkl.com/pin; returns the code."""
        if user_code is None:
            newest = [c for c in self.pending_codes() if not c["approved"]]
            if not newest:
                raise KeyError("no pending code")
            user_code = newest[-1]["user_code"]
        if any(c["user_code"] == user_code for c in self.oauth2.pending()):
            return self.oauth2.approve(user_code)
        return self.pins.approve(user_code)

    def deny(self, user_code: str | None = None) -> str:
        """The user refuses a device code on simkl.com (V2 answers access_denied)."""
        return self.oauth2.deny(user_code)

    def pending_codes(self) -> list[dict[str, Any]]:
        """Live PIN and device codes with their poll counts, oldest first."""
        pins = [{**p, "flow": "v1"} for p in self.pins.pending()]
        devices = [{k: v for k, v in c.items() if k != "created"} for c in self.oauth2.pending()]
        return pins + devices

    def set_client_flows(self, client_id: str, flows: str) -> None:
        """``"v1"``, ``"v2"`` or ``"both"``: which sign-in flows Simkl accepts from a client id
        (a V2 app is refused by /oauth/pin, a V1 app by /oauth2/*)."""
        chosen = set(FLOWS) if flows == "both" else {flows}
        if not chosen <= set(FLOWS):
            raise ValueError(f"flows must be v1, v2 or both, got {flows!r}")
        self.client_flows[client_id] = chosen

    def issue_v2_tokens(
        self, scope: str = "media:read", lifetime: float | None = None
    ) -> dict[str, Any]:
        """A V2 grant without the device flow (a stored sign-in), in the token reply's shape."""
        return self.oauth2.issue(scope, lifetime)

    def expire_access_tokens(self) -> None:
        """Every V2 access token expires now; refresh tokens keep working."""
        self.oauth2.expire_access()

    def secrets_issued(self) -> list[str]:
        """Every V2 device code, access and refresh token handed out (to search logs for)."""
        return list(self.oauth2.issued_secrets)

    def refresh_requests(self) -> int:
        """POST /oauth2/token requests with the refresh grant that reached the sandbox."""
        return sum(
            1
            for r in self.requests
            if r.path == "/oauth2/token"
            and isinstance(r.body, dict)
            and r.body.get("grant_type") == "refresh_token"
        )

    # -- faults ------------------------------------------------------------------------------

    def inject(
        self, path_prefix: str, kind: str | int, count: int | None = 1, **opts: Any
    ) -> Fault:
        """Queue a fault for requests under ``path_prefix``; ``count=None`` means forever.

        Options: ``retry_after`` (429/5xx), ``error`` (429 error word), ``seconds`` (slow),
        ``body`` (wrong_shape JSON value), ``html`` (5xx with an HTML page), ``method``
        (only requests of that method: "POST" for the pushes, not the downloads).
        """
        return self.faults.add(path_prefix, kind, count, **opts)

    def clear_faults(self) -> None:
        """Remove all queued faults."""
        self.faults.clear()

    # -- account mutators (each bumps activities like Simkl) ---------------------------------

    def set_rating(self, type_: str, simkl_id: int, rating: int, *, rated_at: Any = None) -> dict:
        """Rate 1..10 as the user would on simkl.com; returns the resulting ratings row."""
        return self.model.set_rating(type_, simkl_id, rating, rated_at=rated_at)

    def set_raw_rating(
        self, type_: str, simkl_id: int, value: Any, *, rated_at: Any = None
    ) -> dict:
        """Store an invalid value (0, 11, "8", 7.5, None) for client robustness tests."""
        return self.model.set_raw_rating(type_, simkl_id, value, rated_at=rated_at)

    def remove_rating(self, type_: str, simkl_id: int) -> None:
        """Un-rate an item; it stays in the library."""
        self.model.remove_rating(type_, simkl_id)

    def add_item(self, type_: str, item: dict[str, Any]) -> dict:
        """Add a library item in fixture format; returns its ratings row."""
        return self.model.add_item(type_, item)

    def remove_from_list(self, type_: str, simkl_id: int) -> None:
        """Remove an item from the library (its rating goes with it)."""
        self.model.remove_from_list(type_, simkl_id)

    def activities(self) -> dict[str, Any]:
        """Current ``/sync/activities`` body, without going through HTTP."""
        return self.model.activities_snapshot()

    # -- API handling ------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        """Answer one API request: faults first (they sit in front of Simkl), then the API."""
        fault = self.faults.take(req.path, req.method)
        if fault is not None and fault.kind != "slow":
            response = fault_response(fault)
        else:
            if fault is not None:
                time.sleep(float(fault.opts.get("seconds", 1)))
            response = self._route(req)
        response.fault = fault.kind if fault is not None else None
        self._log.append(self._record(req, response))
        return response

    def _route(self, req: Request) -> Response:
        offered = (req.query.get("client_id"), req.headers.get("simkl-api-key"))
        if not any(cid in self.client_ids for cid in offered if cid):
            return error_response(*CLIENT_ID_FAILED)
        client_id = next(cid for cid in offered if cid in self.client_ids)
        if req.path.startswith(("/oauth/", "/oauth2/")) or req.path == "/oauth/pin":
            return self._sign_in(req, self.client_flows.get(client_id, set(FLOWS)))
        if req.path.split("/")[1] in ("sync", "users"):
            return self._authorise(req) or self._authed(req)
        return error_response(*URL_FAILED)

    def _sign_in(self, req: Request, flows: set[str]) -> Response:
        """V1 (/oauth/pin) or V2 (/oauth2/*); each refuses a client id of the other kind."""
        if req.path.startswith("/oauth2/"):
            if "v2" not in flows:
                return oauth_error(401, "invalid_client", "not an AUTH V2 client")
            return self._oauth2(req) if req.method == "POST" else error_response(*URL_FAILED)
        if req.path != "/oauth/pin" and not req.path.startswith("/oauth/pin/"):
            return error_response(*URL_FAILED)
        if "v1" not in flows:
            return oauth_error(400, "unauthorized_client", "not an AUTH V1 client")
        return self._pin(req) if req.method == "GET" else error_response(*URL_FAILED)

    def _authorise(self, req: Request) -> Response | None:
        """None when the bearer may make this call, else the refusal (V1 or V2 tokens)."""
        if self.tokens.valid(req.token):
            return None
        state = self.oauth2.access_state(req.token)
        if state == "expired":
            return oauth_error(401, "invalid_token", "the access token expired")
        if state is None:
            return error_response(*USER_TOKEN_FAILED)
        writing = req.method == "POST" and req.path in ("/sync/ratings", "/sync/ratings/remove")
        if writing and "media:write" not in (self.oauth2.scope_of(req.token) or "").split():
            return oauth_error(403, "insufficient_scope", "media:write needed")
        return None

    def _oauth2(self, req: Request) -> Response:
        """§3: device code, device and refresh grants, revoke (always 200)."""
        form = req.form()
        if req.path == "/oauth2/device":
            return json_response(200, self.oauth2.device(form.get("scope")))
        if req.path == "/oauth2/token":
            grant = form.get("grant_type")
            if grant == DEVICE_GRANT:
                status, body = self.oauth2.poll(form.get("device_code"))
            elif grant == "refresh_token":
                status, body = self.oauth2.refresh(form.get("refresh_token"))
            else:
                status, body = 400, {"error": "unsupported_grant_type"}
            return json_response(status, body)
        if req.path == "/oauth2/revoke":
            self.oauth2.revoke(form.get("token"))
            return json_response(200, {})
        return error_response(*URL_FAILED)

    def _pin(self, req: Request) -> Response:
        """§2: a gone code falls through to "create a new code" (or 404 in pin_404_mode)."""
        code = req.path[len("/oauth/pin/") :] if req.path != "/oauth/pin" else None
        if code is None:
            return json_response(200, self.pins.init())
        answer = self.pins.poll(code)
        if answer is None and self.pin_404_mode:
            return error_response(404, "id_err", "Unknown or expired code")
        return json_response(200, answer if answer is not None else self.pins.init())

    def _authed(self, req: Request) -> Response:
        path, method = req.path, req.method
        if path == "/users/settings":
            return json_response(200, self.model.settings)
        if path == "/sync/activities":
            return json_response(200, self.model.activities_snapshot())
        if method == "POST" and path in ("/sync/ratings", "/sync/ratings/remove"):
            return self._write_ratings(req)
        if path == "/sync/ratings" or path.startswith("/sync/ratings/"):
            return self._read_ratings(req)
        return error_response(*URL_FAILED)

    def _read_ratings(self, req: Request) -> Response:
        """§6 reads; GET and POST both work, like on Simkl."""
        segments = req.path.split("/")[3:]
        type_word = segments[0] if segments else None
        rating = segments[1] if len(segments) > 1 else None
        result = self.model.ratings(type_word, rating, req.query.get("date_from"))
        if not result:
            return json_response(200, None if self.legacy_null_empty else {})
        return json_response(200, result)

    def _write_ratings(self, req: Request) -> Response:
        """§8/§9 writes: 201 with counts and ``not_found`` echoes."""
        try:
            body = req.json()
            if req.path.endswith("/remove"):
                return json_response(201, self.model.post_remove(body))
            return json_response(201, self.model.post_ratings(body))
        except (ValueError, UnicodeDecodeError):
            return error_response(400, "wrong_parameter", "Body must be a JSON object of lists")

    def _record(self, req: Request, response: Response) -> RequestRecord:
        token = req.token
        return RequestRecord(
            method=req.method,
            path=req.path,
            query=dict(req.query),
            headers={h: req.headers[h] for h in RECORDED_HEADERS if h in req.headers},
            client_id=req.query.get("client_id") or req.headers.get("simkl-api-key"),
            app_name=req.query.get("app-name"),
            app_version=req.query.get("app-version"),
            user_agent=req.headers.get("user-agent"),
            authorized="authorization" in req.headers,
            token_sha256=token_fingerprint(token) if token else None,
            token_valid=self.tokens.valid(token),
            body=self._logged_body(req),
            status=None if response.drop else response.status,
            fault=response.fault,
        )

    @staticmethod
    def _logged_body(req: Request) -> Any:
        """POST bodies for the log; /oauth2/* secrets (device code, tokens) are left out."""
        if req.method != "POST":
            return None
        if req.path.startswith("/oauth2/"):
            form = req.form()
            return {k: ("<secret>" if k in REDACTED_FORM_KEYS else v) for k, v in form.items()}
        return req.json_or_none()

    # -- control API -------------------------------------------------------------------------

    def handle_control(self, req: Request) -> Response:
        """``/_control/*``: test steering for out-of-process drivers; never logged."""
        route = self._control_routes().get((req.method, req.path[len(CONTROL_PREFIX) + 1 :]))
        if route is None:
            return error_response(*URL_FAILED)
        try:
            data = req.json()
            return json_response(200, route(data if isinstance(data, dict) else {}))
        except KeyError as exc:
            return error_response(404, "not_found", str(exc.args[0] if exc.args else exc))
        except (ValueError, TypeError) as exc:
            return error_response(400, "wrong_parameter", str(exc))

    def _control_routes(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
        return {
            ("POST", "approve"): lambda d: {"approved": self.approve(d.get("user_code"))},
            ("POST", "deny"): lambda d: {"denied": self.deny(d.get("user_code"))},
            ("POST", "client_flows"): lambda d: self.set_client_flows(d["client_id"], d["flows"]),
            ("POST", "issue_v2"): lambda d: self.issue_v2_tokens(
                d.get("scope", "media:read"), d.get("lifetime")
            ),
            ("POST", "expire_access"): lambda d: self.expire_access_tokens(),
            ("GET", "refresh_requests"): lambda d: {"count": self.refresh_requests()},
            ("GET", "pending_codes"): lambda d: {"codes": self.pending_codes()},
            ("POST", "rating"): self._control_rating,
            ("POST", "remove_rating"): lambda d: self.remove_rating(d["type"], d["simkl_id"]),
            ("POST", "add_item"): lambda d: {"row": self.add_item(d["type"], d["item"])},
            ("POST", "remove_from_list"): lambda d: self.remove_from_list(d["type"], d["simkl_id"]),
            ("POST", "issue_token"): lambda d: {"access_token": self.issue_token(d.get("token"))},
            ("POST", "revoke"): lambda d: {"revoked": self.revoke_token(d.get("token"))},
            ("POST", "fault"): self._control_fault,
            ("GET", "faults"): lambda d: {"faults": self.faults.snapshot()},
            ("POST", "clear_faults"): lambda d: self.clear_faults(),
            ("GET", "requests"): lambda d: {"requests": [r.to_dict() for r in self.requests]},
            ("POST", "reset_requests"): lambda d: self.clear_requests(),
            ("GET", "activities"): lambda d: self.activities(),
        }

    def _control_rating(self, data: dict[str, Any]) -> dict[str, Any]:
        """``{type, simkl_id, rating, rated_at?, raw?}``; ``raw: true`` allows invalid values."""
        setter = self.set_raw_rating if data.get("raw") else self.set_rating
        row = setter(data["type"], data["simkl_id"], data["rating"], rated_at=data.get("rated_at"))
        return {"row": row}

    def _control_fault(self, data: dict[str, Any]) -> dict[str, Any]:
        """``{path_prefix, kind, count?, ...opts}``; ``count: null`` means forever."""
        opts = {k: v for k, v in data.items() if k not in ("path_prefix", "kind", "count")}
        fault = self.inject(data["path_prefix"], data["kind"], data.get("count", 1), **opts)
        return {"fault": fault.to_dict()}


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its sandbox; handler threads are daemons."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: SimklSandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Thin adapter from http.server to SimklSandbox.handle / handle_control."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind Cloudflare
    server_version = "SimklSandbox/1.0"
    sys_version = ""
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.sandbox._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.sandbox._track(self.connection, False)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.sandbox.verbose:
            super().log_message(format, *args)

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        req = Request(
            method=method,
            path=split.path.rstrip("/") or "/",
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self._read_body(),
        )
        sandbox = self.server.sandbox
        try:
            if req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/"):
                response = sandbox.handle_control(req)
            else:
                response = sandbox.handle(req)
        except Exception:  # a sandbox bug must show up as such, not as a network failure
            traceback.print_exc()
            response = error_response(500, "sandbox_bug", "Unhandled error in the sandbox")
        self._write(response)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _write(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a local Simkl API sandbox.")
    parser.add_argument(
        "--fixture", type=Path, help="account fixture JSON (empty account if omitted)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: free port)"
    )
    parser.add_argument("--client-id", action="append", dest="client_ids", metavar="ID")
    parser.add_argument("--pin-interval", type=float, default=5)
    parser.add_argument("--pin-expires-in", type=float, default=900)
    parser.add_argument("--approve-after-polls", type=int)
    parser.add_argument("--approve-after-seconds", type=float)
    parser.add_argument("--legacy-null-empty", action="store_true")
    parser.add_argument("--no-strict-slow-down", action="store_true")
    parser.add_argument("--access-lifetime", type=float, default=604800, help="V2, seconds")
    parser.add_argument("--v1-only", action="append", default=[], metavar="ID")
    parser.add_argument("--v2-only", action="append", default=[], metavar="ID")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """CLI: serve until SIGINT/SIGTERM; prints ``SANDBOX_URL=...`` once listening."""
    args = _parse_args(argv)
    account = json.loads(args.fixture.read_text(encoding="utf-8")) if args.fixture else None
    sandbox = SimklSandbox(
        account,
        client_ids=tuple(args.client_ids or ("sandbox-client-id",)),
        pin_interval=args.pin_interval,
        pin_expires_in=args.pin_expires_in,
        approve_after_polls=args.approve_after_polls,
        approve_after_seconds=args.approve_after_seconds,
        legacy_null_empty=args.legacy_null_empty,
        strict_slow_down=not args.no_strict_slow_down,
        access_lifetime=args.access_lifetime,
    )
    for client_id in args.v1_only:
        sandbox.set_client_flows(client_id, "v1")
    for client_id in args.v2_only:
        sandbox.set_client_flows(client_id, "v2")
    sandbox.verbose = args.verbose
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with sandbox.start(args.port):
        print(f"SANDBOX_URL={sandbox.url}", flush=True)
        while not stop.wait(0.2):
            pass
    print("sandbox stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
