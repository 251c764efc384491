"""Offline conformance: requests match the SDK fixtures and the XSDs, responses parse right."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from intacct_api import functions as fn
from intacct_api.envelope import (
    Control,
    LoginAuth,
    SessionAuth,
    build_request,
    parse_response,
)
from intacct_api.errors import (
    AuthenticationError,
    ControlError,
    FunctionError,
    GatewayError,
    InvalidSessionError,
)
from intacct_api.xml import to_element
from lxml import etree

SHARED = Path(__file__).resolve().parents[3] / "shared" / "intacct"
FIXTURES = SHARED / "fixtures"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared reference not present")


def load(name: str) -> etree._Element:
    matches = sorted(FIXTURES.glob(f"{name}*.xml"))
    assert len(matches) == 1, name
    return etree.parse(str(matches[0])).getroot()


def body(name: str) -> bytes:
    return next(FIXTURES.glob(f"{name}*.xml")).read_bytes()


def canonical(element: etree._Element, unordered: bool = False) -> tuple:
    """Tag, attributes, stripped text and children; whitespace-only text counts as empty."""
    children = [canonical(c) for c in element if isinstance(c.tag, str)]
    if unordered:
        children.sort()
    return (element.tag, sorted(element.attrib.items()), (element.text or "").strip(), children)


@pytest.fixture(scope="module")
def api_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / "schemas" / "intacct_dtd_v3.0_api.xsd")))


@pytest.fixture(scope="module")
def query_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / "schemas" / "query_function_schema.xsd")))


CONTROL = Control("testsenderid", "pass123!", control_id="unittest")


def request_root(functions, auth=None, **kwargs) -> etree._Element:
    raw = build_request(CONTROL, auth or SessionAuth("testsession.."), functions, **kwargs)
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return etree.fromstring(raw)


# --- envelope ------------------------------------------------------------------------------


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


# --- functions -----------------------------------------------------------------------------

READS = {
    "req_10": lambda: fn.read_by_query("CLASS", "RECORDNO < 2", control_id="unittest"),
    "req_11": lambda: fn.read_more("6465763031VyprCMCoHYQAAGr@aRsAAAAU4", control_id="unittest"),
    "req_12": lambda: fn.read("CLASS", [5, 6], control_id="unittest"),
    "req_13": lambda: fn.read_by_name(
        "GLENTRY",
        "987",
        fields=["TRX_AMOUNT", "RECORDNO", "BATCHNO"],
        docparid="Sales Invoice",
        control_id="unittest",
    ),
    "req_19": lambda: fn.inspect("APBILL", detail=True, control_id="unittest"),
    "req_20": lambda: fn.lookup("TEST", control_id="unittest"),
}

QUERIES = {
    "req_14": lambda: fn.query(
        "CUSTOMER",
        ["CUSTOMERID", "RECORDNO"],
        docparid="REPORT",
        case_insensitive=True,
        show_private=True,
        page_size=10,
        offset=5,
        control_id="unittest",
    ),
    "req_15": lambda: fn.query(
        "ARINVOICE",
        ["CUSTOMERID", "RECORDNO"],
        filter=fn.and_(fn.ge("RECORDNO", 1), fn.le("RECORDNO", 100)),
        control_id="unittest",
    ),
    "req_16": lambda: fn.query(
        "GLBATCH",
        ["BATCHNO", "RECORDNO", "STATE"],
        filter=fn.or_(
            fn.and_(fn.eq("JOURNAL", "APJ"), fn.eq("STATE", "Posted")),
            fn.and_(
                fn.eq("JOURNAL", "RCPT"),
                fn.eq("STATE", "Posted"),
                fn.or_(fn.eq("RECORDNO", 168), fn.eq("RECORDNO", 132)),
            ),
        ),
        control_id="unittest",
    ),
    "req_17": lambda: fn.query(
        "ARINVOICE",
        ["CUSTOMERID", "RECORDNO"],
        order_by=[("TOTALDUE", True), ("RECORDNO", False)],
        control_id="unittest",
    ),
    "req_18": lambda: fn.query(
        "ARINVOICE",
        [
            "CUSTOMERID",
            ("avg", "TOTALDUE"),
            ("min", "WHENDUE"),
            ("max", "TOTALENTERED"),
            ("sum", "TOTALDUE"),
            ("count", "RECORDNO"),
        ],
        control_id="unittest",
    ),
}

FULL_CUSTOMER = {
    "CUSTOMERID": "C1234",
    "NAME": "SaaS Corp",
    "DISPLAYCONTACT.PRINTAS": "SaaS Corporation",
    "DISPLAYCONTACT.COMPANYNAME": "SaaS Corp.",
    "DISPLAYCONTACT.TAXABLE": True,
    "DISPLAYCONTACT.TAXGROUP": "CA",
    "DISPLAYCONTACT.PREFIX": "Mr",
    "DISPLAYCONTACT.FIRSTNAME": "Bill",
    "DISPLAYCONTACT.LASTNAME": "Smith",
    "DISPLAYCONTACT.INITIAL": "G",
    "DISPLAYCONTACT.PHONE1": "12",
    "DISPLAYCONTACT.PHONE2": "34",
    "DISPLAYCONTACT.CELLPHONE": "56",
    "DISPLAYCONTACT.PAGER": "78",
    "DISPLAYCONTACT.FAX": "90",
    "DISPLAYCONTACT.EMAIL1": "noreply@intacct.com",
    "DISPLAYCONTACT.EMAIL2": "noreplyagain@intacct.com",
    "DISPLAYCONTACT.URL1": "www.intacct.com",
    "DISPLAYCONTACT.URL2": "us.intacct.com",
    "DISPLAYCONTACT.MAILADDRESS": {
        "ADDRESS1": "300 Park Ave",
        "ADDRESS2": "Ste 1400",
        "CITY": "San Jose",
        "STATE": "CA",
        "ZIP": "95110",
        "COUNTRY": "United States",
        "COUNTRYCODE": "US",
    },
    "ONETIME": False,
    "STATUS": "active",
    "HIDEDISPLAYCONTACT": False,
    "CUSTTYPE": "SaaS",
    "PARENTID": "C5678",
    "GLGROUP": "Group",
    "TERRITORYID": "NE",
    "SUPDOCID": "A1234",
    "TERMNAME": "N30",
    "OFFSETGLACCOUNTNO": 1200,
    "ARACCOUNT": "4000",
    "SHIPPINGMETHOD": "USPS",
    "RESALENO": "123",
    "TAXID": "12-3456789",
    "CREDITLIMIT": Decimal("1234.56"),
    "ONHOLD": False,
    "DELIVERYOPTIONS": "Print",
    "CUSTMESSAGEID": "hello",
    "COMMENTS": "my comment",
    "CURRENCY": "USD",
    "ARINVOICEPRINTTEMPLATEID": "temp1",
    "OEQUOTEPRINTTEMPLATEID": "temp2",
    "OEORDERPRINTTEMPLATEID": "temp3",
    "OELISTPRINTTEMPLATEID": "temp4",
    "OEINVOICEPRINTTEMPLATEID": "temp5",
    "OEADJPRINTTEMPLATEID": "temp6",
    "OEOTHERPRINTTEMPLATEID": "temp7",
    "CONTACTINFO.CONTACTNAME": "primary",
    "BILLTO.CONTACTNAME": "bill to",
    "SHIPTO.CONTACTNAME": "ship to",
    "OBJECTRESTRICTION": "Restricted",
    "RESTRICTEDLOCATIONS": "100#~#200",
    "RESTRICTEDDEPARTMENTS": "D100#~#D200",
    "CUSTOMFIELD1": "Hello",
    "UNSET_FIELD": None,
}

WRITES = {
    "req_30": lambda: fn.create("CUSTOMER", FULL_CUSTOMER, control_id="unittest"),
    "req_31": lambda: fn.create(
        "CUSTOMER",
        {"NAME": "SaaS Corp", "DISPLAYCONTACT.PRINTAS": "SaaS Corporation"},
        control_id="unittest",
    ),
    "req_32": lambda: fn.update(
        "CUSTOMER", {"CUSTOMERID": "C1234", "DISPLAYCONTACT": {}}, control_id="unittest"
    ),
    "req_33": lambda: fn.delete_customer("C1234", control_id="unittest"),
    "req_34": lambda: fn.create(
        "CONTACT", {"CONTACTNAME": "hello", "PRINTAS": "world"}, control_id="unittest"
    ),
    "req_35": lambda: fn.update("CONTACT", {"CONTACTNAME": "hello"}, control_id="unittest"),
    "req_36": lambda: fn.create(
        "ITEM",
        {"ITEMID": "I1234", "NAME": "hello world", "ITEMTYPE": "Inventory"},
        control_id="unittest",
    ),
    "req_37": lambda: fn.create(
        "GLBATCH",
        {
            "JOURNAL": "GJ",
            "BATCH_DATE": date(2016, 6, 30),
            "REVERSEDATE": date(2016, 7, 1),
            "BATCH_TITLE": "My desc",
            "HISTORY_COMMENT": "comment!",
            "REFERENCENO": "123",
            "BASELOCATION_NO": "100",
            "SUPDOCID": "AT001",
            "STATE": "Posted",
            "CUSTOMFIELD01": "test01",
            "ENTRIES": {
                "GLENTRY": [
                    {"ACCOUNTNO": "", "TR_TYPE": 1, "TRX_AMOUNT": ""},
                    {"ACCOUNTNO": "", "TR_TYPE": 1, "TRX_AMOUNT": ""},
                ]
            },
        },
        control_id="unittest",
    ),
    "req_40": lambda: fn.delete("GLBATCH", 1234, control_id="unittest"),
    "req_41": lambda: fn.create_invoice(
        {
            "customerid": "CUSTOMER1",
            "datecreated": date(2015, 6, 30),
            "termname": "N30",
            "invoiceitems": {"lineitem": [{"glaccountno": "", "amount": Decimal("76343.43")}]},
        },
        control_id="unittest",
    ),
    "req_43": lambda: fn.delete_invoice("1234", control_id="unittest"),
    "req_44": lambda: fn.create_arpayment(
        {
            "paymentmethod": "Printed Check",
            "datereceived": "2016-06-30",
            "batchkey": 123,
            "paymentamount": Decimal("1922.12"),
            "customerid": "C0020",
        },
        control_id="unittest",
    ),
    "req_45": lambda: fn.apply_arpayment(
        {"paymentdate": {"year": "2016", "month": "06", "day": "30"}, "arpaymentkey": "1234"},
        control_id="unittest",
    ),
    "req_46": lambda: fn.create_aradjustment(
        {
            "aradjustmentitems": {"lineitem": {"glaccountno": "", "amount": "76343.43"}},
            "customerid": "CUSTOMER1",
            "datecreated": date(2015, 6, 30),
            "dateposted": "06/30/2015",
            "batchkey": "20323",
            "adjustmentno": "234235",
            "action": "Submit",
            "invoiceno": "234",
            "description": "Some description",
            "externalid": "20394",
            "basecurr": "USD",
            "currency": "USD",
            "exchratedate": date(2015, 6, 30),
            "exchratetype": "Intacct Daily Rate",
            "nogl": False,
        },
        control_id="unittest",
    ),
    "req_47": lambda: fn.create_sotransaction(
        {
            "transactiontype": "Sales Order",
            "datecreated": date(2015, 6, 30),
            "dateposted": date(2015, 6, 30),
            "createdfrom": "Sales Quote-Q1002",
            "customerid": "23530",
            "documentno": "23430",
            "origdocdate": date(2015, 6, 15),
            "referenceno": "234235",
            "termname": "N30",
            "datedue": date(2020, 9, 24),
            "message": "Submit",
            "shippingmethod": "USPS",
            "shipto": {"contactname": "28952"},
            "billto": {"contactname": "289533"},
            "supdocid": "6942",
            "externalid": "20394",
            "basecurr": "USD",
            "currency": "USD",
            "exchratedate": date(2015, 6, 30),
            "exchratetype": "Intacct Daily Rate",
            "vsoepricelist": "VSOEPricing",
            "customfields": {
                "customfield": [
                    {"customfieldname": "customfield1", "customfieldvalue": "customvalue1"}
                ]
            },
            "state": "Pending",
            "projectid": "P2904",
            "sotransitems": {"sotransitem": [{"itemid": "2390552", "quantity": 223}]},
            "subtotals": {
                "subtotal": [{"description": "Subtotal description", "total": Decimal("223")}]
            },
        },
        control_id="unittest",
    ),
    "req_48": lambda: fn.delete_sotransaction("Sales Invoice-INV1234", control_id="unittest"),
    "req_49": lambda: fn.record_deposit(
        {
            "bankaccountid": "BA1145",
            "depositdate": date(2015, 6, 30),
            "depositid": "Deposit Slip 2015-06-30",
            "receiptkeys": {"receiptkey": [1234]},
        },
        control_id="unittest",
    ),
}


@pytest.mark.parametrize("name", sorted(READS | WRITES))
def test_function_matches_fixture_and_xsd(name, api_schema):
    function = (READS | WRITES)[name]()
    assert canonical(function.to_xml()) == canonical(load(name))
    if function.name != "lookup":  # lookup postdates the 2019 schema
        root = request_root([function])
        assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log
    assert function.is_read == (name in READS)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_matches_fixture_and_xsd(name, query_schema):
    function = QUERIES[name]()
    assert canonical(function.to_xml()) == canonical(load(name))
    assert query_schema.validate(etree.ElementTree(function.element)), query_schema.error_log
    assert function.is_read


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


def test_full_invoice_follows_xsd_order(api_schema):
    """The SDK writes `action` before `batchkey`; the 2019 XSD wants `batchkey` first."""
    function = fn.create_invoice(
        {
            "customerid": "CUSTOMER1",
            "datecreated": date(2015, 6, 30),
            "dateposted": date(2015, 6, 30),
            "datedue": date(2020, 9, 24),
            "termname": "N30",
            "action": "Submit",
            "batchkey": "20323",
            "invoiceno": "234",
            "ponumber": "234235",
            "onhold": True,
            "description": "Some description",
            "externalid": "20394",
            "billto": {"contactname": "28952"},
            "shipto": {"contactname": "289533"},
            "basecurr": "USD",
            "currency": "USD",
            "exchratedate": date(2015, 6, 30),
            "exchratetype": "Intacct Daily Rate",
            "nogl": False,
            "supdocid": "6942",
            "taxsolutionid": "taxsolution",
            "customfields": {
                "customfield": {
                    "customfieldname": "customfield1",
                    "customfieldvalue": "customvalue1",
                }
            },
            "invoiceitems": {
                "lineitem": [
                    {
                        "glaccountno": "",
                        "amount": Decimal("76343.43"),
                        "taxentries": {"taxentry": {"detailid": "TaxName", "trx_tax": 10}},
                    }
                ]
            },
        },
        control_id="unittest",
    )
    expected = load("req_42")
    invoice = expected.find("create_invoice")
    action = invoice.find("action")
    invoice.remove(action)
    invoice.insert(list(invoice).index(invoice.find("batchkey")) + 1, action)
    assert canonical(function.to_xml()) == canonical(expected)
    # Elements newer than the 2019 schema aside, the output validates.
    stripped = copy.deepcopy(function)
    for tag in ("onhold", "taxsolutionid", "invoiceitems/lineitem/taxentries"):
        for element in stripped.element.findall(tag):
            element.getparent().remove(element)
    root = request_root([stripped])
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log


def test_glentry_lines_match_fixtures():
    credit = {"ACCOUNTNO": "", "TR_TYPE": -1, "TRX_AMOUNT": Decimal("400.23")}
    assert canonical(to_element("GLENTRY", credit)) == canonical(load("req_38"))
    line = {
        "DOCUMENT": 212,
        "ACCOUNTNO": "1010",
        "TR_TYPE": 1,
        "TRX_AMOUNT": Decimal("1456.54"),
        "CURRENCY": "USD",
        "EXCH_RATE_DATE": date(2016, 6, 30),
        "EXCH_RATE_TYPE_ID": "Intacct Daily Rate",
        "LOCATION": "100",
        "DEPARTMENT": "ADM",
        "PROJECTID": "P100",
        "TASKID": "T123",
        "CUSTOMERID": "C100",
        "VENDORID": "V100",
        "EMPLOYEEID": "E100",
        "ITEMID": "I100",
        "CLASSID": "C200",
        "CONTRACTID": "C300",
        "WAREHOUSEID": "W100",
        "DESCRIPTION": "my memo",
        "CUSTOM01": 123,
    }
    assert canonical(to_element("GLENTRY", line)) == canonical(load("req_39"))


def test_documented_requests_match():
    payment = fn.create(
        "ARPYMT",
        {
            "FINANCIALENTITY": "BOA",
            "PAYMENTMETHOD": "Cash",
            "CUSTOMERID": "JHC",
            "DOCNUMBER": "INV-007",
            "RECEIPTDATE": date(2019, 5, 15),
            "PAYMENTDATE": "05/16/2019",
            "ARPYMTDETAILS": {"ARPYMTDETAIL": [{"RECORDKEY": 101, "TRX_PAYMENTAMOUNT": 125}]},
        },
    )
    assert canonical(payment.element) == canonical(load("doc_08"))
    audit = fn.query(
        "AUDITHISTORY", ["OBJECTTYPE", "SOURCE", "USERID"], filter=fn.eq("USERID", "jjackson")
    )
    # query children are an xs:all: order does not matter
    assert canonical(audit.element, unordered=True) == canonical(load("doc_09"), unordered=True)


def test_update_legacy_functions_validate(api_schema):
    functions = [
        fn.update_invoice(
            "1234",
            {
                "datedue": date(2020, 1, 31),
                "updateinvoiceitems": {
                    "updatelineitem": [{"line_num": 1, "amount": Decimal("10.50")}],
                    "lineitem": [{"glaccountno": "4000", "amount": "5"}],
                },
            },
        ),
        fn.update_sotransaction(
            "Sales Invoice-INV1",
            {
                "message": "hello",
                "updatesotransitems": {
                    "updatesotransitem": [{"line_num": 2, "quantity": 3, "price": Decimal("9.99")}]
                },
            },
        ),
        fn.create_arpayment(
            {
                "customerid": "C1",
                "paymentamount": Decimal("100.00"),
                "bankaccountid": "BOA",
                "datereceived": date(2024, 1, 2),
                "paymentmethod": "Cash",
                "arpaymentitem": [
                    {"invoicekey": 10, "amount": Decimal("60")},
                    {"invoicekey": 11, "amount": 40},
                ],
            }
        ),
        fn.apply_arpayment(
            {
                "arpaymentkey": 5,
                "paymentdate": date(2024, 1, 2),
                "arpaymentitems": {"arpaymentitem": [{"invoicekey": 10, "amount": 1}]},
            }
        ),
    ]
    root = request_root(functions)
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log
    update = root.find(".//update_invoice")
    assert update.get("key") == "1234"
    assert [e.tag for e in update.find("updateinvoiceitems")] == ["lineitem", "updatelineitem"]
    assert update.find(".//updatelineitem").get("line_num") == "1"
    assert root.find(".//update_sotransaction").get("key") == "Sales Invoice-INV1"


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


# --- responses -----------------------------------------------------------------------------


def test_get_api_session_responses():
    response = parse_response(body("resp_01")).raise_for_status()
    assert response.auth.session_timeout == "2015-12-07T15:57:08-08:00"
    api = response.results[0].records()[0]
    assert api == {
        "sessionid": "fAkESesSiOnId..",
        "endpoint": "https://unittest.intacct.com/ia/xml/xmlgw.phtml",
        "locationid": None,
    }
    entity = parse_response(body("resp_02"))
    assert entity.auth.location_id == "testentity"
    assert entity.results[0].records()[0]["locationid"] == "testentity"


def test_read_by_query_responses():
    result = parse_response(body("resp_03")).results[0].raise_for_status()
    assert (result.function, result.listtype, result.count, result.total_count) == (
        "readByQuery",
        "customer",
        1,
        1,
    )
    assert result.num_remaining == 0
    assert result.result_id is None
    assert result.records() == [{"CUSTOMERID": "C0001", "NAME": "Sage Intacct, Inc"}]

    paged = parse_response(body("resp_04")).results[0]
    assert (paged.num_remaining, paged.result_id) == (1, "myResultId")
    row = paged.records()[0]
    assert row["DESCRIPTION"] is None
    assert row["WHENMODIFIED"] == "07/24/2017 15:19:46"

    empty = parse_response(body("resp_05")).results[0]
    assert (empty.count, empty.total_count, empty.records()) == (0, 0, [])

    page1 = parse_response(body("resp_12")).results[0]
    page2 = parse_response(body("resp_13")).results[0]
    assert page1.result_id == page2.result_id == "7765623330Vqb8pMCoA4IAAEnuglgAAAAL5"
    assert (page1.num_remaining, page2.num_remaining) == (1, 0)
    assert [r["ACCOUNTNO"] for r in page1.records() + page2.records()] == ["1010", "1020"]


def test_read_and_write_responses():
    read = parse_response(body("resp_06")).results[0]
    assert (read.listtype, read.count) == ("CUSTOMER", 1)
    assert read.records() == [{"RECORDNO": "149", "CUSTOMERID": "10074", "STATUS": "active"}]
    key = parse_response(body("resp_07")).results[0]
    assert (key.function, key.key, key.records()) == ("create_class", "C1234", [])
    created = parse_response(body("resp_10")).results[0]
    assert created.records() == [
        {"RECORDNO": "5", "CLASSID": "UT01"},
        {"RECORDNO": "6", "CLASSID": "UT02"},
    ]
    deleted = parse_response(body("resp_11")).results[0].raise_for_status()
    assert (deleted.function, deleted.data, deleted.records()) == ("delete", None, [])
    updated = parse_response(body("resp_14")).results[0]
    assert (updated.listtype, updated.count) == ("objects", 2)


def test_multiple_results_and_acknowledgement():
    response = parse_response(body("resp_08"))
    assert [r.control_id for r in response.results] == ["testControlId", "test2", "test3"]
    assert response.result("test2").listtype == "vendor"
    assert response.result("test3").records()[0]["ACHENABLED"] == "true"
    ack = parse_response(body("resp_09")).raise_for_status()
    assert (ack.acknowledgement, ack.results, ack.auth) == ("success", [], None)


@pytest.mark.parametrize(
    ("name", "status_code", "error_class", "errorno", "phrases"),
    [
        ("err_01", None, AuthenticationError, "XL03000006", ["'fakeuser'", "fix user_id"]),
        ("err_02", None, ControlError, "XL03000006", ["transport policy"]),
        ("err_03", None, ControlError, "PL04000055", ["demo company and has expired"]),
        ("err_04", 401, GatewayError, "XMLGW_JPP0002", ["HTTP 401", "fix sender_id"]),
        ("err_13", None, InvalidSessionError, "XL03000006", ["invalid or expired"]),
        ("err_14", None, ControlError, "XL03000003", ["could not parse", "PROJECTID line 18"]),
        ("err_16", None, AuthenticationError, "XL03000006", ["Sign-in information is incorrect"]),
        ("doc_01", None, AuthenticationError, "XL03000006", ["Web Services authorizations"]),
        ("doc_04", 400, GatewayError, "GW-0011", ["HTTP 400", "check sender_id"]),
        (
            "doc_05",
            None,
            ControlError,
            "XL03000003",
            ["Support ID: p5rxS~YxEXrDEnVyr0F531W8X9bQAAACQ"],
        ),
    ],
)
def test_request_level_errors(name, status_code, error_class, errorno, phrases):
    response = parse_response(body(name), status_code=status_code)
    with pytest.raises(error_class) as caught:
        response.raise_for_status()
    assert type(caught.value) is error_class
    assert caught.value.errorno == errorno
    for phrase in phrases:
        assert phrase in str(caught.value)
    if status_code is not None:
        assert caught.value.status_code == status_code


def test_sender_credentials_message():
    raw = body("err_02").replace(
        b"test is not a valid transport policy.", b"Incorrect Intacct XML Partner ID or password."
    )
    with pytest.raises(ControlError) as caught:
        parse_response(raw).raise_for_status()
    assert str(caught.value).startswith("Intacct rejected the sender ID/password: ")
    assert str(caught.value).endswith("; fix sender_id/sender_password")


@pytest.mark.parametrize(
    ("name", "function", "status", "errornos", "phrase"),
    [
        ("err_05", "readByQuery", "failure", ["Query Failed"], "Object definition BADOBJECT"),
        ("err_07", "read", "failure", ["XXX"], "VENDOR2 not found"),
        (
            "err_08",
            "create",
            "failure",
            ["BL34000061", "BL01001973", "BL01001973"],
            "UT01  already",
        ),
        ("err_09", "delete", "failure", ["BL01001973"], "key 'UT01' to delete"),
        ("err_10", "readMore", "failure", ["readMore failed"], "invalid or expired resultId"),
        (
            "err_11",
            "update",
            "failure",
            ["Cannot update non-existing CLASS with CLASSID=UT99."],
            "",
        ),
        ("err_12", "readByQuery", "failure", ["DL02000001"], "error processing the request"),
        ("doc_02", "create", "failure", ["BL01001973", "BL01001973"], "'5000.11' already exists"),
    ],
)
def test_function_errors(name, function, status, errornos, phrase):
    response = parse_response(body(name)).raise_for_status()
    result = response.results[0]
    assert (result.function, result.status, result.ok) == (function, status, False)
    assert [e.errorno for e in result.errors] == errornos
    with pytest.raises(FunctionError) as caught:
        result.raise_for_status()
    assert caught.value.result is result
    assert phrase in str(caught.value)
    assert result.control_id in str(caught.value)


def test_support_id_is_url_decoded():
    error = parse_response(body("doc_02")).results[0].errors[0]
    assert error.support_id == "EsppO~ZEcj0DEGV_L5hm95Ec91twAAABA"
    assert error.description == "Duplicate account number"
    assert error.correction == "Enter unique account number"
    assert "%7E" not in error.description2


def test_transaction_rollback():
    results = parse_response(body("err_06")).results
    assert [r.status for r in results] == ["aborted", "failure"]
    with pytest.raises(FunctionError, match="was rolled back"):
        results[0].raise_for_status()
    assert [e.errorno for e in results[1].errors] == ["Get API Session Failed", "XL03000009"]


def test_lookup_data_keeps_attributes_and_lists():
    wrapped = (
        b"<response><control><status>success</status></control><operation><authentication>"
        b"<status>success</status></authentication><result><status>success</status>"
        b'<function>lookup</function><controlid>x</controlid><data listtype="All" count="1">'
        + etree.tostring(load("doc_06"))
        + b"</data></result></operation></response>"
    )
    (record,) = parse_response(wrapped).results[0].records()
    assert (record["@Name"], record["@DocumentType"]) == ("GLBATCH", "")
    fields = record["Fields"]["Field"]
    assert [f["ID"] for f in fields] == ["RECORDNO", "STATE"]
    assert len(fields[1]["VALIDVALUES"]["VALIDVALUE"]) == 8
    assert record["Relationships"]["Relationship"]["RELATEDBY"] == "JOURNAL"
