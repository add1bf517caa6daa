"""One HTTP exchange with Simkl, bounded: no redirect followed, a capped body, a total deadline,
and a stop that reaches a request in flight.

`requests` alone reads a reply of any size, inflates gzip without limit, and its timeouts apply
to each socket read, so a server that trickles a byte now and then holds a read for ever. Here:

- The exchange runs in a worker thread. The calling thread watches it: every `POLL` seconds it
  asks the shell's `wait` (Kodi's `waitForAbort`, the runner's Ctrl-C) whether to stop, and
  looks at the deadline. To stop, the connection's socket is shut down, which ends a blocked
  read at once (a connect under way ends at its own timeout), and the caller goes on without
  waiting for a read timeout.
- The body is read raw (`decode_content=False`) and inflated here, each step's output bounded
  by what is left of the cap, so a gzip bomb costs at most the cap. Only gzip is asked for.
- A 3xx comes back as it is, body unread: requests follows no redirect, so nothing (no token,
  no form) is ever sent to the address a redirect names.

It uses what urllib3 1.26 (Kodi's script.module.requests) and 2.x both have:
`HTTPResponse.read(amt, decode_content=False)`, the pool manager's `pool_classes_by_scheme`,
and the pools' `ConnectionCls` and `_get_conn`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import ProxyManager

MB = 1024 * 1024
CHUNK = 64 * 1024  # raw bytes read at a time
STEP = 256 * 1024  # the most gzip output one inflate step makes
ERROR_BODY = 64 * 1024  # an error reply is read this far (only its `error` word matters)
POLL = 0.2  # seconds between two looks at the shell's wait and the deadline
ABORT_CHECK = 0.05  # how long one look at the shell's wait may take
JOIN = 0.5  # after a stop, how long the caller lets the worker finish before going on
GZIP = 16 + zlib.MAX_WBITS

Wait = Callable[[float], bool]


class Stopped(Exception):
    """The exchange was stopped from outside: `reason` is "abort" or "deadline"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(Exception):
    """The body (decoded) is longer than the cap."""


class Unreadable(Exception):
    """The body cannot be decoded: an encoding not asked for, or broken or cut-short gzip."""


@dataclass(frozen=True)
class Reply:
    """What one exchange brought back; `body` is decoded, at most the cap long."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Exchange:
    """One request in flight: the connections it uses, and a stop callable from any thread."""

    def __init__(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.deadline = deadline
        self._clock = clock
        self._lock = threading.Lock()
        self._conns: list[Any] = []
        self.stopped: str | None = None

    def attach(self, conn: Any) -> None:
        """A connection this exchange uses (new or from the pool)."""
        with self._lock:
            self._conns.append(conn)
            if self.stopped is not None:
                _shut(conn)

    def connected(self, conn: Any) -> None:
        """A connection's socket now exists: a stop that came while it connected takes hold."""
        with self._lock:
            if self.stopped is not None:
                _shut(conn)

    def stop(self, reason: str) -> None:
        with self._lock:
            if self.stopped is None:
                self.stopped = reason
            for conn in self._conns:
                _shut(conn)

    def overdue(self) -> bool:
        return self._clock() >= self.deadline

    def check(self) -> None:
        """Between two reads in the worker: raise when stopped or past the deadline."""
        if self.stopped is None and self.overdue():
            self.stop("deadline")
        if self.stopped is not None:
            raise Stopped(self.stopped)


def _shut(conn: Any) -> None:
    """End whatever the socket is doing: a blocked recv returns at once (close alone would
    not wake it). The plain socket's shutdown, so an SSL socket keeps its state for the
    thread still inside it."""
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


_current = threading.local()  # the exchange the worker thread is running


def _exchange() -> Exchange | None:
    return getattr(_current, "exchange", None)


