"""Helpers of the Intacct emulator's write tests: rows picked out of a table, a frozen clock."""

from __future__ import annotations

from typing import Any


def find(records: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    """The records whose fields equal all of `match`."""
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


def one(records: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    """The one record matching; fails when there are none or several."""
    (found,) = find(records, **match)
    return found


def freeze(gw: Any, now: str = "2026-11-05T10:00:00+00:00") -> None:
    """Stop the emulator's clock at `now`, so WHENCREATED/WHENMODIFIED can be asserted."""
    gw.emulator.admin("POST", "/_emulator/clock", {"now": now, "frozen": True})
