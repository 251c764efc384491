"""Magento web orders (read by tap-magento from the Magento emulator) → Intacct sales orders."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import simplejson
from connector_emulators import demo_data
from connector_emulators.intacct.server import serve_in_thread as serve_intacct
from connector_emulators.magento.server import serve_in_thread as serve_magento
from connector_runtime.progress import read_table
from magento_api import AuthSettings, MagentoClient
from tap_magento.tap import TapMagento
from target_intacct_helpers import (
    base_config,
    read_jsonl,
    run_target,
    stored,
    stream_messages,
    summary,
)

WEB = {web.increment_id: web for web in demo_data.WEB_ORDERS}
WRITTEN = sorted(i for i, web in WEB.items() if not web.cancelled)


@pytest.fixture(scope="module")
def emulators():
    with serve_intacct(port=0, seed="demo") as intacct, serve_magento(port=0, seed="demo") as shop:
        yield intacct, shop


@pytest.fixture
def intacct(emulators):
    intacct, shop = emulators
    intacct.admin("POST", "/_emulator/reset", {"seed": "demo"})
    shop.admin("POST", "/_emulator/reset", {"seed": "demo"})
    return intacct


@pytest.fixture
def shop(emulators, intacct):
    return emulators[1]


@pytest.fixture
def config(intacct, tmp_path):
    return base_config(intacct, "demo", tmp_path, web_orders={"currencies": ["USD", "EUR"]})


def orders(shop, **extra):
    """tap-magento's `orders` stream, read from the shop over HTTP, as Singer messages."""
    integration = shop.integration
    tap_config = {"base_url": shop.base_url, "consumer_key": integration.consumer_key,
                  "consumer_secret": integration.consumer_secret,
                  "access_token": integration.access_token,
                  "access_token_secret": integration.access_token_secret, **extra}  # fmt: skip
    output = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(output):
        TapMagento(config=tap_config).sync_all()
    messages = [json.loads(line, parse_float=Decimal)
                for line in output.buffer.getvalue().splitlines()]  # type: ignore[attr-defined]  # fmt: skip
    return [m for m in messages if m.get("stream") == "orders" and m["type"] != "STATE"]


def sales_orders(intacct):
    return {
        row["PONUMBER"]: row
        for row in stored(intacct, "demo", "SODOCUMENT")
        if row["DOCPARID"] == "Sales Order"
    }


def lines_of(intacct, docid):
    return sorted(
        (row["ITEMID"], Decimal(row["QUANTITY"]), Decimal(row["PRICE"]))
        for row in stored(intacct, "demo", "SODOCUMENTENTRY")
        if row["DOCHDRID"] == docid
    )


def place(shop, increment_id, email, *items, currency="USD"):
    return shop.admin("POST", "/_emulator/orders", {
        "increment_id": increment_id, "customer_email": email, "currency": currency,
        "items": [{"sku": sku, "qty": qty, "price": price} for sku, qty, price in items],
    })  # fmt: skip


def test_every_web_order_becomes_one_sales_order(intacct, shop, config):
    before = sales_orders(intacct)
    target = run_target(config, orders(shop))
    after = sales_orders(intacct)
    assert sorted(set(after) - set(before)) == WRITTEN  # the canceled one is not written
    counts = summary(target, "orders")
    assert counts["created"] == len(WRITTEN)
    assert counts["skipped"] == 1
    held = [o for o in demo_data.SALES_ORDERS if o.in_magento]  # Intacct has them already
    assert counts["unchanged"] == len(held)
    customers = {c.customer_id: c for c in demo_data.CUSTOMERS}
    for increment_id in WRITTEN:
        web, document = WEB[increment_id], after[increment_id]
        assert lines_of(intacct, document["DOCID"]) == sorted(
            (line.item_id, line.quantity, line.price) for line in web.lines
        )
        if web.customer_id:
            assert document["CUSTVENDID"] == web.customer_id  # matched by email
        assert document["CURRENCY"] == web.currency
    order = next(m["record"] for m in orders(shop) if m.get("record", {}).get(
        "increment_id") == "000000201")  # fmt: skip
    assert Decimal(after["000000201"]["TOTAL"]) == order["grand_total"]  # with tax and shipping
    assert Decimal(after["000000202"]["TOTAL"]) == Decimal("69.00") - Decimal("6.90") + 5
    guest = after["000000203"]["CUSTVENDID"]
    assert guest.startswith("MAG-G-")
    (created,) = [c for c in stored(intacct, "demo", "CUSTOMER") if c["CUSTOMERID"] == guest]
    assert created["DISPLAYCONTACT.EMAIL1"] == "walk.in@example.net"
    assert created["DISPLAYCONTACT.MAILADDRESS.CITY"] == "Boston"
    assert guest not in customers


def test_a_resent_order_is_written_once(intacct, shop, config):
    messages = orders(shop)
    run_target(config, messages)
    written = sales_orders(intacct)
    again = run_target(config, messages + messages[1:])  # twice in one input, and a second run
    assert sales_orders(intacct) == written
    assert summary(again, "orders").get("created", 0) == 0
    customers = [c["CUSTOMERID"] for c in stored(intacct, "demo", "CUSTOMER")]
    assert len(customers) == len(set(customers))


