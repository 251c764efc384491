"""Writes of business documents through the legacy functions and their rules.

AR invoices, payments, adjustments and deposits; order-entry sales transactions (an invoice
converted from an order, drafts that post, paid ones that cannot be deleted); AP bills and payments.

Generic create/update/delete and their rules are in test_intacct_writes.py.
"""

from __future__ import annotations

from emulator_intacct_support import find, freeze, one


def invoice_xml(customer="C-1003", amount="250.00", number="", extra=""):
    number_xml = f"<invoiceno>{number}</invoiceno>" if number else ""
    return (
        f"<create_invoice><customerid>{customer}</customerid><datecreated><year>2026</year>"
        f"<month>11</month><day>02</day></datecreated><termname>N30</termname>{number_xml}"
        f"<ponumber>PO-77</ponumber>{extra}<invoiceitems><lineitem><glaccountno>4000"
        f"</glaccountno><amount>{amount}</amount><memo>Work</memo></lineitem></invoiceitems>"
        "</create_invoice>"
    )


def test_create_update_delete_invoice(gw):
    freeze(gw)
    result = gw.ok(invoice_xml(number="AR-2001"))
    key = result.findtext("key")
    assert result.find("data") is None
    invoice = one(gw.records("ARINVOICE"), RECORDNO=key)
    assert (
        invoice["RECORDID"],
        invoice["CUSTOMERID"],
        invoice["WHENCREATED"],
        invoice["WHENDUE"],
        invoice["TOTALENTERED"],
        invoice["TOTALDUE"],
        invoice["STATE"],
        invoice["DOCNUMBER"],
        invoice["MODULEKEY"],
        invoice["MEGAENTITYID"],
        invoice["AUWHENCREATED"],
    ) == (
        "AR-2001",
        "C-1003",
        "11/02/2026",
        "12/02/2026",
        "250.00",
        "250.00",
        "Posted",
        "PO-77",
        "4.AR",
        "EU",
        "11/05/2026 10:00:00",
    )
    assert one(gw.records("ARINVOICEITEM"), RECORDKEY=key)["ENTRYDESCRIPTION"] == "Work"
    assert one(gw.records("CUSTOMER"), CUSTOMERID="C-1003")["TOTALDUE"] == "250.00"
    collision = gw.fail(invoice_xml(number="AR-2001"))
    assert gw.errors(collision)[0] == (
        "BL03002131",
        "A transaction with the number 'AR-2001' already exists.",
    )
    unknown = gw.fail(invoice_xml(customer="C-0000"))
    assert gw.errors(unknown)[0] == ("BL03000017", "Invalid customer 'C-0000': no such customer.")
    gw.ok(
        f'<update_invoice key="{key}"><description>Revised</description><updateinvoiceitems>'
        '<updatelineitem line_num="1"><amount>200</amount></updatelineitem><lineitem>'
        "<glaccountno>4000</glaccountno><amount>20.5</amount></lineitem></updateinvoiceitems>"
        "</update_invoice>"
    )
    invoice = one(gw.records("ARINVOICE"), RECORDNO=key)
    assert (invoice["TOTALENTERED"], invoice["DESCRIPTION"]) == ("220.50", "Revised")
    assert [i["AMOUNT"] for i in find(gw.records("ARINVOICEITEM"), RECORDKEY=key)] == [
        "200.00",
        "20.50",
    ]
    gw.ok(f'<delete_invoice key="{key}"/>')
    assert not find(gw.records("ARINVOICE"), RECORDNO=key)
    assert not find(gw.records("ARINVOICEITEM"), RECORDKEY=key)
    assert one(gw.records("CUSTOMER"), CUSTOMERID="C-1003")["TOTALDUE"] == "0.00"


def arpayment_xml(customer, amount, key, applied, extra=""):
    return (
        f"<create_arpayment><customerid>{customer}</customerid><paymentamount>{amount}"
        f"</paymentamount><undepfundsacct>1100</undepfundsacct>{extra}<arpaymentitem>"
        f"<invoicekey>{key}</invoicekey><amount>{applied}</amount></arpaymentitem>"
        "</create_arpayment>"
    )


