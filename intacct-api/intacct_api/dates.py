"""Intacct's date, time and money formats.

Intacct renders timestamps without a zone, in the API user's preferences: a date format
(`MM/DD/YYYY` unless the user chose another, see `DateStyle`), a 24-hour `HH:MM:SS` and the
user's GMT offset (`intacct_api.preferences` reads them). Session times are ISO 8601 with an
offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cached_property
from zoneinfo import ZoneInfo

DATETIME_FORMAT = "%m/%d/%Y %H:%M:%S"
DATE_FORMAT = "%m/%d/%Y"
_DIRECTIVES = {"m": "%m", "d": "%d", "Y": "%Y"}
_SHOWN = {"m": "MM", "d": "DD", "Y": "YYYY"}
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class DateStyle:
    """How Intacct writes dates for the API user: a separator and the order of month, day, year.

    Built from the user's `dateformat` preference (`/mdY` is MM/DD/YYYY, `.dmY` DD.MM.YYYY,
    `-Ymd` YYYY-MM-DD). Two-digit years (`y`) are refused: they cannot be read back exactly.
    """

    separator: str = "/"
    order: str = "mdY"

    @classmethod
    def parse(cls, dateformat: str) -> DateStyle:
        separator, order = dateformat[:1], dateformat[1:]
        if sorted(order) == sorted("mdy"):
            msg = f"dateformat {dateformat!r} has a two-digit year"
            raise ValueError(msg)
        if len(dateformat) != 4 or separator.isalnum() or sorted(order) != sorted("mdY"):
            msg = f"dateformat {dateformat!r} is not a separator and the letters m, d, Y"
            raise ValueError(msg)
        return cls(separator, order)

    @cached_property
    def date_format(self) -> str:
        separator = self.separator.replace("%", "%%")
        return separator.join(_DIRECTIVES[letter] for letter in self.order)

    @cached_property
    def datetime_format(self) -> str:
        return self.date_format + " %H:%M:%S"

    def __str__(self) -> str:
        return self.separator.join(_SHOWN[letter] for letter in self.order)

    def timestamp_fields(self, text: str) -> tuple[int, int, int, int, int, int] | None:
        """(year, month, day, hour, minute, second) of a full-width timestamp, else None."""
        if len(text) != 19 or not text.isascii() or text[10] != " " or text[13] + text[16] != "::":
            return None
        parts = text[:10].split(self.separator)
        clock = (text[11:13], text[14:16], text[17:19])
        widths = [4 if letter == "Y" else 2 for letter in self.order]
        if [len(p) for p in parts] != widths or not all(p.isdigit() for p in (*parts, *clock)):
            return None
        by_letter = dict(zip(self.order, parts, strict=True))
        hour, minute, second = (int(p) for p in clock)
        return int(by_letter["Y"]), int(by_letter["m"]), int(by_letter["d"]), hour, minute, second


US_STYLE = DateStyle()


def zone(tz: str | tzinfo | None) -> tzinfo:
    """Resolve a zone: a tzinfo, a zoneinfo name or a fixed GMT offset `+hh:mm`.

    None and "UTC" mean UTC. A fixed offset is what Intacct's time zone preference holds.
    """
    if tz is None or tz == "UTC":
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    offset = _OFFSET.fullmatch(tz)
    if offset:
        sign = -1 if offset[1] == "-" else 1
        return timezone(sign * timedelta(hours=int(offset[2]), minutes=int(offset[3])))
    return ZoneInfo(tz)


def parse_datetime(
    text: str | None, tz: str | tzinfo | None = "UTC", style: DateStyle = US_STYLE
) -> datetime | None:
    """Parse an Intacct timestamp rendered in zone `tz` into an aware UTC datetime.

    Accepts the style's date with `HH:MM:SS`, its date alone (midnight) and ISO 8601; an ISO
    value with an offset keeps its own offset. Empty text gives None.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    fields = style.timestamp_fields(text)
    if fields is not None:  # the usual `MM/DD/YYYY HH:MM:SS`, read without strptime
        try:
            return datetime(*fields, tzinfo=zone(tz)).astimezone(UTC)
        except ValueError:
            pass  # out of range: strptime's error below names the value
    for fmt in (style.datetime_format, style.date_format):
        try:
            naive = datetime.strptime(text, fmt)  # noqa: DTZ007 - the zone is applied below
        except ValueError:
            continue
        return naive.replace(tzinfo=zone(tz)).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        msg = f"not an Intacct date-time ({style} HH:MM:SS): {text!r}"
        raise ValueError(msg) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    return parsed.astimezone(UTC)


def format_datetime(
    value: datetime, tz: str | tzinfo | None = "UTC", style: DateStyle = US_STYLE
) -> str:
    """Render a datetime as Intacct reads it, in zone `tz` (a naive value is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz)).strftime(style.datetime_format)


def parse_date(text: str | None, style: DateStyle = US_STYLE) -> date | None:
    """Parse a date in the style (Intacct) or `YYYY-MM-DD` (ISO, also with a time part)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        return datetime.strptime(text[:10], style.date_format).date()  # noqa: DTZ007 - a date
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not a date ({style} or YYYY-MM-DD): {text!r}") from None


def format_date(value: date, style: DateStyle = US_STYLE) -> str:
    """Render a date as Intacct reads it (a datetime keeps only its date part)."""
    return value.strftime(style.date_format)


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
