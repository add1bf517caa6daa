"""What the shell needs from Kodi about this add-on: settings, strings, paths, JSON-RPC."""

from __future__ import annotations

import functools
import json
import logging
import os
import uuid
from dataclasses import fields
from typing import Any

from kodi_six import xbmc, xbmcaddon, xbmcgui, xbmcvfs

from .. import ADDON_ID
from ..core.app.workspace import Workspace
from ..core.config import Settings, parse_settings
from ..core.files import read_json
from ..core.library import shared
from ..core.library.jsonrpc import JsonRpcError
from ..core.sync.household import PROPERTY, Household, Role
from ..core.sync.report import REPORT_FILE
from .log import setup_logging

LOG = logging.getLogger(__name__)

PACKAGING_FILE = os.path.join("resources", "packaging.json")
SESSION_PROPERTY = f"{ADDON_ID}.session"
# Where Kodi reads advancedsettings.xml from, in its order (the user's file wins).
ADVANCED_SETTINGS = (
    "special://xbmc/system/advancedsettings.xml",
    "special://masterprofile/advancedsettings.xml",
)


def kodi_transport(request: Any) -> Any:
    """JSON-RPC through Kodi's in-process interface (batches work too)."""
    raw = xbmc.executeJSONRPC(json.dumps(request))
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise JsonRpcError("executeJSONRPC", None, "reply is not JSON") from exc


def kodi_session() -> str:
    """One value for the life of this Kodi run (a Home window property lives exactly as long),
    so the run lock knows a lock left by a crash."""
    home = xbmcgui.Window(10000)
    session = home.getProperty(SESSION_PROPERTY)
    if not session:
        session = uuid.uuid4().hex
        home.setProperty(SESSION_PROPERTY, session)
    return session


class AddonContext:
    """Created per entry-point run (never at import time), so settings are always fresh."""

    def __init__(self) -> None:
        self.addon = xbmcaddon.Addon(ADDON_ID)
        self.version = self.addon.getAddonInfo("version")
        self.name = self.addon.getAddonInfo("name")
        self.icon = self.addon.getAddonInfo("icon")
        self.path = xbmcvfs.translatePath(self.addon.getAddonInfo("path"))
        self.profile_dir = xbmcvfs.translatePath(self.addon.getAddonInfo("profile"))
        if not xbmcvfs.exists(self.profile_dir):
            xbmcvfs.mkdirs(self.profile_dir)
        self.settings, self.setting_problems = self.read_settings()
        setup_logging(self.settings.debug)

    def read_settings(self) -> tuple[Settings, list[str]]:
        # Every field of Settings is a setting id of settings.xml (a static test checks them).
        raw = {spec.name: self.addon.getSetting(spec.name) for spec in fields(Settings)}
        return parse_settings(raw)

    def localize(self, string_id: int, **values: Any) -> str:
        text = self.addon.getLocalizedString(string_id)
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError, ValueError):
            LOG.error("string %d does not fit its values", string_id)
            return text

    @property
    def client_id(self) -> str:
        """The client id in use: the setting, else the one the package was built with."""
        return self.settings.effective_client_id(self.packaged_client_id())

    @property
    def report_path(self) -> str:
        return os.path.join(self.profile_dir, REPORT_FILE)

    def packaged_client_id(self) -> str:
        data = read_json(os.path.join(self.path, PACKAGING_FILE))
        value = data.get("client_id") if isinstance(data, dict) else None
        return value if isinstance(value, str) else ""

    def workspace(self, monitor: xbmc.Monitor | None = None) -> Workspace:
        """Everything a run needs, in the profile folder; waits end when Kodi quits."""
        monitor = monitor or xbmc.Monitor()
        return Workspace(
            config_dir=self.profile_dir,
            state_dir=self.profile_dir,
            session=kodi_session(),
            api_url=self.settings.api_url,
            client_id=self.client_id,
            app_version=self.version,
            transport=kodi_transport,
            wait=monitor.waitForAbort,
            is_scanning=lambda: bool(xbmc.getCondVisibility("Library.IsScanningVideo")),
        )

    @functools.cached_property
    def shared_library(self) -> shared.SharedLibrary | None:
        """Kodi reads advancedsettings.xml once, at its start; a context reads it once too."""
        texts = [_read_text(xbmcvfs.translatePath(path)) for path in ADVANCED_SETTINGS]
        return shared.shared_library(texts)

    def household(self) -> Household:
        """Whether the video library is shared, and this device's role there."""
        return Household(self.shared_library, Role(self.settings.household_role))

    def publish_household(self) -> Household:
        """Tell the runner (and skins) whether this add-on syncs the library: a Home window
        property, set at the service's start, after each run and at every sign-in or out."""
        household = self.household()
        signed_in = self.workspace().current_credentials() is not None
        xbmcgui.Window(10000).setProperty(PROPERTY, household.describe(signed_in))
        return household

    def set_household_role(self, role: Role) -> None:
        self.addon.setSetting("household_role", str(int(role)))
        self.settings, self.setting_problems = self.read_settings()


def _read_text(path: str) -> str | None:
    """A small local file's text; None when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(1_000_000)
    except OSError:
        return None
