"""Write requests in parallel: each record once, every order that matters kept.

The emulator's latency model holds every answer, so requests overlap; `max_concurrency` bounds
them, and a concurrency refusal lowers it without failing the run.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from target_intacct_helpers import (
    emulator_records,
    read_jsonl,
    run_target,
    stored,
    stream_messages,
    summary,
)

CUSTOMERS = [{"CUSTOMERID": f"P-{n:03d}", "NAME": f"Parallel customer {n}"} for n in range(60)]
ACCOUNTS = [{"ACCOUNTNO": "4000", "TITLE": "Sales", "ACCOUNTTYPE": "incomestatement"}]
INVOICES = [
    {
        "RECORDNO": 700 + n, "RECORDID": f"PINV-{n:03d}", "CUSTOMERID": f"P-{n:03d}",
        "WHENCREATED": "2026-10-01",
        "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": Decimal("10.10")},
                           {"ACCOUNTNO": "4000", "AMOUNT": Decimal("0.05")}],
    }
    for n in range(40)
]  # fmt: skip


@pytest.fixture
def slow(emulator):
    emulator.admin("POST", "/_emulator/config", {"latency_base": 0.15})
    yield emulator
    emulator.admin("POST", "/_emulator/config", {"latency_base": 0})
    emulator.admin("DELETE", "/_emulator/faults")


def test_write_requests_overlap_and_write_each_record_once(slow, company, config):
    config.update(batch_size=5, max_concurrency=4)
    target = run_target(config, stream_messages("customers", CUSTOMERS))
    ids = [r["CUSTOMERID"] for r in emulator_records(slow, company, "CUSTOMER")]
    assert sorted(ids) == sorted(c["CUSTOMERID"] for c in CUSTOMERS)
    assert summary(target, "customers") == {"created": len(CUSTOMERS)}
    assert target.parallel.slots.peak == 4
    assert {i["ID"] for i in read_jsonl(config["id_map_file"])} == set(ids)
    assert read_jsonl(config["reject_file"]) == []


def test_customers_before_their_invoices_with_both_lines(slow, company, config):
    config.update(batch_size=4, max_concurrency=4, records_per_lookup=12)
    messages = [
        *stream_messages("gl_accounts", ACCOUNTS),
        *stream_messages("ar_invoices", INVOICES[:5], ["RECORDNO"]),  # before the customers
        *stream_messages("customers", CUSTOMERS[:40]),
        *stream_messages("ar_invoices", INVOICES[5:], ["RECORDNO"]),
    ]
    target = run_target(config, messages)
    assert read_jsonl(config["reject_file"]) == []
    invoices = {r["RECORDID"]: r for r in stored(slow, company, "ARINVOICE")}
    assert sorted(invoices) == sorted(i["RECORDID"] for i in INVOICES)
    lines = stored(slow, company, "ARINVOICEITEM")
    for invoice in invoices.values():
        amounts = sorted(Decimal(r["AMOUNT"]) for r in lines
                         if str(r["RECORDKEY"]) == str(invoice["RECORDNO"]))  # fmt: skip
        assert amounts == [Decimal("0.05"), Decimal("10.10")]
    assert summary(target, "ar_invoices") == {"created": len(INVOICES)}


def test_a_concurrency_refusal_lowers_the_parallelism_and_loses_nothing(slow, company, config):
    slow.admin("POST", "/_emulator/faults",
               {"kind": "concurrency", "count": 2, "company": company})  # fmt: skip
    config.update(batch_size=5, max_concurrency=4, max_tries=1)
    target = run_target(config, stream_messages("customers", CUSTOMERS))
    ids = [r["CUSTOMERID"] for r in emulator_records(slow, company, "CUSTOMER")]
    assert sorted(ids) == sorted(c["CUSTOMERID"] for c in CUSTOMERS)
    assert summary(target, "customers") == {"created": len(CUSTOMERS)}
    assert target.parallel.slots.refusals >= 1 and target.parallel.slots.limit <= 2


def test_a_lost_answer_among_parallel_requests_is_resent_not_rewritten(slow, company, config):
    config.update(batch_size=5, max_concurrency=4, request_timeout=5)
    fired = slow.admin("GET", "/_emulator/stats")["faults"].get("http_524", 0)
    for after in (1, 4, 7):
        slow.admin("POST", "/_emulator/faults", {"kind": "http_524", "when": "after",
                                                "function": "create", "company": company,
                                                "after": after})  # fmt: skip
    target = run_target(config, stream_messages("customers", CUSTOMERS))
    ids = [r["CUSTOMERID"] for r in emulator_records(slow, company, "CUSTOMER")]
    assert sorted(ids) == sorted(c["CUSTOMERID"] for c in CUSTOMERS)  # each exactly once
    assert summary(target, "customers") == {"created": len(CUSTOMERS)}
    assert slow.admin("GET", "/_emulator/stats")["faults"]["http_524"] == fired + 3
