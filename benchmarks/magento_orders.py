"""Web orders at volume: tap-magento reading 20,000 orders, target-intacct writing 5,000.

Builds a Magento emulator shop (`--db`) holding the demo seed plus N storefront orders (two to
four lines each, known customers and guests, a tenth in EUR, some with a coupon), then

1. runs `tap-magento` (subprocess, orders stream, page size 300) against `magento-emulator
   serve`: records per second, HTTP requests (`/_emulator/stats`) and the tap's peak RSS;
2. feeds the first `--write` orders of that output to `target-intacct` (subprocess) against
   `intacct-emulator serve`: sales orders per second and Intacct requests per 1,000 orders
   (lookups of orders, lines, items and customers, new customers, then 100 writes a request).

    .venv/bin/python benchmarks/magento_orders.py                    # 20,000 read, 5,000 written
    .venv/bin/python benchmarks/magento_orders.py --orders 2000 --write 500
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from connector_emulators import demo_data
from connector_emulators.magento import sales
from connector_emulators.magento.seed import seed
from connector_emulators.magento.store import Store
from processes import run_measured_process, start_server
from tap_intacct_sync import BIN, CREDENTIALS, admin

SKUS = [item for item in demo_data.ITEMS if item.active]
KNOWN = [c for c in demo_data.CUSTOMERS if c.email]
ADDRESS = {"firstname": "Sam", "lastname": "Buyer", "street": ["1 Main St"], "city": "Boston",
           "postcode": "02110", "country_id": "US", "telephone": "+1 617 555 0100"}  # fmt: skip


def build_shop(path: Path, orders: int) -> None:
    """The demo shop plus `orders` orders placed one second apart (some share a second)."""
    chooser = random.Random(7)
    store = Store(str(path))
    with store.transaction():
        seed(store, "demo")
        for number in range(orders):
            known = chooser.random() < 0.8
            customer = chooser.choice(KNOWN) if known else None
            email = customer.email if customer else f"guest{number % 400}@example.net"
            euro = number % 10 == 0
            lines = chooser.sample(SKUS, chooser.randint(2, 4))
            second = 1_700_000_000 + number - number % 3  # three orders per second
            sales.create_order(
                store,
                increment_id=f"1{number:08d}",
                customer_email=email or "",
                customer_firstname=customer.first_name if customer else "Guest",
                customer_lastname=customer.last_name if customer else f"No. {number}",
                created_at=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second)),
                currency="EUR" if euro else "USD",
                base_to_order_rate="0.92" if euro else 1,
                shipping_amount="5.00",
                discount_percent=10 if number % 7 == 0 else 0,
                tax_percent="8.25" if number % 2 else 0,
                guest=not known,
                billing_address=ADDRESS,
                items=[
                    {"sku": i.item_id, "name": i.name, "qty": chooser.randint(1, 5),
                     "price": i.price * (Decimal("0.92") if euro else 1)}
                    for i in lines
                ],
            )  # fmt: skip
    store.conn.close()


def orders_catalog(config: Path, workdir: Path) -> Path:
    found = subprocess.run([str(BIN / "tap-magento"), "--config", str(config), "--discover"],
                           check=True, capture_output=True, timeout=120).stdout  # fmt: skip
    catalog = json.loads(found)
    catalog["streams"] = [s for s in catalog["streams"] if s["tap_stream_id"] == "orders"]
    for meta in catalog["streams"][0]["metadata"]:
        if meta["breadcrumb"] == []:
            meta["metadata"]["selected"] = True
    path = workdir / "catalog.json"
    path.write_text(json.dumps(catalog))
    return path


def read_orders(workdir: Path, orders: int) -> Path:
    shop_db = workdir / "shop.sqlite"
    print(f"placing {orders:,} orders in the Magento emulator's store ...", flush=True)
    build_shop(shop_db, orders)
    command = [str(BIN / "magento-emulator"), "serve", "--port", "0", "--db", str(shop_db)]
    shop, base_url = start_server(command, "the Magento emulator")
    try:
        config = workdir / "tap.json"
        config.write_text(json.dumps({"base_url": base_url, "username": "admin",
                                      "password": "admin123", "page_size": 300}))  # fmt: skip
        catalog = orders_catalog(config, workdir)
        before = admin(base_url, "/_emulator/stats")["total"]
        output = workdir / "tap.stdout"
        command = [str(BIN / "tap-magento"), "--config", str(config), "--catalog", str(catalog)]
        run = run_measured_process(command, output)
        requests = admin(base_url, "/_emulator/stats")["total"] - before
    finally:
        shop.terminate()
        shop.wait(timeout=30)
    records = sum(1 for line in output.open("rb") if line.startswith(b'{"type":"RECORD"'))
    total = orders + sum(o.in_magento for o in demo_data.SALES_ORDERS) + len(demo_data.WEB_ORDERS)
    if records != total:
        raise SystemExit(f"tap-magento emitted {records} orders, the shop holds {total}")
    print(f"tap-magento: {records:,} orders in {run.seconds:.1f} s = {records / run.seconds:,.0f} "
          f"records/s; {requests} HTTP requests ({records / requests:.0f} orders per request); "
          f"CPU {run.cpu:.1f} s; peak RSS {run.rss_mib} MiB")  # fmt: skip
    return output


def write_orders(workdir: Path, tap_output: Path, count: int) -> None:
    lines, kept = [], 0
    for line in tap_output.open("rb"):
        if line.startswith(b'{"type":"RECORD"'):
            if kept == count:
                continue
            kept += 1
        lines.append(line)
    messages = workdir / "orders.singer"
    messages.write_bytes(b"".join(lines))
    command = [str(BIN / "intacct-emulator"), "serve", "--port", "0"]
    intacct, url = start_server(command, "the Intacct emulator")
    base_url = url.split("/ia/")[0]
    try:
        config = workdir / "target.json"
        config.write_text(json.dumps({
            **CREDENTIALS, "api_url": url, "reject_file": str(workdir / "rejects.jsonl"),
            "pending_file": str(workdir / "pending.json"),
            "web_orders": {"currencies": ["USD", "EUR"]},
        }))  # fmt: skip
        before = admin(base_url, "/_emulator/stats")["requests"]
        command = [str(BIN / "target-intacct"), "--config", str(config)]
        run = run_measured_process(command, workdir / "target.stdout", stdin=messages)
        requests = admin(base_url, "/_emulator/stats")["requests"] - before
        with urllib.request.urlopen(base_url + "/_emulator/records/demo/SODOCUMENT") as answer:
            written = sum(
                1 for r in json.loads(answer.read())["records"]
                if r["DOCPARID"] == "Sales Order" and r["PONUMBER"].startswith("1")
            )  # fmt: skip
    finally:
        intacct.terminate()
        intacct.wait(timeout=30)
    if written != count:
        raise SystemExit(f"target-intacct wrote {written} sales orders of {count}")
    print(f"target-intacct: {written:,} sales orders in {run.seconds:.1f} s = "
          f"{written / run.seconds:,.0f} orders/s; {requests} Intacct requests = "
          f"{requests * 1000 / written:.1f} per 1,000 orders; CPU {run.cpu:.1f} s; "
          f"peak RSS {run.rss_mib} MiB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--write", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="magento-orders-bench-") as tmp:
        workdir = Path(tmp)
        tap_output = read_orders(workdir, args.orders)
        write_orders(workdir, tap_output, args.write)


if __name__ == "__main__":
    main()