def test_payments_lower_invoices_and_refuse_overpaying(gw):
    key = gw.ok(invoice_xml(amount="300.00")).findtext("key")
    freeze(gw, "2026-11-07T12:00:00Z")
    over = gw.fail(arpayment_xml("C-1003", "400", key, "400"))
    assert "exceeds the amount due 300.00" in gw.errors(over)[0][1]
    wrong_customer = gw.fail(arpayment_xml("C-1001", "10", key, "10"))
    assert "belongs to customer C-1003" in gw.errors(wrong_customer)[0][1]
    received = (
        "<datereceived><year>2026</year><month>11</month><day>07</day></datereceived>"
        "<paymentmethod>EFT</paymentmethod>"
    )
    payment = gw.ok(arpayment_xml("C-1003", "250", key, "100", received)).findtext("key")
    invoice = one(gw.records("ARINVOICE"), RECORDNO=key)
    assert (
        invoice["TOTALPAID"],
        invoice["TOTALDUE"],
        invoice["STATE"],
        invoice["WHENMODIFIED"],
    ) == ("100.00", "200.00", "Partially Paid", "11/07/2026 12:00:00")
    pymt = one(gw.records("ARPYMT"), RECORDNO=payment)
    assert (pymt["TOTALENTERED"], pymt["TOTALPAID"], pymt["TOTALDUE"]) == (
        "250.00",
        "100.00",
        "150.00",
    )
    too_much = gw.fail(
        f"<apply_arpayment><arpaymentkey>{payment}</arpaymentkey><paymentdate>"
        "<year>2026</year><month>11</month><day>08</day></paymentdate>"
        f"<arpaymentitems><arpaymentitem><invoicekey>{key}</invoicekey><amount>160"
        "</amount></arpaymentitem></arpaymentitems></apply_arpayment>"
    )
    assert "exceeds the unapplied amount 150.00" in gw.errors(too_much)[0][1]
    gw.ok(
        f"<apply_arpayment><arpaymentkey>{payment}</arpaymentkey><paymentdate><year>2026"
        "</year><month>11</month><day>08</day></paymentdate></apply_arpayment>"
    )
    invoice = one(gw.records("ARINVOICE"), RECORDNO=key)
    assert (invoice["TOTALDUE"], invoice["STATE"]) == ("50.00", "Partially Paid")
    details = find(gw.records("ARPYMTDETAIL"), PAYMENTKEY=payment)
    assert [(d["RECORDKEY"], d["TRX_PAYMENTAMOUNT"]) for d in details] == [
        (key, "100.00"),
        (key, "150.00"),
    ]
    assert one(gw.records("ARPYMT"), RECORDNO=payment)["TOTALDUE"] == "0.00"
    generic = gw.ok(
        "<create><ARPYMT><FINANCIALENTITY>BOA</FINANCIALENTITY><PAYMENTMETHOD>Cash"
        "</PAYMENTMETHOD><CUSTOMERID>C-1003</CUSTOMERID><RECEIPTDATE>11/09/2026"
        "</RECEIPTDATE><ARPYMTDETAILS><ARPYMTDETAIL><RECORDKEY>" + key + "</RECORDKEY>"
        "<TRX_PAYMENTAMOUNT>50</TRX_PAYMENTAMOUNT></ARPYMTDETAIL></ARPYMTDETAILS>"
        "</ARPYMT></create>"
    )
    assert generic.findtext("data/arpymt/RECORDNO")
    invoice = one(gw.records("ARINVOICE"), RECORDNO=key)
    assert (invoice["TOTALPAID"], invoice["TOTALDUE"], invoice["STATE"]) == (
        "300.00",
        "0.00",
        "Paid",
    )
    assert one(gw.records("CUSTOMER"), CUSTOMERID="C-1003")["TOTALDUE"] == "0.00"
    unknown = gw.fail(
        "<create_arpayment><customerid>C-0000</customerid><paymentamount>1"
        "</paymentamount><undepfundsacct>1100</undepfundsacct></create_arpayment>"
    )
    assert gw.errors(unknown)[0][0] == "BL03000017"


def test_adjustment_and_deposit(gw):
    key = gw.ok(
        "<create_aradjustment><customerid>C-1004</customerid><datecreated><year>2026"
        "</year><month>11</month><day>03</day></datecreated><adjustmentno>ADJ-9"
        "</adjustmentno><description>Goodwill</description><aradjustmentitems><lineitem>"
        "<glaccountno>4000</glaccountno><amount>-25.5</amount></lineitem><lineitem>"
        "<glaccountno>4000</glaccountno><amount>-4.5</amount></lineitem>"
        "</aradjustmentitems></create_aradjustment>"
    ).findtext("key")
    adjustment = one(gw.records("ARADJUSTMENT"), RECORDNO=key)
    assert (adjustment["TOTALENTERED"], adjustment["RECORDID"], adjustment["STATE"]) == (
        "-30.00",
        "ADJ-9",
        "Posted",
    )
    assert len(find(gw.records("ARADJUSTMENTITEM"), RECORDKEY=key)) == 2
    payments = [p["RECORDNO"] for p in gw.records("ARPYMT") if not p["DEPOSITKEY"]]
    deposit = gw.ok(
        "<record_deposit><bankaccountid>BOA</bankaccountid><depositdate><year>2026"
        "</year><month>11</month><day>04</day></depositdate><depositid>Slip 9"
        f"</depositid><receiptkeys><receiptkey>{payments[0]}</receiptkey><receiptkey>"
        f"{payments[1]}</receiptkey></receiptkeys></record_deposit>"
    ).findtext("key")
    record = one(gw.records("DEPOSIT"), RECORDNO=deposit)
    assert record["TOTALENTERED"] == "950.00" and record["DEPOSITDATE"] == "11/04/2026"
    assert {p["DEPOSITKEY"] for p in gw.records("ARPYMT") if p["RECORDNO"] in payments} == {deposit}
    again = gw.fail(
        "<record_deposit><bankaccountid>BOA</bankaccountid><depositdate><year>2026"
        "</year><month>11</month><day>04</day></depositdate><depositid>Slip 10"
        f"</depositid><receiptkeys><receiptkey>{payments[0]}</receiptkey>"
        "</receiptkeys></record_deposit>"
    )
    assert "already in deposit" in gw.errors(again)[0][1]


