"""What a finished playback needs to know from Kodi's library about the item that played:
whether Kodi counted it as watched (its playcount), and for an episode its show and whether it
is the last episode of its season or of the show in the library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..library.jsonrpc import JsonRpc, JsonRpcError
from .prompt import EPISODE, MOVIE

_DETAILS = {
    MOVIE: ("VideoLibrary.GetMovieDetails", "movieid", "moviedetails"),
    EPISODE: ("VideoLibrary.GetEpisodeDetails", "episodeid", "episodedetails"),
}
SPECIALS = 0  # Kodi's season of specials: never "the last episode"


@dataclass(frozen=True)
class EpisodePlace:
    """Where an episode sits in its show, as far as the library holds the show."""

    tvshowid: int
    last_in_season: bool
    last_in_show: bool


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _details(rpc: JsonRpc, kind: str, dbid: int, properties: list[str]) -> Mapping[str, Any]:
    method, id_field, key = _DETAILS[kind]
    try:
        reply = rpc.call(method, {id_field: dbid, "properties": properties})
    except JsonRpcError:
        return {}
    found = reply.get(key) if isinstance(reply, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def playcount(rpc: JsonRpc, kind: str, dbid: int) -> int | None:
    """The item's playcount; None for an item Kodi does not have (or a kind it cannot count)."""
    if kind not in _DETAILS:
        return None
    return _int(_details(rpc, kind, dbid, ["playcount"]).get("playcount"))


def last_of(place: tuple[int, int], episodes: Iterable[tuple[int, int]]) -> tuple[bool, bool]:
    """(last of its season, last of the show) for (season, episode) among the show's library
    episodes; specials count for neither."""
    season, _number = place
    if season == SPECIALS:
        return False, False
    regular = [e for e in episodes if e[0] != SPECIALS] + [place]
    in_season = max(e for e in regular if e[0] == season)
    return place == in_season, place == max(regular)


def episode_place(rpc: JsonRpc, episodeid: int) -> EpisodePlace | None:
    """The episode's show and place; None when Kodi does not have it."""
    raw = _details(rpc, EPISODE, episodeid, ["tvshowid", "season", "episode"])
    show, season, number = (_int(raw.get(k)) for k in ("tvshowid", "season", "episode"))
    if show is None or season is None or number is None or show <= 0:
        return None
    reply = rpc.call(
        "VideoLibrary.GetEpisodes", {"tvshowid": show, "properties": ["season", "episode"]}
    )
    rows = reply.get("episodes") if isinstance(reply, Mapping) else None
    episodes = [
        (s, n)
        for row in rows or []
        if isinstance(row, Mapping)
        for s, n in [(_int(row.get("season")), _int(row.get("episode")))]
        if s is not None and n is not None
    ]
    last_in_season, last_in_show = last_of((season, number), episodes)
    return EpisodePlace(show, last_in_season, last_in_show)
