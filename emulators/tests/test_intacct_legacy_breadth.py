"""Legacy (DTD 3.0) functions an integration's own code calls, as Sage's XSD and docs key them."""

from __future__ import annotations

from emulator_intacct_support import find


def test_legacy_deletes_use_the_attribute_sage_documents(gw):
    gw.ok(
        "<create><CLASS><CLASSID>CL-9</CLASSID><NAME>Spare</NAME></CLASS>"
        "<GLACCOUNT><ACCOUNTNO>9990</ACCOUNTNO><TITLE>Spare</TITLE></GLACCOUNT>"
        "<PROJECT><PROJECTID>P-9</PROJECTID><NAME>Spare</NAME></PROJECT></create>"
    )
    gw.ok(
        "<create><TASK><TASKID>T-9</TASKID><NAME>Plan</NAME><PROJECTID>P-9</PROJECTID></TASK></create>"
    )
    (task,) = find(gw.records("TASK"), TASKID="T-9")
    gw.ok('<delete_class key="CL-9"/>')
    gw.ok('<delete_glaccount glaccountno="9990"/>')
    gw.ok(f'<delete_task key="{task["RECORDNO"]}"/>')
    gw.ok('<delete_project key="P-9"/>')
    assert not find(gw.records("CLASS"), CLASSID="CL-9")
    assert not find(gw.records("GLACCOUNT"), ACCOUNTNO="9990")
    assert not find(gw.records("TASK"), TASKID="T-9")
    assert not find(gw.records("PROJECT"), PROJECTID="P-9")
    again = gw.fail('<delete_class key="CL-9"/>')
    assert gw.errors(again) == [("BL01001973", "Cannot find class with key 'CL-9' to delete.")]
    # The attribute an ID field would suggest is not Sage's: the key is missing.
    wrong = gw.fail('<delete_glaccount accountno="1000"/>')
    assert gw.errors(wrong)[0][0] == "BL03000018"
    assert "needs the glaccountno attribute" in (gw.errors(wrong)[0][1] or "")


def day(tag: str, iso: str) -> str:
    year, month, date = iso.split("-")
    return f"<{tag}><year>{year}</year><month>{month}</month><day>{date}</day></{tag}>"


def test_create_bill_and_its_adjustment_and_delete(gw):
    key = gw.ok(
        f"<create_bill><vendorid>V-2002</vendorid>{day('datecreated', '2026-11-02')}"
        f"{day('datedue', '2026-12-02')}<billno>B-77</billno><description>Screws</description>"
        "<billitems><lineitem><glaccountno>5000</glaccountno><amount>120.50</amount>"
        "<memo>Box</memo><departmentid>OPS</departmentid></lineitem><lineitem>"
        "<glaccountno>6000</glaccountno><amount>9.50</amount></lineitem></billitems></create_bill>"
    ).findtext("key")
    (bill,) = find(gw.records("APBILL"), RECORDNO=key)
    assert (bill["RECORDID"], bill["WHENCREATED"], bill["WHENDUE"]) == (
        "B-77",
        "11/02/2026",
        "12/02/2026",
    )
    assert (bill["TOTALENTERED"], bill["TOTALDUE"], bill["STATE"]) == ("130.00", "130.00", "Posted")
    lines = find(gw.records("APBILLITEM"), RECORDKEY=key)
    assert [(x["ACCOUNTNO"], x["TRX_AMOUNT"]) for x in lines] == [
        ("5000", "120.50"),
        ("6000", "9.50"),
    ]
    adjustment = gw.ok(
        f"<create_apadjustment><vendorid>V-2002</vendorid>{day('datecreated', '2026-11-03')}"
        "<adjustmentno>ADJ-1</adjustmentno><action>Draft</action><apadjustmentitems><lineitem>"
        "<glaccountno>5000</glaccountno><amount>-20</amount></lineitem></apadjustmentitems>"
        "</create_apadjustment>"
    ).findtext("key")
    (stored,) = find(gw.records("APADJUSTMENT"), RECORDNO=adjustment)
    assert (stored["TOTALENTERED"], stored["STATE"]) == ("-20.00", "Draft")
    gw.ok(f'<delete_apadjustment key="{adjustment}"/>')
    gw.ok(f'<delete_bill key="{key}"/>')
    assert not find(gw.records("APBILL"), RECORDNO=key)
    assert not find(gw.records("APBILLITEM"), RECORDKEY=key)


