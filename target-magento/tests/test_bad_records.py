"""Records that break their stream's schema are rejected one by one; the run goes on."""

from __future__ import annotations

import logging

from target_magento_support import (
    ZERO_COUNTS,
    carried,
    customer_records,
    invoice_records,
    item_records,
    stream_messages,
    summary,
)


def with_bad_record(stream: str, records: list[dict], bad: dict, key: str = "RECORDNO") -> list:
    """The stream's messages (schema taken from the good records) with `bad` among them."""
    messages = stream_messages(stream, records, key)
    messages.insert(2, {"type": "RECORD", "stream": stream, "record": bad})
    return messages


def test_a_wrong_typed_field_rejects_only_its_record(harness, caplog):
    items = item_records()[:3]
    bad = {**items[0], "RECORDNO": 99, "ITEMID": "BAD-PRICE", "BASEPRICE": "twelve euros"}
    caplog.set_level(logging.INFO)
    target, _ = harness.run(with_bad_record("items", items, bad))
    counts = summary(target)["items"]
    assert counts["created"] == 3
    assert counts["rejected"] == 1
    assert "BAD-PRICE" not in {p["sku"] for p in harness.table("products")}
    (reject,) = harness.rejects()
    assert reject["stream"] == "items"
    assert reject["key"] == "BAD-PRICE"
    assert reject["field"] == "BASEPRICE"
    assert "BASEPRICE" in reject["reason"]
    assert "number" in reject["reason"]
    assert reject["record"] == {**bad, "_sdc_deleted_at": None}  # no other `_sdc_` field
    about_it = [r for r in caplog.records if "BAD-PRICE" in r.getMessage()]
    assert len(about_it) == 1
    assert about_it[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_wrong_typed_customer_field_is_rejected_with_its_key(harness):
    customers = customer_records()[:2]
    bad = {**customers[0], "RECORDNO": 50, "CUSTOMERID": "C-BAD", "CREDITLIMIT": "lots"}
    target, _ = harness.run(with_bad_record("customers", customers, bad))
    assert summary(target)["customers"]["created"] == 2
    (reject,) = harness.rejects()
    assert (reject["stream"], reject["key"], reject["field"]) == (
        "customers",
        "C-BAD",
        "CREDITLIMIT",
    )


def test_an_invoice_with_a_rejected_line_waits_for_the_corrected_line(harness):
    headers, lines = invoice_records()
    header = headers[0]
    own_lines = [line for line in lines if line["DOCHDRNO"] == header["RECORDNO"]]
    assert len(own_lines) >= 2
    broken = {**own_lines[1], "QUANTITY": "two"}
    messages = [
        *stream_messages("sales_invoices", [header]),
        *with_bad_record("sales_invoice_lines", [own_lines[0]], broken),
    ]
    before = len(harness.table("invoices"))
    target, _ = harness.run(messages)
    assert summary(target)["sales_invoice_lines"]["rejected"] == 1
    (reject,) = harness.rejects()
    assert reject["field"] == "QUANTITY"
    assert len(harness.table("invoices")) == before  # never a partial invoice
    (entry,) = harness.pending()["invoices"].values()
    assert "QUANTITY" in entry["reason"]

    target, _ = harness.run(stream_messages("sales_invoice_lines", [own_lines[1]]))
    assert summary(target) == {"sales_invoice_lines": {**ZERO_COUNTS, "created": 1}}
    assert carried(target)["sales_invoices"]["created"] == 1  # the header came in the first run
    assert carried(target)["sales_invoice_lines"]["created"] == 1
    assert len(harness.table("invoices")) == before + 1
    assert harness.pending()["invoices"] == {}
