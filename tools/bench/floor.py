"""The floor: the least work the same Kodi must do for a first sync, with no add-on around it.

Read the library once (GetMovies / GetTVShows with the properties the add-on asks for), then
perform exactly the writes the sync needs as JSON-RPC batches of the add-on's batch size. It is
sent over Kodi's TCP JSON-RPC socket by a lean client: requests are encoded before the clock
starts, notifications are switched off for the connection, and a reply is parsed once it is
complete, so the harness adds as little as possible on top of Kodi's own work.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simkl_ratings.core.library.gateway import PROPERTIES

from .procstat import cpu_seconds, thread_cpu, thread_delta

SET_METHODS = {"movie": "VideoLibrary.SetMovieDetails", "tvshow": "VideoLibrary.SetTVShowDetails"}
ID_FIELDS = {"movie": "movieid", "tvshow": "tvshowid"}
READS = (("VideoLibrary.GetMovies", "movies"), ("VideoLibrary.GetTVShows", "tvshows"))
NO_NOTIFICATIONS = {
    name: False
    for name in (
        "Application",
        "AudioLibrary",
        "GUI",
        "Input",
        "Other",
        "Player",
        "Playlist",
        "PVR",
        "System",
        "VideoLibrary",
    )
}

Write = tuple[str, int, int]  # (kind, Kodi id, userrating)


class LeanRpc:
    """One TCP connection; one request in flight; replies parsed only when they can be whole."""

    def __init__(self, port: int, timeout: float = 120.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.decoder = json.JSONDecoder()
        self.buffer = ""
        self.next_id = 1

    def close(self) -> None:
        self.sock.close()

    def encode(self, calls: Sequence[tuple[str, dict[str, Any]]]) -> tuple[bytes, set[int]]:
        """A batch (or a single call when ``calls`` has one element) ready to send."""
        payload = []
        for method, params in calls:
            payload.append(
                {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
            )
            self.next_id += 1
        ids = {item["id"] for item in payload}
        body = payload if len(payload) > 1 else payload[0]
        return json.dumps(body).encode(), ids

    def send(self, data: bytes, ids: set[int]) -> Any:
        self.sock.sendall(data)
        return self._receive(ids)

    def call(self, method: str, params: dict[str, Any]) -> Any:
        data, ids = self.encode([(method, params)])
        return self.send(data, ids)

    def _receive(self, ids: set[int]) -> Any:
        """Skip values that are not ours (stray notifications); return our reply."""
        while True:
            for value in self._values():
                if isinstance(value, list) or (isinstance(value, dict) and value.get("id") in ids):
                    return value
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("Kodi closed the JSON-RPC connection")
            self.buffer += chunk.decode("utf-8", errors="replace")

    def _values(self) -> list[Any]:
        """Complete JSON values at the front of the buffer; tried only when one may be whole."""
        values: list[Any] = []
        text = self.buffer.rstrip()
        if not text or text[-1] not in "]}":
            return values
        pos = 0
        while pos < len(text):
            try:
                value, end = self.decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                break
            values.append(value)
            pos = end
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.buffer = text[pos:]
        return values


@dataclass
class FloorRound:
    wall_s: float
    read_s: float
    write_s: float
    kodi_cpu_s: float
    writes: int
    batches: int
    errors: int
    threads: dict[str, float]


def prepare(rpc: LeanRpc, writes: Sequence[Write], batch_size: int) -> list[tuple[bytes, set[int]]]:
    """Every request of a round, encoded before the clock starts."""
    requests = [
        rpc.encode([(method, {"properties": list(PROPERTIES), "sort": {"method": "none"}})])
        for method, _key in READS
    ]
    for start in range(0, len(writes), batch_size):
        chunk = writes[start : start + batch_size]
        calls = [
            (SET_METHODS[kind], {ID_FIELDS[kind]: kodi_id, "userrating": value})
            for kind, kodi_id, value in chunk
        ]
        requests.append(rpc.encode(calls))
    return requests


def _errors(reply: Any) -> int:
    items = reply if isinstance(reply, list) else [reply]
    return sum(1 for item in items if not isinstance(item, dict) or "error" in item)


def measure(port: int, pid: int, writes: Sequence[Write], batch_size: int) -> FloorRound:
    """One round: read both kinds once, then every write in batches; wall and Kodi CPU."""
    rpc = LeanRpc(port)
    try:
        rpc.call("JSONRPC.SetConfiguration", {"notifications": NO_NOTIFICATIONS})
        requests = prepare(rpc, writes, batch_size)
        errors = 0
        threads_before = thread_cpu(pid)
        cpu_before = cpu_seconds(pid)
        began = time.perf_counter()
        for data, ids in requests[: len(READS)]:
            errors += _errors(rpc.send(data, ids))
        read_done = time.perf_counter()
        for data, ids in requests[len(READS) :]:
            errors += _errors(rpc.send(data, ids))
        ended = time.perf_counter()
        cpu = cpu_seconds(pid) - cpu_before
        threads = thread_delta(threads_before, thread_cpu(pid))
    finally:
        rpc.close()
    return FloorRound(
        wall_s=ended - began,
        read_s=read_done - began,
        write_s=ended - read_done,
        kodi_cpu_s=cpu,
        writes=len(writes),
        batches=len(requests) - len(READS),
        errors=errors,
        threads=threads,
    )


def library_ids(port: int) -> dict[tuple[str, str, str], int]:
    """(kind, uniqueid type, value) -> Kodi id, to turn the account into the writes it needs."""
    rpc = LeanRpc(port)
    found: dict[tuple[str, str, str], int] = {}
    try:
        for (method, key), kind in zip(READS, ("movie", "tvshow")):
            reply = rpc.call(method, {"properties": ["uniqueid"]})
            for item in reply["result"].get(key, []):
                for id_type, value in item.get("uniqueid", {}).items():
                    found[(kind, id_type, str(value))] = item[ID_FIELDS[kind]]
    finally:
        rpc.close()
    return found
