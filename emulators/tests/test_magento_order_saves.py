"""Orders saved through the repository (status updates, imported orders) and order addresses."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_magento_support import admin_session, criteria

IMPORTED = {
    "increment_id": "MKT-1001",
    "customer_email": "buyer@example.com",
    "customer_firstname": "Bo",
    "customer_lastname": "Buyer",
    "customer_is_guest": 1,
    "status": "processing",
    "state": "processing",
    "grand_total": 1,  # Magento would keep it; the emulator works totals out from the lines
    "items": [
        {"sku": "DRILL-18V", "name": "Drill", "price": 129, "qty_ordered": 2},
        {"sku": "SCREW-100", "name": "Screws", "price": 7.5, "qty_ordered": 4},
    ],
    "billing_address": {
        "firstname": "Bo",
        "lastname": "Buyer",
        "street": ["1 Quay Road"],
        "city": "Cork",
        "postcode": "T12 X70",
        "country_id": "IE",
        "telephone": "+353 21 000 0000",
        "address_type": "billing",
    },
    "payment": {"method": "banktransfer"},
}


@pytest.fixture
def api(shop) -> requests.Session:
    return admin_session(shop, f"{shop.base_url}/rest/default/V1", seed="shop")


def save(api, method: str = "POST", **entity: Any) -> requests.Response:
    path = "/orders" if method == "POST" else "/orders/create"
    return api.request(method, api.base + path, json={"entity": entity})


def order(api, order_id: int) -> dict[str, Any]:
    return api.get(f"{api.base}/orders/{order_id}").json()


def test_a_status_update_writes_the_fields_sent_and_keeps_the_rest(api):
    before = order(api, 1)
    answer = save(api, entity_id=1, status="awaiting_pickup", customer_note="Ring twice")
    assert answer.status_code == 200
    after = order(api, 1)
    assert answer.json() == after
    assert (after["status"], after["state"], after["customer_note"]) == (
        "awaiting_pickup", before["state"], "Ring twice"
    )  # fmt: skip
    assert after["items"] == before["items"]
    assert after["updated_at"] >= before["updated_at"]
    billing = {"city": "Peoria"}
    save(api, entity_id=1, billing_address=billing, payment={"po_number": "PO-7"})
    after = order(api, 1)
    assert after["billing_address"]["city"] == "Peoria"
    assert after["billing_address"]["lastname"] == before["billing_address"]["lastname"]
    assert after["payment"]["method"] == before["payment"]["method"]


def test_an_imported_order_is_placed_from_its_lines(api):
    answer = save(api, "PUT", **IMPORTED)
    assert answer.status_code == 200
    placed = answer.json()
    assert (placed["increment_id"], placed["status"], placed["customer_is_guest"]) == (
        "MKT-1001", "processing", 1
    )  # fmt: skip
    assert [(i["sku"], i["qty_ordered"]) for i in placed["items"]] == [
        ("DRILL-18V", 2), ("SCREW-100", 4)
    ]  # fmt: skip
    assert placed["subtotal"] == 288 and placed["grand_total"] == 288
    assert placed["billing_address"]["city"] == "Cork"
    assert placed["payment"]["method"] == "banktransfer"
    found = api.get(f"{api.base}/orders", params=criteria([("increment_id", "MKT-1001", "eq")]))
    assert found.json()["total_count"] == 1
    # The imported order goes on like any other: invoiced, its lines are.
    invoice = api.post(f"{api.base}/order/{placed['entity_id']}/invoice", json={})
    assert invoice.status_code == 200
    assert order(api, placed["entity_id"])["items"][0]["qty_invoiced"] == 2


def test_an_order_save_refuses_what_magento_refuses(api):
    unknown_field = save(api, entity_id=1, colour="red")
    assert unknown_field.status_code == 400
    assert unknown_field.json()["parameters"] == {"fieldName": "Colour"}
    assert save(api, entity_id=999, status="x").status_code == 404
    missing = api.post(f"{api.base}/orders", json={})
    assert missing.json()["parameters"] == {"fieldName": "entity"}


def test_an_order_address_is_saved_by_its_id(api):
    billing = order(api, 1)["billing_address"]
    entity = {"entity_id": billing["entity_id"], "parent_id": 1, "street": ["9 Elm Street"]}
    answer = api.put(f"{api.base}/orders/1", json={"entity": entity})
    assert answer.status_code == 200
    assert answer.json()["street"] == ["9 Elm Street"]
    assert order(api, 1)["billing_address"] == answer.json()
    shipping = order(api, 1)["extension_attributes"]["shipping_assignments"][0]["shipping"]
    entity = {"entity_id": shipping["address"]["entity_id"], "city": "Joliet"}
    assert api.put(f"{api.base}/orders/1", json={"entity": entity}).status_code == 200
    moved = order(api, 1)["extension_attributes"]["shipping_assignments"][0]["shipping"]
    assert moved["address"]["city"] == "Joliet"
    unknown = api.put(f"{api.base}/orders/1", json={"entity": {"entity_id": 777, "parent_id": 1}})
    assert unknown.status_code == 400
    assert unknown.json() == {"message": "The order address couldn't be saved."}


# ---------------------------------------------------------------- document repositories

NEW_SHIPMENT = {
    "order_id": 8,
    "shipping_label": "JVBERi0xLjQK",
    "items": [{"order_item_id": 13, "qty": 1, "sku": "SCREW-A4-50", "name": "Screws", "price": 5}],
    "tracks": [{"order_id": 8, "track_number": "Z1", "carrier_code": "dhl", "title": "DHL"}],
}


def test_a_saved_shipment_is_stored_as_sent_and_leaves_the_order(api):
    before = order(api, 8)
    saved = api.post(f"{api.base}/shipment/", json={"entity": NEW_SHIPMENT})
    assert saved.status_code == 200
    shipment = saved.json()
    assert shipment["entity_id"] > 1 and shipment["increment_id"]
    assert shipment["items"][0]["parent_id"] == shipment["entity_id"]
    assert shipment["tracks"][0]["entity_id"] > 0
    assert api.get(f"{api.base}/shipment/{shipment['entity_id']}").json() == shipment
    label = api.get(f"{api.base}/shipment/{shipment['entity_id']}/label")
    assert label.json() == "JVBERi0xLjQK"
    assert api.get(f"{api.base}/shipment/1/label").json() == []  # none: Magento's null
    assert [line["qty_shipped"] for line in order(api, 8)["items"]] == [
        line["qty_shipped"] for line in before["items"]
    ]
    changed = api.post(
        f"{api.base}/shipment/",
        json={"entity": {"entity_id": shipment["entity_id"], "shipping_label": "QUJD"}},
    )
    assert changed.json()["shipping_label"] == "QUJD"
    assert changed.json()["items"] == shipment["items"]


def test_document_saves_that_fail(api):
    shipment = api.post(f"{api.base}/shipment/", json={"entity": {"order_id": 999}})
    assert shipment.json() == {"message": "The shipment couldn't be saved."}
    memo = api.post(f"{api.base}/creditmemo", json={"entity": {"order_id": 999}})
    assert memo.json() == {"message": "The credit memo couldn't be saved."}
    invoice = api.post(f"{api.base}/invoices/", json={"entity": {"order_id": 999}})
    assert invoice.status_code == 500  # its repository catches nothing: the masked error
    unknown = api.post(f"{api.base}/invoices/", json={"entity": {"entity_id": 99, "state": 2}})
    assert unknown.status_code == 404
