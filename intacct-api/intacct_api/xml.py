"""Safe XML parsing and the Intacct rendering of Python values.

Responses come from the network: the parser never resolves entities, never loads a DTD, never
touches the network, refuses any DOCTYPE and caps the body size, so external-entity and
entity-expansion attacks fail before any expansion happens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from intacct_api.dates import DATE_FORMAT, DATETIME_FORMAT

MAX_BODY_BYTES = 64 * 1024 * 1024
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


class UnsafeXMLError(ValueError):
    """The document is not plain XML (DOCTYPE, entity declarations) or is too large."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(body: bytes, max_bytes: int = MAX_BODY_BYTES) -> etree._Element:
    """Parse untrusted bytes; raises `UnsafeXMLError` or `etree.XMLSyntaxError`."""
    if len(body) > max_bytes:
        raise UnsafeXMLError(f"XML body of {len(body)} bytes exceeds the {max_bytes}-byte limit")
    first = _FIRST_ELEMENT.search(body)
    prolog = body[: first.start()] if first else body
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise UnsafeXMLError("XML with a DOCTYPE or entity declarations is refused")
    root = etree.fromstring(body, _parser())
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise UnsafeXMLError("XML with a DOCTYPE is refused")
    return root


def format_value(value: Any) -> str:
    """Render a scalar the way Intacct expects it.

    `bool` → `true`/`false`, `Decimal` exactly (no exponent), `date` → `MM/DD/YYYY`, naive
    `datetime` → `MM/DD/YYYY HH:MM:SS`. Aware datetimes are refused: render them with
    `dates.format_datetime(value, company_zone)` so the zone is explicit.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send a non-finite number: {value}")
        return format(value, "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot send a non-finite number: {value}")
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(
                f"aware datetime {value.isoformat()}: format it with "
                "intacct_api.dates.format_datetime(value, company_zone)"
            )
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    raise TypeError(f"cannot render {type(value).__name__} value {value!r} as XML text")


def nest_dotted(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Turn dotted keys into nested dicts: `{"A.B": 1, "A.C": 2}` → `{"A": {"B": 1, "C": 2}}`.

    Key order is kept (first appearance of each prefix); groups given as mappings and as dotted
    keys merge. A name used both for a value and for a group raises `ValueError`.
    """
    nested: dict[str, Any] = {}
    for key, value in fields.items():
        _merge(
            nested, key.split("."), nest_dotted(value) if isinstance(value, Mapping) else value, key
        )
    return nested


def _merge(target: dict[str, Any], path: list[str], value: Any, key: str) -> None:
    head, rest = path[0], path[1:]
    existing = target.get(head)
    if rest or (isinstance(value, dict) and isinstance(existing, dict)):
        if existing is None:
            existing = target[head] = {}
        if not isinstance(existing, dict):
            raise ValueError(f"field {head!r} is given both as a value and as a group ({key})")
        for sub_path, sub_value in (
            [(rest, value)] if rest else [([k], v) for k, v in value.items()]
        ):
            _merge(existing, sub_path, sub_value, key)
    elif isinstance(existing, dict) and value is not None:
        raise ValueError(f"field {head!r} is given both as a value and as a group ({key})")
    elif head not in target or value is not None:
        target[head] = value


def add_child(parent: etree._Element, tag: str, value: Any) -> None:
    """Append `value` under `parent` as `<tag>`: lists repeat the tag, None adds nothing."""
    _add(parent, tag, value, tag)


def to_element(tag: str, value: Any) -> etree._Element:
    """Build `<tag>` from a value: mappings nest (dotted keys too), scalars become text.

    A value that cannot be rendered raises `ValueError` naming its path (`CUSTOMER.NAME`).
    """
    return _build(tag, value, tag)


def _add(parent: etree._Element, tag: str, value: Any, path: str) -> None:
    if value is None:
        return
    if isinstance(value, list | tuple):
        for item in value:
            _add(parent, tag, item, path)
        return
    parent.append(_build(tag, value, path))


def _build(tag: str, value: Any, path: str) -> etree._Element:
    try:
        element = etree.Element(tag)
        if not isinstance(value, Mapping) and value is not None:
            element.text = format_value(value) or None
    except (TypeError, ValueError) as exc:  # bad tag name, unrenderable value, control chars
        raise ValueError(f"{path}: {exc}") from None
    if isinstance(value, Mapping):
        for key, child in nest_dotted(value).items():
            _add(element, key, child, f"{path}.{key}")
    return element


def element_value(element: etree._Element) -> Any:
    """Convert an element to plain data: text (None when empty) or a dict of its children.

    Repeated child tags become lists. Attributes of elements with children (lookup's
    `<Type Name=…>`) are kept under `@name` keys; leaves are read for their text only, which
    keeps a 2,000-row page fast.
    """
    if len(element) == 0:
        return element.text or None
    row: dict[str, Any] = (
        {"@" + str(key): value for key, value in element.items()} if element.attrib else {}
    )
    for child in element:
        value = element_value(child) if len(child) else (child.text or None)
        tag = child.tag
        if tag not in row:
            row[tag] = value
        elif isinstance(row[tag], list):
            row[tag].append(value)
        else:
            row[tag] = [row[tag], value]
    return row
