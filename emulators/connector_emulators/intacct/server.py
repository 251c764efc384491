"""The emulator: its parts (store, gateway, REST API, faults, stats) and its HTTP server.

Requests are handled in `handler`, the `/_emulator/` admin API in `admin`.
`serve_in_thread` starts an emulator for tests on 127.0.0.1 (port 0 picks a free port).
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from dataclasses import replace
from http.server import ThreadingHTTPServer
from typing import Any

from . import rest_bulk
from .admin import AdminError, EmulatorAdmin
from .faults import Faults, Stats
from .gateway import Clock, Config, Gateway, Latency
from .handler import GATEWAY_PATH, handler_for
from .rest_api import RestApi
from .seed import seed
from .store import Store

__all__ = ["AdminError", "IntacctEmulator", "serve_in_thread"]


class IntacctEmulator(EmulatorAdmin):
    """One running emulator: store, gateway, faults, stats and the HTTP server."""

    def __init__(
        self,
        port: int = 0,
        *,
        db_path: str | None = None,
        seed_kind: str | None = "demo",
        records: int = 0,
        session_timeout: float = 3600.0,
        resultid_ttl: float = 1800.0,
        journal_lines: int = 0,
        latency: Latency | None = None,
    ) -> None:
        self.store = Store(db_path)
        self.clock = Clock()
        self.defaults = Config(session_timeout, resultid_ttl, latency or Latency())
        self.config = Config(session_timeout, resultid_ttl, replace(self.defaults.latency))
        self.gateway = Gateway(self.store, self.clock, self.config)
        self.faults = Faults()
        self.stats = Stats()
        self.rest = RestApi(self.store, self.clock.now)
        rest_bulk.install(self.rest, lambda: self.config.latency.per_record)
        if self.store.is_empty():  # a database file is served as it is
            seed(self.store, seed_kind, records, journal_lines)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.url = self.base_url + GATEWAY_PATH
        self.gateway.endpoint = self.url + "?s=1"
        self.thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> IntacctEmulator:
        self.thread = threading.Thread(
            target=self.serve_forever, name="intacct-emulator", daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> IntacctEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test helper ----------------------------------------------------------------------------
    def admin(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        """Call an admin route over HTTP and return its JSON (raises on HTTP errors)."""
        import json as json_module

        data = None if json is None else json_module.dumps(json).encode()
        request = urllib.request.Request(  # noqa: S310 - our own 127.0.0.1 URL
            self.base_url + path,
            data=data,
            method=method.upper(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return json_module.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise AdminError(exc.read().decode(errors="replace"), exc.code) from exc


def serve_in_thread(
    port: int = 0,
    *,
    db_path: str | None = None,
    seed: str | None = "demo",
    records: int = 0,
    session_timeout: float = 3600.0,
    resultid_ttl: float = 1800.0,
    latency: Latency | None = None,
) -> IntacctEmulator:
    """Start an emulator on 127.0.0.1 in a daemon thread (for tests)."""
    emulator = IntacctEmulator(
        port,
        db_path=db_path,
        seed_kind=seed,
        records=records,
        session_timeout=session_timeout,
        resultid_ttl=resultid_ttl,
        latency=latency,
    )
    return emulator.start()
