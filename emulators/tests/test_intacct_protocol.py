"""Envelope, authentication, sessions, transactions, uniqueid and time zones over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

from lxml import etree

GET_SESSION = '<function controlid="s"><getAPISession/></function>'


def test_control_echo_and_auth_block(gw):
    root = gw.send(GET_SESSION, controlid="my-control")
    control = root.find("control")
    assert [c.tag for c in control] == ["status", "senderid", "controlid", "uniqueid", "dtdversion"]
    assert control.findtext("controlid") == "my-control"
    auth = root.find("operation/authentication")
    assert [c.tag for c in auth] == [
        "status",
        "userid",
        "companyid",
        "locationid",
        "sessiontimestamp",
        "sessiontimeout",
    ]
    stamp = datetime.fromisoformat(auth.findtext("sessiontimestamp"))
    timeout = datetime.fromisoformat(auth.findtext("sessiontimeout"))
    assert stamp.utcoffset() == timedelta(0)
    assert timeout - stamp == timedelta(seconds=3600)


def test_wrong_user_password_is_an_authentication_failure(gw):
    root = gw.send(GET_SESSION, auth=gw.login(password="nope"))
    assert root.findtext("control/status") == "success"
    auth = root.find("operation/authentication")
    # a failed sign-in echoes user and company only (err_16, doc_01)
    assert [(c.tag, c.text) for c in auth] == [
        ("status", "failure"),
        ("userid", "demo_user"),
        ("companyid", "demo"),
    ]
    assert root.find("operation/result") is None
    assert gw.errors(root) == [("XL03000006", "Sign-in information is incorrect")]


def test_wrong_sender_is_a_control_failure(gw):
    root = gw.send(GET_SESSION, sender=("demo_sender", "wrong"))
    assert root.findtext("control/status") == "failure"
    assert root.find("operation") is None
    assert gw.errors(root) == [("XL03000006", "Incorrect Intacct XML Partner ID or password.")]
    assert b"wrong" not in etree.tostring(root)


def test_malformed_xml_is_a_control_failure(gw):
    """libxml2's errors, one `<error>` each, in the gateway's words (err_14, doc_05)."""
    body = (
        b"<request><control><senderid>demo_sender</senderid><controlid>broken-1</controlid>"
        b"<uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>\n<operation>"
        b"<content>\n<function controlid='f'><create><PROJECT><PROJECTID>P1</PROJECT>\n"
        b"</create></function></content></operation></request>"
    )
    root = etree.fromstring(gw.post(body).content)
    assert root.findtext("control/status") == "failure"
    assert root.findtext("control/senderid") == "demo_sender"  # echoed as far as readable
    assert root.findtext("control/controlid") == "broken-1"
    assert root.find("operation") is None
    errors = gw.errors(root)
    assert len(errors) == 6 and {errorno for errorno, _ in errors} == {"XL03000003"}
    assert errors[0][1] == (
        "XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: "
        "PROJECTID line 3 and PROJECT. Line: 3, column: 65."
    )
    assert errors[1][1].startswith(
        "XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: "
        "PROJECT line 3 and create. Line: 4,"
    )
    empty = etree.fromstring(gw.post(b"").content)  # the same thread's earlier errors stay out
    assert gw.errors(empty) == [
        (
            "XL03000003",
            "XML Parse schema error: Fatal Error 4: Document is empty. Line: 1, column: 1.",
        )
    ]


def test_unknown_function_and_missing_controlid_are_schema_errors(gw):
    root = gw.send('<function controlid="x"><frobnicate/></function>')
    assert gw.errors(root) == [
        ("XL03000003", "XML Parse schema error: Element 'frobnicate' is not a known function.")
    ]
    root = gw.send("<function><getAPISession/></function>")
    assert root.findtext("control/status") == "failure"


def test_session_endpoint_and_other_company(gw):
    sessionid, endpoint = gw.session("acme-test")
    assert endpoint.startswith(gw.emulator.url)
    data = gw.query("CUSTOMER", ["RECORDNO"], sessionid=sessionid, url=endpoint)
    assert data.get("totalcount") == "0"  # a new company starts empty
    created = gw.ok(
        "<create><CUSTOMER><CUSTOMERID>A1</CUSTOMERID><NAME>First</NAME></CUSTOMER></create>",
        sessionid=sessionid,
        url=endpoint,
    )
    assert created.findtext("data/customer/RECORDNO") == "1"
    assert [r["CUSTOMERID"] for r in gw.records("CUSTOMER", "acme-test")] == ["A1"]
    assert len(gw.records("CUSTOMER")) == 10  # demo untouched
    stats = gw.emulator.admin("GET", "/_emulator/stats")
    assert stats["endpoints"] == {"initial": 1, "session": 2}
    assert stats["companies"]["acme-test"] == 3


def test_session_expires_when_idle_and_slides_when_used(gw):
    gw.emulator.admin("POST", "/_emulator/config", {"session_timeout": 600})
    sessionid, _ = gw.session()
    for _ in range(3):  # each call slides the timeout
        gw.emulator.admin("POST", "/_emulator/clock", {"advance_seconds": 500})
        auth = gw.send(GET_SESSION, sessionid=sessionid).find("operation/authentication")
        assert auth.findtext("status") == "success"
    gw.emulator.admin("POST", "/_emulator/clock", {"advance_seconds": 601})
    root = gw.send(GET_SESSION, sessionid=sessionid)
    auth = root.find("operation/authentication")
    assert auth.findtext("status") == "failure"
    assert auth.findtext("userid") == "" and auth.findtext("companyid") == ""
    ((errorno, description2),) = gw.errors(root)
    assert errorno == "XL03000006" and description2.startswith("Invalid session")
    assert sessionid not in description2


def test_getapisession_with_entity_scopes_the_session(gw):
    result = gw.ok("<getAPISession><locationid>EU</locationid></getAPISession>")
    assert result.findtext("data/api/locationid") == "EU"
    sessionid = result.findtext("data/api/sessionid")
    back = gw.ok("<getAPISession><locationid/></getAPISession>", sessionid=sessionid)
    assert back.findtext("data/api/locationid") == ""
    assert back.findtext("data/api/sessionid") != sessionid
    bad = gw.fail("<getAPISession><locationid>MARS</locationid></getAPISession>")
    assert "MARS" in gw.errors(bad)[0][1]


def test_getapisession_must_be_alone(gw):
    root = gw.send(
        GET_SESSION + '<function controlid="q"><read><object>CUSTOMER</object>'
        "<keys>1</keys></read></function>"
    )
    assert root.findtext("control/status") == "failure"
    assert gw.errors(root)[0][0] == "XL03000003"


def test_several_functions_in_order_without_transaction(gw):
    root = gw.send(
        '<function controlid="a"><create><CLASS><CLASSID>K1</CLASSID><NAME>One</NAME></CLASS>'
        "</create></function>"
        '<function controlid="b"><create><CLASS><CLASSID>K1</CLASSID><NAME>Dup</NAME></CLASS>'
        "</create></function>"
        '<function controlid="c"><create><CLASS><CLASSID>K2</CLASSID><NAME>Two</NAME></CLASS>'
        "</create></function>"
    )
    results = root.findall("operation/result")
    assert [(r.findtext("controlid"), r.findtext("status")) for r in results] == [
        ("a", "success"),
        ("b", "failure"),
        ("c", "success"),
    ]
    assert gw.errors(results[1]) == [
        ("BL34000061", "Another Class with the given value(s) K1  already exists"),
        ("BL01001973", "Could not create class record!"),
        ("BL01001973", "Could not create Class record!"),
    ]
    assert {"K1", "K2"} <= {r["CLASSID"] for r in gw.records("CLASS")}


def test_transaction_rolls_back_everything(gw):
    before, audit_before = gw.records("CLASS"), gw.records("AUDITHISTORY")
    root = gw.send(
        '<function controlid="a"><create><CLASS><CLASSID>T1</CLASSID><NAME>One</NAME></CLASS>'
        "</create></function>"
        '<function controlid="b"><create><CLASS><CLASSID>T1</CLASSID><NAME>Dup</NAME></CLASS>'
        "</create></function>"
        '<function controlid="c"><create><CLASS><CLASSID>T3</CLASSID><NAME>Three</NAME></CLASS>'
        "</create></function>",
        transaction=True,
    )
    results = root.findall("operation/result")
    assert [r.findtext("status") for r in results] == ["aborted", "failure", "aborted"]
    rolled_back = (
        "XL03000009",
        "The entire transaction in this operation has been rolled back due to an error.",
    )
    assert gw.errors(results[0]) == [rolled_back]
    assert gw.errors(results[1])[0][0] == "BL34000061"
    assert gw.errors(results[1])[-1] == rolled_back
    assert gw.errors(results[2]) == [rolled_back]
    assert results[0].find("data") is None
    assert gw.records("CLASS") == before
    assert gw.records("AUDITHISTORY") == audit_before


def test_transaction_success_commits_all(gw):
    root = gw.send(
        '<function controlid="a"><create><CLASS><CLASSID>T1</CLASSID><NAME>One</NAME></CLASS>'
        "</create></function>"
        '<function controlid="b"><delete><object>CLASS</object><keys>1</keys></delete></function>',
        transaction=True,
    )
    assert [r.findtext("status") for r in root.findall("operation/result")] == ["success"] * 2
    assert sorted(r["CLASSID"] for r in gw.records("CLASS")) == ["T1", "TRADE"]


def test_uniqueid_refuses_a_repeated_function_controlid(gw):
    function = (
        '<function controlid="write-42"><create><CLASS><CLASSID>U1</CLASSID>'
        "<NAME>Once</NAME></CLASS></create></function>"
    )
    first = gw.send(function, uniqueid=True).find("operation/result")
    assert first.findtext("status") == "success"
    again = gw.send(function.replace("U1", "U2"), uniqueid=True).find("operation/result")
    assert again.findtext("status") == "failure"
    assert gw.errors(again) == [
        (
            "XL03000011",
            "A request's function with the control ID 'write-42' has already been executed.",
        )
    ]
    assert "U2" not in {r["CLASSID"] for r in gw.records("CLASS")}
    # without uniqueid the same control id runs again; another company keeps its own ids
    assert gw.send(function.replace("U1", "U3")).findtext("operation/result/status") == "success"
    other = gw.send(function, uniqueid=True, auth=gw.login("other-co"))
    assert other.findtext("operation/result/status") == "success"


def test_uniqueid_lets_a_failed_function_be_retried(gw):
    bad = (
        '<function controlid="w-1"><create><CLASS><CLASSID>RETAIL</CLASSID><NAME>x</NAME>'
        "</CLASS></create></function>"
    )
    assert gw.send(bad, uniqueid=True).findtext("operation/result/status") == "failure"
    fixed = bad.replace("RETAIL", "NEW")
    assert gw.send(fixed, uniqueid=True).findtext("operation/result/status") == "success"


def test_company_time_zone_renders_timestamps_and_parses_filters(gw):
    utc = gw.query(
        "CUSTOMER",
        ["WHENMODIFIED"],
        extra="<orderby><order><field>RECORDNO</field></order></orderby><pagesize>1</pagesize>",
    )
    assert utc[0].findtext("WHENMODIFIED") == "10/01/2026 08:00:26"
    gw.emulator.admin("POST", "/_emulator/companies/demo", {"timezone": "America/New_York"})
    local = gw.query(
        "CUSTOMER",
        ["WHENMODIFIED", "LAST_REVIEW_DATE"],
        extra="<orderby><order><field>RECORDNO</field></order></orderby><pagesize>1</pagesize>",
    )
    assert local[0].findtext("WHENMODIFIED") == "10/01/2026 04:00:26"  # EDT, UTC-4
    assert local[0].findtext("LAST_REVIEW_DATE") == "09/01/2026"  # dates have no zone
    boundary = (
        "<greaterthanorequalto><field>WHENMODIFIED</field><value>10/01/2026 04:00:26"
        "</value></greaterthanorequalto>"
    )
    matched = gw.query("CUSTOMER", ["RECORDNO"], boundary)
    assert "1" in [r.text for r in matched.iter("RECORDNO")]
    stamp = gw.send(GET_SESSION).findtext("operation/authentication/sessiontimestamp")
    assert stamp.endswith(("-04:00", "-05:00"))
    assert gw.records("CUSTOMER")[0]["WHENMODIFIED"] == "10/01/2026 04:00:26"


def test_get_is_refused(gw):
    response = gw.http.get(gw.emulator.url)
    assert response.status_code == 405
    assert etree.fromstring(response.content).findtext("errormessage/error/errorno") == "GW-0011"


def bare_request(gw, control_extra: str, function: str) -> bytes:
    """A request whose `<control>` leaves out uniqueid and includewhitespace (plus `extra`)."""
    return (
        "<request><control><senderid>demo_sender</senderid><password>demo_sender_password"
        f"</password><controlid>bare</controlid><dtdversion>3.0</dtdversion>{control_extra}"
        f"</control><operation><authentication>{gw.login()}</authentication><content>"
        f"{function}</content></operation></request>"
    ).encode()


def test_uniqueid_defaults_to_true(gw):
    """Sage: "When set to true, which is the default, a request cannot be repeated"."""
    function = (
        '<function controlid="once-1"><create><CLASS><CLASSID>D1</CLASSID><NAME>Once</NAME>'
        "</CLASS></create></function>"
    )
    first = etree.fromstring(gw.post(bare_request(gw, "", function)).content)
    assert first.findtext("control/uniqueid") == "true"
    assert first.findtext("operation/result/status") == "success"
    again = etree.fromstring(gw.post(bare_request(gw, "", function.replace("D1", "D2"))).content)
    assert gw.errors(again.find("operation/result"))[0][0] == "XL03000011"
    assert "D2" not in {r["CLASSID"] for r in gw.records("CLASS")}


def test_includewhitespace_defaults_to_pretty_printed_responses(gw):
    """Sage's default for includewhitespace is true: an indented response."""
    function = (
        '<function controlid="r"><read><object>CLASS</object><keys>1</keys>'
        "<fields>CLASSID</fields></read></function>"
    )
    pretty = gw.post(bare_request(gw, "<uniqueid>false</uniqueid>", function)).content
    assert pretty.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <control>')
    assert b"\n    <result>\n      <status>success</status>" in pretty
    compact_control = "<uniqueid>false</uniqueid><includewhitespace>false</includewhitespace>"
    compact = gw.post(bare_request(gw, compact_control, function)).content
    assert b"\n" not in compact.split(b"?>\n", 1)[1]
    strip = etree.XMLParser(remove_blank_text=True)
    results = [etree.fromstring(body, strip).find("operation/result") for body in (pretty, compact)]
    assert etree.tostring(results[0]) == etree.tostring(results[1])
