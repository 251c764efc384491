"""Inputs that used to stop or lose a run: ill-typed records, headers whose lines come in a later
run, references to records later in the input, a wrong password, and identical re-runs."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path

from target_intacct_helpers import (
    SENDER_PASSWORD,
    USER_PASSWORD,
    read_jsonl,
    run_target,
    stored,
    stream_messages,
    summary,
)
from test_secrets_and_cli import run_cli


def function_counts(emulator) -> dict[str, int]:
    """Functions run per name, REST operations counted with their XML function (`rest.update`)."""
    counts: dict[str, int] = {}
    for name, count in emulator.admin("GET", "/_emulator/stats")["functions"].items():
        counts[name.removeprefix("rest.")] = counts.get(name.removeprefix("rest."), 0) + count
    return counts


def state_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"bookmarks"')]


# What the invoices and orders below refer to: the sales account (the lines' default), the
# customer and the item.
SALES_ACCOUNT = stream_messages("gl_accounts", [{"ACCOUNTNO": "4000", "TITLE": "Sales"}])
CUSTOMER = stream_messages("customers", [{"CUSTOMERID": "C-1", "NAME": "Acme"}])
SAW = stream_messages("items", [{"ITEMID": "SAW", "NAME": "Saw", "ITEMTYPE": "Inventory"}])


def invoice_header(record_no: int, record_id: str, created: str = "2026-10-01") -> dict:
    """An AR invoice header of customer C-1."""
    return {
        "RECORDNO": record_no,
        "RECORDID": record_id,
        "CUSTOMERID": "C-1",
        "WHENCREATED": created,
    }


def in_companies_of_their_own(config, company, tmp_path, inputs: dict[str, list]):
    """Each named input, with `config` moved to an empty company and a reject file of its own."""
    for number, (name, messages) in enumerate(inputs.items()):
        config["company_id"] = f"{company}_{number}"
        config["reject_file"] = str(tmp_path / f"rejects-{name}.jsonl")
        yield name, messages


# --- 1. a record that fails its schema is rejected alone -----------------------------------

CUSTOMER_SCHEMA = {
    "type": "SCHEMA",
    "stream": "customers",
    "key_properties": ["CUSTOMERID"],
    "schema": {
        "type": "object",
        "properties": {
            "CUSTOMERID": {"type": ["string"]},
            "NAME": {"type": ["string", "null"]},
            "CREDITLIMIT": {"type": ["number", "null"]},
            "LAST_REVIEW": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}


def test_ill_typed_field_rejected_per_record(emulator, company, config, caplog):
    caplog.set_level(logging.INFO)
    records = [
        {"CUSTOMERID": "V-1", "NAME": "Fine", "CREDITLIMIT": Decimal("10.50")},
        # a wrong-typed value that happens to be a password
        {"CUSTOMERID": "V-2", "NAME": "Bad limit", "CREDITLIMIT": USER_PASSWORD},
        {"CUSTOMERID": "V-3", "NAME": "Bad date", "LAST_REVIEW": "last tuesday"},
        {"CUSTOMERID": "V-4", "NAME": "Also fine"},
    ]
    messages = [
        CUSTOMER_SCHEMA,
        *({"type": "RECORD", "stream": "customers", "record": r} for r in records),
    ]
    target = run_target(config, messages)
    written = {r["CUSTOMERID"] for r in stored(emulator, company, "CUSTOMER")}
    assert written == {"V-1", "V-4"}
    rejects = {r["key"]["CUSTOMERID"]: r for r in read_jsonl(config["reject_file"])}
    assert set(rejects) == {"V-2", "V-3"}
    assert rejects["V-2"]["stream"] == "customers"
    assert rejects["V-2"]["field"] == "CREDITLIMIT"
    assert rejects["V-2"]["message"] == "CREDITLIMIT must be number or null, got string"
    assert rejects["V-3"]["field"] == "LAST_REVIEW"
    assert rejects["V-3"]["message"] == "LAST_REVIEW is not a valid date"
    assert summary(target, "customers") == {"created": 2, "rejected": 2}
    logged = [r.getMessage() for r in caplog.records if "V-2" in r.getMessage()]
    assert logged == [
        'Rejected customers record {"CUSTOMERID": "V-2"}: '
        "CREDITLIMIT must be number or null, got string"
    ]
    assert "Traceback" not in caplog.text and "Record validation failed" not in caplog.text
    text = Path(config["reject_file"]).read_text()
    assert USER_PASSWORD not in text and USER_PASSWORD not in caplog.text


def test_ill_typed_line_field_names_the_line(emulator, company, config):
    """A line stream's record is checked the same way, and named by its key."""
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(7, "INV-7")
    line = {"RECORDNO": 70, "RECORDKEY": 7, "LINE_NO": 1, "AMOUNT": Decimal("5")}
    bad_line = {"RECORDNO": 71, "RECORDKEY": 7, "LINE_NO": 2, "AMOUNT": "five"}
    lines = stream_messages("ar_invoice_lines", [line], ["RECORDNO"])
    messages = [
        *SALES_ACCOUNT,
        *CUSTOMER,
        *stream_messages("ar_invoices", [header], ["RECORDNO"]),
        *lines,
        {"type": "RECORD", "stream": "ar_invoice_lines", "record": bad_line},
    ]
    run_target(config, messages)
    [reject] = read_jsonl(config["reject_file"])
    assert (reject["stream"], reject["key"], reject["field"]) == (
        "ar_invoice_lines",
        {"RECORDNO": 71},
        "AMOUNT",
    )
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("5")