def test_create_bill_refusals_name_the_line_and_field(gw):
    unknown = gw.fail(
        f"<create_bill><vendorid>V-0</vendorid>{day('datecreated', '2026-11-02')}"
        "<billitems><lineitem><glaccountno>5000</glaccountno><amount>1</amount></lineitem>"
        "</billitems></create_bill>"
    )
    assert gw.errors(unknown)[0] == (
        "BL03000017",
        "APBILL: invalid Vendor 'V-0' in field VENDORID.",
    )
    bad_amount = gw.fail(
        f"<create_bill><vendorid>V-2002</vendorid>{day('datecreated', '2026-11-02')}"
        "<billitems><lineitem><glaccountno>5000</glaccountno><amount>lots</amount></lineitem>"
        "</billitems></create_bill>"
    )
    assert gw.errors(bad_amount)[0] == (
        "BL01001973",
        "line 1: field TRX_AMOUNT: 'lots' is not a number.",
    )
    no_lines = gw.fail(
        f"<create_bill><vendorid>V-2002</vendorid>{day('datecreated', '2026-11-02')}"
        "<billitems/></create_bill>"
    )
    assert gw.errors(no_lines)[0][0] == "BL03000018"
    assert not find(gw.records("APBILL"), VENDORID="V-0")


def test_purchase_and_inventory_transactions_answer_their_docid(gw):
    po = gw.ok(
        f"<create_potransaction><transactiontype>Purchase Order</transactiontype>"
        f"{day('datecreated', '2026-11-04')}<vendorid>V-2002</vendorid><potransitems>"
        "<potransitem><itemid>SCREW-100</itemid><quantity>10</quantity><price>2.5</price>"
        "</potransitem></potransitems></create_potransaction>"
    ).findtext("key")
    (order,) = find(gw.records("PODOCUMENT"), DOCID=po)
    assert po.startswith("Purchase Order-PO-") and order["TOTAL"] == "25.00"
    ic = gw.ok(
        f"<create_ictransaction><transactiontype>Inventory Receipt</transactiontype>"
        f"{day('datecreated', '2026-11-04')}<referenceno>R-1</referenceno><ictransitems>"
        "<ictransitem><itemid>SCREW-100</itemid><warehouseid>WH-1</warehouseid>"
        "<quantity>4</quantity><cost>1.25</cost></ictransitem></ictransitems>"
        "</create_ictransaction>"
    ).findtext("key")
    (receipt,) = find(gw.records("INVDOCUMENT"), DOCID=ic)
    assert (receipt["TOTAL"], receipt["PONUMBER"], receipt["STATE"]) == ("5.00", "R-1", "Pending")
    (line,) = find(gw.records("INVDOCUMENTENTRY"), DOCHDRNO=receipt["RECORDNO"])
    assert (line["WAREHOUSEID"], line["TOTAL"], line["DOCHDRID"]) == ("WH-1", "5.00", ic)
    gw.ok(f'<delete_ictransaction key="{ic}"/>')
    gw.ok(f'<delete_potransaction key="{po}"/>')
    assert not find(gw.records("INVDOCUMENT"), DOCID=ic)


