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
from datetime import UTC, date, datetime, tzinfo
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from intacct_api import dates

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
class Rendition:
    """How dates and times are written in the functions' text: the API user's rendering.

    Over REST alone that is ISO dates and UTC (`ISO`); with an XML fallback, the XML user's
    preferences, so rows from both transports read alike.
    """

    zone: tzinfo = UTC
    style: dates.DateStyle = field(default_factory=lambda: dates.DateStyle("-", "Ymd"))

    @property
    def plain(self) -> bool:
        return self.zone is UTC and self.style == ISO_STYLE


ISO_STYLE = dates.DateStyle("-", "Ymd")
ISO = Rendition(UTC, ISO_STYLE)


@lru_cache(maxsize=65536)
def text_of_datetime(value: str, rendition: Rendition) -> str:
    """`2026-10-01T08:00:16Z` → the rendition's text (`10/01/2026 01:00:16` at -07:00)."""
    if rendition.plain:
        return value.replace("T", " ").removesuffix("Z")[:19]
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dates.format_datetime(moment, rendition.zone, rendition.style)


@lru_cache(maxsize=4096)
def text_of_date(value: str, rendition: Rendition) -> str:
    """`2026-09-01` → the rendition's date text."""
    if rendition.style == ISO_STYLE:
        return value
    return dates.format_date(date.fromisoformat(value[:10]), rendition.style)


def rest_datetime(text: str, rendition: Rendition) -> str:
    """The rendition's text of a moment → REST's `YYYY-MM-DDTHH:MM:SSZ`."""
    moment = dates.parse_datetime(text, rendition.zone, rendition.style)
    if moment is None:
        raise ValueError("an empty date-time")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rest_date(text: str, rendition: Rendition) -> str:
    """The rendition's date text → `YYYY-MM-DD`."""
    day = dates.parse_date(text, rendition.style)
    if day is None:
        raise ValueError("an empty date")
    return day.isoformat()


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

    def to_rest_value(
        self, xml_field: str, text: str, kind: FieldType, rendition: Rendition = ISO
    ) -> Any:
        """XML request text (dates in the rendition) → the REST JSON value of `kind`."""
        text = self.values.get(xml_field, {}).get(text, text)
        if kind.type == "boolean":
            return text.strip().lower() in ("true", "t", "1", "yes")
        if kind.type == "integer":
            return int(text)
        if kind.type == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind.format == "date-time":
            return rest_datetime(text, rendition)
        if kind.format == "date":
            return rest_date(text, rendition)
        return text

    def to_xml_text(
        self, xml_field: str, value: Any, kind: FieldType, rendition: Rendition = ISO
    ) -> Any:
        """A REST JSON value → the text the XML gateway would answer (None stays None)."""
        if value is None or isinstance(value, dict | list):
            return value
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif kind.format == "date-time" and isinstance(value, str) and "T" in value:
            text = text_of_datetime(value, rendition)
        elif kind.format == "date" and isinstance(value, str):
            text = text_of_date(value, rendition)
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
