"""The API user's formatting preferences: readUserFormatting, and dates read and written."""

from __future__ import annotations

import sqlite3

import pytest
from connector_emulators.intacct.server import AdminError, serve_in_thread
from emulator_intacct_support import freeze

FIRST = "<orderby><order><field>RECORDNO</field></order></orderby><pagesize>1</pagesize>"


def prefer(gw, **settings):
    """Set the demo company's user preferences; returns the company's settings."""
    return gw.emulator.admin("POST", "/_emulator/companies/demo", settings)


def formatting(gw, selector="<key>1</key>"):
    """The `<data>` of a readUserFormatting answer, and its one row as a dict."""
    data = gw.ok(f"<readUserFormatting>{selector}</readUserFormatting>").find("data")
    (row,) = data
    assert row.tag == "userformatting"
    return data, {child.tag: child.text for child in row}


# ------------------------------------------------------------------------ readUserFormatting
@pytest.mark.parametrize("selector", ["<key>1</key>", "<userId>demo_user</userId>"])
def test_read_user_formatting_defaults_by_key_and_login(gw, selector):
    data, row = formatting(gw, selector)
    assert dict(data.attrib) == {"listtype": "userformatting", "count": "1"}
    assert row == {
        "recordno": "1",
        "locale": "en_US",
        "dateformat": "/mdY",
        "gmtoffset": "+00:00",
        "clock": "24",
    }


def test_read_user_formatting_reports_the_configured_settings(gw):
    company = prefer(gw, timezone="+09:30", dateformat=".ymd", locale="fr_FR", clock=24)
    assert company["timezone"] == "+09:30" and company["dateformat"] == ".ymd"
    assert company["locale"] == "fr_FR" and company["clock"] == 24
    _, row = formatting(gw, "<userId>demo_user</userId>")
    assert row == {
        "recordno": "1",
        "locale": "fr_FR",
        "dateformat": ".ymd",
        "gmtoffset": "+09:30",
        "clock": "24",
    }
    prefer(gw, timezone="-03:00")
    assert formatting(gw)[1]["gmtoffset"] == "-03:00"
    assert gw.emulator.admin("GET", "/_emulator/companies/demo")["timezone"] == "-03:00"


def test_gmtoffset_of_a_named_zone_follows_the_emulator_clock(gw):
    prefer(gw, timezone="America/New_York")
    freeze(gw, "2026-07-01T12:00:00Z")
    assert formatting(gw)[1]["gmtoffset"] == "-04:00"  # daylight saving time
    freeze(gw, "2026-01-15T12:00:00Z")
    assert formatting(gw)[1]["gmtoffset"] == "-05:00"
    prefer(gw, timezone="Asia/Kolkata")
    assert formatting(gw)[1]["gmtoffset"] == "+05:30"


def test_fixed_offset_zone_shapes_timestamps_and_session_stamps(gw):
    prefer(gw, timezone="+09:30")
    freeze(gw, "2026-07-01T12:00:00Z")
    query = f"<query><object>CUSTOMER</object><select><field>WHENMODIFIED</field></select>{FIRST}"
    root = gw.send(f'<function controlid="f">{query}</query></function>')
    assert root.findtext("operation/result/data/CUSTOMER/WHENMODIFIED") == "10/01/2026 17:30:26"
    auth = root.find("operation/authentication")
    assert auth.findtext("sessiontimestamp") == "2026-07-01T21:30:00+09:30"


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("<key>48</key>", "Cannot find user with key '48'."),
        ("<key>demo_user</key>", "Cannot find user with key 'demo_user'."),
        ("<userId>somebody</userId>", "Cannot find user with userId 'somebody'."),
        ("<userId>DEMO_USER</userId>", "Cannot find user with userId 'DEMO_USER'."),
    ],
)
def test_read_user_formatting_of_an_unknown_user_fails(gw, selector, message):
    result = gw.fail(f"<readUserFormatting>{selector}</readUserFormatting>")
    assert result.find("data") is None
    assert gw.errors(result) == [("BL01001973", message)]


@pytest.mark.parametrize("inner", ["", "<key>1</key><userId>demo_user</userId>"])
def test_read_user_formatting_needs_one_selector(gw, inner):
    result = gw.fail(f"<readUserFormatting>{inner}</readUserFormatting>")
    ((errorno, message),) = gw.errors(result)
    assert errorno == "BL03000018" and "<key>" in message and "<userId>" in message


