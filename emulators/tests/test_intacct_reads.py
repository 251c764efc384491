"""readByQuery/readMore, query, read/readByName, lookup, inspect and entity scoping."""

from __future__ import annotations

import pytest


def ids(data, field="CUSTOMERID"):
    return sorted(row.findtext(field) for row in data)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("CUSTOMERID = 'C-1001'", ["C-1001"]),
        (
            "CUSTOMERID != 'C-1001' AND CUSTOMERID <> 'C-1002' AND CUSTOMERID < 'C-1005'",
            ["C-1003", "C-1004"],
        ),
        ("CUSTOMERID >= 'C-1009' OR CUSTOMERID <= 'C-1001'", ["C-1001", "C-1009", "C-1010"]),
        ("CUSTOMERID > 'C-1008'", ["C-1009", "C-1010"]),
        ("STATUS = 'F'", ["C-1009"]),  # readByQuery compares the stored code
        ("NOT (STATUS = 'T') ", ["C-1009"]),
        ("STATUS = 'active'", []),  # ... never the word rows show
        ("STATUS IN ('T', 'inactive')", [f"C-{n}" for n in range(1001, 1011) if n != 1009]),
        ("(CUSTOMERID = 'C-1001' OR CUSTOMERID = 'C-1002') AND LOYALTY_TIER = 'Gold'", ["C-1001"]),
        ("CUSTOMERID IN ('C-1003', 'C-1004', 'nope')", ["C-1003", "C-1004"]),
        (
            "CUSTOMERID NOT IN ('C-1001','C-1002','C-1003','C-1004','C-1005','C-1006','C-1007')",
            ["C-1008", "C-1009", "C-1010"],
        ),
        ("NAME LIKE 'Acme%'", ["C-1001", "C-1007"]),
        ("NAME LIKE 'acme%'", []),  # string operands are case-sensitive
        ("CUSTOMERID LIKE 'C-100_' AND NAME NOT LIKE '%e%'", ["C-1008"]),
        ("DISPLAYCONTACT.EMAIL1 IS NULL", ["C-1005"]),
        (
            "DISPLAYCONTACT.MAILADDRESS.ZIP IS NOT NULL"
            " AND DISPLAYCONTACT.MAILADDRESS.STATE IS NULL",
            ["C-1002", "C-1003", "C-1008"],
        ),
        ("NAME = 'O\\'Brien <Builders> Ltd'", ["C-1002"]),
        ("CREDITLIMIT > 5000", ["C-1004"]),
        ("CREDITLIMIT >= 5000.00", ["C-1001", "C-1004"]),
        ("LOYALTY_POINTS = 150", ["C-1001"]),
        ("LAST_REVIEW_DATE < '09/04/2026'", ["C-1001", "C-1003"]),
        (
            "WHENCREATED >= '10/01/2026 08:00:15' AND WHENCREATED < '10/01/2026 08:00:17'",
            ["C-1001", "C-1002", "C-1003"],
        ),  # records share seconds on purpose
        ("", [f"C-{n}" for n in range(1001, 1011)]),
    ],
)
def test_readbyquery_language(gw, query, expected):
    data = gw.rbq("CUSTOMER", query, "CUSTOMERID,NAME")
    assert data.get("listtype") == "customer"
    assert ids(data) == sorted(expected)
    assert data.get("count") == data.get("totalcount") == str(len(expected))
    assert all(row.tag == "customer" for row in data)