class _Watched:
    """urllib3 connections whose exchange learns of them: a stop that came while one was
    connecting takes hold once it is connected."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        exchange = _exchange()
        if exchange is not None:
            exchange.connected(self)


class _WatchedPool:
    """urllib3 pools that attach every connection they hand out to the running exchange."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        exchange = _exchange()
        if exchange is not None:
            exchange.attach(conn)
        return conn


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(_WatchedPool, HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections an `Exchange` can stop."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is ProxyManager:  # SOCKS managers keep their own pools
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


class _NoRedirects(requests.Session):
    """A session that sees no redirect target in any reply: it never follows one, and does
    not even parse the Location header (requests does, for `Response.next`, and a malformed
    one raises ValueError out of `request`)."""

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


def watched_session(session: requests.Session | None = None) -> requests.Session:
    """A session (a new one by default) whose requests can be stopped, follow no redirect and
    ask only for gzip."""
    if session is None:
        session = _NoRedirects()
    else:
        session.get_redirect_target = lambda resp: None  # a session handed in, likewise
    for prefix in ("https://", "http://"):
        session.mount(prefix, WatchedAdapter())
    session.headers["Accept-Encoding"] = "gzip"
    return session


class _Gunzip:
    """gzip, inflated with a bound on every step's output (members one after another)."""

    def __init__(self) -> None:
        self._inflate = zlib.decompressobj(GZIP)
        self._fed = False

    def feed(self, data: bytes, out: bytearray, limit: int) -> None:
        """Inflate `data` onto `out`, a step of at most `STEP` bytes at a time, and stop once
        `out` is longer than `limit` (the rest of `data` is dropped: the body is refused)."""
        try:
            while data and len(out) <= limit:
                self._fed = True
                if self._inflate.eof:  # another member follows
                    self._inflate = zlib.decompressobj(GZIP)
                out += self._inflate.decompress(data, min(STEP, limit + 1 - len(out)))
                data = self._inflate.unconsumed_tail or (
                    self._inflate.unused_data if self._inflate.eof else b""
                )
        except zlib.error:
            raise Unreadable("gzip that cannot be inflated") from None

    def finish(self) -> None:
        if self._fed and not self._inflate.eof:
            raise Unreadable("gzip that ends early")


def _encoding(headers: Mapping[str, str]) -> str:
    word = (headers.get("Content-Encoding") or "").strip().lower()
    if word in ("", "identity"):
        return ""
    if word in ("gzip", "x-gzip"):
        return "gzip"
    safe = "".join(c for c in word[:20] if c.isalnum() or c in "-, ")
    raise Unreadable(f"an encoding the add-on did not ask for ({safe})")


def _declared_length(headers: Mapping[str, str]) -> int | None:
    try:
        return int(headers.get("Content-Length") or "")
    except ValueError:
        return None


def read_body(raw: Any, headers: Mapping[str, str], cap: int, exchange: Exchange) -> bytes:
    """The decoded body, or TooLarge as soon as it passes `cap` bytes."""
    inflate = _Gunzip() if _encoding(headers) else None
    declared = _declared_length(headers)
    if inflate is None and declared is not None and declared > cap:
        raise TooLarge(cap)
    out = bytearray()
    while True:
        exchange.check()
        chunk = raw.read(CHUNK, decode_content=False)
        exchange.check()
        if not chunk:
            break
        if inflate is not None:
            inflate.feed(chunk, out, cap)
        else:
            out += chunk
        if len(out) > cap:
            raise TooLarge(cap)
    if inflate is not None:
        inflate.finish()
    return bytes(out)


def exchange_once(
    session: requests.Session,
    method: str,
    url: str,
    *,
    cap: int,
    exchange: Exchange,
    **kwargs: Any,
) -> Reply:
    """One request, in the worker thread: the reply with its decoded body, its body unread
    for a 3xx, the first `ERROR_BODY` bytes of an error reply."""
    _current.exchange = exchange
    try:
        response = session.request(method, url, stream=True, allow_redirects=False, **kwargs)
        try:
            status = response.status_code
            if 300 <= status < 400:
                return Reply(status, response.headers, b"")
            if 200 <= status < 300:
                body = read_body(response.raw, response.headers, cap, exchange)
                return Reply(status, response.headers, body)
            try:
                body = read_body(response.raw, response.headers, ERROR_BODY, exchange)
            except (TooLarge, Unreadable):
                body = b""
            return Reply(status, response.headers, body)
        finally:
            response.close()
    finally:
        _current.exchange = None


def watch(work: Callable[[], Reply], exchange: Exchange, wait: Wait) -> Reply:
    """Run `work` in a worker thread; return its reply, raise its error, or raise Stopped when
    the shell's `wait` says to stop or the deadline passes (the socket is shut down first)."""
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=run, name="simkl-request", daemon=True)
    worker.start()
    try:
        while not done.wait(POLL):
            if wait(ABORT_CHECK):
                exchange.stop("abort")
            elif exchange.overdue():
                exchange.stop("deadline")
            if exchange.stopped is not None:
                worker.join(JOIN)
                break
    except BaseException:  # a second Ctrl-C: end the request too
        exchange.stop("abort")
        raise
    if exchange.stopped is not None and "reply" not in outcome:
        raise Stopped(exchange.stopped)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["reply"]
