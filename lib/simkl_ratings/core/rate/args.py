"""The `rate` action's arguments, as keymaps, skins and JSON-RPC send them.

`RunScript(script.simkl.ratings,rate,dbtype=movie,dbid=12[,rating=8])` and
`Addons.ExecuteAddon` with `["rate", "dbtype=movie", "dbid=12", "rating=8"]` both arrive as
`key=value` words. Skins fill them from info labels, so an item outside the library arrives as
`dbid=` or `dbid=-1`. Keymaps cannot fill them (Kodi does not resolve info labels in a keymap's
RunScript), so the word `focused` stands for the focused list item's type and id, which the
shell reads. Every mistake becomes a `RateArgsError` naming the argument, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

DBTYPES: tuple[str, ...] = ("movie", "tvshow", "season", "episode")
ACTION_WORDS = frozenset({"rate", "action=rate", "mode=rate"})
FOCUSED = "focused"  # the focused list item (its ListItem.DBTYPE and ListItem.DBID)
REMOVE = 0  # rating=0 removes the rating
MAX_DIGITS = 10  # Kodi's ids are 32-bit integers


class RateArgsError(ValueError):
    """An argument is missing, repeated, unknown or not a usable value.

    `code` is one of: missing, repeated, unknown, dbtype, dbid, rating, focused (nothing of the
    library is focused); `name` is the argument, `value` what was given (for the message).
    """

    def __init__(self, code: str, name: str, value: str = "") -> None:
        super().__init__(f"{code}: {name}={value!r}")
        self.code = code
        self.name = name
        self.value = value


@dataclass(frozen=True)
class RateRequest:
    """Rate library item `dbid` of `dbtype`; `rating` None asks with the dialog, 0 removes the
    rating, 1..10 sets it."""

    dbtype: str
    dbid: int
    rating: int | None = None

    @property
    def asks(self) -> bool:
        return self.rating is None


def _number(text: str) -> int | None:
    digits = text.strip()
    if not digits.isdigit() or not digits.isascii() or len(digits) > MAX_DIGITS:
        return None
    return int(digits)


def _expanded(words: Sequence[str], focused: tuple[str, str]) -> list[str]:
    """`focused` becomes dbtype=… and dbid=… of the focused list item (none: an error)."""
    expanded: list[str] = []
    for word in words:
        if word.strip().lower() != FOCUSED:
            expanded.append(word)
            continue
        dbtype, dbid = (part.strip() for part in focused)
        if not dbtype or not dbid:
            raise RateArgsError("focused", FOCUSED)
        expanded += [f"dbtype={dbtype}", f"dbid={dbid}"]
    return expanded


def _pairs(words: Sequence[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for word in words:
        text = word.strip().lstrip("?")
        if not text or text.lower() in ACTION_WORDS:
            continue
        name, sep, value = text.partition("=")
        name = name.strip().lower()
        if not sep:
            raise RateArgsError("unknown", name)
        if name not in ("dbtype", "dbid", "rating"):
            raise RateArgsError("unknown", name, value)
        if name in pairs:
            raise RateArgsError("repeated", name, value)
        pairs[name] = value.strip()
    return pairs


def parse_rate_args(words: Sequence[str], focused: tuple[str, str] = ("", "")) -> RateRequest:
    """The request in `words` (sys.argv after the script name); RateArgsError otherwise.
    `focused` is the focused list item's (dbtype, dbid), for the word `focused`."""
    pairs = _pairs(_expanded(words, focused))
    for name in ("dbtype", "dbid"):
        if name not in pairs:
            raise RateArgsError("missing", name)
    dbtype = pairs["dbtype"].lower()
    if dbtype not in DBTYPES:
        raise RateArgsError("dbtype", "dbtype", pairs["dbtype"])
    dbid = _number(pairs["dbid"])
    if dbid is None or dbid <= 0:
        raise RateArgsError("dbid", "dbid", pairs["dbid"])
    rating = None
    if "rating" in pairs:
        rating = _number(pairs["rating"])
        if rating is None or rating > 10:
            raise RateArgsError("rating", "rating", pairs["rating"])
    return RateRequest(dbtype, dbid, rating)
