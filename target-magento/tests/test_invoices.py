"""Sales invoices → Magento invoices, over real HTTP against the emulator."""

from __future__ import annotations

from decimal import Decimal

from target_magento.invoices import comment_for
from target_magento_support import carried, invoice_records, stream_messages, summary


def invoice_messages(*, lines_first: bool = False) -> list[dict]:
    headers, lines = invoice_records()
    parts = [
        stream_messages("sales_invoices", headers),
        stream_messages("sales_invoice_lines", lines),
    ]
    if lines_first:
        parts.reverse()
    return [message for part in parts for message in part]


def invoiced(harness, increment_id: str) -> dict[str, Decimal]:
    """SKU → invoiced quantity of one order, as Magento reports it."""
    order = harness.order(increment_id)
    return {
        item["sku"]: Decimal(str(item.get("qty_invoiced") or 0))
        for item in order["items"]
        if not item.get("parent_item_id")
    }


def test_invoices_created_only_for_orders_in_magento(harness):
    before = len(harness.table("invoices"))
    target, _ = harness.run(invoice_messages(lines_first=True))
    counts = summary(target)["sales_invoices"]
    assert counts["created"] == 3
    assert counts["skipped"] == 1
    # One order search and one invoice search for the four documents, then one POST each.
    assert harness.request_count("GET", r"^/V1/orders$") == 1
    assert harness.request_count("GET", r"^/V1/invoices$") == 1
    assert harness.request_count("POST", r"^/V1/order/:orderId/invoice$") == 3
    assert len(harness.table("invoices")) == before + 3
    assert invoiced(harness, "000000101") == {"SCREW-100": 10, "DRILL-18V": 1}
    assert invoiced(harness, "000000102") == {"SAW-CIRC": 1}  # a partial invoice
    assert invoiced(harness, "000000105") == {"HAMMER-1": 4, "HAMMER-2": 2}
    comments = harness.invoice_comments("000000101")
    assert comment_for("Sales Invoice-INV-0001") in comments
    pending = harness.pending()["invoices"]
    assert [entry["header"]["DOCID"] for entry in pending.values()] == ["Sales Invoice-INV-0003"]
    assert "000000104" in next(iter(pending.values()))["reason"]
    ids = harness.id_map()["invoices"]
    assert set(ids) == {
        "Sales Invoice-INV-0001",
        "Sales Invoice-INV-0002",
        "Sales Invoice-INV-0004",
    }


def test_never_invoiced_twice(harness, tmp_path):
    harness.run(invoice_messages())
    count = len(harness.table("invoices"))
    target, _ = harness.run(invoice_messages())
    assert summary(target)["sales_invoices"]["created"] == 0
    assert len(harness.table("invoices")) == count

    # Even without the ID map, the DOCID in the invoice comment finds the earlier invoice.
    (tmp_path / "id-map.json").unlink()
    target, _ = harness.run(invoice_messages())
    counts = summary(target)["sales_invoices"]
    assert counts["created"] == 0
    assert counts["unchanged"] == 3
    assert len(harness.table("invoices")) == count
    assert invoiced(harness, "000000102") == {"SAW-CIRC": 1}


def test_pending_invoice_is_created_once_the_order_exists(harness):
    harness.run(invoice_messages())
    assert len(harness.pending()["invoices"]) == 1
    target, _ = harness.run([])  # nothing new: the pending invoice is retried, still no order
    assert summary(target) == {}  # no input; the retried invoice is counted apart
    assert carried(target)["sales_invoices"]["skipped"] == 1

    harness.add_order(
        "000000104",
        "accounts@obrien.example",
        [{"sku": "ANCHOR-8", "qty": 20, "price": 4.25, "name": "Wall anchor 8mm & screw set"}],
    )
    count = len(harness.table("invoices"))
    target, _ = harness.run([])
    assert carried(target)["sales_invoices"]["created"] == 1
    assert len(harness.table("invoices")) == count + 1
    assert invoiced(harness, "000000104") == {"ANCHOR-8": 20}
    assert harness.pending()["invoices"] == {}
    target, _ = harness.run([])
    assert "sales_invoices" not in summary(target)
    assert "sales_invoices" not in carried(target)