def test_expense_report_other_receipt_and_attachment(gw):
    report = gw.ok(
        f"<create_expensereport><employeeid>E-1</employeeid>{day('datecreated', '2026-11-05')}"
        "<expensereportno>EXP-1</expensereportno><state>Draft</state><expenses><expense>"
        f"<glaccountno>6000</glaccountno><amount>42.10</amount>{day('expensedate', '2026-11-01')}"
        "<paidfor>Taxi</paidfor><departmentid>SALES</departmentid></expense></expenses>"
        "</create_expensereport>"
    ).findtext("key")
    (stored,) = find(gw.records("EEXPENSES"), RECORDNO=report)
    assert (stored["TOTALDUE"], stored["STATE"], stored["RECORDID"]) == ("42.10", "Draft", "EXP-1")
    (item,) = find(gw.records("EEXPENSESITEM"), RECORDKEY=report)
    assert (item["ENTRYDATE"], item["PAIDFOR"], item["DEPARTMENTID"]) == (
        "11/01/2026",
        "Taxi",
        "SALES",
    )
    receipt = gw.ok(
        f"<record_otherreceipt>{day('paymentdate', '2026-11-06')}<payee>Landlord</payee>"
        f"{day('receiveddate', '2026-11-06')}<paymentmethod>EFT</paymentmethod>"
        "<bankaccountid>BOA</bankaccountid><refid>DEP-9</refid><receiptitems><lineitem>"
        "<glaccountno>4000</glaccountno><amount>300</amount><memo>Deposit back</memo>"
        "</lineitem></receiptitems></record_otherreceipt>"
    ).findtext("key")
    (other,) = find(gw.records("OTHERRECEIPTS"), RECORDNO=receipt)
    assert (other["TOTALENTERED"], other["FINANCIALENTITY"], other["STATE"]) == (
        "300.00",
        "BOA",
        "Posted",
    )
    bad_method = gw.fail(
        f"<record_otherreceipt>{day('paymentdate', '2026-11-06')}<payee>X</payee>"
        f"{day('receiveddate', '2026-11-06')}<paymentmethod>Barter</paymentmethod>"
        "<undepglaccountno>1000</undepglaccountno><receiptitems><lineitem><glaccountno>4000"
        "</glaccountno><amount>1</amount></lineitem></receiptitems></record_otherreceipt>"
    )
    assert "PAYMETHOD has invalid value 'Barter'" in gw.errors(bad_method)[0][1]
    folder = (
        "<create_supdocfolder><supdocfoldername>Receipts</supdocfoldername></create_supdocfolder>"
    )
    assert gw.ok(folder).findtext("key") == "Receipts"
    supdoc = gw.ok(
        "<create_supdoc><supdocid>ATT-1</supdocid><supdocname>Taxi receipt</supdocname>"
        "<supdocfoldername>Receipts</supdocfoldername><attachments><attachment>"
        "<attachmentname>taxi</attachmentname><attachmenttype>pdf</attachmenttype>"
        "<attachmentdata>JVBERi0xLjQ=</attachmentdata></attachment></attachments></create_supdoc>"
    ).findtext("key")
    assert supdoc == "ATT-1"
    assert find(gw.records("SUPDOC"), SUPDOCID="ATT-1", FOLDER="Receipts")
    broken = gw.fail(
        "<create_supdoc><supdocid>ATT-2</supdocid><supdocname>x</supdocname><supdocfoldername>"
        "Receipts</supdocfoldername><attachments><attachment><attachmentname>x</attachmentname>"
        "<attachmenttype>pdf</attachmenttype><attachmentdata>not base64!</attachmentdata>"
        "</attachment></attachments></create_supdoc>"
    )
    assert gw.errors(broken)[0][1] == "attachment 1: <attachmentdata> is not base64."
    gw.ok('<delete_supdoc key="ATT-1"/>')
    gw.ok(f'<delete_expensereport key="{report}"/>')
    gw.ok(f'<delete_otherreceipt key="{receipt}"/>')
    assert not find(gw.records("EEXPENSES"), RECORDNO=report)


