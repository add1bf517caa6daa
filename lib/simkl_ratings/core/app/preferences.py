"""What the user asked a sync to do, from the add-on's settings or the runner's config, made
into the engine's `SyncOptions` in one place: the add-on, the runner and `status` build the same
options (and so the same plan fingerprint) from the same choices."""

from __future__ import annotations

from dataclasses import dataclass

from ..media import SimklType
from ..simkl.client import Wait
from ..sync.outbox import DEFAULT_RETRY_CAP
from ..sync.policy import Policy
from ..sync.run import Consent, Mode, SyncOptions


def _never(_seconds: float) -> bool:
    return False


@dataclass(frozen=True)
class Preferences:
    """The user's choices that shape a sync, whichever shell holds them."""

    types: tuple[SimklType, ...]
    policy: Policy = Policy.SIMKL_WINS
    title_fallback: bool = False
    batch_size: int = 100
    two_way: bool = False

    def options(
        self,
        *,
        account_id: int | None,
        shared_library: bool,
        dry_run: bool = False,
        mode: Mode = Mode.SYNC,
        wait: Wait = _never,
        consent: Consent | None = None,
        retry_cap: float = DEFAULT_RETRY_CAP,
    ) -> SyncOptions:
        """The engine's options for one run of these preferences."""
        return SyncOptions(
            types=self.types,
            batch_size=self.batch_size,
            dry_run=dry_run,
            mode=mode,
            policy=self.policy,
            title_fallback=self.title_fallback,
            account_id=account_id,
            two_way=self.two_way,
            shared_library=shared_library,
            wait=wait,
            consent=consent,
            retry_cap=retry_cap,
        )
