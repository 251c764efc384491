"""Every request fixture of the shared Intacct samples, sent to the emulator over HTTP.

Function fixtures run twice where they name records the demo company does not have: as written
(they must fail in the gateway's error shape) and adapted to demo data (they must succeed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "intacct" / "fixtures"


def raw_fixture(name: str) -> str:
    return next(FIXTURES.glob(f"{name}_*.xml")).read_text(encoding="utf-8")


def fixture(name: str) -> str:
    """A fixture without its XML declaration, ready to embed in a request."""
    text = raw_fixture(name)
    return text.split("?>", 1)[1].strip() if text.startswith("<?xml") else text


def test_every_request_fixture_is_covered():
    names = sorted(
        p.name.split("_")[0] + "_" + p.name.split("_")[1] for p in FIXTURES.glob("req_*.xml")
    )
    covered = (
        {"req_01", "req_02", "req_03", "req_04", "req_05", "req_06"}
        | {c[0] for c in FUNCTION_CASES}
        | {"req_38", "req_39"}
    )
    assert set(names) <= covered


# -- envelope fixtures ------------------------------------------------------------------------
def test_req_01_unknown_session_gives_err_13_shape(gw):
    body = (
        raw_fixture("req_01")
        .replace("testsenderid", "demo_sender")
        .replace("pass123!", "demo_sender_password")
    )
    root = etree.fromstring(gw.post(body.encode("iso-8859-1")).content)
    assert root.findtext("control/status") == "success"
    auth = root.find("operation/authentication")
    assert auth.findtext("status") == "failure"
    assert auth.findtext("userid") == "" and auth.findtext("companyid") == ""
    assert root.find("operation/result") is None
    ((errorno, description2),) = gw.errors(root.find("operation/errormessage"))
    assert errorno == "XL03000006" and description2.startswith("Invalid session")


def test_req_01_bad_sender_is_a_control_failure(gw):
    root = etree.fromstring(gw.post(raw_fixture("req_01").encode("iso-8859-1")).content)
    assert root.findtext("control/status") == "failure"
    assert root.find("operation") is None
    assert gw.errors(root.find("errormessage")) == [
        ("XL03000006", "Incorrect Intacct XML Partner ID or password.")
    ]


@pytest.mark.parametrize("name", ["req_02", "req_03"])
def test_control_block_fixtures(gw, name):
    control = (
        fixture(name)
        .replace("testsenderid", "demo_sender")
        .replace("pass123!", "demo_sender_password")
    )
    body = (
        f"<request>{control}<operation><authentication>{gw.login()}</authentication>"
        '<content><function controlid="f"><getAPISession/></function></content>'
        "</operation></request>"
    )
    root = etree.fromstring(gw.post(body.encode()).content)
    assert root.findtext("control/controlid") == etree.fromstring(control).findtext("controlid")
    if name == "req_02":
        assert root.findtext("operation/result/status") == "success"
    else:  # policyid asks for asynchronous delivery, which needs a configured transport policy
        assert root.findtext("control/status") == "failure"
        assert gw.errors(root) == [("XL03000006", "testpolicy is not a valid transport policy.")]


def test_req_04_login_with_entity(gw):
    login = etree.fromstring(fixture("req_04")).find("login")
    for tag, value in (
        ("userid", "demo_user"),
        ("companyid", "demo"),
        ("password", "demo_user_password"),
    ):
        login.find(tag).text = value
    root = gw.send(
        '<function controlid="f"><getAPISession/></function>', auth=etree.tostring(login).decode()
    )
    assert root.findtext("operation/authentication/status") == "failure"  # no entity "testentity"
    login.find("locationid").text = "US"
    root = gw.send(
        '<function controlid="f"><getAPISession/></function>', auth=etree.tostring(login).decode()
    )
    assert root.findtext("operation/authentication/locationid") == "US"
    assert root.findtext("operation/result/data/api/locationid") == "US"


@pytest.mark.parametrize("name", ["req_05", "req_06"])
def test_operation_fixtures(gw, name):
    operation = etree.fromstring(fixture(name))
    if name == "req_05":
        login = operation.find("authentication/login")
        login.find("userid").text, login.find("companyid").text = "demo_user", "demo"
        login.find("password").text = "demo_user_password"
    else:
        operation.find("authentication/sessionid").text = gw.session()[0]
    body = (
        "<request><control><senderid>demo_sender</senderid><password>demo_sender_password"
        "</password><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0"
        f"</dtdversion></control>{etree.tostring(operation).decode()}</request>"
    )
    root = etree.fromstring(gw.post(body.encode()).content)
    result = root.find("operation/result")
    assert result.findtext("status") == "success"
    assert result.findtext("function") == "getAPISession"
    assert result.findtext("data/api/endpoint").startswith(gw.emulator.url)
    assert result.findtext("data/api/sessionid")


# -- function fixtures ------------------------------------------------------------------------
def _data_attrs(*names):
    def check(result):
        data = result.find("data")
        assert data is not None and set(names) <= set(data.attrib), etree.tostring(result)
        return data

    return check


def _rows(tag):
    def check(result):
        data = result.find("data")
        assert all(row.tag == tag for row in data), etree.tostring(data)
        return data

    return check


def _key(result):
    assert result.findtext("key")


def _no_data(result):
    assert result.find("data") is None and result.find("errormessage") is None


def _created(tag):
    def check(result):
        data = result.find("data")
        assert data.get("listtype") == "objects" and data.get("count") == "1"
        assert data[0].tag == tag and data[0].findtext("RECORDNO")

    return check


def _error(errorno, fragment):
    def check(result):
        errors = [
            (e.findtext("errorno"), e.findtext("description2") or "") for e in result.iter("error")
        ]
        assert any(no == errorno and fragment in d2 for no, d2 in errors), errors

    return check


def _create_failure(result):
    data = result.find("data")
    assert data is not None and data.attrib == {"listtype": "objects", "count": "0"}
    assert [c.tag for c in result][-1] == "errormessage"


SUBSTITUTIONS = {
    "CUSTOMER1": "C-1001",
    "C0020": "C-1001",
    "23530": "C-1001",
    "2390552": "SCREW-100",
    "<glaccountno/>": "<glaccountno>4000</glaccountno>",
    "<glaccountno></glaccountno>": "<glaccountno>4000</glaccountno>",
    "<createdfrom>Sales Quote-Q1002</createdfrom>": "",
    "<batchkey>123</batchkey>": "",
    "</paymentamount>": "</paymentamount><undepfundsacct>1100</undepfundsacct>",
    "1922.12": "100.00",
    "76343.43": "120.00",
    "<projectid>P2904</projectid>": "",
    "Sales Invoice-INV1234": "Sales Invoice-INV-0004",
    "BA1145": "BOA",
    "<CUSTOMFIELD1>Hello</CUSTOMFIELD1>": "",
    "C5678": "C-1001",
}

# (fixture, expected status as written, check, adapted status, adapted check)
FUNCTION_CASES = [
    ("req_10", "success", _rows("class"), None, None),
    ("req_11", "failure", _error("readMore failed", "invalid or expired resultId"), None, None),
    ("req_12", "success", _data_attrs("listtype", "count"), None, None),
    ("req_13", "success", _data_attrs("listtype", "count"), None, None),
    (
        "req_14",
        "success",
        _data_attrs("listtype", "totalcount", "offset", "count", "numremaining"),
        None,
        None,
    ),
    ("req_15", "success", _rows("ARINVOICE"), None, None),
    ("req_16", "success", _rows("GLBATCH"), None, None),
    ("req_17", "success", _rows("ARINVOICE"), None, None),
    ("req_18", "success", _rows("ARINVOICE"), None, None),
    ("req_19", "success", lambda r: r.find("data/Type/Attributes/SingularName").text, None, None),
    ("req_20", "failure", _error("Query Failed", "Object definition TEST not found"), None, None),
    ("req_30", "failure", _error("BL01001973", "CUSTOMFIELD1"), "success", _created("customer")),
    ("req_31", "success", _created("customer"), None, None),
    (
        "req_32",
        "failure",
        _error("Cannot update non-existing CUSTOMER with CUSTOMERID=C1234.", ""),
        None,
        None,
    ),
    (
        "req_33",
        "failure",
        _error("BL01001973", "Cannot find customer with key 'C1234'"),
        None,
        None,
    ),
    ("req_34", "success", _created("contact"), None, None),
    (
        "req_35",
        "failure",
        _error("Cannot update non-existing CONTACT with CONTACTNAME=hello.", ""),
        None,
        None,
    ),
    ("req_36", "success", _created("item"), None, None),
    ("req_37", "failure", _error("BL01001973", "unknown field CUSTOMFIELD01"), None, None),
    (
        "req_40",
        "failure",
        _error("BL01001973", "Cannot find glbatch with key '1234' to delete."),
        None,
        None,
    ),
    ("req_41", "failure", _error("BL03000017", "CUSTOMER1"), "success", _key),
    ("req_42", "failure", _error("BL03000017", "CUSTOMER1"), "success", _key),
    ("req_43", "failure", _error("BL01001973", "'1234'"), None, None),
    ("req_44", "failure", _error("BL03000017", "C0020"), "success", _key),
    ("req_45", "failure", _error("BL01001973", "'1234' does not exist"), None, None),
    ("req_46", "failure", _error("BL03000017", "CUSTOMER1"), "success", _key),
    ("req_47", "failure", _error("BL03000017", "23530"), "success", _key),
    ("req_48", "failure", _error("BL01001973", "INV1234"), "success", _no_data),
    ("req_49", "failure", _error("BL03000017", "BA1145"), None, None),
]


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=[c[0] for c in FUNCTION_CASES])
def test_function_fixture(gw, case):
    name, status, check, adapted_status, adapted_check = case
    function = fixture(name)
    result = gw.send(function).find("operation/result")
    assert result.findtext("status") == status, etree.tostring(result).decode()
    assert result.findtext("controlid") == "unittest"
    check(result)
    if status == "failure" and result.findtext("function") == "create":
        _create_failure(result)
    if adapted_status:
        for old, new in SUBSTITUTIONS.items():
            function = function.replace(old, new)
        result = gw.send(function).find("operation/result")
        assert result.findtext("status") == adapted_status, etree.tostring(result).decode()
        adapted_check(result)


def test_create_update_delete_customer_fixtures_in_sequence(gw):
    """req_30 (adapted) creates C1234, req_32 then updates it and req_33 deletes it."""
    created = (
        fixture("req_30")
        .replace("<CUSTOMFIELD1>Hello</CUSTOMFIELD1>", "")
        .replace("C5678", "C-1001")
    )
    assert gw.send(created).findtext("operation/result/status") == "success"
    updated = gw.send(fixture("req_32")).find("operation/result")
    assert updated.findtext("status") == "success"
    assert updated.findtext("data/customer/CUSTOMERID") == "C1234"
    assert gw.send(fixture("req_33")).findtext("operation/result/status") == "success"
    assert not [r for r in gw.records("CUSTOMER") if r["CUSTOMERID"] == "C1234"]


def test_glentry_fixtures_inside_a_journal_entry(gw):
    """req_39 carries CUSTOM01, a custom field the company defines first."""
    gw.emulator.admin(
        "POST",
        "/_emulator/companies/demo",
        {"custom_fields": [{"object": "GLENTRY", "name": "CUSTOM01", "datatype": "INTEGER"}]},
    )
    lines = []
    for name, account in (("req_38", "1000"), ("req_39", "6000")):
        line = etree.fromstring(fixture(name))
        line.find("ACCOUNTNO").text = account
        line.find("TRX_AMOUNT").text = "400.23"
        for tag, value in (("LOCATION", "US"), ("DEPARTMENT", "ADMIN")):
            if line.find(tag) is not None:
                line.find(tag).text = value
        lines.append(etree.tostring(line).decode())
    result = gw.ok(
        "<create><GLBATCH><JOURNAL>GJ</JOURNAL><BATCH_DATE>06/30/2016</BATCH_DATE>"
        f"<BATCH_TITLE>Fixture lines</BATCH_TITLE><ENTRIES>{''.join(lines)}</ENTRIES>"
        "</GLBATCH></create>"
    )
    batch = result.findtext("data/glbatch/RECORDNO")
    entries = [r for r in gw.records("GLENTRY") if r["BATCHNO"] == batch]
    assert [(e["ACCOUNTNO"], e["TR_TYPE"], e["AMOUNT"]) for e in entries] == [
        ("1000", "-1", "400.23"),
        ("6000", "1", "400.23"),
    ]
    assert entries[1]["PROJECTID"] == "P100" and entries[1]["DESCRIPTION"] == "my memo"
    assert entries[1]["EXCH_RATE_DATE"] == "06/30/2016" and entries[1]["CUSTOM01"] == "123"
