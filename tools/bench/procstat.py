"""What a process costs, read from /proc: CPU seconds, resident memory and its peak.

Kodi runs the add-on's Python inside kodi.bin, so the process's own counters are the honest
measure of what a sync costs the machine the user watches on; nothing inside Kodi is needed.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of every thread of ``pid`` so far (clock-tick resolution, 10 ms)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may contain spaces: fields are counted after the closing parenthesis.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per thread name (threads sharing a name are added up)."""
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return found


def thread_delta(
    before: dict[str, float], after: dict[str, float], floor: float = 0.02
) -> dict[str, float]:
    """Per-thread CPU spent between two ``thread_cpu`` readings, largest first.

    Threads that ended in between are missing from ``after``; their CPU is still in the
    process total, which is why the process counters stay the reference.
    """
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    return dict(
        sorted(((n, round(s, 2)) for n, s in spent.items() if s >= floor), key=lambda x: -x[1])
    )


def rendering_cpu(threads: dict[str, float]) -> float:
    """CPU of Mesa's software rasteriser (``llvmpipe-N`` threads): drawing Kodi's GUI on a
    machine with no GPU, which a real device does on its graphics chip."""
    return sum(seconds for name, seconds in threads.items() if name.startswith("llvmpipe"))


def status_kib(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` value in KiB, e.g. VmRSS or VmHWM (the RSS high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


class RssSampler:
    """Samples VmRSS in a thread; ``peak_kib`` is the largest value seen while running.

    VmHWM covers the process's whole life; sampling isolates one window (a single sync).
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.start_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        with contextlib.suppress(OSError, KeyError):  # the process ended: keep what was seen
            self.peak_kib = max(self.peak_kib, status_kib(self.pid, "VmRSS"))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> RssSampler:
        self.start_kib = status_kib(self.pid, "VmRSS")
        self.peak_kib = self.start_kib
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sample()


def wait_quiet(
    pid: int, *, below: float = 0.10, window: float = 0.5, timeout: float = 20.0
) -> float:
    """Wait until ``pid`` uses less than ``below`` of a core over ``window`` seconds.

    Kodi is busy for a few seconds after a start (skin, home widgets, services); a round
    measured during that would charge Kodi's own start-up to whatever is measured. Returns the
    seconds waited; gives up silently after ``timeout``.
    """
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        before = cpu_seconds(pid)
        time.sleep(window)
        if (cpu_seconds(pid) - before) / window < below:
            break
    return time.monotonic() - began
