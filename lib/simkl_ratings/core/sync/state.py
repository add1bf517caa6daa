"""What the add-on remembers between runs, in `sync_state.json` in the profile folder.

- the committed activities baseline and the Simkl ratings it describes (the cache), so a run
  with nothing new on Simkl costs one request and a library scan can be rated without any;
- a record of every rating this add-on wrote into Kodi (value and the Simkl item it came from),
  so it only ever clears or overrides what it wrote itself;
- for two-way sync, what Kodi held at the last sync (so edits are found by comparison), which
  Simkl item each Kodi item was matched to, edits not yet confirmed by Simkl, items Simkl did
  not know, and the ratings only Kodi had when two-way began (sent only with consent).

A missing, corrupt or foreign file (other account, other client_id, other schema) is treated as
no state: the next run pulls everything again; the write record survives a rebuild.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from ..files import read_json, write_json_atomic
from ..ids import normalise_ids
from ..media import SIMKL_TYPES_BY_NAME, SimklType
from ..rating import InvalidRating, Rating
from ..simkl.ratings import SimklRating
from ..timeutil import format_instant, parse_instant

LOG = logging.getLogger(__name__)

STATE_FILE = "sync_state.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class WrittenRecord:
    value: int
    source: str  # "<type>:<simkl key>"


KODI_ONLY_SEND, KODI_ONLY_KEEP = "send", "keep"


@dataclass
class TwoWayState:
    seen: dict[str, int] | None = None  # Kodi item -> userrating at the last sync; None: never
    links: dict[str, str] = field(default_factory=dict)  # Kodi item -> Simkl item (source)
    edit_times: dict[str, str] = field(default_factory=dict)  # pending edit -> first seen at
    not_found: dict[str, str] = field(default_factory=dict)  # Kodi item -> ids fingerprint
    awaiting: dict[str, int] = field(default_factory=dict)  # Kodi-only ratings, no consent yet
    kodi_only: str = ""  # the user's answer for those: "", KODI_ONLY_SEND or KODI_ONLY_KEEP

    def to_json(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "links": self.links,
            "edit_times": self.edit_times,
            "not_found": self.not_found,
            "awaiting": self.awaiting,
            "kodi_only": self.kodi_only,
        }

    @classmethod
    def from_json(cls, raw: Any) -> TwoWayState:
        if not isinstance(raw, Mapping):
            return cls()
        seen = raw.get("seen")
        return cls(
            seen=_values(seen) if isinstance(seen, Mapping) else None,
            links=_texts(raw.get("links")),
            edit_times=_texts(raw.get("edit_times")),
            not_found=_texts(raw.get("not_found")),
            awaiting=_values(raw.get("awaiting")),
            kodi_only=raw.get("kodi_only")
            if raw.get("kodi_only") in (KODI_ONLY_SEND, KODI_ONLY_KEEP)
            else "",
        )


def _values(raw: Any) -> dict[str, int]:
    """Kodi ratings by item key: 0..10 only (anything else makes the file unreadable)."""
    values: dict[str, int] = {}
    for key, value in (raw or {}).items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise ValueError(f"bad rating {value!r}")
        values[str(key)] = value
    return values


def _texts(raw: Any) -> dict[str, str]:
    return (
        {str(k): v for k, v in raw.items() if isinstance(v, str)}
        if isinstance(raw, Mapping)
        else {}
    )


@dataclass
class SyncState:
    account_id: int | None = None
    client_id: str = ""
    activities: dict[str, Any] | None = None
    ratings: dict[str, Sequence[SimklRating]] = field(default_factory=dict)
    written: dict[str, WrittenRecord] = field(default_factory=dict)
    fingerprint: str = ""
    needs_apply: bool = False
    two_way: TwoWayState = field(default_factory=TwoWayState)

    def has_cache_for(self, type_names: list[str]) -> bool:
        return self.activities is not None and all(name in self.ratings for name in type_names)

    def forget_simkl(self) -> None:
        """Drop the baseline and the cache (not the write record): the next run pulls all."""
        self.activities = None
        self.ratings = {}


def key_of(simkl_id: Any, ids: Mapping[str, str]) -> str:
    """A Simkl item's key: its Simkl id, or its other ids when Simkl sent none."""
    if simkl_id is not None:
        return str(simkl_id)
    return "ids:" + ",".join(f"{k}={v}" for k, v in sorted(ids.items()))


def rating_key(rating: SimklRating) -> str:
    return key_of(rating.simkl_id, rating.ids)


def source_of(rating: SimklRating) -> str:
    return f"{rating.simkl_type.name}:{rating_key(rating)}"


def _rating_to_json(rating: SimklRating) -> dict[str, Any]:
    return {
        "simkl": rating.simkl_id,
        "title": rating.title,
        "year": rating.year,
        "ids": dict(rating.ids),
        "rating": rating.rating.value,
        "rated_at": format_instant(rating.rated_at) if rating.rated_at else None,
        "anime_type": rating.anime_type,
        "series": rating.series_shape,
    }


