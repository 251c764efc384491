"""ID maps belong to one shop: the real `target-magento` command against a reset or another shop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connector_emulators.magento.server import serve_in_thread
from magento_api import AuthSettings, MagentoClient
from target_magento.store import shop_scope
from target_magento_support import (
    customer_records,
    demo_messages,
    item_records,
    oauth_config,
    product_line_records,
    run_command,
)

INVOICED_ORDERS = {"000000101", "000000102", "000000105"}  # the demo invoices' orders in the shop
DATA_FAULTS = {"C-1005", "C-1006", "C-1007"}  # demo customers rejected in any shop (no email...)


def run_demo(shop, folder: Path) -> tuple[dict[str, dict[str, int]], str]:
    """The demo input through the command: the summary per stream and the log."""
    result = run_command(shop, folder, demo_messages())
    return result.summary, result.log


def rejects(folder: Path) -> list[dict]:
    path = folder / "rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def add_shop_records(shop) -> None:
    """Customers and categories of the shop's own, taking the ids an earlier shop gave ours."""
    client = MagentoClient(shop.base_url, AuthSettings(**oauth_config(shop)))
    for number in range(1, 13):
        customer = {
            "email": f"walk-in-{number}@shop.example",
            "firstname": "Walk",
            "lastname": "In",
        }
        shop.admin("POST", "/rest/default/V1/customers", {"customer": customer})
    for number in range(1, 9):
        category = {
            "parent_id": 2,
            "name": f"Seasonal {number}",
            "is_active": True,
            "custom_attributes": [{"attribute_code": "url_key", "value": f"seasonal-{number}"}],
        }
        client.request("POST", "V1/categories", store="all", body={"category": category})


def assert_everything_landed(shop, folder: Path, counts: dict[str, dict[str, int]]) -> None:
    """Ours written whole, the shop's own left alone, nothing rejected or skipped but INV-0003."""
    dump = shop.admin("GET", "/_emulator/dump")
    assert {reject["key"] for reject in rejects(folder)} == DATA_FAULTS
    emails = sorted(c["email"] for c in dump["customers"] if "@shop.example" not in c["email"])
    assert emails == sorted(
        r["DISPLAYCONTACT.EMAIL1"].lower()
        for r in customer_records()
        if r["CUSTOMERID"] not in DATA_FAULTS
    )
    walk_ins = [c for c in dump["customers"] if c["email"].startswith("walk-in-")]
    assert len(walk_ins) == 12
    assert {(c["firstname"], c["lastname"]) for c in walk_ins} == {("Walk", "In")}
    names = {c["name"] for c in dump["categories"]}
    assert {f"Seasonal {number}" for number in range(1, 9)} <= names
    by_key = {
        attribute["value"]: category
        for category in dump["categories"]
        for attribute in category.get("custom_attributes") or []
        if attribute["attribute_code"] == "url_key"
    }
    lines = {line["PRODUCTLINEID"]: line for line in product_line_records()}
    line_category = {}
    for line_id, line in lines.items():
        (key,) = [key for key in by_key if key.endswith(f"-{line_id.lower()}")]
        line_category[line_id] = int(by_key[key]["id"])
        assert by_key[key]["name"] == line["DESCRIPTION"]
    products = {p["sku"]: p for p in dump["products"]}
    for item in item_records():
        links = products[item["ITEMID"]]["extension_attributes"].get("category_links") or []
        wanted = [line_category[item["PRODUCTLINEID"]]] if item["PRODUCTLINEID"] else []
        assert [int(link["category_id"]) for link in links] == wanted
    orders = {int(order["entity_id"]): order["increment_id"] for order in dump["orders"]}
    assert sorted(orders[int(invoice["order_id"])] for invoice in dump["invoices"]) == sorted(
        INVOICED_ORDERS
    )
    assert counts["customers"]["rejected"] == len(DATA_FAULTS)
    assert counts["items"]["rejected"] == 0
    assert counts["sales_invoices"]["created"] == len(INVOICED_ORDERS)
    assert counts["sales_invoices"]["skipped"] == 1  # INV-0003: order 000000104 is not in the shop


@pytest.fixture
def second_shop():
    handle = serve_in_thread(port=0, seed="demo")
    yield handle
    handle.stop()


def test_a_map_made_against_another_shop_is_not_used(magento, second_shop, tmp_path):
    run_demo(magento, tmp_path)
    add_shop_records(second_shop)

    counts, _ = run_demo(second_shop, tmp_path)
    assert_everything_landed(second_shop, tmp_path, counts)

    # The first shop's entries were kept apart: a run there finds everything through them.
    counts, _ = run_demo(magento, tmp_path)
    assert {stream: row["created"] for stream, row in counts.items()} == dict.fromkeys(counts, 0)
    assert counts["sales_invoices"]["skipped"] == 4  # three already invoiced, one without order
    scopes = json.loads((tmp_path / "id-map.json").read_text())["scopes"]
    assert set(scopes) == {
        shop_scope(magento.base_url, "default"),
        shop_scope(second_shop.base_url, "default"),
    }


def test_a_reset_shop_is_written_again_despite_the_stale_map(magento, tmp_path):
    run_demo(magento, tmp_path)
    magento.admin("POST", "/_emulator/reset", {"seed": "demo"})
    add_shop_records(magento)  # the ids the map holds now name the shop's own records

    counts, log = run_demo(magento, tmp_path)
    assert_everything_landed(magento, tmp_path, counts)
    map_file = str(tmp_path / "id-map.json")
    assert f"ID map {map_file}: customers C-" in log
    assert f"ID map {map_file}: categories " in log
    assert f"ID map {map_file}: invoices Sales Invoice-INV-0001 is invoice " in log


def test_a_map_file_without_shops_is_taken_as_the_first_shops(magento, tmp_path):
    run_demo(magento, tmp_path)
    path = tmp_path / "id-map.json"
    scoped = json.loads(path.read_text())["scopes"][shop_scope(magento.base_url, "default")]
    path.write_text(json.dumps(scoped))  # the layout before maps were kept per shop

    counts, _ = run_demo(magento, tmp_path)
    assert {stream: row["created"] for stream, row in counts.items()} == dict.fromkeys(counts, 0)
    assert counts["sales_invoices"]["skipped"] == 4
    assert json.loads(path.read_text()) == {
        "scopes": {shop_scope(magento.base_url, "default"): scoped}
    }
