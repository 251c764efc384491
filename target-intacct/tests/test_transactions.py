"""AR invoices, payments, adjustments, journal entries and sales transactions."""

from __future__ import annotations

from decimal import Decimal

from target_intacct_helpers import (
    read_jsonl,
    run_target,
    stored,
    stream_messages,
    summary,
)

CUSTOMERS = [{"CUSTOMERID": "C-1", "NAME": "Acme"}, {"CUSTOMERID": "C-2", "NAME": "Müller"}]
ACCOUNTS = [
    {"ACCOUNTNO": "4000", "TITLE": "Sales", "ACCOUNTTYPE": "incomestatement"},
    {"ACCOUNTNO": "4010", "TITLE": "Sales - services", "ACCOUNTTYPE": "incomestatement"},
    {"ACCOUNTNO": "2000", "TITLE": "Accounts Payable", "ACCOUNTTYPE": "balancesheet"},
    {"ACCOUNTNO": "6000", "TITLE": "Office Expenses", "ACCOUNTTYPE": "incomestatement"},
    {"ACCOUNTNO": "6010", "TITLE": "Rent", "ACCOUNTTYPE": "incomestatement"},
]


def master_data():
    """GL accounts and customers: what AR transactions refer to."""
    return [*stream_messages("gl_accounts", ACCOUNTS), *stream_messages("customers", CUSTOMERS)]


ITEMS = [
    {"ITEMID": "SCREW-100", "NAME": "Wood screw", "ITEMTYPE": "Inventory"},
    {"ITEMID": "DRILL-18V", "NAME": "Drill", "ITEMTYPE": "Inventory"},
]
INVOICES = [
    {
        "RECORDNO": 500,
        "RECORDID": "INV-1",
        "CUSTOMERID": "C-1",
        "WHENCREATED": "2026-10-01",
        "WHENDUE": "2026-10-31",
        "DESCRIPTION": "Two lines & <markup>",
        "TOTALDUE": Decimal("999"),
        "ARINVOICEITEMS": [
            {"ACCOUNTNO": "4000", "AMOUNT": Decimal("100.10"), "ENTRYDESCRIPTION": "Screws"},
            {"ACCOUNTNO": "4010", "AMOUNT": Decimal("0.05")},
        ],
    },
    {
        "RECORDNO": 501,
        "RECORDID": "INV-2",
        "CUSTOMERID": "C-2",
        "WHENCREATED": "10/02/2026",
        "ARINVOICEITEMS": [{"AMOUNT": Decimal("250.00")}],
    },
]


def money(value):
    return Decimal(value or 0)


def invoices_by_number(emulator, company):
    return {row["RECORDID"]: row for row in stored(emulator, company, "ARINVOICE")}


def lines_of(emulator, company, obj, key_field, record_no):
    return [r for r in stored(emulator, company, obj) if str(r[key_field]) == str(record_no)]


PAYMENT_DEFAULTS = {"undeposited_funds_account": "1010", "payment_method": "Cash"}


def payment(customer, received, detail, **fields):
    """An AR payment of one detail (the invoice it pays and how much)."""
    return {"CUSTOMERID": customer, "RECEIPTDATE": received, **fields, "ARPYMTDETAILS": [detail]}


def setup_invoices(emulator, company, config):
    config["defaults"] = {"item_gl_account": "4000"}
    messages = [*master_data(), *stream_messages("ar_invoices", INVOICES, ["RECORDNO"])]
    return run_target(config, messages)


def test_invoices_written_with_lines_and_exact_amounts(emulator, company, config):
    # customers and invoices in one run: the invoices wait for their customers
    target = setup_invoices(emulator, company, config)
    invoices = invoices_by_number(emulator, company)
    assert set(invoices) == {"INV-1", "INV-2"}
    first = invoices["INV-1"]
    assert first["CUSTOMERID"] == "C-1" and first["DESCRIPTION"] == "Two lines & <markup>"
    assert money(first["TOTALENTERED"]) == Decimal("100.15") == money(first["TOTALDUE"])
    lines = lines_of(emulator, company, "ARINVOICEITEM", "RECORDKEY", first["RECORDNO"])
    assert sorted((r["ACCOUNTNO"], money(r["AMOUNT"])) for r in lines) == [
        ("4000", Decimal("100.10")),
        ("4010", Decimal("0.05")),
    ]
    second_lines = lines_of(
        emulator, company, "ARINVOICEITEM", "RECORDKEY", invoices["INV-2"]["RECORDNO"]
    )
    assert [r["ACCOUNTNO"] for r in second_lines] == ["4000"]  # from defaults.item_gl_account
    assert summary(target, "ar_invoices") == {"created": 2}
    ids = {i["ID"]: i for i in read_jsonl(config["id_map_file"]) if i["stream"] == "ar_invoices"}
    assert str(ids["INV-1"]["RECORDNO"]) == str(first["RECORDNO"])
    assert ids["INV-1"]["source_key"] == {"RECORDNO": 500}