# --- 2. headers whose lines come in a later run ----------------------------------------------

INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "RECORDNO": {"type": ["integer"]},
        "RECORDID": {"type": ["string", "null"]},
        "CUSTOMERID": {"type": ["string", "null"]},
        "DESCRIPTION": {"type": ["string", "null"]},
        "WHENCREATED": {"type": ["string", "null"], "format": "date"},
    },
}


def invoice_messages(headers: list[dict]) -> list[dict]:
    schema = {"type": "SCHEMA", "stream": "ar_invoices", "schema": INVOICE_SCHEMA}
    schema["key_properties"] = ["RECORDNO"]
    return [schema, *({"type": "RECORD", "stream": "ar_invoices", "record": h} for h in headers)]


def invoice_lines(record_key: int, *amounts: str) -> list[dict]:
    lines = [
        {"RECORDNO": record_key * 10 + n, "RECORDKEY": record_key, "LINE_NO": n, "AMOUNT": a}
        for n, a in enumerate(amounts, 1)
    ]
    return stream_messages("ar_invoice_lines", lines, ["RECORDNO"])


def test_headers_without_lines_wait_for_a_later_run(emulator, company, config, capsys):
    config["defaults"] = {"item_gl_account": "4000"}
    late = invoice_header(500, "INV-LATE")
    ready = invoice_header(501, "INV-READY", "2026-10-02")
    first_run = [
        *SALES_ACCOUNT,
        *CUSTOMER,
        *invoice_messages([late, ready]),
        *invoice_lines(501, "20.00"),
        {"type": "STATE", "value": {"bookmarks": {"ar_invoices": {"n": 1}}}},
    ]
    target = run_target(config, first_run)
    assert state_lines(capsys.readouterr().out) == [{"bookmarks": {"ar_invoices": {"n": 1}}}]
    assert [r["RECORDID"] for r in stored(emulator, company, "ARINVOICE")] == ["INV-READY"]
    assert read_jsonl(config["reject_file"]) == []
    assert summary(target, "ar_invoices") == {"created": 1, "pending": 1}
    pending = json.loads(Path(config["pending_file"]).read_text())
    [kept] = pending["streams"]["ar_invoices"]["waiting"]
    assert (kept["record"]["RECORDID"], kept["runs"]) == ("INV-LATE", 1)

    # the next run brings only the lines (the header's bookmark has moved past it)
    second_run = [
        *invoice_lines(500, "1.25", "2.50"),
        {"type": "STATE", "value": {"bookmarks": {"ar_invoice_lines": {"n": 2}}}},
    ]
    target = run_target(config, second_run)
    invoices = {r["RECORDID"]: r for r in stored(emulator, company, "ARINVOICE")}
    assert set(invoices) == {"INV-READY", "INV-LATE"}
    assert Decimal(invoices["INV-LATE"]["TOTALENTERED"]) == Decimal("3.75")
    assert invoices["INV-LATE"]["WHENCREATED"] == "10/01/2026"
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()
    assert state_lines(capsys.readouterr().out) == [{"bookmarks": {"ar_invoice_lines": {"n": 2}}}]


