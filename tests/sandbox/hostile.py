"""What a broken or hostile server in front of Simkl does to a client: redirect it elsewhere,
never answer, trickle, send more than anyone should read, or compress a bomb; and a second
host that records whatever reaches it (where a redirect would lead).

Each fault here writes the whole HTTP answer itself (`Response.custom`), since a fixed body
with a Content-Length cannot say "nothing, ever" or "one byte a second".
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

HOSTILE_FAULTS = ("redirect", "stall", "trickle", "big", "encoded")
CHUNK = 64 * 1024

Writer = Callable[[BaseHTTPRequestHandler], None]


def client_gone(handler: BaseHTTPRequestHandler) -> bool:
    """True when the client closed or shut down its end of the connection."""
    sock = handler.connection
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def stall(seconds: float) -> Writer:
    """Accept the request and answer nothing until the client gives up (or `seconds`)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not client_gone(handler):
            time.sleep(0.05)

    return write


def trickle(body: bytes, interval: float) -> Writer:
    """A 200 whose body comes one byte every `interval` seconds: each read gets a byte well
    within any read timeout, so only a deadline for the whole request ends it."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _head(handler, 200, {"Content-Length": str(len(body))})
        for index in range(len(body)):
            if client_gone(handler):
                return
            handler.wfile.write(body[index : index + 1])
            handler.wfile.flush()
            time.sleep(interval)

    return write


def padded_chunks(size: int) -> Any:
    """A valid JSON object of exactly `size` bytes (at least 10), `{"pad":"xx…"}`, in chunks."""
    yield b'{"pad":"'
    left = size - 10
    while left > 0:
        yield b"x" * min(CHUNK, left)
        left -= CHUNK
    yield b'"}'


def big(size: int, *, compress: bool = False, declare: bool = True) -> Writer:
    """A 200 of `size` bytes of JSON, sent in chunks; compressed with gzip on the wire when
    `compress` (a bomb: a few tens of kB inflating to `size`), with a Content-Length unless
    `declare` is false (then the end of the body is the end of the connection)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        headers = {"Content-Type": "application/json", "Connection": "close"}
        payload = gzip_stream(padded_chunks(size)) if compress else None
        if compress:
            headers["Content-Encoding"] = "gzip"
        if declare:
            headers["Content-Length"] = str(len(payload) if payload is not None else size)
        _head(handler, 200, headers)
        try:
            for chunk in [payload] if payload is not None else padded_chunks(size):
                if client_gone(handler):
                    return
                handler.wfile.write(chunk)
        except OSError:  # the client stopped reading: what it should do
            return

    return write


def encoded(body: bytes, encoding: str) -> Writer:
    """A 200 whose body claims an encoding the client did not ask for."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _head(handler, 200, {"Content-Encoding": encoding, "Content-Length": str(len(body))})
        handler.wfile.write(body)

    return write


def gzip_stream(chunks: Any) -> bytes:
    """One gzip member of an iterable of byte chunks, without holding the inflated whole (a
    bomb of x's shrinks about a thousandfold)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = bytearray()
    for chunk in chunks:
        out += compressor.compress(chunk)
    out += compressor.flush()
    return bytes(out)


def _head(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.flush()


def hostile_writer(kind: str, opts: dict[str, Any]) -> Writer:
    """The writer of a hostile fault kind other than `redirect` (an ordinary response)."""
    if kind == "stall":
        return stall(float(opts.get("seconds", 600)))
    if kind == "trickle":
        body = json.dumps(opts.get("body", {"all": None})).encode()
        return trickle(body, float(opts.get("interval", 0.2)))
    if kind == "big":
        declare = bool(opts.get("declare", True))
        return big(int(opts["size"]), compress=bool(opts.get("gzip")), declare=declare)
    if kind == "encoded":
        return encoded(json.dumps(opts.get("body", {})).encode(), str(opts.get("encoding", "br")))
    raise ValueError(f"not a hostile fault kind: {kind!r}")


class Recorder:
    """What reached the second host (`recording_server`), and where it listens."""

    GRANT = {
        "access_token": "simkl_at_" + "e" * 40,
        "refresh_token": "simkl_rt_" + "e" * 40,
        "token_type": "bearer",
        "expires_in": 604800,
        "scope": "media:read media:write",
    }

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.port = 0

    def url(self, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}"


@contextlib.contextmanager
def recording_server() -> Iterator[Recorder]:
    """A second host on 127.0.0.1: records every request that reaches it and answers each with
    a token grant, so a client that followed a redirect here would both leak and accept."""
    recorder = Recorder()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            with lock:
                recorder.requests.append({"method": self.command, "path": self.path, "body": body})
            data = json.dumps(Recorder.GRANT).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


# -- hostile JSON, for generated replies (tests/unit/fuzz_replies.py) ---------------------------


class Raw(str):
    """A token written into the JSON text as it is: NaN, Infinity, 1e400, a number of 5,000
    digits, the escape of a lone surrogate, nesting deeper than any parser goes."""


class Pairs(list):
    """An object as (key, value) pairs, written in order: its keys may repeat."""


def encode(value: Any) -> str:
    """JSON text for `value`, with Raw tokens and Pairs objects as they are (so not always
    valid JSON: that is the point); floats NaN and Infinity come out as those words."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Pairs):
        items = list(value)
    elif isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(item) for item in value) + "]"
    else:
        return json.dumps(value)
    return "{" + ",".join(json.dumps(str(key)) + ":" + encode(item) for key, item in items) + "}"