def test_readbyquery_fields_and_errors(gw):
    data = gw.rbq("CUSTOMER", "CUSTOMERID = 'C-1002'", "NAME,DISPLAYCONTACT.MAILADDRESS.CITY")
    row = data[0]
    assert [c.tag for c in row] == ["NAME", "DISPLAYCONTACT.MAILADDRESS.CITY"]
    assert row.findtext("NAME") == "O'Brien <Builders> Ltd"
    full = gw.rbq("CUSTOMER", "CUSTOMERID = 'C-1002'")[0]
    assert full.findtext("WHENMODIFIED") and full.find("DISPLAYCONTACT.EMAIL2").text is None
    for bad, detail in (
        ("NOPE = 1", "unknown field NOPE"),
        ("NAME = ", "expected a value"),
        ("(NAME = 'x'", "expected )"),
        ("NAME ~ 'x'", "unexpected text"),
        ("LAST_REVIEW_DATE > 'soon'", "not a date"),
    ):
        result = gw.fail(
            f"<readByQuery><object>CUSTOMER</object><query>{bad}</query>"
            "<fields>*</fields></readByQuery>"
        )
        error = result.find("errormessage/error")
        assert error.findtext("errorno") == "DL02000001"
        assert error.findtext("description2") == "There was an error processing the request."
        assert detail in error.findtext("correction")
    too_big = gw.fail(
        "<readByQuery><object>CUSTOMER</object><query/><pagesize>1001</pagesize></readByQuery>"
    )
    assert "1 to 1000" in too_big.findtext("errormessage/error/correction")
    unknown = gw.fail("<readByQuery><object>BADOBJECT</object><query/></readByQuery>")
    assert gw.errors(unknown) == [("Query Failed", "Object definition BADOBJECT not found")]


def test_readbyquery_docparid_and_empty_result(gw):
    data = gw.rbq(
        "SODOCUMENT",
        "",
        "DOCID,CREATEDFROM",
        100,
    )
    assert len(data) == 9
    gw_invoices = gw.ok(
        "<readByQuery><object>SODOCUMENT</object><query></query><fields>DOCID"
        "</fields><docparid>Sales Invoice</docparid></readByQuery>"
    ).find("data")
    assert ids(gw_invoices, "DOCID") == [f"Sales Invoice-INV-000{n}" for n in range(1, 5)]
    empty = gw.rbq("DEPARTMENT", "DEPARTMENTID = 'none'")
    assert dict(empty.attrib) == {
        "listtype": "department",
        "count": "0",
        "totalcount": "0",
        "numremaining": "0",
        "resultId": "",
    }
    assert len(empty) == 0


def test_readmore_pages_through_a_result(gw):
    first = gw.rbq("AUDITHISTORY", "", "ID,ACCESSMODE", 40)
    total = int(first.get("totalcount"))
    assert total > 80 and first.get("count") == "40"
    assert int(first.get("numremaining")) == total - 40
    result_id = first.get("resultId")
    seen = [r.findtext("ID") for r in first]
    assert {r.findtext("ACCESSMODE") for r in first} <= {"Create", "Modify", "Delete"}
    while True:
        page = gw.ok(f"<readMore><resultId>{result_id}</resultId></readMore>").find("data")
        assert page.get("resultId") == result_id and page.get("totalcount") == str(total)
        seen += [r.findtext("ID") for r in page]
        assert int(page.get("numremaining")) == total - len(seen)
        if page.get("numremaining") == "0":
            break
    assert len(seen) == len(set(seen)) == total
    finished = gw.fail(f"<readMore><resultId>{result_id}</resultId></readMore>")
    assert gw.errors(finished) == [
        ("readMore failed", f"Attempt to readMore with an invalid or expired resultId: {result_id}")
    ]


def test_readmore_by_object(gw):
    first = gw.rbq("AUDITHISTORY", "", "ID", 30)
    page = gw.ok("<readMore><object>AUDITHISTORY</object></readMore>").find("data")
    assert page.get("resultId") == first.get("resultId")
    assert int(page[0].findtext("ID")) > int(first[-1].findtext("ID"))
    none_open = gw.fail("<readMore><object>CUSTOMER</object></readMore>")
    assert gw.errors(none_open)[0][0] == "readMore failed"


