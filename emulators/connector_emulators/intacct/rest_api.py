"""The REST API (v1) under `/ia/api/v1`, over the same store as the XML gateway.

Routes: `POST /oauth2/token`; `POST /services/core/query`; `GET /services/core/model`;
`GET|POST|PATCH|DELETE /objects/<application>/<object>[/<key>[,<key>...]]` with batches of up
to 500 records (an array body; `X-IA-API-Param-Transaction: true` makes one atomic). Writes run
through the XML emulator's own create/update/delete, so business rules, audit trail and stamps
are the same. `Idempotency-Key` on POST/PATCH: the same key with the same body answers the first
answer again (header `x-ia-idempotency-cached-date`), with another body HTTP 409. The entity of a
request is the `X-IA-API-Param-Entity` header, else the token's. Errors are Sage's
`{"ia::result": {"ia::error": {...}}, "ia::meta": {...}}` bodies.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from lxml import etree

from . import generic_writes
from .functions import Call, Cursors
from .objects import OBJECTS_BY_NAME, FieldDef
from .records import Ctx, FunctionError, Writer
from .rest_auth import Grant, TokenError, Tokens
from .rest_objects import SERVED, RestObject
from .rest_query import BadQueryError, field_of, rest_object, run_query
from .rest_values import REST_FORMATTING, flatten, model, nest, renderer, request_text
from .store import Store
from .users import USER_ID

API_PREFIX = "/ia/api/v1"
MAX_BATCH = 500
MODEL = "/services/core/model"
ENTITY_HEADER = "X-IA-API-Param-Entity"
TRANSACTION_HEADER = "X-IA-API-Param-Transaction"
Answer = tuple[int, dict[str, str], bytes]


class ApiError(Exception):
    """An error answer: status, Sage's error code, message, errorId and details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        error_id: str = "",
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.error_id, self.details = error_id, details or []

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.error_id:
            error["errorId"] = self.error_id
        if self.details:
            error["details"] = self.details
        error["supportId"] = "emulator"
        meta = {"totalCount": 1, "totalSuccess": 0, "totalError": 1}
        return {"ia::result": {"ia::error": error}, "ia::meta": meta}


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
    return status, {"Content-Type": "application/json", **(headers or {})}, body


