"""The engine against the Simkl sandbox (real HTTP on 127.0.0.1) and the fake Kodi library."""

from __future__ import annotations

import copy
import os

import pytest
from simkl_ratings.core.library.gateway import KodiLibrary
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import SIMKL_TYPES
from simkl_ratings.core.simkl.client import RetryPolicy, SimklClient
from simkl_ratings.core.sync.report import Report
from simkl_ratings.core.sync.run import Mode, Progress, SyncOptions, run_sync
from simkl_ratings.core.sync.state import SyncStateStore

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary
from tests.sandbox.accounts import rated
from tests.sandbox.simkl_sandbox import SimklSandbox

CLIENT = "engine-client"


def row(simkl, title, year, rating, day=1, **ids):
    return rated(simkl, title, year, rating, ids, f"2026-01-{day:02d}T10:00:00Z")


ACCOUNT = {
    "account": {"id": 7, "name": "engine"},
    "movies": [
        row(1, "Maleficent", 2014, 6, imdb="tt1587310", tmdb="102651"),
        row(2, "Not In Library", 2001, 9, imdb="tt7777777"),
        row(3, "Broken", 2002, 5, imdb="tt0000009"),
    ],
    "shows": [row(4, "The Last Ship", 2014, 5, tvdb="269533")],
    "anime": [
        {**row(5, "Hunter x Hunter", 2011, 10, mal="11061", anidb="8550"), "anime_type": "tv"},
        {**row(6, "Your Name", 2016, 9, tmdb="372058"), "anime_type": "movie"},
    ],
}


class Engine:
    def __init__(self, sandbox: SimklSandbox, kodi: FakeKodiLibrary, profile: str) -> None:
        self.sandbox = sandbox
        self.kodi = kodi
        self.profile = profile
        self.token = sandbox.issue_token()
        self.store = SyncStateStore(profile)

    def run(
        self,
        *,
        types=SIMKL_TYPES,
        progress: Progress | None = None,
        offline: bool = False,
        api_url: str | None = None,
        client_id: str = CLIENT,
        timeout: tuple[float, float] = (5.0, 5.0),
        keep: bool = False,
        **options,
    ) -> Report:
        """One run as the add-on does it: a fresh client and library gateway each time. The
        sandbox's request log starts afresh, unless `keep`."""
        if not keep:
            self.sandbox.clear_requests()
        client = None
        if not offline:
            client = SimklClient(
                api_url or self.sandbox.url,
                client_id,
                "0.1.0",
                token=self.token,
                timeout=timeout,
                retry=RetryPolicy(retries=2, base_delay=0.0, jitter=0.0),
                wait=lambda s: False,
            )
        library = KodiLibrary(JsonRpc(self.kodi.handle))
        options.setdefault("account_id", 7)
        if offline:
            options["mode"] = Mode.CACHED
        return run_sync(client, library, SyncOptions(types=types, **options), progress, self.store)

    types = SIMKL_TYPES

    def kodi_library(self) -> KodiLibrary:
        return KodiLibrary(JsonRpc(self.kodi.handle))

    def http(self, prefix: str = "/") -> int:
        return self.sandbox.request_count(prefix)

    @property
    def state_path(self) -> str:
        return os.path.join(self.profile, "sync_state.json")


def build_library(kodi: FakeKodiLibrary) -> None:
    kodi.add_movie("Maleficent", 2014, imdb="tt1587310", tmdb="102651")
    kodi.add_movie("Your Name", 2016, tmdb="372058")
    kodi.add_movie("Broken", 2002, imdb="tt0000009")
    kodi.add_tvshow("The Last Ship", 2014, tvdb="269533", imdb="tt2402207")
    kodi.add_tvshow("Hunter x Hunter", 2011, tvdb="252322", anidb="8550")


@pytest.fixture
def sandbox():
    with SimklSandbox(copy.deepcopy(ACCOUNT), client_ids=(CLIENT,)) as server:
        yield server


@pytest.fixture
def engine(sandbox, tmp_path) -> Engine:
    kodi = FakeKodiLibrary()
    build_library(kodi)
    return Engine(sandbox, kodi, str(tmp_path / "profile"))