def test_readmore_result_id_expires(gw):
    gw.emulator.admin("POST", "/_emulator/config", {"resultid_ttl": 60})
    first = gw.rbq("AUDITHISTORY", "", "ID", 10)
    result_id = first.get("resultId")
    gw.emulator.admin("POST", "/_emulator/clock", {"advance_seconds": 50})
    gw.ok(f"<readMore><resultId>{result_id}</resultId></readMore>")  # use refreshes the ttl
    gw.emulator.admin("POST", "/_emulator/clock", {"advance_seconds": 61})
    expired = gw.fail(f"<readMore><resultId>{result_id}</resultId></readMore>")
    assert "invalid or expired resultId" in gw.errors(expired)[0][1]


def test_audithistory_modes_in_both_languages(gw):
    gw.ok("<delete><object>CLASS</object><keys>1</keys></delete>")
    words = gw.rbq("AUDITHISTORY", "ACCESSMODE = 'Delete' AND OBJECTTYPE = 'class'", "*")
    assert [r.findtext("ACCESSMODE") for r in words] == ["Delete"]
    assert words[0].findtext("OBJECTKEY") == "1" and words[0].findtext("SOURCE") == "api"
    codes = gw.query(
        "AUDITHISTORY",
        ["OBJECTKEY", "ACCESSMODE", "USERID"],
        "<and><equalto><field>OBJECTTYPE</field><value>class</value></equalto>"
        "<equalto><field>ACCESSMODE</field><value>D</value></equalto></and>",
    )
    assert gw.rows(codes) == [{"OBJECTKEY": "1", "ACCESSMODE": "D", "USERID": "demo_user"}]


FILTER_CASES = [
    ("<equalto><field>CUSTOMERID</field><value>C-1003</value></equalto>", ["C-1003"]),
    ("<notequalto><field>STATUS</field><value>active</value></notequalto>", ["C-1009"]),
    ("<lessthan><field>CUSTOMERID</field><value>C-1003</value></lessthan>", ["C-1001", "C-1002"]),
    (
        "<lessthanorequalto><field>CUSTOMERID</field><value>C-1002</value></lessthanorequalto>",
        ["C-1001", "C-1002"],
    ),
    ("<greaterthan><field>CREDITLIMIT</field><value>5000</value></greaterthan>", ["C-1004"]),
    (
        "<greaterthanorequalto><field>CREDITLIMIT</field><value>5000</value></greaterthanorequalto>",
        ["C-1001", "C-1004"],
    ),
    (
        "<between><field>CUSTOMERID</field><value>C-1004</value><value>C-1006</value></between>",
        ["C-1004", "C-1005", "C-1006"],
    ),
    (
        "<in><field>LOYALTY_TIER</field><value>Gold</value><value>Bronze</value></in>",
        ["C-1001", "C-1010"],
    ),
    (
        "<notin><field>DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE</field><value>US</value></notin>",
        ["C-1002", "C-1003", "C-1008"],
    ),
    ("<like><field>NAME</field><value>%Builders%</value></like>", ["C-1002", "C-1004"]),
    ("<notlike><field>CUSTOMERID</field><value>C-100%</value></notlike>", ["C-1010"]),
    ("<isnull><field>DISPLAYCONTACT.MAILADDRESS.ZIP</field></isnull>", ["C-1006"]),
    ("<isnotnull><field>LOYALTY_TIER</field></isnotnull>", ["C-1001", "C-1002", "C-1010"]),
    (
        "<or><and><equalto><field>MEGAENTITYID</field><value>EU</value></equalto><like><field>NAME"
        "</field><value>M%</value></like></and><and><equalto><field>STATUS</field><value>inactive"
        "</value></equalto><or><equalto><field>CUSTOMERID</field><value>C-1009</value></equalto>"
        "<equalto><field>CUSTOMERID</field><value>C-1001</value></equalto></or></and></or>",
        ["C-1003", "C-1009"],
    ),
    (
        "<greaterthanorequalto><field>WHENMODIFIED</field><value>10/01/2026 08:00:27</value>"
        "</greaterthanorequalto>",
        ["C-1004", "C-1007"],
    ),
    (
        "<lessthan><field>LAST_REVIEW_DATE</field><value>09/04/2026</value></lessthan>",
        ["C-1001", "C-1003"],
    ),
]


