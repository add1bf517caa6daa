"""The machine a benchmark ran on, so figures are never read without their context."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return 0.0


def kodi_package_version() -> str:
    """The installed Debian package's version (the JSON-RPC answer is added when Kodi runs)."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "kodi-bin"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout.strip()


def describe() -> dict[str, Any]:
    """CPU model, cores, RAM, OS, Python; ``kodi`` is filled in by the Kodi part."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "ram_gib": _ram_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "kodi": kodi_package_version(),
    }


def one_line(machine: dict[str, Any]) -> str:
    """``Intel Xeon, 2 cores, 23.4 GiB RAM, Linux 6.1, Python 3.11.7, Kodi 20.1``."""
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, "
        f"{machine['os']}, Python {machine['python']}, Kodi {machine.get('kodi') or '?'}"
    )
