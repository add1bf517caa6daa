"""Machine-level helpers for the e2e harness: ports, X displays, tmpfs, polling, processes.

Several test runs may share one machine, so everything that could collide (TCP/UDP ports, X
display numbers) is picked free at run time, and processes are only ever stopped by the PIDs
this harness started.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port the kernel just reported free on 127.0.0.1 (TCP by default)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tmpfs_workdir(prefix: str = "kodi-e2e-") -> Path:
    """A fresh directory on /dev/shm when usable (scans and writes ~2.5x faster), else /tmp."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def display_free(number: int) -> bool:
    """No lock file and no socket for X display ``number``."""
    return not (
        Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists()
    )


def pick_display(start: int | None = None) -> int:
    """First free display number from a random start, so parallel runs rarely collide."""
    first = start if start is not None else random.randrange(100, 900)
    for number in range(first, first + 200):
        if display_free(number):
            return number
    raise RuntimeError("no free X display number found")


def localhost_resolves() -> bool:
    """Kodi's TCP JSON-RPC server silently never starts if ``localhost`` does not resolve."""
    try:
        return any(info[4][0] == "127.0.0.1" for info in socket.getaddrinfo("localhost", None))
    except socket.gaierror:
        return False


def wait_for(
    predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.1, message: str = ""
) -> T:
    """Poll ``predicate`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(message or f"condition not met within {timeout}s")
        time.sleep(interval)


def wait_for_file_change(path: Path, old_mtime_ns: int | None, timeout: float = 10.0) -> int:
    """Wait until ``path`` exists with an mtime other than ``old_mtime_ns``; return the new one."""

    def changed() -> int | None:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        return mtime if mtime != old_mtime_ns else None

    return wait_for(changed, timeout, 0.05, f"{path} did not change within {timeout}s")


def mtime_ns(path: Path) -> int | None:
    """mtime in ns, or None when the file does not exist (for wait_for_file_change)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"({path} does not exist)"


def terminate(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM then SIGKILL one process we started."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
