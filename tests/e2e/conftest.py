"""pytest fixtures running tests against a real Kodi (headless, Xvfb): the host's (20.1 on
Debian 12), or Kodi 19.1 / 21.2 in a Debian chroot when ``KODI_CHROOT`` is set (.ci/kodi-chroot).

One Kodi per test session (started once, library built once, DB snapshotted); tests that need a
pristine library restore the snapshot (~2 s). Every test using Kodi gets
``test-output/e2e/kodi-<version>/<test name>/`` with the part of kodi.log written during the
test (and a screenshot when it fails), and FAILS if kodi.log gained a Python traceback
meanwhile — unless it is marked ``kodi_allow_tracebacks``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from . import addon_install
from .addon_driver import CLIENT_ID, AddonDriver
from .addon_install import InstalledAddon
from .fixture_support import (
    LOG_WATCH,
    REPO_ROOT,
    LogWatch,
    build_addon_zip,
    call_failed,
    pytest_runtest_call,  # noqa: F401 (the hooks: traceback guard, call report)
    pytest_runtest_makereport,  # noqa: F401
    require_kodi,
    reset_sandbox,
    running_sandbox,
    safe_name,
)
from .kodi_harness import KodiInstance, LibrarySpec, kodi_package_version, tmpfs_workdir
from .simkl_account import Account, build_account

__all__ = ["ADDON_ID", "REPO_ROOT", "require_kodi"]  # what test modules import from here

# One folder per Kodi version (19.1, 20.1, 21.2, ...): the same suite runs on each.
KODI_VERSION = kodi_package_version()
OUTPUT_ROOT = REPO_ROOT / "test-output" / "e2e" / f"kodi-{KODI_VERSION}"
ADDON_ID = "script.simkl.ratings"
E2E_DIR = Path(__file__).resolve().parent


@dataclass
class KodiSession:
    """The session's Kodi plus what the tests may read back."""

    kodi: KodiInstance
    spec: LibrarySpec
    module_addons: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    restores: list[float] = field(default_factory=list)
    installed: dict[str, str] = field(default_factory=dict)  # addon id -> install key


