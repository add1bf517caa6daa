"""Is Kodi still responsive while the add-on works? Ask it something every ~100 ms and time it.

``JSONRPC.Ping`` shows whether Kodi's JSON-RPC server answers; ``XBMC.GetInfoLabels`` goes
through the GUI's info manager, the same one that draws every label on screen, so its latency
is a proxy for a remote-control key press being handled. Each probe has its own connection.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.jsonrpc_client import KodiJsonRpc

PROBES: tuple[tuple[str, dict[str, Any] | None], ...] = (
    ("JSONRPC.Ping", None),
    ("XBMC.GetInfoLabels", {"labels": ["System.Time", "System.CurrentWindow"]}),
)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Latencies:
    """Seconds per probe method."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    failures: int = 0

    def summary(self) -> dict[str, dict[str, float]]:
        """Per method: count, median, p95 and max, in milliseconds."""
        return {
            method: {
                "count": len(values),
                "median_ms": 1000 * percentile(values, 0.5),
                "p95_ms": 1000 * percentile(values, 0.95),
                "max_ms": 1000 * max(values, default=0.0),
            }
            for method, values in self.samples.items()
        }


class Pinger:
    """Probes Kodi every ``interval`` seconds from a thread, between ``with`` enter and exit."""

    def __init__(self, port: int, interval: float = 0.1) -> None:
        self.port = port
        self.interval = interval
        self.result = Latencies({method: [] for method, _ in PROBES})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kodi-pinger", daemon=True)
        self._client = KodiJsonRpc("127.0.0.1", port, timeout=30)

    def _loop(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            for method, params in PROBES:
                began = time.perf_counter()
                try:
                    self._client.call(method, params)
                except Exception:  # a probe that fails is counted, never fatal
                    self.result.failures += 1
                    continue
                self.result.samples[method].append(time.perf_counter() - began)
            next_at += self.interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def __enter__(self) -> Pinger:
        self._client.connect(timeout=5)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=35)
        self._client.close()
