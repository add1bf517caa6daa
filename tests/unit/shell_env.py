"""A fake Kodi around the shell: fake modules, a fake library, Simkl via `responses`."""

from __future__ import annotations

import json
import os

import pytest
import responses
from simkl_ratings.core.simkl.client import ALL_RATINGS

from tests.fakes import kodi_state
from tests.fakes.fake_kodi_rpc import FakeKodiLibrary

API = "https://api.simkl.test"
TOKEN = "b" * 64
ACTIVITIES = {
    "all": "2026-05-14T06:50:38Z",
    "settings": {"all": "2026-02-15T22:53:03Z"},
    "movies": {
        "all": "2026-05-14T06:50:38Z",
        "rated_at": "2026-05-14T06:43:20Z",
        "removed_from_list": None,
    },
    "tv_shows": {
        "all": "2026-05-14T06:49:56Z",
        "rated_at": "2026-04-10T05:34:55Z",
        "removed_from_list": None,
    },
    "anime": {
        "all": "2026-05-14T06:50:38Z",
        "rated_at": "2026-04-10T05:34:55Z",
        "removed_from_list": None,
    },
}
PIN_REPLY = {
    "result": "OK",
    "device_code": "DEVICE_CODE",
    "user_code": "7QX2KD",
    "verification_uri": "https://simkl.com/pin",
    "expires_in": 30,
    "interval": 0.01,
}


class ShellEnv:
    def __init__(self, tmp_path) -> None:
        self.state = kodi_state.reset()
        self.state.profile_root = str(tmp_path / "profile")
        self.state.settings.update({"api_url": API, "client_id": "shell-client", "debug": "true"})
        self.kodi = FakeKodiLibrary()
        self.state.jsonrpc = self.kodi.handle
        self.profile = os.path.join(self.state.profile_root, "addon_data", "script.simkl.ratings")

    def sign_in_stored(self) -> None:
        os.makedirs(self.profile, exist_ok=True)
        with open(os.path.join(self.profile, "credentials.json"), "w") as stream:
            json.dump({"access_token": TOKEN, "client_id": "shell-client"}, stream)

    def credentials(self) -> dict | None:
        try:
            with open(os.path.join(self.profile, "credentials.json")) as stream:
                return json.load(stream)
        except FileNotFoundError:
            return None

    def report(self) -> dict:
        with open(os.path.join(self.profile, "last_sync.json")) as stream:
            return json.load(stream)

    def serve_ratings(self, movies=(), shows=(), anime=()) -> None:
        responses.get(f"{API}/sync/activities", json=ACTIVITIES)
        for name, rows in (("movies", movies), ("shows", shows), ("anime", anime)):
            responses.get(f"{API}/sync/ratings/{name}/{ALL_RATINGS}", json={name: list(rows)})

    def v1_client(self) -> None:
        """This client id is an AUTH V1 app: Simkl refuses it the device flow (V2)."""
        responses.post(
            f"{API}/oauth2/device",
            status=401,
            json={"error": "invalid_client", "error_description": "not a V2 client"},
        )

    def messages(self) -> list[str]:
        return [n["message"] for n in self.state.notifications]

    def log_text(self) -> str:
        return "\n".join(message for _, message in self.state.log)


@pytest.fixture
def env(tmp_path):
    return ShellEnv(tmp_path)
