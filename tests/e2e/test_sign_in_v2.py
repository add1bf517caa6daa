"""AUTH V2 in the real Kodi: device sign-in with a QR code, the PIN fallback for V1 client ids,
refresh during a run and across the service and a script, invalid_grant, revoke, the daily
quota. Each test writes the requests the sandbox saw to test-output/e2e/<test>/requests.json."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import zxingcpp
from PIL import Image

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import ADDON_ID, CLIENT_ID, AddonDriver
from .host import wait_for
from .kodi_harness import KodiStartError


def request_counts(sandbox: SimklSandbox) -> dict[str, int]:
    """Requests by endpoint (device, token polls, refresh, revoke, pin, activities, ratings…)."""
    counts: Counter[str] = Counter()
    for record in sandbox.requests:
        path = re.sub(r"^/oauth/pin/.+", "/oauth/pin/{code}", record.path)
        path = re.sub(r"^/sync/ratings/(\w+)/.*", r"/sync/ratings/\1", path)
        if path == "/oauth2/token" and isinstance(record.body, dict):
            grant = record.body.get("grant_type", "")
            path += " (refresh)" if grant == "refresh_token" else " (device poll)"
        counts[path] += 1
    return dict(sorted(counts.items()))


def save_counts(test_output: Path, sandbox: SimklSandbox) -> dict[str, int]:
    counts = request_counts(sandbox)
    (test_output / "requests.json").write_text(json.dumps(counts, indent=1), encoding="utf-8")
    return counts


def remember_secrets(sandbox: SimklSandbox, issued_tokens: list[str]) -> None:
    """Every V2 secret the sandbox handed out is searched for in logs by the secret tests."""
    issued_tokens.extend(s for s in sandbox.secrets_issued() if s not in issued_tokens)


def decode(path: Path) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(path))]


def test_v2_sign_in_shows_the_code_and_a_qr_code_of_the_approval_page(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path, issued_tokens
):
    addon.sign_out_locally()
    addon.reset_state()
    sandbox.clear_requests()
    kodi.execute_addon(ADDON_ID, ["login"])
    addon.wait_for_pin_window()
    codes = wait_for(sandbox.pending_codes, timeout=20)
    assert [c["flow"] for c in codes] == ["v2"]
    user_code = codes[0]["user_code"]
    images = wait_for(addon.qr_images, timeout=10, message="QR image")
    approval = f"https://simkl.com/pin?user_code={user_code}"
    assert decode(images[0]) == [approval]  # the PNG the add-on wrote
    shot = kodi.screenshot(test_output / "sign-in-v2.png")
    assert shot.distinct_colours > 8
    assert approval in decode(test_output / "sign-in-v2.png")  # and what the TV shows
    sandbox.approve(user_code)
    wait_for(addon.credentials_path.exists, timeout=30, message="credentials")
    remember_secrets(sandbox, issued_tokens)
    creds = json.loads(addon.credentials_path.read_text())
    assert creds["access_token"].startswith("simkl_at_")
    assert (creds["auth_version"], creds["scope"], creds["account_id"]) == (2, "media:read", 4242)
    assert oct(addon.credentials_path.stat().st_mode & 0o777) == "0o600"
    wait_for(lambda: not addon.pin_window_visible(), timeout=10, message="window closed")
    assert addon.qr_images() == []
    counts = save_counts(test_output, sandbox)
    assert counts["/oauth2/device"] == 1
    assert counts.get("/oauth/pin", 0) == 0
    assert "/oauth2/token (refresh)" not in counts
    report = addon.run("sync")
    assert report["result"] == "ok"
    assert sandbox.request_count("/oauth2/device") == 1  # a sync needs no sign-in


def test_a_v1_only_client_id_falls_back_to_the_pin_flow(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path, issued_tokens
):
    addon.sign_out_locally()
    addon.reset_state()
    sandbox.set_client_flows(CLIENT_ID, "v1")
    sandbox.clear_requests()
    try:
        kodi.execute_addon(ADDON_ID, ["login"])
        addon.wait_for_pin_window()
        codes = wait_for(sandbox.pending_codes, timeout=20)
        assert [c["flow"] for c in codes] == ["v1"]
        kodi.screenshot(test_output / "sign-in-v1.png")
        assert decode(wait_for(addon.qr_images, timeout=10)[0]) == [
            f"https://simkl.com/pin/{codes[0]['user_code']}"
        ]
        sandbox.approve(codes[0]["user_code"])
        wait_for(addon.credentials_path.exists, timeout=30, message="credentials")
        creds = json.loads(addon.credentials_path.read_text())
        issued_tokens.append(creds["access_token"])
        assert len(creds["access_token"]) == 64
        assert creds["auth_version"] == 1
        flows = json.loads((addon.profile / "sign_in_flow.json").read_text())
        assert flows == {CLIENT_ID: 1}
        counts = save_counts(test_output, sandbox)
        assert counts["/oauth2/device"] == 1  # refused once: invalid_client
        assert counts["/oauth/pin"] == 1
        assert addon.run("sync")["result"] == "ok"
    finally:
        sandbox.set_client_flows(CLIENT_ID, "both")


def test_an_access_token_that_expires_during_a_run_is_refreshed_and_the_run_ends_ok(
    pristine_kodi, addon: AddonDriver, sandbox: SimklSandbox, test_output: Path, issued_tokens
):
    pair = sandbox.issue_v2_tokens(lifetime=2)
    addon.seed_v2(pair, expires_in=604800)  # the add-on believes it has a week left
    sandbox.inject("/sync/ratings/movies", "slow", seconds=3)  # Simkl's clock runs out meanwhile
    sandbox.clear_requests()
    report = addon.run("sync")
    remember_secrets(sandbox, issued_tokens)
    counts = save_counts(test_output, sandbox)
    assert report["result"] == "ok", report
    assert sandbox.refresh_requests() == 1
    assert counts["/sync/ratings/movies"] == 2  # 401 invalid_token, then again refreshed
    creds = json.loads(addon.credentials_path.read_text())
    assert creds["access_token"] != pair["access_token"]
    assert creds["refresh_token"] == pair["refresh_token"]
    assert report["http_requests"] == len(sandbox.requests)


def test_service_and_manual_sync_at_the_same_instant_with_an_expired_token_refresh_once(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path, issued_tokens
):
    settings = addon.profile / "settings.xml"
    original = settings.read_text()
    values = {s.get("id"): s.text or "" for s in ET.fromstring(original).iter("setting")}
    pair = sandbox.issue_v2_tokens()
    kodi.quit_kodi()
    try:
        addon.seed_v2(pair, expires_in=-60)  # expired: whoever runs first must refresh
        kodi.write_addon_settings(
            ADDON_ID, {**values, "sync_on_start": "true", "startup_delay": "0"}
        )
        sandbox.inject("/oauth2/token", "slow", seconds=3)
        sandbox.clear_requests()
        kodi.start()
        kodi.execute_addon(ADDON_ID, ["sync"])  # the user presses Sync as the service starts
        wait_for(addon.report_path.exists, timeout=60, message="a report")
        time.sleep(4)  # let a second run finish, if there was one
        wait_for(lambda: not (addon.profile / "sync.lock").exists(), timeout=60)
        log = kodi.read_log()
        remember_secrets(sandbox, issued_tokens)
        counts = save_counts(test_output, sandbox)
        finished_ok = len(re.findall(r"\] sync ok", log))
        refused = log.count("a sync is already running")
        (test_output / "outcome.json").write_text(
            json.dumps({"finished_ok": finished_ok, "refused_by_run_lock": refused, **counts})
        )
        assert sandbox.refresh_requests() == 1
        assert addon.report()["result"] == "ok"
        assert finished_ok + refused == 2, (finished_ok, refused)
        assert "error" not in re.findall(r"\] sync (ok|error)", log)
    finally:
        kodi.quit_kodi()
        settings.write_text(original)
        _start_again(kodi)
        kodi.dismiss_dialogs()


def _start_again(kodi) -> None:
    """Restore the session Kodi after a test restarted it. Once, under heavy load from other
    jobs, kodi.bin died with SIGSEGV before any add-on ran (the log ends in its startup); the
    cleanup tries a second time rather than fail every later test."""
    try:
        kodi.start()
    except KodiStartError:
        kodi.start()


def test_a_refresh_answered_invalid_grant_signs_out_with_one_prompt(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path, issued_tokens
):
    pair = sandbox.issue_v2_tokens()
    remember_secrets(sandbox, issued_tokens)
    addon.seed_v2(pair, expires_in=-60)
    sandbox.inject("/oauth2/token", "invalid_grant")
    sandbox.clear_requests()
    report = addon.run("sync")
    assert report["error_code"] == "signed_out"
    wait_for(kodi.modal_dialog_open, timeout=10, message="the sign-in question")
    kodi.screenshot(test_output / "signed-out-question.png")
    assert kodi.dismiss_dialogs() == 1  # "Sign in to Simkl now?" -> No, and nothing after it
    assert not addon.credentials_path.exists()
    counts = save_counts(test_output, sandbox)
    assert counts == {"/oauth2/token (refresh)": 1}


def test_sign_out_revokes_the_v2_sign_in(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path, issued_tokens
):
    pair = sandbox.issue_v2_tokens()
    remember_secrets(sandbox, issued_tokens)
    addon.seed_v2(pair)
    sandbox.clear_requests()
    kodi.execute_addon(ADDON_ID, ["logout"])
    wait_for(lambda: not addon.credentials_path.exists(), timeout=20, message="signed out")
    kodi.dismiss_dialogs()
    counts = save_counts(test_output, sandbox)
    assert counts == {"/oauth2/revoke": 1}
    assert sandbox.oauth2.access_state(pair["access_token"]) is None  # the grant is over


def test_quota_exhaustion_stops_requests_until_the_stored_time_then_syncs_again(
    signed_in: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path
):
    sandbox.inject("/sync/activities", "quota", retry_after=8)
    sandbox.clear_requests()
    began = time.monotonic()
    first = signed_in.run("sync")
    assert first["error_code"] == "quota"
    blocked = json.loads((signed_in.profile / "simkl_blocked.json").read_text())
    assert blocked["reason"] == "user_limit_exceeded"
    second = signed_in.run("sync")
    assert second["error_code"] == "quota"
    assert second["http_requests"] == 0
    assert sandbox.request_count() == 1  # the second run asked Simkl nothing
    time.sleep(max(0.0, 8.5 - (time.monotonic() - began)))
    third = signed_in.run("sync")
    counts = save_counts(test_output, sandbox)
    assert third["result"] == "ok", third
    assert counts["/sync/activities"] == 2
    assert not (signed_in.profile / "simkl_blocked.json").exists()
    log = kodi.read_log()
    assert "daily quota is used up" in log


def test_without_the_qr_module_the_window_shows_code_and_address(
    addon: AddonDriver, sandbox: SimklSandbox, kodi, test_output: Path
):
    """script.module.pyqrcode is an optional import: with it disabled the add-on still signs
    in, the window shows the code and the address, centred."""
    module = "script.module.pyqrcode"
    addon.sign_out_locally()
    addon.reset_state()
    kodi.call("Addons.SetAddonEnabled", {"addonid": module, "enabled": False})
    try:
        kodi.execute_addon(ADDON_ID, ["login"])
        addon.wait_for_pin_window()
        wait_for(sandbox.pending_codes, timeout=20)
        kodi.screenshot(test_output / "sign-in-without-qr.png")
        assert addon.qr_images() == []
        label = "Control.GetLabel(104)"
        code = sandbox.pending_codes()[-1]["user_code"]
        assert code in kodi.info_labels([label])[label]  # the window's code label
        kodi.call("Input.Back")  # cancel
        wait_for(lambda: not addon.pin_window_visible(), timeout=10, message="window closed")
        assert not addon.credentials_path.exists()
    finally:
        kodi.call("Addons.SetAddonEnabled", {"addonid": module, "enabled": True})
