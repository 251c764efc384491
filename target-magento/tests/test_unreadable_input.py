"""Input lines that are not readable Singer messages, through the `target-magento` command: each
is rejected with its line number and reason, and the records around it are written."""

from __future__ import annotations

import json
import subprocess
import sys

from magento_api import encode_json
from target_magento_support import (
    customer_records,
    invoice_records,
    stream_messages,
    summary_table,
)


def run_command(harness, stdin: bytes) -> str:
    config_path = harness.folder / "config.json"
    config_path.write_text(json.dumps(harness.config()))
    done = subprocess.run(
        [sys.executable, "-m", "target_magento.target", "--config", str(config_path)],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    logs = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0, logs[-3000:]
    return logs


def lines(messages: list[dict]) -> list[bytes]:
    return [encode_json(message) + b"\n" for message in messages]


def test_bad_lines_are_rejected_by_number_and_the_rest_is_written(harness):
    first, second = customer_records()[:2]
    schema, before, after = lines(stream_messages("customers", [first, second]))
    surrogate = before.replace(first["NAME"].encode(), rb"x\ud800y").replace(
        first["CUSTOMERID"].encode(), b"C-SURROGATE"
    )
    latin1 = before.replace(first["CUSTOMERID"].encode(), "C-MÜLLER".encode("latin-1"))
    stdin = b"".join(
        [schema, before, surrogate, latin1, before[:40] + b"\n", b'"just text"\n', after]
    )
    logs = run_command(harness, stdin)

    emails = {c["email"] for c in harness.table("customers")}
    assert {first["DISPLAYCONTACT.EMAIL1"], second["DISPLAYCONTACT.EMAIL1"]} <= emails
    rejects = {r["line"]: r for r in harness.rejects()}
    assert sorted(rejects) == [3, 4, 5, 6]
    assert (rejects[3]["stream"], rejects[3]["key"], rejects[3]["field"]) == (
        "customers",
        "C-SURROGATE",
        "NAME",
    )
    assert rejects[3]["reason"] == "input line 3: NAME holds a lone surrogate escape"
    assert rejects[3]["record"]["NAME"] == "x\\ud800y"
    assert rejects[4]["field"] == "CUSTOMERID"
    assert rejects[4]["reason"] == "input line 4: CUSTOMERID holds text that is not valid UTF-8"
    assert rejects[5]["reason"] == "input line 5: ends before its JSON does (a truncated line)"
    assert (rejects[5]["stream"], rejects[5]["key"]) == ("(input)", "line 5")
    assert rejects[5]["text"] == before[:40].decode()
    assert rejects[6]["reason"] == "input line 6: is not a JSON object (a Singer message is one)"
    assert "Rejected customers C-SURROGATE: input line 3: NAME holds" in logs
    summary, carried = summary_table(logs)
    assert (summary["customers"]["created"], summary["customers"]["rejected"]) == (2, 2)
    assert not carried
    assert "Traceback" not in logs


def test_an_unreadable_invoice_line_holds_its_invoice(harness):
    headers, invoice_lines = invoice_records()
    header = headers[0]
    own = [line for line in invoice_lines if line["DOCHDRNO"] == header["RECORDNO"]]
    line_messages = lines(stream_messages("sales_invoice_lines", own))
    broken = line_messages[2].replace(b'"ITEMID":"', b'"ITEMID":"\\udfff')
    assert broken != line_messages[2]
    before = len(harness.table("invoices"))
    stdin = b"".join(
        [*lines(stream_messages("sales_invoices", [header])), line_messages[0], line_messages[1],
         broken, *line_messages[3:]]
    )  # fmt: skip
    run_command(harness, stdin)
    (reject,) = harness.rejects()
    assert (reject["line"], reject["field"]) == (5, "ITEMID")
    assert len(harness.table("invoices")) == before  # never a partial invoice
    (entry,) = harness.pending()["invoices"].values()
    assert "input line 5" in next(iter(entry["invalid_lines"].values()))
