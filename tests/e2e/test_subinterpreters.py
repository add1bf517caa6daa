"""Many script runs back to back while the service runs: no run may die at import.

Kodi runs every script and service in a Python sub-interpreter of one process. On Kodi 19
(Python 3.9) those share the ``_datetime`` extension's state, so a class attribute such as
``datetime.min`` can be clobbered when one script starts while another stops (xbmc/xbmc
#17311): ``datetime.min.replace(...)`` at import time then failed with "'datetime.timedelta'
object has no attribute 'replace'" and the sync died before doing anything. Kodi runs one
script at a time per add-on (a second RunScript of a running script stops it), so the runs go
one after the other; each round restarts the service and syncs right after, the case that
died on Kodi 19. Every sync must end with a report and without a traceback in kodi.log, on
Kodi 20 and 21 as well.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .addon_driver import AddonDriver
from .conftest import ADDON_ID
from .host import mtime_ns, wait_for
from .import_probe import PROBE_ID, build_import_probe_zip, module_names, parse_probe_line

ROUNDS = int(os.environ.get("E2E_SUBINTERPRETER_ROUNDS", "10"))
RESTART_EVERY = int(os.environ.get("E2E_SUBINTERPRETER_RESTART_EVERY", "1"))
SERVICE_STARTED = (f"[{ADDON_ID}] service started",)
# The service's own line, or Kodi 19's once the service's sub-interpreter is gone: the add-on's
# line does not always reach the log when Kodi aborts the service for a disable (Kodi 19, 21),
# and Kodi 20 and 21 log nothing about interpreters at the INFO level.
SERVICE_STOPPED = (f"[{ADDON_ID}] service stopped", "Python interpreter interrupted by user")
PROBE_REPEAT = 6
PROBE_WAIT = 8.0  # seconds for one probe run to log its line


def _set_enabled(
    kodi, enabled: bool, lines: tuple[str, ...], wait: float = 20.0, required: bool = True
) -> list[str]:
    """Disable or enable the add-on (its service stops or starts); wait for one of ``lines``
    in the log, or for a Python error; return the errors' last lines (and a missing line when
    ``required``)."""
    mark = kodi.log_mark()
    kodi.call("Addons.SetAddonEnabled", {"addonid": ADDON_ID, "enabled": enabled})

    def seen() -> bool:
        log = kodi.log_since(mark)
        return any(line in log for line in lines) or bool(kodi.log_tracebacks(ADDON_ID, since=mark))

    try:
        wait_for(seen, timeout=wait)
    except TimeoutError:
        if required:
            return [f"none of {lines} within {wait:.0f} s"]
    return _last_lines(kodi.log_tracebacks(ADDON_ID, since=mark))


def _last_lines(errors: list[str]) -> list[str]:
    """Kodi's "Error Contents:" line of each error (or its last line), with the place it
    names in the add-on's code."""
    found = []
    for error in errors:
        lines = [line.strip() for line in error.splitlines() if line.strip()]
        contents = [line for line in lines if line.startswith("Error Contents:")]
        places = [line for line in lines if line.startswith("File ") and ADDON_ID in line]
        found.append(" | ".join((contents or lines[-1:]) + places[-1:]))
    return found


def _run_sync(addon: AddonDriver) -> dict[str, Any]:
    """Start a sync; return how it ended: its report, or the Python error that killed it."""
    kodi = addon.kodi
    mark = kodi.log_mark()
    before = mtime_ns(addon.report_path)
    kodi.execute_addon(ADDON_ID, ["sync"])

    def ended() -> bool:
        return mtime_ns(addon.report_path) != before or bool(
            kodi.log_tracebacks(ADDON_ID, since=mark)
        )

    try:
        wait_for(ended, timeout=60)
    except TimeoutError:
        return {"result": None, "errors": ["the sync neither reported nor died within 60 s"]}
    errors = kodi.log_tracebacks(ADDON_ID, since=mark)
    result = addon.report().get("result") if mtime_ns(addon.report_path) != before else None
    return {"result": result, "errors": _last_lines(errors)}


def test_a_sync_started_beside_a_fresh_service_never_dies_at_import(
    signed_in: AddonDriver, test_output: Path
) -> None:
    """Each round restarts the service (disable, enable: it imports the engine in its own
    sub-interpreter) and starts a sync right after, the first script since the service began,
    as when a user syncs soon after Kodi started."""
    kodi = signed_in.kodi
    rounds = []
    for number in range(ROUNDS):
        service_errors = []
        if number % RESTART_EVERY == 0:
            # Kodi 21 stops the service without a line: wait a little, need none.
            service_errors += _set_enabled(kodi, False, SERVICE_STOPPED, 3.0, required=False)
            service_errors += _set_enabled(kodi, True, SERVICE_STARTED)
        sync = _run_sync(signed_in)
        rounds.append({"service": service_errors, "sync": sync})
    (test_output / "rounds.json").write_text(json.dumps(rounds, indent=2), encoding="utf-8")
    failed = [
        r for r in rounds if r["service"] or r["sync"]["result"] != "ok" or r["sync"]["errors"]
    ]
    assert not failed, f"{len(failed)} of {ROUNDS} rounds failed: {json.dumps(failed, indent=1)}"


def _probe(kodi, lib: Path, name: str, run: str) -> dict[str, Any]:
    """One probe run importing ``name``; its logged result.

    The probe logs last thing, so the next start may find the previous run still finishing,
    and Kodi answers a RunScript of a running script by stopping it: a start that logs
    nothing within ``PROBE_WAIT`` is made again (at most 4 times).
    """
    for _attempt in range(4):
        mark = kodi.log_mark()
        kodi.execute_addon(PROBE_ID, [str(lib), name, run])
        try:
            return wait_for(
                lambda mark=mark: parse_probe_line(kodi.log_since(mark), run), PROBE_WAIT, 0.05
            )
        except TimeoutError:
            if kodi.log_tracebacks(PROBE_ID, since=mark):
                break
    return {"module": name, "failure": "the probe logged nothing (it died)"}


def test_every_add_on_module_imports_first_thing_in_a_fresh_sub_interpreter(
    installed_addon, kodi, tmp_path: Path, test_output: Path
) -> None:
    """Script runs one after the other, each importing one module of the installed add-on first
    thing in its own sub-interpreter (as default.py and service.py do), every module
    ``PROBE_REPEAT`` times in a row. On Kodi 19 a run that follows one which read
    ``datetime.min`` gets another object for it, so an import-time use of it
    (``planning._NEVER`` did) fails in most of its runs."""
    probe_zip = build_import_probe_zip(tmp_path)
    kodi.install_addon_zip(probe_zip)
    kodi.enable_addons([PROBE_ID])
    lib = kodi.addons_dir / ADDON_ID / "lib"
    names = module_names(lib, "simkl_ratings")
    assert len(names) > 20, names
    order = [name for name in names for _ in range(PROBE_REPEAT)]
    runs = [_probe(kodi, lib, name, str(number)) for number, name in enumerate(order)]
    (test_output / "imports.json").write_text(json.dumps(runs, indent=2), encoding="utf-8")
    failed = [f"{run['module']}: {run['failure']}" for run in runs if run["failure"]]
    assert not failed, f"{len(failed)} of {len(runs)} runs failed:\n" + "\n".join(failed)