def _rating_from_json(simkl_type: SimklType, raw: Mapping[str, Any]) -> SimklRating:
    simkl_id = raw.get("simkl")
    if simkl_id is not None and (isinstance(simkl_id, bool) or not isinstance(simkl_id, int)):
        raise ValueError("bad simkl id")
    year = raw.get("year")
    return SimklRating(
        simkl_type=simkl_type,
        simkl_id=simkl_id,
        title=str(raw.get("title") or ""),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        ids=normalise_ids(raw.get("ids")),
        rating=Rating.parse(raw.get("rating")),
        rated_at=parse_instant(raw.get("rated_at")),
        anime_type=raw.get("anime_type") if isinstance(raw.get("anime_type"), str) else None,
        series_shape=raw.get("series") is True,
    )


class CachedRows(Sequence[SimklRating]):
    """One type's cached Simkl ratings as the file holds them, built into ratings only when a
    run uses them: a run where nothing moved never does, and building 10,000 costs a third of
    a second on a small box. Checked at load all the same, so a bad file is still refused."""

    def __init__(self, simkl_type: SimklType, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            _check_row(row)
        self.simkl_type = simkl_type
        self.rows = rows
        self._built: list[SimklRating] | None = None

    def built(self) -> list[SimklRating]:
        if self._built is None:
            self._built = [_rating_from_json(self.simkl_type, row) for row in self.rows]
        return self._built

    def __getitem__(self, index: Any) -> Any:
        return self.built()[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SimklRating]:
        return iter(self.built())

    def values_by_source(self) -> dict[str, int]:
        """Each item's rating by source, straight from the file (what a pull may change)."""
        if self._built is not None:
            return {source_of(r): r.rating.value for r in self._built}
        name = self.simkl_type.name
        return {f"{name}:{_row_key(row)}": Rating.parse(row["rating"]).value for row in self.rows}

    def to_json(self) -> list[Mapping[str, Any]]:
        return [_rating_to_json(r) for r in self._built] if self._built is not None else self.rows


def _check_row(row: Any) -> None:
    """What building the rating would refuse, without building it."""
    simkl_id = row.get("simkl")
    if simkl_id is not None and (isinstance(simkl_id, bool) or not isinstance(simkl_id, int)):
        raise ValueError("bad simkl id")
    Rating.parse(row.get("rating"))


def _row_key(row: Mapping[str, Any]) -> str:
    return key_of(row.get("simkl"), normalise_ids(row.get("ids")))


def _state_from_json(data: Mapping[str, Any]) -> SyncState:
    ratings: dict[str, Sequence[SimklRating]] = {}
    for name, rows in (data.get("ratings") or {}).items():
        if not isinstance(rows, list):
            raise ValueError("cached ratings are not a list")
        ratings[name] = CachedRows(SIMKL_TYPES_BY_NAME[name], rows)
    written = {
        key: WrittenRecord(Rating.parse(rec["value"]).value, str(rec["source"]))
        for key, rec in (data.get("written") or {}).items()
    }
    activities = data.get("activities")
    account_id = data.get("account_id")
    return SyncState(
        account_id=account_id if isinstance(account_id, int) else None,
        client_id=str(data.get("client_id") or ""),
        activities=dict(activities) if isinstance(activities, Mapping) else None,
        ratings=ratings,
        written=written,
        fingerprint=str(data.get("fingerprint") or ""),
        needs_apply=bool(data.get("needs_apply")),
        two_way=TwoWayState.from_json(data.get("two_way")),
    )


def _rows_json(rows: Sequence[SimklRating]) -> Any:
    if isinstance(rows, CachedRows):
        return rows.to_json()
    return [_rating_to_json(r) for r in rows]


def cached_values(ratings: Mapping[str, Sequence[SimklRating]]) -> dict[str, dict[str, int]]:
    """Per type, each Simkl item's rating by source (to see what a pull changed)."""
    return {
        name: rows.values_by_source()
        if isinstance(rows, CachedRows)
        else {source_of(r): r.rating.value for r in rows}
        for name, rows in ratings.items()
    }


class SyncStateStore:
    def __init__(self, profile_dir: str) -> None:
        self.path = os.path.join(profile_dir, STATE_FILE)

    def load(self) -> SyncState | None:
        data = read_json(self.path)
        if data is None:
            return None
        try:
            if data.get("schema_version") != SCHEMA_VERSION:
                raise ValueError("other schema")
            return _state_from_json(data)
        except (AttributeError, KeyError, TypeError, ValueError, InvalidRating) as exc:
            LOG.warning("the saved sync state is unreadable (%s); pulling everything again", exc)
            return None

    def save(self, state: SyncState) -> None:
        write_json_atomic(
            self.path,
            {
                "schema_version": SCHEMA_VERSION,
                "account_id": state.account_id,
                "client_id": state.client_id,
                "fingerprint": state.fingerprint,
                "needs_apply": state.needs_apply,
                "activities": state.activities,
                "ratings": {name: _rows_json(rows) for name, rows in state.ratings.items()},
                "written": {
                    key: {"value": rec.value, "source": rec.source}
                    for key, rec in state.written.items()
                },
                "two_way": state.two_way.to_json(),
            },
        )
