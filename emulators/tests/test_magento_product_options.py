"""A product's custom options through their own routes, seen in the product too."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_magento_support import admin_session

BATTERY = {
    "product_sku": "DRILL-18V",
    "title": "Battery",
    "type": "drop_down",
    "sort_order": 1,
    "is_require": True,
    "values": [
        {"title": "2Ah", "sort_order": 1, "price": 0, "price_type": "fixed"},
        {"title": "4Ah", "sort_order": 2, "price": 20, "price_type": "fixed"},
    ],
}


@pytest.fixture
def api(shop) -> requests.Session:
    return admin_session(shop, f"{shop.base_url}/rest/all/V1", seed="shop")


def save(api, option: dict[str, Any], option_id: int | None = None) -> requests.Response:
    if option_id is None:
        return api.post(f"{api.base}/products/options", json={"option": option})
    return api.put(f"{api.base}/products/options/{option_id}", json={"option": option})


def test_the_option_types_of_a_fresh_install(api):
    types = api.get(f"{api.base}/products/options/types").json()
    assert [t["code"] for t in types] == [
        "field", "area", "file", "drop_down", "radio", "checkbox", "multiple", "date",
        "date_time", "time",
    ]  # fmt: skip
    assert types[3] == {"label": "Drop-down", "code": "drop_down", "group": "select"}


def test_options_saved_read_replaced_and_removed(api):
    battery = save(api, BATTERY).json()
    assert battery["option_id"] > 0
    assert [v["option_type_id"] > 0 for v in battery["values"]] == [True, True]
    engraving = {**BATTERY, "title": "Engraving", "type": "field", "sort_order": 0}
    del engraving["values"]
    engraved = save(api, engraving).json()
    listed = api.get(f"{api.base}/products/DRILL-18V/options").json()
    assert [o["title"] for o in listed] == ["Engraving", "Battery"]  # by sort order
    product = api.get(f"{api.base}/products/DRILL-18V").json()
    assert product["options"] == listed
    kept = {**BATTERY, "values": [battery["values"][1]]}  # the 2Ah value left out: removed
    replaced = save(api, kept, battery["option_id"]).json()
    one = api.get(f"{api.base}/products/DRILL-18V/options/{battery['option_id']}").json()
    assert one == replaced
    assert [v["title"] for v in one["values"]] == ["4Ah"]
    assert api.delete(f"{api.base}/products/DRILL-18V/options/{engraved['option_id']}").json()
    assert [o["title"] for o in api.get(f"{api.base}/products/DRILL-18V/options").json()] == [
        "Battery"
    ]


def test_what_the_option_repository_refuses(api):
    no_sku = save(api, {k: v for k, v in BATTERY.items() if k != "product_sku"})
    assert no_sku.json() == {
        "message": "The ProductSku is empty. Set the ProductSku and try again."
    }
    assert save(api, {**BATTERY, "product_sku": "NOPE"}).status_code == 404
    unknown = api.get(f"{api.base}/products/DRILL-18V/options/77")
    assert unknown.status_code == 404
    assert unknown.json()["parameters"] == {"fieldName": "optionId", "fieldValue": 77}
    assert save(api, BATTERY, 77).status_code == 404  # an unknown id is not created
    assert api.delete(f"{api.base}/products/DRILL-18V/options/77").status_code == 404
