"""Faults mid-batch: lost answers are re-sent with the same control ids and never duplicate."""

from __future__ import annotations

import logging

import pytest
from target_intacct.exchange import WriteFailedError
from target_intacct_helpers import (
    emulator_records,
    read_jsonl,
    run_target,
    stream_messages,
    summary,
)

CUSTOMERS = [{"CUSTOMERID": f"F-{n:03d}", "NAME": f"Fault customer {n}"} for n in range(25)]


def inject(emulator, **fault):
    emulator.admin("POST", "/_emulator/faults", fault)


@pytest.fixture
def create_function() -> str:
    """What faults match creates by: the XML function (the REST tests: `rest.create`)."""
    return "create"


def customer_ids(emulator, company):
    return [r["CUSTOMERID"] for r in emulator_records(emulator, company, "CUSTOMER")]


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "http_524", "when": "after"},
        {"kind": "drop_connection", "when": "after"},
        {"kind": "http_502"},
        {"kind": "slow", "delay": 2.5, "when": "after"},
    ],
    ids=["524-after", "drop-after", "502", "slow-past-timeout"],
)
def test_fault_mid_batch_never_duplicates(
    emulator, company, config, fault, caplog, create_function
):
    caplog.set_level(logging.INFO)
    config.update(batch_size=10, request_timeout=1)
    config["streams"] = {"customers": {"sync_mode": "insert"}}
    fired_before = emulator.admin("GET", "/_emulator/stats")["faults"].get(fault["kind"], 0)
    # the second write request of the run fails once
    inject(emulator, count=1, after=1, function=create_function, company=company, **fault)
    target = run_target(config, stream_messages("customers", CUSTOMERS))
    assert emulator.admin("GET", "/_emulator/stats")["faults"][fault["kind"]] == fired_before + 1
    if fault.get("when") == "after" and create_function == "create":
        # the writes ran but the answer was lost (over REST the client re-sends the same key)
        assert "re-sending with the same control ids" in caplog.text
        assert "already ran in an earlier request" in caplog.text
    ids = customer_ids(emulator, company)
    assert sorted(ids) == sorted(c["CUSTOMERID"] for c in CUSTOMERS)  # each exactly once
    assert summary(target, "customers") == {"created": len(CUSTOMERS)}
    assert read_jsonl(config["reject_file"]) == []
    mapped = {i["ID"] for i in read_jsonl(config["id_map_file"])}
    assert mapped == set(ids)


def test_replayed_input_is_not_written_twice(emulator, company, config):
    config["streams"] = {"customers": {"sync_mode": "insert"}}
    run_target(config, stream_messages("customers", CUSTOMERS[:5]))
    target = run_target(config, stream_messages("customers", CUSTOMERS[:5]))
    assert len(customer_ids(emulator, company)) == 5
    # Taken from Intacct, not re-posted: the first run created them, this one counts them unchanged
    assert summary(target, "customers") == {"unchanged": 5}


def test_persistent_transient_failure_fails_before_state(
    emulator, company, config, capsys, create_function
):
    config["max_tries"] = 2
    inject(emulator, kind="http_503", count=2, function=create_function, company=company)
    messages = [
        *stream_messages("customers", CUSTOMERS[:3]),
        {"type": "STATE", "value": {"bookmarks": {"customers": {"n": 3}}}},
    ]
    with pytest.raises(WriteFailedError, match="customers"):
        run_target(config, messages)
    assert '"bookmarks"' not in capsys.readouterr().out  # STATE never advanced
    assert customer_ids(emulator, company) == []
