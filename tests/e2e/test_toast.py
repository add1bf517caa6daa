"""The summary notification fits Estuary's toast on this Kodi, at 720p and at 1080p.

Kodi cuts a toast's message off at the end of its one-line label (on Kodi 21 at 720p the old
summary read "17 updated, 1 unchanged, 4 not in"). What the add-on says after a run comes from
``summary_text``: here it is computed for the longest lines it makes (reports with counts of
one to five digits and up to two outcomes besides "updated"; the line's limit leaves no room
for a third today), shown in this Kodi's own toast and measured in a screenshot
(tests/e2e/toast.py). The add-on's real toast after a real sync is measured too, and the old
wording must measure as cut off, so a measurement that sees nothing cannot pass.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from simkl_ratings.core.sync.report import RESULT_CANCELLED, Report, TypeCounts
from simkl_ratings.kodi.messages import summary_text

from tests.fakes.kodi_state import read_addon_info, read_strings

from .addon_driver import AddonDriver
from .conftest import require_kodi
from .kodi_harness import KodiInstance, tmpfs_workdir
from .toast import ToastText, measure, show_and_measure, wait_for_toast, wait_until_no_toast

SCREENS = {"720p": "1280x720x24", "1080p": "1920x1080x24"}
MEASURED_LINES = 4  # the longest lines of different wording, per screen
OLD_SUMMARY = "8888 updated, 8888 unchanged, 8888 not in library"  # cut off: the control
HEADING = read_addon_info()["name"]  # the toast's first line, as the add-on shows it


class _Strings:
    """What summary_text needs of the add-on's context: strings.po, formatted as Kodi's
    getLocalizedString plus AddonContext.localize would."""

    strings = read_strings()

    def localize(self, string_id: int, **values: Any) -> str:
        text = self.strings[string_id]
        return text.format(**values) if values else text


def _report(updated: int, counts: dict[str, int], kind: str) -> Report:
    report = Report(
        result=RESULT_CANCELLED if kind == "cancelled" else "ok",
        dry_run=kind == "preview",
        activities_unchanged=kind == "nothing new",
    )
    report.types["movies"] = TypeCounts(updated=updated, **counts)
    return report


def longest_summaries(count: int = MEASURED_LINES) -> list[str]:
    """The ``count`` longest summary lines of different wording (digits aside)."""
    outcomes = [f.name for f in fields(TypeCounts) if f.name != "updated"]
    numbers = [int("8" * digits) for digits in range(1, 6)]
    by_wording: dict[str, str] = {}
    for kind in ("sync", "preview", "cancelled", "nothing new"):
        for updated, size in itertools.product(numbers, numbers):
            for chosen in itertools.chain.from_iterable(
                itertools.combinations(outcomes, n) for n in range(3)
            ):
                line = summary_text(_Strings(), _report(updated, dict.fromkeys(chosen, size), kind))
                wording = re.sub(r"\d+", "#", line)
                if len(line) > len(by_wording.get(wording, "")):
                    by_wording[wording] = line
    return sorted(by_wording.values(), key=lambda line: (-len(line), line))[:count]


@contextlib.contextmanager
def fresh_kodi(screen: str) -> Iterator[KodiInstance]:
    """A Kodi of its own on an empty home screen (nothing behind the toast), at ``screen``."""
    kodi = KodiInstance(tmpfs_workdir("kodi-toast-"), screen=screen)
    try:
        kodi.start()
        kodi.dismiss_dialogs()
        yield kodi
    finally:
        kodi.stop()
        shutil.rmtree(kodi.workdir, ignore_errors=True)


def _describe(line: str, text: ToastText) -> str:
    return (
        f"{line!r}: text from x={text.first} to x={text.last}, {text.room} px left in {text.label}"
    )


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_longest_summary_lines_fit_the_toast(screen: str, test_output: Path):
    require_kodi()
    lines = longest_summaries()
    results = {}
    with fresh_kodi(SCREENS[screen]) as kodi:
        without_toast = kodi.screenshot(test_output / "without-toast.png")
        for number, line in enumerate(lines, 1):
            path = test_output / f"summary-{number}.png"
            results[line] = show_and_measure(kodi, HEADING, line, path, without_toast)
        old = show_and_measure(kodi, HEADING, OLD_SUMMARY, test_output / "old.png", without_toast)
    report = "\n".join(
        _describe(line, text) for line, text in [*results.items(), (OLD_SUMMARY, old)]
    )
    (test_output / "measured.txt").write_text(report + "\n", encoding="utf-8")
    assert old.first is not None and not old.fits, f"the old summary not seen cut off:\n{report}"
    assert all(text.fits for text in results.values()), report


def test_the_add_ons_own_summary_toast_after_a_sync_fits(
    pristine_kodi: KodiInstance, signed_in: AddonDriver, test_output: Path
):
    wait_until_no_toast(pristine_kodi)
    without_toast = pristine_kodi.screenshot(test_output / "without-toast.png")
    report = signed_in.run("sync")
    assert report["result"] == "ok"
    wait_for_toast(pristine_kodi)
    text = measure(pristine_kodi.screenshot(test_output / "sync-summary.png"), without_toast)
    line = summary_text(_Strings(), Report(types={"movies": TypeCounts(**_totals(report))}))
    assert text.fits, _describe(line, text)


def _totals(report: dict[str, Any]) -> dict[str, int]:
    """The report's counts summed over its types, as Report.totals() does."""
    names = [f.name for f in fields(TypeCounts)]
    return {name: sum(counts.get(name, 0) for counts in report["types"].values()) for name in names}
