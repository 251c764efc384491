"""Offline conformance of each function builder: the SDK's request fixtures and the XSDs.

Every read, query and write the SDK has a fixture for is built here and compared element by
element, then validated inside a full request against the 2019 API schema.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from intacct_api import functions as fn
from intacct_api.xml import to_element
from intacct_conformance_support import canonical, load, needs_fixtures, request_root
from lxml import etree

pytestmark = needs_fixtures

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
