"""Checks REST exchanges against the reduced OpenAPI definition `intacct-rest-v1.reduced.json`.

Tests switch on the Intacct emulator's journal (`emulator.rest.journal = []`); every request a
connector sent and every answer the emulator gave is then checked with `problems(journal)`:
the operation must exist in the definition, the request body must match its request schema and
the answer its response schema for that status. A request answered with HTTP 400 (refused as
invalid, as tests do on purpose) is not checked; its answer is. OpenAPI 3.0's `nullable` becomes
a JSON Schema type list; references resolve inside the definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import HTTP
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jsonschema

DEFINITION = Path(__file__).with_name("intacct-rest-v1.reduced.json")
API_PREFIX = "/ia/api/v1"


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: `nullable: true` adds "null" to the type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    nullable = node.get("nullable") is True  # a property named `nullable` holds a dict
    out = {k: _json_schema(v) for k, v in node.items() if not (k == "nullable" and nullable)}
    if nullable and "type" in out:
        out["type"] = [out["type"], "null"]
    elif nullable:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def definition() -> dict[str, Any]:
    return _json_schema(json.loads(DEFINITION.read_text()))


def _validate(schema: dict[str, Any], value: Any) -> list[str]:
    """Errors of `value`; the schema's `#/components/...` references resolve in the definition."""
    root = {**schema, "components": definition()["components"]}
    validator = jsonschema.Draft202012Validator(root)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in validator.iter_errors(value)
    ]


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in definition()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template))
    # the most specific template first
    return sorted(out, key=lambda item: -item[1].count("/"))


def operation(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    tail = path.removeprefix(API_PREFIX)
    for pattern, template in _templates():
        if pattern.match(tail):
            found = definition()["paths"][template].get(method.lower())
            return (template, found) if found else None
    return None


def _body(content_type: str, raw: bytes, full_type: str = "") -> Any:
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode()))
    if content_type.startswith("multipart/form-data"):  # parts by name, JSON ones parsed
        head = f"Content-Type: {full_type}\r\n\r\n".encode()
        parts = BytesParser(policy=HTTP).parsebytes(head + raw).iter_parts()
        named = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                 for p in parts}  # fmt: skip
        return {str(k): json.loads(v) if k == "ia::requestBody" else v for k, v in named.items()}
    return json.loads(raw) if raw.strip() else None


def exchange_problems(exchange: Any) -> list[str]:
    """What breaks the definition in one exchange (nothing: an empty list)."""
    where = f"{exchange.method} {exchange.path} → {exchange.status}"
    found = operation(exchange.method, exchange.path)
    if found is None:
        return [f"{where}: no such operation in the definition"]
    _, spec = found
    problems = []
    request_spec = spec.get("requestBody", {}).get("content", {})
    if exchange.status == 400:
        pass  # a refused request: the answer is checked, the request was wrong on purpose
    elif exchange.request_body.strip():
        media = exchange.request_type.split(";")[0].strip()
        if media not in request_spec:
            problems.append(f"{where}: request body of type {media!r} is not defined")
        else:
            body = _body(media, exchange.request_body, exchange.request_type)
            problems += [
                f"{where}: request {p}" for p in _validate(request_spec[media]["schema"], body)
            ]
    elif request_spec:
        problems.append(f"{where}: request has no body")
    answer = spec["responses"].get(str(exchange.status))
    if answer is None:
        problems.append(f"{where}: status {exchange.status} is not defined for the operation")
    elif exchange.response_type.startswith("application/json"):
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            if exchange.response_body.strip():
                problems.append(f"{where}: the answer has a body the definition has not")
        else:
            body = _body("application/json", exchange.response_body)
            problems += [f"{where}: answer {p}" for p in _validate(schema, body)]
    return problems


def problems(journal: Iterable[Any]) -> list[str]:
    """Problems of every exchange in a journal."""
    return [p for exchange in journal for p in exchange_problems(exchange)]


@contextmanager
def checked(emulator: Any) -> Iterator[Any]:
    """Keep the emulator's REST journal while the block runs, then fail on any problem."""
    emulator.rest.journal = []
    try:
        yield emulator
    finally:
        journal, emulator.rest.journal = emulator.rest.journal, None
    found = problems(journal)
    assert not found, "\n".join(found[:20])