def test_get_dimensions_lists_the_subscribed_dimensions(gw):
    data = gw.ok("<getDimensions/>").find("data")
    rows = [{c.tag: c.text for c in d} for d in data.findall("dimensions/dimension")]
    assert [r["objectName"] for r in rows][:4] == ["DEPARTMENT", "LOCATION", "PROJECT", "CUSTOMER"]
    assert set(rows[0]) == {
        "objectName",
        "objectLabel",
        "termLabel",
        "userDefinedDimension",
        "enabledInGL",
    }
    channel = next(r for r in rows if r["objectName"] == "CHANNEL")
    assert (channel["userDefinedDimension"], channel["termLabel"]) == ("true", "Sales Channel")
    gw.emulator.admin("POST", "/_emulator/companies/demo", {"unsubscribed": ["PROJECT"]})
    data = gw.ok("<getDimensions/>").find("data")
    assert "PROJECT" not in [d.findtext("objectName") for d in data.iter("dimension")]


def test_get_user_permissions_of_the_api_user(gw):
    data = gw.ok("<getUserPermissions><userId>demo_user</userId></getUserPermissions>").find("data")
    apps = {
        a.findtext("applicationName"): {
            p.findtext("policyName"): p.findtext("rights") for p in a.iter("policy")
        }
        for a in data.findall("permissions/appSubscription")
    }
    assert apps["Accounts Receivable"]["Customer"] == "List|View|Add|Edit|Delete"
    assert apps["Company"]["Audit History"] == "List|View"
    assert "AR Invoice Detail" not in apps["Accounts Receivable"]  # lines go with their owner
    unknown = gw.fail("<getUserPermissions><userId>nobody</userId></getUserPermissions>")
    assert gw.errors(unknown) == [("BL01001973", "Cannot find user with userId 'nobody'.")]


def test_charge_card_transaction_recorded_updated_and_its_line_changes_refused(gw):
    key = gw.ok(
        "<record_cctransaction><chargecardid>AMEX-1</chargecardid>"
        f"{day('paymentdate', '2026-11-07')}"
        "<referenceno>CC-7</referenceno><payee>Airline</payee><ccpayitems><ccpayitem>"
        "<glaccountno>6000</glaccountno><description>Flight</description>"
        "<paymentamount>410.20</paymentamount><departmentid>SALES</departmentid></ccpayitem>"
        "</ccpayitems></record_cctransaction>"
    ).findtext("key")
    (stored,) = find(gw.records("CCTRANSACTION"), RECORDNO=key)
    assert (stored["FINANCIALENTITY"], stored["RECORDID"], stored["STATE"]) == (
        "AMEX-1",
        "CC-7",
        "Posted",
    )
    (line,) = find(gw.records("CCTRANSACTIONENTRY"), RECORDKEY=key)
    assert (line["TRX_AMOUNT"], line["DEPARTMENTID"]) == ("410.20", "SALES")
    gw.ok(f'<update_cctransaction key="{key}"><payee>Rail</payee></update_cctransaction>')
    (updated,) = find(gw.records("CCTRANSACTION"), RECORDNO=key)
    assert (updated["PAYEE"], updated["RECORDID"]) == ("Rail", "CC-7")  # others unchanged
    lines = gw.fail(
        f'<update_cctransaction key="{key}"><updateccpayitems><ccpayitem><glaccountno>6000'
        "</glaccountno><paymentamount>1</paymentamount></ccpayitem></updateccpayitems>"
        "</update_cctransaction>"
    )
    assert "line changes are not emulated" in gw.errors(lines)[0][1]
    missing = gw.fail('<update_cctransaction key="999999"><payee>X</payee></update_cctransaction>')
    # Sage's answer puts this text in <errorno> (shared/intacct/fixtures/err_11_update_nonexisting)
    assert (
        gw.errors(missing)[0][0] == "Cannot update non-existing CCTRANSACTION with RECORDNO=999999."
    )


