"""Parse `/sync/ratings/{type}/1..10` replies into validated ratings.

Simkl's replies vary: `null`, `{}` or a missing key mean "none"; anime rows carry the media
under `show` (sometimes `anime`); `anime_type` may sit on the row or inside the media; ids come
as strings or numbers. Rows we cannot use are skipped with a reason, never guessed at; a skipped
row that names its item (by ids) protects that item from being written or cleared.

Real replies also differ from the documentation: anime rows carry no `anime_type`, and a row
whose `user_rating` is null or missing is a list item the user never rated (Simkl sends them
when the rating filter is dropped or ignored). Those are counted as unrated, not as invalid.
The row's episode fields tell a series from a film where the type does not: an anime film has
one episode, a series has more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..errors import BadResponse
from ..ids import normalise_id, normalise_ids
from ..media import SimklType
from ..rating import InvalidRating, Rating
from ..timeutil import parse_instant

MAX_TITLE = 300


@dataclass(frozen=True)
class SimklRating:
    """One item the user rated on Simkl."""

    simkl_type: SimklType
    simkl_id: int | None
    title: str
    year: int | None
    ids: Mapping[str, str]
    rating: Rating
    rated_at: datetime | None = None
    anime_type: str | None = None
    # The row is shaped like a series (more than one episode): evidence of the kind for an
    # anime without a known type, independent of its ids.
    series_shape: bool = False

    def describe(self) -> dict:
        """The report's view of the item: type, title, year and ids (simkl included)."""
        ids = dict(self.ids)
        if self.simkl_id is not None:
            ids["simkl"] = str(self.simkl_id)
        return {"type": self.simkl_type.name, "title": self.title, "year": self.year, "ids": ids}


@dataclass(frozen=True)
class SkippedRow:
    """A row that is there but cannot be read. It still names its item when it carries ids:
    that item then keeps whatever it has (an unreadable rating is not a removed one)."""

    simkl_type: SimklType
    title: str
    reason: str
    simkl_id: int | None = None
    ids: Mapping[str, str] = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        return self.simkl_id is not None or bool(self.ids)

    def describe(self) -> dict:
        return {"type": self.simkl_type.name, "title": self.title, "reason": self.reason}


@dataclass
class ParsedRatings:
    items: list[SimklRating] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    unrated: int = 0  # list items without a rating: not ratings, not errors


def _rows(simkl_type: SimklType, body: Any) -> list[Any]:
    if body is None:
        return []
    if isinstance(body, list):  # defensive: a bare list of rows
        return body
    if not isinstance(body, Mapping):
        raise BadResponse(f"ratings reply for {simkl_type.name} is not an object")
    rows = body.get(simkl_type.name)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise BadResponse(f"ratings reply for {simkl_type.name} is not a list")
    return rows


def _text(raw: Any) -> str:
    return raw.strip()[:MAX_TITLE] if isinstance(raw, str) else ""


def _year(raw: Any) -> int | None:
    text = normalise_id("year", raw)
    if text is None:
        return None
    year = int(text)
    return year if 1800 <= year <= 2200 else None


def _subtype(row: Mapping[str, Any], media: Mapping[str, Any]) -> str | None:
    raw = row.get("anime_type") or media.get("anime_type")
    return raw.strip().lower() if isinstance(raw, str) and raw.strip() else None


_EPISODE = re.compile(r"^(?:S\d+)?E(\d{1,5})$", re.IGNORECASE)
_EPISODE_COUNTS = ("total_episodes_count", "watched_episodes_count")
_EPISODE_MARKERS = ("last_watched", "next_to_watch")


def _episodes(row: Mapping[str, Any]) -> int:
    """The most episodes the row's own fields show (counts, or "E148" / "S01E05" markers)."""
    most = 0
    for key in _EPISODE_COUNTS:
        count = row.get(key)
        if isinstance(count, int) and not isinstance(count, bool):
            most = max(most, count)
    for key in _EPISODE_MARKERS:
        marker = _EPISODE.match(row[key].strip()) if isinstance(row.get(key), str) else None
        if marker:
            most = max(most, int(marker.group(1)))
    return most


def parse_row(simkl_type: SimklType, row: Any) -> SimklRating | SkippedRow | None:
    """One row to a rating, to a skipped row with the reason, or None for an unrated item."""
    if not isinstance(row, Mapping):
        return SkippedRow(simkl_type, "", "row is not an object")
    media = next(
        (row[key] for key in simkl_type.row_keys if isinstance(row.get(key), Mapping)), None
    )
    if media is None:
        return SkippedRow(simkl_type, "", "row has no media object")
    title = _text(media.get("title"))
    if row.get("user_rating") is None:
        return None
    raw_ids = media.get("ids") if isinstance(media.get("ids"), Mapping) else {}
    simkl_id = normalise_id("simkl", raw_ids.get("simkl", raw_ids.get("simkl_id")))
    try:
        rating = Rating.parse(row.get("user_rating"))
    except InvalidRating as exc:
        number = int(simkl_id) if simkl_id else None
        ids = normalise_ids(raw_ids)
        return SkippedRow(simkl_type, title, f"invalid rating: {exc}", number, ids)
    return SimklRating(
        simkl_type=simkl_type,
        simkl_id=int(simkl_id) if simkl_id else None,
        title=title,
        year=_year(media.get("year")),
        ids=normalise_ids(raw_ids),
        rating=rating,
        rated_at=parse_instant(row.get("user_rated_at")),
        anime_type=_subtype(row, media),
        series_shape=_episodes(row) >= 2,
    )


def parse_ratings(simkl_type: SimklType, body: Any) -> ParsedRatings:
    """Every usable rating of one type, plus the rows skipped and why."""
    parsed = ParsedRatings()
    for row in _rows(simkl_type, body):
        result = parse_row(simkl_type, row)
        if result is None:
            parsed.unrated += 1
        elif isinstance(result, SkippedRow):
            parsed.skipped.append(result)
        else:
            parsed.items.append(result)
    return parsed
