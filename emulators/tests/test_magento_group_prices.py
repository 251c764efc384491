"""The legacy one-tier-a-call group price routes, over the same tiers as the price storage."""

from __future__ import annotations

import pytest
import requests
from emulator_magento_support import admin_session

TIERS = "/products/DRILL-18V/group-prices"


@pytest.fixture
def api(shop) -> requests.Session:
    return admin_session(shop, f"{shop.base_url}/rest/all/V1", seed="shop")


def test_a_tier_added_repriced_listed_and_removed(api):
    assert api.post(f"{api.base}{TIERS}/1/tiers/5/price/119").json() is True
    assert api.post(f"{api.base}{TIERS}/1/tiers/5/price/115").json() is True  # same qty: repriced
    assert api.post(f"{api.base}{TIERS}/all/tiers/10/price/109").json() is True
    assert api.get(f"{api.base}{TIERS}/1/tiers").json() == [
        {"customer_group_id": 1, "qty": 5, "value": 115}
    ]
    assert api.get(f"{api.base}{TIERS}/all/tiers").json() == [
        {"customer_group_id": 32000, "qty": 10, "value": 109}
    ]
    info = api.post(f"{api.base}/products/tier-prices-information", json={"skus": ["DRILL-18V"]})
    assert {(t["customer_group"], t["quantity"], t["price"]) for t in info.json()} == {
        ("General", 5, 115), ("ALL GROUPS", 10, 109)
    }  # fmt: skip
    assert api.delete(f"{api.base}{TIERS}/1/tiers/5").json() is True
    assert api.get(f"{api.base}{TIERS}/1/tiers").json() == []
    again = api.delete(f"{api.base}{TIERS}/1/tiers/5")
    assert again.status_code == 404
    assert again.json()["parameters"] == ["1", 0, "5"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/1/tiers/0/price/10", 400, "The data was invalid. Verify the data and try again."),
        ("/1/tiers/2/price/-1", 400, "The data was invalid. Verify the data and try again."),
        ("/77/tiers/2/price/10", 404, "No such entity with %fieldName = %fieldValue"),
    ],
)
def test_a_tier_magento_refuses(api, path, status, message):
    answer = api.post(f"{api.base}{TIERS}{path}")
    assert (answer.status_code, answer.json()["message"]) == (status, message)
    unknown = api.post(f"{api.base}/products/NOPE/group-prices/1/tiers/2/price/10")
    assert unknown.status_code == 404
