"""HTTP server: the gateway endpoints, fault injection and the `/_emulator/` admin API.

`serve_in_thread` starts an emulator for tests on 127.0.0.1 (port 0 picks a free port).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfoNotFoundError

from . import conversion, rest_bulk
from .faults import Faults, Stats, parse_fault
from .gateway import Clock, Config, Gateway, Latency
from .objects import OBJECTS_BY_NAME, CustomField, ObjectDef
from .records import Ctx, FunctionError, Writer
from .rest_api import API_PREFIX, Request, RestApi
from .rest_auth import TOKEN_LIFETIME
from .rules import sync_gl_detail
from .seed import seed
from .store import Store
from .values import CLOCK, Formatting, check_dateformat, zone
from .xmlout import Err, gateway_error, text_converter

log = logging.getLogger(__name__)
GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
XML_TYPE = "text/xml; charset=UTF-8"
MAX_BODY = 50 * 1024 * 1024
HTML_ERRORS = {
    "http_502": (502, "Bad Gateway"),
    "http_503": (503, "Service Unavailable"),
    "http_524": (524, "A Timeout Occurred"),
}
LOCALE_RE = re.compile(r"[a-z]{2,3}_[A-Z]{2}")
CONCURRENCY_MESSAGE = "There are too many operations running for this company (200024)."


# admin `/config` names of the latency model's settings → `Latency` attributes
LATENCY_SETTINGS = {
    "latency_base": "base",
    "latency_per_row": "per_row",
    "latency_per_record": "per_record",
}


def latency_settings(latency: Latency) -> dict[str, float]:
    """The latency model as the admin `/config` route names its settings."""
    values = asdict(latency)
    return {name: values[attribute] for name, attribute in LATENCY_SETTINGS.items()}


class AdminError(Exception):
    """A bad admin request (HTTP 400/404 with a JSON error)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class IntacctEmulator:
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
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
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

    # -- admin operations -----------------------------------------------------------------------
    def reset(self, seed_kind: str | None, records: int, journal_lines: int = 0) -> None:
        with self.store.lock:
            seed(self.store, seed_kind, records, journal_lines)
        self.gateway.clear()
        self.rest.clear()
        self.faults.clear()
        self.stats.reset()
        self.clock.set(datetime.now(UTC), frozen=False)
        self.configure(
            {
                "session_timeout": self.defaults.session_timeout,
                "resultid_ttl": self.defaults.resultid_ttl,
                "token_lifetime": TOKEN_LIFETIME,
                **latency_settings(self.defaults.latency),
            }
        )

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Apply the admin `/config` settings given (all checked first), answer all of them."""
        known = {"session_timeout", "resultid_ttl", "token_lifetime", *LATENCY_SETTINGS}
        unknown = sorted(set(body) - known)
        if unknown:
            names = ", ".join(sorted(known))
            raise AdminError(f"unknown config setting {unknown[0]!r}; use {names}")
        values: dict[str, float] = {}
        for name, value in body.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise AdminError(f"config {name} must be a number of seconds, 0 or more")
            values[name] = float(value)
        if "session_timeout" in values:
            self.config.session_timeout = values["session_timeout"]
        if "resultid_ttl" in values:
            self.config.resultid_ttl = values["resultid_ttl"]
            self.gateway.cursors.ttl_seconds = values["resultid_ttl"]
        if "token_lifetime" in values:
            self.rest.tokens.lifetime = values["token_lifetime"]
        for name, attribute in LATENCY_SETTINGS.items():
            if name in values:
                setattr(self.config.latency, attribute, values[name])
        return {
            "session_timeout": self.config.session_timeout,
            "resultid_ttl": self.config.resultid_ttl,
            "token_lifetime": self.rest.tokens.lifetime,
            **latency_settings(self.config.latency),
        }

    def records(self, company: str, object_name: str) -> list[dict[str, str]]:
        obj = _object(object_name)
        with self.store.lock:
            settings = self.store.company(company)
            if settings is None:
                raise AdminError(f"unknown company {company}", 404)
            fields = self.store.fields(company, obj)
            rows = self.store.find(company, obj, "1", [])
        fmt = Formatting.of(settings)
        converters = [(f.name, text_converter(f, fmt)) for f in fields]
        return [
            {name: ("" if rec.get(name) is None else conv(rec[name])) for name, conv in converters}
            for rec in rows
        ]

    def touch(self, company: str, object_name: str, keys: list[Any]) -> list[int]:
        obj = _object(object_name)
        touched = []
        with self.store.transaction():
            settings = self.store.company(company)
            if settings is None:
                raise AdminError(f"unknown company {company}", 404)
            writer = Writer(
                Ctx(self.store, company, Formatting.of(settings), "admin", None, self.clock.now())
            )
            for key in keys:
                rec = self.store.get(company, obj, int(key))
                if rec is None:
                    raise AdminError(f"{obj.name} {key} not found in company {company}", 404)
                stored = writer.touch(obj, rec)
                if obj.name == "GLBATCH":  # its posted lines show the new stamp in GLDETAIL
                    sync_gl_detail(writer, obj, stored)
                touched.append(stored["RECORDNO"])
        return touched

    def convert(self, company: str, body: dict[str, Any]) -> dict[str, Any]:
        """Convert a sales document as Order Entry's Convert action does (`conversion`)."""
        with self.store.transaction():
            settings = self.store.company(company)
            if settings is None:
                raise AdminError(f"unknown company {company}", 404)
            now = self.clock.now()
            writer = Writer(Ctx(self.store, company, Formatting.of(settings), "admin", None, now))
            try:
                created = conversion.convert(
                    writer,
                    str(body.get("docid") or ""),
                    str(body.get("transactiontype") or "Sales Invoice"),
                    str(body.get("date") or now.date().isoformat()),
                )
            except (ValueError, FunctionError) as exc:
                raise AdminError(f"cannot convert: {exc}") from exc
        return {"DOCID": created["DOCID"], "CREATEDFROM": created["CREATEDFROM"]}

    def company(self, company: str) -> dict[str, Any]:
        """A company's settings (404 when it does not exist)."""
        with self.store.lock:
            found = self.store.company(company)
        if found is None:
            raise AdminError(f"unknown company {company}", 404)
        return {**found, "clock": CLOCK}

    def update_company(self, company: str, body: dict[str, Any]) -> dict[str, Any]:
        settings = _user_settings(body)
        unsubscribed = body.get("unsubscribed")
        if unsubscribed is not None:
            unsubscribed = [_object(name).name for name in unsubscribed]
        with self.store.transaction():
            self.store.update_company(company, settings, unsubscribed)
            for spec in body.get("custom_fields", []):
                obj = _object(spec.get("object", ""))
                datatype = spec.get("datatype", "TEXT")
                name = str(spec.get("name", "")).upper()
                if not name or name in obj.field_map:
                    raise AdminError(f"custom field name {name!r} is empty or taken on {obj.name}")
                self.store.add_custom_field(
                    company,
                    CustomField(
                        obj.name,
                        name,
                        datatype,
                        spec.get("label", ""),
                        tuple(spec.get("valid", ())),
                    ),
                )
        return self.company(company)


