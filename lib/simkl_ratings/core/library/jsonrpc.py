"""A small JSON-RPC 2.0 client over an injected transport.

The transport is any callable that takes one request object (or a list of them, a batch) and
returns the parsed reply. Inside Kodi it wraps `xbmc.executeJSONRPC`; in tests it is a fake
Kodi or HTTP to a real one. Every reply, and every element of a batch reply, is checked for
`error`; nothing is silently dropped.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Mapping, Sequence, Tuple

from ..errors import SyncError

Transport = Callable[[Any], Any]
Call = Tuple[str, Mapping[str, Any]]


class JsonRpcError(SyncError):
    """Kodi answered a call with an error (or with nothing we can read)."""

    code = "kodi"

    def __init__(
        self, method: str, rpc_code: int | None, message: str, detail: str | None = None
    ) -> None:
        text = f"{method}: {message}" + (f" ({detail})" if detail else "")
        super().__init__(text)
        self.method = method
        self.rpc_code = rpc_code
        self.rpc_message = message
        self.detail = detail


def _error_from(method: str, reply: Any) -> JsonRpcError:
    if not isinstance(reply, Mapping):
        return JsonRpcError(method, None, "no reply")
    error = reply.get("error")
    if not isinstance(error, Mapping):
        return JsonRpcError(method, None, "reply without result")
    detail = None
    data = error.get("data")
    if isinstance(data, Mapping):
        stack = data.get("stack")
        if isinstance(stack, Mapping) and isinstance(stack.get("message"), str):
            detail = stack["message"]
    code = error.get("code")
    return JsonRpcError(
        method, code if isinstance(code, int) else None, str(error.get("message", "")), detail
    )


class JsonRpc:
    """Calls and batches; counts what it sends so reports can say what a run cost."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._ids = itertools.count(1)
        self.requests_sent = 0
        self.calls_sent = 0

    def _request(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": dict(params)}

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """One call; its `result`, or JsonRpcError."""
        request = self._request(method, params or {})
        self.requests_sent += 1
        self.calls_sent += 1
        reply = self._transport(request)
        if isinstance(reply, Mapping) and "result" in reply and "error" not in reply:
            return reply["result"]
        raise _error_from(method, reply)

    def batch(self, calls: Sequence[Call]) -> list[Any | JsonRpcError]:
        """Many calls in one round trip; each element's result or its JsonRpcError, in order."""
        if not calls:
            return []
        requests = [self._request(method, params) for method, params in calls]
        self.requests_sent += 1
        self.calls_sent += len(requests)
        reply = self._transport(requests)
        by_id: dict[Any, Any] = {}
        if isinstance(reply, list):
            by_id = {item.get("id"): item for item in reply if isinstance(item, Mapping)}
        elif isinstance(reply, Mapping):  # Kodi answers a refused batch with one error object
            error = _error_from(calls[0][0], reply)
            return [error for _ in calls]
        results: list[Any | JsonRpcError] = []
        for request in requests:
            item = by_id.get(request["id"])
            if isinstance(item, Mapping) and "result" in item and "error" not in item:
                results.append(item["result"])
            else:
                results.append(_error_from(request["method"], item))
        return results