def so_xml(kind, number="", created_from="", items=(("HOSE-25", "3", ""),), reference=""):
    lines = "".join(
        f"<sotransitem><itemid>{i}</itemid><quantity>{q}</quantity>"
        + (f"<price>{p}</price>" if p else "")
        + "</sotransitem>"
        for i, q, p in items
    )
    return (
        f"<create_sotransaction><transactiontype>{kind}</transactiontype><datecreated><year>"
        "2026</year><month>11</month><day>01</day></datecreated>"
        + (f"<createdfrom>{created_from}</createdfrom>" if created_from else "")
        + "<customerid>C-1003</customerid>"
        + (f"<documentno>{number}</documentno>" if number else "")
        + (f"<referenceno>{reference}</referenceno>" if reference else "")
        + f"<sotransitems>{lines}</sotransitems></create_sotransaction>"
    )


def test_sales_invoice_from_order(gw):
    freeze(gw)
    order = gw.ok(
        so_xml(
            "Sales Order",
            reference="000000999",
            items=(("HOSE-25", "3", ""), ("GNOME-1", "2", "14.00")),
        )
    ).findtext("key")
    assert order == "Sales Order-SO-0006"
    invoice_key = gw.ok(
        so_xml("Sales Invoice", created_from=order, items=(("HOSE-25", "3", ""),))
    ).findtext("key")
    assert invoice_key == "Sales Invoice-INV-0005"
    docs = gw.records("SODOCUMENT")
    invoice = one(docs, DOCID=invoice_key)
    assert (
        invoice["DOCNO"],
        invoice["DOCPARID"],
        invoice["CREATEDFROM"],
        invoice["PONUMBER"],
        invoice["CUSTVENDNAME"],
        invoice["TOTAL"],
        invoice["WHENCREATED"],
    ) == (
        "INV-0005",
        "Sales Invoice",
        order,
        "000000999",
        "Müller Gärten GmbH",
        "103.50",
        "11/01/2026",
    )
    assert one(docs, DOCID=order)["STATE"] == "Partially Converted"
    assert one(docs, DOCID=order)["TOTAL"] == "131.50"
    entry = one(gw.records("SODOCUMENTENTRY"), DOCHDRID=invoice_key)
    assert (entry["DOCHDRNO"], entry["ITEMNAME"], entry["PRICE"], entry["QUANTITY"]) == (
        invoice["RECORDNO"],
        "Manguera de jardín 25 m",
        "34.50",
        "3",
    )
    ar = one(gw.records("ARINVOICE"), RECORDNO=invoice["PRRECORDKEY"])
    assert (ar["RECORDID"], ar["MODULEKEY"], ar["TOTALDUE"]) == ("INV-0005", "8.SO", "103.50")
    collision = gw.fail(so_xml("Sales Invoice", number="INV-0005"))
    assert gw.errors(collision)[0][1] == "A transaction with the number 'INV-0005' already exists."
    bad_item = gw.fail(so_xml("Sales Order", items=(("NOPE", "1", ""),)))
    assert "invalid item 'NOPE'" in gw.errors(bad_item)[0][1]
    bad_source = gw.fail(so_xml("Sales Invoice", created_from="Sales Order-SO-0001"))
    assert "belongs to customer C-1001" in gw.errors(bad_source)[0][1]
    converted = gw.fail(f'<delete_sotransaction key="{order}"/>')
    assert "was converted to" in gw.errors(converted)[0][1]

    freeze(gw, "2026-11-06T08:00:00Z")
    gw.ok(
        f'<update_sotransaction key="{invoice_key}"><updatesotransitems><updatesotransitem '
        'line_num="1"><quantity>2</quantity></updatesotransitem><sotransitem><itemid>GNOME-1'
        "</itemid><quantity>1</quantity></sotransitem></updatesotransitems>"
        "</update_sotransaction>"
    )
    invoice = one(gw.records("SODOCUMENT"), DOCID=invoice_key)
    assert invoice["TOTAL"] == "84.00" and invoice["WHENMODIFIED"] == "11/06/2026 08:00:00"
    assert invoice["PRRECORDKEY"] != ar["RECORDNO"]  # the AR invoice is re-created
    assert not find(gw.records("ARINVOICE"), RECORDNO=ar["RECORDNO"])
    assert one(gw.records("ARINVOICE"), RECORDNO=invoice["PRRECORDKEY"])["TOTALDUE"] == "84.00"
    assert [e["LINE_NO"] for e in find(gw.records("SODOCUMENTENTRY"), DOCHDRID=invoice_key)] == [
        "1",
        "2",
    ]

    gw.ok(f'<delete_sotransaction key="{invoice_key}"/>')
    assert not find(gw.records("SODOCUMENT"), DOCID=invoice_key)
    assert not find(gw.records("ARINVOICE"), RECORDNO=invoice["PRRECORDKEY"])
    assert one(gw.records("SODOCUMENT"), DOCID=order)["STATE"] == "Pending"
    missing = gw.fail('<delete_sotransaction key="Sales Invoice-INV1234"/>')
    assert gw.errors(missing) == [
        ("BL01001973", "Cannot find sodocument with key 'Sales Invoice-INV1234' to delete.")
    ]


