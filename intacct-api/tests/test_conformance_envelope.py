"""Offline conformance of the request envelope and of the builders' options and limits.

The envelope (control, authentication, operation blocks) is compared with the SDK's fixtures and
the 2019 XSD; builder options without a fixture are checked for their rendered XML and refusals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from intacct_api import functions as fn
from intacct_api.envelope import Control, LoginAuth, SessionAuth, build_request
from intacct_conformance_support import CONTROL, canonical, load, needs_fixtures, request_root
from lxml import etree

pytestmark = needs_fixtures


def test_full_request_matches_sdk(api_schema):
    root = request_root([fn.get_api_session(control_id="unittest")])
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log
    content = root.find("operation/content")
    assert len(content) == 1
    for child in list(content):
        content.remove(child)
    assert canonical(root) == canonical(load("req_01"))


def test_control_blocks_match_sdk():
    root = request_root([fn.get_api_session()])
    assert canonical(root.find("control")) == canonical(load("req_02"))
    control = Control("testsenderid", "pass123!", control_id="testcontrol", policy_id="testpolicy")
    raw = build_request(control, SessionAuth("s"), [fn.get_api_session()], unique_id=True)
    assert canonical(etree.fromstring(raw).find("control")) == canonical(load("req_03"))


def test_login_with_entity_matches_sdk():
    auth = LoginAuth("testuser", "testcompany", "testpass", location_id="testentity")
    root = request_root([fn.get_api_session()], auth=auth)
    assert canonical(root.find("operation/authentication")) == canonical(load("req_04"))


def test_operations_match_sdk(api_schema):
    login = LoginAuth("testuser", "testcompany", "testpass")
    root = request_root([fn.get_api_session(control_id="unittest")], auth=login)
    assert canonical(root.find("operation")) == canonical(load("req_05"))
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log
    root = request_root(
        [fn.get_api_session(control_id="unittest")],
        auth=SessionAuth("fakesession.."),
        transaction=True,
    )
    assert canonical(root.find("operation")) == canonical(load("req_06"))


def test_several_functions_keep_order_and_control_ids(api_schema):
    functions = [
        fn.read_by_query("CUSTOMER", control_id="a"),
        fn.create("CUSTOMER", {"CUSTOMERID": "C1", "NAME": "One"}, control_id="b"),
        fn.delete("CUSTOMER", "1", control_id="c"),
    ]
    root = request_root(functions)
    assert [f.get("controlid") for f in root.iterfind("operation/content/function")] == [
        "a",
        "b",
        "c",
    ]
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log
    with pytest.raises(ValueError, match="unique"):
        build_request(CONTROL, SessionAuth("s"), [functions[0], functions[0]])


def test_request_is_utf8_and_escapes_text():
    function = fn.create("CUSTOMER", {"NAME": "Zoë & Søn <AS>"}, control_id="x")
    raw = build_request(CONTROL, SessionAuth("s"), [function])
    assert "Zoë &amp; Søn &lt;AS&gt;".encode() in raw
    assert etree.fromstring(raw).find(".//NAME").text == "Zoë & Søn <AS>"


def test_generated_control_ids_are_fresh():
    assert fn.read_more("r").control_id != fn.read_more("r").control_id
    assert Control("s", "p").control_id != Control("s", "p").control_id


# --- builder options and limits -----------------------------------------------------------


def test_builder_variants(api_schema):
    variants = [
        fn.read_more(object="CUSTOMER", control_id="a"),
        fn.inspect("*", control_id="b"),
        fn.read_by_query("SODOCUMENT", "STATE = 'C'", fields=["RECORDNO", "DOCID"], page_size=10,
                         docparid="Sales Invoice", control_id="c"),
        fn.get_api_session("US", control_id="d"),
    ]  # fmt: skip
    root = request_root(variants[:3])  # getAPISession must be alone in a request
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log
    xml = [etree.tostring(f.element).decode() for f in variants]
    assert xml[0] == "<readMore><object>CUSTOMER</object></readMore>"
    assert xml[1] == "<inspect><object>*</object></inspect>"
    assert "<fields>RECORDNO,DOCID</fields>" in xml[2]
    assert xml[2].endswith("<docparid>Sales Invoice</docparid></readByQuery>")
    assert xml[3] == "<getAPISession><locationid>US</locationid></getAPISession>"
    assert (
        etree.tostring(fn.get_api_session("").element)
        == b"<getAPISession><locationid/></getAPISession>"
    )
    lookup = fn.lookup("SODOCUMENT", docparid="Sales Invoice").element
    assert lookup.findtext("docparid") == "Sales Invoice"


def test_legacy_builder_names_unknown_fields():
    with pytest.raises(ValueError, match=r"create_invoice\.invoiceitems\.lineitem: .*'amout'"):
        fn.create_invoice(
            {
                "customerid": "C1",
                "datecreated": date(2024, 1, 1),
                "invoiceitems": {"lineitem": [{"glaccountno": "4000", "amout": 1}]},
            }
        )
    with pytest.raises(ValueError, match=r"create_invoice\.customerid: expected a single value"):
        fn.create_invoice({"customerid": {"x": 1}})
    with pytest.raises(ValueError, match=r"record_deposit\.depositdate: not a date"):
        fn.record_deposit({"depositdate": "yesterday"})


def test_builder_limits(client):
    with pytest.raises(ValueError, match="page_size"):
        fn.query("CUSTOMER", ["RECORDNO"], page_size=4001)  # the REST query service's largest
    assert fn.query("CUSTOMER", ["RECORDNO"], page_size=2000).element.findtext("pagesize") == "2000"
    over_xml = client.execute([fn.query("CUSTOMER", ["RECORDNO"], page_size=2001)])[0]
    assert not over_xml.ok and "pagesize 2001 is out of range" in str(over_xml.errors[0])
    with pytest.raises(ValueError, match="page_size"):
        fn.read_by_query("CUSTOMER", page_size=1001)
    with pytest.raises(ValueError, match="offset"):
        fn.query("CUSTOMER", ["RECORDNO"], offset=-1)
    with pytest.raises(ValueError, match="at least two"):
        fn.and_(fn.eq("A", 1))
    with pytest.raises(ValueError, match=r"1\.\.1000"):
        fn.in_("A", range(1001))
    with pytest.raises(ValueError, match="is_null"):
        fn.eq("A", None)
    with pytest.raises(ValueError, match="at most 100 keys"):
        fn.read("CUSTOMER", range(101))
    with pytest.raises(ValueError, match="exactly one"):
        fn.read_more()
    with pytest.raises(ValueError, match="aggregate"):
        fn.query("CUSTOMER", [("median", "X")])


def test_filter_operators_render():
    when = datetime(2024, 1, 2, 3, 4, 5)  # noqa: DTZ001 - naive: already in the company zone
    tree = fn.and_(
        fn.ne("A", "x"),
        fn.lt("B", Decimal("1.50")),
        fn.gt("C", when),
        fn.between("D", date(2024, 1, 1), date(2024, 2, 1)),
        fn.in_("E", ["a", "b"]),
        fn.not_in("F", [1]),
        fn.like("G", "A%"),
        fn.not_like("H", "%B"),
        fn.is_null("I"),
        fn.is_not_null("J"),
    ).to_xml()
    assert [c.tag for c in tree] == [
        "notequalto",
        "lessthan",
        "greaterthan",
        "between",
        "in",
        "notin",
        "like",
        "notlike",
        "isnull",
        "isnotnull",
    ]
    assert tree.find("lessthan/value").text == "1.50"
    assert tree.find("greaterthan/value").text == "01/02/2024 03:04:05"
    assert [v.text for v in tree.findall("between/value")] == ["01/01/2024", "02/01/2024"]
    assert [v.text for v in tree.findall("in/value")] == ["a", "b"]
    assert tree.find("isnull/value") is None
    with pytest.raises(ValueError, match="format_datetime"):
        fn.ge("WHENMODIFIED", datetime(2024, 1, 1, tzinfo=UTC)).to_xml()
