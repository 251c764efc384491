"""What a fulfilment or ERP integration does to existing documents: shipment tracks, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_magento_support import admin_session


@pytest.fixture
def api(shop) -> requests.Session:
    """An admin session on the `shop` seed (shipment 1 of order 5, with one UPS track)."""
    return admin_session(shop, f"{shop.base_url}/rest/default/V1", seed="shop")


def track(api, **fields: Any) -> requests.Response:
    entity = {"parent_id": 1, "order_id": 5, "carrier_code": "fedex", "title": "FedEx"} | fields
    return api.post(f"{api.base}/shipment/track", json={"entity": entity})


def numbers(api) -> list[str]:
    shipment = api.get(f"{api.base}/shipment/1").json()
    return [t["track_number"] for t in shipment["tracks"]]


def test_a_track_added_shows_on_the_shipment_and_can_be_changed(api):
    first = numbers(api)
    added = track(api, track_number="7489 1234 5678")
    assert added.status_code == 200
    body = added.json()
    assert body["parent_id"] == 1 and body["order_id"] == 5 and body["entity_id"] > 0
    assert numbers(api) == [*first, "7489 1234 5678"]
    changed = track(api, entity_id=body["entity_id"], track_number="7489 0000 0000")
    assert changed.json()["entity_id"] == body["entity_id"]
    assert numbers(api) == [*first, "7489 0000 0000"]


@pytest.mark.parametrize(
    "fields",
    [
        {"order_id": 4, "track_number": "X1"},  # the shipment is another order's
        {"parent_id": 999, "track_number": "X1"},  # no such shipment
        {"track_number": "X1", "carrier_code": ""},  # the validator's required fields
        {"carrier_code": "ups"},
    ],
)
def test_a_track_magento_refuses(api, fields):
    before = numbers(api)
    refused = track(api, **fields)
    assert refused.status_code == 400
    assert refused.json() == {"message": "Could not save the shipment tracking."}
    assert numbers(api) == before


def test_deleting_a_track_removes_it_and_an_unknown_id_is_true(api):
    added = track(api, track_number="DEL-1").json()
    assert api.delete(f"{api.base}/shipment/track/{added['entity_id']}").json() is True
    assert "DEL-1" not in numbers(api)
    assert api.delete(f"{api.base}/shipment/track/9999").json() is True
    garbage = api.delete(f"{api.base}/shipment/track/abc")
    assert garbage.status_code == 400
    assert garbage.json()["parameters"]["field_name"] == "id"
