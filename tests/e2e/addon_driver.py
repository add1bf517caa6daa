"""Driving script.simkl.ratings inside the real Kodi the way users and Kodi do, and reading
the results back through JSON-RPC and the add-on's profile folder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .host import mtime_ns, wait_for, wait_for_file_change
from .kodi_harness import KodiInstance

ADDON_ID = "script.simkl.ratings"
CLIENT_ID = "e2e-client-id"
PIN_WINDOW = "script-simkl-ratings-pin.xml"


class AddonDriver:
    def __init__(self, kodi: KodiInstance) -> None:
        self.kodi = kodi
        self.profile = kodi.profile_dir(ADDON_ID)

    @property
    def report_path(self) -> Path:
        return self.profile / "last_sync.json"

    @property
    def credentials_path(self) -> Path:
        return self.profile / "credentials.json"

    def reset_state(self) -> None:
        """Forget what earlier runs remembered (cache, write record, locks, the quota block,
        which flow the client id speaks), as a fresh install."""
        for name in (
            "sync_state.json",
            "sync.lock",
            "last_sync.json",
            "token.lock",
            "simkl_blocked.json",
            "sign_in_flow.json",
        ):
            (self.profile / name).unlink(missing_ok=True)

    def seed_token(self, token: str) -> None:
        """A stored sign-in, as a previous login would have left it, on fresh add-on state."""
        self.profile.mkdir(parents=True, exist_ok=True)
        self.reset_state()
        record = {"access_token": token, "client_id": CLIENT_ID, "account_id": 4242}
        self.credentials_path.write_text(json.dumps(record), encoding="utf-8")

    def seed_v2(
        self, pair: dict[str, Any], *, expires_in: float | None = None, keep_state: bool = False
    ) -> None:
        """A stored V2 sign-in from a sandbox token reply; `expires_in` is what the add-on
        believes is left (negative: already expired), by default what the reply says."""
        self.profile.mkdir(parents=True, exist_ok=True)
        if not keep_state:
            self.reset_state()
        now = datetime.now(timezone.utc)
        left = pair["expires_in"] if expires_in is None else expires_in
        lifetime = max(float(pair["expires_in"]), float(left), 1.0)
        created = now + timedelta(seconds=left) - timedelta(seconds=lifetime)
        stamp = "%Y-%m-%dT%H:%M:%SZ"
        record = {
            "access_token": pair["access_token"],
            "refresh_token": pair["refresh_token"],
            "client_id": CLIENT_ID,
            "auth_version": 2,
            "account_id": 4242,
            "scope": pair["scope"],
            "expires_at": (now + timedelta(seconds=left)).strftime(stamp),
            "created_at": created.strftime(stamp),
        }
        self.credentials_path.write_text(json.dumps(record), encoding="utf-8")
        self.credentials_path.chmod(0o600)

    def retry_now(self) -> None:
        """Time passes: every rating waiting in the outbox for its back-off is due now."""
        path = self.profile / "sync_state.json"
        state = json.loads(path.read_text(encoding="utf-8"))
        for entry in (state.get("outbox") or {}).values():
            entry["retry_at"] = None
        path.write_text(json.dumps(state), encoding="utf-8")

    def sign_out_locally(self) -> None:
        self.credentials_path.unlink(missing_ok=True)

    def run(self, action: str, timeout: float = 60.0) -> dict[str, Any]:
        """ExecuteAddon with params [action]; wait for the run's report (ExecuteAddon's own
        `wait` does not wait)."""
        before = mtime_ns(self.report_path)
        self.kodi.execute_addon(ADDON_ID, [action])
        wait_for_file_change(self.report_path, before, timeout=timeout)
        return self.report()

    def report(self) -> dict[str, Any]:
        return json.loads(self.report_path.read_text(encoding="utf-8"))

    def qr_images(self) -> list[Path]:
        """The sign-in window's QR images in the profile (there while the window is open)."""
        return sorted(self.profile.glob("sign-in-qr-*.png"))

    def pin_window_visible(self) -> bool:
        condition = f"Window.IsVisible({PIN_WINDOW})"
        return bool(self.kodi.info_booleans([condition]).get(condition))

    def ratings(self) -> dict[tuple[str, str], int]:
        """(kind, title) -> userrating, read item by item with Get…Details."""
        found: dict[tuple[str, str], int] = {}
        for kind, lister, key, getter, details in (
            (
                "movie",
                "VideoLibrary.GetMovies",
                "movies",
                "VideoLibrary.GetMovieDetails",
                "moviedetails",
            ),
            (
                "tvshow",
                "VideoLibrary.GetTVShows",
                "tvshows",
                "VideoLibrary.GetTVShowDetails",
                "tvshowdetails",
            ),
        ):
            for item in self.kodi.call(lister, {"properties": ["title"]}).get(key, []):
                id_field = f"{kind}id"
                reply = self.kodi.call(
                    getter, {id_field: item[id_field], "properties": ["title", "userrating"]}
                )
                found[(kind, reply[details]["title"])] = reply[details]["userrating"]
        return found

    def set_rating(self, kind: str, title: str, value: int) -> None:
        """Rate an item in Kodi as a user would (through JSON-RPC)."""
        lister, key = {
            "movie": ("VideoLibrary.GetMovies", "movies"),
            "tvshow": ("VideoLibrary.GetTVShows", "tvshows"),
        }[kind]
        items = self.kodi.call(lister, {"properties": ["title"]})[key]
        item_id = next(i[f"{kind}id"] for i in items if i["title"] == title)
        setter = (
            "VideoLibrary.SetMovieDetails" if kind == "movie" else ("VideoLibrary.SetTVShowDetails")
        )
        self.kodi.call(setter, {f"{kind}id": item_id, "userrating": value})

    def wait_for_pin_window(self, timeout: float = 20.0) -> None:
        wait_for(self.pin_window_visible, timeout=timeout, message="sign-in window")
