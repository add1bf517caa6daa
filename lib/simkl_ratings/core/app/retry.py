"""Background runs ride out a missing network.

On LibreELEC, CoreELEC and Android boxes the network often comes up after Kodi. A background
sync that failed for the network (DNS, connect, timeout) is tried again quietly after 1, 2,
4 … minutes, never later than the schedule, and the user hears of it only once the problem has
lasted over an hour (a manual sync always says what happened).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sync.outbox import backoff

TELL_AFTER = 3600.0


@dataclass
class OfflineRetry:
    since: float | None = None  # when the first failed run of this outage ended (monotonic)
    attempts: int = 0
    retry_at: float | None = None
    told: bool = False

    def failed(self, now: float, cap: float) -> None:
        """A run failed for the network: when to try again."""
        if self.since is None:
            self.since = now
        self.attempts += 1
        self.retry_at = now + backoff(self.attempts, cap)

    def succeeded(self) -> None:
        """The network is back (or the failure was another one): the outage is over."""
        self.since, self.attempts, self.retry_at, self.told = None, 0, None, False

    def due(self, now: float) -> bool:
        return self.retry_at is not None and now >= self.retry_at

    def tell(self, now: float) -> bool:
        """True once per outage, when it has lasted over an hour."""
        if self.since is None or self.told or now - self.since < TELL_AFTER:
            return False
        self.told = True
        return True
