"""Account state of the Simkl sandbox: library items, ratings and activity timestamps.

Kept free of HTTP so the rules (silent fallbacks, id resolution, activity bumps) can be read and
tested on their own, and so the server module stays a thin routing layer. Every public method
takes the model lock because the HTTP server answers requests on several threads.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

TYPES = ("movies", "shows", "anime")
GROUP_OF = {"movies": "movies", "shows": "tv_shows", "anime": "anime"}
MEDIA_KEY = {"movies": "movie", "shows": "show", "anime": "show"}
LIST_KEYS = ("plantowatch", "watching", "completed", "hold", "dropped")
# Simkl's movies activity group has no watching/hold keys (§5).
GROUP_KEYS = {
    "movies": ("all", "rated_at", "playback", "plantowatch", "completed", "dropped"),
    "tv_shows": ("all", "rated_at", "playback", *LIST_KEYS),
    "anime": ("all", "rated_at", "playback", *LIST_KEYS),
}
GROUP_KEYS = {g: (*keys, "removed_from_list") for g, keys in GROUP_KEYS.items()}
# "Send every ID you have - Simkl picks the first that resolves" (§1.4): fixed priority order.
ID_PRIORITY = (
    "simkl",
    "imdb",
    "tmdb",
    "tvdb",
    "mal",
    "anidb",
    "anilist",
    "kitsu",
    "anisearch",
    "animeplanet",
    "livechart",
    "letterboxd",
    "traktslug",
)
# Where a write bucket looks for items; anime may be sent under shows[] or anime[] (§8).
WRITE_POOLS = {"movies": ("movies",), "shows": ("shows", "anime"), "anime": ("anime", "shows")}
DIGIT_CSV = re.compile(r"\d+(,\d+)*")
VALID_RATINGS = frozenset(range(1, 11))


def utcnow() -> datetime:
    """Server time, timezone-aware so comparisons never mix naive and aware values."""
    return datetime.now(timezone.utc)


def parse_iso(value: str | datetime | None) -> datetime | None:
    """Parse both Simkl date forms (``...Z`` and ``....000Z``); naive values are taken as UTC."""
    if value is None or isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def iso_seconds(value: datetime | None) -> str | None:
    """Activities form: ``2026-05-14T06:50:38Z``."""
    return None if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(value: datetime | None) -> str | None:
    """Ratings-row form: ``2021-06-23T13:19:05.000Z``."""
    if value is None:
        return None
    try:
        value = value.astimezone(timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 has no UTC form: sent as stored
        return value.isoformat(timespec="seconds")
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def is_valid_rating(value: Any) -> bool:
    """Simkl ratings are integers 1..10; bools and numeric strings are not ratings."""
    return isinstance(value, int) and not isinstance(value, bool) and value in VALID_RATINGS


def check_type(type_: str) -> str:
    """Reject type words early so a typo in a test fails loudly instead of matching nothing."""
    if type_ not in TYPES:
        raise ValueError(f"type must be one of {TYPES}, got {type_!r}")
    return type_


@dataclass
class Item:
    """One title known to the account; ``listed`` False means known to Simkl but not in lists."""

    type: str
    simkl: int
    title: str
    year: int | None
    ids: dict[str, str]
    user_rating: Any = None
    user_rated_at: datetime | None = None
    status: str = "completed"
    last_watched_at: datetime | None = None
    last_watched: str | None = None
    next_to_watch: str | None = None
    anime_type: str | None = None  # real replies carry none: only sent when a fixture sets it
    episodes: int | None = None  # total_episodes_count / watched_episodes_count, as real rows
    listed: bool = True
    raw: bool = False  # stored value injected via set_raw_rating; bypasses rating filters

    @classmethod
    def from_dict(cls, type_: str, data: dict[str, Any], *, listed: bool = True) -> Item:
        """Build from the fixture format; external ids become strings as Simkl returns them."""
        simkl = data.get("simkl", (data.get("ids") or {}).get("simkl"))
        if not isinstance(simkl, int) or isinstance(simkl, bool):
            raise ValueError(f"{type_} item needs an integer 'simkl' id: {data!r}")
        ids = {k: str(v) for k, v in (data.get("ids") or {}).items() if k != "simkl"}
        rated_at = parse_iso(data.get("user_rated_at"))
        rating = data.get("user_rating")
        watched = data.get("last_watched_at", rated_at if rating is not None else None)
        return cls(
            type=type_,
            simkl=simkl,
            title=str(data.get("title", f"Untitled {simkl}")),
            year=data.get("year"),
            ids=ids,
            user_rating=rating,
            user_rated_at=rated_at,
            status=str(data.get("status", "completed")),
            last_watched_at=parse_iso(watched),
            last_watched=data.get("last_watched"),
            next_to_watch=data.get("next_to_watch"),
            anime_type=data.get("anime_type"),
            episodes=data.get("episodes"),
            listed=listed,
            raw=rating is not None and not is_valid_rating(rating),
        )

    @property
    def rated(self) -> bool:
        """True when a rating value of any kind (even an injected invalid one) is stored."""
        return self.user_rating is not None

    def id_value(self, key: str) -> str | None:
        """This item's id for ``key`` as a string, for comparison with request ids."""
        return str(self.simkl) if key == "simkl" else self.ids.get(key)

    def to_row(self) -> dict[str, Any]:
        """Row shape of ``/sync/ratings`` (§6, §11): fields not applying to the type are omitted."""
        row: dict[str, Any] = {
            "last_watched_at": iso_millis(self.last_watched_at),
            "user_rated_at": iso_millis(self.user_rated_at),
            "user_rating": self.user_rating,
            "status": self.status,
        }
        if self.type != "movies":
            row["last_watched"] = self.last_watched
            row["next_to_watch"] = self.next_to_watch
        if self.type != "movies" and self.episodes is not None:
            row["watched_episodes_count"] = self.episodes
            row["total_episodes_count"] = self.episodes
        if self.type == "anime" and self.anime_type is not None:
            row["anime_type"] = self.anime_type
        ids: dict[str, Any] = {"simkl": self.simkl, **self.ids}
        row[MEDIA_KEY[self.type]] = {"title": self.title, "year": self.year, "ids": ids}
        return row


