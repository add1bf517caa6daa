"""Where one shell keeps its files and how it reaches Simkl and Kodi.

The add-on keeps everything in its profile folder; the runner keeps the sign-in in its config
folder and what runs leave behind in its state folder. The run lock's session is what makes a
lock left by a crash recognisable: one Kodi run for the add-on, the host for the runner.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Callable

from ..library.gateway import KodiLibrary
from ..library.jsonrpc import JsonRpc, Transport
from ..simkl.client import RetryPolicy, SimklClient, Wait
from ..simkl.credentials import Credentials, CredentialStore
from ..simkl.flows import FlowMemory
from ..simkl.quota import QuotaGate
from ..simkl.tokens import LOCK_FILE, FileLock, TokenManager
from ..sync.lock import RunLock
from ..sync.report import REPORT_FILE
from ..sync.state import SyncStateStore
from .notices import Notices

LOG = logging.getLogger(__name__)


def _never(_seconds: float) -> bool:
    return False


@dataclass
class Workspace:
    """Folders, stores, locks, the Simkl client and the Kodi library of one shell."""

    config_dir: str  # the sign-in (credentials.json) and its refresh lock
    state_dir: str  # sync state, report, run lock, quota block, sign-in flow memory
    session: str  # the run lock's session: one Kodi run, or the runner's host
    api_url: str
    client_id: str
    app_version: str
    transport: Transport  # Kodi's JSON-RPC: in-process, or HTTP for the runner
    wait: Wait = _never  # interruptible sleep: True when Kodi quits or Ctrl-C was pressed
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Whether Kodi is scanning its video library right now (a sync waits for the scan).
    is_scanning: Callable[[], bool] = lambda: False

    # -- files ---------------------------------------------------------------------------------

    @property
    def report_path(self) -> str:
        return os.path.join(self.state_dir, REPORT_FILE)

    def credentials(self) -> CredentialStore:
        return CredentialStore(self.config_dir)

    def current_credentials(self) -> Credentials | None:
        """The stored sign-in, unless it was made with another client id than the one now
        configured (a token belongs to its client id)."""
        creds = self.credentials().load()
        if creds is None:
            return None
        if creds.client_id and self.client_id and creds.client_id != self.client_id:
            LOG.warning("the stored sign-in was made with another client_id; sign in again")
            return None
        return creds

    def flow_memory(self) -> FlowMemory:
        return FlowMemory(self.state_dir)

    def notices(self) -> Notices:
        return Notices(self.state_dir)

    def quota_gate(self) -> QuotaGate:
        return QuotaGate(self.state_dir)

    def sync_state(self) -> SyncStateStore:
        return SyncStateStore(self.state_dir)

    def run_lock(self) -> RunLock:
        return RunLock(self.state_dir, self.session)

    # -- Simkl ---------------------------------------------------------------------------------

    def client(self) -> SimklClient:
        """A client for the configured API that honours the stored daily-quota block; raises
        ConfigError for an unusable URL or a missing client id."""
        return SimklClient(
            self.api_url,
            self.client_id,
            self.app_version,
            quota=self.quota_gate(),
            retry=self.retry,
            wait=self.wait,
        )

    def token_manager(self, creds: Credentials, client: SimklClient) -> TokenManager:
        """Refreshes `creds` for `client`; the lock beside credentials.json is shared by every
        process that uses this sign-in (the service, script runs, cron jobs)."""
        lock = FileLock(os.path.join(self.config_dir, LOCK_FILE), wait=self.wait)
        return TokenManager(self.credentials(), creds, client.refresh_grant, lock=lock)

    def signed_in_client(self, creds: Credentials) -> SimklClient:
        """A client whose token comes from `creds`, refreshed when it must be (AUTH V2)."""
        client = self.client()
        client.auth = self.token_manager(creds, client)
        return client

    # -- Kodi ----------------------------------------------------------------------------------

    def rpc(self) -> JsonRpc:
        return JsonRpc(self.transport)

    def library(self) -> KodiLibrary:
        return KodiLibrary(self.rpc())