@pytest.mark.parametrize(("filter_xml", "expected"), FILTER_CASES)
def test_query_filters(gw, filter_xml, expected):
    data = gw.query("CUSTOMER", ["CUSTOMERID", "RECORDNO"], filter_xml)
    assert ids(data) == expected
    assert data.get("totalcount") == str(len(expected))


def test_query_shape_order_paging(gw):
    data = gw.query(
        "ARINVOICE",
        ["RECORDNO", "TOTALDUE", "CUSTOMERID"],
        extra="<orderby><order><field>TOTALDUE</field><ascending/></order><order>"
        "<field>RECORDNO</field><descending/></order></orderby>",
    )
    assert data.get("listtype") == "ARINVOICE" and all(r.tag == "ARINVOICE" for r in data)
    assert set(data.attrib) == {"listtype", "totalcount", "offset", "count", "numremaining"}
    keys = [(float(r.findtext("TOTALDUE")), -int(r.findtext("RECORDNO"))) for r in data]
    assert keys == sorted(keys) and len(keys) == 7
    page = gw.query(
        "ARINVOICE",
        ["RECORDNO"],
        extra="<orderby><order><field>RECORDNO</field>"
        "</order></orderby><pagesize>3</pagesize><offset>3</offset>",
    )
    assert dict(page.attrib) == {
        "listtype": "ARINVOICE",
        "totalcount": "7",
        "offset": "3",
        "count": "3",
        "numremaining": "1",
    }
    assert [r.findtext("RECORDNO") for r in page] == ["4", "5", "6"]
    assert [c.tag for c in page[0]] == ["RECORDNO"]
    default = gw.query("AUDITHISTORY", ["ID"])
    assert default.get("count") == "100"


def test_query_errors(gw):
    cases = [
        (
            "<select><field>NAME</field><field>NOPE</field><field>ALSO_NOT</field></select>",
            "unknown field(s) NOPE, ALSO_NOT on object CUSTOMER",
        ),
        ("<select><field>NAME</field></select><pagesize>2001</pagesize>", "use 1 to 2000"),
        ("<select><field>NAME</field></select><pagesize>0</pagesize>", "use 1 to 2000"),
        ("<select><field>*</field></select>", "'*'"),
        (
            "<select><field>NAME</field></select><filter><and><equalto><field>NAME</field><value>x"
            "</value></equalto></and></filter>",
            "at least two",
        ),
        (
            "<select><field>NAME</field></select><filter><equalto><field>WHENCREATED</field>"
            "<value>yesterday</value></equalto></filter>",
            "not a date",
        ),
        (
            "<select><field>NAME</field></select><orderby><order><field>NOPE</field></order>"
            "</orderby>",
            "unknown field NOPE",
        ),
        (
            "<select><field>NAME</field><count>NOPE</count><median>RECORDNO</median></select>",
            "invalid aggregate(s) count(NOPE), median(RECORDNO)",
        ),
    ]
    for body, fragment in cases:
        result = gw.fail(f"<query><object>CUSTOMER</object>{body}</query>")
        ((errorno, description2),) = gw.errors(result)
        assert errorno == "DL02000001" and fragment in description2, description2