# ------------------------------------------------------------------------ rendering
def test_day_month_year_company_renders_every_read_that_way(gw):
    prefer(gw, dateformat=".dmY")
    row = gw.query("CUSTOMER", ["WHENCREATED", "WHENMODIFIED", "LAST_REVIEW_DATE"], extra=FIRST)[0]
    assert [c.text for c in row] == ["01.10.2026 08:00:15", "01.10.2026 08:00:26", "01.09.2026"]
    (listed,) = gw.rbq("CUSTOMER", "RECORDNO = 1", "WHENMODIFIED,LAST_REVIEW_DATE")
    assert gw.rows([listed])[0] == {
        "WHENMODIFIED": "01.10.2026 08:00:26",
        "LAST_REVIEW_DATE": "01.09.2026",
    }
    read = gw.ok("<read><object>CUSTOMER</object><keys>1</keys><fields>*</fields></read>")
    assert read.findtext("data/CUSTOMER/WHENMODIFIED") == "01.10.2026 08:00:26"
    by_name = gw.ok("<readByName><object>CUSTOMER</object><keys>C-1001</keys></readByName>")
    assert by_name.findtext("data/CUSTOMER/LAST_REVIEW_DATE") == "01.09.2026"
    audit = gw.rbq("AUDITHISTORY", "", "RECORDNO,ACCESSTIME", pagesize=1)
    assert audit.findtext("audithistory/ACCESSTIME") == "01.10.2026 08:00:00"
    more = gw.ok("<readMore><object>AUDITHISTORY</object></readMore>")
    assert more.findtext("data/audithistory/ACCESSTIME") == "01.10.2026 08:00:00"
    aggregate = gw.ok(
        "<query><object>CUSTOMER</object><select><min>LAST_REVIEW_DATE</min>"
        "<max>WHENMODIFIED</max></select></query>"
    ).find("data/CUSTOMER")
    newest = gw.query(
        "CUSTOMER",
        ["WHENMODIFIED"],
        extra="<orderby><order><field>WHENMODIFIED</field><descending/></order></orderby>"
        "<pagesize>1</pagesize>",
    )[0]
    assert aggregate.findtext("MIN.LAST_REVIEW_DATE") == "01.09.2026"
    assert aggregate.findtext("MAX.WHENMODIFIED") == newest.findtext("WHENMODIFIED")
    assert newest.findtext("WHENMODIFIED")[:6] == "01.10."
    assert gw.records("CUSTOMER")[0]["WHENMODIFIED"] == "01.10.2026 08:00:26"  # the admin dump too


def test_year_month_day_company_in_a_fixed_zone(gw):
    prefer(gw, dateformat="-Ymd", timezone="+09:30")
    row = gw.query("CUSTOMER", ["WHENMODIFIED", "LAST_REVIEW_DATE"], extra=FIRST)[0]
    assert [c.text for c in row] == ["2026-10-01 17:30:26", "2026-09-01"]  # 08:00:26 UTC
    listed = gw.rbq("CUSTOMER", "RECORDNO = 1", "WHENCREATED")
    assert listed.findtext("customer/WHENCREATED") == "2026-10-01 17:30:15"


def test_two_digit_years(gw):
    prefer(gw, dateformat="/mdy")
    row = gw.query("CUSTOMER", ["WHENMODIFIED", "LAST_REVIEW_DATE"], extra=FIRST)[0]
    assert [c.text for c in row] == ["10/01/26 08:00:26", "09/01/26"]
    gw.ok(
        "<create><CUSTOMER><CUSTOMERID>Y2</CUSTOMERID><NAME>n</NAME>"
        "<LAST_REVIEW_DATE>03/15/70</LAST_REVIEW_DATE></CUSTOMER></create>"
    )
    prefer(gw, dateformat="-Ymd")
    found = gw.query("CUSTOMER", ["LAST_REVIEW_DATE"], _eq("CUSTOMERID", "Y2"))
    assert found.findtext("CUSTOMER/LAST_REVIEW_DATE") == "1970-03-15"  # 69..99 → 19xx


# ------------------------------------------------------------------------ parsing
def _eq(field, value):
    return f"<equalto><field>{field}</field><value>{value}</value></equalto>"


@pytest.mark.parametrize(
    ("dateformat", "tz", "review", "stamp", "shown_review"),
    [
        (".dmY", "UTC", "15.03.2026", "01.10.2026 08:00:26", "15.03.2026"),
        ("-Ymd", "+09:30", "2026-03-15", "2026-10-01 17:30:26", "2026-03-15"),
        (".dmY", "UTC", "2026-03-15", "01.10.2026 08:00:26", "15.03.2026"),  # ISO still read
    ],
)
def test_requests_are_read_in_the_user_format(gw, dateformat, tz, review, stamp, shown_review):
    prefer(gw, dateformat=dateformat, timezone=tz)
    gw.ok(
        "<create><CUSTOMER><CUSTOMERID>F-1</CUSTOMERID><NAME>Formats</NAME>"
        f"<LAST_REVIEW_DATE>{review}</LAST_REVIEW_DATE></CUSTOMER></create>"
    )
    found = gw.query(
        "CUSTOMER", ["CUSTOMERID", "LAST_REVIEW_DATE"], _eq("LAST_REVIEW_DATE", review)
    )
    assert gw.rows(found) == [{"CUSTOMERID": "F-1", "LAST_REVIEW_DATE": shown_review}]
    listed = gw.rbq("CUSTOMER", f"LAST_REVIEW_DATE = '{review}'", "CUSTOMERID")
    assert [r.findtext("CUSTOMERID") for r in listed] == ["F-1"]
    gw.ok(
        "<update><CUSTOMER><CUSTOMERID>F-1</CUSTOMERID>"
        f"<LAST_REVIEW_DATE>{shown_review}</LAST_REVIEW_DATE></CUSTOMER></update>"
    )
    at_stamp = gw.query("CUSTOMER", ["RECORDNO"], _eq("WHENMODIFIED", stamp))
    dumped = [r["RECORDNO"] for r in gw.records("CUSTOMER") if r["WHENMODIFIED"] == stamp]
    assert [r.text for r in at_stamp.iter("RECORDNO")] == dumped and "1" in dumped
    since = gw.rbq("CUSTOMER", f"WHENMODIFIED >= '{stamp}' AND RECORDNO <= 1", "RECORDNO")
    assert [r.findtext("RECORDNO") for r in since] == ["1"]
    prefer(gw, dateformat="/mdY", timezone="UTC")
    stored = gw.query("CUSTOMER", ["LAST_REVIEW_DATE"], _eq("CUSTOMERID", "F-1"))
    assert stored.findtext("CUSTOMER/LAST_REVIEW_DATE") == "03/15/2026"


