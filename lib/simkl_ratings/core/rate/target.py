"""Which library item a rating lands on, and what the dialog shows of it.

Simkl rates movies and shows only, so a season or an episode rates its show: the item Kodi
gives (dbtype + dbid) is followed to its show first. The rated item is read with the gateway's
own reader (`_item_from`), so its ids are exactly the ones a sync matches by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..library.gateway import PROPERTIES, LibraryItem, _item_from
from ..library.jsonrpc import JsonRpc, JsonRpcError
from ..media import MOVIE, TVSHOW, KodiKind

INVALID_PARAMS = -32602  # what Kodi answers for an id it does not have


@dataclass(frozen=True)
class _Details:
    """One Get…Details call: its method, id parameter and reply key."""

    method: str
    id_field: str
    key: str


_RATED: Mapping[str, tuple[KodiKind, _Details]] = {
    "movie": (MOVIE, _Details("VideoLibrary.GetMovieDetails", "movieid", "moviedetails")),
    "tvshow": (TVSHOW, _Details("VideoLibrary.GetTVShowDetails", "tvshowid", "tvshowdetails")),
}
# A season or an episode leads to its show (its `tvshowid`).
_PART_OF_SHOW: Mapping[str, _Details] = {
    "season": _Details("VideoLibrary.GetSeasonDetails", "seasonid", "seasondetails"),
    "episode": _Details("VideoLibrary.GetEpisodeDetails", "episodeid", "episodedetails"),
}


class TargetError(LookupError):
    """Kodi has no such item (or no show for it): nothing can be rated."""

    def __init__(self, dbtype: str, dbid: int) -> None:
        super().__init__(f"no {dbtype} {dbid} in the Kodi library")
        self.dbtype = dbtype
        self.dbid = dbid


@dataclass(frozen=True)
class RateTarget:
    """The movie or show that gets the rating, reached from the item the user picked (its
    dbtype and dbid), with its poster (Kodi's art, "" when it has none)."""

    item: LibraryItem
    picked: str
    picked_id: int
    poster: str = ""

    @property
    def rates_show_of_part(self) -> bool:
        """A season or episode was picked: the dialog says the show is rated."""
        return self.picked in _PART_OF_SHOW


def _details(rpc: JsonRpc, details: _Details, dbid: int, properties: list[str]) -> Any:
    try:
        reply = rpc.call(details.method, {details.id_field: dbid, "properties": properties})
    except JsonRpcError as exc:
        if exc.rpc_code == INVALID_PARAMS:
            return None
        raise
    found = reply.get(details.key) if isinstance(reply, Mapping) else None
    return found if isinstance(found, Mapping) else None


def _poster(raw: Mapping[str, Any]) -> str:
    art = raw.get("art") if isinstance(raw.get("art"), Mapping) else {}
    for key in ("poster", "thumb"):
        if isinstance(art.get(key), str) and art[key]:
            return art[key]
    return ""


def show_of(rpc: JsonRpc, dbtype: str, dbid: int) -> int:
    """The `tvshowid` of a season or an episode; TargetError when Kodi has none."""
    raw = _details(rpc, _PART_OF_SHOW[dbtype], dbid, ["tvshowid"])
    show = raw.get("tvshowid") if raw is not None else None
    if isinstance(show, bool) or not isinstance(show, int) or show <= 0:
        raise TargetError(dbtype, dbid)
    return show


def resolve(rpc: JsonRpc, dbtype: str, dbid: int) -> RateTarget:
    """The rated item for Kodi's `dbtype` (movie, tvshow, season, episode) and `dbid`.

    Raises TargetError for an item Kodi does not have, JsonRpcError when Kodi fails.
    """
    kind_name, rated_id = dbtype, dbid
    if dbtype in _PART_OF_SHOW:
        kind_name, rated_id = "tvshow", show_of(rpc, dbtype, dbid)
    if kind_name not in _RATED:
        raise TargetError(dbtype, dbid)
    kind, details = _RATED[kind_name]
    raw = _details(rpc, details, rated_id, [*PROPERTIES, "art"])
    item = _item_from(kind, raw) if raw is not None else None
    if item is None:
        raise TargetError(dbtype, dbid)
    return RateTarget(item, dbtype, dbid, _poster(raw))