def test_query_aggregates(gw):
    grouped = gw.ok(
        "<query><object>ARINVOICE</object><select><field>CUSTOMERID</field><count>RECORDNO"
        "</count><sum>TOTALDUE</sum><avg>TOTALENTERED</avg><min>WHENDUE</min><max>AUWHENCREATED"
        "</max></select><filter><in><field>CUSTOMERID</field><value>C-1004</value><value>C-1001"
        "</value></in></filter><orderby><order><field>CUSTOMERID</field><descending/></order>"
        "</orderby></query>"
    ).find("data")
    assert grouped.get("totalcount") == "2"
    assert gw.rows(grouped) == [
        {
            "CUSTOMERID": "C-1004",
            "COUNT.RECORDNO": "2",
            "SUM.TOTALDUE": "1190.49",
            "AVG.TOTALENTERED": "845.25",
            "MIN.WHENDUE": "11/03/2026",
            "MAX.AUWHENCREATED": "10/01/2026 08:00:25",
        },
        {
            "CUSTOMERID": "C-1001",
            "COUNT.RECORDNO": "1",
            "SUM.TOTALDUE": "103.90",
            "AVG.TOTALENTERED": "203.90",
            "MIN.WHENDUE": "11/01/2026",
            "MAX.AUWHENCREATED": "10/01/2026 08:00:23",
        },
    ]
    totals = gw.ok(
        "<query><object>ARINVOICE</object><select><count>RECORDNO</count><sum>TOTALDUE</sum>"
        "</select></query>"
    ).find("data")
    assert dict(totals.attrib)["totalcount"] == "1"
    assert gw.rows(totals) == [{"COUNT.RECORDNO": "7", "SUM.TOTALDUE": "1609.09"}]


def test_totalcount_of_timestamp_ranges_follows_writes(gw):
    """Range-only filters on WHENMODIFIED are counted from a sorted key list kept up to date by
    writes; the same filter with an extra condition is counted by SQL. Both must agree."""
    since = (
        "<greaterthanorequalto><field>WHENMODIFIED</field><value>10/01/2026 08:00:20"
        "</value></greaterthanorequalto>"
    )
    both = f"<and>{since}<isnotnull><field>RECORDNO</field></isnotnull></and>"

    def totals():
        fast = gw.query("CUSTOMER", ["RECORDNO"], since).get("totalcount")
        slow = gw.query("CUSTOMER", ["RECORDNO"], both).get("totalcount")
        assert fast == slow
        return int(fast)

    start = totals()
    gw.emulator.admin("POST", "/_emulator/clock", {"now": "2026-12-01T00:00:00Z", "frozen": True})
    gw.ok(
        "<create><CUSTOMER><CUSTOMERID>K1</CUSTOMERID><NAME>k</NAME></CUSTOMER><CUSTOMER>"
        "<CUSTOMERID>K2</CUSTOMERID><NAME>k</NAME></CUSTOMER></create>"
    )
    gw.ok("<update><CUSTOMER><CUSTOMERID>C-1003</CUSTOMERID><NAME>Moved</NAME></CUSTOMER></update>")
    assert totals() == start + 3
    gw.ok("<delete><object>CUSTOMER</object><keys>12</keys></delete>")
    gw.send(
        '<function controlid="a"><create><CUSTOMER><CUSTOMERID>K3</CUSTOMERID><NAME>k</NAME>'
        '</CUSTOMER></create></function><function controlid="b"><delete><object>CUSTOMER'
        "</object><keys>999</keys></delete></function>",
        transaction=True,
    )
    assert totals() == start + 2
    recent = (
        "<greaterthan><field>WHENMODIFIED</field><value>11/30/2026 23:59:59</value></greaterthan>"
    )
    assert gw.query("CUSTOMER", ["CUSTOMERID"], recent).get("totalcount") == "2"


def test_query_caseinsensitive_option(gw):
    filt = "<equalto><field>NAME</field><value>bay area builders</value></equalto>"
    assert len(gw.query("CUSTOMER", ["NAME"], filt)) == 0
    data = gw.query(
        "CUSTOMER",
        ["NAME"],
        filt,
        extra="<options><caseinsensitive>true</caseinsensitive></options>",
    )
    assert [r.findtext("NAME") for r in data] == ["Bay Area Builders"]


