"""What the real-Kodi test suites share: the "installed or skip (fail on CI)" rule, the add-on
zip built from this tree, the Simkl sandbox, and the per-test evidence and traceback guard.

tests/e2e runs one Kodi, tests/household several (one per "box"); both conftests call these,
so the rules are written once. Importable on purpose: conftest modules are not.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import CLIENT_ID
from .kodi_harness import KODI_BIN, KodiInstance, kodi_installed, kodi_root
from .simkl_account import INVALID_RATING, Account

REPO_ROOT = Path(__file__).resolve().parents[2]
KODI_INSTALL_HINT = (
    "real Kodi not installed: run `sudo apt-get install --no-install-recommends kodi xvfb "
    "x11-apps` (Debian 12 ships Kodi 20.1) to run the e2e tests"
)
LOG_WATCH = pytest.StashKey["LogWatch"]()
CALL_REPORT = pytest.StashKey[pytest.TestReport]()


# -- installed or skipped ----------------------------------------------------------------------
def require(missing: list[str], hint: str) -> None:
    """Skip when something is missing; on CI (CI=true) a missing tool is a failure, so a broken
    CI machine can never pass by skipping."""
    if not missing:
        return
    message = f"{hint} (missing: {', '.join(missing)})"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def kodi_missing() -> list[str]:
    """kodi.bin (in the chroot when KODI_CHROOT is set) and Xvfb, where absent."""
    where = f" in {kodi_root()}" if str(kodi_root()) != "/" else ""
    missing = [f"{KODI_BIN}{where}"] if not kodi_installed() else []
    return missing + (["Xvfb"] if shutil.which("Xvfb") is None else [])


def require_kodi() -> None:
    """Skip locally when Kodi is missing; on CI (CI=true) a missing Kodi is a failure."""
    require(kodi_missing(), KODI_INSTALL_HINT)


def safe_name(node_name: str) -> str:
    """A test's name as a folder name: characters unsafe in paths replaced."""
    return re.sub(r"[^A-Za-z0-9_.\-\[\]]+", "_", node_name)


# -- the add-on and the sandbox ----------------------------------------------------------------
def build_addon_zip(dest: Path) -> Path:
    """The add-on zip built from this tree by the same code as `make zip`, so the tests install
    exactly what a user would get from this checkout."""
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    from build_zip import build  # noqa: PLC0415 (tools/ is not a package)

    return build(REPO_ROOT, dest)


@contextmanager
def running_sandbox(account: Account) -> Iterator[SimklSandbox]:
    """The Simkl sandbox serving ``account``, its invalid rating stored as Simkl sends it."""
    with SimklSandbox(account.fixture, client_ids=(CLIENT_ID,), pin_interval=1) as server:
        reset_sandbox(server, account)
        yield server


def reset_sandbox(sandbox: SimklSandbox, account: Account) -> None:
    """Back to the original account (tests change ratings), the invalid rating included."""
    sandbox.reset_account(account.fixture)
    if account.invalid is not None:
        sandbox.set_raw_rating(*account.invalid, INVALID_RATING)


# -- the command-line runner -------------------------------------------------------------------
def runner_command() -> list[str]:
    """The installed command (`make venv` installs it editable); `python -m` otherwise."""
    installed = Path(sys.executable).with_name("simkl-ratings-sync")
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-m", "simkl_ratings.cli"]


def runner_env(folder: Path, kodi_url: str, kodi_password: str, api_url: str) -> dict[str, str]:
    """The runner's environment: this tree's code, its files under ``folder`` (home, config,
    state), the Kodi to drive and the sandbox as Simkl; the password stays out of argv."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder / "home"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_STATE_HOME": str(folder / "state"),
        "PYTHONPATH": str(REPO_ROOT / "lib"),
        "SIMKL_RATINGS_KODI_URL": kodi_url,
        "SIMKL_RATINGS_KODI_PASSWORD": kodi_password,
        "SIMKL_RATINGS_CLIENT_ID": CLIENT_ID,
        "SIMKL_RATINGS_API_URL": api_url,
    }


# -- evidence and the traceback guard ----------------------------------------------------------
@dataclass
class LogWatch:
    """Where each Kodi's log stood when a test began, so the test's part can be saved and
    checked. Keys name the Kodis ("" for a suite's only one, "A"/"B" for household boxes)."""

    kodis: dict[str, KodiInstance]
    marks: dict[str, int]

    @classmethod
    def begin(cls, kodis: Mapping[str, KodiInstance]) -> LogWatch:
        return cls(dict(kodis), {name: kodi.log_mark() for name, kodi in kodis.items()})

    @staticmethod
    def _file(name: str, stem: str, suffix: str) -> str:
        return f"{stem}-{name}{suffix}" if name else f"{stem}{suffix}"

    def tracebacks(self) -> list[str]:
        """Python tracebacks each Kodi's log gained during the test, named by Kodi."""
        found = []
        for name, kodi in self.kodis.items():
            prefix = f"[{name}] " if name else ""
            found += [prefix + entry for entry in kodi.log_tracebacks(since=self.marks[name])]
        return found

    def save(self, out: Path, failed: bool) -> None:
        """The test's part of each kodi.log; a screenshot of each running Kodi on failure."""
        out.mkdir(parents=True, exist_ok=True)
        for name, kodi in self.kodis.items():
            part = kodi.log_since(self.marks[name])
            (out / self._file(name, "kodi", ".log")).write_text(part, encoding="utf-8")
            if failed and kodi.running:
                try:
                    kodi.screenshot(out / self._file(name, "failure", ".png"))
                except Exception as exc:  # evidence must never mask the real failure
                    error = out / self._file(name, "failure-screenshot-error", ".txt")
                    error.write_text(repr(exc))


def call_failed(item: pytest.Item) -> bool:
    """True when the test body failed (kept by the pytest_runtest_makereport hook)."""
    report = item.stash.get(CALL_REPORT, None)
    return report is not None and report.failed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a passing test whose Kodis logged a Python traceback meanwhile, unless it is marked
    ``kodi_allow_tracebacks``. A hook for the conftests of tests/e2e and tests/household
    (imported there by name); tests without a LogWatch are left alone."""
    result = yield
    watch = item.stash.get(LOG_WATCH, None)
    if watch is not None and not item.get_closest_marker("kodi_allow_tracebacks"):
        found = watch.tracebacks()
        if found:
            pytest.fail("kodi.log gained Python tracebacks:\n" + "\n".join(found), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """Keep the call phase's report, so the evidence fixtures know whether the test failed
    (call_failed). A hook for the same conftests."""
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report
