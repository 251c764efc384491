"""The API user's date and time preferences, read from the emulator over HTTP."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from intacct_api import dates, functions, preferences
from intacct_api.errors import FunctionError


@pytest.fixture
def company_client(gateway, make_client, demo):
    """A client on an empty company of its own, with `settings` applied by the admin route."""

    def make(**settings):
        company = f"prefs_{uuid.uuid4().hex[:8]}"
        gateway.admin("POST", f"/_emulator/companies/{company}", settings)
        return make_client(replace(demo, company_id=company))

    return make


def test_defaults_are_mm_dd_yyyy_at_utc(company_client):
    rendering = preferences.rendering(company_client(), None)
    assert rendering.style == dates.DateStyle.parse("/mdY")
    assert datetime(2026, 7, 1, tzinfo=UTC).astimezone(rendering.zone).utcoffset() == timedelta(0)


def test_the_users_format_and_offset_are_followed(company_client):
    custom = [{"object": "CUSTOMER", "name": "REVIEW_DATE", "datatype": "DATE"}]
    client = company_client(dateformat=".dmY", timezone="+09:30", custom_fields=custom)
    rendering = preferences.rendering(client, None)
    assert str(rendering.style) == "DD.MM.YYYY"
    assert rendering.zone.utcoffset(None) == timedelta(hours=9, minutes=30)
    review = dates.format_date(date(2026, 10, 2), rendering.style)
    assert review == "02.10.2026"
    client.call(functions.create("CUSTOMER", {"CUSTOMERID": "P-1", "NAME": "Prefs",
                                              "REVIEW_DATE": review}))  # fmt: skip
    [row] = client.call(functions.query("CUSTOMER", ["REVIEW_DATE", "WHENMODIFIED"])).records()
    assert dates.parse_date(row["REVIEW_DATE"], rendering.style) == date(2026, 10, 2)
    modified = dates.parse_datetime(row["WHENMODIFIED"], rendering.zone, rendering.style)
    assert modified is not None and abs(datetime.now(UTC) - modified) < timedelta(minutes=5)


def test_a_set_timezone_wins_with_a_warning_when_it_differs(company_client, caplog):
    client = company_client(timezone="-05:00")
    with caplog.at_level(logging.WARNING, logger="intacct_api.preferences"):
        rendering = preferences.rendering(client, "+02:00")
    assert rendering.zone == timezone(timedelta(hours=2))
    assert any("-05:00" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("dateformat", ["/mdy", "-ymd"])
def test_a_two_digit_year_is_refused_with_what_to_change(company_client, dateformat):
    with pytest.raises(preferences.UnsupportedFormattingError, match="four-digit year"):
        preferences.rendering(company_client(dateformat=dateformat), None)


def test_an_unknown_user_is_a_function_error(company_client):
    with pytest.raises(FunctionError, match="Cannot find user"):
        company_client().call(functions.read_user_formatting("nobody"))


def test_reading_the_preferences_is_retried_like_any_read(gateway, company_client):
    """A lost answer (HTTP 524) to a read is safe to repeat; only writes are ambiguous."""
    client = company_client(dateformat="-Ymd")
    client.login()
    gateway.admin("POST", "/_emulator/faults",
                  {"kind": "http_524", "function": "readUserFormatting", "count": 1})  # fmt: skip
    assert str(preferences.rendering(client, None).style) == "YYYY-MM-DD"
    assert int(gateway.admin("GET", "/_emulator/stats")["faults"]["http_524"]) >= 1
