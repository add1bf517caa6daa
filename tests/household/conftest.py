"""The household fixtures: one throwaway MariaDB, two Kodi 20.1 boxes ("A", "B") on it at the
same time, each with its own HOME, ports, Xvfb and copy of the add-on (installed from the zip
built from this tree, with the module add-ons, as tests/e2e installs it), the Simkl sandbox
serving both, and the command-line runner.

The library is scanned once on A; B reads the same one. These tests run on the host's Kodi 20.1
only (the chroot runs collect tests/e2e): missing Kodi, Xvfb or MariaDB skips them locally and
fails them on CI. Every test gets ``test-output/household/<test>/`` with both boxes' kodi.log
parts (and screenshots on failure) and fails when a box logged a Python traceback; the session
writes every step's figures to ``test-output/household/figures.md`` (and ``.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.e2e import addon_install
from tests.e2e.addon_driver import ADDON_ID
from tests.e2e.fixture_support import (
    LOG_WATCH,
    REPO_ROOT,
    LogWatch,
    build_addon_zip,
    call_failed,
    kodi_missing,
    pytest_runtest_call,  # noqa: F401 (the hooks: traceback guard, call report)
    pytest_runtest_makereport,  # noqa: F401
    require,
    running_sandbox,
    safe_name,
)
from tests.e2e.kodi_harness import KODI_CHROOT, KodiInstance, kodi_package_version, tmpfs_workdir
from tests.e2e.library_gen import LibrarySpec
from tests.e2e.simkl_account import build_account

from .household import BOXES, CONFIGS, Box, Config, Household, Runner
from .mariadb import MariaDbServer, MariaDbVideoStore, mariadb_missing

HOUSEHOLD_DIR = Path(__file__).resolve().parent
OUTPUT_ROOT = REPO_ROOT / "test-output" / "household"
HINT = (
    "the household tests need Kodi, Xvfb and MariaDB: `sudo apt-get install "
    "--no-install-recommends kodi xvfb x11-apps mariadb-server mariadb-client`"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a ``household`` test; those using the household's Kodis are
    ``kodi`` tests too."""
    for item in items:
        if HOUSEHOLD_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.household)
            if {"household", "house"} & set(getattr(item, "fixturenames", ())):
                item.add_marker(pytest.mark.kodi)


# -- the session's household ----------------------------------------------------------------
@pytest.fixture(scope="session")
def household_addon_zip() -> Path:
    return build_addon_zip(OUTPUT_ROOT / "_session" / "dist")


@pytest.fixture(scope="session")
def household(household_addon_zip: Path) -> Iterator[Household]:
    """MariaDB, boxes A and B with the add-on (service enabled; each test seeds the settings
    and each box's token), the library scanned on A, the sandbox, the runner."""
    require(kodi_missing() + mariadb_missing(), HINT)
    if KODI_CHROOT or not kodi_package_version().startswith("20."):
        pytest.skip("the household tests run on the host's Kodi 20 (its MyVideos121 schema)")
    timings: dict[str, float] = {}
    spec = LibrarySpec.standard()
    account = build_account(spec)
    with ExitStack() as cleanup:  # undone in reverse: Kodis, MariaDB, sandbox, folders
        workdirs = {name: tmpfs_workdir(f"kodi-household-{name}-") for name in BOXES}
        own_dir = tmpfs_workdir("household-")  # the runner's folders, snapshots
        if os.environ.get("KODI_E2E_KEEP") != "1":
            for folder in (*workdirs.values(), own_dir):
                cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        sandbox = cleanup.enter_context(running_sandbox(account))
        server = cleanup.enter_context(MariaDbServer())
        timings["mariadb_start"] = server.start_seconds or 0.0
        store = MariaDbVideoStore(server)
        database = server.create_kodi_user()
        kodis = {
            name: KodiInstance(workdirs[name], video_database=database, video_store=store)
            for name in BOXES
        }
        cleanup.callback(_save_session_evidence, kodis, server, spec, timings)
        for kodi in kodis.values():
            cleanup.callback(kodi.stop)
        _furnish(kodis, store, spec, household_addon_zip, timings)
        yield Household(
            boxes={n: Box(n, kodis[n], sandbox.issue_token()) for n in BOXES},
            store=store,
            sandbox=sandbox,
            account=account,
            spec=spec,
            runner=Runner(own_dir / "runner", sandbox.issue_token(), sandbox.url),
            pristine=store.dump(),
            workdir=own_dir,
            timings=timings,
        )