def test_header_that_changed_alone_updates_the_existing_invoice(emulator, company, config):
    """A paid or re-described invoice comes without lines (they did not change): Intacct holds
    it already, so its header is updated and its lines stay as they are."""
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(950, "INV-H", "2026-10-05")
    run_target(
        config,
        [
            *SALES_ACCOUNT,
            *CUSTOMER,
            *invoice_messages([dict(header, DESCRIPTION="first")]),
            *invoice_lines(950, "4.00", "6.00"),
        ],
    )
    lines_before = stored(emulator, company, "ARINVOICEITEM")
    target = run_target(config, invoice_messages([dict(header, DESCRIPTION="second")]))
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert invoice["DESCRIPTION"] == "second"
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("10.00")
    assert stored(emulator, company, "ARINVOICEITEM") == lines_before
    assert summary(target, "ar_invoices") == {"updated": 1}
    assert not Path(config["pending_file"]).exists()


def test_sales_order_that_changed_alone_keeps_its_lines(emulator, company, config):
    master = [*CUSTOMER, *SAW]
    order = dict(ORDER, RECORDNO=960, MESSAGE="first")
    run_target(config, [*master, *stream_messages("sales_orders", [order])])

    def entries() -> list[tuple[str, ...]]:
        rows = stored(emulator, company, "SODOCUMENTENTRY")
        return [(r["LINE_NO"], r["ITEMID"], r["QUANTITY"], r["PRICE"], r["TOTAL"]) for r in rows]

    entries_before = entries()
    assert entries_before == [("1", "SAW", "2", "10.00", "20.00")]
    header_only = {k: v for k, v in order.items() if k != "SODOCUMENTENTRIES"}
    target = run_target(
        config, stream_messages("sales_orders", [dict(header_only, MESSAGE="second")])
    )
    [document] = stored(emulator, company, "SODOCUMENT")
    assert document["MESSAGE"] == "second"
    assert entries() == entries_before
    assert summary(target, "sales_orders") == {"updated": 1}


def test_newer_header_replaces_the_pending_one(emulator, company, config):
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(600, "INV-V")
    run_target(
        config,
        [
            *SALES_ACCOUNT,
            *CUSTOMER,
            *invoice_messages([dict(header, DESCRIPTION="first version")]),
        ],
    )
    assert Path(config["pending_file"]).exists()
    messages = [*invoice_messages([dict(header, DESCRIPTION="second")]), *invoice_lines(600, "9")]
    target = run_target(config, messages)
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert invoice["DESCRIPTION"] == "second"
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def test_without_pending_file_waiting_headers_are_rejected(emulator, company, config):
    config["pending_file"] = ""
    target = run_target(config, invoice_messages([invoice_header(700, "INV-N")]))
    [reject] = read_jsonl(config["reject_file"])
    assert reject["field"] == "ARINVOICEITEMS" and "pending_file" in reject["message"]
    assert summary(target, "ar_invoices") == {"rejected": 1}


# --- 3. references to records later in the input ---------------------------------------------

PRODUCT_LINES = [
    {"PRODUCTLINEID": "PL-CHILD", "PARENTLINE": "PL-TOP"},  # its parent comes after it
    {"PRODUCTLINEID": "PL-TOP", "DESCRIPTION": "Tools"},
]
REFERRING_ITEMS = [
    {"ITEMID": "DRILL", "NAME": "Drill", "ITEMTYPE": "Inventory", "PRODUCTLINEID": "PL-CHILD"},
    {"ITEMID": "SAW", "NAME": "Saw", "ITEMTYPE": "Inventory", "PRODUCTLINEID": "PL-TOP"},
]


