"""Which sign-in flow a client id speaks, with no setting: AUTH V2 first, V1 when Simkl says
this client id is not a V2 client (and the other way round), remembered per client id.

Simkl registers each app as V1 (PIN) or V2 (device flow) and refuses the other flow's
endpoints with `invalid_client` / `unauthorized_client` (simkl-api.md §2.1, §3.1). So one
package works with either kind of client id, and after the first sign-in only the flow that
worked is asked.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable, Union

from ..errors import SimklError
from ..files import read_json, write_json_atomic
from .client import SimklClient, Wait, is_wrong_client_kind
from .device import DeviceLogin
from .pin import PinLogin
from .signin import PinCode

LOG = logging.getLogger(__name__)

FLOWS_FILE = "sign_in_flow.json"
V1, V2 = 1, 2

Login = Union[PinLogin, DeviceLogin]


class FlowMemory:
    """`sign_in_flow.json` in the profile: client id -> the flow version that worked."""

    def __init__(self, profile_dir: str) -> None:
        self.path = os.path.join(profile_dir, FLOWS_FILE)

    def _all(self) -> dict[str, int]:
        data = read_json(self.path)
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and v in (V1, V2)}

    def get(self, client_id: str) -> int | None:
        return self._all().get(client_id)

    def remember(self, client_id: str, version: int) -> None:
        known = self._all()
        if known.get(client_id) != version:
            known[client_id] = version
            write_json_atomic(self.path, known)


def start_sign_in(
    client: SimklClient,
    memory: FlowMemory,
    *,
    scope: str,
    wait: Wait,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[Login, PinCode]:
    """Ask Simkl for a code with the remembered flow (V2 when none), the other one when Simkl
    answers that this client id is not of that kind. Raises what the last try raised."""
    remembered = memory.get(client.client_id)
    order = [V1, V2] if remembered == V1 else [V2, V1]
    for number, version in enumerate(order):
        login: Login = (
            DeviceLogin(client, scope=scope, wait=wait, clock=clock)
            if version == V2
            else PinLogin(client, wait=wait, clock=clock)
        )
        try:
            code = login.start()
        except SimklError as exc:
            if number == 0 and is_wrong_client_kind(exc):
                LOG.info(
                    "this client id is not an AUTH V%d client; trying V%d", version, 3 - version
                )
                continue
            raise
        memory.remember(client.client_id, version)
        return login, code
    raise AssertionError("unreachable: the loop returns or raises")
