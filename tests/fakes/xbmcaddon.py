"""Fake `xbmcaddon`: settings from the real settings.xml defaults, strings from strings.po."""

from __future__ import annotations

import os

from tests.fakes import kodi_state


class Addon:
    def __init__(self, addon_id: str | None = None) -> None:
        info = kodi_state.state.addon_info
        if addon_id not in (None, info["id"]):
            raise RuntimeError(f"Unknown addon id '{addon_id}'.")

    def getSetting(self, setting_id: str) -> str:
        return kodi_state.state.settings.get(setting_id, "")

    def setSetting(self, setting_id: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("setSetting takes a string")
        kodi_state.state.settings[setting_id] = value
        kodi_state.state.settings_written.append((setting_id, value))

    def getLocalizedString(self, string_id: int) -> str:
        text = kodi_state.state.strings.get(string_id)
        if text is None:
            kodi_state.state.missing_strings.append(string_id)
            return ""
        return text

    def getAddonInfo(self, key: str) -> str:
        state = kodi_state.state
        addon_id = state.addon_info["id"]
        values = {
            "id": addon_id,
            "name": state.addon_info["name"],
            "version": state.addon_info["version"],
            "path": kodi_state.ROOT,
            "profile": f"special://profile/addon_data/{addon_id}/",
            "icon": os.path.join(kodi_state.ROOT, "resources", "icon.png"),
        }
        return values.get(key, "")

    def openSettings(self) -> None:
        kodi_state.state.settings_opened += 1
