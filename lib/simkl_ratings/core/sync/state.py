"""What the add-on remembers between runs, in `sync_state.json` in the profile folder.

- the committed activities baseline and the Simkl ratings it describes (the cache), so a run
  with nothing new on Simkl costs one request and a library scan can be rated without any;
- a record of every rating this add-on wrote into Kodi (value and the Simkl item it came from),
  so it only ever clears or overrides what it wrote itself;
- the items an unreadable Simkl row names (they keep what they have until the row reads);
- writes sent in a batch whose answer never came (the next run sees whether they landed);
- clears held back by the clear guard, waiting for the user's say;
- the outbox: ratings made in Kodi that wait to be sent to Simkl (two-way edits, and ratings
  given in the add-on's own dialog), with their retry time, and the items Simkl refused or did
  not know (parked: not sent again until their ids or their value change);
- for two-way sync, what Kodi held at the last sync (so edits are found by comparison), which
  Simkl item each Kodi item was matched to, and the ratings only Kodi has that wait for the
  user's consent.

A missing, corrupt or foreign file (other account, other client_id, unknown schema) is treated
as no state: the next run pulls everything again; the write record survives a rebuild. Files
of schema 1 are read as they are.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from ..files import read_json, write_json_atomic
from ..ids import normalise_ids
from ..media import SIMKL_TYPES_BY_NAME, SimklType
from ..rating import InvalidRating, Rating
from ..simkl.ratings import SimklRating
from ..timeutil import format_instant, parse_instant

LOG = logging.getLogger(__name__)

STATE_FILE = "sync_state.json"
SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)


@dataclass(frozen=True)
class WrittenRecord:
    value: int
    source: str  # "<type>:<simkl key>"


@dataclass
class Pending:
    """A rating waiting in the outbox for Simkl: 1..10, or 0 to remove it there."""

    value: int
    since: str  # when it was made in Kodi: the `rated_at` sent
    explicit: bool = False  # given in the add-on's dialog or action: sent with two-way off too
    attempts: int = 0  # failed sends so far (network, 5xx): the back-off grows with them
    retry_at: str | None = None  # not sent again before this instant

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> Pending:
        attempts = raw.get("attempts", 0)
        return cls(
            value=_kodi_value(raw["value"]),
            since=str(raw.get("since") or ""),
            explicit=raw.get("explicit") is True,
            attempts=attempts if isinstance(attempts, int) and attempts >= 0 else 0,
            retry_at=raw.get("retry_at") if isinstance(raw.get("retry_at"), str) else None,
        )


@dataclass
class Parked:
    """A rating Simkl did not take (not found by its ids, or refused): not sent again until
    the item's ids or its rating in Kodi change."""

    value: int
    ids: str  # fingerprint of the ids it was sent with
    reason: str  # "not_found", "refused" or "no_ids"
    explicit: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> Parked:
        reason = str(raw.get("reason") or "")
        return cls(_kodi_value(raw["value"]), str(raw["ids"]), reason, raw.get("explicit") is True)


@dataclass
class TwoWayState:
    seen: dict[str, int] | None = None  # Kodi item -> userrating at the last sync; None: never
    links: dict[str, str] = field(default_factory=dict)  # Kodi item -> Simkl item (source)
    awaiting: dict[str, int] = field(default_factory=dict)  # Kodi-only ratings, no consent yet

    def to_json(self) -> dict[str, Any]:
        return {"seen": self.seen, "links": self.links, "awaiting": self.awaiting}

    @classmethod
    def from_json(cls, raw: Any) -> TwoWayState:
        if not isinstance(raw, Mapping):
            return cls()
        seen = raw.get("seen")
        awaiting = _values(raw.get("awaiting"))
        if raw.get("kodi_only") in ("send", "keep"):  # schema 1: an answer given but not acted
            awaiting = {}  # on yet; the items come back as edits or stay as they are
        return cls(
            seen=_values(seen) if isinstance(seen, Mapping) else None,
            links=_texts(raw.get("links")),
            awaiting=awaiting,
        )


def _kodi_value(value: Any) -> int:
    """A Kodi rating as the file keeps it: 0..10 (anything else makes the file unreadable)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"bad rating {value!r}")
    return value


def _values(raw: Any) -> dict[str, int]:
    """Kodi ratings by item key."""
    return {str(key): _kodi_value(value) for key, value in (raw or {}).items()}


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
    # Per type, the unreadable rows of the cached reply: {"simkl": id or None, "ids": {...}}.
    invalid: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Writes sent in a batch whose answer never came: recorded once Kodi shows them.
    uncertain: dict[str, WrittenRecord] = field(default_factory=dict)
    held_clears: dict[str, int] = field(default_factory=dict)  # per type, waiting for a say
    outbox: dict[str, Pending] = field(default_factory=dict)  # Kodi item -> rating to send
    parked: dict[str, Parked] = field(default_factory=dict)  # Kodi item -> not taken by Simkl

    def has_cache_for(self, type_names: list[str]) -> bool:
        return self.activities is not None and all(name in self.ratings for name in type_names)

    def forget_simkl(self) -> None:
        """Drop the baseline and the cache (not the write record): the next run pulls all."""
        self.activities = None
        self.ratings = {}
        self.invalid = {}


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
    held = data.get("held_clears") or {}
    return SyncState(
        account_id=account_id if isinstance(account_id, int) else None,
        client_id=str(data.get("client_id") or ""),
        activities=dict(activities) if isinstance(activities, Mapping) else None,
        ratings=ratings,
        written=written,
        fingerprint=str(data.get("fingerprint") or ""),
        needs_apply=bool(data.get("needs_apply")),
        two_way=TwoWayState.from_json(data.get("two_way")),
        invalid={
            str(name): [_identity(row) for row in rows]
            for name, rows in (data.get("invalid") or {}).items()
        },
        uncertain={
            key: WrittenRecord(Rating.parse(rec["value"]).value, str(rec["source"]))
            for key, rec in (data.get("uncertain") or {}).items()
        },
        held_clears={str(k): int(v) for k, v in held.items() if isinstance(v, int) and v > 0},
        outbox={str(k): Pending.from_json(v) for k, v in (data.get("outbox") or {}).items()},
        parked={str(k): Parked.from_json(v) for k, v in (data.get("parked") or {}).items()},
    )


def _identity(raw: Any) -> dict[str, Any]:
    """An unreadable row's identity as kept: its Simkl id and its other ids."""
    simkl = raw.get("simkl")
    if simkl is not None and (isinstance(simkl, bool) or not isinstance(simkl, int)):
        raise ValueError("bad simkl id")
    return {"simkl": simkl, "ids": normalise_ids(raw.get("ids"))}


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
            if data.get("schema_version") not in READABLE_SCHEMAS:
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
                "invalid": state.invalid,
                "uncertain": {
                    key: {"value": rec.value, "source": rec.source}
                    for key, rec in state.uncertain.items()
                },
                "held_clears": state.held_clears,
                "outbox": {key: entry.to_json() for key, entry in state.outbox.items()},
                "parked": {key: entry.to_json() for key, entry in state.parked.items()},
            },
        )
