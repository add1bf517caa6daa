"""Reliability in the real Kodi: faults end in words with nothing written and no traceback,
the token stays in credentials.json only, and Kodi quitting in the middle of a large sync
leaves nothing broken and converges on the next start."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import ADDON_ID, CLIENT_ID, AddonDriver
from .host import tmpfs_workdir, wait_for
from .kodi_harness import KodiInstance
from .library_gen import LibrarySpec

FAULTS = {
    "401 in the middle of a run": ("revoke", "signed_out"),
    "429 beyond the retry budget": ("429", "rate_limited"),
    "malformed JSON": ("malformed", "bad_response"),
    "a body of the wrong shape": ("wrong_shape", "bad_response"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_ends_in_words_with_nothing_written_and_the_next_run_converges(
    pristine_kodi, signed_in: AddonDriver, sandbox: SimklSandbox, account, issued_tokens, name
):
    kind, code = FAULTS[name]
    pristine_kodi.install_write_counter()
    pristine_kodi.reset_write_counter()
    if kind == "revoke":
        sandbox.inject("/sync/ratings/movies", "slow", seconds=2)
        report_before = signed_in.report_path.exists()
        pristine_kodi.execute_addon(ADDON_ID, ["sync"])
        wait_for(lambda: sandbox.request_count("/sync/ratings/movies"), timeout=20)
        sandbox.revoke_token(issued_tokens[-1])
        wait_for(signed_in.report_path.exists, timeout=30)
        assert not report_before
        report = signed_in.report()
        pristine_kodi.dismiss_dialogs()  # "Sign in to Simkl now?" -> No
    else:
        options = {"retry_after": 900} if kind == "429" else {"body": {"shows": {"x": 1}}}
        sandbox.inject("/sync/ratings/shows", kind, count=None, **options)
        report = signed_in.run("sync")
    assert report["result"] == "error"
    assert report["error_code"] == code
    assert pristine_kodi.write_count() == 0
    sandbox.clear_faults()
    if kind == "revoke":
        token = sandbox.issue_token()
        issued_tokens.append(token)
        signed_in.seed_token(token)
    assert signed_in.run("sync")["result"] == "ok"
    ratings = signed_in.ratings()
    assert all(ratings[key] == value for key, value in account.expected.items())


def test_no_secret_outside_credentials_json_after_login_refresh_sync_and_a_failing_sync(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, issued_tokens
):
    """The access and refresh tokens and the device code (V2) appear in no log line (debug
    on), no report and no profile file but credentials.json."""
    addon.sign_out_locally()
    addon.reset_state()
    kodi.execute_addon(ADDON_ID, ["login"])
    code = wait_for(sandbox.pending_codes, timeout=20)[0]["user_code"]
    sandbox.approve(code)
    wait_for(addon.credentials_path.exists, timeout=30)
    stored = json.loads(addon.credentials_path.read_text())
    assert stored["auth_version"] == 2
    assert addon.run("sync")["result"] == "ok"
    sandbox.expire_access_tokens()  # the next run refreshes: a second access token
    sandbox.set_rating("movies", 1001, 3)
    sandbox.inject("/sync/ratings/movies", "503", count=None)
    assert addon.run("sync")["result"] == "error"
    sandbox.clear_faults()
    assert sandbox.refresh_requests() == 1
    secrets = sandbox.secrets_issued()
    issued_tokens.extend(secrets)
    stored = json.loads(addon.credentials_path.read_text())
    assert stored["access_token"] in secrets and stored["refresh_token"] in secrets
    log = kodi.read_log(include_previous_runs=True)
    assert "Simkl sign-in refreshed" in log  # debug was on and the refresh was logged
    for secret in secrets:
        assert secret not in log
        for path in addon.profile.rglob("*"):
            if path.is_file() and path.name != "credentials.json":
                assert secret not in path.read_text(errors="replace"), path.name


def test_an_http_api_url_to_another_host_is_refused_in_words(signed_in: AddonDriver, kodi):
    settings = signed_in.profile / "settings.xml"
    original = settings.read_text()
    try:
        kodi.configure_addon(ADDON_ID, {**_settings_of(original), "api_url": "http://example.com"})
        kodi.dismiss_dialogs()
        report = signed_in.run("sync")
        assert report["error_code"] == "config"
        assert report["http_requests"] == 0
    finally:
        kodi.quit_kodi()
        settings.write_text(original)
        kodi.start()


def test_kodi_quitting_while_simkl_does_not_answer_stops_the_add_on_at_once(
    signed_in: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path
):
    """A sync waits on a Simkl that took the request and says nothing (a read alone may wait
    30 s). Kodi quits: the request is stopped at once, Kodi quits in its usual time, nothing is
    killed, and the run reports itself cancelled."""
    sandbox.inject("/sync/activities", "stall", count=None, seconds=120)
    asked = sandbox.request_count("/sync/activities")
    mark = kodi.log_mark()  # this test's Kodi runs only, not what earlier tests left
    try:
        kodi.execute_addon(ADDON_ID, ["sync"])
        wait_for(lambda: sandbox.request_count("/sync/activities") > asked, timeout=30)
        time.sleep(1.0)  # in flight, waiting for an answer that does not come
        began = time.monotonic()
        kodi.quit_kodi(timeout=40)
        quit_seconds = time.monotonic() - began
    finally:
        sandbox.clear_faults()
        kodi.quit_kodi()
        kodi.start()
    (test_output / "figures.json").write_text(json.dumps({"quit_seconds": round(quit_seconds, 2)}))
    assert kodi.last_exit_code == 0
    assert quit_seconds < 8, quit_seconds
    log = kodi.log_since(mark)
    assert "let's kill it" not in log.lower()
    assert "stopped while waiting for Simkl" in log
    assert signed_in.report()["result"] == "cancelled"


def _settings_of(xml: str) -> dict[str, str]:
    return {s.get("id"): s.text or "" for s in ET.fromstring(xml).iter("setting")}


# -- Kodi quitting in the middle of a large sync ---------------------------------------------

BIG = 2000


@pytest.fixture(scope="module")
def big_kodi(built_addon_zip: Path) -> Iterator[tuple[KodiInstance, SimklSandbox, LibrarySpec]]:
    spec = LibrarySpec.standard(movies=BIG, shows=0, anime_series=0, anime_movies=0)
    rows = [
        {
            "simkl": 50000 + n,
            "title": m.title,
            "year": m.year,
            "ids": dict(m.uniqueids),
            "user_rating": 1 + n % 10,
            "user_rated_at": "2026-02-01T10:00:00Z",
            "status": "completed",
        }
        for n, m in enumerate(spec.movies)
    ]
    account = {"account": {"id": 99, "name": "big"}, "movies": rows, "shows": [], "anime": []}
    workdir = tmpfs_workdir("kodi-big-")
    kodi = KodiInstance(workdir)
    with SimklSandbox(account, client_ids=(CLIENT_ID,)) as sandbox:
        try:
            modules = kodi.build_module_addons()
            kodi.start()
            kodi.build_library(spec)
            kodi.quit_kodi()
            kodi.install_addon_zip(built_addon_zip, restart=False)
            kodi.write_addon_settings(
                ADDON_ID,
                {
                    "api_url": sandbox.url,
                    "client_id": CLIENT_ID,
                    "debug": "true",
                    "sync_on_start": "false",
                    "sync_interval": "0",
                    "batch_size": "10",
                },
            )
            kodi.start()
            kodi.enable_addons([*modules, ADDON_ID])
            yield kodi, sandbox, spec
        finally:
            kodi.stop()
            shutil.rmtree(workdir, ignore_errors=True)


def test_kodi_quitting_mid_sync_stops_the_add_on_in_time_and_the_next_start_converges(
    big_kodi, test_output: Path
):
    kodi, sandbox, _spec = big_kodi
    addon = AddonDriver(kodi)
    addon.seed_token(sandbox.issue_token())
    kodi.install_write_counter()
    kodi.reset_write_counter()
    kodi.execute_addon(ADDON_ID, ["sync"])
    wait_for(lambda: kodi.write_count() >= 100, timeout=60, interval=0.05, message="writing")
    began = time.monotonic()
    kodi.quit_kodi(timeout=30)
    quit_seconds = time.monotonic() - began
    assert kodi.last_exit_code == 0
    assert quit_seconds < 10, quit_seconds  # within Kodi's grace for add-ons, no kill
    log = kodi.read_log(include_previous_runs=True)
    assert "let's kill it" not in log.lower()
    report = addon.report()
    assert report["result"] == "cancelled"
    written = report["types"]["movies"]["updated"]
    assert 0 < written < BIG
    with sqlite3.connect(kodi.video_db_path()) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Next start: the service syncs by itself and finishes the job.
    kodi.write_addon_settings(
        ADDON_ID,
        {
            "api_url": sandbox.url,
            "client_id": CLIENT_ID,
            "debug": "true",
            "sync_on_start": "true",
            "startup_delay": "1",
            "sync_interval": "0",
            "batch_size": "100",
        },
    )
    before = addon.report_path.stat().st_mtime_ns
    kodi.start()
    wait_for(
        lambda: addon.report_path.stat().st_mtime_ns != before,
        timeout=90,
        message="service sync after restart",
    )
    second = addon.report()
    assert second["result"] == "ok"
    assert second["types"]["movies"]["updated"] == BIG - written
    ratings = kodi.call("VideoLibrary.GetMovies", {"properties": ["userrating"]})["movies"]
    assert len(ratings) == BIG
    assert all(movie["userrating"] > 0 for movie in ratings)
    figures = {
        "library_movies": BIG,
        "written_before_quit": written,
        "quit_seconds": round(quit_seconds, 2),
        "written_after_restart": BIG - written,
    }
    (test_output / "figures.json").write_text(json.dumps(figures, indent=1))