def test_items_and_product_lines_in_either_order(emulator, company, config, tmp_path):
    config["records_per_lookup"] = 1  # each record is written as it comes, as in long inputs
    orders = {
        "items-first": [
            *stream_messages("items", REFERRING_ITEMS),
            *stream_messages("product_lines", PRODUCT_LINES),
        ],
        "product-lines-first": [
            *stream_messages("product_lines", PRODUCT_LINES),
            *stream_messages("items", REFERRING_ITEMS),
        ],
    }
    for name, messages in in_companies_of_their_own(config, company, tmp_path, orders):
        target = run_target(config, messages)
        items = {
            r["ITEMID"]: r["PRODUCTLINEID"] for r in stored(emulator, config["company_id"], "ITEM")
        }
        assert items == {"DRILL": "PL-CHILD", "SAW": "PL-TOP"}, name
        lines = {
            r["PRODUCTLINEID"]: r["PARENTLINE"] or None
            for r in stored(emulator, config["company_id"], "PRODUCTLINE")
        }
        assert lines == {"PL-CHILD": "PL-TOP", "PL-TOP": None}, name
        assert read_jsonl(config["reject_file"]) == [], name
        assert summary(target, "items") == {"created": 2}, name
        assert summary(target, "product_lines") == {"created": 2}, name


ORDER = {
    "DOCID": "Sales Order-SO-7",
    "DOCPARID": "Sales Order",
    "DOCNO": "SO-7",
    "CUSTVENDID": "C-1",
    "WHENCREATED": "2026-10-01",
    "SODOCUMENTENTRIES": [{"ITEMID": "SAW", "QUANTITY": Decimal("2"), "PRICE": Decimal("10")}],
}
INVOICE = {
    "DOCID": "Sales Invoice-INV-7",
    "DOCPARID": "Sales Invoice",
    "DOCNO": "INV-7",
    "CREATEDFROM": "Sales Order-SO-7",
    "CUSTVENDID": "C-1",
    "WHENCREATED": "2026-10-02",
    "SODOCUMENTENTRIES": [{"ITEMID": "SAW", "QUANTITY": Decimal("2"), "PRICE": Decimal("10")}],
}


def test_sales_invoices_and_their_orders_in_either_order(emulator, company, config, tmp_path):
    master = [*CUSTOMER, *SAW]
    orders = {
        "invoices-first": [
            *stream_messages("sales_invoices", [INVOICE]),
            *stream_messages("sales_orders", [ORDER]),
        ],
        "orders-first": [
            *stream_messages("sales_orders", [ORDER]),
            *stream_messages("sales_invoices", [INVOICE]),
        ],
        "one-stream-invoice-first": stream_messages("sales_transactions", [INVOICE, ORDER]),
    }
    for name, messages in in_companies_of_their_own(config, company, tmp_path, orders):
        run_target(config, [*master, *messages])
        docs = {d["DOCID"]: d for d in stored(emulator, config["company_id"], "SODOCUMENT")}
        assert set(docs) == {ORDER["DOCID"], INVOICE["DOCID"]}, name
        assert docs[INVOICE["DOCID"]]["CREATEDFROM"] == ORDER["DOCID"], name
        assert read_jsonl(config["reject_file"]) == [], name


def test_reference_still_missing_waits_for_a_later_run(emulator, company, config):
    """The run ends between items and their product line (a crash, or streams read in another
    order): STATE moves past the item, so it is kept and written once the line comes."""
    items = [{"ITEMID": "X", "NAME": "X", "ITEMTYPE": "Inventory", "PRODUCTLINEID": "LATE"}]
    target = run_target(config, stream_messages("items", items))
    assert read_jsonl(config["reject_file"]) == []
    assert summary(target, "items") == {"pending": 1}
    pending = json.loads(Path(config["pending_file"]).read_text())
    [kept] = pending["streams"]["items"]["refused"]
    assert kept["record"]["ITEMID"] == "X" and "LATE" in kept["reason"]
    assert stored(emulator, company, "ITEM") == []

    lines = [{"PRODUCTLINEID": "LATE", "DESCRIPTION": "Came later"}]
    target = run_target(config, stream_messages("product_lines", lines))
    [item] = stored(emulator, company, "ITEM")
    assert (item["ITEMID"], item["PRODUCTLINEID"]) == ("X", "LATE")
    assert summary(target, "items") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def test_missing_reference_is_rejected_after_pending_max_runs(emulator, company, config):
    config["pending_max_runs"] = 2
    items = [{"ITEMID": "Y", "NAME": "Y", "ITEMTYPE": "Inventory", "PRODUCTLINEID": "TYPO"}]
    for run, messages in enumerate([stream_messages("items", items), [], []], start=1):
        target = run_target(config, messages)
        rejects = read_jsonl(config["reject_file"])
        if run <= 2:
            assert rejects == [] and summary(target, "items") == {"pending": 1}, run
            kept = json.loads(Path(config["pending_file"]).read_text())["streams"]["items"]
            assert kept["refused"][0]["runs"] == run
    [reject] = rejects
    assert reject["key"] == {"ITEMID": "Y"} and reject["errorno"] == "BL03000017"
    assert "TYPO" in reject["message"] and "still refused after 2 runs" in reject["message"]
    assert summary(target, "items") == {"rejected": 1}
    assert not Path(config["pending_file"]).exists()


