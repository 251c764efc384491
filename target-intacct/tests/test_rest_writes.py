"""target-intacct over REST: batches of 500, lost answers, secrets, settings."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from target_intacct_helpers import (
    read_jsonl,
    rest_config,
    run_target,
    stored,
    stream_messages,
    summary,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))
import intacct_rest_openapi


@pytest.fixture(scope="module", autouse=True)
def journaled(emulator):
    with intacct_rest_openapi.checked(emulator):
        yield emulator


def customers(count: int, prefix: str = "B") -> list[dict]:
    return [
        {"RECORDNO": n, "CUSTOMERID": f"{prefix}-{n:05d}", "NAME": f"Batch {n}", "STATUS": "active",
         "DISPLAYCONTACT.EMAIL1": f"b{n}@x.example", "WHENMODIFIED": "2026-10-01T10:00:00+00:00"}
        for n in range(1, count + 1)
    ]  # fmt: skip


def creates_sent(emulator, since: int) -> list[int]:
    """Records per REST create request since journal position `since`."""
    return [
        len(json.loads(e.request_body))
        for e in emulator.rest.journal[since:]
        if e.method == "POST" and e.path.endswith("/objects/accounts-receivable/customer")
    ]


def test_1200_customers_go_in_batches_of_500(emulator, company, tmp_path):
    since = len(emulator.rest.journal)
    target = run_target(rest_config(emulator, company, tmp_path),
                        stream_messages("customers", customers(1200), ["RECORDNO"]))  # fmt: skip
    assert summary(target, "customers")["created"] == 1200
    assert len(stored(emulator, company, "CUSTOMER")) == 1200
    assert sorted(creates_sent(emulator, since)) == [200, 500, 500]
    ids = read_jsonl(tmp_path / "ids.jsonl")
    assert len(ids) == 1200 and all(i["RECORDNO"] for i in ids)


def test_a_lost_answer_is_resent_and_lands_once(emulator, company, tmp_path):
    emulator.admin("POST", "/_emulator/faults", {"kind": "drop_connection", "when": "after",
                                                 "function": "rest.create"})  # fmt: skip
    try:
        target = run_target(rest_config(emulator, company, tmp_path),
                            stream_messages("customers", customers(30), ["RECORDNO"]))  # fmt: skip
    finally:
        emulator.admin("DELETE", "/_emulator/faults")
    rows = stored(emulator, company, "CUSTOMER")
    assert len(rows) == 30 and len({r["CUSTOMERID"] for r in rows}) == 30
    assert summary(target, "customers")["created"] == 30
    assert read_jsonl(tmp_path / "rejects.jsonl") == []


def test_rate_limits_are_waited_out(emulator, company, tmp_path):
    emulator.admin("POST", "/_emulator/faults", {"kind": "http_429", "function": "rest.create",
                                                 "count": 2})  # fmt: skip
    try:
        target = run_target(rest_config(emulator, company, tmp_path),
                            stream_messages("customers", customers(5), ["RECORDNO"]))  # fmt: skip
    finally:
        emulator.admin("DELETE", "/_emulator/faults")
    assert summary(target, "customers")["created"] == 5


def test_no_secret_or_token_in_debug_logs_or_rejects(emulator, company, tmp_path, caplog):
    records = customers(3)
    records[1]["HIDEDISPLAYCONTACT"] = "true"  # no REST name: rejected over REST alone
    settings = rest_config(emulator, company, tmp_path)
    with caplog.at_level(logging.DEBUG):
        target = run_target(settings, stream_messages("customers", records, ["RECORDNO"]))
    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert len(rejects) == 1 and "HIDEDISPLAYCONTACT has no REST name" in json.dumps(rejects)
    tokens = next(iter(target._clients.values())).rest.tokens  # type: ignore[attr-defined]
    held = [tokens._token.access, tokens._refresh, settings["client_secret"]]
    text = caplog.text + json.dumps(rejects) + Path(tmp_path / "ids.jsonl").read_text()
    for secret in filter(None, held):
        assert secret not in text


def test_rest_alone_refuses_documents_with_what_to_do(emulator, company, tmp_path):
    invoice = {"RECORDNO": 1, "RECORDID": "INV-1", "CUSTOMERID": "C-1", "WHENCREATED": "2026-10-01",
               "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": "10.00"}]}  # fmt: skip
    settings = rest_config(emulator, company, tmp_path)
    run_target(settings, stream_messages("ar_invoices", [invoice], ["RECORDNO"]))
    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert rejects and "not found over the REST API" in json.dumps(rejects)