def _object(name: str) -> ObjectDef:
    obj = OBJECTS_BY_NAME.get(name.upper())
    if obj is None:
        raise AdminError(f"unknown object {name}", 404)
    return obj


def _user_settings(body: dict[str, Any]) -> dict[str, str]:
    """The API user's preferences in an admin body, checked (400 for a bad one)."""
    settings: dict[str, str] = {}
    timezone, dateformat, locale = (body.get(k) for k in ("timezone", "dateformat", "locale"))
    if timezone is not None:
        try:
            zone(str(timezone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise AdminError(
                f"unknown time zone {timezone!r}: give an IANA name (Europe/Berlin) or a fixed "
                "GMT offset (+hh:mm / -hh:mm)"
            ) from exc
        settings["timezone"] = str(timezone)
    if dateformat is not None:
        try:
            settings["dateformat"] = check_dateformat(str(dateformat))
        except ValueError as exc:
            raise AdminError(str(exc)) from exc
    if locale is not None:
        if not LOCALE_RE.fullmatch(str(locale)):
            raise AdminError(f"invalid locale {locale!r}: use language_COUNTRYCODE, e.g. en_US")
        settings["locale"] = str(locale)
    clock = body.get("clock")
    if clock is not None and str(clock) != str(CLOCK):
        raise AdminError(
            f"clock {clock!r} is not supported: the emulator renders 24-hour times only "
            "(HH:MM:SS), since Sage does not document its 12-hour rendering"
        )
    return settings


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AdminError(f"'now' must be an ISO-8601 time, not {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _handler_for(emulator: IntacctEmulator) -> type[BaseHTTPRequestHandler]:
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
                    self._json(200, self._admin(method, parts.path, body))
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

        def _admin(self, method: str, path: str, raw: bytes) -> Any:
            try:
                body = json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError as exc:
                raise AdminError(f"body is not JSON: {exc}") from exc
            if not isinstance(body, dict):
                raise AdminError("body must be a JSON object")
            segments = [unquote(s) for s in path.split("/")[2:] if s]
            route = (method, *segments[:1])
            if route == ("POST", "reset"):
                emulator.reset(
                    body.get("seed", "demo"),
                    int(body.get("records", 0)),
                    int(body.get("journal_lines", 0)),
                )
                return {"status": "ok"}
            if route == ("POST", "faults"):
                try:
                    fault = parse_fault(body)
                except (ValueError, TypeError) as exc:
                    raise AdminError(str(exc)) from exc
                emulator.faults.add(fault)
                return {"status": "ok", "faults": emulator.faults.listing()}
            if route == ("DELETE", "faults"):
                emulator.faults.clear()
                return {"status": "ok", "faults": []}
            if route == ("GET", "faults"):
                return {"faults": emulator.faults.listing()}
            if route == ("POST", "rest") and segments[1:] == ["revoke"]:
                return {"revoked": emulator.rest.tokens.revoke(body.get("company"))}
            if route == ("GET", "stats"):
                return emulator.stats.snapshot()
            if route == ("POST", "stats") and segments[1:] == ["reset"]:
                emulator.stats.reset()
                return {"status": "ok"}
            if route[1:] == ("clock",):
                if method == "POST":
                    now = _parse_time(body["now"]) if body.get("now") else None
                    emulator.clock.set(
                        now, body.get("frozen"), float(body.get("advance_seconds", 0))
                    )
                return {
                    "now": emulator.clock.now().isoformat(),
                    "frozen": emulator.clock.frozen is not None,
                }
            if route[1:] == ("config",):
                return emulator.configure(body if method == "POST" else {})
            if route[1:] == ("companies",) and len(segments) == 2:
                if method == "POST":
                    return emulator.update_company(segments[1], body)
                return emulator.company(segments[1])
            if route == ("GET", "records") and len(segments) == 3:
                rows = emulator.records(segments[1], segments[2])
                return {
                    "company": segments[1],
                    "object": segments[2].upper(),
                    "count": len(rows),
                    "records": rows,
                }
            if route == ("POST", "convert") and len(segments) == 2:
                return emulator.convert(segments[1], body)
            if route == ("POST", "records") and len(segments) == 4 and segments[3] == "touch":
                keys = body.get("keys")
                if not isinstance(keys, list):
                    raise AdminError('touch needs {"keys": [RECORDNO, ...]}')
                return {"touched": emulator.touch(segments[1], segments[2], keys)}
            raise AdminError(f"no admin route {method} {path}", 404)

    return Handler


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
