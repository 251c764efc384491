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


# ---------------------------------------------------------------- invoices and credit memos


def order_8(api) -> dict[str, Any]:
    """The `shop` seed's invoiced EUR order: 4 SCREW-A4-50 (line 13) and a gnome (line 14)."""
    return api.get(f"{api.base}/orders/8").json()


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("POST", "/invoices/2/capture", "The capture action is not available."),
        ("POST", "/invoices/2/void", "The void action is not available."),
        ("PUT", "/creditmemo/1", "You can not cancel Credit Memo"),
        (
            "POST",
            "/invoice/2/refund",
            "Creditmemo Document Validation Error(s):\nWe can't create creditmemo for the invoice.",
        ),
    ],
)
def test_what_an_offline_payment_cannot_do(api, method, path, message):
    before = order_8(api)
    answer = api.request(method, api.base + path, json={})
    assert answer.status_code == 400
    assert answer.json() == {"message": message}
    assert order_8(api) == before


def test_capture_of_an_unknown_invoice_is_404(api):
    assert api.post(f"{api.base}/invoices/999/capture").status_code == 404
    assert api.post(f"{api.base}/invoices/0/void").json()["message"].startswith("An ID is needed")


def refund(api, **memo: Any) -> requests.Response:
    body = {"creditmemo": {"order_id": 8} | memo, "offlineRequested": True}
    return api.post(f"{api.base}/creditmemo/refund", json=body)


def test_a_credit_memo_refund_updates_the_order(api):
    answer = refund(api, items=[{"order_item_id": 13, "qty": 2}], adjustment_negative=1)
    assert answer.status_code == 200
    memo = answer.json()
    assert [(i["order_item_id"], i["qty"]) for i in memo["items"]] == [(13, 2)]
    assert memo["adjustment_negative"] == 1
    assert memo["order_id"] == 8 and memo["state"] == 2
    order = order_8(api)
    assert [line["qty_refunded"] for line in order["items"]] == [2, 0]
    assert order["total_refunded"] == memo["grand_total"]
    assert api.get(f"{api.base}/creditmemo/{memo['entity_id']}").json() == memo


@pytest.mark.parametrize(
    ("memo", "message"),
    [
        ({"items": [{"order_item_id": 99, "qty": 1}]}, "The credit memo's total must be positive."),
        ({}, "The credit memo's total must be positive."),  # no items: nothing refunded
        (
            {"items": [{"order_item_id": 13, "qty": 9}]},
            'We found an invalid quantity to refund item "%1".',
        ),
        (
            {"items": [{"order_item_id": 13, "qty": 1}], "adjustment_positive": 500},
            "The most money available to refund is %1.",
        ),
        (
            {"entity_id": 1, "items": [{"order_item_id": 13, "qty": 1}]},
            "We cannot register an existing credit memo.",
        ),
    ],
)
def test_a_refused_credit_memo_leaves_the_order_as_it_was(api, memo, message):
    before = order_8(api)
    answer = refund(api, **memo)
    assert answer.status_code == 400
    assert answer.json()["message"] == message
    assert order_8(api) == before
    if "most money" in message:
        assert answer.json()["parameters"] == ["$71.61"]
