"""The command-line runner against the real Kodi 20.1 over HTTP: Kodi's web server is turned
on for this test (basic auth, a random password, on the harness's free port), `simkl-ratings-sync
login` signs in through the sandbox's device flow, `sync` writes, and the ratings are read back
over the harness's own TCP JSON-RPC.

Kodi's web server binds every interface and has no bind-address setting
(kodi-headless.md §2), so it is on only during this test, with authentication and a password
nobody else knows; the runner and the test only ever connect to 127.0.0.1.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import ADDON_ID, AddonDriver
from .fixture_support import runner_command, runner_env
from .host import wait_for
from .kodi_harness import KodiInstance
from .simkl_account import Account

WEB_USER = "kodi"


def _ping(url: str, password: str) -> bool:
    try:
        reply = requests.post(
            f"{url}/jsonrpc",
            json={"jsonrpc": "2.0", "id": 1, "method": "JSONRPC.Ping"},
            auth=(WEB_USER, password),
            timeout=2,
        )
    except requests.RequestException:
        return False
    return reply.status_code == 200 and reply.json().get("result") == "pong"


@pytest.fixture
def kodi_web(pristine_kodi: KodiInstance) -> Iterator[tuple[str, str]]:
    """Kodi's web server on, with a fresh password; off again afterwards (each a restart)."""
    password = secrets.token_urlsafe(16)
    url = pristine_kodi.set_web_server(password, WEB_USER)
    assert url is not None
    try:
        wait_for(lambda: _ping(url, password), timeout=20, message="Kodi's web server")
        yield url, password
    finally:
        pristine_kodi.set_web_server(None)


@pytest.fixture
def addon_signed_out(addon: AddonDriver) -> AddonDriver:
    """The add-on on that Kodi is not signed in (before Kodi restarts for its web server), so
    it leaves the library to the runner."""
    addon.sign_out_locally()
    return addon


def test_the_runner_signs_in_and_syncs_a_real_kodi_over_http(
    addon_signed_out: AddonDriver,
    kodi_web: tuple[str, str],
    pristine_kodi: KodiInstance,
    sandbox: SimklSandbox,
    account: Account,
    tmp_path: Path,
    test_output: Path,
):
    url, password = kodi_web
    sandbox.reset_account(account.fixture)
    env = runner_env(tmp_path, url, password, sandbox.url)
    command = runner_command()

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *argv], env=env, capture_output=True, text=True, timeout=180, check=False
        )

    before = {c["user_code"] for c in sandbox.pending_codes()}
    login = subprocess.Popen(
        [*command, "login"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        new = wait_for(
            lambda: [c for c in sandbox.pending_codes() if c["user_code"] not in before],
            timeout=30,
            message="a sign-in code",
        )
        sandbox.approve(new[0]["user_code"])  # the user enters the code on simkl.com
        login_out, login_err = login.communicate(timeout=60)
    finally:
        if login.poll() is None:
            login.kill()
    assert login.returncode == 0, login_err
    assert new[0]["user_code"] in login_out and "Signed in to Simkl as e2e_user" in login_out

    sync = run("--json", "sync")
    sandbox_downloads = sandbox.request_count("/sync/ratings")
    (test_output / "sync-report.json").write_text(sync.stdout)
    (test_output / "sync-stderr.txt").write_text(sync.stderr)
    assert sync.returncode == 0, sync.stderr
    report = json.loads(sync.stdout)
    assert report["result"] == "ok"
    ratings = AddonDriver(pristine_kodi).ratings()
    for key, expected in account.expected.items():
        assert ratings[key] == expected, key
    updated = sum(counts["updated"] for counts in report["types"].values())
    assert updated == report["kodi_writes"] > 0

    again = run("sync")
    assert again.returncode == 0 and "nothing changed on Simkl" in again.stdout

    wrong = run("sync", "--kodi-password", "Not-The-Password-1")
    assert wrong.returncode == 5
    assert "refused the Kodi user or password" in wrong.stderr
    status = run("status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["kodi"]["reachable"] is True
    everything = "".join(
        [
            login_out,
            login_err,
            sync.stdout,
            sync.stderr,
            again.stdout,
            again.stderr,
            wrong.stdout,
            wrong.stderr,
            status.stdout,
            status.stderr,
        ]
    )
    assert password not in everything and "Not-The-Password-1" not in everything

    # The add-on on that Kodi signs in: it syncs its library itself now; the runner leaves it.
    addon_signed_out.seed_token(sandbox.issue_token())
    pristine_kodi.restart()
    label = f"Window(Home).Property({ADDON_ID}.household)"
    wait_for(
        lambda: pristine_kodi.info_labels([label]).get(label) == "this-device",
        timeout=30,
        message="the add-on's service saying it syncs this library",
    )
    wait_for(lambda: _ping(url, password), timeout=20, message="Kodi's web server")
    left = run("sync")
    assert left.returncode == 8, left.stderr
    assert "sign out in that add-on" in left.stderr
    assert sandbox.request_count("/sync/ratings") == sandbox_downloads