class Activities:
    """The ``/sync/activities`` timestamps, strictly increasing across mutations."""

    def __init__(self, now: datetime) -> None:
        start = now.replace(microsecond=0)
        self._last = start
        self.all = start
        self.settings_all = start
        self.groups = {g: dict.fromkeys(keys, start) for g, keys in GROUP_KEYS.items()}

    def tick(self) -> datetime:
        """Next stamp: server time, or one second past the previous stamp if that is not later."""
        now = utcnow().replace(microsecond=0)
        self._last = now if now > self._last else self._last + timedelta(seconds=1)
        return self._last

    def touch(self, stamp: datetime, type_: str, *keys: str) -> None:
        """Set ``all``, the group's ``all`` and ``keys`` of ``type_``'s group to ``stamp``."""
        group = self.groups[GROUP_OF[type_]]
        self.all = stamp
        group["all"] = stamp
        for key in keys:
            if key in group:
                group[key] = stamp

    def snapshot(self) -> dict[str, Any]:
        """JSON shape of §5, seconds precision with ``Z``."""
        body: dict[str, Any] = {"all": iso_seconds(self.all)}
        body["settings"] = {"all": iso_seconds(self.settings_all)}
        for group in ("tv_shows", "anime", "movies"):
            body[group] = {k: iso_seconds(v) for k, v in self.groups[group].items()}
        return body


def _default_settings(account: dict[str, Any]) -> dict[str, Any]:
    info = account.get("account") or {}
    user = {
        "name": str(info.get("name", "sandbox_user")),
        "joined_at": "2018-06-12T14:23:08.000Z",
        "gender": "",
        "avatar": "https://simkl.in/avatars/sandbox/user_100.jpg",
        "bio": "",
        "loc": "",
        "age": "",
    }
    user.update(account.get("user") or {})
    acct = {
        "id": int(info.get("id", 1)),
        "timezone": str(info.get("timezone", "UTC")),
        "type": str(info.get("type", "free")),
    }
    return {"user": user, "account": acct, "connections": {"facebook": False}}


