"""Several devices, one shared library: exactly one of them syncs it.

Each Kodi box runs its own copy of the service. On a shared library two of them syncing would
both ask Simkl, race for the same writes, and each take the other's writes for someone
else's. So each device holds a role, asked once: it syncs the shared library, or another
device (another Kodi, or the command-line runner) does. Until the user has chosen, a device
does nothing: never two syncing devices by default, at worst none until the question is
answered. A library that is not shared needs no role.

Whichever device syncs, a rating in the library equal to Simkl's is taken as set by the sync
(see `SyncOptions.shared_library`), so un-rating on Simkl clears it even when another device
wrote it before the role moved.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ... import ADDON_ID
from ..library.shared import SharedLibrary

# The Home window property the add-on publishes its `Household.describe()` in, so the
# command-line runner, talking to that Kodi, knows whether the add-on syncs the library itself
# (shared or not): then the runner leaves it alone.
PROPERTY = f"{ADDON_ID}.household"
NOT_SHARED = "not-shared"


class Role(enum.IntEnum):
    """The setting's values, in the order of its list."""

    UNDECIDED = 0
    THIS_DEVICE = 1
    ANOTHER_DEVICE = 2

    @property
    def label(self) -> str:
        """As published: `undecided`, `this-device`, `another-device`."""
        return self.name.lower().replace("_", "-")


def role_of(label: str) -> Role | None:
    """The role a published label names; None for `not-shared`, "" or anything unknown."""
    return next((role for role in Role if role.label == label), None)


class Verdict(enum.Enum):
    SYNC = "sync"  # not shared, or this device is the one
    ASK = "ask"  # shared and no choice yet: ask when the user is there, else do nothing
    IDLE = "idle"  # shared and another device syncs it: no request to Simkl, no write


@dataclass(frozen=True)
class Household:
    shared: SharedLibrary | None
    role: Role

    @property
    def verdict(self) -> Verdict:
        if self.shared is None or self.role is Role.THIS_DEVICE:
            return Verdict.SYNC
        return Verdict.ASK if self.role is Role.UNDECIDED else Verdict.IDLE

    @property
    def syncs(self) -> bool:
        return self.verdict is Verdict.SYNC

    def describe(self, signed_in: bool = False) -> str:
        """What other processes (the runner, skins) read back: the role on a shared library;
        on a library of its own `this-device` when the add-on is signed in (it syncs it: the
        runner must not sync it too, with state of its own), else `not-shared`."""
        if self.shared is None:
            return Role.THIS_DEVICE.label if signed_in else NOT_SHARED
        return self.role.label
