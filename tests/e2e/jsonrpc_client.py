"""JSON-RPC client for Kodi's raw TCP transport (default port 9090).

Kodi's TCP stream is un-framed: responses and notifications are concatenated JSON values with
no delimiter, and notifications (``method`` but no ``id``) arrive at any time. A background
reader thread therefore parses successive JSON values from the byte stream, hands responses to
the single waiting caller and queues notifications so tests can await e.g.
``VideoLibrary.OnScanFinished`` without racing the trigger.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import itertools
import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Params = dict[str, Any] | list[Any] | None


class KodiRpcError(Exception):
    """A JSON-RPC error object returned by Kodi (kept structured so tests can assert on it)."""

    def __init__(self, code: int, message: str, data: Any = None, method: str | None = None):
        self.code = code
        self.message = message
        self.data = data
        self.method = method
        where = f" ({method})" if method else ""
        extra = f" data={json.dumps(data)}" if data is not None else ""
        super().__init__(f"{code} {message}{where}{extra}")

    @classmethod
    def from_error(cls, error: dict[str, Any], method: str | None = None) -> KodiRpcError:
        """Build from the ``error`` member of a response."""
        return cls(error.get("code", 0), error.get("message", ""), error.get("data"), method)


class KodiConnectionError(ConnectionError):
    """The TCP connection to Kodi failed, closed, or a response did not arrive in time."""


@dataclass
class BatchItem:
    """One element of a batch answer: exactly one of ``result`` / ``error`` is meaningful."""

    method: str
    result: Any = None
    error: KodiRpcError | None = None

    @property
    def ok(self) -> bool:
        """True when Kodi answered this element without an error."""
        return self.error is None


@dataclass
class Notification:
    """A server-initiated message such as ``VideoLibrary.OnScanFinished``."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)
    received: float = field(default_factory=time.monotonic)


