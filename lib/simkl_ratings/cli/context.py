"""What one command needs: the runner's configuration and folders, its streams, the interrupt
flag (the runner's Cancel button: Ctrl-C or SIGTERM), and the core's `Workspace` wired to them:
the sign-in in the config folder, what runs leave in the state folder, Kodi over HTTP."""

from __future__ import annotations

import socket
import threading
from typing import TextIO

from ..core.app.workspace import Workspace
from ..core.errors import ConfigError
from ..core.library.jsonrpc import JsonRpc
from ..core.redact import remember_secret
from ..core.simkl.client import RetryPolicy
from .config import RunnerConfig
from .kodi_http import HttpTransport
from .paths import Paths

SCANNING = "Library.IsScanningVideo"
NO_KODI_URL = "no Kodi URL (--kodi-url, SIMKL_RATINGS_KODI_URL or config.ini)"


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


def kodi_is_scanning(rpc: JsonRpc) -> bool:
    """Kodi's own answer to "is the video library being scanned?"."""
    answer = rpc.call("XBMC.GetInfoBooleans", {"booleans": [SCANNING]})
    return bool(isinstance(answer, dict) and answer.get(SCANNING))


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
        stdin: TextIO | None = None,
    ) -> None:
        self.config = config
        self.paths = paths
        self.stdout = stdout
        self.stderr = stderr
        self.interrupt = interrupt or Interrupt()
        self.json_output = json_output
        self.retry = retry or RetryPolicy()
        self.stdin = stdin
        self.version = package_version()
        remember_secret(config.kodi_password)  # masked even if some library ever logs it
        self._transport: HttpTransport | None = None

    @property
    def can_ask(self) -> bool:
        """A person is there to answer: stdin is a terminal and the output is words."""
        isatty = getattr(self.stdin, "isatty", None)
        return bool(isatty and isatty()) and not self.json_output

    def ask(self, question: str) -> bool:
        """A yes/no question on the terminal; anything but yes is No."""
        self.stdout.write(question + " [y/N] ")
        self.stdout.flush()
        answer = self.stdin.readline() if self.stdin is not None else ""
        return answer.strip().lower() in ("y", "yes")

    def transport(self) -> HttpTransport:
        """Kodi's web server; raises ConfigError without a usable URL."""
        if self._transport is None:
            if not self.config.kodi_url:
                raise ConfigError(NO_KODI_URL)
            config = self.config
            self._transport = HttpTransport(config.kodi_url, config.kodi_user, config.kodi_password)
        return self._transport

    def _kodi(self, request: object) -> object:
        return self.transport()(request)

    def workspace(self) -> Workspace:
        """The sign-in in the config folder, the rest in the state folder; one sync at a time
        per state folder (cron and a manual run may overlap), a lock left by a killed run
        taken over after the core's stale time. Kodi is reached on the first JSON-RPC call."""
        return Workspace(
            config_dir=self.paths.config_dir,
            state_dir=self.paths.state_dir,
            session=f"cli@{socket.gethostname()}",
            api_url=self.config.api_url,
            client_id=self.config.client_id,
            app_version=self.version,
            transport=self._kodi,
            wait=self.interrupt.wait,
            retry=self.retry,
            is_scanning=lambda: kodi_is_scanning(JsonRpc(self._kodi)),
        )