def test_query_docparid_and_lines(gw):
    orders = gw.query(
        "SODOCUMENT", ["DOCID", "STATE", "PONUMBER"], extra="<docparid>Sales Order</docparid>"
    )
    states = {r.findtext("DOCID"): r.findtext("STATE") for r in orders}
    assert states == {
        "Sales Order-SO-0001": "Converted",
        "Sales Order-SO-0002": "Partially Converted",
        "Sales Order-SO-0003": "Pending",
        "Sales Order-SO-0004": "Converted",
        "Sales Order-SO-0005": "Converted",
    }
    entries = gw.query(
        "SODOCUMENTENTRY",
        ["DOCHDRID", "LINE_NO", "ITEMID", "QUANTITY", "PRICE", "TOTAL"],
        extra="<docparid>Sales Invoice</docparid>",
    )
    inv2 = [gw.rows([r])[0] for r in entries if r.findtext("DOCHDRID").endswith("INV-0002")]
    assert inv2 == [
        {
            "DOCHDRID": "Sales Invoice-INV-0002",
            "LINE_NO": "1",
            "ITEMID": "SAW-CIRC",
            "QUANTITY": "1",
            "PRICE": "189.99",
            "TOTAL": "189.99",
        }
    ]


def test_read_and_read_by_name(gw):
    data = gw.ok("<read><object>SODOCUMENT</object><keys>6</keys><fields>*</fields></read>").find(
        "data"
    )
    assert dict(data.attrib) == {"listtype": "SODOCUMENT", "count": "1"}
    doc = data[0]
    assert doc.tag == "SODOCUMENT" and doc.findtext("DOCID") == "Sales Invoice-INV-0001"
    lines = doc.find("SODOCUMENTENTRIES")
    assert [line.findtext("ITEMID") for line in lines] == ["SCREW-100", "DRILL-18V"]
    assert all(line.tag == "sodocumententry" for line in lines)
    customer = gw.ok(
        "<readByName><object>CUSTOMER</object><keys>C-1003,C-1004,none</keys>"
        "<fields>CUSTOMERID,DISPLAYCONTACT.MAILADDRESS.CITY</fields></readByName>"
    )
    rows = customer.find("data")
    assert rows.get("count") == "2"
    assert rows[0].findtext("DISPLAYCONTACT/MAILADDRESS/CITY") == "München"
    wrong_type = gw.ok(
        "<read><object>SODOCUMENT</object><keys>6</keys><docparid>Sales Order</docparid></read>"
    )
    assert wrong_type.find("data").get("count") == "0"
    bad_fields = gw.fail(
        "<read><object>CUSTOMER</object><keys>1</keys><fields>NOPE</fields></read>"
    )
    assert gw.errors(bad_fields)[0][0] == "Invalid fields list NOPE"


def test_lookup_describes_fields_and_relationships(gw):
    data = gw.ok("<lookup><object>CUSTOMER</object></lookup>").find("data")
    type_ = data.find("Type")
    assert type_.get("Name") == "CUSTOMER"
    fields = {f.findtext("ID"): f for f in type_.iter("Field")}
    assert [c.tag for c in fields["STATUS"]] == [
        "ID",
        "LABEL",
        "DESCRIPTION",
        "REQUIRED",
        "READONLY",
        "DATATYPE",
        "VALIDVALUES",
        "ISCUSTOM",
    ]
    tier = fields["LOYALTY_TIER"]
    assert tier.findtext("ISCUSTOM") == "true"
    assert [v.text for v in tier.iter("VALIDVALUE")] == ["Gold", "Silver", "Bronze"]
    assert fields["LOYALTY_POINTS"].findtext("DATATYPE") == "INTEGER"
    assert fields["LAST_REVIEW_DATE"].findtext("DATATYPE") == "DATE"
    assert fields["WHENMODIFIED"].findtext("DATATYPE") == "TIMESTAMP"
    assert fields["WHENMODIFIED"].findtext("READONLY") == "true"
    assert fields["CREDITLIMIT"].findtext("DATATYPE") == "CURRENCY"
    assert fields["ONHOLD"].findtext("DATATYPE") == "BOOLEAN"
    assert fields["NAME"].findtext("REQUIRED") == "true"
    assert "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE" in fields
    other = gw.ok("<lookup><object>CUSTOMER</object></lookup>", auth=gw.login("plain-co"))
    assert "LOYALTY_TIER" not in {f.findtext("ID") for f in other.iter("Field")}
    entry = gw.ok(
        "<lookup><object>SODOCUMENTENTRY</object><docparid>Sales Invoice</docparid></lookup>"
    ).find("data/Type")
    assert entry.get("DocumentType") == "Sales Invoice"
    relations = {r.findtext("OBJECTNAME") for r in entry.iter("Relationship")}
    assert relations == {"ITEM", "SODOCUMENT"}


