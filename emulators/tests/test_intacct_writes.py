"""Generic writes (create, update, delete of any object), business rules and the audit trail.

Several records in one call, validation errors naming object, field and value, partial success
and transaction rollback, journal-entry balancing, WHENMODIFIED and AUDITHISTORY.
The legacy AR/OE/AP document functions are in test_intacct_document_writes.py.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from emulator_intacct_support import find, freeze, one


def test_create_several_objects_in_one_call(gw):
    freeze(gw)
    result = gw.ok(
        "<create><CUSTOMER><CUSTOMERID>N-1</CUSTOMERID><NAME>New &amp; Co</NAME>"
        "<DISPLAYCONTACT><PRINTAS>New</PRINTAS><EMAIL1>n@x.example</EMAIL1><MAILADDRESS>"
        "<CITY>Köln</CITY><COUNTRYCODE>DE</COUNTRYCODE></MAILADDRESS></DISPLAYCONTACT>"
        "<CREDITLIMIT>10.5</CREDITLIMIT><ONHOLD>true</ONHOLD><LOYALTY_TIER>Silver</LOYALTY_TIER>"
        "<LOYALTY_POINTS>7</LOYALTY_POINTS><LAST_REVIEW_DATE>02/03/2026</LAST_REVIEW_DATE>"
        "</CUSTOMER><ITEM><ITEMID>NEW-1</ITEMID><NAME>Thing</NAME><ITEMTYPE>Non-Inventory"
        "</ITEMTYPE><PRODUCTLINEID>TOOLS</PRODUCTLINEID><BASEPRICE>3</BASEPRICE></ITEM>"
        "<CUSTOMER><NAME>Auto numbered</NAME></CUSTOMER></create>"
    )
    data = result.find("data")
    assert dict(data.attrib) == {"listtype": "objects", "count": "3"}
    assert [(c.tag, [g.tag for g in c]) for c in data] == [
        ("customer", ["RECORDNO", "CUSTOMERID"]),
        ("item", ["RECORDNO", "ITEMID"]),
        ("customer", ["RECORDNO", "CUSTOMERID"]),
    ]
    assert data[0].findtext("RECORDNO") == "11" and data[2].findtext("CUSTOMERID") == "CUST-00001"
    customer = one(gw.records("CUSTOMER"), CUSTOMERID="N-1")
    assert customer["NAME"] == "New & Co"
    assert customer["DISPLAYCONTACT.MAILADDRESS.CITY"] == "Köln"
    assert customer["CREDITLIMIT"] == "10.50" and customer["ONHOLD"] == "true"
    assert customer["LOYALTY_POINTS"] == "7" and customer["LAST_REVIEW_DATE"] == "02/03/2026"
    assert customer["WHENCREATED"] == customer["WHENMODIFIED"] == "11/05/2026 10:00:00"
    assert customer["STATUS"] == ""
    assert one(gw.records("ITEM"), ITEMID="NEW-1")["BASEPRICE"] == "3.00"
    audit = find(gw.records("AUDITHISTORY"), ACCESSTIME="11/05/2026 10:00:00")
    assert [(a["OBJECTTYPE"], a["OBJECTKEY"], a["ACCESSMODE"]) for a in audit] == [
        ("customer", "11", "C"),
        ("item", "12", "C"),
        ("customer", "12", "C"),
    ]


def test_create_validation_errors_name_object_field_and_value(gw):
    cases = [
        (
            "<CUSTOMER><CUSTOMERID>X1</CUSTOMERID></CUSTOMER>",
            "BL03000018",
            "CUSTOMER X1: required field NAME is missing.",
        ),
        (
            "<CUSTOMER><CUSTOMERID>X1</CUSTOMERID><NAME>n</NAME><STATUS>gone</STATUS></CUSTOMER>",
            "BL01001973",
            "field STATUS has invalid value 'gone' (valid: active, inactive)",
        ),
        (
            "<CUSTOMER><NAME>n</NAME><CREDITLIMIT>lots</CREDITLIMIT></CUSTOMER>",
            "BL01001973",
            "CUSTOMER #1: field CREDITLIMIT: 'lots' is not a number.",
        ),
        (
            "<CUSTOMER><NAME>n</NAME><FAVOURITE>x</FAVOURITE></CUSTOMER>",
            "BL01001973",
            "CUSTOMER #1: unknown field FAVOURITE on CUSTOMER.",
        ),
        (
            "<CUSTOMER><NAME>n</NAME><TOTALDUE>5</TOTALDUE></CUSTOMER>",
            "BL01001973",
            "field TOTALDUE of CUSTOMER is read-only",
        ),
        (
            "<CUSTOMER><NAME>n</NAME><LOYALTY_TIER>Platinum</LOYALTY_TIER></CUSTOMER>",
            "BL01001973",
            "LOYALTY_TIER has invalid value 'Platinum'",
        ),
        (
            "<CUSTOMER><NAME>n</NAME><LAST_REVIEW_DATE>13/45/2026</LAST_REVIEW_DATE></CUSTOMER>",
            "BL01001973",
            "LAST_REVIEW_DATE: '13/45/2026' is not a valid date",
        ),
        (
            "<ITEM><ITEMID>I9</ITEMID><NAME>n</NAME><ITEMTYPE>Inventory</ITEMTYPE><PRODUCTLINEID>NOPE"
            "</PRODUCTLINEID></ITEM>",
            "BL03000017",
            "ITEM I9: invalid Product Line 'NOPE' in field PRODUCTLINEID.",
        ),
        (
            "<ARINVOICE><CUSTOMERID>C-1001</CUSTOMERID></ARINVOICE>",
            "BL01001973",
            "use its legacy function",
        ),
        ("<BOGUS><X>1</X></BOGUS>", "BL01001973", "Object definition BOGUS not found"),
        (
            "<GLENTRY><ACCOUNTNO>1000</ACCOUNTNO></GLENTRY>",
            "BL01001973",
            "GLENTRY lines are written inside GLBATCH/ENTRIES.",
        ),
    ]
    for body, errorno, message in cases:
        result = gw.fail(f"<create>{body}</create>")
        assert result.find("data").attrib == {"listtype": "objects", "count": "0"}
        first = gw.errors(result)[0]
        assert first[0] == errorno and message in first[1], (body, first)
    assert len(gw.records("CUSTOMER")) == 10


def test_a_multi_record_create_keeps_the_records_that_succeed(gw):
    result = gw.fail(
        "<create><CLASS><CLASSID>A1</CLASSID><NAME>ok</NAME></CLASS>"
        "<CLASS><CLASSID>RETAIL</CLASSID><NAME>dup</NAME></CLASS>"
        "<CLASS><CLASSID>A2</CLASSID></CLASS>"
        "<CLASS><CLASSID>A3</CLASSID><NAME>ok too</NAME></CLASS></create>",
        uniqueid=True,
    )
    data = result.find("data")
    assert (data.get("count"), [c.findtext("CLASSID") for c in data]) == ("2", ["A1", "A3"])
    assert gw.errors(result) == [
        ("BL34000061", "Another Class with the given value(s) RETAIL  already exists"),
        ("BL01001973", "Could not create class record!"),
        ("BL01001973", "Could not create Class record!"),
        ("BL03000018", "CLASS A2: required field NAME is missing."),
        ("BL01001973", "Could not create Class record!"),
    ]
    assert [c["CLASSID"] for c in gw.records("CLASS")] == ["RETAIL", "TRADE", "A1", "A3"]
    # The kept records are written: the same control id again is refused, nothing doubles.
    again = gw.fail(
        "<create><CLASS><CLASSID>A1</CLASSID><NAME>ok</NAME></CLASS></create>", uniqueid=True
    )
    assert gw.errors(again)[0][0] == "XL03000011"


def test_a_multi_record_update_keeps_the_records_that_succeed(gw):
    result = gw.fail(
        "<update><CLASS><CLASSID>RETAIL</CLASSID><NAME>Shops</NAME></CLASS>"
        "<CLASS><CLASSID>NOPE</CLASSID><NAME>x</NAME></CLASS></update>"
    )
    assert [c.findtext("CLASSID") for c in result.find("data")] == ["RETAIL"]
    assert [e[0] for e in gw.errors(result)] == [
        "Cannot update non-existing CLASS with CLASSID=NOPE."
    ]
    assert find(gw.records("CLASS"), CLASSID="RETAIL")[0]["NAME"] == "Shops"


def test_a_failed_record_in_a_transaction_rolls_back_the_call(gw):
    result = gw.fail(
        "<create><CLASS><CLASSID>A1</CLASSID><NAME>ok</NAME></CLASS>"
        "<CLASS><CLASSID>RETAIL</CLASSID><NAME>dup</NAME></CLASS></create>",
        transaction=True,
    )
    assert gw.errors(result)[-1][0] == "XL03000009"
    assert not find(gw.records("CLASS"), CLASSID="A1")


def test_update_by_id_and_by_recordno(gw):
    freeze(gw)
    result = gw.ok(
        "<update><CUSTOMER><CUSTOMERID>C-1005</CUSTOMERID><DISPLAYCONTACT><EMAIL1>"
        "nils@carpentry.example</EMAIL1></DISPLAYCONTACT><STATUS>inactive</STATUS>"
        "</CUSTOMER><CUSTOMER><RECORDNO>6</RECORDNO><CUSTOMERID>C-1006-NEW</CUSTOMERID>"
        "<DISPLAYCONTACT><MAILADDRESS><ZIP>73301</ZIP></MAILADDRESS></DISPLAYCONTACT>"
        "</CUSTOMER></update>"
    )
    data = result.find("data")
    assert [(c.findtext("RECORDNO"), c.findtext("CUSTOMERID")) for c in data] == [
        ("5", "C-1005"),
        ("6", "C-1006-NEW"),
    ]
    customers = gw.records("CUSTOMER")
    nils = one(customers, CUSTOMERID="C-1005")
    assert nils["DISPLAYCONTACT.EMAIL1"] == "nils@carpentry.example"
    assert nils["STATUS"] == "inactive" and nils["WHENMODIFIED"] == "11/05/2026 10:00:00"
    assert nils["WHENCREATED"] == "10/01/2026 08:00:17" and nils["NAME"] == "No Email Carpentry"
    assert one(customers, RECORDNO="6")["DISPLAYCONTACT.MAILADDRESS.ZIP"] == "73301"
    cleared = gw.ok(
        "<update><CUSTOMER><CUSTOMERID>C-1005</CUSTOMERID><DISPLAYCONTACT><EMAIL1/>"
        "</DISPLAYCONTACT></CUSTOMER></update>"
    )
    assert cleared.findtext("status") == "success"
    assert one(gw.records("CUSTOMER"), CUSTOMERID="C-1005")["DISPLAYCONTACT.EMAIL1"] == ""
    modes = [
        a["ACCESSMODE"]
        for a in gw.records("AUDITHISTORY")
        if a["OBJECTKEY"] == "5" and a["OBJECTTYPE"] == "customer"
    ]
    assert modes == ["C", "M", "M"]


def test_update_failures(gw):
    missing = gw.fail(
        "<update><CUSTOMER><CUSTOMERID>C-9999</CUSTOMERID><NAME>x</NAME></CUSTOMER></update>"
    )
    assert missing.find("data").attrib == {"listtype": "objects", "count": "0"}
    error = missing.find("errormessage/error")
    assert (
        error.findtext("errorno") == "Cannot update non-existing CUSTOMER with CUSTOMERID=C-9999."
    )
    assert error.findtext("description2") == ""
    by_recordno = gw.fail("<update><CLASS><RECORDNO>99</RECORDNO><NAME>x</NAME></CLASS></update>")
    assert gw.errors(by_recordno)[0][0] == "Cannot update non-existing CLASS with RECORDNO=99."
    clash = gw.fail(
        "<update><CUSTOMER><RECORDNO>1</RECORDNO><CUSTOMERID>C-1002</CUSTOMERID>"
        "</CUSTOMER></update>"
    )
    assert gw.errors(clash)[0][0] == "BL34000061"
    emptied = gw.fail(
        "<update><CUSTOMER><CUSTOMERID>C-1001</CUSTOMERID><NAME/></CUSTOMER></update>"
    )
    assert "required field NAME" in gw.errors(emptied)[0][1]


def test_delete_and_its_refusals(gw):
    freeze(gw)
    gw.ok("<delete><object>CONTACT</object><keys>1,3</keys></delete>")
    assert not find(gw.records("CONTACT"), RECORDNO="1")
    deletes = find(gw.records("AUDITHISTORY"), ACCESSMODE="D", OBJECTTYPE="contact")
    assert [(a["OBJECTKEY"], a["ACCESSTIME"]) for a in deletes] == [
        ("1", "11/05/2026 10:00:00"),
        ("3", "11/05/2026 10:00:00"),
    ]
    missing = gw.fail("<delete><object>CONTACT</object><keys>1</keys></delete>")
    assert gw.errors(missing) == [("BL01001973", "Cannot find contact with key '1' to delete.")]
    in_use = gw.fail("<delete><object>CUSTOMER</object><keys>1</keys></delete>")
    assert "it is used by" in gw.errors(in_use)[0][1]
    paid = gw.fail("<delete><object>ARINVOICE</object><keys>5</keys></delete>")
    assert "payments applied" in gw.errors(paid)[0][1]
    from_oe = gw.fail("<delete><object>ARINVOICE</object><keys>2</keys></delete>")
    assert "Order Entry" in gw.errors(from_oe)[0][1]
    gw.ok("<delete><object>ARINVOICE</object><keys>7</keys></delete>")
    assert one(gw.records("CUSTOMER"), CUSTOMERID="C-1010")["TOTALDUE"] == "0.00"
    lines = gw.fail("<delete><object>GLENTRY</object><keys>1</keys></delete>")
    assert "cannot be deleted" in gw.errors(lines)[0][1]


def test_glbatch_rules(gw):
    freeze(gw)
    seeded_gj = len(find(gw.records("GLBATCH"), JOURNAL="GJ"))
    ok = gw.ok(
        "<create><GLBATCH><JOURNAL>GJ</JOURNAL><BATCH_DATE>11/04/2026</BATCH_DATE>"
        "<BATCH_TITLE>Accrual</BATCH_TITLE><ENTRIES><GLENTRY><ACCOUNTNO>6000</ACCOUNTNO>"
        "<TR_TYPE>1</TR_TYPE><TRX_AMOUNT>10.10</TRX_AMOUNT></GLENTRY><GLENTRY><ACCOUNTNO>"
        "6100</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>5</TRX_AMOUNT></GLENTRY><GLENTRY>"
        "<ACCOUNTNO>2000</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>15.10</TRX_AMOUNT>"
        "</GLENTRY></ENTRIES></GLBATCH></create>"
    )
    recordno = ok.findtext("data/glbatch/RECORDNO")
    assert [c.tag for c in ok.find("data/glbatch")] == ["RECORDNO"]
    batch = one(gw.records("GLBATCH"), RECORDNO=recordno)
    assert batch["STATE"] == "Posted" and batch["BATCHNO"] == str(seeded_gj + 1)  # per journal
    entries = find(gw.records("GLENTRY"), BATCHNO=recordno)
    assert [(e["LINE_NO"], e["ACCOUNTNO"], e["AMOUNT"], e["ENTRY_DATE"]) for e in entries] == [
        ("1", "6000", "10.10", "11/04/2026"),
        ("2", "6100", "5.00", "11/04/2026"),
        ("3", "2000", "15.10", "11/04/2026"),
    ]
    header = "<JOURNAL>GJ</JOURNAL><BATCH_DATE>11/04/2026</BATCH_DATE><BATCH_TITLE>x</BATCH_TITLE>"
    line = (
        "<GLENTRY><ACCOUNTNO>{}</ACCOUNTNO><TR_TYPE>{}</TR_TYPE><TRX_AMOUNT>{}</TRX_AMOUNT>"
        "</GLENTRY>"
    )
    cases = [
        (
            line.format("6000", 1, 5) + line.format("1000", -1, "4.99"),
            "BL03002086",
            "out of balance by 0.01",
        ),
        (line.format("6000", 1, 5), "BL03002085", "at least two entries"),
        (
            line.format("9999", 1, 5) + line.format("1000", -1, 5),
            "BL03000017",
            "invalid GL Account '9999'",
        ),
        (
            line.format("6000", 2, 5) + line.format("1000", -1, 5),
            "BL01001973",
            "TR_TYPE has invalid value '2'",
        ),
    ]
    for entries_xml, errorno, message in cases:
        result = gw.fail(
            f"<create><GLBATCH>{header}<ENTRIES>{entries_xml}</ENTRIES></GLBATCH></create>"
        )
        assert (errorno, message) in [
            (e, m[m.find(message) :][: len(message)]) for e, m in gw.errors(result)
        ], gw.errors(result)
    freeze(gw, "2026-11-06T09:00:00Z")
    gw.ok(
        f"<update><GLBATCH><RECORDNO>{recordno}</RECORDNO><ENTRIES>"
        f"{line.format('6000', 1, 7)}{line.format('1000', -1, 7)}</ENTRIES></GLBATCH></update>"
    )
    entries = find(gw.records("GLENTRY"), BATCHNO=recordno)
    assert [(e["ACCOUNTNO"], e["AMOUNT"]) for e in entries] == [("6000", "7.00"), ("1000", "7.00")]
    assert one(gw.records("GLBATCH"), RECORDNO=recordno)["WHENMODIFIED"] == "11/06/2026 09:00:00"
    gw.ok(f"<delete><object>GLBATCH</object><keys>{recordno}</keys></delete>")
    assert not find(gw.records("GLENTRY"), BATCHNO=recordno)


def test_seeded_journal_entries_balance(gw):
    total = Decimal(0)
    for entry in gw.records("GLENTRY"):
        total += Decimal(entry["AMOUNT"]) * int(entry["TR_TYPE"])
    batches = {b["RECORDNO"] for b in gw.records("GLBATCH")}
    per_batch = Counter(entry["BATCHNO"] for entry in gw.records("GLENTRY"))
    assert total == 0 and set(per_batch) == batches and min(per_batch.values()) >= 2


def test_legacy_delete_by_id_attribute(gw):
    gw.ok("<create><CONTACT><CONTACTNAME>Temp</CONTACTNAME><PRINTAS>T</PRINTAS></CONTACT></create>")
    gw.ok('<delete_contact contactname="Temp"/>')
    assert not find(gw.records("CONTACT"), CONTACTNAME="Temp")
    result = gw.fail('<delete_contact contactname="Temp"/>')
    assert gw.errors(result) == [("BL01001973", "Cannot find contact with key 'Temp' to delete.")]


def test_other_objects_round_trip(gw):
    for body, tag in (
        (
            "<PROJECT><PROJECTID>P1</PROJECTID><NAME>Fit-out</NAME><CUSTOMERID>C-1001</CUSTOMERID>"
            "</PROJECT>",
            "project",
        ),
        ("<TASK><TASKID>T1</TASKID><NAME>Plan</NAME><PROJECTID>P1</PROJECTID></TASK>", "task"),
        ("<CHANNEL><ID>B2B</ID><NAME>Trade portal</NAME></CHANNEL>", "channel"),
        (
            "<FIXEDASSET><ASSETID>FA-9</ASSETID><NAME>Van</NAME><COST>25000</COST></FIXEDASSET>",
            "fixedasset",
        ),
        (
            "<PODOCUMENT><DOCPARID>Purchase Order</DOCPARID><CUSTVENDID>V-2002</CUSTVENDID>"
            "<WHENCREATED>11/01/2026</WHENCREATED><PODOCUMENTENTRIES><PODOCUMENTENTRY><ITEMID>"
            "SCREW-100</ITEMID><QUANTITY>100</QUANTITY><PRICE>5</PRICE></PODOCUMENTENTRY>"
            "</PODOCUMENTENTRIES></PODOCUMENT>",
            "podocument",
        ),
    ):
        result = gw.ok(f"<create>{body}</create>")
        assert result.find("data")[0].tag == tag
    po = gw.records("PODOCUMENT")[-1]
    seeded = len(gw.records("PODOCUMENT")) - 1
    assert (po["DOCID"], po["TOTAL"]) == (f"Purchase Order-PO-{seeded + 1:04d}", "500.00")