def test_invoice_upsert_by_number_updates(emulator, company, config):
    setup_invoices(emulator, company, config)
    changed = dict(INVOICES[0], DESCRIPTION="changed", WHENMODIFIED="2026-10-05T00:00:00Z")
    target = run_target(config, stream_messages("ar_invoices", [changed]))
    invoices = invoices_by_number(emulator, company)
    assert len(invoices) == 2 and invoices["INV-1"]["DESCRIPTION"] == "changed"
    assert summary(target, "ar_invoices") == {"updated": 1}


def test_invoice_number_collision_rejected_rest_written(emulator, company, config):
    setup_invoices(emulator, company, config)
    config["streams"] = {"ar_invoices": {"sync_mode": "insert"}}
    new = dict(INVOICES[1], RECORDID="INV-3", RECORDNO=502)
    clash = dict(INVOICES[0], RECORDNO=900, DESCRIPTION="another invoice with the same number")
    target = run_target(config, stream_messages("ar_invoices", [clash, new], ["RECORDNO"]))
    assert set(invoices_by_number(emulator, company)) == {"INV-1", "INV-2", "INV-3"}
    rejects = read_jsonl(config["reject_file"])
    assert len(rejects) == 1
    assert rejects[0]["key"] == {"RECORDNO": 900} and rejects[0]["errorno"] == "BL03002131"
    assert "INV-1" in rejects[0]["message"]
    assert summary(target, "ar_invoices") == {"created": 1, "rejected": 1}


def test_payments_by_number_and_recordno_partial_and_full(emulator, company, config):
    setup_invoices(emulator, company, config)
    invoices = invoices_by_number(emulator, company)
    config["defaults"] = PAYMENT_DEFAULTS
    payments = [
        payment("C-1", "2026-10-10", {"INVOICENO": "INV-1", "TRX_PAYMENTAMOUNT": Decimal("40.05")}),
        payment(
            "C-2",
            "2026-10-11",
            {"RECORDKEY": invoices["INV-2"]["RECORDNO"]},
            PAYMENTMETHOD="Printed Check",
        ),
    ]
    target = run_target(config, stream_messages("ar_payments", payments))
    invoices = invoices_by_number(emulator, company)
    assert money(invoices["INV-1"]["TOTALDUE"]) == Decimal("60.10")  # partial
    assert money(invoices["INV-2"]["TOTALDUE"]) == Decimal("0")  # full
    rows = stored(emulator, company, "ARPYMT")
    assert len(rows) == 2
    assert {r["UNDEPOSITEDACCOUNTNO"] for r in rows} == {"1010"}
    assert {r["PAYMENTMETHOD"] for r in rows} == {"Cash", "Printed Check"}
    assert summary(target, "ar_payments") == {"created": 2}


def test_payment_unknown_invoice_number_rejected(emulator, company, config):
    setup_invoices(emulator, company, config)
    config["defaults"] = PAYMENT_DEFAULTS
    payments = [
        payment("C-1", "2026-10-10", {"INVOICENO": number, "TRX_PAYMENTAMOUNT": Decimal("1")})
        for number in ("NOPE", "INV-1")
    ]
    run_target(config, stream_messages("ar_payments", payments))
    rejects = read_jsonl(config["reject_file"])
    assert [r["field"] for r in rejects] == ["ARPYMTDETAILS[0].INVOICENO"]
    assert "NOPE" in rejects[0]["message"]
    assert money(invoices_by_number(emulator, company)["INV-1"]["TOTALDUE"]) == Decimal("99.15")


def test_legacy_create_arpayment(emulator, company, config):
    setup_invoices(emulator, company, config)
    config["defaults"] = PAYMENT_DEFAULTS
    config["streams"] = {"ar_payments": {"payment_function": "create_arpayment"}}
    paid = payment(
        "C-1", "2026-10-10", {"INVOICENO": "INV-1", "TRX_PAYMENTAMOUNT": Decimal("0.15")}
    )
    target = run_target(config, stream_messages("ar_payments", [paid]))
    assert summary(target, "ar_payments") == {"created": 1}
    assert money(invoices_by_number(emulator, company)["INV-1"]["TOTALDUE"]) == Decimal("100.00")


def test_adjustments(emulator, company, config):
    run_target(config, master_data())
    adjustment = {
        "RECORDID": "ADJ-1",
        "CUSTOMERID": "C-1",
        "WHENCREATED": "2026-10-03",
        "DESCRIPTION": "credit memo",
        "ARADJUSTMENTITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": Decimal("-10.25")}],
    }
    target = run_target(config, stream_messages("ar_adjustments", [adjustment]))
    rows = stored(emulator, company, "ARADJUSTMENT")
    assert [(r["RECORDID"], r["CUSTOMERID"]) for r in rows] == [("ADJ-1", "C-1")]
    assert money(rows[0]["TOTALENTERED"]) == Decimal("-10.25")
    assert summary(target, "ar_adjustments") == {"created": 1}


