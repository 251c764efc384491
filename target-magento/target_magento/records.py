"""Reading Intacct records: text, money, status, slugs, and the `Rejection` a bad record raises."""

from __future__ import annotations

import re
import typing as t
import unicodedata
from decimal import Decimal, InvalidOperation

from singer_rejects import decimal_places

CHUNK = 100  # values per `in` filter: keeps URLs short and under Magento's page-size limit


class Rejection(Exception):  # noqa: N818 - it is an outcome, not a failure of the target
    """A record that cannot be written; `field` names the Intacct field at fault."""

    def __init__(
        self,
        reason: str,
        field: str | None = None,
        magento_message: str | None = None,
        *,
        line: int | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.magento_message = magento_message
        # the input line it came on, for a line that could not be read whole (its text when
        # no record could be read from it)
        self.line = line
        self.text = text


class Skip(Exception):  # noqa: N818 - an outcome: nothing to write, and nothing wrong
    """A record that needs no write; the reason is logged and counted as skipped."""


def text(record: t.Mapping[str, t.Any], field: str) -> str | None:
    """The field as stripped text, `None` when absent or blank."""
    value = record.get(field)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def required(record: t.Mapping[str, t.Any], field: str, what: str) -> str:
    """The field as text, or a `Rejection` naming it."""
    value = text(record, field)
    if value is None:
        msg = f"{what} is required ({field} is empty)"
        raise Rejection(msg, field)
    return value


def decimal(record: t.Mapping[str, t.Any], field: str) -> Decimal | None:
    """The field as an exact `Decimal` (JSON numbers arrive as Decimal, int or text)."""
    value = record.get(field)
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        msg = f"{field} is not a number: {value!r}"
        raise Rejection(msg, field) from None


def within_places(value: Decimal, places: int, field: str, kept_as: str) -> Decimal:
    """The value, or a `Rejection` when Magento would round it (it keeps `places` decimals)."""
    needed = decimal_places(value)
    if needed > places:
        msg = (
            f"{field} has {needed} decimal places; Magento keeps {places} for {kept_as} and "
            "would round it"
        )
        raise Rejection(msg, field)
    return value


def is_active(record: t.Mapping[str, t.Any]) -> bool:
    """Intacct STATUS: `active` / `inactive` (also `T`/`F` from some objects); absent is active."""
    status = (text(record, "STATUS") or "active").lower()
    return status not in {"inactive", "false", "f"}


def is_deleted(record: t.Mapping[str, t.Any]) -> bool:
    """tap-intacct marks deletions with `_sdc_deleted_at`."""
    return bool(record.get("_sdc_deleted_at"))


def slug(value: str) -> str:
    """URL-safe ASCII: accents folded, anything else collapsed to single dashes."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def url_key(name: str | None, identifier: str) -> str:
    """`slug(name)-slug(id)`: unique per Intacct id even when names repeat."""
    parts = [part for part in (slug(name or ""), slug(identifier)) if part]
    return "-".join(parts) or "item"


def chunks(values: list, size: int = CHUNK) -> t.Iterator[list]:
    """Consecutive slices of at most `size` values."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def same_number(left: object, right: object) -> bool:
    """Compare Magento's float answers with our Decimals without float noise."""
    if left is None or right is None:
        return left is None and right is None
    try:
        return Decimal(str(left)) == Decimal(str(right))
    except InvalidOperation:
        return False


def custom_attribute(entity: t.Mapping[str, t.Any], code: str) -> t.Any:
    """The value of one of Magento's `custom_attributes`, or None."""
    for attribute in entity.get("custom_attributes") or []:
        if attribute.get("attribute_code") == code:
            return attribute.get("value")
    return None