def test_inspect(gw):
    names = gw.ok("<inspect><object>*</object></inspect>").find("data")
    listed = {t.get("typename"): t.text for t in names}
    assert listed["APBILL"] == "AP Bill" and "AUDITHISTORY" in listed
    plain = gw.ok('<inspect detail="0"><object>GLBATCH</object></inspect>').find("data/Type")
    assert plain.findtext("Fields/Field") == "RECORDNO"
    detail = gw.ok('<inspect detail="1"><object>ARINVOICE</object></inspect>').find("data/Type")
    field = next(f for f in detail.iter("Field") if f.findtext("Name") == "CUSTOMERID")
    assert field.findtext("isRequired") == "true"
    assert field.findtext("relatedObject") == "CUSTOMER"


def test_entity_sessions_see_their_entity_and_shared_records(gw):
    everything = gw.query("CUSTOMER", ["CUSTOMERID"])
    assert everything.get("totalcount") == "10"
    eu_session, endpoint = gw.session(location="EU")
    eu = gw.query("CUSTOMER", ["CUSTOMERID", "MEGAENTITYID"], sessionid=eu_session, url=endpoint)
    assert ids(eu) == ["C-1002", "C-1003", "C-1008"]  # EU customers + the top-level one
    assert {r.findtext("MEGAENTITYID") for r in eu} == {"EU", ""}
    assert gw.rbq("CUSTOMER", "", "CUSTOMERID", sessionid=eu_session).get("totalcount") == "3"
    hidden = gw.ok("<read><object>CUSTOMER</object><keys>1</keys></read>", sessionid=eu_session)
    assert hidden.find("data").get("count") == "0"
    created = gw.ok(
        "<create><CUSTOMER><CUSTOMERID>C-EU9</CUSTOMERID><NAME>Euro</NAME></CUSTOMER></create>",
        sessionid=eu_session,
    )
    assert created.findtext("data/customer/CUSTOMERID") == "C-EU9"
    record = next(r for r in gw.records("CUSTOMER") if r["CUSTOMERID"] == "C-EU9")
    assert record["MEGAENTITYID"] == "EU" and record["MEGAENTITYNAME"] == "Europe"
    us_invoice = gw.fail(
        '<update_invoice key="1"><description>x</description></update_invoice>',
        sessionid=eu_session,
    )
    assert "does not exist" in gw.errors(us_invoice)[0][1]
    us_session, _ = gw.session(location="US")  # transactions: the entity's own only
    assert ids(gw.query("ARINVOICE", ["CUSTOMERID"], sessionid=us_session)) == [
        "C-1001",
        "C-1004",
        "C-1004",
        "C-1007",
        "C-1010",
    ]
    assert len(gw.query("ARINVOICE", ["CUSTOMERID"])) == 7


def test_unsubscribed_object(gw):
    gw.emulator.admin("POST", "/_emulator/companies/demo", {"unsubscribed": ["PROJECT"]})
    result = gw.fail(
        "<query><object>PROJECT</object><select><field>PROJECTID</field></select></query>"
    )
    assert gw.errors(result) == [
        ("BL03000150", "Your company is not subscribed to the application that owns PROJECT.")
    ]
    names = {t.get("typename") for t in gw.ok("<inspect><object>*</object></inspect>").iter("Type")}
    assert "PROJECT" not in names
    assert gw.query("CUSTOMER", ["NAME"]).get("totalcount") == "10"