JOURNAL = {
    "JOURNAL": "GJ",
    "BATCH_DATE": "2026-10-01",
    "BATCH_TITLE": "Rent accrual",
    "ENTRIES": [
        {"ACCOUNTNO": "6000", "AMOUNT": Decimal("125.50"), "DESCRIPTION": "rent"},
        {"ACCOUNTNO": "6010", "AMOUNT": Decimal("0.25")},
        {"ACCOUNTNO": "2000", "AMOUNT": Decimal("-125.75")},
    ],
}


def test_journal_entries_signed_amounts(emulator, company, config):
    one_line = dict(JOURNAL, BATCH_TITLE="one line", ENTRIES=JOURNAL["ENTRIES"][:1])
    unbalanced = dict(JOURNAL, BATCH_TITLE="unbalanced", ENTRIES=JOURNAL["ENTRIES"][:2])
    messages = [
        *master_data(),
        *stream_messages("journal_entries", [one_line, JOURNAL, unbalanced]),
    ]
    target = run_target(config, messages)
    batches = stored(emulator, company, "GLBATCH")
    assert [b["BATCH_TITLE"] for b in batches] == ["Rent accrual"]
    entries = lines_of(emulator, company, "GLENTRY", "BATCHNO", batches[0]["RECORDNO"])
    assert sorted((e["ACCOUNTNO"], str(e["TR_TYPE"]), money(e["TRX_AMOUNT"])) for e in entries) == [
        ("2000", "-1", Decimal("125.75")),
        ("6000", "1", Decimal("125.50")),
        ("6010", "1", Decimal("0.25")),
    ]
    rejects = {r["record"]["BATCH_TITLE"]: r for r in read_jsonl(config["reject_file"])}
    assert rejects["one line"]["field"] == "ENTRIES"
    assert "at least two lines" in rejects["one line"]["message"]
    assert rejects["unbalanced"]["field"] == "ENTRIES"
    assert "125.75" in rejects["unbalanced"]["message"]
    assert summary(target, "journal_entries") == {"created": 1, "rejected": 2}


def test_amounts_finer_than_cents_are_refused_not_rounded(emulator, company, config):
    """Rounded to cents, these journal lines would no longer balance; the invoice would change."""
    sub_cent = dict(
        JOURNAL,
        BATCH_TITLE="sub-cent",
        ENTRIES=[
            {"ACCOUNTNO": "6000", "AMOUNT": Decimal("0.005")},
            {"ACCOUNTNO": "6010", "AMOUNT": Decimal("0.005")},
            {"ACCOUNTNO": "2000", "AMOUNT": Decimal("-0.010")},
        ],
    )
    invoice = dict(
        INVOICES[1],
        RECORDID="INV-FINE",
        ARINVOICEITEMS=[{"ACCOUNTNO": "4000", "AMOUNT": Decimal("10.125")}],
    )
    messages = [
        *master_data(),
        *stream_messages("journal_entries", [sub_cent, JOURNAL]),
        *stream_messages("ar_invoices", [invoice, INVOICES[0]], ["RECORDNO"]),
    ]
    target = run_target(config, messages)
    assert [b["BATCH_TITLE"] for b in stored(emulator, company, "GLBATCH")] == ["Rent accrual"]
    assert list(invoices_by_number(emulator, company)) == ["INV-1"]
    rejects = {r["stream"]: r for r in read_jsonl(config["reject_file"])}
    assert rejects["journal_entries"]["field"] == "ENTRIES[0].AMOUNT"
    assert "more than two decimal places (0.005)" in rejects["journal_entries"]["message"]
    assert rejects["ar_invoices"]["field"] == "ARINVOICEITEMS[0].AMOUNT"
    assert "(10.125)" in rejects["ar_invoices"]["message"]
    assert summary(target, "journal_entries") == {"created": 1, "rejected": 1}
    assert summary(target, "ar_invoices") == {"created": 1, "rejected": 1}


ORDER = {
    "DOCID": "Sales Order-SO-1",
    "DOCPARID": "Sales Order",
    "DOCNO": "SO-1",
    "CUSTVENDID": "C-1",
    "WHENCREATED": "2026-10-01",
    "PONUMBER": "000000101",
    "SODOCUMENTENTRIES": [
        {"ITEMID": "SCREW-100", "QUANTITY": Decimal("10"), "PRICE": Decimal("7.49")},
        {"ITEMID": "DRILL-18V", "QUANTITY": Decimal("1"), "PRICE": Decimal("129.00")},
    ],
}
SALES_INVOICE = {
    "DOCID": "Sales Invoice-INV-S1",
    "DOCPARID": "Sales Invoice",
    "DOCNO": "INV-S1",
    "CREATEDFROM": "Sales Order-SO-1",
    "CUSTVENDID": "C-1",
    "WHENCREATED": "2026-10-02",
    "SODOCUMENTENTRIES": [
        {"ITEMID": "DRILL-18V", "QUANTITY": Decimal("1"), "PRICE": Decimal("129.00")}
    ],
}