def test_without_pending_file_a_missing_reference_is_rejected(emulator, company, config):
    config["pending_file"] = ""
    items = [{"ITEMID": "X", "NAME": "X", "ITEMTYPE": "Inventory", "PRODUCTLINEID": "NOPE"}]
    target = run_target(config, stream_messages("items", items))
    [reject] = read_jsonl(config["reject_file"])
    assert reject["errorno"] == "BL03000017" and "NOPE" in reject["message"]
    assert summary(target, "items") == {"rejected": 1}


def test_lines_before_their_headers_wait_for_a_later_run(emulator, company, config):
    """tap-intacct reads `ar_invoice_lines` before `ar_invoices` (streams go in name order): a
    run that ends between the two has the lines only, and STATE moves past them."""
    config["defaults"] = {"item_gl_account": "4000"}
    first_run = [
        *SALES_ACCOUNT,
        *CUSTOMER,
        *invoice_lines(800, "4.00", "6.00"),
    ]
    target = run_target(config, first_run)
    assert summary(target, "ar_invoice_lines") == {"pending": 2}
    assert stored(emulator, company, "ARINVOICE") == []
    target = run_target(config, invoice_messages([invoice_header(800, "INV-L", "2026-10-03")]))
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert invoice["RECORDID"] == "INV-L"
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("10.00")
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def state(n: int) -> dict:
    return {"type": "STATE", "value": {"bookmarks": {"ar_invoice_lines": {"n": n}}}}


def test_a_source_stopped_mid_document_never_writes_part_of_its_lines(emulator, company, config):
    """A tap killed mid-page leaves lines after its last STATE: the document may be missing
    lines that the next run sends (from the bookmark before them). The header waits."""
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(970, "INV-CUT")
    first_run = [
        *SALES_ACCOUNT, *CUSTOMER, *invoice_messages([header]), state(1),
        *invoice_lines(970, "1.00"),  # line 2 never came: the tap was killed here
    ]  # fmt: skip
    target = run_target(config, first_run)
    assert stored(emulator, company, "ARINVOICE") == []
    assert read_jsonl(config["reject_file"]) == []
    assert summary(target, "ar_invoices") == {"pending": 1}
    second_run = [*invoice_lines(970, "1.00", "2.00"), state(2)]  # resumed from the bookmark
    target = run_target(config, second_run)
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("3.00")
    assert len(stored(emulator, company, "ARINVOICEITEM")) == 2
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def test_lines_of_one_document_across_a_stop_are_joined(emulator, company, config):
    """The first line's page was confirmed by a STATE, the second line's was not: the next run
    sends only the second line again, and the document gets both."""
    config["defaults"] = {"item_gl_account": "4000"}
    first, second = invoice_lines(980, "4.00", "6.00")[1:]
    first_run = [
        *SALES_ACCOUNT, *CUSTOMER, *invoice_messages([invoice_header(980, "INV-SPLIT")]),
        *invoice_lines(980)[:1], first, state(1), second,
    ]  # fmt: skip
    run_target(config, first_run)
    assert stored(emulator, company, "ARINVOICE") == []
    target = run_target(config, [*invoice_lines(980)[:1], second, state(2)])
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("10.00")
    amounts = [Decimal(line["AMOUNT"]) for line in stored(emulator, company, "ARINVOICEITEM")]
    assert amounts == [Decimal("4.00"), Decimal("6.00")]
    assert summary(target, "ar_invoices") == {"created": 1}


