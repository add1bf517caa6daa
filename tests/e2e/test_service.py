"""The background service in the real Kodi: it syncs by itself after Kodi starts, without any
dialog, and leaves its report like every run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .addon_driver import AddonDriver
from .host import mtime_ns, wait_for_file_change
from .simkl_account import Account


@pytest.fixture
def addon_settings(sandbox_settings) -> dict[str, str]:
    """A short startup delay and sync at start, as a user would set it."""
    return {**sandbox_settings, **{"sync_on_start": "true", "startup_delay": "2"}}


def test_the_service_syncs_by_itself_after_kodi_starts(
    pristine_kodi, addon: AddonDriver, sandbox, account: Account, test_output: Path
):
    """`addon`: the sandbox back at the original account, whatever ran before."""
    pristine_kodi.quit_kodi()  # so no earlier service run can still write a report
    addon.seed_token(sandbox.issue_token())
    before = mtime_ns(addon.report_path)
    sandbox.clear_requests()
    pristine_kodi.start()  # Kodi starts; the service starts with it
    wait_for_file_change(addon.report_path, before, timeout=60)
    report = addon.report()
    pristine_kodi.screenshot(test_output / "service-sync.png")
    assert report["result"] == "ok", report
    assert report["dry_run"] is False
    ratings = addon.ratings()
    for key, expected in account.expected.items():
        assert ratings[key] == expected, key
    assert sandbox.request_count("/oauth/") == 0
    assert not addon.pin_window_visible()
    assert not pristine_kodi.modal_dialog_open()
