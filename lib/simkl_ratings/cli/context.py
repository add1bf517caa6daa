"""What one command needs, wired like the Kodi shell's `AddonContext`: the config and state
folders, the Simkl client with its quota gate and token refresh, Kodi over HTTP, the run lock
and the interrupt flag (the runner's Cancel button: Ctrl-C or SIGTERM)."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Callable, TextIO

from ..core.library.gateway import KodiLibrary
from ..core.library.jsonrpc import JsonRpc
from ..core.redact import remember_secret
from ..core.simkl.client import RetryPolicy, SimklClient
from ..core.simkl.credentials import Credentials, CredentialStore
from ..core.simkl.flows import FlowMemory
from ..core.simkl.quota import QuotaGate
from ..core.simkl.tokens import LOCK_FILE, FileLock, TokenManager
from ..core.sync.lock import RunLock
from ..core.sync.report import REPORT_FILE
from ..core.sync.state import SyncStateStore
from .config import RunnerConfig
from .kodi_http import HttpTransport
from .paths import Paths


class Interrupt:
    """Set by the first Ctrl-C or SIGTERM; waits end early once it is set."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when interrupted (the core's `Wait`)."""
        return self._event.wait(max(0.0, seconds))


def package_version() -> str:
    """The installed distribution's version (the add-on's version), for Simkl's app-version."""
    try:
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415
    except ImportError:  # pragma: no cover (Python < 3.8)
        return "0.0.0"
    try:
        return version("script.simkl.ratings")
    except PackageNotFoundError:
        return "0.0.0"


class RunnerContext:
    def __init__(
        self,
        config: RunnerConfig,
        paths: Paths,
        *,
        stdout: TextIO,
        stderr: TextIO,
        interrupt: Interrupt | None = None,
        json_output: bool = False,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.paths = paths
        self.stdout = stdout
        self.stderr = stderr
        self.interrupt = interrupt or Interrupt()
        self.json_output = json_output
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.version = package_version()
        remember_secret(config.kodi_password)  # masked even if some library ever logs it

    @property
    def report_path(self) -> str:
        return os.path.join(self.paths.state_dir, REPORT_FILE)

    def credentials(self) -> CredentialStore:
        return CredentialStore(self.paths.config_dir)

    def current_credentials(self) -> Credentials | None:
        """The stored sign-in, if it was made with the client id now configured."""
        creds = self.credentials().load()
        if creds is None:
            return None
        if creds.client_id and self.config.client_id and creds.client_id != self.config.client_id:
            return None
        return creds

    def flow_memory(self) -> FlowMemory:
        return FlowMemory(self.paths.state_dir)

    def quota_gate(self) -> QuotaGate:
        return QuotaGate(self.paths.state_dir)

    def sync_state(self) -> SyncStateStore:
        return SyncStateStore(self.paths.state_dir)

    def run_lock(self) -> RunLock:
        """One sync at a time per state folder (cron and a manual run may overlap); a lock
        left by a killed run is taken over after the core's stale time."""
        return RunLock(self.paths.state_dir, f"cli@{socket.gethostname()}")

    def simkl_client(self) -> SimklClient:
        """Raises ConfigError without a client id or with a non-https API URL."""
        return SimklClient(
            self.config.api_url,
            self.config.client_id,
            self.version,
            quota=self.quota_gate(),
            retry=self.retry,
            wait=self.interrupt.wait,
        )

    def signed_in_client(self, creds: Credentials) -> SimklClient:
        """A client whose token comes from `creds` and is refreshed when due (AUTH V2); the
        token lock sits beside credentials.json, so two runs never refresh at once."""
        client = self.simkl_client()
        lock = FileLock(os.path.join(self.paths.config_dir, LOCK_FILE), wait=self.interrupt.wait)
        client.auth = TokenManager(self.credentials(), creds, client.refresh_grant, lock=lock)
        return client

    def transport(self) -> HttpTransport:
        assert self.config.kodi_url is not None
        return HttpTransport(self.config.kodi_url, self.config.kodi_user, self.config.kodi_password)

    def library(self) -> KodiLibrary:
        return KodiLibrary(JsonRpc(self.transport()))
