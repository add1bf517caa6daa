"""The runner's configuration: command-line options over environment variables over the
config file (`config.ini` in the config folder), over the add-on's defaults.

The Kodi password may come from any of the three; the environment or the 0600 config file keep
it out of `ps` and shell history. It is never printed: `repr` hides it and `describe()` says
only whether one is set.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..core.app.preferences import Preferences
from ..core.errors import ConfigError
from ..core.media import SIMKL_TYPES, SIMKL_TYPES_BY_NAME, SimklType
from ..core.simkl.client import DEFAULT_API_URL
from ..core.sync.policy import Policy

ENV_PREFIX = "SIMKL_RATINGS_"
MAX_BATCH = 1000

# option name -> (environment variable, config section, config key)
SOURCES: Mapping[str, tuple[str, str, str]] = {
    "kodi_url": (ENV_PREFIX + "KODI_URL", "kodi", "url"),
    "kodi_user": (ENV_PREFIX + "KODI_USER", "kodi", "user"),
    "kodi_password": (ENV_PREFIX + "KODI_PASSWORD", "kodi", "password"),
    "client_id": (ENV_PREFIX + "CLIENT_ID", "simkl", "client_id"),
    "api_url": (ENV_PREFIX + "API_URL", "simkl", "api_url"),
    "types": (ENV_PREFIX + "TYPES", "sync", "types"),
    "policy": (ENV_PREFIX + "POLICY", "sync", "policy"),
    "title_fallback": (ENV_PREFIX + "TITLE_FALLBACK", "sync", "title_fallback"),
    "batch_size": (ENV_PREFIX + "BATCH_SIZE", "sync", "batch_size"),
    "two_way": (ENV_PREFIX + "TWO_WAY", "sync", "two_way"),
    "shared_library": (ENV_PREFIX + "SHARED_LIBRARY", "sync", "shared_library"),
}
CONFIG_ENV = ENV_PREFIX + "CONFIG"

POLICY_WORDS: Mapping[str, Policy] = {
    "simkl-wins": Policy.SIMKL_WINS,
    "fill-empty": Policy.FILL_EMPTY,
    "keep-local": Policy.KEEP_LOCAL,
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class RunnerConfig:
    kodi_url: str | None = None
    kodi_user: str = "kodi"
    kodi_password: str | None = field(default=None, repr=False)
    client_id: str = ""
    api_url: str = DEFAULT_API_URL
    types: tuple[SimklType, ...] = SIMKL_TYPES
    policy: Policy = Policy.SIMKL_WINS
    title_fallback: bool = False
    batch_size: int = 100
    two_way: bool = False  # also send ratings changed in Kodi to Simkl
    # The Kodi's library is shared by several devices (MySQL/MariaDB); also learnt from the
    # add-on on that Kodi, when it runs there.
    shared_library: bool = False

    def preferences(self) -> Preferences:
        """What this configuration asks a sync to do."""
        return Preferences(
            types=self.types,
            policy=self.policy,
            title_fallback=self.title_fallback,
            batch_size=self.batch_size,
            two_way=self.two_way,
        )

    def describe(self) -> dict[str, Any]:
        """What `status` shows: everything but the password, which is only said to be set."""
        return {
            "kodi_url": self.kodi_url,
            "kodi_user": self.kodi_user,
            "kodi_password_set": bool(self.kodi_password),
            "api_url": self.api_url,
            "client_id_set": bool(self.client_id),
            "types": [t.name for t in self.types],
            "policy": next(w for w, p in POLICY_WORDS.items() if p is self.policy),
            "title_fallback": self.title_fallback,
            "batch_size": self.batch_size,
            "two_way": self.two_way,
            "shared_library": self.shared_library,
        }


def read_config_file(path: str, *, required: bool) -> dict[str, str]:
    """The config file's values by option name; {} when absent (unless it was asked for)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as stream:
            parser.read_file(stream)
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config file {path} not found") from None
        return {}
    except (OSError, configparser.Error) as exc:
        raise ConfigError(f"config file {path} is unreadable ({type(exc).__name__})") from None
    values = {}
    for name, (_env, section, key) in SOURCES.items():
        if parser.has_option(section, key):
            values[name] = parser.get(section, key)
    return values


def _types(text: str) -> tuple[SimklType, ...]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in SIMKL_TYPES_BY_NAME]
    if unknown or not names:
        known = ",".join(SIMKL_TYPES_BY_NAME)
        raise ConfigError(f"types must be a comma-separated list of {known}")
    return tuple(t for t in SIMKL_TYPES if t.name in names)


def _bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false")


def _batch(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_BATCH:
        raise ConfigError(f"batch size must be a whole number from 1 to {MAX_BATCH}")
    return value


def resolve(
    flags: Mapping[str, Any], env: Mapping[str, str], config_path: str, *, required: bool = False
) -> RunnerConfig:
    """One value per option: a flag given, else the environment, else the file, else default."""
    from_file = read_config_file(config_path, required=required)
    raw: dict[str, Any] = {}
    for name, (variable, _section, _key) in SOURCES.items():
        if flags.get(name) is not None:
            raw[name] = flags[name]
        elif env.get(variable):
            raw[name] = env[variable]
        elif from_file.get(name, "").strip():
            raw[name] = from_file[name]
    values: dict[str, Any] = {}
    for name in ("kodi_url", "kodi_user", "client_id", "api_url"):
        if name in raw:
            values[name] = str(raw[name]).strip()
    if "kodi_password" in raw:
        values["kodi_password"] = str(raw["kodi_password"])  # spaces may be part of it
    _typed(raw, values)
    return RunnerConfig(**values)


def _typed(raw: Mapping[str, Any], values: dict[str, Any]) -> None:
    """The options that are not plain text, checked."""
    if "types" in raw:
        values["types"] = _types(str(raw["types"]))
    if "policy" in raw:
        word = str(raw["policy"]).strip().lower().replace("_", "-")
        if word not in POLICY_WORDS:
            raise ConfigError(f"policy must be one of {', '.join(POLICY_WORDS)}")
        values["policy"] = POLICY_WORDS[word]
    for name in ("title_fallback", "two_way", "shared_library"):
        if name in raw:
            value = raw[name]
            values[name] = value if isinstance(value, bool) else _bool(name, value)
    if "batch_size" in raw:
        values["batch_size"] = _batch(str(raw["batch_size"]))


def config_file_is_private(path: str) -> bool:
    """False when a config file exists that others may read (it may hold Kodi's password)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    return mode & 0o077 == 0