def test_sales_order_and_invoice(emulator, company, config):
    messages = [
        *master_data(),
        *stream_messages("items", ITEMS),
        *stream_messages("sales_transactions", [ORDER, SALES_INVOICE]),
    ]
    target = run_target(config, messages)
    docs = {d["DOCID"]: d for d in stored(emulator, company, "SODOCUMENT")}
    assert set(docs) == {"Sales Order-SO-1", "Sales Invoice-INV-S1"}
    assert docs["Sales Order-SO-1"]["PONUMBER"] == "000000101"
    assert money(docs["Sales Order-SO-1"]["TOTAL"]) == Decimal("203.90")
    assert docs["Sales Invoice-INV-S1"]["CREATEDFROM"] == "Sales Order-SO-1"
    assert summary(target, "sales_transactions") == {"created": 2}
    ids = {
        i["ID"]: i["RECORDNO"]
        for i in read_jsonl(config["id_map_file"])
        if i["stream"] == "sales_transactions"
    }
    assert ids == {docid: doc["RECORDNO"] for docid, doc in docs.items()}
    # upsert by DOCID updates the order's lines in place
    changed = dict(
        ORDER,
        SODOCUMENTENTRIES=[
            dict(ORDER["SODOCUMENTENTRIES"][0], QUANTITY=Decimal("20")),
            ORDER["SODOCUMENTENTRIES"][1],
        ],
    )
    target = run_target(config, stream_messages("sales_transactions", [changed]))
    assert summary(target, "sales_transactions") == {"updated": 1}
    docs = {d["DOCID"]: d for d in stored(emulator, company, "SODOCUMENT")}
    assert len(docs) == 2 and money(docs["Sales Order-SO-1"]["TOTAL"]) == Decimal("278.80")


def test_journal_upsert_by_title_replaces_lines_then_delete(emulator, company, config):
    config["streams"] = {
        "journal_entries": {
            "match_field": "BATCH_TITLE",
            "sync_mode": "upsert",
            "delete_behavior": "delete",
        }
    }
    run_target(config, [*master_data(), *stream_messages("journal_entries", [JOURNAL])])
    changed = dict(
        JOURNAL,
        ENTRIES=[
            {"ACCOUNTNO": "6000", "AMOUNT": Decimal("10.00")},
            {"ACCOUNTNO": "2000", "AMOUNT": Decimal("-10.00")},
        ],
    )
    target = run_target(config, stream_messages("journal_entries", [changed]))
    assert summary(target, "journal_entries") == {"updated": 1}
    [batch] = stored(emulator, company, "GLBATCH")
    entries = lines_of(emulator, company, "GLENTRY", "BATCHNO", batch["RECORDNO"])
    assert sorted((e["ACCOUNTNO"], e["TR_TYPE"], money(e["TRX_AMOUNT"])) for e in entries) == [
        ("2000", "-1", Decimal("10.00")),
        ("6000", "1", Decimal("10.00")),
    ]
    deleted = dict(changed, _sdc_deleted_at="2026-11-01T00:00:00Z")
    target = run_target(config, stream_messages("journal_entries", [deleted]))
    assert summary(target, "journal_entries") == {"deleted": 1}
    assert stored(emulator, company, "GLBATCH") == []


def test_delete_invoice_and_sales_order(emulator, company, config):
    setup_invoices(emulator, company, config)
    run_target(
        config, [*stream_messages("items", ITEMS), *stream_messages("sales_transactions", [ORDER])]
    )
    config["streams"] = {
        "ar_invoices": {"delete_behavior": "delete"},
        "sales_transactions": {"delete_behavior": "delete"},
    }
    gone = "2026-11-01T00:00:00Z"
    messages = [
        *stream_messages("ar_invoices", [dict(INVOICES[1], _sdc_deleted_at=gone)]),
        *stream_messages(
            "sales_transactions", [{"DOCID": ORDER["DOCID"], "_sdc_deleted_at": gone}]
        ),
    ]
    target = run_target(config, messages)
    assert set(invoices_by_number(emulator, company)) == {"INV-1"}
    assert stored(emulator, company, "SODOCUMENT") == []
    assert summary(target, "ar_invoices") == {"deleted": 1}
    assert summary(target, "sales_transactions") == {"deleted": 1}
