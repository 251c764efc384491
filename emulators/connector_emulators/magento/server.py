"""The HTTP server: Magento's REST front controller plus the `/_emulator/` admin routes.

`/rest/<store>/V1/...`: the store code is `default` (store 1), `all` (admin store 0) or absent
(default store); anything else falls through to "Request does not match any route.".
`/index.php/rest/...` is served too. Admin routes (no authentication, 127.0.0.1 only):

* `POST /_emulator/reset {"seed": "demo" | null}`: empty the shop and seed it again.
* `POST|GET|DELETE /_emulator/faults`: inject `http_500`, `http_502`, `http_503`,
  `drop_connection` or `slow` (`count`, `after`, `path` substring, `method`, `delay`,
  `when`: `before` the work is done or `after` it, which loses the answer of a done write).
* `GET /_emulator/stats`, `POST /_emulator/stats/reset`: request counts per "METHOD template".
* `GET /_emulator/dump`: every customer, category, product, order, invoice and bulk.
* `GET|POST /_emulator/config {"integration_bearer": bool, "two_factor": bool,
  "input_limits": bool, "bulk_consumer": "running" | "paused"}`. A paused `bulk_consumer` is a
  shop whose cron / queue worker does not run `async.operations.all`: bulk operations stay open
  (status 4) and the bulk status endpoints do not run them; `running` again lets the consumer
  take them. A reset sets it back to `running`.
* `POST /_emulator/orders {increment_id, customer_email, items: [{sku, qty, price, name}]}`
  places an order (optional: names, addresses, `store_id`, `created_at`, `currency` and
  `base_to_order_rate`, `shipping_amount`, `discount_percent`, `coupon_code`, `tax_percent`,
  `payment_method`, `guest`, `comments`); `POST /_emulator/orders/{id}/state
  {"state", "status"}` forces its state.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .. import demo_data
from . import bulk, catalog, customers, routes, sales, search
from .auth import ANONYMOUS, Authenticator, Caller, Integration
from .common import STORE_CODES, Call, filter_fields, parse_fields
from .errors import MagentoError, aggregate, input_error, no_route, not_authorized, required
from .seed import seed
from .store import Store

log = logging.getLogger(__name__)
TOKEN_PATH = "/V1/integration/admin/token"
FAULT_KINDS = ("http_500", "http_502", "http_503", "drop_connection", "slow")
CONSUMER_INTERVAL = 0.2
SUPPORTED_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})
INVALID_METHOD = "Request method is invalid."


@dataclass
class Fault:
    """One injected fault; `count` answers left, `after` matching requests to let through."""

    kind: str
    count: int = 1
    after: int = 0
    path: str | None = None
    method: str | None = None
    delay: float = 1.0
    when: str = "before"
    id: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return not self.path or self.path in path


@dataclass(frozen=True)
class Request:
    """A REST request with the store code removed from its path."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    url: str


@dataclass
class Answer:
    """An HTTP answer: status and JSON body (or raw bytes)."""

    status: int
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body).encode()


