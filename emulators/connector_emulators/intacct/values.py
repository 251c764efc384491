"""Stored values and their Intacct text forms.

Records are stored as JSON with canonical values so that SQLite can compare them: dates as
`YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS` in UTC, money and decimals as exact decimal
strings, integers as numbers, booleans as `true`/`false`. Empty values are not stored at all.
The gateway renders dates and timestamps as the API user's preferences say (`Formatting`): the
date format (`/mdY`, `MM/DD/YYYY`, by default), then ` HH:MM:SS` (24-hour) for timestamps, in the
user's time zone, without a zone; requests are read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .objects import FieldDef

DEFAULT_DATEFORMAT = "/mdY"
DATE_SEPARATORS = "/.-"
CLOCK = 24  # times are rendered HH:MM:SS; Sage does not document its 12-hour rendering
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):(\d{2})$")
# A date format's letters: the regex group that reads it, the slice of a stored date that shows
# it, and its strftime directive.
_PARTS = {
    "m": (r"(?P<m>\d{1,2})", (5, 7), "%m"),
    "d": (r"(?P<d>\d{1,2})", (8, 10), "%d"),
    "Y": (r"(?P<Y>\d{4})", (0, 4), "%Y"),
    "y": (r"(?P<y>\d{2})", (2, 4), "%y"),
}
_SHOWN = {"m": "MM", "d": "DD", "Y": "YYYY", "y": "YY"}
_TIME = r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
CENT = Decimal("0.01")


class BadValueError(ValueError):
    """A value that does not fit its field's data type."""


@dataclass(frozen=True)
class Formatting:
    """The API user's preferences that shape dates in requests and answers."""

    tz: str = "UTC"
    dateformat: str = DEFAULT_DATEFORMAT

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Formatting:
        """From a company's settings (`Store.company`)."""
        return cls(settings["timezone"], settings["dateformat"])


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """A cached time zone: an IANA name, or a fixed GMT offset `+hh:mm` / `-hh:mm`.

    Raises `ZoneInfoNotFoundError` or `ValueError` for anything else.
    """
    m = _OFFSET_RE.match(name)
    if m is None:
        return ZoneInfo(name)
    offset = timedelta(hours=int(m[2]), minutes=int(m[3]))
    if int(m[3]) > 59 or offset > timedelta(hours=14):
        raise ValueError(f"GMT offset {name} is out of range (-14:00 to +14:00)")
    return timezone(-offset if m[1] == "-" else offset)


def gmt_offset(moment: datetime, tz: str) -> str:
    """The zone's offset at `moment` as `+hh:mm` / `-hh:mm`."""
    minutes = int((moment.astimezone(zone(tz)).utcoffset() or timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_dateformat(text: str) -> str:
    """A valid date format: a separator (`/`, `.` or `-`), then m, d and y or Y in some order."""
    if (
        len(text) != 4
        or text[0] not in DATE_SEPARATORS
        or sorted(text[1:].replace("Y", "y")) != ["d", "m", "y"]
    ):
        raise ValueError(
            f"invalid date format {text!r}: a separator (one of {DATE_SEPARATORS}) then the "
            "letters m, d and y (two-digit year) or Y (four-digit year) in display order, "
            "e.g. /mdY or -Ymd"
        )
    return text


def shown_format(dateformat: str) -> str:
    """`/mdY` → `MM/DD/YYYY`, for error messages."""
    return dateformat[0].join(_SHOWN[c] for c in dateformat[1:])


@lru_cache(maxsize=16)
def _date_pattern(dateformat: str) -> re.Pattern[str]:
    """The regex of a date in `dateformat`, with an optional ` HH:MM[:SS]`."""
    sep = re.escape(dateformat[0])
    return re.compile("^" + sep.join(_PARTS[c][0] for c in dateformat[1:]) + _TIME)


def parse_date_text(
    text: str, dateformat: str = DEFAULT_DATEFORMAT
) -> tuple[date, tuple[int, int, int] | None]:
    """Parse a date in `dateformat` (or ISO) with an optional time of day.

    A two-digit year means 1969-2068, as POSIX `strptime` reads it.
    """
    text = text.strip()
    m = _date_pattern(dateformat).match(text)
    if m:
        parts = m.groupdict()
        short = parts.get("y")
        year = (
            int(parts["Y"]) if short is None else int(short) + (1900 if int(short) > 68 else 2000)
        )
        month, day = int(parts["m"]), int(parts["d"])
        clock = (int(m["H"]), int(m["M"]), int(m["S"] or 0)) if m["H"] else None
    else:
        m = _ISO_RE.match(text)
        if not m:
            raise BadValueError(f"'{text}' is not a date (expected {shown_format(dateformat)})")
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        clock = (int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
    try:
        return date(year, month, day), clock
    except ValueError as exc:
        raise BadValueError(f"'{text}' is not a valid date") from exc


def to_stored_date(text: str, dateformat: str = DEFAULT_DATEFORMAT) -> str:
    """Request date text → stored `YYYY-MM-DD`."""
    return parse_date_text(text, dateformat)[0].isoformat()


def to_stored_timestamp(text: str, fmt: Formatting) -> str:
    """A timestamp typed in the user's date format and time zone, stored in UTC."""
    day, clock = parse_date_text(text, fmt.dateformat)
    hour, minute, second = clock or (0, 0, 0)
    try:
        local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone(fmt.tz))
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


def to_stored(fdef: FieldDef, text: str, fmt: Formatting) -> str | int | None:
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
        return to_stored_date(text, fmt.dateformat)
    if dt == "TIMESTAMP":
        return to_stored_timestamp(text, fmt)
    return text


@lru_cache(maxsize=16)
def date_renderer(dateformat: str = DEFAULT_DATEFORMAT) -> Callable[[str], str]:
    """Stored date → its text in `dateformat` (`/mdY`: `MM/DD/YYYY`)."""
    sep = dateformat[0]
    (a, b), (c, d), (e, f) = (_PARTS[letter][1] for letter in dateformat[1:])
    return lambda iso: f"{iso[a:b]}{sep}{iso[c:d]}{sep}{iso[e:f]}"


def timestamp_renderer(fmt: Formatting) -> Callable[[str], str]:
    """Render stored UTC timestamps in the user's zone and date format, then ` HH:MM:SS`.

    Conversions out of UTC are cached (many rows share seconds).
    """
    sep = fmt.dateformat[0]
    if fmt.tz == "UTC":
        (a, b), (c, d), (e, f) = (_PARTS[letter][1] for letter in fmt.dateformat[1:])
        return lambda iso: f"{iso[a:b]}{sep}{iso[c:d]}{sep}{iso[e:f]} {iso[11:19]}"
    target = zone(fmt.tz)
    pattern = sep.join(_PARTS[letter][2] for letter in fmt.dateformat[1:]) + " %H:%M:%S"

    @lru_cache(maxsize=65536)
    def render(iso: str) -> str:
        moment = datetime.strptime(iso, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return moment.astimezone(target).strftime(pattern)

    return render


def iso_with_offset(moment: datetime, tz: str) -> str:
    """`2015-12-06T15:57:08-08:00`, the form of sessiontimestamp/sessiontimeout."""
    return moment.astimezone(zone(tz)).replace(microsecond=0).isoformat()


def add_days(iso: str, days: int) -> str:
    """A stored date moved by some days."""
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()