# -- configuration ---------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kodi: runs inside a real headless Kodi (kodi.bin, Xvfb)")
    config.addinivalue_line(
        "markers", "kodi_allow_tracebacks: do not fail the test for Python tracebacks in kodi.log"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e gets the ``kodi`` marker (select with -m kodi / -m 'not kodi')."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.kodi)


def output_dir_for(node_name: str) -> Path:
    """``test-output/e2e/kodi-<version>/<test name>`` with characters unsafe in paths replaced."""
    return OUTPUT_ROOT / safe_name(node_name)


# -- session ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def kodi_session() -> Iterator[KodiSession]:
    """Start Kodi once, add the module add-ons, build the standard library, snapshot the DB."""
    require_kodi()
    workdir = tmpfs_workdir()
    kodi = KodiInstance(workdir)
    modules = kodi.build_module_addons()  # present before the first start: no restart needed
    spec = LibrarySpec.standard()
    session = KodiSession(kodi, spec, modules)
    try:
        kodi.start()
        session.timings["start"] = kodi.last_start_seconds or 0.0
        session.timings["library"] = _timed(lambda: kodi.build_library(spec))
        kodi.enable_addons(modules)
        session.timings["snapshot"] = _timed(kodi.snapshot_db)
        yield session
    finally:
        kodi.stop()
        _save_session_evidence(session)
        if os.environ.get("KODI_E2E_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


def _timed(action: Callable[[], object]) -> float:
    began = time.monotonic()
    action()
    return time.monotonic() - began


def _save_session_evidence(session: KodiSession) -> None:
    """Whole-session kodi.log, the library spec and timings into ``<OUTPUT_ROOT>/_session``."""
    out = OUTPUT_ROOT / "_session"
    out.mkdir(parents=True, exist_ok=True)
    if session.kodi.session_log_path.exists():
        shutil.copy2(session.kodi.session_log_path, out / "kodi.log")
    (out / "library-spec.json").write_text(session.spec.to_json(), encoding="utf-8")
    timings = {**session.timings, "restores": session.restores}
    (out / "timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")


@pytest.fixture(scope="session")
def kodi_spec(kodi_session: KodiSession) -> LibrarySpec:
    """The library the session Kodi was filled with (titles, years, ids per item)."""
    return kodi_session.spec


# -- per test --------------------------------------------------------------------------------
@pytest.fixture
def test_output(request: pytest.FixtureRequest) -> Path:
    """Fresh ``test-output/e2e/kodi-<version>/<test name>/`` for screenshots and logs."""
    path = output_dir_for(request.node.name)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)  # exist_ok: parallel runs share test-output
    return path


@pytest.fixture
def kodi(kodi_session: KodiSession) -> KodiInstance:
    """The running session Kodi (library as the previous test left it)."""
    if not kodi_session.kodi.running:
        kodi_session.kodi.start()
    return kodi_session.kodi


@pytest.fixture
def pristine_kodi(kodi_session: KodiSession, kodi: KodiInstance) -> KodiInstance:
    """The session Kodi with the video DB restored to the post-scan snapshot."""
    kodi_session.restores.append(kodi.restore_db())
    return kodi


@pytest.fixture(scope="session")
def built_addon_zip() -> Path:
    """The add-on zip built from this tree by the same code as `make zip`, once per session,
    so the tests always install exactly what a user would get from this checkout."""
    return build_addon_zip(OUTPUT_ROOT / "_session" / "dist")


@pytest.fixture
def addon_zip(request: pytest.FixtureRequest, built_addon_zip: Path) -> Path:
    """Zip to install: the freshly built add-on unless a test parametrises another one."""
    path = Path(getattr(request, "param", None) or built_addon_zip)
    if not path.is_file():
        pytest.fail(f"{path} not found", pytrace=False)
    return path


@pytest.fixture
def installed_addon(
    kodi_session: KodiSession,
    kodi: KodiInstance,
    addon_zip: Path,
    addon_settings: Mapping[str, object],
) -> InstalledAddon:
    """Install ``addon_zip`` like a user (extract into addons/, restart, enable).

    Skipped when the same zip with the same settings is already installed in this session.
    """
    addon_id = addon_install.zip_addon_id(addon_zip)
    digest = hashlib.sha256(addon_zip.read_bytes()).hexdigest()
    key = f"{digest}:{sorted((k, str(v)) for k, v in addon_settings.items())}"
    if kodi_session.installed.get(addon_id) != key:
        kodi.quit_kodi()
        addon_install.extract_addon_zip(addon_zip, kodi.addons_dir)
        if addon_settings:
            kodi.write_addon_settings(addon_id, addon_settings)
        kodi.start()
        kodi.enable_addons([addon_id])
        kodi_session.installed[addon_id] = key
    return InstalledAddon(addon_id, addon_zip, kodi.profile_dir(addon_id))


# -- traceback guard and evidence ------------------------------------------------------------
@pytest.fixture(autouse=True)
def _kodi_evidence(request: pytest.FixtureRequest) -> Iterator[None]:
    """For Kodi tests: remember the log position, save the test's log part (and a screenshot
    on failure) into test-output/e2e/kodi-<version>/<test name>/."""
    if "kodi_session" not in request.fixturenames:
        yield
        return
    session: KodiSession = request.getfixturevalue("kodi_session")
    watch = LogWatch.begin({"": session.kodi})
    request.node.stash[LOG_WATCH] = watch
    yield
    watch.save(output_dir_for(request.node.name), failed=call_failed(request.node))


# -- the add-on under test against the Simkl sandbox -----------------------------------------
@pytest.fixture(scope="session")
def account(kodi_spec) -> Account:
    return build_account(kodi_spec)


@pytest.fixture(scope="session")
def sandbox(account: Account) -> Iterator[SimklSandbox]:
    with running_sandbox(account) as server:
        yield server


@pytest.fixture
def sandbox_settings(sandbox: SimklSandbox) -> dict[str, str]:
    """Point the add-on at the sandbox, debug logging on; no start-up or scheduled sync, so
    each test decides when to sync. Modules override `addon_settings` by extending this."""
    return {
        "api_url": sandbox.url,
        "client_id": CLIENT_ID,
        "debug": "true",
        "sync_on_start": "false",
        "sync_interval": "0",
    }


@pytest.fixture
def addon_settings(sandbox_settings: dict[str, str]) -> dict[str, str]:
    return sandbox_settings


@pytest.fixture(scope="session")
def issued_tokens() -> list[str]:
    """Every token the sandbox handed to the add-on this session (checked against the log)."""
    return []


@pytest.fixture
def addon(
    installed_addon: InstalledAddon, kodi: KodiInstance, sandbox: SimklSandbox, account: Account
) -> AddonDriver:
    """The installed add-on, with the sandbox back at the original account (tests change it)."""
    reset_sandbox(sandbox, account)
    return AddonDriver(kodi)


@pytest.fixture
def signed_in(addon: AddonDriver, sandbox: SimklSandbox, issued_tokens: list[str]) -> AddonDriver:
    """Signed in, on fresh add-on state (no cache, no write record)."""
    token = sandbox.issue_token()
    issued_tokens.append(token)
    addon.seed_token(token)
    return addon
