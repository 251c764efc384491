"""Turn an input record into the fields Intacct accepts, with errors that name the field.

Values arrive as tap-intacct emits them: strings, exact `Decimal` amounts, ISO dates (parsed
into `date`/`datetime` by the SDK when the schema says so) or Intacct's `MM/DD/YYYY`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from intacct_api.dates import DateStyle, format_date, parse_date

from target_intacct.objects import Lines, WriteSpec

MULTI_PICK_GLUE = "#~#"
CENT = Decimal("0.01")
# Characters XML 1.0 cannot carry at all (control characters other than tab, CR, LF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class RecordError(ValueError):
    """A record Intacct would refuse, found before sending; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Item:
    """One input record on its way to Intacct."""

    record: dict[str, Any]
    source_key: Any
    deleted: bool
    fields: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    match_value: str | None = None
    skipped: bool = False
    # a header whose lines have not come: updated alone if Intacct holds it, else it waits
    waits_for_lines: bool = False


def lookup(record: Mapping[str, Any], name: str) -> Any:
    """A field by its Intacct name: flat dotted (`DISPLAYCONTACT.EMAIL1`) or nested dicts."""
    if name in record:
        return record[name]
    head, _, rest = name.partition(".")
    inner = record.get(head)
    if rest and isinstance(inner, Mapping):
        return lookup(inner, rest)
    return None


def first(record: Mapping[str, Any], names: Iterable[str]) -> Any:
    """The first non-empty value among alternative field names."""
    for name in names:
        value = lookup(record, name)
        if value is not None and value != "":
            return value
    return None


def is_blank(value: Any) -> bool:
    """None or whitespace-only text: a field the record leaves empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def same_value(new: Any, stored: Any, style: DateStyle) -> bool:
    """Whether a value to write equals Intacct's text for it; in doubt, it differs.

    Numbers compare as numbers (`5000.1` equals `5000.10`), booleans as `true`/`false` and
    dates as Intacct renders them (`style`); text must match exactly, so `007` never equals `7`.
    """
    if is_blank(new):
        return is_blank(stored)
    if not isinstance(stored, str):
        return False
    if isinstance(new, date):
        return format_date(new, style) == stored
    if isinstance(new, bool):
        return stored.lower() == str(new).lower()
    if isinstance(new, int | float | Decimal):
        try:
            return Decimal(stored) == Decimal(str(new))
        except InvalidOperation:
            return False
    return isinstance(new, str) and new == stored


def as_date(value: Any, field: str) -> date:
    """A date from `date`, `datetime`, `MM/DD/YYYY` or ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(str(value))
    except ValueError as exc:
        raise RecordError(field, str(exc)) from None
    if parsed is None:
        raise RecordError(field, "a date is required")
    return parsed


def as_decimal(value: Any, field: str) -> Decimal:
    """An exact amount; floats never reach here because the reader parses numbers as Decimal."""
    if isinstance(value, bool):
        raise RecordError(field, f"not a number: {value!r}")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise RecordError(field, f"not a number: {value!r}") from None
    if not amount.is_finite():
        raise RecordError(field, f"not a finite number: {value!r}")
    return amount


def as_money(value: Any, field: str) -> Decimal:
    """An exact amount in cents; a finer one is refused, never rounded.

    Intacct keeps two decimals: rounded journal lines that summed to zero may no longer balance.
    """
    amount = as_decimal(value, field)
    try:
        in_cents = amount == amount.quantize(CENT)
    except InvalidOperation:
        raise RecordError(field, f"too many digits: {value!r}") from None
    if not in_cents:
        raise RecordError(
            field, f"has more than two decimal places ({amount}); round it to cents at the source"
        )
    return amount


def intacct_value(value: Any) -> Any:
    """One generic field value: multi-pick lists glued by `#~#`; a datetime keeps its date.

    Dates stay `date`s until the payload is built (`render_dates`), in the API user's format.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return MULTI_PICK_GLUE.join(str(v) for v in value)
    return value


def render_dates(value: Any, style: DateStyle) -> Any:
    """A payload with every `date` written as Intacct reads dates for the API user."""
    if isinstance(value, date):
        return format_date(value, style)
    if isinstance(value, Mapping):
        return {name: render_dates(item, style) for name, item in value.items()}
    if isinstance(value, list):
        return [render_dates(item, style) for item in value]
    return value


def check_xml_text(value: Any, field: str) -> None:
    """Refuse text with control characters: no XML request can carry them."""
    if isinstance(value, str):
        found = NOT_XML.search(value)
        if found:
            raise RecordError(
                field, f"contains a control character ({found.group()!r}) XML cannot carry"
            )
    elif isinstance(value, Mapping):
        for name, item in value.items():
            check_xml_text(item, f"{field}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_xml_text(item, f"{field}[{index}]")


def writable_fields(spec: WriteSpec, record: Mapping[str, Any], skip: Iterable[str] = ()) -> dict:
    """The record without read-only and system fields (flat, dotted names kept)."""
    skipped = set(skip)
    return {
        name: value
        for name, value in record.items()
        if not spec.is_read_only(name) and name not in skipped
    }


def record_lines(lines: Lines, record: Mapping[str, Any]) -> tuple[str, list[dict]]:
    """The line array of a transaction record and the field it came from.

    Accepts a list of line dicts, or the shape Intacct reads return (`{"arinvoiceitem": [...]}`).
    """
    for name in lines.record_fields:
        value = record.get(name)
        if value is None:
            continue
        if isinstance(value, Mapping) and len(value) == 1:
            value = next(iter(value.values()))
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise RecordError(name, "must be an array of line objects")
        return name, [dict(v) for v in value]
    return lines.record_fields[0], []


def content_hash(parts: Sequence[Any]) -> str:
    """A stable digest of JSON-able parts (Decimals and dates as text)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
