"""MSI's sales-side services over HTTP: salable quantity and salability, stocks, bulk moves."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_magento_support import admin_session, criteria

NOT_ENOUGH = [
    {"code": "back_order-disabled", "message": "Backorders are disabled"},
    {"code": "manage_stock-enabled", "message": "Manage stock is enabled"},
    {
        "code": "is_salable_with_reservations-not_enough_qty",
        "message": "The requested qty is not available",
    },
]


@pytest.fixture
def api(shop) -> requests.Session:
    """The `shop` seed with DRILL-18V at 12 in the default source and a second source, `dublin`."""
    session = admin_session(shop, f"{shop.base_url}/rest/all/V1", seed="shop")
    source = {"source_code": "dublin", "name": "Dublin", "enabled": True, "country_id": "IE"}
    post(session, "/inventory/sources", {"source": source | {"postcode": "D02 X285"}})
    items([{"sku": "DRILL-18V", "source_code": "default", "quantity": 12, "status": 1}], session)
    return session


def post(api, path: str, body: Any) -> requests.Response:
    return api.post(api.base + path, json=body)


def get(api, path: str, **params: Any) -> Any:
    answer = api.get(api.base + path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def items(rows: list[dict[str, Any]], api) -> None:
    assert post(api, "/inventory/source-items", {"sourceItems": rows}).status_code == 200


def held(api, sku: str) -> dict[str, tuple[float, int]]:
    found = get(api, "/inventory/source-items", **criteria([("sku", sku, "eq")]))
    return {i["source_code"]: (i["quantity"], i["status"]) for i in found["items"]}


def test_salable_quantity_follows_the_default_source_and_min_qty(api):
    assert get(api, "/inventory/get-product-salable-quantity/DRILL-18V/1") == 12
    stock_item = {"use_config_min_qty": False, "min_qty": 2}
    api.put(f"{api.base}/products/DRILL-18V/stockItems/1", json={"stockItem": stock_item})
    assert get(api, "/inventory/get-product-salable-quantity/DRILL-18V/1") == 10
    items([{"sku": "DRILL-18V", "source_code": "default", "quantity": 12, "status": 0}], api)
    assert get(api, "/inventory/get-product-salable-quantity/DRILL-18V/1") == 0
    unknown = api.get(f"{api.base}/inventory/get-product-salable-quantity/NOPE/1")
    assert unknown.status_code == 404
    no_stock = api.get(f"{api.base}/inventory/get-product-salable-quantity/DRILL-18V/77")
    assert no_stock.json() == {"message": "Could not receive Stock Item data"}


def test_a_second_stock_sums_its_enabled_sources_in_stock(api):
    stock = post(api, "/inventory/stocks", {"stock": {"name": "Ireland"}}).json()
    links = [{"stock_id": stock, "source_code": "dublin", "priority": 1}]
    post(api, "/inventory/stock-source-links", {"links": links})
    path = f"/inventory/get-product-salable-quantity/DRILL-18V/{stock}"
    assert get(api, path) == 0  # no item on dublin: not in that stock's index
    items([{"sku": "DRILL-18V", "source_code": "dublin", "quantity": 5, "status": 1}], api)
    links.append({"stock_id": stock, "source_code": "default", "priority": 2})
    post(api, "/inventory/stock-source-links", {"links": links})
    assert get(api, path) == 17
    ordered = get(api, f"/inventory/get-sources-assigned-to-stock-ordered-by-priority/{stock}")
    assert [s["source_code"] for s in ordered] == ["dublin", "default"]
    assert get(api, "/inventory/get-sources-assigned-to-stock-ordered-by-priority/404") == []


def test_salability_for_a_requested_quantity_runs_magento_s_chain(api):
    def ask(qty: Any) -> dict[str, Any]:
        return get(api, f"/inventory/is-product-salable-for-requested-qty/DRILL-18V/1/{qty}")

    assert ask(12) == {"salable": True, "errors": []}
    assert ask(13) == {"salable": False, "errors": NOT_ENOUGH}
    assert ask(0.5)["errors"] == [
        {"code": "is_correct_qty-min_sale_qty", "message": "The fewest you may purchase is 1."}
    ]
    assert ask(1.5)["errors"][0]["code"] == "is_correct_qty-is_qty_decimal"
    stock_item = {"use_config_backorders": False, "backorders": 1}
    api.put(f"{api.base}/products/DRILL-18V/stockItems/1", json={"stockItem": stock_item})
    assert ask(500) == {"salable": True, "errors": []}
    items([{"sku": "DRILL-18V", "source_code": "default", "quantity": 12, "status": 0}], api)
    assert ask(1)["errors"] == [
        {
            "code": "is_any_source_item_in_stock-no_source_items_in_stock",
            "message": "There are no source items with the in stock status",
        }
    ]


def test_the_batch_salability_routes(api):
    answer = get(
        api,
        "/inventory/are-products-salable",
        **{"skus[0]": "DRILL-18V", "skus[1]": "NOPE"},
        stockId=1,
    )
    assert answer == [
        {"sku": "DRILL-18V", "stock_id": 1, "salable": True},
        {"sku": "NOPE", "stock_id": 1, "salable": False},
    ]
    asked = {"skuRequests[0][sku]": "DRILL-18V", "skuRequests[0][qty]": "20", "stockId": "1"}
    result = get(api, "/inventory/are-product-salable-for-requested-qty/", **asked)
    assert result == [{"sku": "DRILL-18V", "stock_id": 1, "salable": False, "errors": NOT_ENOUGH}]
    assert get(api, "/inventory/is-product-salable/DRILL-18V/1") is True
    assert get(api, "/inventory/is-product-salable/SCREW-100/1") is False


def test_stock_resolver_finds_the_website_s_stock(api):
    assert get(api, "/inventory/stock-resolver/website/base")["stock_id"] == 1
    missing = api.get(f"{api.base}/inventory/stock-resolver/website/eu")
    assert missing.status_code == 404
    assert missing.json()["parameters"] == {
        "fieldName": "type", "fieldValue": "website", "field2Name": "code", "field2Value": "eu"
    }  # fmt: skip


def test_bulk_assign_unassign_and_transfers(api):
    body = {"skus": ["DRILL-18V", "SCREW-100", "NOPE"], "sourceCodes": ["dublin", "default"]}
    assert post(api, "/inventory/bulk-product-source-assign", body).json() == 2  # dublin only
    assert post(api, "/inventory/bulk-product-source-assign", body).json() == 0
    assert held(api, "DRILL-18V") == {"default": (12, 1), "dublin": (0, 0)}
    partial = {
        "originSourceCode": "default",
        "destinationSourceCode": "dublin",
        "items": [{"sku": "DRILL-18V", "qty": 5}],
    }
    assert post(api, "/inventory/bulk-partial-source-transfer", partial).status_code == 200
    assert held(api, "DRILL-18V") == {"default": (7, 1), "dublin": (5, 1)}
    move = {
        "skus": ["DRILL-18V"],
        "originSource": "default",
        "destinationSource": "dublin",
        "unassignFromOrigin": False,
    }
    assert post(api, "/inventory/bulk-product-source-transfer", move).json() is True
    assert held(api, "DRILL-18V") == {"default": (0, 0), "dublin": (12, 1)}
    unassign = {"skus": ["DRILL-18V", "SCREW-100"], "sourceCodes": ["dublin"]}
    assert post(api, "/inventory/bulk-product-source-unassign", unassign).json() == 2
    assert set(held(api, "DRILL-18V")) == {"default"}


def test_bulk_validation_failures(api):
    unknown = post(
        api, "/inventory/bulk-product-source-assign", {"skus": ["X"], "sourceCodes": ["eu"]}
    )
    assert unknown.status_code == 400
    assert unknown.json() == {
        "message": "Validation Failed",
        "errors": [
            {"message": "Source %sourceCode does not exist", "parameters": {"sourceCode": "eu"}}
        ],
    }
    too_much = {
        "originSourceCode": "default",
        "destinationSourceCode": "dublin",
        "items": [{"sku": "DRILL-18V", "qty": 50}],
    }
    refused = post(api, "/inventory/bulk-partial-source-transfer", too_much)
    assert refused.json()["message"] == "Transfer validation failed"
    assert [e["message"] for e in refused.json()["errors"]] == [
        "Requested transfer amount for sku %sku is not available",
        "%message",  # no DRILL-18V item on dublin
    ]
    assert held(api, "DRILL-18V") == {"default": (12, 1)}
    same = {"skus": ["DRILL-18V"], "originSource": "dublin", "destinationSource": "dublin"}
    itself = post(
        api, "/inventory/bulk-product-source-transfer", same | {"unassignFromOrigin": True}
    )
    assert itself.json()["errors"] == [
        {"message": "Cannot transfer a source on itself", "parameters": []}
    ]


# ---------------------------------------------------------------- notifications and selection


def test_low_quantity_notification_settings(api):
    path = "/inventory/low-quantity-notification"
    assert get(api, f"{path}/dublin/DRILL-18V")["notify_stock_qty"] == 1  # the configuration's
    setting = {"source_code": "dublin", "sku": "DRILL-18V", "notify_stock_qty": 4}
    assert post(api, path, {"sourceItemConfigurations": [setting]}).status_code == 200
    assert get(api, f"{path}/dublin/DRILL-18V") == setting
    assert get(api, f"{path}/default/DRILL-18V")["notify_stock_qty"] == 1
    unknown = api.get(f"{api.base}{path}/dublin/NOPE")
    assert unknown.json() == {"message": "Wrong input data"}
    nowhere = post(api, path, {"sourceItemConfigurations": [setting | {"source_code": "eu"}]})
    assert nowhere.json() == {"message": "Could not save Source Item Configuration"}
    gone = [{"source_code": "dublin", "sku": "DRILL-18V"}]
    post(api, "/inventory/low-quantity-notifications-delete", {"sourceItems": gone})
    assert get(api, f"{path}/dublin/DRILL-18V")["notify_stock_qty"] == 1


def test_priority_source_selection(api):
    assert [a["code"] for a in get(api, "/inventory/source-selection-algorithm-list")] == [
        "priority"
    ]
    items([{"sku": "DRILL-18V", "source_code": "dublin", "quantity": 5, "status": 1}], api)
    links = [{"stock_id": 1, "source_code": "dublin", "priority": 2}]
    post(api, "/inventory/stock-source-links", {"links": links})

    def select(qty: float) -> dict[str, Any]:
        asked = {"stock_id": 1, "items": [{"sku": "drill-18v", "qty": qty}]}
        body = {"inventoryRequest": asked, "algorithmCode": "priority"}
        return post(api, "/inventory/source-selection-algorithm-result", body).json()

    plan = select(15)
    chosen = [(s["source_code"], s["qty_to_deduct"]) for s in plan["source_selection_items"]]
    assert chosen == [("default", 12), ("dublin", 3)]
    assert plan["source_selection_items"][1]["qty_available"] == 5
    assert plan["shippable"] is True
    assert select(20)["shippable"] is False
    unknown = post(
        api,
        "/inventory/source-selection-algorithm-result",
        {"inventoryRequest": {"stock_id": 1, "items": []}, "algorithmCode": "distance"},
    )
    assert unknown.status_code == 500  # Magento's LogicException, masked
    assert unknown.json()["message"].startswith("Internal Error.")


def test_the_stock_exports_of_a_sales_channel(api):
    exported = get(
        api,
        "/inventory/export-stock-salable-qty/website/base",
        **criteria([("sku", "DRILL-18V", "eq")]),
    )
    assert exported["items"] == [{"sku": "DRILL-18V", "qty": 12, "is_salable": True}]
    assert exported["total_count"] == 1
    dump = {row["sku"]: row for row in get(api, "/inventory/dump-stock-index-data/website/base")}
    assert dump["DRILL-18V"] == {"sku": "DRILL-18V", "qty": 12, "is_salable": True}
    assert dump["SCREW-100"]["is_salable"] is False
    unknown = api.get(f"{api.base}/inventory/dump-stock-index-data/website/eu")
    assert unknown.status_code == 404
