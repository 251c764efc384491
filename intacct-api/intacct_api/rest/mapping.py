"""XML names and values ↔ REST names and values, per object.

`objects.json` maps each XML object to its REST path and each XML field to its REST name (Sage
publishes the object map; field names come from its OpenAPI examples); custom fields are
`nsp::<NAME>` everywhere. The REST model service says each field's type, from which values are
converted: over REST the connectors see the same text the XML gateway gives a user whose date
format is `YYYY-MM-DD` and whose time zone is UTC, so tap-intacct and target-intacct handle both
transports with one code path (see `transport.REST_FORMATTING`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

CUSTOM_PREFIX = "nsp::"
AUDIT_USERS = ("audit.createdBy", "audit.modifiedBy")


@dataclass(frozen=True)
class FieldType:
    """A REST field's type as the model service gives it."""

    type: str = "string"
    format: str = ""

    @property
    def xml_datatype(self) -> str:
        """The XML gateway's data type of the same field (`lookup`'s DATATYPE)."""
        if self.type == "boolean":
            return "BOOLEAN"
        if self.type == "integer":
            return "INTEGER"
        if self.type == "number":
            return "DECIMAL"
        if self.format == "date":
            return "DATE"
        if self.format == "date-time":
            return "TIMESTAMP"
        if self.format == "decimal-precision-2":
            return "CURRENCY"
        if self.format.startswith("decimal"):
            return "DECIMAL"
        return "TEXT"


@dataclass(frozen=True)
class ObjectMap:
    """One object: its REST path, XML field → REST name, enum spellings."""

    xml: str
    path: str
    fields: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id_field: str | None = None

    @property
    def to_xml(self) -> dict[str, str]:
        return _reversed(self.path, tuple(self.fields.items()))

    def rest_name(self, xml_field: str, custom: frozenset[str] = frozenset()) -> str | None:
        if xml_field in self.fields:
            return self.fields[xml_field]
        return CUSTOM_PREFIX + xml_field if xml_field in custom else None

    def xml_name(self, rest: str) -> str | None:
        if rest.startswith(CUSTOM_PREFIX):
            return rest[len(CUSTOM_PREFIX) :]
        return self.to_xml.get(rest)

    def to_rest_value(self, xml_field: str, text: str, kind: FieldType) -> Any:
        """XML request text (ISO dates, UTC times) → the REST JSON value of `kind`."""
        text = self.values.get(xml_field, {}).get(text, text)
        if kind.type == "boolean":
            return text.strip().lower() in ("true", "t", "1", "yes")
        if kind.type == "integer":
            return int(text)
        if kind.type == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind.format == "date-time" and " " in text:
            return text.replace(" ", "T") + "Z"
        return text

    def to_xml_text(self, xml_field: str, value: Any, kind: FieldType) -> Any:
        """A REST JSON value → the text the XML gateway would answer (None stays None)."""
        if value is None or isinstance(value, dict | list):
            return value
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif kind.format == "date-time" and isinstance(value, str) and "T" in value:
            text = value.replace("T", " ").removesuffix("Z")[:19]
        else:
            text = str(value)
        reverse = _reverse_values(
            self.path, xml_field, tuple(self.values.get(xml_field, {}).items())
        )
        return reverse.get(text, text)


@cache
def _reversed(path: str, pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {rest: xml for xml, rest in pairs}


@cache
def _reverse_values(path: str, name: str, pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {rest: xml for xml, rest in pairs}


@cache
def object_maps() -> dict[str, ObjectMap]:
    """Every object the REST transport serves, by XML name."""
    text = resources.files("intacct_api.rest").joinpath("objects.json").read_text("utf-8")
    data = json.loads(text)["objects"]
    return {
        name: ObjectMap(
            name, entry["path"], entry["fields"], entry.get("values", {}), entry.get("id_field")
        )
        for name, entry in data.items()
    }


def object_map(xml_object: str) -> ObjectMap | None:
    """The REST map of an XML object (any case), None when REST does not serve it."""
    return object_maps().get(xml_object.strip().upper())


def model_fields(model: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, FieldType]]:
    """(dotted REST name, type) of every field in a model's `fields`, `groups` and `refs`."""
    for name, spec in (model.get("fields") or {}).items():
        if isinstance(spec, dict):
            yield (
                prefix + name,
                FieldType(str(spec.get("type") or "string"), str(spec.get("format") or "")),
            )
    for kind in ("groups", "refs"):
        for name, child in (model.get(kind) or {}).items():
            if isinstance(child, dict):
                yield from model_fields(child, f"{prefix}{name}.")


def xml_datatype(rest: str, kind: FieldType) -> str:
    """A REST field's XML data type; keys and audit users are numbers in XML, strings in REST."""
    if rest == "key" or rest.endswith(".key") or rest in AUDIT_USERS:
        return "INTEGER"
    return kind.xml_datatype