def test_line_mismatches_are_rejected_and_quantities_capped(harness):
    headers, lines = invoice_records()
    saw = next(h for h in headers if h["PONUMBER"] == "000000102")
    saw_lines = [
        dict(line, QUANTITY=Decimal(5)) for line in lines if line["DOCHDRNO"] == saw["RECORDNO"]
    ]
    wrong = dict(
        next(h for h in headers if h["PONUMBER"] == "000000101"),
        DOCID="Sales Invoice-INV-0099",
        RECORDNO=199,
    )
    wrong_line = {
        "RECORDNO": 1999,
        "DOCHDRNO": 199,
        "DOCHDRID": "Sales Invoice-INV-0099",
        "LINE_NO": 1,
        "ITEMID": "GNOME-1",
        "QUANTITY": Decimal(1),
        "PRICE": Decimal(15),
    }
    no_reference = dict(headers[3], DOCID="Sales Invoice-INV-0098", RECORDNO=198, PONUMBER=None)
    messages = [
        *stream_messages("sales_invoices", [saw, wrong, no_reference]),
        *stream_messages("sales_invoice_lines", [*saw_lines, wrong_line]),
    ]
    target, _ = harness.run(messages)
    counts = summary(target)["sales_invoices"]
    assert counts["created"] == 1
    assert counts["rejected"] == 2
    assert invoiced(harness, "000000102") == {"SAW-CIRC": 2}  # 5 asked, 2 left: capped
    assert invoiced(harness, "000000101") == {"SCREW-100": 0, "DRILL-18V": 0}
    rejects = {r["key"]: r for r in harness.rejects()}
    assert rejects["Sales Invoice-INV-0099"]["field"] == "ITEMID"
    assert "GNOME-1" in rejects["Sales Invoice-INV-0099"]["reason"]
    assert rejects["Sales Invoice-INV-0098"]["field"] == "PONUMBER"


def test_configurable_reference_field_and_stream_names(harness):
    headers, lines = invoice_records()
    for header in headers:
        header["CUSTOMERPO"], header["PONUMBER"] = header["PONUMBER"], None
    messages = [
        *stream_messages("so_headers", headers),
        *stream_messages("so_lines", lines),
        *stream_messages("unrelated_stream", [{"RECORDNO": 1, "X": "y"}]),
    ]
    target, _ = harness.run(
        messages,
        order_reference_field="CUSTOMERPO",
        stream_names={"sales_invoices": "so_headers", "sales_invoice_lines": "so_lines"},
    )
    assert summary(target)["so_headers"]["created"] == 3
    assert "unrelated_stream" not in summary(target)


def test_header_and_lines_in_different_runs_are_joined(harness):
    headers, lines = invoice_records()
    first = headers[0]
    own_lines = [line for line in lines if line["DOCHDRNO"] == first["RECORDNO"]]
    target, _ = harness.run(stream_messages("sales_invoices", [first]))
    assert summary(target)["sales_invoices"]["skipped"] == 1
    assert (
        harness.pending()["invoices"][str(first["RECORDNO"])]["reason"] == "no lines received yet"
    )

    target, _ = harness.run(stream_messages("sales_invoice_lines", own_lines))
    assert summary(target)["sales_invoice_lines"]["created"] == len(own_lines)
    assert carried(target)["sales_invoices"]["created"] == 1  # the header of the first run
    assert invoiced(harness, "000000101") == {"SCREW-100": 10, "DRILL-18V": 1}
    assert harness.pending()["invoices"] == {}


def test_an_order_on_hold_keeps_its_invoice_pending(harness):
    order = harness.order("000000101")
    harness.magento.admin(
        "POST", f"/_emulator/orders/{order['entity_id']}/state", {"state": "holded"}
    )
    headers, lines = invoice_records()
    messages = [
        *stream_messages("sales_invoices", headers[:1]),
        *stream_messages("sales_invoice_lines", [x for x in lines if x["DOCHDRNO"] == 101]),
    ]
    target, _ = harness.run(messages)
    assert summary(target)["sales_invoices"]["skipped"] == 1
    assert "holded" in harness.pending()["invoices"]["101"]["reason"]
    harness.magento.admin(
        "POST", f"/_emulator/orders/{order['entity_id']}/state", {"state": "processing"}
    )
    target, _ = harness.run([])
    assert carried(target)["sales_invoices"]["created"] == 1
    assert harness.pending()["invoices"] == {}
