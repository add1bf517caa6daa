"""What to do when Simkl and Kodi disagree: a small table, one row per policy.

The local side is one of three states: `empty` (Kodi has no rating), `ours` (Kodi holds exactly
what this add-on last wrote there) or `theirs` (any other value: set by the user or another
tool, or changed since we wrote it). Equal values never reach the table: they are unchanged.
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
