"""Invoice and order headers and their lines in different runs: headers whose lines come later,
lines before their headers, documents cut by a stopped source, and what waits too long rejected.

Pending records are kept in the pending file between runs; without one they are rejected.
"""

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
from target_resilience_support import (
    CUSTOMER,
    ORDER,
    SALES_ACCOUNT,
    SAW,
    invoice_header,
    invoice_lines,
    invoice_messages,
    state_lines,
)

# --- headers whose lines come in a later run --------------------------------------------------


def test_headers_without_lines_wait_for_a_later_run(emulator, company, config, capsys):
    config["defaults"] = {"item_gl_account": "4000"}
    late = invoice_header(500, "INV-LATE")
    ready = invoice_header(501, "INV-READY", "2026-10-02")
    first_run = [
        *SALES_ACCOUNT,
        *CUSTOMER,
        *invoice_messages([late, ready]),
        *invoice_lines(501, "20.00"),
        {"type": "STATE", "value": {"bookmarks": {"ar_invoices": {"n": 1}}}},
    ]
    target = run_target(config, first_run)
    assert state_lines(capsys.readouterr().out) == [{"bookmarks": {"ar_invoices": {"n": 1}}}]
    assert [r["RECORDID"] for r in stored(emulator, company, "ARINVOICE")] == ["INV-READY"]
    assert read_jsonl(config["reject_file"]) == []
    assert summary(target, "ar_invoices") == {"created": 1, "pending": 1}
    pending = json.loads(Path(config["pending_file"]).read_text())
    [kept] = pending["streams"]["ar_invoices"]["waiting"]
    assert (kept["record"]["RECORDID"], kept["runs"]) == ("INV-LATE", 1)

    # the next run brings only the lines (the header's bookmark has moved past it)
    second_run = [
        *invoice_lines(500, "1.25", "2.50"),
        {"type": "STATE", "value": {"bookmarks": {"ar_invoice_lines": {"n": 2}}}},
    ]
    target = run_target(config, second_run)
    invoices = {r["RECORDID"]: r for r in stored(emulator, company, "ARINVOICE")}
    assert set(invoices) == {"INV-READY", "INV-LATE"}
    assert Decimal(invoices["INV-LATE"]["TOTALENTERED"]) == Decimal("3.75")
    assert invoices["INV-LATE"]["WHENCREATED"] == "10/01/2026"
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()
    assert state_lines(capsys.readouterr().out) == [{"bookmarks": {"ar_invoice_lines": {"n": 2}}}]


def test_header_that_changed_alone_updates_the_existing_invoice(emulator, company, config):
    """A paid or re-described invoice comes without lines (they did not change): Intacct holds
    it already, so its header is updated and its lines stay as they are."""
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(950, "INV-H", "2026-10-05")
    run_target(
        config,
        [
            *SALES_ACCOUNT,
            *CUSTOMER,
            *invoice_messages([dict(header, DESCRIPTION="first")]),
            *invoice_lines(950, "4.00", "6.00"),
        ],
    )
    lines_before = stored(emulator, company, "ARINVOICEITEM")
    target = run_target(config, invoice_messages([dict(header, DESCRIPTION="second")]))
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert invoice["DESCRIPTION"] == "second"
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("10.00")
    assert stored(emulator, company, "ARINVOICEITEM") == lines_before
    assert summary(target, "ar_invoices") == {"updated": 1}
    assert not Path(config["pending_file"]).exists()


def test_sales_order_that_changed_alone_keeps_its_lines(emulator, company, config):
    master = [*CUSTOMER, *SAW]
    order = dict(ORDER, RECORDNO=960, MESSAGE="first")
    run_target(config, [*master, *stream_messages("sales_orders", [order])])

    def entries() -> list[tuple[str, ...]]:
        rows = stored(emulator, company, "SODOCUMENTENTRY")
        return [(r["LINE_NO"], r["ITEMID"], r["QUANTITY"], r["PRICE"], r["TOTAL"]) for r in rows]

    entries_before = entries()
    assert entries_before == [("1", "SAW", "2", "10.00", "20.00")]
    header_only = {k: v for k, v in order.items() if k != "SODOCUMENTENTRIES"}
    target = run_target(
        config, stream_messages("sales_orders", [dict(header_only, MESSAGE="second")])
    )
    [document] = stored(emulator, company, "SODOCUMENT")
    assert document["MESSAGE"] == "second"
    assert entries() == entries_before
    assert summary(target, "sales_orders") == {"updated": 1}


def test_newer_header_replaces_the_pending_one(emulator, company, config):
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(600, "INV-V")
    run_target(
        config,
        [
            *SALES_ACCOUNT,
            *CUSTOMER,
            *invoice_messages([dict(header, DESCRIPTION="first version")]),
        ],
    )
    assert Path(config["pending_file"]).exists()
    messages = [*invoice_messages([dict(header, DESCRIPTION="second")]), *invoice_lines(600, "9")]
    target = run_target(config, messages)
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert invoice["DESCRIPTION"] == "second"
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def test_without_pending_file_waiting_headers_are_rejected(emulator, company, config):
    config["pending_file"] = ""
    target = run_target(config, invoice_messages([invoice_header(700, "INV-N")]))
    [reject] = read_jsonl(config["reject_file"])
    assert reject["field"] == "ARINVOICEITEMS" and "pending_file" in reject["message"]
    assert summary(target, "ar_invoices") == {"rejected": 1}


