"""A record written, deleted in Intacct since, then its original input replayed: written again.

Through the `target-intacct` command over XML and REST. One customer is deleted by a later run
(`delete_behavior: delete`), the other directly in Intacct by another client; replaying the
input that first created them must create them again, map their real RECORDNOs and count them
as created, never take an earlier attempt's "already executed" for the record being there.
"""

from __future__ import annotations

import pytest
from connector_runtime.progress import read_table
from intacct_api import functions
from intacct_api.client import Credentials, IntacctClient
from target_intacct_helpers import (
    SENDER_ID,
    SENDER_PASSWORD,
    USER_ID,
    USER_PASSWORD,
    config_over,
    mapped,
    read_jsonl,
    record_nos,
    stream_messages,
)
from test_secrets_and_cli import run_cli

CUSTOMERS = [
    {"CUSTOMERID": "D-1", "NAME": "Deleted by a later run",
     "WHENMODIFIED": "2026-10-01T10:00:00+00:00"},
    {"CUSTOMERID": "D-2", "NAME": "Deleted in Intacct",
     "WHENMODIFIED": "2026-10-01T10:00:00+00:00"},
]  # fmt: skip


def delete_in_intacct(emulator, company: str, record_no: str) -> None:
    """Another client of the company deletes the record (not the target)."""
    credentials = Credentials(SENDER_ID, SENDER_PASSWORD, company, USER_ID, USER_PASSWORD)
    client = IntacctClient(credentials, api_url=emulator.url)
    try:
        client.call(functions.delete("CUSTOMER", record_no))
    finally:
        client.close()


@pytest.mark.parametrize("transport", ["xml", "rest"])
def test_a_record_deleted_since_is_created_again_when_its_input_is_replayed(
    emulator, company, tmp_path, transport
):
    config = config_over(transport, emulator, company, tmp_path)
    original = stream_messages("customers", CUSTOMERS, ["CUSTOMERID"])
    first = run_cli(config, original, tmp_path, debug=False)
    assert first.returncode == 0, first.stderr[-3000:]
    created = record_nos(emulator, company)
    assert sorted(created) == ["D-1", "D-2"]

    deleting = {**config, "streams": {"customers": {"delete_behavior": "delete"}}}
    gone = [{**CUSTOMERS[0], "_sdc_deleted_at": "2026-10-02T10:00:00+00:00"}]
    run = run_cli(deleting, stream_messages("customers", gone, ["CUSTOMERID"]), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    delete_in_intacct(emulator, company, created["D-2"])
    assert record_nos(emulator, company) == {}

    replay = run_cli(config, original, tmp_path, debug=False)
    assert replay.returncode == 0, replay.stderr[-3000:]
    again = record_nos(emulator, company)
    assert sorted(again) == ["D-1", "D-2"]  # in Intacct again, once each
    assert set(again.values()).isdisjoint(created.values())  # new records, new RECORDNOs
    assert mapped(tmp_path / "ids.jsonl") == again
    assert read_table(replay.stderr.splitlines(), "Summary:")["customers"]["created"] == "2"
    assert read_jsonl(tmp_path / "rejects.jsonl") == []