class AccountModel:
    """The signed-in user's library and ratings, plus the rules Simkl applies to them."""

    def __init__(self, account: dict[str, Any] | None = None) -> None:
        account = account or {}
        self.lock = threading.RLock()
        self.settings = _default_settings(account)
        self.items: dict[str, dict[int, Item]] = {t: {} for t in TYPES}
        catalog = account.get("catalog") or {}
        for type_ in TYPES:
            for data in account.get(type_) or []:
                self._load(Item.from_dict(type_, data))
            for data in catalog.get(type_) or []:
                self._load(Item.from_dict(type_, data, listed=False))
        self.activities = Activities(utcnow())

    def __deepcopy__(self, memo: dict[int, Any]) -> AccountModel:
        """Everything (activities' timestamps included) but the lock, which is made anew: a
        test can keep an account's exact state and put it back later."""
        twin = AccountModel.__new__(AccountModel)
        with self.lock:
            for name, value in vars(self).items():
                if name != "lock":
                    setattr(twin, name, copy.deepcopy(value, memo))
        twin.lock = threading.RLock()
        return twin

    def _load(self, item: Item) -> None:
        if item.simkl in self.items[item.type]:
            raise ValueError(f"duplicate simkl id {item.simkl} in {item.type}")
        self.items[item.type][item.simkl] = item

    def get(self, type_: str, simkl_id: int) -> Item:
        """The item or KeyError, so tests mutating an unknown id fail loudly."""
        try:
            return self.items[check_type(type_)][int(simkl_id)]
        except KeyError:
            raise KeyError(f"no {type_} item with simkl id {simkl_id}") from None

    # -- reads -------------------------------------------------------------------------------

    def activities_snapshot(self) -> dict[str, Any]:
        """Current ``/sync/activities`` body."""
        with self.lock:
            return self.activities.snapshot()

    def ratings(
        self, type_word: str | None, rating_segment: str | None, date_from: str | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """``/sync/ratings/{type}/{rating}`` with the documented silent fallbacks (§6).

        Unknown type word -> all types; missing/non-digit rating -> whole library incl. unrated
        rows; out-of-range numbers never match. Empty type keys are omitted, so an empty result
        is ``{}`` (the HTTP layer may turn that into ``null``).
        """
        wanted = _rating_filter(rating_segment)
        since = _lenient_date(date_from)
        types = (type_word,) if type_word in TYPES else TYPES
        with self.lock:
            result = {}
            for type_ in types:
                rows = [
                    item.to_row()
                    for item in self.items[type_].values()
                    if item.listed and _matches(item, wanted, since)
                ]
                if rows:
                    result[type_] = rows
            return result

    # -- test mutators -----------------------------------------------------------------------

    def set_rating(
        self, type_: str, simkl_id: int, rating: int, *, rated_at: Any = None
    ) -> dict[str, Any]:
        """Rate like a user on simkl.com would; only real ratings 1..10 are accepted."""
        if not is_valid_rating(rating):
            raise ValueError(f"rating must be an int 1..10, got {rating!r}; see set_raw_rating")
        return self._store(type_, simkl_id, rating, rated_at, raw=False)

    def set_raw_rating(
        self, type_: str, simkl_id: int, value: Any, *, rated_at: Any = None
    ) -> dict[str, Any]:
        """Store any value (0, 11, "8", 7.5, None) so client tests can meet a misbehaving API.

        The row then appears in every rating-filtered pull (even ``None``, with a non-null
        ``user_rated_at``), because the point is that the client under test receives it.
        """
        return self._store(type_, simkl_id, value, rated_at, raw=not is_valid_rating(value))

    def _store(self, type_: str, simkl_id: int, value: Any, rated_at: Any, *, raw: bool) -> dict:
        with self.lock:
            item = self.get(type_, simkl_id)
            stamp = self.activities.tick()
            keys = self._auto_file(item)
            item.user_rating = value
            item.user_rated_at = parse_iso(rated_at) or stamp
            item.raw = raw
            self.activities.touch(stamp, item.type, "rated_at", *keys)
            return item.to_row()

    def remove_rating(self, type_: str, simkl_id: int) -> None:
        """Un-rate: the item stays in its list, its rating fields become null (§9)."""
        with self.lock:
            item = self.get(type_, simkl_id)
            item.user_rating, item.user_rated_at, item.raw = None, None, False
            self.activities.touch(self.activities.tick(), item.type, "rated_at")

    def add_item(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """Put a title into the library (replacing an unlisted catalog entry with the same id)."""
        with self.lock:
            item = Item.from_dict(check_type(type_), data)
            old = self.items[type_].get(item.simkl)
            if old is not None and old.listed:
                raise ValueError(f"{type_} {item.simkl} is already in the library")
            stamp = self.activities.tick()
            self.items[type_][item.simkl] = item
            keys = [item.status] + (["rated_at"] if item.rated else [])
            self.activities.touch(stamp, type_, *keys)
            return item.to_row()

    def remove_from_list(self, type_: str, simkl_id: int) -> None:
        """Delete from the library; Simkl drops the rating with it (§10). Bumps removed_from_list.

        The item remains known (unlisted) so a later rating can auto-file it again.
        """
        with self.lock:
            item = self.get(type_, simkl_id)
            item.listed = False
            item.user_rating, item.user_rated_at, item.raw = None, None, False
            self.activities.touch(self.activities.tick(), item.type, "removed_from_list")

    # -- writes (POST /sync/ratings, /sync/ratings/remove) -----------------------------------

    def post_ratings(self, body: Any) -> dict[str, Any]:
        """``POST /sync/ratings`` (§8): resolve, validate 1..10, auto-file, count per bucket."""
        added: dict[str, Any] = {"movies": 0, "shows": 0, "statuses": []}
        not_found: dict[str, list[Any]] = {"movies": [], "shows": []}
        indexes: dict[str, dict] = {}
        with self.lock:
            stamp = self.activities.tick()
            touched: dict[str, set[str]] = {}
            for bucket, entry in _entries(body):
                out = "movies" if bucket == "movies" else "shows"
                item = self._resolve(bucket, entry, indexes)
                rating = entry.get("rating") if isinstance(entry, dict) else None
                if item is None or not is_valid_rating(rating):
                    not_found[out].append(entry)
                    continue
                keys = touched.setdefault(item.type, {"rated_at"})
                keys.update(self._auto_file(item))
                item.user_rating, item.raw = rating, False
                item.user_rated_at = _lenient_date(entry.get("rated_at")) or stamp
                added[out] += 1
                added["statuses"].append({"request": entry, "response": {"status": item.status}})
            for type_, keys in touched.items():
                self.activities.touch(stamp, type_, *sorted(keys))
        return {"added": added, "not_found": not_found}

    def post_remove(self, body: Any) -> dict[str, Any]:
        """``POST /sync/ratings/remove`` (§9): counts matched items, idempotent, keeps listing."""
        deleted = {"movies": 0, "shows": 0}
        not_found: dict[str, list[Any]] = {"movies": [], "shows": []}
        indexes: dict[str, dict] = {}
        with self.lock:
            stamp = self.activities.tick()
            touched: set[str] = set()
            for bucket, entry in _entries(body):
                out = "movies" if bucket == "movies" else "shows"
                item = self._resolve(bucket, entry, indexes)
                if item is None:
                    not_found[out].append(entry)
                    continue
                item.user_rating, item.user_rated_at, item.raw = None, None, False
                deleted[out] += 1
                touched.add(item.type)
            for type_ in touched:
                self.activities.touch(stamp, type_, "rated_at")
        return {"deleted": deleted, "not_found": not_found}

    def _auto_file(self, item: Item) -> list[str]:
        """Rating an unlisted title files it (§5): movies completed, shows/anime watching."""
        if item.listed:
            return []
        item.listed = True
        item.status = "completed" if item.type == "movies" else "watching"
        return [item.status]

    def _resolve(self, bucket: str, entry: Any, indexes: dict[str, dict]) -> Item | None:
        """First id (in priority order) that matches an item in the bucket's pools wins.
        `indexes` holds each bucket's id index for one request (built on first use)."""
        if not isinstance(entry, dict):
            return None
        ids = entry.get("ids") if isinstance(entry.get("ids"), dict) else {}
        pools = [self.items[t].values() for t in WRITE_POOLS[bucket]]
        if bucket not in indexes:
            indexes[bucket] = _id_index(pools)
        for key in ID_PRIORITY:
            if ids.get(key) in (None, ""):
                continue
            item = indexes[bucket].get((key, str(ids[key]).strip()))
            if item is not None:
                return item
        return self._resolve_title(pools, entry)

    @staticmethod
    def _resolve_title(pools: list[Any], entry: dict[str, Any]) -> Item | None:
        """Last resort of Simkl's resolution order: exact title (case-insensitive) + year."""
        title = str(entry.get("title") or "").strip().casefold()
        if not title:
            return None
        for pool in pools:
            for item in pool:
                if item.title.casefold() == title and item.year == entry.get("year"):
                    return item
        return None


def _id_index(pools: list[Any]) -> dict[tuple[str, str], Item]:
    """(id key, value) -> the first item holding it, pools in order: what a scan would find."""
    index: dict[tuple[str, str], Item] = {}
    for pool in pools:
        for item in pool:
            index.setdefault(("simkl", str(item.simkl)), item)
            for key, value in item.ids.items():
                index.setdefault((key, value), item)
    return index


def _rating_filter(segment: str | None) -> frozenset[int] | None:
    """None means "no filter" (segment missing or not a digit CSV, e.g. ``all``)."""
    if not segment or not DIGIT_CSV.fullmatch(segment):
        return None
    return frozenset(int(part) for part in segment.split(","))


def _lenient_date(value: Any) -> datetime | None:
    """Simkl never answers 400 here; an unparseable date is ignored rather than rejected."""
    try:
        return parse_iso(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _matches(item: Item, wanted: frozenset[int] | None, since: datetime | None) -> bool:
    if since is not None and (item.user_rated_at is None or item.user_rated_at < since):
        return False
    if wanted is None:
        return True
    if item.raw:
        # Injected garbage must reach the client under test, so it passes any real filter.
        return bool(wanted & VALID_RATINGS)
    return item.user_rating in wanted


def _entries(body: Any) -> list[tuple[str, Any]]:
    """Flatten ``{"movies": [...], "shows": [...], "anime": [...]}``; other keys are ignored."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    pairs = []
    for bucket in TYPES:
        entries = body.get(bucket) or []
        if not isinstance(entries, list):
            raise ValueError(f"{bucket} must be a list")
        pairs.extend((bucket, entry) for entry in entries)
    return pairs