def test_lines_whose_header_never_comes_are_rejected_after_pending_max_runs(
    emulator, company, config
):
    config["pending_max_runs"] = 2
    for run, messages in enumerate([invoice_lines(900, "1.00", "2.00"), [], []], start=1):
        target = run_target(config, messages)
        rejects = read_jsonl(config["reject_file"])
        if run <= 2:
            assert rejects == [] and summary(target, "ar_invoice_lines") == {"pending": 2}, run
            kept = json.loads(Path(config["pending_file"]).read_text())["lines"]["ar_invoices"]
            assert (kept["900"]["stream"], kept["900"]["runs"]) == ("ar_invoice_lines", run)
    assert [(r["stream"], r["key"], r["field"]) for r in rejects] == [
        ("ar_invoice_lines", {"RECORDNO": 9001}, "RECORDKEY"),
        ("ar_invoice_lines", {"RECORDNO": 9002}, "RECORDKEY"),
    ]
    assert "header RECORDNO 900 did not come in 2 runs" in rejects[0]["message"]
    assert rejects[0]["record"]["AMOUNT"] == "1.00"
    assert summary(target, "ar_invoice_lines") == {"rejected": 2}
    assert not Path(config["pending_file"]).exists()


def test_header_whose_lines_never_come_is_rejected_after_pending_max_runs(
    emulator, company, config
):
    config["pending_max_runs"] = 1
    first_run = [*CUSTOMER, *invoice_messages([invoice_header(910, "INV-NL", "2026-10-04")])]
    target = run_target(config, first_run)
    assert summary(target, "ar_invoices") == {"pending": 1}
    assert read_jsonl(config["reject_file"]) == []
    target = run_target(config, [])
    [reject] = read_jsonl(config["reject_file"])
    assert (reject["stream"], reject["key"], reject["field"]) == (
        "ar_invoices",
        {"RECORDNO": 910},
        "ARINVOICEITEMS",
    )
    assert "no lines came for this header in 1 runs" in reject["message"]
    assert "pending_max_runs (1)" in reject["message"]
    assert summary(target, "ar_invoices") == {"rejected": 1}
    assert not Path(config["pending_file"]).exists()
    assert stored(emulator, company, "ARINVOICE") == []


def test_without_pending_file_lines_without_header_are_rejected(emulator, company, config):
    config["pending_file"] = ""
    target = run_target(config, invoice_lines(920, "3.00"))
    [reject] = read_jsonl(config["reject_file"])
    assert reject["key"] == {"RECORDNO": 9201} and reject["field"] == "RECORDKEY"
    assert "header RECORDNO 920 did not come; set pending_file" in reject["message"]
    assert summary(target, "ar_invoice_lines") == {"rejected": 1}


# --- 4. a login Intacct refuses --------------------------------------------------------------


