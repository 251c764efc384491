"""Stored values as the REST API shows them, REST values back to request text, and the model.

Over REST, dates are `YYYY-MM-DD`, timestamps UTC `YYYY-MM-DDTHH:MM:SSZ`, money strings with two
decimals (`"213000.00"`, Sage's `decimal-precision-2`) unless the object's row makes it a number,
booleans JSON booleans, keys and references strings; the API user's date format plays no part.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .objects import FieldDef
from .rest_objects import RestObject
from .values import Formatting

REST_FORMATTING = Formatting("UTC", "-Ymd")  # how request text built from REST values reads
Render = Callable[[Any], Any]


def _is_reference(rest: str) -> bool:
    return rest == "key" or rest.endswith((".key", ".id")) or rest.startswith("audit.")


def renderer(row: RestObject, fdef: FieldDef, rest: str) -> Render:
    """Stored value → REST JSON value of one field."""
    words = row.value_maps.get(fdef.name, ({}, {}))[0]
    dt = fdef.datatype
    if words:
        return lambda v: words.get(str(v), str(v))
    if dt == "INTEGER":
        return str if _is_reference(rest) else int
    if dt in ("CURRENCY", "DECIMAL", "PERCENT"):
        if fdef.name in row.numbers:
            return lambda v: float(Decimal(str(v)))
        return str
    if dt == "BOOLEAN":
        return lambda v: str(v) == "true"
    if dt == "TIMESTAMP":
        return lambda v: f"{v[:10]}T{v[11:19]}Z"
    return str


def request_text(row: RestObject, fdef: FieldDef, value: Any) -> str:
    """A REST value as the request text the XML side converts (REST_FORMATTING applies)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise ValueError("is not a single value")
    text = str(value)
    words = row.value_maps.get(fdef.name, ({}, {}))[1]
    if words:
        return words.get(text, text)
    if fdef.datatype == "TIMESTAMP" and "T" in text:
        return text.replace("T", " ").removesuffix("Z")[:19]
    return text


def model_type(row: RestObject, fdef: FieldDef, rest: str) -> dict[str, Any]:
    """A field's description in the model service."""
    dt = fdef.datatype
    out: dict[str, Any]
    if dt == "INTEGER":
        out = {"type": "string"} if _is_reference(rest) else {"type": "integer"}
    elif dt in ("CURRENCY", "DECIMAL", "PERCENT"):
        precision = 2 if dt == "CURRENCY" else 10
        out = (
            {"type": "number"}
            if fdef.name in row.numbers
            else {"type": "string", "format": f"decimal-precision-{precision}"}
        )
    elif dt == "BOOLEAN":
        out = {"type": "boolean"}
    elif dt == "DATE":
        out = {"type": "string", "format": "date"}
    elif dt == "TIMESTAMP":
        out = {"type": "string", "format": "date-time"}
    else:
        out = {"type": "string"}
    words = row.value_maps.get(fdef.name, ({}, {}))[0]
    if fdef.valid:
        out["enum"] = [words.get(v, v) for v in fdef.valid]
    out.update(readOnly=fdef.readonly, nullable=True, mutable=not fdef.readonly)
    out["required"] = False  # Sage: always false in the model
    return out


def model(row: RestObject, fields: tuple[FieldDef, ...]) -> dict[str, Any]:
    """The object's model: top-level `fields`, `groups` (audit, contacts...) and `refs`."""
    top: dict[str, Any] = {"fields": {}, "groups": {}, "refs": {}}
    for fdef in fields:
        rest = row.rest_name(fdef)
        if rest is None:
            continue
        *path, leaf = rest.split(".")
        node = top
        for depth, part in enumerate(path):
            kind = "refs" if depth == len(path) - 1 and leaf in ("id", "key", "name") else "groups"
            node = node[kind].setdefault(part, {"fields": {}, "groups": {}, "refs": {}})
        node["fields"][leaf] = model_type(row, fdef, rest)
    return {
        **_pruned(top),
        "apiObject": row.path,
        "type": "ownedObject" if row.obj.parent else "rootObject",
        "idempotenceSupported": True,
        "httpMethods": "GET,POST,PATCH,DELETE",
        "href": f"/services/core/model?name={row.path}",
    }


def _pruned(node: dict[str, Any]) -> dict[str, Any]:
    return {
        kind: (_pruned_children(value) if kind != "fields" else value)
        for kind, value in node.items()
        if value
    }


def _pruned_children(children: dict[str, Any]) -> dict[str, Any]:
    return {name: _pruned(child) for name, child in children.items()}


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted REST names → nested JSON objects (`contacts.default.email1`)."""
    out: dict[str, Any] = {}
    for name, value in flat.items():
        *path, leaf = name.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def flatten(body: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested JSON objects → dotted names; `nsp::` names and lists stay whole."""
    out: dict[str, Any] = {}
    for name, value in body.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{name}."))
        else:
            out[prefix + name] = value
    return out
