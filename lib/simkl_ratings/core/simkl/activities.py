"""The activities gate: what moved on Simkl since the last committed baseline.

Timestamps are compared as instants (`...Z` and `....000Z` both occur); `null` is older than
anything. A timestamp that moved backwards means the server state was reset: the caller then
pulls everything again. A timestamp that is there but unreadable says only that something may
have moved: its group is fetched again, never everything, and the next run compares it as it
is (so an odd value costs one download, not one per run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import BadResponse
from ..timeutil import parse_instant

WATCHED_FIELDS = ("rated_at", "removed_from_list")


@dataclass(frozen=True)
class ActivityChanges:
    groups: frozenset[str]  # activity groups whose ratings may have changed
    regressed: bool  # something moved backwards: distrust the baseline
    settings_moved: bool


def validate(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise BadResponse("activities reply is not an object")
    return body


def _field(body: Mapping[str, Any] | None, group: str, name: str) -> Any:
    if not isinstance(body, Mapping):
        return None
    section = body.get(group)
    return section.get(name) if isinstance(section, Mapping) else None


def _compare(old_raw: Any, new_raw: Any) -> tuple[bool, bool]:
    """(moved, went backwards) for one timestamp."""
    old, new = parse_instant(old_raw), parse_instant(new_raw)
    if new is None and new_raw is not None:  # there, but unreadable
        return old is not None or old_raw != new_raw, False
    if old is None:
        return new is not None, False
    if new is None or new < old:
        return True, True
    return new != old, False


def compare(
    baseline: Mapping[str, Any] | None, current: Mapping[str, Any], groups: tuple[str, ...]
) -> ActivityChanges:
    moved_groups = set()
    regressed = False
    for group in groups:
        for name in WATCHED_FIELDS:
            moved, backwards = _compare(_field(baseline, group, name), _field(current, group, name))
            if moved:
                moved_groups.add(group)
            regressed = regressed or backwards
    _moved, all_backwards = _compare(
        baseline.get("all") if isinstance(baseline, Mapping) else None, current.get("all")
    )
    settings_moved, settings_backwards = _compare(
        _field(baseline, "settings", "all"), _field(current, "settings", "all")
    )
    return ActivityChanges(
        groups=frozenset(moved_groups),
        regressed=regressed or all_backwards or settings_backwards,
        settings_moved=settings_moved,
    )