def test_bad_orders_are_rejected_naming_the_field_and_the_rest_lands(intacct, shop, config):
    place(shop, "000000301", "nobody@example.com", ("NO-SUCH-SKU", 1, "9.99"))
    place(shop, "000000302", "", ("HAMMER-1", 1, "19.95"))
    place(shop, "000000303", "yen@example.jp", ("HAMMER-1", 1, "2900"), currency="JPY")
    target = run_target(config | {"pending_max_runs": 0}, orders(shop))
    rejects = {r["key"]["increment_id"]: r for r in read_jsonl(config["reject_file"])}
    assert set(rejects) == {"000000301", "000000302", "000000303"}
    assert rejects["000000301"]["field"] == "items[0].sku"
    assert "NO-SUCH-SKU" in rejects["000000301"]["message"]
    assert rejects["000000302"]["field"] == "customer_email"
    assert rejects["000000303"]["field"] == "order_currency_code"
    assert "JPY" in rejects["000000303"]["message"]
    assert summary(target, "orders")["created"] == len(WRITTEN)
    assert set(WRITTEN) <= set(sales_orders(intacct))


def test_an_unknown_sku_waits_in_the_pending_file_until_intacct_has_it(intacct, shop, config):
    place(shop, "000000301", "ap@acme.example", ("LEVEL-2M", 2, "24.00"))
    messages = orders(shop)
    first = run_target(config, messages)
    assert "000000301" not in sales_orders(intacct)
    assert summary(first, "orders")["pending"] == 1
    pending = json.loads(Path(config["pending_file"]).read_text())
    (kept,) = pending["streams"]["orders"]["refused"]
    assert kept["reason"].startswith("items[0].sku: Intacct has no item 'LEVEL-2M'")
    item = {"ITEMID": "LEVEL-2M", "NAME": "Level 2 m", "ITEMTYPE": "Inventory"}
    # The next run brings only the item: the kept order is tried again after it, and lands.
    second = run_target(config, stream_messages("items", [item]))
    assert summary(second, "items")["created"] == 1
    assert summary(second, "orders")["created"] == 1
    assert lines_of(intacct, sales_orders(intacct)["000000301"]["DOCID"]) == [
        ("LEVEL-2M", Decimal(2), Decimal("24.00"))
    ]


def test_canceled_orders_close_their_sales_order_where_intacct_allows(intacct, shop, config):
    admin = (demo_data.MAGENTO_ADMIN_USERNAME, demo_data.MAGENTO_ADMIN_PASSWORD)
    run_target(config, orders(shop))
    documents = sales_orders(intacct)
    by_increment = {o["increment_id"]: o for o in shop.admin("GET", "/_emulator/dump")["orders"]}
    intacct.admin("POST", "/_emulator/convert/demo", {"docid": documents["000000203"]["DOCID"]})
    magento = MagentoClient(shop.base_url, AuthSettings(username=admin[0], password=admin[1]))
    for increment_id in ("000000201", "000000203"):
        entity_id = by_increment[increment_id]["entity_id"]
        assert magento.request("POST", f"V1/orders/{entity_id}/cancel") is True
    target = run_target(config, orders(shop))
    after = sales_orders(intacct)
    assert after["000000201"]["STATE"] == "Closed"
    assert after["000000203"]["STATE"] == "Converted"
    (refused,) = [r for r in read_jsonl(config["reject_file"])
                  if r["key"]["increment_id"] == "000000203"]  # fmt: skip
    assert refused["field"] == "status"
    assert "cannot close a Converted sales order" in refused["message"]
    assert summary(target, "orders")["updated"] == 1


def test_a_changed_order_updates_an_open_sales_order(intacct, shop, config):
    messages = orders(shop)
    run_target(config, messages)
    changed = [dict(m, record=dict(m["record"])) if m["type"] == "RECORD" else m
               for m in messages]  # fmt: skip
    for message in changed:
        if message["type"] == "RECORD" and message["record"]["increment_id"] == "000000206":
            line = dict(message["record"]["items"][0], qty_ordered=Decimal(3))
            message["record"]["items"] = [line]
    target = run_target(config, changed)
    assert summary(target, "orders")["updated"] == 1
    docid = sales_orders(intacct)["000000206"]["DOCID"]
    assert lines_of(intacct, docid) == [("INSTALL-HR", Decimal(3), Decimal("65.00"))]


def test_two_runs_at_once_create_each_web_customer_once(intacct, shop, tmp_path):
    """Both runs find the guest's customer missing and create it: Intacct runs the create once,
    and only one run counts it created; the web orders land once and count once between them."""
    stdin = "".join(simplejson.dumps(m, use_decimal=True) + "\n" for m in orders(shop))
    intacct.admin("POST", "/_emulator/config", {"latency_base": 0.3})  # both look up, then write
    try:
        processes = []
        for number in (1, 2):
            folder = tmp_path / f"run-{number}"
            folder.mkdir()
            settings = base_config(intacct, "demo", folder, request_timeout=30,
                                   web_orders={"currencies": ["USD", "EUR"]})  # fmt: skip
            (folder / "config.json").write_text(json.dumps(settings))
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "target_intacct.target", "--config",
                 str(folder / "config.json")],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, env={**os.environ, "LOGLEVEL": "INFO"},
            ))  # fmt: skip
        for process in processes:
            process.stdin.write(stdin)
            process.stdin.close()
        with ThreadPoolExecutor(2) as pool:
            logs = list(pool.map(lambda process: process.stderr.read(), processes))
        for process, log in zip(processes, logs, strict=True):
            assert process.wait(timeout=300) == 0, log[-3000:]
    finally:
        intacct.admin("POST", "/_emulator/config", {"latency_base": 0})
    tables = [read_table(log.splitlines(), "Summary:") for log in logs]
    customers = [c["CUSTOMERID"] for c in stored(intacct, "demo", "CUSTOMER")]
    assert len(customers) == len(set(customers))
    guests = [c for c in customers if c.startswith("MAG-G-")]
    assert guests
    made = [int(table.get("customers (from web orders)", {}).get("created", 0)) for table in tables]
    assert sum(made) == len(guests)
    written = [int(table["orders"]["created"]) for table in tables]
    assert sum(written) == len(WRITTEN)
