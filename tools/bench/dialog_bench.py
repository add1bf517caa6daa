"""The rating window after a movie ends, in a real Kodi: how long from the end of playback
until the window is on screen, over ten playbacks.

A Kodi of its own (the e2e harness: Xvfb, kodi.bin, HOME on tmpfs) gets the clip library of
tests/e2e/playback.py and the add-on from its zip. Each round plays a clip movie from 60 % to
its end. The clock starts when Kodi's ``Player.OnStop`` (end=true) reaches the harness, which
Kodi sends right after it wrote the playcount; it stops when ``Window.IsVisible`` of the rating
window, polled every 10 ms over JSON-RPC, turns true ("up") and when the window shows its
title ("ready for keys"). A number key answers it (7 and 8 in turn, `rerate` on, so every
round asks again), and a second clock runs from that key (which closes the window) until the
Simkl sandbox holds that rating ("on Simkl"; Kodi's closing animation is inside it). Then ten
`rate` actions with `rating=N` over JSON-RPC, each timed from `Addons.ExecuteAddon` until the
sandbox holds N ("the action, end to end"). Each
window round also says where the time went, from kodi.log: the service deciding to ask, the
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
from tests.e2e.addon_driver import ADDON_ID, CLIENT_ID, AddonDriver
from tests.e2e.host import tmpfs_workdir, wait_for
from tests.e2e.kodi_harness import KodiInstance
from tests.e2e.playback import (
    CLIP_SIMKL_IDS,
    TITLE,
    PlaybackLibrary,
    clip_catalog,
    control_label,
    play,
    rate_window_visible,
    serving,
    wait_ended,
)
from tests.sandbox.simkl_sandbox import SimklSandbox

from .kodi_bench import _log_time

ROUNDS = 10
POLL = 0.01
FROM_PERCENT = 60
SETTINGS = {"sync_on_start": "false", "sync_interval": "0", "debug": "true", "rerate": "true"}
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
    simkl_s: list[float] = field(default_factory=list)  # window closed -> Simkl holds it
    action_s: list[float] = field(default_factory=list)  # ExecuteAddon rating=N -> on Simkl


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


def _round(
    kodi: KodiInstance, movie: int, sandbox: SimklSandbox, value: int
) -> tuple[float, float, dict[str, float], float]:
    play(kodi, {"movieid": movie}, seek_percent=FROM_PERCENT)
    mark = kodi.log_mark()
    began = wait_ended(kodi).received
    ended_at = time.time() - (time.monotonic() - began)
    up = _until(lambda: rate_window_visible(kodi), began)
    ready = _until(lambda: control_label(kodi, TITLE) != "", began)
    answered = time.monotonic()  # the key closes the window: its answer, the clock's start
    kodi.call("Input.ExecuteAction", {"action": f"number{value}"})
    simkl = _until(lambda: _on_simkl(sandbox) == value, answered)
    _until(lambda: not rate_window_visible(kodi), answered)
    return up, ready, _phases(kodi.log_since(mark), ended_at), simkl


def _on_simkl(sandbox: SimklSandbox) -> int | None:
    return sandbox.model.items["movies"][CLIP_SIMKL_IDS[1]].user_rating


def _action(kodi: KodiInstance, movie: int, sandbox: SimklSandbox, value: int) -> float:
    began = time.monotonic()
    kodi.execute_addon(ADDON_ID, ["rate", "dbtype=movie", f"dbid={movie}", f"rating={value}"])
    return _until(lambda: _on_simkl(sandbox) == value, began)


def run(zip_path: Path, log: Log, rounds: int = ROUNDS) -> DialogResults:
    results = DialogResults()
    workdir = tmpfs_workdir("kodi-dialog-bench-")
    kodi = KodiInstance(workdir)
    sandbox = SimklSandbox({"account": {"id": 4242, "name": "bench"}}, client_ids=(CLIENT_ID,))
    sandbox.start()
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
            sandbox.reset_account(
                {"account": {"id": 4242, "name": "bench"}, "catalog": clip_catalog(library.spec)}
            )
            kodi.quit_kodi()
            addon_install.extract_addon_zip(zip_path, kodi.addons_dir)
            signed_in = {**SETTINGS, "api_url": sandbox.url, "client_id": CLIENT_ID}
            kodi.write_addon_settings(ADDON_ID, signed_in)
            AddonDriver(kodi).seed_token(sandbox.issue_token())
            kodi.start()
            kodi.enable_addons([ADDON_ID])
            wait_for(lambda: not kodi.modal_dialog_open(), 10, 0.1)
            movie = library.movies["E2E Clip Movie"]
            for number in range(1, rounds + 1):
                value = 7 + number % 2
                up, ready, phases, simkl = _round(kodi, movie, sandbox, value)
                results.up_s.append(up)
                results.ready_s.append(ready)
                results.phases.append(phases)
                results.simkl_s.append(simkl)
                steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items())
                log(
                    f"dialog: round {number}: up {up:.3f} s, ready {ready:.3f} s ({steps}); "
                    f"on Simkl {simkl:.3f} s after the key"
                )
            for number in range(1, rounds + 1):
                seconds = _action(kodi, movie, sandbox, 2 + number % 2)
                results.action_s.append(seconds)
                log(f"dialog: rate action {number}: on Simkl {seconds:.3f} s after the call")
    finally:
        kodi.stop()
        sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results
