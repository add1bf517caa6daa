"""Where the runner keeps its files: the XDG base directories, private to the user.

Config (`config.ini`, `credentials.json`, the token lock) lives in
`$XDG_CONFIG_HOME/simkl-ratings-sync` (default `~/.config/simkl-ratings-sync`); what runs leave
behind (`sync_state.json`, `last_sync.json`, locks, the quota block, the flow memory) in
`$XDG_STATE_HOME/simkl-ratings-sync` (default `~/.local/state/simkl-ratings-sync`). Both folders
are 0700: they hold a Simkl token and maybe Kodi's password.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

APP_DIR = "simkl-ratings-sync"
CONFIG_FILE = "config.ini"
PRIVATE_DIR = 0o700


def _base(env: Mapping[str, str], variable: str, default: str) -> str:
    """An XDG base: the variable when it holds an absolute path (the spec ignores others)."""
    value = env.get(variable, "")
    if value and os.path.isabs(value):
        return value
    return os.path.join(os.path.expanduser("~"), default)


@dataclass(frozen=True)
class Paths:
    config_dir: str
    state_dir: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Paths:
        return cls(
            config_dir=os.path.join(_base(env, "XDG_CONFIG_HOME", ".config"), APP_DIR),
            state_dir=os.path.join(
                _base(env, "XDG_STATE_HOME", os.path.join(".local", "state")), APP_DIR
            ),
        )

    @property
    def config_file(self) -> str:
        return os.path.join(self.config_dir, CONFIG_FILE)

    def ensure(self) -> None:
        """Create both folders 0700 (and tighten them if they exist looser: they are ours)."""
        for folder in (self.config_dir, self.state_dir):
            os.makedirs(folder, mode=PRIVATE_DIR, exist_ok=True)
            if os.stat(folder).st_mode & 0o777 != PRIVATE_DIR:
                os.chmod(folder, PRIVATE_DIR)
