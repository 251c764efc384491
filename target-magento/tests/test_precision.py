"""Quantities finer than Magento keeps, through the `target-magento` command: the invoice is
rejected naming QUANTITY, where Magento would have rounded it (the emulator shows it would)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

from magento_api import encode_json
from target_magento_support import WHEN, stream_messages

ROPE = {"sku": "ROPE-M", "qty": 5, "price": 2, "name": "Rope by the metre", "is_qty_decimal": 1}
SAW = {"sku": "SAW-X", "qty": 3, "price": 10, "name": "Saw"}


def invoice(number: int, order: str, *lines: tuple[str, str]) -> tuple[dict, list[dict]]:
    docid = f"Sales Invoice-INV-P{number}"
    header = {
        "RECORDNO": number, "DOCID": docid, "DOCNO": f"INV-P{number}", "DOCPARID": "Sales Invoice",
        "PONUMBER": order, "CUSTVENDID": "C-PRECISE", "WHENCREATED": WHEN, "STATE": "Pending",
    }  # fmt: skip
    rows = [
        {"RECORDNO": number * 10 + n, "DOCHDRNO": number, "DOCHDRID": docid, "LINE_NO": n,
         "ITEMID": sku, "QUANTITY": Decimal(quantity), "PRICE": Decimal(1)}
        for n, (sku, quantity) in enumerate(lines, start=1)
    ]  # fmt: skip
    return header, rows


def order_items(harness, increment_id: str) -> dict[str, dict]:
    return {item["sku"]: item for item in harness.order(increment_id)["items"]}


def test_magento_would_round_quantities_so_finer_ones_are_rejected(harness):
    for increment_id in ("P-201", "P-202", "P-203", "P-204"):
        harness.add_order(increment_id, "precise@example.com", [ROPE, SAW])
    # What Magento does with such quantities: 4 places for a decimal item, whole units else.
    items = order_items(harness, "P-204")
    body = {"items": [{"order_item_id": items["ROPE-M"]["item_id"], "qty": 1.12345},
                      {"order_item_id": items["SAW-X"]["item_id"], "qty": 1.5}]}  # fmt: skip
    entity_id = harness.order("P-204")["entity_id"]
    harness.client().request("POST", f"V1/order/{entity_id}/invoice", body=body)
    items = order_items(harness, "P-204")
    assert (items["ROPE-M"]["qty_invoiced"], items["SAW-X"]["qty_invoiced"]) == (1.1235, 1)

    too_fine = invoice(201, "P-201", ("ROPE-M", "1.12345"), ("SAW-X", "1"))
    not_whole = invoice(202, "P-202", ("ROPE-M", "1"), ("SAW-X", "1.5"))
    fits = invoice(203, "P-203", ("ROPE-M", "1.1235"), ("SAW-X", "2.000"))
    headers = [too_fine[0], not_whole[0], fits[0]]
    lines = [*too_fine[1], *not_whole[1], *fits[1]]
    messages = [*stream_messages("sales_invoices", headers),
                *stream_messages("sales_invoice_lines", lines)]  # fmt: skip
    config_path = harness.folder / "config.json"
    config_path.write_text(json.dumps(harness.config()))
    done = subprocess.run(
        [sys.executable, "-m", "target_magento.target", "--config", str(config_path)],
        input=b"".join(encode_json(m) + b"\n" for m in messages),
        capture_output=True,
        timeout=120,
        check=False,
    )
    logs = done.stderr.decode()
    assert done.returncode == 0, logs[-3000:]

    rejects = {r["key"]: r for r in harness.rejects()}
    assert set(rejects) == {"Sales Invoice-INV-P201", "Sales Invoice-INV-P202"}
    assert rejects["Sales Invoice-INV-P201"]["field"] == "QUANTITY"
    assert rejects["Sales Invoice-INV-P201"]["reason"] == (
        "Line 1 (ROPE-M): QUANTITY has 5 decimal places; Magento keeps 4 for an invoiced "
        "quantity and would round it"
    )
    assert rejects["Sales Invoice-INV-P202"]["field"] == "QUANTITY"
    assert (
        "Line 2 (SAW-X): QUANTITY is not a whole number"
        in (rejects["Sales Invoice-INV-P202"]["reason"])
    )
    assert "Rejected sales_invoices Sales Invoice-INV-P201: Line 1 (ROPE-M)" in logs
    assert {sku: i["qty_invoiced"] for sku, i in order_items(harness, "P-201").items()} == {
        "ROPE-M": 0,
        "SAW-X": 0,
    }
    assert order_items(harness, "P-202")["SAW-X"]["qty_invoiced"] == 0
    items = order_items(harness, "P-203")
    assert (items["ROPE-M"]["qty_invoiced"], items["SAW-X"]["qty_invoiced"]) == (1.1235, 2)


def test_magento_would_round_prices_and_weights_so_finer_ones_are_rejected(harness):
    # What Magento does with them: decimal attributes keep 6 places.
    harness.create_product("P-SHOWN", "Shown", "p-shown")
    body = {"product": {"sku": "P-SHOWN", "price": 12.1234567, "weight": 0.0000004}}
    harness.client().request("PUT", "V1/products/P-SHOWN", store="all", body=body)
    shown = next(p for p in harness.table("products") if p["sku"] == "P-SHOWN")
    assert (shown["price"], shown["weight"]) == (12.123457, 0)

    item = {"ITEMTYPE": "Inventory", "STATUS": "active", "WHENMODIFIED": WHEN}
    records = [
        {**item, "RECORDNO": 1, "ITEMID": "P-PRICE", "NAME": "Fine price",
         "BASEPRICE": Decimal("12.1234567"), "SHIP_WEIGHT": Decimal("1")},
        {**item, "RECORDNO": 2, "ITEMID": "P-WEIGHT", "NAME": "Fine weight",
         "BASEPRICE": Decimal("3"), "SHIP_WEIGHT": Decimal("0.0000004")},
        {**item, "RECORDNO": 3, "ITEMID": "P-FITS", "NAME": "Fits",
         "BASEPRICE": Decimal("9.123456"), "SHIP_WEIGHT": Decimal("2.500000")},
    ]  # fmt: skip
    config_path = harness.folder / "config.json"
    config_path.write_text(json.dumps(harness.config()))
    done = subprocess.run(
        [sys.executable, "-m", "target_magento.target", "--config", str(config_path)],
        input=b"".join(encode_json(m) + b"\n" for m in stream_messages("items", records)),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    rejects = {r["key"]: r for r in harness.rejects()}
    assert set(rejects) == {"P-PRICE", "P-WEIGHT"}
    assert (rejects["P-PRICE"]["field"], rejects["P-PRICE"]["reason"]) == (
        "BASEPRICE",
        "BASEPRICE has 7 decimal places; Magento keeps 6 for a price and would round it",
    )
    assert rejects["P-WEIGHT"]["field"] == "SHIP_WEIGHT"
    products = {p["sku"]: p for p in harness.table("products")}
    assert "P-PRICE" not in products and "P-WEIGHT" not in products
    assert (products["P-FITS"]["price"], products["P-FITS"]["weight"]) == (9.123456, 2.5)
