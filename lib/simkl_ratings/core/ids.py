"""External id normalisation, shared by Simkl rows and Kodi `uniqueid` maps.

Both sides spell the same id differently (numbers vs strings, `TT` vs `tt`, padding), so every
id goes through `normalise_ids` before it is indexed or looked up.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

IMDB_KEY = "imdb"
NUMERIC_KEYS: tuple[str, ...] = ("tmdb", "tvdb", "anidb", "mal", "anilist", "kitsu")
MATCH_KEYS: tuple[str, ...] = (IMDB_KEY, *NUMERIC_KEYS)

# Spellings seen in Kodi scrapers and NFO files for the same id types.
ALIASES: Mapping[str, str] = {
    "myanimelist": "mal",
    "themoviedb": "tmdb",
    "thetvdb": "tvdb",
    "imdb_id": "imdb",
}

_IMDB_RE = re.compile(r"^tt\d{1,12}$")
_DIGITS_RE = re.compile(r"^\d{1,12}$")


def normalise_id(key: str, value: Any) -> str | None:
    """The canonical text of one id, or None when it is not a usable id of that type."""
    if isinstance(value, bool) or value is None:
        return None
    if key == IMDB_KEY:
        text = str(value).strip().lower()
        return text if _IMDB_RE.match(text) and int(text[2:]) > 0 else None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if not _DIGITS_RE.match(text):
        return None
    number = int(text)
    return str(number) if number > 0 else None


def normalise_ids(raw: Any) -> dict[str, str]:
    """Keep the ids we can match on, in canonical form; drop everything else."""
    if not isinstance(raw, Mapping):
        return {}
    ids: dict[str, str] = {}
    for raw_key, value in raw.items():
        if not isinstance(raw_key, str):
            continue
        key = ALIASES.get(raw_key.strip().lower(), raw_key.strip().lower())
        if key not in MATCH_KEYS or key in ids:
            continue
        canonical = normalise_id(key, value)
        if canonical is not None:
            ids[key] = canonical
    return ids
