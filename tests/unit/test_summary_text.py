"""The notification after a run: one line, what the run did first, as much else as fits the
toast (its width on every Kodi is measured by tests/e2e/test_toast.py)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from simkl_ratings.core.sync.report import RESULT_CANCELLED, RESULT_ERROR, Report, TypeCounts
from simkl_ratings.kodi.messages import TOAST_CHARS, one_line, summary_text

from tests.fakes.kodi_state import read_strings

STRINGS = read_strings()


class Context:
    """summary_text's view of the add-on: its strings, formatted as AddonContext does."""

    def localize(self, string_id: int, **values: Any) -> str:
        return STRINGS[string_id].format(**values) if values else STRINGS[string_id]


def report(**counts: int) -> Report:
    result = Report()
    result.types["movies"] = TypeCounts(**counts)
    return result


def test_a_usual_sync_says_what_was_updated_and_what_is_not_in_the_library():
    assert summary_text(Context(), report(updated=17, unchanged=1, unmatched=4)) == (
        "17 updated · 4 not in library"
    )
    assert summary_text(Context(), report(updated=3, unchanged=40)) == "3 updated"


def test_problems_come_before_what_stays_the_same_run_after_run():
    text = summary_text(Context(), report(updated=2, unmatched=4, failed=1))
    assert text == "2 updated · 1 not written"


def test_the_first_clause_that_does_not_fit_ends_the_line():
    assert one_line("12 updated", ["3 not written", "40 not in library"], limit=26) == (
        "12 updated · 3 not written"
    )
    assert one_line("12 updated", ["400 not in library", "3 kept"], limit=26) == "12 updated"
    assert one_line("A first clause longer than the limit", ["x"], limit=10) == (
        "A first clause longer than the limit"
    )


def test_preview_cancelled_nothing_new_and_errors_have_their_own_line():
    preview = report(updated=5, unmatched=2)
    preview.dry_run = True
    assert summary_text(Context(), preview) == "Preview: 5 would change"  # the viewer follows
    cancelled = report(updated=7)
    cancelled.result = RESULT_CANCELLED
    assert summary_text(Context(), cancelled) == "Sync stopped: 7 updated"
    quiet = report()
    quiet.activities_unchanged = True
    assert summary_text(Context(), quiet) == "Nothing new on Simkl"
    failed = Report(result=RESULT_ERROR, error_code="network")
    assert summary_text(Context(), failed) == STRINGS[30044]


COUNTS = st.fixed_dictionaries(
    {f.name: st.integers(min_value=0, max_value=99_999) for f in fields(TypeCounts)}
)


@given(counts=COUNTS, dry_run=st.booleans())
def test_no_summary_is_longer_than_the_toast_holds(counts: dict[str, int], dry_run: bool):
    result = report(**counts)
    result.dry_run = dry_run
    text = summary_text(Context(), result)
    assert len(text) <= TOAST_CHARS, text
    assert text.split(" · ")[0].endswith("updated" if not dry_run else "would change")
