"""Intacct's date, time and money formats.

Intacct renders timestamps as `MM/DD/YYYY HH:MM:SS` without a zone, dates as `MM/DD/YYYY`, and
session times as ISO 8601 with an offset. The company's zone is configuration (default UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

DATETIME_FORMAT = "%m/%d/%Y %H:%M:%S"
DATE_FORMAT = "%m/%d/%Y"


def zone(tz: str | tzinfo | None) -> tzinfo:
    """Resolve a zoneinfo name (or tzinfo) to a tzinfo; None and "UTC" mean UTC."""
    if tz is None or tz == "UTC":
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    return ZoneInfo(tz)


def parse_datetime(text: str | None, tz: str | tzinfo | None = "UTC") -> datetime | None:
    """Parse an Intacct timestamp rendered in zone `tz` into an aware UTC datetime.

    Accepts `MM/DD/YYYY HH:MM:SS`, `MM/DD/YYYY` (midnight) and ISO 8601; an ISO value with an
    offset keeps its own offset. Empty text gives None.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    for fmt in (DATETIME_FORMAT, DATE_FORMAT):
        try:
            naive = datetime.strptime(text, fmt)  # noqa: DTZ007 - the zone is applied below
        except ValueError:
            continue
        return naive.replace(tzinfo=zone(tz)).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an Intacct date-time (MM/DD/YYYY HH:MM:SS): {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    return parsed.astimezone(UTC)


def format_datetime(value: datetime, tz: str | tzinfo | None = "UTC") -> str:
    """Render a datetime as `MM/DD/YYYY HH:MM:SS` in zone `tz` (a naive value is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz)).strftime(DATETIME_FORMAT)


def parse_date(text: str | None) -> date | None:
    """Parse `MM/DD/YYYY` (Intacct) or `YYYY-MM-DD` (ISO, also with a time part) into a date."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        return datetime.strptime(text[:10], DATE_FORMAT).date()  # noqa: DTZ007 - a plain date
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not a date (MM/DD/YYYY or YYYY-MM-DD): {text!r}") from None


def format_date(value: date) -> str:
    """Render a date as `MM/DD/YYYY` (a datetime keeps only its date part)."""
    return value.strftime(DATE_FORMAT)


def parse_decimal(text: str | None) -> Decimal | None:
    """Parse an amount exactly; empty text gives None."""
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite decimal number: {text!r}")
    return value
