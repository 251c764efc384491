"""Value rendering, dates, money, record shapes and secret masking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from intacct_api.client import Credentials
from intacct_api.dates import (
    DateStyle,
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from intacct_api.envelope import Control, LoginAuth, SessionAuth, flatten_record, parse_response
from intacct_api.errors import ErrorDetail, mask_secrets
from intacct_api.xml import format_value, nest_dotted, to_element
from lxml import etree


def test_parse_datetime_converts_company_zone_to_utc():
    assert parse_datetime("07/24/2017 15:19:46") == datetime(2017, 7, 24, 15, 19, 46, tzinfo=UTC)
    # Los Angeles is UTC-7 in July and UTC-8 in January
    assert parse_datetime("07/24/2017 15:19:46", "America/Los_Angeles") == datetime(
        2017, 7, 24, 22, 19, 46, tzinfo=UTC
    )
    assert parse_datetime("01/05/2024 23:30:00", "America/Los_Angeles") == datetime(
        2024, 1, 6, 7, 30, tzinfo=UTC
    )
    assert parse_datetime("01/05/2024", "Europe/Paris") == datetime(2024, 1, 4, 23, 0, tzinfo=UTC)
    assert parse_datetime("2015-12-07T15:57:08-08:00") == datetime(
        2015, 12, 7, 23, 57, 8, tzinfo=UTC
    )
    assert parse_datetime("") is None
    assert parse_datetime(None) is None
    with pytest.raises(ValueError, match="MM/DD/YYYY"):
        parse_datetime("24/07/2017 15:19:46")


@pytest.mark.parametrize("dateformat", ["/mdY", ".dmY", "-Ymd", "/dmY"])
def test_every_date_style_reads_full_width_timestamps_as_strptime_does(dateformat):
    style = DateStyle.parse(dateformat)
    for naive in (datetime(2026, 1, 2, 3, 4, 5), datetime(1999, 12, 31, 23, 59, 59)):  # noqa: DTZ001
        text = naive.strftime(style.datetime_format)
        for zone in ("UTC", "Asia/Kolkata", "America/New_York"):
            expected = naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
            assert parse_datetime(text, zone, style) == expected
    out_of_range = "13/45/2026 25:00:00" if dateformat[1] == "m" else "45.13.2026 25:00:00"
    with pytest.raises(ValueError, match="not an Intacct date-time"):
        parse_datetime(out_of_range, "UTC", style)


def test_narrower_timestamps_are_still_read():
    assert parse_datetime("1/2/2026 3:04:05") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_format_datetime_round_trips():
    moment = datetime(2024, 3, 10, 10, 30, 5, tzinfo=UTC)
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        text = format_datetime(moment, zone)
        assert parse_datetime(text, zone) == moment
    assert format_datetime(moment, "America/New_York") == "03/10/2024 06:30:05"
    assert format_datetime(datetime(2024, 1, 2, 3, 4, 5)) == "01/02/2024 03:04:05"  # noqa: DTZ001


def test_dates_and_decimals():
    assert parse_date("06/30/2016") == date(2016, 6, 30)
    assert parse_date("2016-06-30") == date(2016, 6, 30)
    assert parse_date("2016-06-30T12:00:00Z") == date(2016, 6, 30)
    assert format_date(date(2016, 6, 30)) == "06/30/2016"
    assert parse_decimal("76343.43") == Decimal("76343.43")
    assert parse_decimal("-0.10") == Decimal("-0.10")
    assert parse_decimal("") is None
    with pytest.raises(ValueError, match="decimal"):
        parse_decimal("12,5")
    with pytest.raises(ValueError, match="finite"):
        parse_decimal("NaN")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.50"), "1234.50"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.000001"), "0.000001"),
        (0.1, "0.1"),
        (True, "true"),
        (False, "false"),
        (-1, "-1"),
        (date(2019, 5, 15), "05/15/2019"),
        (datetime(2019, 5, 15, 8, 9, 10), "05/15/2019 08:09:10"),  # noqa: DTZ001
        ("a & b", "a & b"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_value_refuses_ambiguous_values():
    with pytest.raises(ValueError, match="non-finite"):
        format_value(Decimal("NaN"))
    with pytest.raises(ValueError, match="non-finite"):
        format_value(float("inf"))
    with pytest.raises(TypeError, match="set"):
        format_value({1})


def test_to_element_nests_repeats_and_skips():
    element = to_element(
        "CUSTOMER",
        {
            "NAME": "X",
            "DISPLAYCONTACT.EMAIL1": "a@b.c",
            "DISPLAYCONTACT": {"MAILADDRESS.CITY": "Paris"},
            "DISPLAYCONTACT.MAILADDRESS.ZIP": "75001",
            "SKIPPED": None,
            "TAGS": ["a", None, "b"],
            "EMPTY": "",
        },
    )
    assert etree.tostring(element).decode() == (
        "<CUSTOMER><NAME>X</NAME><DISPLAYCONTACT><EMAIL1>a@b.c</EMAIL1><MAILADDRESS>"
        "<CITY>Paris</CITY><ZIP>75001</ZIP></MAILADDRESS></DISPLAYCONTACT>"
        "<TAGS>a</TAGS><TAGS>b</TAGS><EMPTY/></CUSTOMER>"
    )
    with pytest.raises(ValueError, match="both as a value and as a group"):
        nest_dotted({"A": "x", "A.B": "y"})
    with pytest.raises(ValueError, match=r"CUSTOMER\.DISPLAYCONTACT\.EMAIL1: cannot render"):
        to_element("CUSTOMER", {"DISPLAYCONTACT.EMAIL1": object()})
    with pytest.raises(ValueError, match=r"CUSTOMER\.NAME: All strings must be XML compatible"):
        to_element("CUSTOMER", {"NAME": "bell\x07"})
    with pytest.raises(ValueError, match=r"CUSTOMER\.MY FIELD: Invalid tag name"):
        to_element("CUSTOMER", {"MY FIELD": "x"})


def test_records_shapes_and_flattening():
    raw = b"""<response><control><status>success</status></control><operation>
    <authentication><status>success</status></authentication><result><status>success</status>
    <function>read</function><controlid>c</controlid><data listtype="GLBATCH" count="1">
    <GLBATCH><RECORDNO>7</RECORDNO><BATCH_TITLE/><NOTE></NOTE>
      <DISPLAYCONTACT><EMAIL1>a@b.c</EMAIL1><MAILADDRESS><CITY>Oslo</CITY></MAILADDRESS></DISPLAYCONTACT>
      <ENTRIES><GLENTRY><LINE_NO>1</LINE_NO></GLENTRY><GLENTRY><LINE_NO>2</LINE_NO></GLENTRY></ENTRIES>
    </GLBATCH></data></result></operation></response>"""
    (record,) = parse_response(raw).results[0].records()
    assert record["RECORDNO"] == "7"
    assert record["BATCH_TITLE"] is None
    assert record["NOTE"] is None
    assert record["ENTRIES"] == {"GLENTRY": [{"LINE_NO": "1"}, {"LINE_NO": "2"}]}
    assert flatten_record(record) == {
        "RECORDNO": "7",
        "BATCH_TITLE": None,
        "NOTE": None,
        "DISPLAYCONTACT.EMAIL1": "a@b.c",
        "DISPLAYCONTACT.MAILADDRESS.CITY": "Oslo",
        "ENTRIES.GLENTRY": [{"LINE_NO": "1"}, {"LINE_NO": "2"}],
    }


def _page(rows: bytes) -> bytes:
    return (
        b"<response><control><status>success</status></control><operation><authentication>"
        b"<status>success</status></authentication><result><status>success</status>"
        b"<function>query</function><controlid>c</controlid><data>" + rows + b"</data></result>"
        b"</operation></response>"
    )


def test_flat_rows_of_changing_shapes():
    """Rows of a flat page need not share their fields' order, names or count."""
    raw = _page(
        b"<R><A>1</A><B/><C><![CDATA[]]></C></R>"  # an empty CDATA section is empty
        b"<R><B>2</B><A>x</A><C>y</C></R>"  # another order
        b"<R><A>1</A><A>2</A></R>"  # a repeated name
        b"<R><A>z</A><B>w</B><C>v</C></R><R/>"
    )
    rows = parse_response(raw).results[0].records()
    assert rows == [
        {"A": "1", "B": None, "C": None},
        {"B": "2", "A": "x", "C": "y"},
        {"A": ["1", "2"]},
        {"A": "z", "B": "w", "C": "v"},
        {},
    ]
    assert list(rows[1]) == ["B", "A", "C"]
    with_attributes = _page(b'<R><A>1</A></R><R id="5"><A>2</A></R>')
    assert parse_response(with_attributes).results[0].records() == [
        {"A": "1"}, {"@id": "5", "A": "2"},
    ]  # fmt: skip


def test_secrets_are_masked_in_errors_and_reprs():
    session = "Zx9kQ2abcdefghijklmnop.."
    assert mask_secrets(f"Invalid session {session}", [session]) == "Invalid session ***"
    assert mask_secrets(f"Invalid session {session[:4]}....", [session]) == (
        "Invalid session ***...."
    )
    assert mask_secrets("Invalid session", [session]) == "Invalid session"
    assert mask_secrets("company demo: try again...", ["demo_user_password"]) == (
        "company demo: try again..."
    )
    detail = ErrorDetail.create("XL03000006", "", f"Invalid session {session}", "").masked(
        [session]
    )
    assert session not in str(detail)
    for value in (
        Credentials("sender", "sender-secret", "co", "user", "user-secret"),
        Control("sender", "sender-secret"),
        LoginAuth("user", "co", "user-secret"),
        SessionAuth(session),
    ):
        assert "secret" not in repr(value)
        assert session not in repr(value)
