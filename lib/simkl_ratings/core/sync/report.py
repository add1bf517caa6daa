"""The run report, `last_sync.json`: what every run did, in numbers and in names.

Every run leaves one, whether it succeeded, failed, was cancelled or was a preview. Per type,
each rated item has one outcome: updated, unchanged, kept_local, unmatched, conflicts,
kind_unknown (an anime found only by a tmdb number nothing confirmed), collisions, failed or
(in a cancelled run) not_written. `cleared` counts ratings this add-on had written that were
removed because the rating is gone on Simkl, `clears_held` those the clear guard kept until the
user agrees; `skipped` counts invalid rows (each protects the item it names) and `unrated` list
items without a rating, neither of which is a rated item; `matched_by_title` counts items found
by the title + year fallback. `pushed`, `push_removed`, `push_not_found`, `push_refused`,
`push_failed` and `push_waiting` count the other direction (two-way edits, ratings given in the
add-on's dialog), `pushed_items` lists what was (or, in a preview, would
be) sent, and `kodi_only_items` the ratings only Kodi has that wait for the user's consent.
When `activities_unchanged` is true nothing moved on Simkl and nothing was read or written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..files import read_json, write_json_atomic
from ..media import SIMKL_TYPES
from ..timeutil import format_instant, utc_now

REPORT_FILE = "last_sync.json"
RESULT_OK = "ok"
RESULT_ERROR = "error"
RESULT_CANCELLED = "cancelled"


@dataclass
class TypeCounts:
    rated: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0
    conflicts: int = 0
    kind_unknown: int = 0
    collisions: int = 0
    skipped: int = 0
    unrated: int = 0
    failed: int = 0
    not_written: int = 0
    kept_local: int = 0
    cleared: int = 0
    matched_by_title: int = 0
    # ratings this add-on holds from Simkl that a run would clear beyond the guard: not cleared
    clears_held: int = 0
    # two-way: ratings sent to Simkl (confirmed), removed there, unknown to Simkl, refused by
    # it (both parked), failed (tried again after a back-off), waiting for their retry
    pushed: int = 0
    push_removed: int = 0
    push_not_found: int = 0
    push_refused: int = 0
    push_failed: int = 0
    push_waiting: int = 0


def _empty_types() -> dict[str, TypeCounts]:
    return {simkl_type.name: TypeCounts() for simkl_type in SIMKL_TYPES}


@dataclass
class Report:
    result: str = RESULT_OK
    dry_run: bool = False
    mode: str = "sync"
    activities_unchanged: bool = False
    error: str | None = None
    error_code: str | None = None
    finished_at: str | None = None
    types: dict[str, TypeCounts] = field(default_factory=_empty_types)
    unmatched_items: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    conflict_items: list[dict[str, Any]] = field(default_factory=list)
    kind_unknown_items: list[dict[str, Any]] = field(default_factory=list)
    collision_items: list[dict[str, Any]] = field(default_factory=list)
    skipped_items: list[dict[str, Any]] = field(default_factory=list)
    title_matched_items: list[dict[str, Any]] = field(default_factory=list)
    failed_items: list[dict[str, Any]] = field(default_factory=list)
    pushed_items: list[dict[str, Any]] = field(default_factory=list)  # (to be) sent to Simkl
    kodi_only_items: list[dict[str, Any]] = field(default_factory=list)  # waiting for consent
    library: dict[str, int] = field(default_factory=dict)
    http_requests: int = 0
    jsonrpc_requests: int = 0
    kodi_writes: int = 0
    # Shared library: ratings Simkl changed that were already in the library at the new value
    # though this device had written the old one: most likely another device syncs too.
    written_elsewhere: int = 0
    # Clears the guard held back (they wait for the user's say), by item.
    held_clear_items: list[dict[str, Any]] = field(default_factory=list)
    # Types whose reply looked wrong (empty, missing or null while the add-on holds ratings
    # from them): nothing changed for them, and the next run asks Simkl again.
    suspicious_types: list[str] = field(default_factory=list)
    suspicious_holding: int = 0  # ratings the add-on holds from those types
    parked_items: list[dict[str, Any]] = field(default_factory=list)  # Simkl did not take them
    next_push: str | None = None  # when a rating waiting in the outbox is sent next

    def totals(self) -> TypeCounts:
        total = TypeCounts()
        for counts in self.types.values():
            for name, value in asdict(counts).items():
                setattr(total, name, getattr(total, name) + value)
        return total

    @classmethod
    def ended_early(
        cls,
        code: str,
        message: str | None = None,
        *,
        result: str = RESULT_ERROR,
        dry_run: bool = False,
        mode: str = "sync",
    ) -> Report:
        """The report of a run that stopped before it could sync anything."""
        report = cls(result=result, dry_run=dry_run, mode=mode, error=message, error_code=code)
        report.finished_at = format_instant(utc_now())
        return report

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def save_report(path: str, report: Report) -> None:
    write_json_atomic(path, report.to_dict())


def load_report(path: str) -> dict[str, Any] | None:
    data = read_json(path)
    return data if isinstance(data, dict) else None