def test_draft_sales_invoice_posts_when_it_leaves_draft(gw):
    key = gw.ok(
        so_xml("Sales Invoice").replace("<sotransitems>", "<state>Draft</state><sotransitems>")
    ).findtext("key")
    draft = one(gw.records("SODOCUMENT"), DOCID=key)
    assert draft["STATE"] == "Draft" and draft["PRRECORDKEY"] == ""
    gw.ok(f'<update_sotransaction key="{key}"><state>Pending</state></update_sotransaction>')
    posted = one(gw.records("SODOCUMENT"), DOCID=key)
    invoice = one(gw.records("ARINVOICE"), RECORDNO=posted["PRRECORDKEY"])
    assert (invoice["RECORDID"], invoice["TOTALDUE"]) == (posted["DOCNO"], "103.50")


def test_paid_sales_invoice_cannot_be_deleted(gw):
    doc = one(gw.records("SODOCUMENT"), DOCID="Sales Invoice-INV-0001")
    result = gw.fail('<delete_sotransaction key="Sales Invoice-INV-0001"/>')
    assert "payments applied" in gw.errors(result)[0][1]
    assert one(gw.records("SODOCUMENT"), DOCID="Sales Invoice-INV-0001") == doc


def test_ap_bill_and_payment(gw):
    bill = gw.ok(
        "<create><APBILL><VENDORID>V-2001</VENDORID><RECORDID>B-900</RECORDID>"
        "<WHENCREATED>11/01/2026</WHENCREATED><APBILLITEMS><APBILLITEM><ACCOUNTNO>6000"
        "</ACCOUNTNO><TRX_AMOUNT>80</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL>"
        "</create>"
    ).findtext("data/apbill/RECORDNO")
    record = one(gw.records("APBILL"), RECORDNO=bill)
    assert (record["TOTALENTERED"], record["TOTALDUE"], record["VENDORNAME"], record["STATE"]) == (
        "80.00",
        "80.00",
        "Screws & Bolts Wholesale",
        "Posted",
    )
    gw.ok(
        "<create><APPYMT><VENDORID>V-2001</VENDORID><FINANCIALENTITY>BOA</FINANCIALENTITY>"
        "<PAYMENTMETHOD>EFT</PAYMENTMETHOD><PAYMENTDATE>11/02/2026</PAYMENTDATE><APPYMTDETAILS>"
        f"<APPYMTDETAIL><RECORDKEY>{bill}</RECORDKEY><TRX_PAYMENTAMOUNT>30</TRX_PAYMENTAMOUNT>"
        "</APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>"
    )
    record = one(gw.records("APBILL"), RECORDNO=bill)
    assert (record["TOTALDUE"], record["STATE"]) == ("50.00", "Partially Paid")
    unknown_vendor = gw.fail(
        "<create><APBILL><VENDORID>V-0</VENDORID><WHENCREATED>11/01/2026"
        "</WHENCREATED></APBILL></create>"
    )
    assert "invalid Vendor 'V-0'" in gw.errors(unknown_vendor)[0][1]
