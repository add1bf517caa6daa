"""The fake Kodi library served like Kodi's web server: `POST /jsonrpc` on 127.0.0.1 with HTTP
basic auth (401 for a wrong user or password, as Kodi answers), for the command-line runner's
tests. `XBMC.GetInfoBooleans` answers `Library.IsScanningVideo` from `scans_left`;
`XBMC.GetInfoLabels` answers window properties from `properties` and "" for any other label,
as Kodi does for a property nobody set."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .fake_kodi_rpc import FakeKodiLibrary


class FakeKodiWebServer:
    def __init__(self, library: FakeKodiLibrary, user: str = "kodi", password: str = "") -> None:
        self.library = library
        self.user = user
        self.password = password
        self.scans_left = 0  # IsScanningVideo answers true this many times
        self.properties: dict[str, str] = {}  # Home window properties (the add-on's service)
        self.auth_failures = 0
        self.posts = 0
        # After this many batches Kodi applies a batch but its answer never arrives: the
        # connection drops (the runner's Wi-Fi, Kodi quitting mid-run).
        self.drop_replies_after: int | None = None
        self.batches = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"

    def answer(self, request: Any) -> Any:
        if isinstance(request, dict) and request.get("method") == "XBMC.GetInfoBooleans":
            scanning = self.scans_left > 0
            self.scans_left = max(0, self.scans_left - 1)
            return {
                "id": request.get("id"),
                "jsonrpc": "2.0",
                "result": {"Library.IsScanningVideo": scanning},
            }
        if isinstance(request, dict) and request.get("method") == "XBMC.GetInfoLabels":
            labels = (request.get("params") or {}).get("labels") or []
            prefix, suffix = "Window(Home).Property(", ")"
            result = {
                label: self.properties.get(label[len(prefix) : -len(suffix)], "")
                if label.startswith(prefix) and label.endswith(suffix)
                else ""
                for label in labels
            }
            return {"id": request.get("id"), "jsonrpc": "2.0", "result": result}
        return self.library.handle(request)

    def start(self) -> FakeKodiWebServer:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                web.posts += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/jsonrpc":
                    self._send(404, b"not found")
                    return
                if not web.authorised(self.headers.get("Authorization")):
                    web.auth_failures += 1
                    self._send(401, b"401 Unauthorized")
                    return
                request = json.loads(body)
                reply = web.answer(request)
                if isinstance(request, list):
                    web.batches += 1
                    if web.drop_replies_after is not None and web.batches > web.drop_replies_after:
                        self.close_connection = True  # applied, but no answer: the line drops
                        return
                self._send(200, json.dumps(reply).encode(), "application/json")

            def _send(self, status: int, data: bytes, kind: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeKodiWebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