def _furnish(
    kodis: dict[str, KodiInstance],
    store: MariaDbVideoStore,
    spec: LibrarySpec,
    addon_zip: Path,
    timings: dict[str, float],
) -> None:
    """A first (creating MyVideos121, then scanning the library into it), then the add-on on
    both, enabled (one box after the other); the write counter; every box off."""
    a = kodis["A"]
    modules: list[str] = []
    for kodi in kodis.values():
        modules = kodi.build_module_addons()
    began = time.monotonic()
    a.start()
    timings["first_start_a"] = time.monotonic() - began
    if not store.exists():
        raise AssertionError(f"Kodi did not create {store.database} on MariaDB")
    began = time.monotonic()
    a.build_library(spec)
    timings["library_scan"] = time.monotonic() - began
    a.quit_kodi()
    for kodi in kodis.values():
        addon_install.extract_addon_zip(addon_zip, kodi.addons_dir)
        kodi.write_addon_settings(ADDON_ID, {"sync_on_start": "false", "sync_interval": "0"})
    began = time.monotonic()
    for kodi in kodis.values():
        kodi.start()  # one after the other: the "Disabled add-ons" question on each
        kodi.enable_addons([*modules, ADDON_ID])
    timings["install_both"] = time.monotonic() - began
    for kodi in kodis.values():
        kodi.quit_kodi()
    store.install_write_counter()


def _save_session_evidence(
    kodis: dict[str, KodiInstance],
    server: MariaDbServer,
    spec: LibrarySpec,
    timings: dict[str, float],
) -> None:
    """Each box's whole kodi.log, MariaDB's error log, the library spec and the timings into
    ``_session``."""
    out = OUTPUT_ROOT / "_session"
    out.mkdir(parents=True, exist_ok=True)
    if server.error_log.exists():
        shutil.copy2(server.error_log, out / "mariadb-error.log")
    for name, kodi in kodis.items():
        if kodi.session_log_path.exists():
            shutil.copy2(kodi.session_log_path, out / f"kodi-{name}.log")
    (out / "library-spec.json").write_text(spec.to_json(), encoding="utf-8")
    (out / "timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")


def _tree_version() -> str:
    """The commit the tests ran on (figures are quoted with it)."""
    done = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


@pytest.fixture(scope="session")
def figures_file(household: Household) -> Iterator[Path]:
    """Every measured step of the session, written when the session ends."""
    began = time.monotonic()
    yield OUTPUT_ROOT / "figures.md"
    header = {
        "tree": _tree_version(),
        "kodi": kodi_package_version(),
        "written": time.strftime("%Y-%m-%d %H:%M:%S"),
        "scenario tests (s)": round(time.monotonic() - began, 1),
        **{f"{key} (s)": round(value, 2) for key, value in household.timings.items()},
    }
    household.figures.write(OUTPUT_ROOT, header)


# -- per test -------------------------------------------------------------------------------
@pytest.fixture(params=CONFIGS, ids=str)
def config(request: pytest.FixtureRequest) -> Config:
    """Who syncs: both boxes (without the feature), A only (with it), or the runner only."""
    return request.param


@pytest.fixture
def house(household: Household, figures_file: Path) -> Household:
    """The session's household, for one test (each scenario resets or restores it)."""
    return household


@pytest.fixture(autouse=True)
def _household_evidence(request: pytest.FixtureRequest) -> Iterator[None]:
    """Both boxes' kodi.log parts (and screenshots on failure) into test-output/household/."""
    if "household" not in request.fixturenames:
        yield
        return
    household: Household = request.getfixturevalue("household")
    watch = LogWatch.begin({name: box.kodi for name, box in household.boxes.items()})
    request.node.stash[LOG_WATCH] = watch
    steps_before = len(household.figures.steps)
    yield
    out = OUTPUT_ROOT / safe_name(request.node.name)
    shutil.rmtree(out, ignore_errors=True)
    watch.save(out, failed=call_failed(request.node))
    mine = [asdict(step) for step in household.figures.steps[steps_before:]]
    if mine:
        (out / "figures.json").write_text(json.dumps(mine, indent=2), encoding="utf-8")
