"""Inputs that used to stop or lose a run: ill-typed records, a login Intacct refuses, and
identical re-runs. Headers and lines across runs are in test_resilience_pending_lines.py, records
referring to ones later in the input in test_resilience_references.py."""

from __future__ import annotations

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
from target_resilience_support import CUSTOMER, SALES_ACCOUNT, invoice_header
from test_secrets_and_cli import run_cli


def function_counts(emulator) -> dict[str, int]:
    """Functions run per name, REST operations counted with their XML function (`rest.update`)."""
    counts: dict[str, int] = {}
    for name, count in emulator.admin("GET", "/_emulator/stats")["functions"].items():
        counts[name.removeprefix("rest.")] = counts.get(name.removeprefix("rest."), 0) + count
    return counts


# --- a record that fails its schema is rejected alone -----------------------------------------

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


# --- a login Intacct refuses ------------------------------------------------------------------


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


# --- identical records are not rewritten ------------------------------------------------------


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