class MagentoEmulator:
    """A running emulator: its store, credentials, faults and statistics."""

    def __init__(
        self,
        port: int = 0,
        *,
        seed: str | None = "demo",
        db_path: str | None = None,
        integration_bearer: bool = False,
        two_factor: bool = False,
    ) -> None:
        """A shop in `db_path` (kept as it is when it already holds one) or in memory."""
        self.store = Store(db_path)
        self.seed_name = seed
        self.default_config = {
            "integration_bearer": integration_bearer,
            "two_factor": two_factor,
            "input_limits": False,
        }
        self.config = dict(self.default_config)
        self.auth = Authenticator(
            demo_data.MAGENTO_ADMIN_USERNAME, demo_data.MAGENTO_ADMIN_PASSWORD
        )
        self.faults: list[Fault] = []
        self.fault_ids = 0
        self.stats: dict[str, int] = {}
        self.total_requests = 0
        self.pending_bulks: deque[str] = deque()
        self.lock = threading.Lock()
        if self.store.is_empty():
            self.reset(seed)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_class(self))
        self.httpd.daemon_threads = True
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, name="magento-http", daemon=True),
            threading.Thread(target=self._consume, name="magento-consumer", daemon=True),
        ]

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def integration(self) -> Integration:
        return self.auth.integration

    def start(self) -> MagentoEmulator:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        with self.store.lock:
            self.store.conn.close()

    def __enter__(self) -> MagentoEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        """Call an admin (or any) route over HTTP and answer its decoded JSON body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = None if json is None else _json_bytes(json)
            headers = {"Content-Type": "application/json"}
            connection.request(method.upper(), path, body=body, headers=headers)
            return _loads(connection.getresponse().read())
        finally:
            connection.close()

    # ------------------------------------------------------------------ state

    def reset(self, seed_name: str | None) -> None:
        with self.store.transaction():
            self.store.wipe()
            seed(self.store, seed_name)
        self.auth.reset()
        self.config = dict(self.default_config)
        self.pending_bulks.clear()

    def _consume(self) -> None:
        """The `async.operations.all` consumer: run queued bulks shortly after they arrive."""
        while not self._stopping.wait(CONSUMER_INTERVAL):
            while self.pending_bulks:
                try:
                    with self.store.transaction():
                        if not bulk.consumer_running(self.store):
                            break  # paused: the bulks wait in the queue
                        bulk.run_bulk(Call(self.store), self.pending_bulks.popleft())
                except Exception:
                    log.exception("bulk consumer failed")

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if not fault.matches(method, path):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def count(self, key: str) -> None:
        with self.lock:
            self.total_requests += 1
            self.stats[key] = self.stats.get(key, 0) + 1

    # ------------------------------------------------------------------ REST

    def rest(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, host: str
    ) -> tuple[str, Answer]:
        """Serve one REST request; answer the stats key ("METHOD template") and the answer."""
        parts = urlsplit(raw_path)
        path = parts.path.removeprefix("/index.php")
        if not path.startswith("/rest/"):
            return f"{method} (no route)", _error(no_route())
        segments = path[len("/rest/") :].split("/")
        store_id = 1
        if segments[0] in STORE_CODES:
            store_id = STORE_CODES[segments[0]]
            segments = segments[1:]
        service_path = "/" + "/".join(segments)
        request = Request(
            method, service_path, parts.query, headers, body, f"http://{host}{raw_path}"
        )
        key, work = self._resolve(request, store_id)
        try:
            return key, Answer(202 if "/async/" in key else 200, work())
        except MagentoError as error:
            return key, _error(error)

    def _resolve(self, request: Request, store_id: int) -> tuple[str, Callable[[], Any]]:
        """The stats key of a request and the work that answers it."""
        method, path = request.method, request.path
        if method not in SUPPORTED_METHODS:  # Webapi\Rest\Request::getHttpMethod
            return f"{method} (no route)", _raiser(input_error(INVALID_METHOD))
        for prefix, is_bulk in (("/async/bulk", True), ("/async", False)):
            if path.startswith(prefix + "/V1/"):
                target = bulk.find_async(method, path[len(prefix) :])
                if method == "GET":
                    return f"GET {path}", _raiser(input_error(bulk.NOT_PROCESSABLE))
                if target is None:
                    return f"{method} (no route)", _raiser(no_route())
                schedule = partial(self._schedule, request, target, store_id, many=is_bulk)
                return f"{method} {path}", schedule
        if method == "POST" and path == TOKEN_PATH:
            return f"POST {TOKEN_PATH}", lambda: self._admin_token(_parse_body(request.body))
        found = routes.find(method, path)
        if found is None:
            return f"{method} (no route)", _raiser(no_route())
        route, params = found

        def work() -> Any:
            self._authenticate(request, route.resource)
            call = Call(
                self.store,
                path=params,
                query=search.parse_php_query(request.query),
                body=_parse_body(request.body),
                store_id=store_id,
                input_limits=self.config["input_limits"],
                base_url=request.url.split("/rest/", 1)[0].removesuffix("/index.php"),
                template=route.template,
            )
            with self.store.transaction():
                result = route.handler(call)
            if result is None:
                result = []  # a void service method answers an empty array
            return filter_fields(result, parse_fields(str(call.query.get("fields") or "")))

        return f"{method} {route.template}", work

    def _schedule(
        self, request: Request, target: bulk.AsyncRoute, store_id: int, *, many: bool
    ) -> Any:
        sync = routes.find(target.method, target.sync_template)
        caller = self._authenticate(request, sync[0].resource if sync else None)
        call = Call(self.store, body=_parse_body(request.body), store_id=store_id)
        with self.store.transaction():
            result = bulk.schedule(call, target, bulk=many, user_type=caller.user_type or 4)
        self.pending_bulks.append(result["bulk_uuid"])
        return result

    def _admin_token(self, body: Any) -> str:
        data = body if isinstance(body, dict) else {}
        missing = [required(name) for name in ("username", "password") if data.get(name) is None]
        if missing:
            raise aggregate(missing)  # ServiceInputProcessor::processInputError
        return self.auth.admin_token(
            str(data["username"]), str(data["password"]), two_factor=self.config["two_factor"]
        )

    def _authenticate(self, request: Request, resource: str | None) -> Caller:
        header = request.headers.get("authorization", "").strip()
        caller: Caller | None = ANONYMOUS
        if header[:7].lower() == "bearer ":
            caller = self.auth.bearer(
                header[7:].strip(), integration_bearer=self.config["integration_bearer"]
            )
        elif header[:6].lower() == "oauth ":
            form = ""
            if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
                form = request.body.decode("utf-8", "replace")
            caller = self.auth.oauth(header, request.method, request.url, form)
        if resource is not None and (caller is None or caller.user_type is None):
            raise not_authorized(resource)
        return caller or ANONYMOUS

    # ------------------------------------------------------------------ admin

    def admin_route(self, method: str, path: str, body: Any) -> Answer:
        data = body if isinstance(body, dict) else {}
        segments = path.strip("/").split("/")[1:]
        try:
            return self._admin(method, segments, data)
        except (KeyError, TypeError, ValueError) as error:
            return Answer(400, {"error": f"bad admin request: {error}"})
        except MagentoError as error:
            return _error(error)

    def _admin(self, method: str, segments: list[str], data: dict[str, Any]) -> Answer:
        route = (method, "/".join(segments))
        if route == ("POST", "reset"):
            self.reset(data.get("seed", self.seed_name) if data else self.seed_name)
            return Answer(200, {"reset": True, "seed": data.get("seed", self.seed_name)})
        if route == ("POST", "faults"):
            if data.get("kind") not in FAULT_KINDS:
                raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
            if data.get("when", "before") not in ("before", "after"):
                raise ValueError("when must be 'before' or 'after'")
            with self.lock:
                self.fault_ids += 1
                fault = Fault(**{k: v for k, v in data.items() if k != "id"}, id=self.fault_ids)
                self.faults.append(fault)
            return Answer(200, asdict(fault))
        if route == ("GET", "faults"):
            with self.lock:
                return Answer(200, [asdict(f) for f in self.faults])
        if route == ("DELETE", "faults"):
            with self.lock:
                self.faults.clear()
            return Answer(200, {"faults": []})
        if route == ("GET", "stats"):
            with self.lock:
                return Answer(200, {"total": self.total_requests, "routes": dict(self.stats)})
        if route == ("POST", "stats/reset"):
            with self.lock:
                self.stats.clear()
                self.total_requests = 0
            return Answer(200, {"total": 0, "routes": {}})
        if route == ("GET", "dump"):
            return Answer(200, self.dump())
        if route == ("GET", "config"):
            return Answer(200, self.full_config())
        if route == ("POST", "config"):
            self.configure(data)
            return Answer(200, self.full_config())
        if route == ("POST", "orders"):
            with self.store.transaction():
                order = sales.create_order(self.store, **sales.placement(data))
            return Answer(200, sales.render_order(order))
        if method == "POST" and len(segments) == 3 and segments[0] == "orders":
            with self.store.transaction():
                stored = self.store.get("orders", int(segments[1]))
                if stored is None or segments[2] != "state":
                    return Answer(404, {"error": "no such order"})
                order = stored | {
                    "state": str(data["state"]),
                    "status": str(data.get("status", data["state"])),
                }
                self.store.update("orders", order)
            return Answer(200, sales.render_order(order))
        return Answer(404, {"error": f"no admin route {method} /_emulator/{route[1]}"})

    def configure(self, data: dict[str, Any]) -> None:
        """Change settings; nothing changes when one of them is unknown or of the wrong type."""
        consumer = data.get(bulk.CONSUMER_SETTING)
        if bulk.CONSUMER_SETTING in data and consumer not in bulk.CONSUMER_STATES:
            raise ValueError(f"{bulk.CONSUMER_SETTING} must be one of {bulk.CONSUMER_STATES}")
        flags = {name: value for name, value in data.items() if name != bulk.CONSUMER_SETTING}
        for name, value in flags.items():
            if name not in self.config or not isinstance(value, bool):
                raise ValueError(f"unknown or non-boolean setting {name!r}")
        self.config.update(flags)
        if consumer is not None:
            with self.store.transaction():
                self.store.set_setting(bulk.CONSUMER_SETTING, consumer)

    def full_config(self) -> dict[str, Any]:
        """The switches, and the consumer state (kept in the shop's store)."""
        with self.store.transaction():
            running = bulk.consumer_running(self.store)
        return {**self.config, bulk.CONSUMER_SETTING: "running" if running else "paused"}

    def dump(self) -> dict[str, Any]:
        """Everything the shop holds, in Magento's API shapes."""
        with self.store.transaction():
            store = self.store
            return {
                "customers": [customers.render(store, c) for c in store.all("customers")],
                "categories": [catalog.render_category(store, c) for c in store.all("categories")],
                "products": [catalog.dump_product(p) for p in store.all("products")],
                "orders": [sales.render_order(o) for o in store.all("orders")],
                **{
                    table: [sales.render_order(doc) for doc in store.all(table)]
                    for table in ("invoices", "shipments", "creditmemos")
                },
                "bulks": store.all("bulks"),
                "config": dict(self.config),
            }


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _loads(text: bytes) -> Any:
    return json.loads(text) if text else None


def _parse_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise input_error("Decoding error.") from error


def _raiser(error: MagentoError) -> Callable[[], Any]:
    def fail() -> Any:
        raise error

    return fail


def _error(error: MagentoError) -> Answer:
    return Answer(error.status, error.body())


def _internal_error() -> Answer:
    report = f"webapi-{uuid.uuid4().hex[:13]}"
    message = "Internal Error. Details are available in Magento log file. Report ID: " + report
    return Answer(500, {"message": message})


_HTML = {
    status: f"<html><head><title>{status} {text}</title></head><body><h1>{text}</h1></body></html>"
    for status, text in ((502, "Bad Gateway"), (503, "Service Unavailable"))
}


def _fault_answer(kind: str) -> Answer:
    if kind == "http_500":
        return _internal_error()
    status = 502 if kind == "http_502" else 503
    return Answer(status, raw=_HTML[status].encode(), content_type="text/html")


def _handler_class(emulator: MagentoEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes
        server_version = "MagentoEmulator/2.4.8"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Silent: request lines may carry tokens in query strings."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            method = self.command.upper()
            if self.path.startswith("/_emulator/"):
                try:
                    data = _loads(body)
                except ValueError:
                    data = None
                self._send(emulator.admin_route(method, urlsplit(self.path).path, data))
                return
            fault = emulator.take_fault(method, self.path)
            if fault and fault.kind == "slow":
                time.sleep(float(fault.delay))
                fault = None
            if fault and fault.when == "before":
                emulator.count(f"{method} (fault)")
                self._fail(fault)
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                key, answer = emulator.rest(
                    method, self.path, headers, body, self.headers.get("Host", "127.0.0.1")
                )
            except Exception:
                log.exception("internal error")
                key, answer = f"{method} (error)", _internal_error()
            emulator.count(key)
            if fault:
                self._fail(fault)
                return
            self._send(answer)

        def _fail(self, fault: Fault) -> None:
            if fault.kind == "drop_connection":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._send(_fault_answer(fault.kind))

        def _send(self, answer: Answer) -> None:
            payload = answer.payload()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve  # noqa: N815

    return Handler


def serve_in_thread(
    port: int = 0,
    *,
    seed: str | None = "demo",
    db_path: str | None = None,
    integration_bearer: bool = False,
    two_factor: bool = False,
) -> MagentoEmulator:
    """Start an emulator on 127.0.0.1 in background threads (port 0 picks a free port)."""
    return MagentoEmulator(
        port,
        seed=seed,
        db_path=db_path,
        integration_bearer=integration_bearer,
        two_factor=two_factor,
    ).start()
