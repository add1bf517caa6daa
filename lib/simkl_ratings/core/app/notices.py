"""What a shell already told the user about a problem that lasts, so it is said once: not a
toast at every background run, not a line in every cron mail. One key per kind of problem,
with the fingerprint of what was said; a new fingerprint is news, the same one is not, and the
problem going away (`clear`) lets the next one be said again."""

from __future__ import annotations

import os

from ..files import read_json, write_json_atomic

NOTICES_FILE = "notices.json"


class Notices:
    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, NOTICES_FILE)

    def _all(self) -> dict[str, str]:
        data = read_json(self.path)
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def first(self, key: str, fingerprint: str) -> bool:
        """True when this is news (and it is remembered as said); False when already said."""
        said = self._all()
        if said.get(key) == fingerprint:
            return False
        said[key] = fingerprint
        write_json_atomic(self.path, said)
        return True

    def clear(self, key: str) -> None:
        """The problem is over: the next one is news again."""
        said = self._all()
        if key in said:
            del said[key]
            write_json_atomic(self.path, said)
