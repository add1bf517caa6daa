"""script.simkl.ratings inside the real Kodi 20.1: sign-in, sync, preview, no-change runs,
secrets. Driven by Addons.ExecuteAddon like a skin or a user would, read back via JSON-RPC."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import AddonDriver
from .host import wait_for
from .simkl_account import PRE_RATED, Account
from .toast import wait_for_toast

VIEWER = "Window.IsActive(textviewer)"  # the preview's report


def test_login_shows_the_code_stores_the_token_and_a_later_sync_needs_no_sign_in(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path, issued_tokens
):
    addon.sign_out_locally()
    addon.reset_state()
    kodi.execute_addon("script.simkl.ratings", ["login"])
    addon.wait_for_pin_window()
    codes = [c["user_code"] for c in wait_for(sandbox.pending_codes, timeout=20)]
    assert len(codes) == 1
    wait_for(addon.qr_images, timeout=10, message="the QR code")  # the picture shows it
    shot = kodi.screenshot(test_output / "sign-in.png")
    assert shot.distinct_colours > 8
    sandbox.approve(codes[0])  # the user enters the code on simkl.com
    credentials = json.loads(_wait_for_file(addon.credentials_path).read_text())
    issued_tokens.extend(sandbox.secrets_issued())
    assert credentials["access_token"].startswith("simkl_at_")  # AUTH V2 for a V2-capable id
    assert credentials["account_id"] == 4242
    assert oct(addon.credentials_path.stat().st_mode & 0o777) == "0o600"
    sandbox.clear_requests()
    report = addon.run("sync")
    assert report["result"] == "ok"
    assert sandbox.request_count("/oauth") == 0
    assert not addon.pin_window_visible()


def _wait_for_file(path: Path, timeout: float = 30) -> Path:
    wait_for(path.exists, timeout=timeout, message=str(path))
    return path


def test_sync_lands_every_rating_on_the_right_item(
    pristine_kodi,
    signed_in: AddonDriver,
    account: Account,
    sandbox: SimklSandbox,
    test_output: Path,
):
    invalid_title = account.untouched[0][1]
    signed_in.set_rating("movie", invalid_title, PRE_RATED)
    sandbox.clear_requests()
    report = signed_in.run("sync")
    wait_for_toast(pristine_kodi)  # the summary, pictured (resources/screenshots)
    pristine_kodi.screenshot(test_output / "sync-summary.png")
    assert report["result"] == "ok", report
    ratings = signed_in.ratings()
    for key, expected in account.expected.items():
        assert ratings[key] == expected, key
    assert ratings[("movie", invalid_title)] == PRE_RATED  # an 11 is skipped, nothing cleared
    for key in account.untouched[1:]:
        assert ratings[key] == 0, key
    assert [i["title"] for i in report["unmatched_items"]] == account.unmatched_titles
    assert report["types"]["movies"]["skipped"] == 1
    assert report["kodi_writes"] == len(account.expected)
    assert sandbox.request_count("/sync/ratings/") == 3  # a first run pulls every type
    assert report["http_requests"] == len(sandbox.requests) == 4  # + the activities check
    assert {r.app_name for r in sandbox.requests} == {"kodi-simkl-ratings"}


def test_preview_writes_nothing_and_reports_what_would_change(
    pristine_kodi, signed_in: AddonDriver, account: Account, test_output: Path
):
    pristine_kodi.install_write_counter()
    pristine_kodi.reset_write_counter()
    report = signed_in.run("preview")
    wait_for(lambda: pristine_kodi.info_booleans([VIEWER])[VIEWER], timeout=15, message=VIEWER)
    pristine_kodi.screenshot(test_output / "preview.png")
    pristine_kodi.dismiss_dialogs()
    assert report["dry_run"] is True
    assert report["kodi_writes"] == 0
    assert pristine_kodi.write_count() == 0
    assert {(c["kind"], c["title"]): c["to"] for c in report["changes"]} == account.expected
    assert all(value == 0 for value in signed_in.ratings().values())


def test_a_second_sync_with_nothing_changed_costs_one_request_and_no_write(
    pristine_kodi, signed_in: AddonDriver, account: Account, sandbox: SimklSandbox
):
    first = signed_in.run("sync")
    assert first["kodi_writes"] == len(account.expected)
    pristine_kodi.install_write_counter()
    pristine_kodi.reset_write_counter()
    sandbox.clear_requests()
    second = signed_in.run("sync")
    assert second["result"] == "ok"
    assert second["activities_unchanged"] is True
    assert second["http_requests"] == len(sandbox.requests) == 1
    assert second["kodi_writes"] == 0
    assert pristine_kodi.write_count() == 0


def test_a_revoked_token_ends_in_words_and_a_cleared_sign_in(
    pristine_kodi, signed_in: AddonDriver, sandbox: SimklSandbox, issued_tokens
):
    sandbox.revoke_token(issued_tokens[-1])
    report = signed_in.run("sync")
    pristine_kodi.dismiss_dialogs()  # "Sign in to Simkl now?" -> No
    assert report["result"] == "error"
    assert report["error_code"] == "signed_out"
    assert not signed_in.credentials_path.exists()
    assert all(value == 0 for value in signed_in.ratings().values())


def test_the_access_token_never_reaches_the_log_or_the_report(
    signed_in: AddonDriver, kodi, issued_tokens
):
    signed_in.run("sync")
    log = kodi.read_log(include_previous_runs=True)
    assert "script.simkl.ratings" in log  # debug logging was on and the add-on logged
    report_text = signed_in.report_path.read_text()
    assert issued_tokens
    for token in issued_tokens:
        assert token not in log
        assert token not in report_text
