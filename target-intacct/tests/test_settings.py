"""Settings: bad per-stream settings fail before anything is written, secrets are marked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from singer_rejects.settings import InvalidSettingsError
from target_intacct.settings import SettingsError
from target_intacct_helpers import emulator_records, read_jsonl, run_target, stream_messages


def test_about_marks_passwords_secret():
    about = subprocess.run(
        [sys.executable, "-m", "target_intacct.target", "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    properties = json.loads(about.stdout)["settings"]["properties"]
    assert properties["sender_password"]["secret"] is True
    assert properties["user_password"]["secret"] is True
    assert not properties["sender_id"].get("secret")
    for name in (
        "streams",
        "defaults",
        "batch_size",
        "reject_file",
        "id_map_file",
        "entity_id",
        "timezone",
        "verify_tls",
        "request_timeout",
        "api_url",
    ):
        assert name in properties


@pytest.mark.parametrize(
    ("streams", "message"),
    [
        ({"ar_payments": {"sync_mode": "upsert"}}, "ARPYMT can only be inserted"),
        ({"journal_entries": {"sync_mode": "update"}}, "match_field is required"),
        ({"ar_invoices": {"delete_behavior": "clear"}}, "only applies to master data"),
        ({"customers": {"defaults": {"colour": "red"}}}, "unknown defaults"),
    ],
)
def test_bad_stream_settings_fail_at_start(config, streams, message):
    config["streams"] = streams
    with pytest.raises(InvalidSettingsError, match=message):
        run_target(config, [])


def test_settings_schema_refuses_unknown_choices(config):
    config["streams"] = {"customers": {"delete_behavior": "wipe"}}
    with pytest.raises(InvalidSettingsError, match=r"delete_behavior must be one of .*'wipe'"):
        run_target(config, [])


def test_unknown_stream_fails_unless_skipped(emulator, company, config):
    records = [{"id": 1, "name": "x"}]
    with pytest.raises(SettingsError, match="has no Intacct sink"):
        run_target(config, stream_messages("widgets", records))
    config["skip_unknown_streams"] = True
    target = run_target(config, stream_messages("widgets", records))
    assert dict(target.report.counts["widgets"]) == {"skipped": 1}


def test_line_stream_joined_in_line_order_and_strays_kept_pending(emulator, company, config):
    config["defaults"] = {"item_gl_account": "4000"}
    messages = [
        *stream_messages("gl_accounts", [{"ACCOUNTNO": "4000", "TITLE": "Sales"}]),
        *stream_messages("customers", [{"CUSTOMERID": "C-1", "NAME": "Acme"}]),
        *stream_messages(
            "ar_invoices",
            [
                {
                    "RECORDNO": 10,
                    "RECORDID": "I-10",
                    "CUSTOMERID": "C-1",
                    "WHENCREATED": "2026-10-01",
                }
            ],
            ["RECORDNO"],
        ),
        *stream_messages(
            "ar_invoice_lines",
            [
                {"RECORDNO": 1, "RECORDKEY": 10, "LINE_NO": 2, "AMOUNT": "5.00"},
                {
                    "RECORDNO": 2,
                    "RECORDKEY": 10,
                    "LINE_NO": 1,
                    "AMOUNT": "7.25",
                    "ENTRYDESCRIPTION": "a",
                },
                {"RECORDNO": 3, "RECORDKEY": 99, "LINE_NO": 1, "AMOUNT": "1.00"},
                {"RECORDNO": 4, "LINE_NO": 1, "AMOUNT": "2.00"},
                {"RECORDNO": 5, "RECORDKEY": 10, "_sdc_deleted_at": "2026-10-02T00:00:00Z"},
            ],
            ["RECORDNO"],
        ),
    ]
    target = run_target(config, messages)
    [invoice] = emulator_records(emulator, company, "ARINVOICE")
    assert invoice["RECORDID"] == "I-10" and invoice["TOTALENTERED"] == "12.25"
    lines = emulator_records(emulator, company, "ARINVOICEITEM")
    assert [(line["AMOUNT"], line["ENTRYDESCRIPTION"]) for line in lines] == [
        ("7.25", "a"),
        ("5.00", ""),
    ]
    # the line of header 99 waits in the pending file for its header
    assert dict(target.report.counts["ar_invoices"]) == {"created": 1}
    assert dict(target.report.counts["ar_invoice_lines"]) == {
        "skipped": 1,
        "rejected": 1,
        "pending": 1,
    }
    [reject] = read_jsonl(config["reject_file"])
    assert reject["key"] == {"RECORDNO": 4} and reject["field"] == "RECORDKEY"
