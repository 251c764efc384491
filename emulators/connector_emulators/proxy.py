"""A forwarding proxy in front of an emulator, for tests that watch or change its answers.

Clients are pointed at the proxy; it forwards every request to the upstream server and hands each
answer's body to `answer` (a subclass records it, or rewrites it) before passing it on. The
upstream's address in answers (the Intacct session endpoint) is replaced by the proxy's, so
clients stay behind it. With `tls`, the proxy serves HTTPS with the given certificate.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from connector_emulators.tls import serve_https


class ForwardingProxy:
    """Forwards GET, POST, PUT, PATCH and DELETE; `answer` sees (and may change) each body."""

    def __init__(self, upstream: str, tls: tuple[Path, Path] | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        target = urlsplit(self.upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:
                self.forward("GET")

            def do_POST(self) -> None:
                self.forward("POST")

            def do_PUT(self) -> None:
                self.forward("PUT")

            def do_PATCH(self) -> None:
                self.forward("PATCH")

            def do_DELETE(self) -> None:
                self.forward("DELETE")

            def forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                connection = http.client.HTTPConnection(
                    target.hostname or "127.0.0.1", target.port, timeout=60
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = target.netloc
                connection.request(method, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                payload = answer.read().replace(proxy.upstream.encode(), proxy.url.encode())
                connection.close()
                payload = proxy.answer(method, self.path, payload)
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls is not None:
            serve_https(self.server, tls)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, method: str, path: str, payload: bytes) -> bytes:
        """The body passed on to the client for a request's answer: unchanged here."""
        return payload

    def __enter__(self) -> Self:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
