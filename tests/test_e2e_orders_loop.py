"""The loop through `meltano run`: Magento web orders → Intacct sales orders → (converted in
Intacct) sales invoices → Magento invoices on those orders; bad orders go to the reject or
pending file with the field named while the rest lands, and second passes create nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import local_stack
from connector_emulators import demo_data
from connector_runtime.progress import read_table

ORDERS_JOB = "magento-orders-to-intacct"
INVOICES_JOB = "intacct-to-magento"
WEB = {web.increment_id: web for web in demo_data.WEB_ORDERS}
WRITTEN = sorted(i for i, web in WEB.items() if not web.cancelled)
BAD = {
    "000000301": ("unknown@example.com", "NO-SUCH-SKU", "USD"),
    "000000302": ("", "HAMMER-1", "USD"),
    "000000303": ("yen@example.jp", "HAMMER-1", "JPY"),
}


def documents(intacct: local_stack.Emulator, docparid: str) -> dict[str, dict]:
    rows = intacct.get_json("/_emulator/records/demo/SODOCUMENT")["records"]
    return {row["DOCID"]: row for row in rows if row["DOCPARID"] == docparid}


def magento_invoices(magento: local_stack.Emulator) -> dict[str, list[dict[str, Decimal]]]:
    """Increment id → each invoice's SKU → quantity."""
    dump = magento.get_json("/_emulator/dump")
    increments = {o["entity_id"]: o["increment_id"] for o in dump["orders"]}
    found: dict[str, list[dict[str, Decimal]]] = {}
    for invoice in dump["invoices"]:
        lines = {i["sku"]: Decimal(str(i["qty"])) for i in invoice["items"] if i["qty"]}
        found.setdefault(increments[invoice["order_id"]], []).append(lines)
    return found


def test_web_orders_reach_intacct_and_come_back_as_magento_invoices(
    project: local_stack.MeltanoProject,
    intacct: local_stack.Emulator,
    magento: local_stack.Emulator,
) -> None:
    for increment_id, (email, sku, currency) in BAD.items():
        magento.post_json("/_emulator/orders", {
            "increment_id": increment_id, "customer_email": email, "currency": currency,
            "items": [{"sku": sku, "qty": 1, "price": "9.99"}],
        })  # fmt: skip
    held = documents(intacct, "Sales Order")

    first = project.run(ORDERS_JOB)
    assert first.record_counts() == {"orders": len(demo_data.SALES_ORDERS) - 1 + len(WEB) + 3}
    orders = {row["PONUMBER"]: row for row in documents(intacct, "Sales Order").values()}
    new = {po: row for po, row in orders.items() if row["DOCID"] not in held}
    assert sorted(new) == WRITTEN  # each web order once; the canceled one and the bad ones not
    for increment_id in WRITTEN:
        lines = [
            row for row in intacct.get_json("/_emulator/records/demo/SODOCUMENTENTRY")["records"]
            if row["DOCHDRID"] == new[increment_id]["DOCID"]
        ]  # fmt: skip
        assert sorted((r["ITEMID"], Decimal(r["QUANTITY"])) for r in lines) == sorted(
            (line.item_id, line.quantity) for line in WEB[increment_id].lines
        )
        assert new[increment_id]["CURRENCY"] == WEB[increment_id].currency
    rejects = {
        r["key"]["increment_id"]: r
        for r in local_stack.read_jsonl(Path(project.env["TARGET_INTACCT_REJECT_FILE"]))
    }
    assert {k: r["field"] for k, r in rejects.items()} == {
        "000000302": "customer_email",
        "000000303": "order_currency_code",
    }
    pending = local_stack.read_json(Path(project.env["TARGET_INTACCT_PENDING_FILE"]))
    (waiting,) = pending["streams"]["orders"]["refused"]
    assert waiting["record"]["increment_id"] == "000000301"
    assert waiting["reason"].startswith("items[0].sku: Intacct has no item 'NO-SUCH-SKU'")

    # An accountant converts each new sales order into a sales invoice in Intacct.
    converted = {
        po: intacct.post_json("/_emulator/convert/demo", {"docid": row["DOCID"]})["DOCID"]
        for po, row in new.items()
    }
    before = magento_invoices(magento)
    project.run(INVOICES_JOB)
    after = magento_invoices(magento)
    for increment_id in WRITTEN:
        wanted = {line.item_id: line.quantity for line in WEB[increment_id].lines}
        assert after[increment_id][len(before.get(increment_id, [])) :] == [wanted], increment_id
    invoices = documents(intacct, "Sales Invoice")
    assert all(invoices[docid]["PONUMBER"] == po for po, docid in converted.items())

    # Second passes move nothing: no sales order, no customer, no Magento invoice more.
    customers = intacct.get_json("/_emulator/records/demo/CUSTOMER")["count"]
    again = project.run(ORDERS_JOB)
    assert documents(intacct, "Sales Order").keys() == {r["DOCID"] for r in orders.values()}
    assert intacct.get_json("/_emulator/records/demo/CUSTOMER")["count"] == customers
    project.run(INVOICES_JOB)
    assert magento_invoices(magento) == after
    messages = [
        str(e.get("event", "")) for e in again.events() if e.get("name") == "target-intacct"
    ]
    orders = read_table(messages, "Summary:")["orders"]
    assert (orders["created"], orders["updated"]) == ("0", "0")
