"""Each run's summary counts every input record once, per stream, through the real command.

What earlier runs left (operations Magento ran later, waiting records, pending invoices) is
counted on its own line, so the run's counts add up to its input whatever path a record took.
"""

from __future__ import annotations

import re
from collections import Counter

from target_magento_support import (
    customer_records,
    demo_messages,
    run_command,
    stream_messages,
)

SIZE = 500  # above the bulk threshold (200): customers are created, items upserted in bulk


def customers(count: int) -> list[dict]:
    return [
        {
            "RECORDNO": number,
            "CUSTOMERID": f"C-{number:05d}",
            "NAME": f"Company {number}",
            "DISPLAYCONTACT.FIRSTNAME": "Ada",
            "DISPLAYCONTACT.LASTNAME": f"Buyer {number}",
            "DISPLAYCONTACT.EMAIL1": f"buyer{number}@example.com",
            "DISPLAYCONTACT.PHONE1": "+353 1 555 0100",
            "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": f"{number} Main Street",
            "DISPLAYCONTACT.MAILADDRESS.CITY": "Dublin",
            "DISPLAYCONTACT.MAILADDRESS.ZIP": "D02 X285",
            "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": "IE",
        }
        for number in range(1, count + 1)
    ]


def items(count: int, price: int = 10) -> list[dict]:
    return [
        {
            "RECORDNO": number,
            "ITEMID": f"SKU-{number:05d}",
            "NAME": f"Item {number}",
            "STATUS": "active",
            "ITEMTYPE": "Inventory",
            "BASEPRICE": price if number % 10 else price + 1,
            "SHIP_WEIGHT": 1,
        }
        for number in range(1, count + 1)
    ]


def bulk_input(price: int = 10) -> list[dict]:
    """Customers and items, each stream with one record sent twice (its later version wins)."""
    people, goods = customers(SIZE), items(SIZE, price)
    return [
        *stream_messages("customers", [*people, people[7]]),
        *stream_messages("items", [*goods, goods[7]]),
    ]


def inputs(messages: list[dict]) -> Counter[str]:
    return Counter(message["stream"] for message in messages if message["type"] == "RECORD")


def totals(counts: dict[str, dict[str, int]]) -> Counter[str]:
    return Counter({stream: sum(row.values()) for stream, row in counts.items()})


def test_a_bulk_rerun_counts_each_input_record_once(magento, tmp_path):
    messages = bulk_input()
    bulks = {"pending_bulk_file": str(tmp_path / "bulks.json"), "bulk_poll_timeout": 0.5}
    magento.admin("POST", "/_emulator/config", {"bulk_consumer": "paused"})
    first = run_command(magento, tmp_path, messages, **bulks)
    assert totals(first.summary) == inputs(messages)
    assert first.summary["customers"]["queued"] == first.summary["items"]["queued"] == SIZE

    # Magento runs the queued operations; the same input comes again.
    magento.admin("POST", "/_emulator/config", {"bulk_consumer": "running"})
    again = run_command(magento, tmp_path, messages, **bulks)
    assert totals(again.summary) == inputs(messages)
    for stream in ("customers", "items"):
        assert again.summary[stream]["unchanged"] == SIZE
        assert again.summary[stream]["created"] == 0
        assert again.carried[stream]["created"] == SIZE  # what the first run queued, apart
    assert re.search(r"\| earlier runs: customers +500 ", again.log)  # a row of its own

    changed = bulk_input(price=12)
    third = run_command(magento, tmp_path, changed, **bulks)
    assert totals(third.summary) == inputs(changed)
    assert third.summary["items"]["updated"] == SIZE
    assert third.carried == {}
    dump = magento.admin("GET", "/_emulator/dump")
    assert len([p for p in dump["products"] if p["sku"].startswith("SKU-")]) == SIZE
    emails = [c["email"] for c in dump["customers"] if c["email"].startswith("buyer")]
    assert len(emails) == len(set(emails)) == SIZE


def test_invoice_lines_and_retried_records_add_up(magento, tmp_path):
    messages = demo_messages()
    for _ in range(2):  # the first run writes, the second finds everything there
        result = run_command(magento, tmp_path, messages)
        assert totals(result.summary) == inputs(messages)
        assert result.carried == {}
    assert (
        result.summary["sales_invoice_lines"]["skipped"] == inputs(messages)["sales_invoice_lines"]
    )

    # No input: the invoice still waiting for its order is retried and counted apart.
    idle = run_command(magento, tmp_path, [])
    assert idle.summary == {}
    assert idle.carried["sales_invoices"]["skipped"] == 1
    assert idle.carried["sales_invoice_lines"]["skipped"] >= 1
    assert "Run summary: no records for Magento" in idle.log
    assert len(customer_records()) == inputs(messages)["customers"]
