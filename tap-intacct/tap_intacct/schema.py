"""JSON Schema from `lookup` data types, and the per-field converters derived from a schema.

The converters are computed once per stream from the (possibly catalog-given) schema, so a record
costs one dictionary lookup and one call per field: no per-value type inspection.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from intacct_api import dates
from intacct_api.preferences import Rendering

DELETED_AT = "_sdc_deleted_at"
ENTITY = "ENTITY"

Converter = Callable[[str], Any]

_NUMBER = {"type": ["number", "null"]}
TYPES: dict[str, dict[str, Any]] = {
    "INTEGER": {"type": ["integer", "null"]},
    "CURRENCY": _NUMBER,
    "DECIMAL": _NUMBER,
    "PERCENT": _NUMBER,
    "BOOLEAN": {"type": ["boolean", "null"]},
    "DATE": {"type": ["string", "null"], "format": "date"},
    "TIMESTAMP": {"type": ["string", "null"], "format": "date-time"},
}
STRING = {"type": ["string", "null"]}


def property_schema(datatype: str) -> dict[str, Any]:
    """JSON Schema of one `lookup` field; unknown data types are strings, and all are nullable."""
    return copy.deepcopy(TYPES.get(datatype.strip().upper(), STRING))


def stream_schema(
    fields: Iterable[tuple[str, str]],
    *,
    key_properties: Iterable[str],
    replication_key: str | None,
) -> dict[str, Any]:
    """Schema of a stream from `(field, datatype)` pairs, keys and replication key merged in."""
    properties = {name: property_schema(datatype) for name, datatype in fields}
    for key in key_properties:
        properties.setdefault(key, property_schema("TEXT" if key == ENTITY else "INTEGER"))
    if replication_key:
        properties.setdefault(replication_key, property_schema("TIMESTAMP"))
    properties[DELETED_AT] = property_schema("TIMESTAMP")
    return {"type": "object", "properties": properties}


def _types(prop: Mapping[str, Any]) -> set[str]:
    declared = prop.get("type", "string")
    return {declared} if isinstance(declared, str) else set(declared)


def to_integer(text: str) -> int:
    """INTEGER text → int."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"not an integer: {text!r}") from None


def to_decimal(text: str) -> Decimal:
    """Money and decimals stay exact: text → Decimal, never float."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


_BOOLEANS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False}


@lru_cache(maxsize=64)  # a handful of spellings: a hit costs no Python frame
def to_boolean(text: str) -> bool:
    """Intacct writes booleans as true/false on some objects and T/F on others."""
    try:
        return _BOOLEANS[text.lower()]
    except KeyError:
        raise ValueError(f"not a boolean (true/false, T/F): {text!r}") from None


def date_converter(rendering: Rendering) -> Converter:
    """A date in the API user's date format → `YYYY-MM-DD`.

    Values repeat (a ledger's lines share their entry's date), so conversions are cached.
    """

    @lru_cache(maxsize=8192)
    def to_iso_date(text: str) -> str:
        parsed = dates.parse_date(text, rendering.style)
        assert parsed is not None  # empty values never reach a converter
        return parsed.isoformat()

    return to_iso_date


def datetime_converter(rendering: Rendering) -> Converter:
    """A timestamp as Intacct renders it for the API user → ISO 8601 UTC.

    Values repeat (many rows share a second), so conversions are cached.
    """

    @lru_cache(maxsize=8192)
    def to_iso_datetime(text: str) -> str:
        parsed = dates.parse_datetime(text, rendering.zone, rendering.style)
        assert parsed is not None
        return parsed.isoformat()

    return to_iso_datetime


def converter_for(
    prop: Mapping[str, Any], to_datetime: Converter, to_date: Converter
) -> Converter | None:
    """The converter of one property, or None when the text is kept as it is."""
    types = _types(prop)
    if "integer" in types:
        return to_integer
    if "number" in types:
        return to_decimal
    if "boolean" in types:
        return to_boolean
    if "string" in types and prop.get("format") == "date-time":
        return to_datetime
    if "string" in types and prop.get("format") == "date":
        return to_date
    return None


def split_decimals(
    typed: Iterable[tuple[str, Converter]],
) -> tuple[list[tuple[str, Converter]], list[str]]:
    """The typed fields as (name, callable) pairs and the names of the decimal ones.

    Integers go to `int` itself, which accepts what `to_integer` accepts; decimals are converted
    inline by the reader (`Decimal` and a finiteness check, as `to_decimal`). A record costs no
    Python frame per integer or decimal value; when one fails, the field's own converter is run
    on it for the message.
    """
    calls: list[tuple[str, Converter]] = []
    decimals: list[str] = []
    for name, convert in typed:
        if convert is to_decimal:
            decimals.append(name)
        else:
            calls.append((name, int if convert is to_integer else convert))
    return calls, decimals


def converters(schema: Mapping[str, Any], rendering: Rendering) -> dict[str, Converter | None]:
    """One converter (or None) per property of a stream schema."""
    to_datetime, to_date = datetime_converter(rendering), date_converter(rendering)
    return {
        name: converter_for(prop, to_datetime, to_date)
        for name, prop in schema.get("properties", {}).items()
    }
