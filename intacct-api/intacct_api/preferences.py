"""The API user's date and time preferences, which every date Intacct sends or reads follows.

Intacct renders dates in the user's date format and times in the user's GMT offset (a fixed
offset the user changes by hand: Intacct does not follow daylight saving time), on its 12- or
24-hour clock. `readUserFormatting` tells them; `rendering` turns them into what the connectors
parse and format with.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from intacct_api import dates, functions
from intacct_api.errors import ControlError, FunctionError, IntacctError

if TYPE_CHECKING:
    from intacct_api.transport import Transport

logger = logging.getLogger(__name__)


class UnsupportedFormattingError(IntacctError):
    """The API user's preferences render dates or times in a way that cannot be read exactly."""


@dataclass(frozen=True)
class UserFormatting:
    """One user's `readUserFormatting` answer."""

    locale: str
    dateformat: str
    gmtoffset: str
    clock: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> UserFormatting:
        """From the answer's `<userformatting>` element (its children, any case)."""
        values = {str(name).lower(): value for name, value in row.items()}
        return cls(
            locale=str(values.get("locale") or ""),
            dateformat=str(values.get("dateformat") or "/mdY"),
            gmtoffset=str(values.get("gmtoffset") or "+00:00"),
            clock=int(values.get("clock") or 24),
        )


@dataclass(frozen=True)
class Rendering:
    """How Intacct writes dates and times for a session: the zone and the date style."""

    zone: tzinfo = UTC
    style: dates.DateStyle = field(default_factory=dates.DateStyle)

    def __str__(self) -> str:
        offset = datetime.now(UTC).astimezone(self.zone).strftime("%z")
        return f"{self.style} HH:MM:SS, GMT{offset[:3]}:{offset[3:]} ({self.zone})"


def read_user_formatting(client: Transport) -> UserFormatting | None:
    """The session user's preferences; None when Intacct does not answer them for this user."""
    try:
        result = client.call(functions.read_user_formatting(client.credentials.user_id))
    except (FunctionError, ControlError) as exc:
        if isinstance(exc, ControlError) and client.endpoint is None:
            raise  # the login itself was refused
        logger.warning("Intacct did not give the API user's date and time preferences: %s", exc)
        return None
    rows = result.records()
    if not rows:
        logger.warning("Intacct gave no date and time preferences for the API user")
        return None
    return UserFormatting.from_row(rows[0])


def rendering(client: Transport, timezone: str | None) -> Rendering:
    """The zone and date style of the API user's answers.

    The zone is `timezone` when it is set (a zone name or `+hh:mm`), else the user's GMT offset.
    Without an answer (the user may not read its preferences), Intacct's defaults are assumed:
    MM/DD/YYYY and `timezone` or UTC. A 12-hour clock or a two-digit year cannot be read back
    exactly: that is refused with what to change.
    """
    user = client.credentials.user_id
    formatting = read_user_formatting(client)
    if formatting is None:
        return Rendering(dates.zone(timezone))
    if formatting.clock != 24:
        msg = (
            f"Intacct shows times to API user {user!r} on a {formatting.clock}-hour clock; set "
            "the user's time format to 24-hour in Intacct (user preferences) to use it here"
        )
        raise UnsupportedFormattingError(msg)
    try:
        style = dates.DateStyle.parse(formatting.dateformat)
    except ValueError as exc:
        msg = (
            f"Intacct's dates for API user {user!r} cannot be read exactly: its {exc}; choose "
            "a date format with a four-digit year in the user's preferences"
        )
        raise UnsupportedFormattingError(msg) from None
    preferred = dates.zone(formatting.gmtoffset)
    if not timezone:
        chosen = Rendering(preferred, style)
        logger.info("Intacct renders dates for API user %r as %s", user, chosen)
        return chosen
    chosen = Rendering(dates.zone(timezone), style)
    now = datetime.now(UTC)
    if now.astimezone(chosen.zone).utcoffset() != now.astimezone(preferred).utcoffset():
        logger.warning(
            "timezone %s is not the API user's GMT offset %s, which Intacct renders times in; "
            "leave timezone empty to follow the user's preference",
            timezone,
            formatting.gmtoffset,
        )
    return chosen
