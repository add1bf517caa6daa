"""What a user sees while a manual sync runs: the progress dialog, saved per Kodi version
(``test-output/e2e/kodi-<version>/<test>/progress.png``) next to the sign-in, summary and
preview screenshots of test_addon.py."""

from __future__ import annotations

from pathlib import Path

from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import AddonDriver
from .conftest import ADDON_ID
from .host import mtime_ns, wait_for, wait_for_file_change

PROGRESS = "Window.IsActive(progressdialog)"


def test_a_manual_sync_shows_its_progress_dialog(
    pristine_kodi, signed_in: AddonDriver, sandbox: SimklSandbox, test_output: Path
) -> None:
    sandbox.inject("/sync/ratings/movies", "slow", seconds=4)  # time to look at the dialog
    before = mtime_ns(signed_in.report_path)
    pristine_kodi.execute_addon(ADDON_ID, ["sync"])
    wait_for(
        lambda: pristine_kodi.info_booleans([PROGRESS])[PROGRESS], timeout=15, message=PROGRESS
    )
    shot = pristine_kodi.screenshot(test_output / "progress.png", settle_timeout=3)
    assert shot.distinct_colours > 8
    assert pristine_kodi.info_booleans([PROGRESS])[PROGRESS]  # still up when it was taken
    wait_for_file_change(signed_in.report_path, before, timeout=60)
    assert signed_in.report()["result"] == "ok"
    wait_for(lambda: not pristine_kodi.info_booleans([PROGRESS])[PROGRESS], timeout=10)
