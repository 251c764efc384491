"""HTTP request handling: the XML gateway, the REST API and the faults armed for either.

Each request is routed by path (the gateway's, the REST prefix or `/_emulator/`), the faults due
before and after it are applied, and the latency model holds the answer back.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from .admin import AdminError, EmulatorAdmin
from .rest_api import API_PREFIX, Request, RestApi
from .xmlout import Err, gateway_error

log = logging.getLogger(__name__)
GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
XML_TYPE = "text/xml; charset=UTF-8"
MAX_BODY = 50 * 1024 * 1024
HTML_ERRORS = {
    "http_502": (502, "Bad Gateway"),
    "http_503": (503, "Service Unavailable"),
    "http_524": (524, "A Timeout Occurred"),
}
CONCURRENCY_MESSAGE = "There are too many operations running for this company (200024)."


def handler_for(emulator: EmulatorAdmin) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving `emulator`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "IntacctEmulator/1.0"
        # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
        # client's delayed ACK of the headers, about 40 ms on every keep-alive request.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("%s " + format, self.address_string(), *args)

        # -- plumbing -------------------------------------------------------------------------
        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise AdminError("request body too large", 413)
            return self.rfile.read(length) if length else b""

        def _send(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: Any) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        # -- routes ---------------------------------------------------------------------------
        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_DELETE(self) -> None:
            self._route("DELETE")

        def do_PATCH(self) -> None:
            self._route("PATCH")

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            try:
                if parts.path == GATEWAY_PATH:
                    body = self._body()
                    if method != "POST":
                        self._send(
                            405,
                            gateway_error("GW-0011", "Invalid Request: use POST"),
                            XML_TYPE,
                            {"Allow": "POST"},
                        )
                        return
                    self._gateway(body, "session" if parts.query else "initial")
                elif parts.path.startswith(API_PREFIX + "/"):
                    body = self._body()
                    self._rest(Request(method, parts.path, parts.query, self.headers, body))
                elif parts.path.startswith("/_emulator/"):
                    body = self._body()
                    self._json(200, emulator.route(method, parts.path, body))
                else:
                    self._body()
                    self._json(404, {"error": f"no route {parts.path}"})
            except AdminError as exc:
                self._json(exc.status, {"error": str(exc)})
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception:  # a bug must not kill the connection silently
                log.exception("request %s %s failed", method, parts.path)
                body = gateway_error("XL03000000", "Internal error of the emulator")
                self._send(500, body, XML_TYPE)

        def _gateway(self, body: bytes, endpoint: str) -> None:
            arrived = time.perf_counter()
            gateway = emulator.gateway
            prepared = gateway.prepare(body)
            emulator.stats.count(prepared.functions, prepared.company, endpoint)
            fired = emulator.faults.take(prepared.functions, prepared.company)
            limit = emulator.faults.enter(prepared.functions, prepared.company)
            try:
                if limit is not None:  # held for `delay` seconds, then refused
                    emulator.stats.fault("concurrency")
                    time.sleep(limit.delay)
                    error = Err("XL03000012", "", CONCURRENCY_MESSAGE, "Please try again later.")
                    refusal = gateway.control_failure(prepared, [error])
                    self._send(200, gateway.finish(prepared, refusal), XML_TYPE)
                    return
                if self._apply(fired, "before", prepared):
                    return
                started = time.perf_counter()
                response = gateway.finish(prepared, gateway.execute(prepared))
                elapsed = f"{(time.perf_counter() - started) * 1000:.1f}"
                # the latency model: the answer waits, counted among the running requests
                wait = emulator.config.latency.seconds(prepared) - (time.perf_counter() - arrived)
                if wait > 0:
                    time.sleep(wait)
                if self._apply(fired, "after", prepared):
                    return
                self._send(200, response, XML_TYPE, {"X-Emulator-Time-Ms": elapsed})
            finally:
                emulator.faults.leave(prepared.company)

        def _rest(self, request: Request) -> None:
            """A REST request, with the faults armed for its operation (`rest.query`, ...)."""
            operation = RestApi.operation(request.method, request.path)
            company = emulator.rest.company_of(request)
            emulator.stats.count([operation], company, "rest")
            fired = emulator.faults.take([operation], company)
            if self._rest_faults(fired, "before", company):
                return
            arrived = time.perf_counter()
            emulator.rest.work_done()
            status, headers, body = emulator.rest.handle(request)
            rows, records = emulator.rest.work_done()
            latency = emulator.config.latency  # as the gateway's: per request, row and record
            wait = latency.base + latency.per_row * rows + latency.per_record * records
            time.sleep(max(0.0, wait - (time.perf_counter() - arrived)))
            if self._rest_faults(fired, "after", company):
                return
            content_type = headers.pop("Content-Type", "application/json")
            emulator.rest.record(request, status, content_type, body)
            self._send(status, body, content_type, headers)

        def _rest_faults(self, fired: list[Any], when: str, company: str | None) -> bool:
            """REST faults: 429 with Retry-After and a GW-0010 body, expired access tokens."""

            def specific(fault: Any) -> bool:
                if fault.kind == "token_expiry":
                    emulator.rest.tokens.expire(company)
                elif fault.kind == "http_429":
                    error = {"code": "GW-0010", "message": "Rate limit exceeded"}
                    body = json.dumps({"ia::result": {"ia::error": error}}).encode()
                    retry = str(max(1, round(fault.delay)))
                    headers = {"Retry-After": retry, "X-IA-Throttle-Limit-RetryAfter": retry}
                    self._send(429, body, "application/json", headers)
                    return True
                return False

            return self._faults(fired, when, specific)

        def _apply(self, fired: list[Any], when: str, prepared: Any) -> bool:
            """Run the gateway faults due at `when`; True when the response was replaced."""

            def specific(fault: Any) -> bool:
                if fault.kind == "session_expiry":
                    emulator.gateway.expire_sessions(
                        sessionid=prepared.sessionid,
                        company=None if prepared.sessionid else prepared.company,
                    )
                elif fault.kind == "resultid_expiry":
                    emulator.gateway.cursors.expire(prepared.company)
                elif fault.kind == "http_429":
                    time.sleep(fault.delay)
                    text = (
                        "Too many requests: the API rate limit was exceeded. [Request ID: emulator]"
                    )
                    self._send(429, gateway_error("GW-0010", text), XML_TYPE, {"Retry-After": "1"})
                    return True
                return False

            return self._faults(fired, when, specific)

        def _faults(self, fired: list[Any], when: str, specific: Any) -> bool:
            """The faults due at `when`: slow, drops and HTML pages here, the rest `specific`."""
            for fault in fired:
                if fault.when != when:
                    continue
                emulator.stats.fault(fault.kind)
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                elif fault.kind == "drop_connection":
                    self._drop()
                    return True
                elif fault.kind in HTML_ERRORS:
                    time.sleep(fault.delay)
                    status, reason = HTML_ERRORS[fault.kind]
                    page = (
                        f"<html><head><title>{status} {reason}</title></head><body>"
                        f"<h1>Error {status}</h1><p>{reason}</p></body></html>"
                    ).encode()
                    self._send(status, page, "text/html; charset=UTF-8")
                    return True
                elif specific(fault):
                    return True
            return False

    return Handler
