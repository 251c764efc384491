"""Records referring to ones later in the input (items and their product lines, invoices and
the orders they were converted from) land in either order; a reference still missing waits for
a later run and is rejected after pending_max_runs, or at once without a pending file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from target_intacct_helpers import (
    read_jsonl,
    run_target,
    stored,
    stream_messages,
    summary,
)
from target_resilience_support import CUSTOMER, ORDER, SAW


def in_companies_of_their_own(config, company, tmp_path, inputs: dict[str, list]):
    """Each named input, with `config` moved to an empty company and a reject file of its own."""
    for number, (name, messages) in enumerate(inputs.items()):
        config["company_id"] = f"{company}_{number}"
        config["reject_file"] = str(tmp_path / f"rejects-{name}.jsonl")
        yield name, messages


# --- references to records later in the input -------------------------------------------------

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
