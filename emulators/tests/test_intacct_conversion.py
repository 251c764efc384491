"""Order Entry's Convert action (admin route) and sales order subtotals, over HTTP."""

from __future__ import annotations

import pytest
from connector_emulators.intacct.server import AdminError


def documents(intacct):
    rows = intacct.admin("GET", "/_emulator/records/demo/SODOCUMENT")["records"]
    return {row["DOCID"]: row for row in rows}


def lines_of(intacct, docid):
    rows = intacct.admin("GET", "/_emulator/records/demo/SODOCUMENTENTRY")["records"]
    return [
        (row["ITEMID"], row["QUANTITY"], row["PRICE"]) for row in rows if row["DOCHDRID"] == docid
    ]


def test_converting_takes_what_is_left_and_marks_the_order(intacct):
    before = documents(intacct)["Sales Order-SO-0002"]
    assert before["STATE"] == "Partially Converted"  # INV-0002 took one of two saws
    made = intacct.admin(
        "POST", "/_emulator/convert/demo", {"docid": "Sales Order-SO-0002", "date": "2026-11-20"}
    )
    assert made["CREATEDFROM"] == "Sales Order-SO-0002"
    after = documents(intacct)
    invoice = after[made["DOCID"]]
    assert (invoice["DOCPARID"], invoice["PONUMBER"], invoice["CUSTVENDID"]) == (
        "Sales Invoice", before["PONUMBER"], before["CUSTVENDID"],
    )  # fmt: skip
    assert invoice["WHENCREATED"] == "11/20/2026"
    assert lines_of(intacct, made["DOCID"]) == [("SAW-CIRC", "1", "189.99")]
    assert after["Sales Order-SO-0002"]["STATE"] == "Converted"
    ar = intacct.admin("GET", "/_emulator/records/demo/ARINVOICE")["records"]
    assert [r for r in ar if r["RECORDNO"] == invoice["PRRECORDKEY"]]  # posted to AR
    with pytest.raises(AdminError, match="is Converted: nothing to convert"):
        intacct.admin("POST", "/_emulator/convert/demo", {"docid": "Sales Order-SO-0002"})
    with pytest.raises(AdminError, match="no sales document"):
        intacct.admin("POST", "/_emulator/convert/demo", {"docid": "Sales Order-NOPE"})


def test_subtotals_add_to_the_order_total(gw, intacct):
    created = gw.ok(
        "<create_sotransaction><transactiontype>Sales Order</transactiontype>"
        "<datecreated><year>2026</year><month>11</month><day>2</day></datecreated>"
        "<customerid>C-1001</customerid><referenceno>000000999</referenceno>"
        "<sotransitems><sotransitem><itemid>HAMMER-1</itemid><quantity>2</quantity>"
        "<price>19.95</price></sotransitem></sotransitems>"
        "<subtotals><subtotal><description>Shipping</description><total>5.00</total></subtotal>"
        "<subtotal><description>Discount</description><total>-3.99</total></subtotal>"
        "</subtotals></create_sotransaction>"
    )
    docid = created.findtext(".//key")
    assert documents(intacct)[docid]["TOTAL"] == "40.91"
