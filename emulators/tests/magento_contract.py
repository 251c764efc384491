"""Adobe's 2.4.8 admin schema (Swagger 2.0) as the contract of every Magento emulator answer.

Each answer is checked against the schema its operation declares in `admin-schema-2.4.8.json`
(200 body, or `error-response` for errors), with two corrections and one tightening:

* Magento's schema generator never marks nullability, yet a *required* getter that holds null is
  emitted as null (e.g. `stock_item.low_stock_date`, an address `region.region_code`): required
  properties also accept null.
* `error-response.parameters` is declared as a list of objects, but Magento sends a dict for named
  placeholders and a list of strings for `%1`: both are accepted.
* A method declared to return a scalar answers `[]` when it returns null (ServiceOutputProcessor
  renders a null result as an empty array, as it does for void methods): a shipment's label.
* Objects may not carry properties the definition does not list (`additionalProperties: false`),
  so the emulator cannot invent fields.

`watch` hooks a running emulator so every answer it gives is checked, whoever asked.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
from connector_emulators.magento.common import STORE_CODES
from connector_emulators.magento.server import MagentoEmulator

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "shared" / "magento" / "admin-schema-2.4.8.json"
ASYNC_RESPONSE = {  # not in the generated schema (async routes are dynamic); from the bulk docs
    "type": "object",
    "required": ["bulk_uuid", "request_items", "errors"],
    "additionalProperties": False,
    "properties": {
        "bulk_uuid": {"type": "string"},
        "errors": {"type": "boolean"},
        "request_items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "data_hash", "status"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "integer"},
                    "data_hash": {"type": "string"},
                    "status": {"type": "string"},
                },
            },
        },
    },
}
ERROR = {"$ref": "#/definitions/error-response"}
NOTHING = {"type": "array", "maxItems": 0}  # how Magento renders a null (or void) result
# Areas of the admin API the emulator models (first path segment after /V1/).
AREAS = (
    "store", "directory", "customers", "customerGroups", "products", "categories", "stockItems",
    "stockStatuses", "inventory", "orders", "order", "invoices", "invoice", "creditmemo",
    "creditmemos", "shipment", "shipments", "transactions", "taxClasses", "salesRules",
    "coupons", "eav", "bulk",
)  # fmt: skip


@cache
def swagger(partial: bool = False) -> dict[str, Any]:
    """The tightened schema; `partial` for `?fields=` answers, which drop what was not asked."""
    document = json.loads(SCHEMA_FILE.read_text())
    definitions = copy.deepcopy(document["definitions"])
    for definition in definitions.values():
        _tighten(definition, partial)
    definitions["error-parameters"] = {
        "anyOf": [
            {"type": "object", "additionalProperties": {"type": ["string", "integer", "number"]}},
            {"type": "array", "items": {"type": ["string", "integer", "number"]}},
        ]
    }
    document["definitions"] = definitions
    return document


def _tighten(schema: dict[str, Any], partial: bool = False) -> None:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema.setdefault("additionalProperties", False)
        if partial:
            schema.pop("required", None)
        for name in schema.get("required", []):
            prop = properties.get(name, {})
            if "type" in prop and prop["type"] != "null":
                prop["type"] = [prop["type"], "null"]
        for prop in properties.values():
            _tighten(prop, partial)
    if isinstance(schema.get("items"), dict):
        _tighten(schema["items"], partial)


def validate(body: Any, schema: dict[str, Any], *, partial: bool = False) -> None:
    """Validate without re-checking the (large) schema itself on every call."""
    definitions = swagger(partial)["definitions"]
    jsonschema.Draft4Validator({**schema, "definitions": definitions}).validate(body)


def schema_for(method: str, template: str, status: int) -> dict[str, Any]:
    """The schema the operation declares for this status."""
    responses = swagger()["paths"][template][method.lower()]["responses"]
    if status == 200:
        if "200" not in responses:  # a void method: Magento answers an empty array
            return NOTHING
        schema: dict[str, Any] = responses["200"].get("schema", {})
        if schema.get("type") in ("string", "integer", "number", "boolean"):
            return {"anyOf": [schema, NOTHING]}  # a null result, rendered as []
        return schema
    return (responses.get(str(status)) or responses["default"])["schema"]


def check(method: str, template: str, response: Any) -> Any:
    """Validate a `requests` response against the operation's declared schema; answer the body."""
    body = response.json()
    validate(body, schema_for(method, template, response.status_code))
    return body