def test_dates_in_another_format_are_refused(gw):
    prefer(gw, dateformat=".dmY")
    result = gw.fail(
        "<create><CUSTOMER><CUSTOMERID>F-2</CUSTOMERID><NAME>n</NAME>"
        "<LAST_REVIEW_DATE>03/15/2026</LAST_REVIEW_DATE></CUSTOMER></create>"
    )
    assert gw.errors(result)[0] == (
        "BL01001973",
        "CUSTOMER #1: field LAST_REVIEW_DATE: '03/15/2026' is not a date (expected DD.MM.YYYY).",
    )
    bad_filter = gw.fail(
        "<query><object>CUSTOMER</object><select><field>RECORDNO</field></select>"
        f"<filter>{_eq('WHENMODIFIED', '10/01/2026 08:00:26')}</filter></query>"
    )
    assert "expected DD.MM.YYYY" in gw.errors(bad_filter)[0][1]
    bad_rbq = gw.fail(
        "<readByQuery><object>CUSTOMER</object><query>LAST_REVIEW_DATE = '31.02.2026'</query>"
        "<fields>*</fields><pagesize>10</pagesize></readByQuery>"
    )
    correction = bad_rbq.findtext("errormessage/error/correction")
    assert "'31.02.2026' is not a valid date" in correction


# ------------------------------------------------------------------------ admin
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"dateformat": "mdY"}, "invalid date format 'mdY'"),
        ({"dateformat": " mdY"}, "invalid date format ' mdY'"),
        ({"dateformat": "/mdd"}, "invalid date format '/mdd'"),
        ({"dateformat": "/mYy"}, "invalid date format '/mYy'"),
        ({"dateformat": "/mdYY"}, "invalid date format '/mdYY'"),
        ({"timezone": "+15:00"}, "unknown time zone '+15:00'"),
        ({"timezone": "+09:75"}, "unknown time zone '+09:75'"),
        ({"timezone": "0930"}, "unknown time zone '0930'"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"locale": "english"}, "invalid locale 'english'"),
        ({"clock": 12}, "24-hour times only"),
        ({"clock": "12"}, "24-hour times only"),
        ({"timezone": "+02:00", "dateformat": "/dd"}, "invalid date format '/dd'"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(gw, settings, message):
    with pytest.raises(AdminError) as refused:
        prefer(gw, **settings)
    assert refused.value.status == 400 and message in str(refused.value)
    company = gw.emulator.admin("GET", "/_emulator/companies/demo")
    assert (company["timezone"], company["dateformat"], company["locale"], company["clock"]) == (
        "UTC",
        "/mdY",
        "en_US",
        24,
    )


def test_extreme_offsets_are_accepted(gw):
    assert prefer(gw, timezone="+14:00")["timezone"] == "+14:00"
    assert formatting(gw)[1]["gmtoffset"] == "+14:00"
    assert prefer(gw, timezone="-12:00")["timezone"] == "-12:00"
    assert formatting(gw)[1]["gmtoffset"] == "-12:00"


def test_a_database_file_from_before_the_preferences_gets_their_defaults(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE companies (id TEXT PRIMARY KEY, timezone TEXT NOT NULL DEFAULT 'UTC',"
            " unsubscribed TEXT NOT NULL DEFAULT '[]')"
        )
        conn.execute("INSERT INTO companies (id, timezone) VALUES ('old', 'Europe/Berlin')")
    conn.close()
    with serve_in_thread(port=0, db_path=str(path)) as emulator:
        assert emulator.admin("GET", "/_emulator/companies/old") == {
            "id": "old",
            "timezone": "Europe/Berlin",
            "dateformat": "/mdY",
            "locale": "en_US",
            "clock": 24,
            "unsubscribed": [],
        }
        emulator.admin("POST", "/_emulator/companies/old", {"dateformat": "-Ymd"})
    with serve_in_thread(port=0, db_path=str(path)) as reopened:
        assert reopened.admin("GET", "/_emulator/companies/old")["dateformat"] == "-Ymd"
