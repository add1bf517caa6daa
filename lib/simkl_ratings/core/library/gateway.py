"""The Kodi video library as the engine sees it: rated items in, userrating writes out.

Reads are one paged call per kind (never per show); writes are JSON-RPC batches whose every
element is checked. Items Kodi returns with unusable data are skipped and counted, never fatal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..ids import normalise_ids
from ..media import KodiKind
from ..rating import Rating
from .jsonrpc import JsonRpc, JsonRpcError

LOG = logging.getLogger(__name__)

PROPERTIES = ("title", "year", "uniqueid", "userrating", "imdbnumber")
DEFAULT_PAGE_SIZE = 2000
LIGHT_PAGE_SIZE = 20000  # rows of three small fields: one page for most libraries
RATED = {"field": "userrating", "operator": "greaterthan", "value": "0"}


@dataclass(frozen=True)
class LibraryItem:
    """A movie or TV show in Kodi with what matching and planning need."""

    kind: KodiKind
    kodi_id: int
    title: str
    year: int | None
    userrating: Rating | None
    ids: Mapping[str, str]

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind.name, self.kodi_id)


CLEAR = 0  # Kodi stores 0 as "no rating"; sent only to clear a rating this add-on wrote


@dataclass(frozen=True)
class RatingWrite:
    """Set one item's userrating to a `Rating` (1..10), or clear it when `rating` is None.

    Nothing else can be sent: Kodi silently clears a rating for 0, 11 or -1, so a clear is
    always this explicit, deliberate form.
    """

    item: LibraryItem
    rating: Rating | None

    @property
    def value(self) -> int:
        return self.rating.value if self.rating is not None else CLEAR

    def call(self) -> tuple[str, dict[str, Any]]:
        kind = self.item.kind
        return kind.set_method, {kind.id_field: self.item.kodi_id, "userrating": self.value}


@dataclass
class LibraryRead:
    items: list[LibraryItem] = field(default_factory=list)
    skipped: int = 0


@dataclass
class WriteResult:
    """What a write did, filled in batch by batch: when a batch raises (the connection
    dropped), every batch before it is here, and `in_flight` holds the one whose answer never
    came (Kodi may or may not have applied it)."""

    applied: list[RatingWrite] = field(default_factory=list)
    failed: list[tuple[RatingWrite, JsonRpcError]] = field(default_factory=list)
    cancelled: bool = False
    in_flight: list[RatingWrite] = field(default_factory=list)


# on_batch(done, total) -> True to stop (cancel/abort) before the next batch.
BatchCallback = Callable[[int, int], bool]


def _item_from(kind: KodiKind, raw: Any) -> LibraryItem | None:
    if not isinstance(raw, Mapping):
        return None
    kodi_id = raw.get(kind.id_field)
    if isinstance(kodi_id, bool) or not isinstance(kodi_id, int) or kodi_id <= 0:
        return None
    uniqueid = raw.get("uniqueid") if isinstance(raw.get("uniqueid"), Mapping) else {}
    ids = normalise_ids(uniqueid)
    # `imdbnumber` is the default unique id, an IMDb id only when it looks like one.
    for key, value in normalise_ids({"imdb": raw.get("imdbnumber")}).items():
        ids.setdefault(key, value)
    year = raw.get("year")
    return LibraryItem(
        kind=kind,
        kodi_id=kodi_id,
        title=raw.get("title") if isinstance(raw.get("title"), str) else "",
        year=year if isinstance(year, int) and not isinstance(year, bool) and year > 0 else None,
        userrating=Rating.from_kodi(raw.get("userrating")),
        ids=ids,
    )


class KodiLibrary:
    """Reads and writes the Kodi video library through JSON-RPC."""

    def __init__(self, rpc: JsonRpc, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.rpc = rpc
        self.page_size = max(1, page_size)
        self.writes_sent = 0

    def _pages(
        self,
        kind: KodiKind,
        properties: Sequence[str] = PROPERTIES,
        extra: Mapping[str, Any] | None = None,
        page_size: int | None = None,
    ) -> Iterator[list[Any]]:
        start, size = 0, page_size or self.page_size
        while True:
            result = self.rpc.call(
                kind.list_method,
                {
                    "properties": list(properties),
                    "limits": {"start": start, "end": start + size},
                    "sort": {"method": "none"},
                    **(extra or {}),
                },
            )
            if not isinstance(result, Mapping):
                raise JsonRpcError(kind.list_method, None, "reply is not an object")
            page = result.get(kind.list_key) or []
            if not isinstance(page, list):
                raise JsonRpcError(kind.list_method, None, f"'{kind.list_key}' is not a list")
            yield page
            limits = result.get("limits") if isinstance(result.get("limits"), Mapping) else {}
            total = limits.get("total")
            start += len(page)
            if not page or not isinstance(total, int) or start >= total:
                return

    def read(self, kind: KodiKind) -> LibraryRead:
        """Every item of one kind, in pages; duplicates across pages are dropped."""
        read = LibraryRead()
        seen = set()
        for page in self._pages(kind):
            for raw in page:
                item = _item_from(kind, raw)
                if item is None:
                    read.skipped += 1
                elif item.kodi_id not in seen:
                    seen.add(item.kodi_id)
                    read.items.append(item)
        if read.skipped:
            LOG.warning("%d %s entries from Kodi were unusable", read.skipped, kind.name)
        return read

    def read_values(self, kind: KodiKind) -> dict[str, int]:
        """Only the rated items' ratings ("movie:12" -> 1..10; an item missing is unrated), for
        the cheap two-way check of a run where nothing moved on Simkl. Kodi filters them, and
        the small rows come in large pages."""
        values: dict[str, int] = {}
        pages = self._pages(kind, ("userrating",), {"filter": RATED}, LIGHT_PAGE_SIZE)
        for page in pages:
            for raw in page:
                kodi_id = raw.get(kind.id_field) if isinstance(raw, Mapping) else None
                if isinstance(kodi_id, int) and not isinstance(kodi_id, bool) and kodi_id > 0:
                    rating = Rating.from_kodi(raw.get("userrating"))
                    values[f"{kind.name}:{kodi_id}"] = rating.value if rating else 0
        return values

    def write(
        self,
        writes: Sequence[RatingWrite],
        *,
        batch_size: int,
        on_batch: BatchCallback | None = None,
        result: WriteResult | None = None,
    ) -> WriteResult:
        """Apply writes in batches; check each element; stop between batches when asked.

        A stop leaves every write already applied correct and the rest untouched, and says so
        in `cancelled`, so the report can count both. Pass `result` to keep what was applied
        when a batch raises.
        """
        result = result if result is not None else WriteResult()
        size = max(1, batch_size)
        for start in range(0, len(writes), size):
            if on_batch is not None and on_batch(start, len(writes)):
                result.cancelled = True
                return result
            chunk = writes[start : start + size]
            result.in_flight = list(chunk)
            replies = self.rpc.batch([write.call() for write in chunk])
            result.in_flight = []
            self.writes_sent += len(chunk)
            for write, reply in zip(chunk, replies):
                if isinstance(reply, JsonRpcError):
                    LOG.warning("Kodi refused a rating write: %s", reply)
                    result.failed.append((write, reply))
                else:
                    result.applied.append(write)
        if on_batch is not None:
            on_batch(len(writes), len(writes))
        return result