@cache
def _templates() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(method, template, regex) of every schema operation, literal segments tried first."""
    rows = []
    for template, operations in swagger()["paths"].items():
        segments = template.strip("/").split("/")
        pattern = "/".join("[^/]+" if s.startswith("{") else re.escape(s) for s in segments)
        priority = tuple(s.startswith("{") for s in segments)
        compiled = re.compile(f"^{pattern}$")
        rows.extend((priority, method.upper(), template, compiled) for method in operations)
    rows.sort(key=lambda row: row[0])
    return tuple((m, t, p) for _, m, t, p in rows)


def template_of(method: str, service_path: str) -> str | None:
    """The schema path template of `method service_path` (`/V1/...`), if the schema has one."""
    wanted = service_path.strip("/")
    for candidate_method, template, pattern in _templates():
        if candidate_method == method and pattern.match(wanted):
            return template
    return None


def admin_operations() -> list[tuple[str, str]]:
    """(method, template) of every schema operation in the modelled areas."""
    return sorted(
        (method.upper(), template)
        for template, operations in swagger()["paths"].items()
        if template.split("/")[2] in AREAS
        for method in operations
    )


def service_path(raw_path: str) -> str:
    """`/rest/default/V1/x?y` → `/V1/x`, as the emulator's front controller reads it."""
    path = urlsplit(raw_path).path.removeprefix("/index.php").removeprefix("/rest")
    segments = path.strip("/").split("/")
    if segments and segments[0] in STORE_CODES:
        segments = segments[1:]
    return "/" + "/".join(segments)


def check_answer(method: str, raw_path: str, status: int, payload: bytes) -> str | None:
    """What is wrong with one emulator answer, or None when it keeps to the schema."""
    if not raw_path.startswith(("/rest/", "/index.php/rest/")) or status in (502, 503):
        return None
    path = service_path(raw_path)
    try:
        body = json.loads(payload)
        if path.startswith("/async/"):
            validate(body, ASYNC_RESPONSE if status == 202 else ERROR)
            return None
        template = template_of(method, path)
        if template is None:
            if status == 200:
                return f"{method} {path} answered 200 but the schema has no such operation"
            validate(body, ERROR)
        else:
            partial = "fields" in parse_qs(urlsplit(raw_path).query)
            validate(body, schema_for(method, template, status), partial=partial and status == 200)
    except (ValueError, jsonschema.ValidationError) as error:
        return f"{method} {raw_path} ({status}): {str(error).splitlines()[0]}"
    return None


class Watch:
    """Every answer of every Magento emulator checked against the schema, whoever asked.

    Installed once per test session on the emulator class; a test reads (and clears) what was
    wrong with the answers given during it.
    """

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.answers = 0
        self._lock = threading.Lock()
        self._original = MagentoEmulator.rest

    def install(self) -> None:
        watch, original = self, self._original

        def rest(emulator: MagentoEmulator, method: str, raw_path: str, *args: Any) -> Any:
            key, answer = original(emulator, method, raw_path, *args)
            problem = check_answer(method, raw_path, answer.status, answer.payload())
            with watch._lock:
                watch.answers += 1
                if problem:
                    watch.violations.append(problem)
            return key, answer

        MagentoEmulator.rest = rest  # type: ignore[method-assign]

    def uninstall(self) -> None:
        MagentoEmulator.rest = self._original  # type: ignore[method-assign]

    def take(self) -> list[str]:
        with self._lock:
            found, self.violations = self.violations, []
        return found