def test_wrong_sender_password_is_one_line_and_exit_1(emulator, config, tmp_path):
    config["sender_password"] = "not-the-password"
    records = [{"CUSTOMERID": "L-1", "NAME": "Login"}]
    done = run_cli(config, stream_messages("customers", records), tmp_path, debug=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1
    assert "fix sender_id/sender_password" in errors[0]
    assert "not-the-password" not in done.stdout + done.stderr
    assert SENDER_PASSWORD not in done.stdout + done.stderr


def test_records_of_an_entity_intacct_refuses_are_rejected_alone(emulator, company, config):
    config["entity_field"] = "MEGAENTITYID"
    locations = [{"LOCATIONID": "US", "NAME": "United States"}]
    customers = [
        {"CUSTOMERID": "E-1", "NAME": "In US", "MEGAENTITYID": "US"},
        {"CUSTOMERID": "E-2", "NAME": "On Mars", "MEGAENTITYID": "MARS"},
        {"CUSTOMERID": "E-3", "NAME": "Shared", "MEGAENTITYID": ""},
    ]
    messages = [
        *stream_messages("locations", locations),
        *stream_messages("customers", customers),
    ]
    target = run_target(config, messages)
    rows = stored(emulator, company, "CUSTOMER")
    owners = {r["CUSTOMERID"]: r.get("MEGAENTITYID") or None for r in rows}
    assert owners == {"E-1": "US", "E-3": None}
    [reject] = read_jsonl(config["reject_file"])
    assert reject["key"] == {"CUSTOMERID": "E-2"} and reject["field"] == "MEGAENTITYID"
    assert "Intacct refused a session in entity 'MARS'" in reject["message"]
    assert "entity 'mars' does not exist" in reject["message"].lower()
    assert summary(target, "customers") == {"created": 2, "rejected": 1}


def test_wrong_password_with_entities_fails_the_run(emulator, config, tmp_path):
    config |= {"entity_field": "MEGAENTITYID", "user_password": "not-the-password"}
    records = [{"CUSTOMERID": "L-2", "NAME": "Login", "MEGAENTITYID": "US"}]
    done = run_cli(config, stream_messages("customers", records), tmp_path, debug=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "user_id/user_password" in done.stderr
    assert not Path(config["reject_file"]).exists() or read_jsonl(config["reject_file"]) == []
    assert "not-the-password" not in done.stdout + done.stderr


# --- 5. identical records are not rewritten ---------------------------------------------------


def test_identical_rerun_sends_no_updates(emulator, company, config):
    customers = [
        {
            "CUSTOMERID": "U-1",
            "NAME": "Same <Name> & Co",
            "DISPLAYCONTACT.EMAIL1": "u1@example.com",
            "CREDITLIMIT": Decimal("5000.1"),
            "ONHOLD": False,
        },
        {"CUSTOMERID": "U-2", "NAME": "Two", "COMMENTS": ""},
    ]
    run_target(config, stream_messages("customers", customers))
    before = function_counts(emulator)
    target = run_target(config, stream_messages("customers", customers))
    after = function_counts(emulator)
    assert after.get("update", 0) == before.get("update", 0)
    assert after.get("create", 0) == before.get("create", 0)
    assert summary(target, "customers") == {"unchanged": 2}
    ids = [i for i in read_jsonl(config["id_map_file"]) if i["ID"] == "U-1"]
    assert len(ids) == 2 and ids[0]["RECORDNO"] == ids[1]["RECORDNO"]

    changed = [customers[0], dict(customers[1], NAME="Two, renamed")]
    before = function_counts(emulator)
    target = run_target(config, stream_messages("customers", changed))
    assert function_counts(emulator).get("update", 0) == before.get("update", 0) + 1
    assert summary(target, "customers") == {"unchanged": 1, "updated": 1}
    names = {r["CUSTOMERID"]: r["NAME"] for r in stored(emulator, company, "CUSTOMER")}
    assert names == {"U-1": "Same <Name> & Co", "U-2": "Two, renamed"}


def test_match_by_email_with_another_id_is_unchanged(emulator, company, config):
    """An update keeps the existing ID, so a differing CUSTOMERID alone is no change."""
    record = {"CUSTOMERID": "E-1", "NAME": "Mail", "DISPLAYCONTACT.EMAIL1": "e1@example.com"}
    run_target(config, stream_messages("customers", [record]))
    config["streams"] = {"customers": {"match_field": "DISPLAYCONTACT.EMAIL1"}}
    before = function_counts(emulator)
    target = run_target(config, stream_messages("customers", [dict(record, CUSTOMERID="X-9")]))
    assert function_counts(emulator).get("update", 0) == before.get("update", 0)
    assert summary(target, "customers") == {"unchanged": 1}


def test_waiting_header_without_recordno_is_rejected_not_kept(emulator, company, config):
    header = {"RECORDID": "INV-NR", "CUSTOMERID": "C-1", "WHENCREATED": "2026-10-01"}
    target = run_target(config, stream_messages("ar_invoices", [header]))
    [reject] = read_jsonl(config["reject_file"])
    assert reject["field"] == "RECORDNO"
    assert summary(target, "ar_invoices") == {"rejected": 1}
    assert not Path(config["pending_file"]).exists()


def test_a_two_digit_year_preference_is_one_line_and_exit_1(emulator, company, config, tmp_path):
    """Intacct would read `10/02/26` as which century? The target refuses before writing."""
    emulator.admin("POST", f"/_emulator/companies/{company}", {"dateformat": "/mdy"})
    records = [{"CUSTOMERID": "Y-1", "NAME": "Two digits"}]
    done = run_cli(config, stream_messages("customers", records), tmp_path, debug=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, done.stderr
    assert "two-digit year" in errors[0]
    assert stored(emulator, company, "CUSTOMER") == []