def test_lines_before_their_headers_wait_for_a_later_run(emulator, company, config):
    """tap-intacct reads `ar_invoice_lines` before `ar_invoices` (streams go in name order): a
    run that ends between the two has the lines only, and STATE moves past them."""
    config["defaults"] = {"item_gl_account": "4000"}
    first_run = [
        *SALES_ACCOUNT,
        *CUSTOMER,
        *invoice_lines(800, "4.00", "6.00"),
    ]
    target = run_target(config, first_run)
    assert summary(target, "ar_invoice_lines") == {"pending": 2}
    assert stored(emulator, company, "ARINVOICE") == []
    target = run_target(config, invoice_messages([invoice_header(800, "INV-L", "2026-10-03")]))
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert invoice["RECORDID"] == "INV-L"
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("10.00")
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def state(n: int) -> dict:
    return {"type": "STATE", "value": {"bookmarks": {"ar_invoice_lines": {"n": n}}}}


def test_a_source_stopped_mid_document_never_writes_part_of_its_lines(emulator, company, config):
    """A tap killed mid-page leaves lines after its last STATE: the document may be missing
    lines that the next run sends (from the bookmark before them). The header waits."""
    config["defaults"] = {"item_gl_account": "4000"}
    header = invoice_header(970, "INV-CUT")
    first_run = [
        *SALES_ACCOUNT, *CUSTOMER, *invoice_messages([header]), state(1),
        *invoice_lines(970, "1.00"),  # line 2 never came: the tap was killed here
    ]  # fmt: skip
    target = run_target(config, first_run)
    assert stored(emulator, company, "ARINVOICE") == []
    assert read_jsonl(config["reject_file"]) == []
    assert summary(target, "ar_invoices") == {"pending": 1}
    second_run = [*invoice_lines(970, "1.00", "2.00"), state(2)]  # resumed from the bookmark
    target = run_target(config, second_run)
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("3.00")
    assert len(stored(emulator, company, "ARINVOICEITEM")) == 2
    assert summary(target, "ar_invoices") == {"created": 1}
    assert not Path(config["pending_file"]).exists()


def test_lines_of_one_document_across_a_stop_are_joined(emulator, company, config):
    """The first line's page was confirmed by a STATE, the second line's was not: the next run
    sends only the second line again, and the document gets both."""
    config["defaults"] = {"item_gl_account": "4000"}
    first, second = invoice_lines(980, "4.00", "6.00")[1:]
    first_run = [
        *SALES_ACCOUNT, *CUSTOMER, *invoice_messages([invoice_header(980, "INV-SPLIT")]),
        *invoice_lines(980)[:1], first, state(1), second,
    ]  # fmt: skip
    run_target(config, first_run)
    assert stored(emulator, company, "ARINVOICE") == []
    target = run_target(config, [*invoice_lines(980)[:1], second, state(2)])
    [invoice] = stored(emulator, company, "ARINVOICE")
    assert Decimal(invoice["TOTALENTERED"]) == Decimal("10.00")
    amounts = [Decimal(line["AMOUNT"]) for line in stored(emulator, company, "ARINVOICEITEM")]
    assert amounts == [Decimal("4.00"), Decimal("6.00")]
    assert summary(target, "ar_invoices") == {"created": 1}


def test_lines_whose_header_never_comes_are_rejected_after_pending_max_runs(
    emulator, company, config
):
    config["pending_max_runs"] = 2
    for run, messages in enumerate([invoice_lines(900, "1.00", "2.00"), [], []], start=1):
        target = run_target(config, messages)
        rejects = read_jsonl(config["reject_file"])
        if run <= 2:
            assert rejects == [] and summary(target, "ar_invoice_lines") == {"pending": 2}, run
            kept = json.loads(Path(config["pending_file"]).read_text())["lines"]["ar_invoices"]
            assert (kept["900"]["stream"], kept["900"]["runs"]) == ("ar_invoice_lines", run)
    assert [(r["stream"], r["key"], r["field"]) for r in rejects] == [
        ("ar_invoice_lines", {"RECORDNO": 9001}, "RECORDKEY"),
        ("ar_invoice_lines", {"RECORDNO": 9002}, "RECORDKEY"),
    ]
    assert "header RECORDNO 900 did not come in 2 runs" in rejects[0]["message"]
    assert rejects[0]["record"]["AMOUNT"] == "1.00"
    assert summary(target, "ar_invoice_lines") == {"rejected": 2}
    assert not Path(config["pending_file"]).exists()


def test_header_whose_lines_never_come_is_rejected_after_pending_max_runs(
    emulator, company, config
):
    config["pending_max_runs"] = 1
    first_run = [*CUSTOMER, *invoice_messages([invoice_header(910, "INV-NL", "2026-10-04")])]
    target = run_target(config, first_run)
    assert summary(target, "ar_invoices") == {"pending": 1}
    assert read_jsonl(config["reject_file"]) == []
    target = run_target(config, [])
    [reject] = read_jsonl(config["reject_file"])
    assert (reject["stream"], reject["key"], reject["field"]) == (
        "ar_invoices",
        {"RECORDNO": 910},
        "ARINVOICEITEMS",
    )
    assert "no lines came for this header in 1 runs" in reject["message"]
    assert "pending_max_runs (1)" in reject["message"]
    assert summary(target, "ar_invoices") == {"rejected": 1}
    assert not Path(config["pending_file"]).exists()
    assert stored(emulator, company, "ARINVOICE") == []


def test_without_pending_file_lines_without_header_are_rejected(emulator, company, config):
    config["pending_file"] = ""
    target = run_target(config, invoice_lines(920, "3.00"))
    [reject] = read_jsonl(config["reject_file"])
    assert reject["key"] == {"RECORDNO": 9201} and reject["field"] == "RECORDKEY"
    assert "header RECORDNO 920 did not come; set pending_file" in reject["message"]
    assert summary(target, "ar_invoice_lines") == {"rejected": 1}
