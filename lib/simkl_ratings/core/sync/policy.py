"""What to do when Simkl and Kodi disagree: a small table, one row per policy.

The local side is one of three states: `empty` (Kodi has no rating), `ours` (Kodi holds exactly
what this add-on last wrote there) or `theirs` (any other value: set by the user or another
tool, or changed since we wrote it). Equal values never reach the table: they are unchanged.

With two-way sync a second table decides a rating edited in Kodi: it is pushed to Simkl, or
left to the first table (Simkl wins a conflict; fill-empty only fills what is empty).
"""

from __future__ import annotations

import enum
from typing import Mapping

from ..rating import Rating


class Policy(enum.Enum):
    SIMKL_WINS = "simkl_wins"
    FILL_EMPTY = "fill_empty"
    KEEP_LOCAL = "keep_local"


class Outcome(enum.Enum):
    WRITE = "write"
    KEPT_LOCAL = "kept_local"


EMPTY, OURS, THEIRS = "empty", "ours", "theirs"

POLICY_TABLE: Mapping[tuple[Policy, str], Outcome] = {
    (Policy.SIMKL_WINS, EMPTY): Outcome.WRITE,
    (Policy.SIMKL_WINS, OURS): Outcome.WRITE,
    (Policy.SIMKL_WINS, THEIRS): Outcome.WRITE,
    (Policy.FILL_EMPTY, EMPTY): Outcome.WRITE,
    (Policy.FILL_EMPTY, OURS): Outcome.KEPT_LOCAL,
    (Policy.FILL_EMPTY, THEIRS): Outcome.KEPT_LOCAL,
    (Policy.KEEP_LOCAL, EMPTY): Outcome.WRITE,
    (Policy.KEEP_LOCAL, OURS): Outcome.WRITE,
    (Policy.KEEP_LOCAL, THEIRS): Outcome.KEPT_LOCAL,
}

# The setting stores the policy as an index into this tuple (a Kodi list setting).
POLICIES_BY_SETTING: tuple[Policy, ...] = (Policy.SIMKL_WINS, Policy.FILL_EMPTY, Policy.KEEP_LOCAL)


def local_state(kodi: Rating | None, last_written: int | None) -> str:
    if kodi is None:
        return EMPTY
    return OURS if last_written is not None and kodi.value == last_written else THEIRS


def decide(policy: Policy, kodi: Rating | None, last_written: int | None) -> Outcome:
    return POLICY_TABLE[(policy, local_state(kodi, last_written))]


# -- the other direction (two-way): a rating changed in Kodi since the last sync ---------------


class SimklSide(enum.Enum):
    """Where Simkl stands on an item edited in Kodi."""

    NONE = "none"  # Simkl has no rating for it, and had none at the last sync
    SAME = "same"  # Simkl's rating has not moved since the last sync
    MOVED = "moved"  # Simkl's rating changed since the last sync: a conflict
    REMOVED = "removed"  # Simkl's rating was removed since the last sync: a conflict too


class EditOutcome(enum.Enum):
    PUSH = "push"  # the Kodi edit goes to Simkl; the pull leaves the item alone
    PULL = "pull"  # the edit is not sent; the pull table above decides the item as usual


EDIT_TABLE: Mapping[tuple[Policy, SimklSide], EditOutcome] = {
    (Policy.SIMKL_WINS, SimklSide.NONE): EditOutcome.PUSH,
    (Policy.SIMKL_WINS, SimklSide.SAME): EditOutcome.PUSH,
    (Policy.SIMKL_WINS, SimklSide.MOVED): EditOutcome.PULL,
    (Policy.SIMKL_WINS, SimklSide.REMOVED): EditOutcome.PULL,
    (Policy.FILL_EMPTY, SimklSide.NONE): EditOutcome.PUSH,
    (Policy.FILL_EMPTY, SimklSide.SAME): EditOutcome.PULL,
    (Policy.FILL_EMPTY, SimklSide.MOVED): EditOutcome.PULL,
    (Policy.FILL_EMPTY, SimklSide.REMOVED): EditOutcome.PUSH,
    (Policy.KEEP_LOCAL, SimklSide.NONE): EditOutcome.PUSH,
    (Policy.KEEP_LOCAL, SimklSide.SAME): EditOutcome.PUSH,
    (Policy.KEEP_LOCAL, SimklSide.MOVED): EditOutcome.PUSH,
    (Policy.KEEP_LOCAL, SimklSide.REMOVED): EditOutcome.PUSH,
}