def iter_json_values(buffer: str) -> tuple[list[Any], str]:
    """Split concatenated JSON text into complete values plus the unparsed remainder."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(buffer) and buffer[pos].isspace():
            pos += 1
        if pos >= len(buffer):
            return values, ""
        try:
            value, end = decoder.raw_decode(buffer, pos)
        except json.JSONDecodeError:
            return values, buffer[pos:]  # incomplete value: wait for more bytes
        values.append(value)
        pos = end


class KodiJsonRpc:
    """Synchronous request/response over one TCP connection, notifications queued aside."""

    def __init__(self, host: str = "127.0.0.1", port: int = 9090, *, timeout: float = 30.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._responses: queue.Queue[Any] = queue.Queue()
        self._notifications: collections.deque[Notification] = collections.deque(maxlen=5000)
        self._notify_cond = threading.Condition()
        self._call_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._closed = threading.Event()

    # -- connection -----------------------------------------------------------------------
    def connect(self, timeout: float = 2.0) -> None:
        """Open the socket and start the reader thread."""
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.settimeout(None)
        self._sock = sock
        self._closed.clear()
        self._reader = threading.Thread(target=self._read_loop, name="kodi-jsonrpc", daemon=True)
        self._reader.start()

    def close(self) -> None:
        """Close the socket; the reader thread ends on EOF."""
        self._closed.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None
        if self._reader is not None:
            self._reader.join(timeout=2)
            self._reader = None

    @property
    def connected(self) -> bool:
        """True while the socket is open and the server has not closed it."""
        return self._sock is not None and not self._closed.is_set()

    def __enter__(self) -> KodiJsonRpc:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_loop(self) -> None:
        """Parse successive JSON values and route them; EOF marks the connection closed."""
        assert self._sock is not None
        sock = self._sock
        pending = ""
        decoder = _Utf8Stream()
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            values, pending = iter_json_values(pending + decoder.feed(chunk))
            for value in values:
                self._route(value)
        self._closed.set()
        self._responses.put(_EOF)

    def _route(self, message: Any) -> None:
        """Notifications go to the notification deque, everything else to the caller."""
        if isinstance(message, dict) and "method" in message and "id" not in message:
            note = Notification(message["method"], message.get("params") or {})
            with self._notify_cond:
                self._notifications.append(note)
                self._notify_cond.notify_all()
        else:
            self._responses.put(message)

    # -- requests -------------------------------------------------------------------------
    def _send(self, payload: Any) -> None:
        if not self.connected or self._sock is None:
            raise KodiConnectionError("not connected to Kodi JSON-RPC")
        data = json.dumps(payload).encode()
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise KodiConnectionError(f"send failed: {exc}") from exc

    def _await(self, match: Callable[[Any], bool], timeout: float | None) -> Any:
        """Wait for the response that ``match`` accepts; stale responses are dropped."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KodiConnectionError("timed out waiting for a JSON-RPC response")
            try:
                message = self._responses.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is _EOF:
                raise KodiConnectionError("Kodi closed the JSON-RPC connection")
            if match(message):
                return message

    def request(self, method: str, params: Params = None, timeout: float | None = None) -> Any:
        """Send one request and return the raw response object."""
        req_id = next(self._ids)
        payload: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
        if params is not None:
            payload["params"] = params
        with self._call_lock:
            self._send(payload)
            return self._await(
                lambda m: isinstance(m, dict) and m.get("id") in (req_id, None), timeout
            )

    def call(self, method: str, params: Params = None, timeout: float | None = None) -> Any:
        """Call ``method`` and return its ``result``; raise KodiRpcError on an error answer."""
        response = self.request(method, params, timeout)
        if "error" in response:
            raise KodiRpcError.from_error(response["error"], method)
        return response.get("result")

    def batch(
        self, calls: Sequence[tuple[str, Params]], timeout: float | None = None
    ) -> list[BatchItem]:
        """Send a JSON array; return one BatchItem per call, in the order given."""
        if not calls:
            return []
        ids = [next(self._ids) for _ in calls]
        payload = []
        for req_id, (method, params) in zip(ids, calls, strict=True):
            item: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
            if params is not None:
                item["params"] = params
            payload.append(item)
        wanted = set(ids)
        with self._call_lock:
            self._send(payload)
            answer = self._await(lambda m: _is_batch_answer(m, wanted), timeout)
        return _batch_items(answer, ids, [m for m, _ in calls])

    # -- notifications --------------------------------------------------------------------
    def clear_notifications(self) -> None:
        """Forget queued notifications, e.g. before triggering a scan."""
        with self._notify_cond:
            self._notifications.clear()

    def notifications(self) -> list[Notification]:
        """Snapshot of the queued notifications (oldest first)."""
        with self._notify_cond:
            return list(self._notifications)

    def wait_for_notification(
        self,
        method: str,
        timeout: float = 30.0,
        predicate: Callable[[Notification], bool] | None = None,
    ) -> Notification:
        """Pop the first queued notification named ``method``; wait for it if none is queued."""
        deadline = time.monotonic() + timeout
        with self._notify_cond:
            while True:
                for note in self._notifications:
                    if note.method == method and (predicate is None or predicate(note)):
                        self._notifications.remove(note)
                        return note
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({n.method for n in self._notifications})
                    raise TimeoutError(f"no {method} notification within {timeout}s; seen {seen}")
                self._notify_cond.wait(remaining)


class _Utf8Stream:
    """Incremental UTF-8 decoding so multi-byte characters split across recv() survive."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, chunk: bytes) -> str:
        return self._decoder.decode(chunk)


_EOF = object()


def _is_batch_answer(message: Any, wanted: set[int]) -> bool:
    """A batch answer is a list whose ids belong to our batch (or a top-level error)."""
    if isinstance(message, list):
        return any(isinstance(m, dict) and m.get("id") in wanted for m in message)
    return isinstance(message, dict) and message.get("id") is None and "error" in message


def _batch_items(answer: Any, ids: list[int], methods: list[str]) -> list[BatchItem]:
    """Order the batch answer like the request; a whole-batch error applies to every element."""
    if isinstance(answer, dict):
        error = KodiRpcError.from_error(answer["error"])
        return [BatchItem(m, error=error) for m in methods]
    by_id = {m.get("id"): m for m in answer if isinstance(m, dict)}
    items = []
    for req_id, method in zip(ids, methods, strict=True):
        response = by_id.get(req_id)
        if response is None:
            items.append(BatchItem(method, error=KodiRpcError(0, "no response", None, method)))
        elif "error" in response:
            items.append(
                BatchItem(method, error=KodiRpcError.from_error(response["error"], method))
            )
        else:
            items.append(BatchItem(method, result=response.get("result")))
    return items
