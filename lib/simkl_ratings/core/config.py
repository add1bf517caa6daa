"""The add-on's settings as typed values, read from Kodi's strings.

Kodi hands settings over as text. A value that cannot be read, or is out of bounds, falls back
to its default and is named in `problems`, so the user hears about it instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from .app.preferences import Preferences
from .media import SIMKL_TYPES, SimklType
from .simkl.client import DEFAULT_API_URL
from .sync.policy import POLICIES_BY_SETTING, Policy

INT_BOUNDS: Mapping[str, tuple[int, int]] = {
    "startup_delay": (0, 3600),
    "sync_interval": (0, 168),
    "batch_size": (1, 1000),
    "edit_check": (5, 3600),
    "overwrite_policy": (0, len(POLICIES_BY_SETTING) - 1),
    "household_role": (0, 2),
}


@dataclass(frozen=True)
class Settings:
    sync_movies: bool = True
    sync_shows: bool = True
    sync_anime: bool = True
    sync_on_start: bool = True
    startup_delay: int = 30
    sync_interval: int = 12
    notify: bool = True
    api_url: str = DEFAULT_API_URL
    client_id: str = ""
    batch_size: int = 100
    debug: bool = False
    overwrite_policy: int = 0
    title_fallback: bool = False
    sync_after_scan: bool = True
    wait_for_playback: bool = True
    two_way: bool = False
    edit_check: int = 300  # seconds between two-way looks at Kodi's ratings (service)
    household_role: int = 0  # on a shared library: sync.household.Role

    @property
    def policy(self) -> Policy:
        return POLICIES_BY_SETTING[self.overwrite_policy]

    def enabled_types(self) -> tuple[SimklType, ...]:
        return tuple(t for t in SIMKL_TYPES if getattr(self, t.setting_id))

    def preferences(self) -> Preferences:
        """What these settings ask a sync to do."""
        return Preferences(
            types=self.enabled_types(),
            policy=self.policy,
            title_fallback=self.title_fallback,
            batch_size=self.batch_size,
            two_way=self.two_way,
        )

    def effective_client_id(self, packaged: str) -> str:
        """The setting overrides the client_id the package was built with."""
        return self.client_id.strip() or (packaged or "").strip()


def _parse(name: str, default: Any, raw: Any) -> Any | None:
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(default, bool):
        lowered = str(text).lower()
        return {"true": True, "false": False}.get(lowered)
    if isinstance(default, int):
        try:
            value = int(str(text))
        except ValueError:
            return None
        low, high = INT_BOUNDS.get(name, (0, 2**31))
        return value if low <= value <= high else None
    return text if isinstance(text, str) and len(text) <= 2048 else None


def parse_settings(raw: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from Kodi's text values; unreadable ones keep their default and are listed."""
    defaults = Settings()
    values: dict[str, Any] = {}
    problems: list[str] = []
    for spec in fields(Settings):
        if spec.name not in raw or raw[spec.name] is None:
            continue
        default = getattr(defaults, spec.name)
        if isinstance(default, str) and raw[spec.name] == "" and spec.name == "api_url":
            continue  # an emptied URL field means "the default"
        parsed = _parse(spec.name, default, raw[spec.name])
        if parsed is None:
            problems.append(spec.name)
        else:
            values[spec.name] = parsed
    return replace(defaults, **values), problems