def function_error(exc: FunctionError) -> ApiError:
    """A failed write as Sage's REST answer: 409 for a duplicate ID, else 422."""
    duplicate = any(e.errorno == "BL34000061" for e in exc.errors)
    details = [
        {
            "code": "operationFailed",
            "message": e.description2 or e.description,
            "errorId": e.errorno,
        }
        for e in exc.errors
    ]
    first = exc.errors[0] if exc.errors else None
    message = (first.description2 or first.description) if first else "Operation failed"
    if duplicate:
        return ApiError(409, "duplicateKey", message, "REST-2009", details)
    return ApiError(422, "operationFailed", message, "REST-2004", details)


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as sent over the wire."""

    method: str
    path: str
    request_type: str
    request_body: bytes
    status: int
    response_type: str
    response_body: bytes
    idempotency_key: str | None = None


@dataclass
class Request:
    """One REST request as the router sees it."""

    method: str
    path: str
    query: str
    headers: Any  # email.message.Message-like: `.get(name)`
    body: bytes

    def json(self) -> Any:
        if not self.body.strip():
            raise ApiError(
                400, "invalidRequest", f"A {self.method} request requires a payload", "REST-1028"
            )
        try:
            return json.loads(self.body)
        except json.JSONDecodeError as exc:
            raise ApiError(
                400, "invalidRequest", f"Payload is not JSON: {exc}", "REST-1064"
            ) from None


class RestApi:
    """Routes REST requests; `operation` names a request for faults and statistics."""

    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self.store = store
        self.now = now
        self.tokens = Tokens()
        self.idempotency: dict[tuple[str, str], tuple[str, Answer, str]] = {}
        self.idempotency_lock = threading.Lock()
        # routes other modules add (bulk jobs, composite): an answer, or None for not theirs
        self.extra_routes: list[Callable[[Call, Request, str], Answer | None]] = []
        self.work = threading.local()  # rows read, records written: for the latency model
        # exchanges kept for checking against the OpenAPI definition (tests switch it on)
        self.journal: list[Exchange] | None = None

    def record(self, request: Request, status: int, content_type: str, body: bytes) -> None:
        if self.journal is not None:
            self.journal.append(
                Exchange(
                    request.method, request.path, request.headers.get("Content-Type") or "",
                    request.body, status, content_type, body,
                    request.headers.get("Idempotency-Key"),
                )
            )  # fmt: skip

    def work_done(self) -> tuple[int, int]:
        """(rows read, records written) by this thread's requests since the last call."""
        done = (getattr(self.work, "rows", 0), getattr(self.work, "records", 0))
        self.work.rows = self.work.records = 0
        return done

    def clear(self) -> None:
        self.tokens.clear()
        with self.idempotency_lock:
            self.idempotency.clear()

    @staticmethod
    def operation(method: str, path: str) -> str:
        """`rest.token`, `rest.query`, `rest.composite`, `rest.bulk.status`, `rest.get`, ..."""
        tail = path.removeprefix(API_PREFIX)
        if tail.startswith("/oauth2/"):
            return "rest.token"
        if tail.startswith("/services/bulk/job/"):  # rest.bulk.create, rest.bulk.status
            return "rest.bulk." + tail.removeprefix("/services/bulk/job/").split("/")[0]
        if tail.startswith("/services/core/"):
            return "rest." + tail.removeprefix("/services/core/").split("/")[0]
        verbs = {"GET": "get", "POST": "create", "PATCH": "update", "DELETE": "delete"}
        return "rest." + verbs.get(method, method.lower())

    def company_of(self, request: Request) -> str | None:
        """The company a request's bearer speaks for (for faults, before it runs)."""
        try:
            return self.tokens.bearer(request.headers.get("Authorization"), self.now()).company
        except TokenError:
            return None

    def handle(self, request: Request) -> Answer:
        try:
            return self._route(request)
        except TokenError as exc:
            error = ApiError(exc.status, exc.code, exc.message, exc.error_id)
            return _json(exc.status, error.body())
        except ApiError as exc:
            return _json(exc.status, exc.body())
        except BadQueryError as exc:
            detail = {"code": "invalidRequest", "message": str(exc), "errorId": "REST-1043"}
            if exc.target:
                detail["target"] = exc.target
            error = ApiError(
                400, "invalidRequest", "Payload contains errors", "REST-1064", [detail]
            )
            return _json(400, error.body())

    def _route(self, request: Request) -> Answer:
        tail = request.path.removeprefix(API_PREFIX)
        if tail == "/oauth2/token":
            if request.method != "POST":
                raise ApiError(405, "methodNotAllowed", "Use POST for the token endpoint")
            answer = self.tokens.exchange(request.body, self.now(), self._entity_exists)
            return _json(200, answer, {"Cache-Control": "no-store"})
        grant = self.tokens.bearer(request.headers.get("Authorization"), self.now())
        call = self._call(grant, request)
        if tail == "/services/core/query" and request.method == "POST":
            with self.store.lock:
                rows, meta = run_query(call, request.json())
            self.work.rows = getattr(self.work, "rows", 0) + len(rows)
            return _json(200, {"ia::result": rows, "ia::meta": meta})
        if tail == "/services/core/model" and request.method == "GET":
            return self._model(call, request)
        if tail.startswith("/objects/"):
            return self._objects(call, request, tail.removeprefix("/objects/"))
        for route in self.extra_routes:
            routed = route(call, request, tail)
            if routed is not None:
                return routed
        raise ApiError(404, "notFound", f"No resource at {tail}", "REST-1001")

    def _entity_exists(self, grant: Grant) -> bool:
        with self.store.lock:
            self.store.ensure_company(grant.company)
            return (
                self.store.get_by_id(grant.company, OBJECTS_BY_NAME["LOCATION"], grant.entity or "")
                is not None
            )

    def _call(self, grant: Grant, request: Request) -> Call:
        entity = request.headers.get(ENTITY_HEADER) or grant.entity
        with self.store.lock:
            self.store.ensure_company(grant.company)
            if (
                entity
                and self.store.get_by_id(grant.company, OBJECTS_BY_NAME["LOCATION"], entity) is None
            ):
                raise ApiError(
                    400, "invalidRequest", f"Entity '{entity}' does not exist", "REST-1050"
                )
            unsubscribed = frozenset(
                (self.store.company(grant.company) or {}).get("unsubscribed", ())
            )
        ctx = Ctx(self.store, grant.company, REST_FORMATTING, USER_ID, entity or None, self.now())
        return Call(ctx, Writer(ctx), Cursors(0.0), "rest", unsubscribed)

    # -- model ----------------------------------------------------------------------------------
    def _model(self, call: Call, request: Request) -> Answer:
        name = (parse_qs(request.query).get("name") or [""])[-1]
        if not name:
            listing = [
                {"apiObject": row.path, "type": "rootObject", "href": f"{MODEL}?name={row.path}",
                 "httpMethods": "GET,POST,PATCH,DELETE"}
                for row in SERVED
            ]  # fmt: skip
            return _json(200, {"ia::result": listing, "ia::meta": {"totalCount": len(listing)}})
        try:
            row = rest_object(name)
        except BadQueryError:
            return _json(200, {"ia::result": [], "ia::meta": {"totalCount": 0}})
        with self.store.lock:
            fields = self.store.fields(call.ctx.company, row.obj)
        return _json(200, {"ia::result": model(row, fields), "ia::meta": {"totalCount": 1}})

    # -- objects --------------------------------------------------------------------------------
    def _objects(self, call: Call, request: Request, tail: str) -> Answer:
        parts = tail.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ApiError(404, "notFound", f"No resource at /objects/{tail}", "REST-1001")
        row = _row(f"{parts[0]}/{parts[1]}")
        keys = parts[2].split(",") if len(parts) == 3 else []
        if len(keys) > MAX_BATCH:
            raise ApiError(
                400, "invalidRequest", f"At most {MAX_BATCH} keys a request", "REST-1100"
            )
        method = request.method
        if method == "GET":
            return self._get(call, row, keys)
        if method == "DELETE" and keys:
            items = [{"key": k} for k in keys]
            return self._write(call, request, row, items[0] if len(items) == 1 else items, "delete")
        if method == "POST" and not keys:
            return self._idempotent(call, request, row, "create")
        if method == "PATCH":
            return self._idempotent(call, request, row, "update", keys)
        raise ApiError(405, "methodNotAllowed", f"{method} is not allowed on /objects/{tail}")

    def _get(self, call: Call, row: RestObject, keys: list[str]) -> Answer:
        with self.store.lock:
            fields = self.store.fields(call.ctx.company, row.obj)
            if not keys:
                found = self.store.find(call.ctx.company, row.obj, "1", [])
                found = [r for r in found if call.writer.visible(row.obj, r)][:100]
                refs = [_reference(row, r) for r in found]
                meta = {
                    "totalCount": len(refs),
                    "start": 1,
                    "pageSize": 100,
                    "next": None,
                    "previous": None,
                }
                return _json(200, {"ia::result": refs, "ia::meta": meta})
            records = []
            for key in keys:
                rec = call.writer.get(row.obj, int(key)) if key.isdigit() else None
                if rec is None:
                    raise ApiError(
                        404, "notFound", f"{row.path} with key {key} was not found", "REST-1002"
                    )
                records.append(_full(row, fields, rec))
        result: Any = records[0] if len(records) == 1 else records
        return _json(
            200,
            {
                "ia::result": result,
                "ia::meta": {
                    "totalCount": len(records),
                    "totalSuccess": len(records),
                    "totalError": 0,
                },
            },
        )

    def _idempotent(
        self,
        call: Call,
        request: Request,
        row: RestObject,
        action: str,
        keys: list[str] | None = None,
    ) -> Answer:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return self._write(call, request, row, self._body_items(request, keys), action)
        if len(key) > 256:
            raise ApiError(
                400, "invalidRequest", "Idempotency-Key is longer than 256 characters", "REST-1101"
            )
        fingerprint = hashlib.sha256(
            f"{request.method} {request.path}\n".encode() + request.body
        ).hexdigest()
        slot = (call.ctx.company, key)
        with self.idempotency_lock:
            seen = self.idempotency.get(slot)
        if seen is not None:
            if seen[0] != fingerprint:
                raise ApiError(
                    409,
                    "conflict",
                    "The Idempotency-Key was used with another request",
                    "REST-2010",
                )
            status, headers, body = seen[1]
            return (
                status,
                {**headers, "Idempotency-Key": key, "x-ia-idempotency-cached-date": seen[2]},
                body,
            )
        answer = self._write(call, request, row, self._body_items(request, keys), action)
        with self.idempotency_lock:
            self.idempotency[slot] = (
                fingerprint,
                answer,
                self.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        status, headers, body = answer
        return status, {**headers, "Idempotency-Key": key}, body

    @staticmethod
    def _body_items(request: Request, keys: list[str] | None) -> list[Any] | dict[str, Any]:
        body = request.json()
        if keys:
            if len(keys) != 1 or not isinstance(body, dict):
                raise ApiError(
                    400, "invalidRequest", "PATCH of one key takes one object", "REST-1064"
                )
            return {**body, "key": keys[0]}
        if isinstance(body, list) and len(body) > MAX_BATCH:
            raise ApiError(
                400, "invalidRequest", f"At most {MAX_BATCH} records a request", "REST-1100"
            )
        return body

    def _write(
        self, call: Call, request: Request, row: RestObject, items: Any, action: str
    ) -> Answer:
        """Write one record (object body) or a batch (array), per-record results for a batch."""
        single = isinstance(items, dict)
        batch = [items] if single else items
        if not isinstance(batch, list) or not batch or not all(isinstance(i, dict) for i in batch):
            raise ApiError(
                400,
                "invalidRequest",
                "The payload is an object or an array of objects",
                "REST-1064",
            )
        atomic = str(request.headers.get(TRANSACTION_HEADER) or "").lower() == "true"
        results: list[tuple[int, dict[str, Any]]] = []
        with self.store.transaction():
            for number, item in enumerate(batch, start=1):
                try:
                    with self.store.savepoint():
                        results.append((200, self._write_one(call, row, item, action, number)))
                except (ApiError, FunctionError) as exc:
                    error = exc if isinstance(exc, ApiError) else function_error(exc)
                    if atomic:
                        raise error from None
                    results.append((error.status, error.body()["ia::result"]))
        self.work.records = getattr(self.work, "records", 0) + len(results)
        ok = {"create": 201, "update": 200, "delete": 204}[action]
        if single:
            status, result = results[0]
            if status != 200:
                return _json(
                    status,
                    {
                        "ia::result": result,
                        "ia::meta": {"totalCount": 1, "totalSuccess": 0, "totalError": 1},
                    },
                )
            if action == "delete":
                return 204, {}, b""
            return _json(
                ok,
                {
                    "ia::result": result,
                    "ia::meta": {"totalCount": 1, "totalSuccess": 1, "totalError": 0},
                },
            )
        failed = sum(1 for status, _ in results if status != 200)
        entries = [
            result if status == 200 else {**result, "ia::status": status}
            for status, result in results
        ]
        meta = {
            "totalCount": len(results),
            "totalSuccess": len(results) - failed,
            "totalError": failed,
        }
        status = 207 if failed else (200 if action != "create" else 201)
        return _json(status, {"ia::result": entries, "ia::meta": meta})

    def _write_one(
        self, call: Call, row: RestObject, item: dict[str, Any], action: str, number: int
    ) -> dict[str, Any]:
        obj = row.obj
        if action in {"delete", "update"}:
            key = str(item.get("key") or "")
            existing = call.writer.get(obj, int(key)) if key.isdigit() else None
            if existing is None:
                raise ApiError(
                    404,
                    "notFound",
                    f"{row.path} with key {key or '(none)'} was not found",
                    "REST-1002",
                )
            if action == "delete":
                if not obj.deletable or obj.parent:
                    raise ApiError(
                        422, "operationFailed", f"{row.path} records cannot be deleted", "REST-2004"
                    )
                generic_writes.delete_record(call.writer, obj, existing)
                return {"key": key}
        element = self._element(call, row, item, action)
        label = f"{obj.name} #{number}"
        if action == "create":
            stored = generic_writes.create_one(call, obj, element, label)
        else:
            etree.SubElement(element, "RECORDNO").text = str(item["key"])
            stored = generic_writes.update_one(call, obj, element, label)
        return _reference(row, stored)

    def _element(
        self, call: Call, row: RestObject, item: dict[str, Any], action: str
    ) -> etree._Element:
        """A REST body as the XML object element the gateway's writes take."""
        fields = {f.name: f for f in self.store.fields(call.ctx.company, row.obj)}
        element = etree.Element(row.obj.name)
        for rest, value in flatten({k: v for k, v in item.items() if k != "key"}).items():
            if rest.endswith(".href") or rest == "href":
                continue
            fdef: FieldDef = field_of_write(row, fields, rest)
            try:
                text = request_text(row, fdef, value)
            except ValueError as exc:
                raise ApiError(422, "invalidRequest", f"/{rest} {exc}", "REST-1043") from None
            node = element
            for part in fdef.name.split("."):
                found = node.find(part)
                node = found if found is not None else etree.SubElement(node, part)
            node.text = text
        return element


def field_of_write(row: RestObject, fields: dict[str, FieldDef], rest: str) -> FieldDef:
    """The field a write names, or Sage's 400 "is not a valid field"."""
    try:
        return field_of(row, fields, rest)
    except BadQueryError as exc:
        detail = {
            "code": "invalidRequest",
            "message": f"/{rest} is not a valid field",
            "errorId": "REST-1043",
            "target": f"/{rest}",
        }
        raise ApiError(
            400, "invalidRequest", "Payload contains errors", "REST-1064", [detail]
        ) from exc


def _row(path: str) -> RestObject:
    try:
        return rest_object(path)
    except BadQueryError:
        raise ApiError(404, "notFound", f"{path} is not a valid object", "REST-1001") from None


def _reference(row: RestObject, rec: dict[str, Any]) -> dict[str, Any]:
    ref = {"key": str(rec["RECORDNO"])}
    if row.obj.id_field and rec.get(row.obj.id_field) is not None:
        ref["id"] = str(rec[row.obj.id_field])
    ref["href"] = f"/objects/{row.path}/{rec['RECORDNO']}"
    return ref


def _full(row: RestObject, fields: tuple[FieldDef, ...], rec: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for fdef in fields:
        rest = row.rest_name(fdef)
        if rest is None:
            continue
        value = rec.get(fdef.name)
        flat[rest] = None if value is None else renderer(row, fdef, rest)(value)
    flat["href"] = f"/objects/{row.path}/{rec['RECORDNO']}"
    return nest(flat)
