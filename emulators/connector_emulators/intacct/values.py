"""Stored values and their Intacct text forms.

Records are stored as JSON with canonical values so that SQLite can compare them: dates as
`YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS` in UTC, money and decimals as exact decimal
strings, integers as numbers, booleans as `true`/`false`. Empty values are not stored at all.
The gateway renders dates `MM/DD/YYYY` and timestamps `MM/DD/YYYY HH:MM:SS` in the company's time
zone, without a zone, as Intacct does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from .objects import FieldDef

_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
CENT = Decimal("0.01")


class BadValueError(ValueError):
    """A value that does not fit its field's data type."""


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A cached `ZoneInfo`."""
    return ZoneInfo(name)


def parse_date_text(text: str) -> tuple[date, tuple[int, int, int] | None]:
    """Parse `MM/DD/YYYY[ HH:MM[:SS]]` (or ISO) into a date and an optional time of day."""
    text = text.strip()
    m = _DATE_RE.match(text)
    if m:
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
    else:
        m = _ISO_RE.match(text)
        if not m:
            raise BadValueError(f"'{text}' is not a date (expected MM/DD/YYYY)")
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
    try:
        return date(year, month, day), clock
    except ValueError as exc:
        raise BadValueError(f"'{text}' is not a valid date") from exc


def to_stored_date(text: str) -> str:
    """Request date text → stored `YYYY-MM-DD`."""
    return parse_date_text(text)[0].isoformat()


def to_stored_timestamp(text: str, tz: str) -> str:
    """A timestamp typed in the company's zone, stored in UTC."""
    day, clock = parse_date_text(text)
    hour, minute, second = clock or (0, 0, 0)
    try:
        local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone(tz))
    except ValueError as exc:
        raise BadValueError(f"'{text}' is not a valid time") from exc
    return local.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=64)
def stamp(moment: datetime) -> str:
    """The stored form of an aware datetime (cached: every write of a request stamps `now`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def money(value: Decimal) -> str:
    """An amount with two decimals, rounded half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def parse_decimal(text: str) -> Decimal:
    """A finite decimal from request text."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as exc:
        raise BadValueError(f"'{text}' is not a number") from exc
    if not value.is_finite():
        raise BadValueError(f"'{text}' is not a number")
    return value


def parse_bool(text: str) -> str:
    """`true`/`false` from the boolean spellings requests use."""
    lowered = text.strip().lower()
    if lowered in ("true", "t", "1", "yes"):
        return "true"
    if lowered in ("false", "f", "0", "no"):
        return "false"
    raise BadValueError(f"'{text}' is not a boolean (true/false)")


def to_stored(fdef: FieldDef, text: str, tz: str) -> str | int | None:
    """Convert request text to the stored value of `fdef`; empty text means no value."""
    if text is None or text.strip() == "":
        return None
    dt = fdef.datatype
    if dt == "INTEGER":
        number = parse_decimal(text)
        if number != number.to_integral_value():
            raise BadValueError(f"'{text}' is not an integer")
        return int(number)
    if dt == "CURRENCY":
        return money(parse_decimal(text))
    if dt in ("DECIMAL", "PERCENT"):
        return format(parse_decimal(text).normalize(), "f")
    if dt == "BOOLEAN":
        return parse_bool(text)
    if dt == "DATE":
        return to_stored_date(text)
    if dt == "TIMESTAMP":
        return to_stored_timestamp(text, tz)
    return text


def date_renderer() -> Callable[[str], str]:
    """Stored date → `MM/DD/YYYY`."""
    return lambda iso: f"{iso[5:7]}/{iso[8:10]}/{iso[0:4]}"


def timestamp_renderer(tz: str) -> Callable[[str], str]:
    """Render stored UTC timestamps in `tz`; conversions are cached (many rows share seconds)."""
    if tz == "UTC":
        return lambda iso: f"{iso[5:7]}/{iso[8:10]}/{iso[0:4]} {iso[11:19]}"
    target = zone(tz)

    @lru_cache(maxsize=65536)
    def render(iso: str) -> str:
        moment = datetime.strptime(iso, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return moment.astimezone(target).strftime("%m/%d/%Y %H:%M:%S")

    return render


def iso_with_offset(moment: datetime, tz: str) -> str:
    """`2015-12-06T15:57:08-08:00`, the form of sessiontimestamp/sessiontimeout."""
    return moment.astimezone(zone(tz)).replace(microsecond=0).isoformat()


def add_days(iso: str, days: int) -> str:
    """A stored date moved by some days."""
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()
