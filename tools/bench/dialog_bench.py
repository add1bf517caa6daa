"""The rating window after a movie ends, in a real Kodi: how long from the end of playback
until the window is on screen, over ten playbacks.

A Kodi of its own (the e2e harness: Xvfb, kodi.bin, HOME on tmpfs) gets the clip library of
tests/e2e/playback.py and the add-on from its zip. Each round plays a clip movie from 60 % to
its end. The clock starts when Kodi's ``Player.OnStop`` (end=true) reaches the harness, which
Kodi sends right after it wrote the playcount; it stops when ``Window.IsVisible`` of the rating
window, polled every 10 ms over JSON-RPC, turns true ("up") and when the window shows its
title ("ready for keys"). Back closes it (Skip: nothing written), so every round asks again.
Each round also says where the time went, from kodi.log: the service deciding to ask, the
rate script's interpreter started with the add-on imported (its "action rate" line), and Kodi
loading the window's skin file.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e import addon_install
from tests.e2e.addon_driver import ADDON_ID
from tests.e2e.host import tmpfs_workdir, wait_for
from tests.e2e.kodi_harness import KodiInstance
from tests.e2e.playback import (
    TITLE,
    PlaybackLibrary,
    control_label,
    play,
    rate_window_visible,
    serving,
    wait_ended,
    wait_rate_window_closed,
)

from .kodi_bench import _log_time

ROUNDS = 10
POLL = 0.01
FROM_PERCENT = 60
SETTINGS = {"sync_on_start": "false", "sync_interval": "0", "debug": "true"}
# kodi.log lines that end each phase, after the end of playback.
PHASES = (
    ("service decided", f"[{ADDON_ID}] movie"),
    ("rate script running", f"[{ADDON_ID}] action rate"),
    ("window loaded", "script-simkl-ratings-rate.xml"),
)
Log = Callable[[str], None]


@dataclass
class DialogResults:
    kodi_version: str = ""
    up_s: list[float] = field(default_factory=list)  # end of playback -> window visible
    ready_s: list[float] = field(default_factory=list)  # end of playback -> title shown
    phases: list[dict[str, float]] = field(default_factory=list)  # per round, from kodi.log


def _until(condition: Callable[[], bool], began: float, timeout: float = 20.0) -> float:
    """Seconds from ``began`` (monotonic) until ``condition`` holds, polled every 10 ms."""
    while not condition():
        if time.monotonic() - began > timeout:
            raise TimeoutError("the rating window did not open")
        time.sleep(POLL)
    return time.monotonic() - began


def _phases(log_part: str, ended_at: float) -> dict[str, float]:
    """Seconds from the end of playback (Unix time) to each phase's kodi.log line."""
    found: dict[str, float] = {}
    for name, marker in PHASES:
        line = next((line for line in log_part.splitlines() if marker in line), None)
        moment = _log_time(line) if line else None
        if moment is not None:
            found[name] = moment - ended_at
    return found


def _round(kodi: KodiInstance, movie: int) -> tuple[float, float, dict[str, float]]:
    play(kodi, {"movieid": movie}, seek_percent=FROM_PERCENT)
    mark = kodi.log_mark()
    began = wait_ended(kodi).received
    ended_at = time.time() - (time.monotonic() - began)
    up = _until(lambda: rate_window_visible(kodi), began)
    ready = _until(lambda: control_label(kodi, TITLE) != "", began)
    kodi.call("Input.Back")
    wait_rate_window_closed(kodi)
    return up, ready, _phases(kodi.log_since(mark), ended_at)


def run(zip_path: Path, log: Log, rounds: int = ROUNDS) -> DialogResults:
    results = DialogResults()
    workdir = tmpfs_workdir("kodi-dialog-bench-")
    kodi = KodiInstance(workdir)
    try:
        modules = kodi.build_module_addons()
        kodi.start()
        kodi.enable_addons(modules)
        props = kodi.call("Application.GetProperties", {"properties": ["version"]})["version"]
        results.kodi_version = f"{props['major']}.{props['minor']}"
        root = workdir / "playback"
        root.mkdir()
        with serving(root) as url:
            library = PlaybackLibrary.build(kodi, root, url)
            kodi.quit_kodi()
            addon_install.extract_addon_zip(zip_path, kodi.addons_dir)
            kodi.write_addon_settings(ADDON_ID, SETTINGS)
            kodi.start()
            kodi.enable_addons([ADDON_ID])
            wait_for(lambda: not kodi.modal_dialog_open(), 10, 0.1)
            movie = library.movies["E2E Clip Movie"]
            for number in range(1, rounds + 1):
                up, ready, phases = _round(kodi, movie)
                results.up_s.append(up)
                results.ready_s.append(ready)
                results.phases.append(phases)
                steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items())
                log(f"dialog: round {number}: up {up:.3f} s, ready {ready:.3f} s ({steps})")
    finally:
        kodi.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results