def test_customer_charge_card_created_updated_and_deleted(gw):
    key = gw.ok(
        "<create_customerchargecard><customerid>C-1001</customerid><cardnum>4111111111111111"
        "</cardnum><cardtype>Visa</cardtype><exp_month>9</exp_month><exp_year>2029</exp_year>"
        "<status>active</status></create_customerchargecard>"
    ).findtext("key")
    (card,) = find(gw.records("CUSTOMERCHARGECARD"), RECORDNO=key)
    assert (card["CUSTOMERID"], card["CARDTYPE"], card["EXP_YEAR"]) == ("C-1001", "Visa", "2029")
    gw.ok(
        f'<update_customerchargecard recordno="{key}"><exp_year>2031</exp_year>'
        "<description>Spare</description></update_customerchargecard>"
    )
    (card,) = find(gw.records("CUSTOMERCHARGECARD"), RECORDNO=key)
    assert (card["EXP_YEAR"], card["DESCRIPTION"], card["CARDTYPE"]) == ("2031", "Spare", "Visa")
    bad = gw.fail(
        f'<update_customerchargecard recordno="{key}"><cardtype>Barter</cardtype>'
        "</update_customerchargecard>"
    )
    assert "CARDTYPE has invalid value 'Barter'" in gw.errors(bad)[0][1]
    gw.ok(f'<delete_customerchargecard recordno="{key}"/>')
    assert not find(gw.records("CUSTOMERCHARGECARD"), RECORDNO=key)


def test_attachments_and_purchase_orders_updated_by_their_legacy_functions(gw):
    gw.ok("<create_supdocfolder><supdocfoldername>Bills</supdocfoldername></create_supdocfolder>")
    gw.ok(
        "<create_supdoc><supdocid>ATT-9</supdocid><supdocname>Bill scan</supdocname>"
        "<supdocfoldername>Bills</supdocfoldername></create_supdoc>"
    )
    gw.ok(
        "<update_supdocfolder><supdocfoldername>Bills</supdocfoldername>"
        "<supdocfolderdescription>Vendor bills</supdocfolderdescription></update_supdocfolder>"
    )
    assert find(gw.records("SUPDOCFOLDER"), NAME="Bills", DESCRIPTION="Vendor bills")
    key = gw.ok(
        "<update_supdoc><supdocid>ATT-9</supdocid><supdocname>Bill scan, page 2</supdocname>"
        "</update_supdoc>"
    ).findtext("key")
    assert key == "ATT-9"
    assert find(gw.records("SUPDOC"), SUPDOCID="ATT-9", SUPDOCNAME="Bill scan, page 2")
    unnamed = gw.fail("<update_supdoc><supdocname>x</supdocname></update_supdoc>")
    assert gw.errors(unnamed)[0][0] == "BL03000018"
    po = gw.ok(
        f"<create_potransaction><transactiontype>Purchase Order</transactiontype>"
        f"{day('datecreated', '2026-11-04')}<vendorid>V-2002</vendorid>"
        "<referenceno>REQ-1</referenceno><potransitems><potransitem><itemid>SCREW-100</itemid>"
        "<quantity>2</quantity><price>2.5</price></potransitem></potransitems>"
        "</create_potransaction>"
    ).findtext("key")
    gw.ok(
        f'<update_potransaction key="{po}"><referenceno>REQ-2</referenceno>'
        f"{day('datedue', '2026-12-04')}<message>Rush</message></update_potransaction>"
    )
    (order,) = find(gw.records("PODOCUMENT"), DOCID=po)
    assert (order["PONUMBER"], order["WHENDUE"], order["MESSAGE"], order["TOTAL"]) == (
        "REQ-2",
        "12/04/2026",
        "Rush",
        "5.00",
    )


def test_delete_expensetype_by_its_expensetype_attribute(gw):
    gw.ok(
        "<create><EEACCOUNTLABEL><ACCOUNTLABEL>Meals-9</ACCOUNTLABEL><DESCRIPTION>Meals"
        "</DESCRIPTION><GLACCOUNTNO>6000</GLACCOUNTNO></EEACCOUNTLABEL></create>"
    )
    gw.ok('<delete_expensetype expensetype="Meals-9"/>')
    assert not find(gw.records("EEACCOUNTLABEL"), ACCOUNTLABEL="Meals-9")
