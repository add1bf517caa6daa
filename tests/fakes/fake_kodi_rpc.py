"""An in-memory Kodi video library that answers JSON-RPC like Kodi 20.1 does.

Behaviour copied from observations of the real thing (kodi-headless.md §9-10): batches answer
element by element; `limits` pages with an exclusive `end` and echo `total`; unknown ids and
wrong types give -32602; a userrating of 0 or out of range 1..10 clears the rating and still
answers "OK"; `null` leaves it unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

from simkl_ratings.core.library.jsonrpc import JsonRpcError

INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601
INVALID_REQUEST = -32600

_KINDS = {
    "VideoLibrary.GetMovies": ("movies", "movieid"),
    "VideoLibrary.GetTVShows": ("tvshows", "tvshowid"),
}
_SETTERS = {
    "VideoLibrary.SetMovieDetails": ("movies", "movieid"),
    "VideoLibrary.SetTVShowDetails": ("tvshows", "tvshowid"),
}
_GETTERS = {
    "VideoLibrary.GetMovieDetails": ("movies", "movieid", "moviedetails"),
    "VideoLibrary.GetTVShowDetails": ("tvshows", "tvshowid", "tvshowdetails"),
}
_FIELDS = {"title", "year", "uniqueid", "userrating", "imdbnumber", "file", "premiered"}


class RpcFault(Exception):
    def __init__(self, code: int, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


class ConnectionLost(JsonRpcError):
    """What the transport raises when the connection drops mid-run."""

    code = "kodi_unreachable"

    def __init__(self, message: str) -> None:
        super().__init__("JSON-RPC", None, message)


class FakeKodiLibrary:
    """Holds movies and TV shows; `handle` is the JSON-RPC transport."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, dict[str, Any]]] = {"movies": {}, "tvshows": {}}
        self.requests: list[Any] = []  # every request or batch received, as sent
        self.write_calls = 0
        self.fail_ids: dict[str, set] = {"movies": set(), "tvshows": set()}
        # After this many batches the transport fails as a dropped connection does (the
        # runner's Wi-Fi, Kodi quitting): the request raises instead of answering.
        self.fail_batches_after: int | None = None
        self.batches = 0

    # -- building the library ------------------------------------------------------------------

    def add(self, table: str, title: str, year: int, uniqueid: dict[str, str], **extra: Any) -> int:
        new_id = len(self.tables[table]) + 1
        default = next(iter(uniqueid.values()), "")
        self.tables[table][new_id] = {
            "title": title,
            "year": year,
            "uniqueid": dict(uniqueid),
            "userrating": 0,
            "imdbnumber": extra.pop("imdbnumber", default),
            **extra,
        }
        return new_id

    def add_movie(self, title: str, year: int, **uniqueid: str) -> int:
        return self.add("movies", title, year, uniqueid)

    def add_tvshow(self, title: str, year: int, **uniqueid: str) -> int:
        return self.add("tvshows", title, year, uniqueid)

    def rating(self, table: str, item_id: int) -> int:
        return self.tables[table][item_id]["userrating"]

    # -- the transport ----------------------------------------------------------------------------

    def handle(self, request: Any) -> Any:
        self.requests.append(copy.deepcopy(request))
        if isinstance(request, list):
            self.batches += 1
            if self.fail_batches_after is not None and self.batches > self.fail_batches_after:
                raise ConnectionLost("the connection to Kodi dropped")
            if not request:
                return self._error(None, INVALID_REQUEST, "Invalid request.")
            return [self._one(item) for item in request if isinstance(item, dict) and "id" in item]
        return self._one(request)

    def _one(self, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0":
            return self._error(None, INVALID_REQUEST, "Invalid request.")
        req_id = request.get("id")
        method = request.get("method")
        params = request.get("params") or {}
        try:
            result = self._dispatch(method, params)
        except RpcFault as fault:
            return self._error(req_id, fault.code, fault.message, fault.detail)
        return {"id": req_id, "jsonrpc": "2.0", "result": result}

    @staticmethod
    def _error(req_id: Any, code: int, message: str, detail: str | None = None) -> dict:
        error: dict[str, Any] = {"code": code, "message": message}
        if detail:
            error["data"] = {"stack": {"message": detail}}
        return {"id": req_id, "jsonrpc": "2.0", "error": error}

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method in _KINDS:
            return self._list(*_KINDS[method], params)
        if method in _SETTERS:
            return self._set(*_SETTERS[method], params)
        if method in _GETTERS:
            return self._details(*_GETTERS[method], params)
        if method == "JSONRPC.Ping":
            return "pong"
        raise RpcFault(METHOD_NOT_FOUND, "Method not found.")

    def _list(self, table: str, id_field: str, params: dict[str, Any]) -> dict[str, Any]:
        properties = params.get("properties", [])
        unknown = [p for p in properties if p not in _FIELDS]
        if unknown:
            raise RpcFault(INVALID_PARAMS, "Invalid params.", f"unknown property {unknown[0]}")
        rows = [
            r for r in sorted(self.tables[table].items()) if _passes(params.get("filter"), r[1])
        ]
        total = len(rows)
        limits = params.get("limits") or {}
        start = limits.get("start", 0)
        end = limits.get("end", -1)
        if not isinstance(start, int) or start < 0:
            raise RpcFault(INVALID_PARAMS, "Invalid params.", "limits.start")
        if not isinstance(end, int) or end <= 0 or end > total:
            end = total
        page = rows[start:end] if start < total else []
        items = []
        for item_id, row in page:
            item = {id_field: item_id, "label": row["title"]}
            item.update({p: copy.deepcopy(row[p]) for p in properties if p in row})
            items.append(item)
        return {
            "limits": {"start": start, "end": end if start < total else start, "total": total},
            table: items,
        }

    def _target(self, table: str, id_field: str, params: dict[str, Any]) -> dict[str, Any]:
        if id_field not in params:
            raise RpcFault(INVALID_PARAMS, "Invalid params.", f"Missing parameter {id_field}")
        item_id = params[id_field]
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            raise RpcFault(INVALID_PARAMS, "Invalid params.", "Invalid type received")
        if item_id < 1:
            raise RpcFault(
                INVALID_PARAMS,
                "Invalid params.",
                f"Value between 1 (inclusive) and 2147483647 (inclusive) expected but {item_id} "
                "received",
            )
        if item_id not in self.tables[table] or item_id in self.fail_ids[table]:
            raise RpcFault(INVALID_PARAMS, "Invalid params.")
        return self.tables[table][item_id]

    def _set(self, table: str, id_field: str, params: dict[str, Any]) -> str:
        if "userrating" in params:
            value = params["userrating"]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise RpcFault(
                    INVALID_PARAMS,
                    "Invalid params.",
                    f"Invalid type {type(value).__name__} received",
                )
        row = self._target(table, id_field, params)
        self.write_calls += 1
        value = params.get("userrating")
        if value is not None:
            row["userrating"] = value if 0 < value < 11 else 0
        return "OK"

    def _details(self, table: str, id_field: str, key: str, params: dict[str, Any]) -> dict:
        row = self._target(table, id_field, params)
        props = params.get("properties", [])
        details = {id_field: params[id_field], "label": row["title"]}
        details.update({p: copy.deepcopy(row[p]) for p in props if p in row})
        return {key: details}


def _passes(rule: Any, row: dict[str, Any]) -> bool:
    """The one filter the add-on sends, as Kodi 20.1 applies it (values are strings there);
    anything else is refused like Kodi refuses an unknown field."""
    if rule is None:
        return True
    if not isinstance(rule, dict) or rule.get("field") != "userrating":
        raise RpcFault(INVALID_PARAMS, "Invalid params.", "filter")
    if rule.get("operator") != "greaterthan" or not isinstance(rule.get("value"), str):
        raise RpcFault(INVALID_PARAMS, "Invalid params.", "filter")
    return int(row.get("userrating") or 0) > int(rule["value"])
