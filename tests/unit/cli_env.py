"""The command-line runner in-process against the Simkl sandbox and the fake Kodi web server."""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from simkl_ratings.cli.context import Interrupt
from simkl_ratings.cli.main import main
from simkl_ratings.core.simkl.client import RetryPolicy
from simkl_ratings.core.simkl.credentials import CredentialStore, credentials_from_grant
from simkl_ratings.core.simkl.device import parse_grant

from tests.fakes.fake_kodi_http import FakeKodiWebServer
from tests.fakes.fake_kodi_rpc import FakeKodiLibrary

from .engine_env import CLIENT, build_library

PASSWORD = "kodi-web-Secret-42"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, sandbox: Any, web: FakeKodiWebServer, tmp: Path) -> None:
        self.sandbox = sandbox
        self.web = web
        self.kodi = web.library
        self.config_dir = tmp / "config" / "simkl-ratings-sync"
        self.state_dir = tmp / "state" / "simkl-ratings-sync"
        self.env = {
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_STATE_HOME": str(tmp / "state"),
            "SIMKL_RATINGS_KODI_URL": web.url,
            "SIMKL_RATINGS_KODI_PASSWORD": PASSWORD,
            "SIMKL_RATINGS_CLIENT_ID": CLIENT,
            "SIMKL_RATINGS_API_URL": sandbox.url,
        }

    def __call__(
        self,
        *argv: str,
        interrupt: Interrupt | None = None,
        answers: str | None = None,
        **env: str,
    ) -> Result:
        """One command; `answers` are typed at a terminal (None: stdin is not a terminal)."""
        out, err = io.StringIO(), io.StringIO()
        code = main(
            list(argv),
            env={**self.env, **env},
            stdout=out,
            stderr=err,
            interrupt=interrupt,
            retry=RetryPolicy(retries=1, base_delay=0.0, jitter=0.0),
            stdin=Terminal(answers) if answers is not None else io.StringIO(),
        )
        return Result(int(code), out.getvalue(), err.getvalue())

    def sign_in(self, scope: str = "media:read") -> dict[str, Any]:
        """A stored AUTH V2 sign-in, as `login` leaves it; returns the token reply."""
        reply = self.sandbox.issue_v2_tokens(scope)
        creds = credentials_from_grant(
            parse_grant(reply), CLIENT, scope_asked=scope, account_id=7, account_name="engine"
        )
        self.config_dir.mkdir(parents=True, exist_ok=True)
        CredentialStore(str(self.config_dir)).save(creds)
        return reply

    @property
    def credentials_path(self) -> Path:
        return self.config_dir / "credentials.json"

    @property
    def report_path(self) -> Path:
        return self.state_dir / "last_sync.json"

    def ratings(self) -> dict[str, int]:
        return {
            row["title"]: row["userrating"]
            for table in self.kodi.tables.values()
            for row in table.values()
        }


class Terminal(io.StringIO):
    """Typed answers, on what looks like a terminal."""

    def isatty(self) -> bool:
        return True


def mode(path: Path | str) -> int:
    return os.stat(path).st_mode & 0o777


@pytest.fixture
def cli(sandbox, tmp_path):
    kodi = FakeKodiLibrary()
    build_library(kodi)
    with FakeKodiWebServer(kodi, password=PASSWORD) as web:
        yield Cli(sandbox, web, tmp_path)
