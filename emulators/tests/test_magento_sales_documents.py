"""The storefront's sales: web orders, their totals, documents and history, over real HTTP.

Every body is validated against Adobe's published 2.4.8 schema (`magento_contract.check`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from connector_emulators import demo_data
from emulator_magento_support import ADMIN, criteria
from magento_contract import check

WEB = {web.increment_id: web for web in demo_data.WEB_ORDERS}


@pytest.fixture
def store(shop, api):
    """The `shop` seed: catalog, registered customers, orders and their documents."""
    shop.admin("POST", "/_emulator/reset", {"seed": "shop"})
    token = api.post(f"{api.base}/V1/integration/admin/token", json=ADMIN).json()
    api.headers["Authorization"] = f"Bearer {token}"
    return api


def order(api, increment_id: str) -> dict:
    params = criteria([("increment_id", increment_id, "eq")])
    found = api.get(api.base + "/V1/orders", params=params)
    return check("GET", "/V1/orders", found)["items"][0]


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_web_orders_carry_totals_that_add_up_exactly(api):
    for web in demo_data.WEB_ORDERS:
        placed = order(api, web.increment_id)
        subtotal = sum(line.quantity * line.price for line in web.lines)
        discount = sum(
            cents(line.quantity * line.price * web.discount_percent / 100) for line in web.lines
        )
        assert Decimal(str(placed["subtotal"])) == subtotal
        assert Decimal(str(placed["discount_amount"])) == -discount
        shipping = Decimal(str(placed["shipping_amount"]))
        tax = Decimal(str(placed["tax_amount"]))
        assert Decimal(str(placed["grand_total"])) == subtotal - discount + shipping + tax
        assert placed["order_currency_code"] == web.currency
        assert placed["base_currency_code"] == "USD"
        assert placed["created_at"] == web.placed
        assert placed["payment"]["method"] == "checkmo"
        assert Decimal(str(placed["payment"]["amount_ordered"])) == Decimal(
            str(placed["grand_total"])
        )


def test_a_guest_a_discount_a_currency_and_a_cancellation(api):
    guest = order(api, "000000203")
    assert guest["customer_is_guest"] == 1
    assert "customer_id" not in guest
    assert guest["customer_email"] == "walk.in@example.net"
    discounted = order(api, "000000202")
    assert discounted["coupon_code"] == "GARDEN10"
    assert discounted["discount_amount"] == -6.9
    euro = order(api, "000000204")
    assert euro["order_currency_code"] == "EUR"
    assert euro["base_to_order_rate"] == 0.92
    assert Decimal(str(euro["base_grand_total"])) == cents(
        Decimal(str(euro["grand_total"])) / Decimal("0.92")
    )
    cancelled = order(api, "000000205")
    assert (cancelled["state"], cancelled["status"]) == ("canceled", "canceled")
    assert cancelled["items"][0]["qty_canceled"] == 1
    taxed = order(api, "000000201")
    assert taxed["tax_amount"] == pytest.approx(float(cents(Decimal("151.47") * Decimal("0.0825"))))
    assert taxed["status_histories"][0]["comment"] == "Please deliver to the site office."


def test_shipping_assignment_holds_address_method_and_current_items(api):
    placed = order(api, "000000201")
    (assignment,) = placed["extension_attributes"]["shipping_assignments"]
    assert assignment["shipping"]["method"] == "flatrate_flatrate"
    assert assignment["shipping"]["address"]["address_type"] == "shipping"
    assert assignment["shipping"]["total"]["shipping_amount"] == 5
    line = placed["items"][0]
    body = {"items": [{"order_item_id": line["item_id"], "qty": 1}]}
    check("POST", "/V1/order/{orderId}/invoice",
          api.post(f"{api.base}/V1/order/{placed['entity_id']}/invoice", json=body))  # fmt: skip
    again = check("GET", "/V1/orders/{id}", api.get(f"{api.base}/V1/orders/{placed['entity_id']}"))
    items = again["extension_attributes"]["shipping_assignments"][0]["items"]
    assert items[0]["qty_invoiced"] == 1
    assert again["updated_at"] >= placed["updated_at"]


def test_shop_seed_has_catalog_customers_and_documents(store):
    placed = order(store, "000000201")
    assert placed["customer_is_guest"] == 0
    assert placed["customer_id"] > 0
    assert all(line["product_id"] > 0 for line in placed["items"])
    assert placed["state"] == "complete"  # invoiced and shipped; one box refunded does not close it
    invoices = check("GET", "/V1/invoices", store.get(store.base + "/V1/invoices",
                     params=criteria([("order_id", placed["entity_id"], "eq")])))  # fmt: skip
    (invoice,) = invoices["items"]
    assert invoice["grand_total"] == placed["grand_total"]
    assert {i["sku"] for i in invoice["items"]} == {"DRILL-18V", "SCREW-100"}
    shipments = check("GET", "/V1/shipments", store.get(store.base + "/V1/shipments",
                      params=criteria([("order_id", placed["entity_id"], "eq")])))  # fmt: skip
    (shipment,) = shipments["items"]
    assert shipment["tracks"][0]["track_number"] == "1Z999AA10123456784"
    assert shipment["total_qty"] == 4
    memos = check("GET", "/V1/creditmemos", store.get(store.base + "/V1/creditmemos",
                  params=criteria([("order_id", placed["entity_id"], "eq")])))  # fmt: skip
    (memo,) = memos["items"]
    assert memo["items"][0]["sku"] == "SCREW-100"
    assert memo["items"][0]["qty"] == 1
    screw = next(line for line in placed["items"] if line["sku"] == "SCREW-100")
    assert memo["subtotal"] == screw["price"]
    assert screw["qty_refunded"] == 1
    shipment_url = f"{store.base}/V1/shipment/{shipment['entity_id']}"
    check("GET", "/V1/shipment/{id}", store.get(shipment_url))
    check("GET", "/V1/creditmemo/{id}",
          store.get(f"{store.base}/V1/creditmemo/{memo['entity_id']}"))  # fmt: skip


def test_ship_refund_and_comment_through_the_api(api):
    placed = order(api, "000000202")
    base = f"{api.base}/V1/order/{placed['entity_id']}"
    early = api.post(base + "/refund", json={})
    assert early.status_code == 400
    assert "without products" in early.json()["message"]
    shipped = api.post(base + "/ship", json={
        "tracks": [{"track_number": "T1", "title": "DHL", "carrier_code": "dhl"}]})  # fmt: skip
    shipment_id = check("POST", "/V1/order/{orderId}/ship", shipped)
    again = api.post(base + "/ship", json={})
    assert again.status_code == 400
    check("POST", "/V1/order/{orderId}/ship", again)
    api.post(base + "/invoice", json={})
    refund = api.post(base + "/refund", json={"arguments": {"shipping_amount": 5}})
    memo_id = check("POST", "/V1/order/{orderId}/refund", refund)
    memo = api.get(f"{api.base}/V1/creditmemo/{memo_id}").json()
    assert memo["grand_total"] == placed["grand_total"]
    closed = api.get(f"{api.base}/V1/orders/{placed['entity_id']}").json()
    assert closed["state"] == "closed"
    assert closed["total_refunded"] == placed["grand_total"]
    assert (
        api.get(f"{api.base}/V1/shipment/{shipment_id}").json()["order_id"] == placed["entity_id"]
    )
    history_entry = {"comment": "Refunded by phone", "is_customer_notified": 0}
    history_entry |= {"is_visible_on_front": 0, "parent_id": placed["entity_id"]}
    comment = {"statusHistory": history_entry}
    added = api.post(f"{api.base}/V1/orders/{placed['entity_id']}/comments", json=comment)
    assert check("POST", "/V1/orders/{id}/comments", added) is True
    history = api.get(f"{api.base}/V1/orders/{placed['entity_id']}/comments")
    assert check("GET", "/V1/orders/{id}/comments", history)["items"][0]["comment"] == (
        "Refunded by phone"
    )


def test_sort_orders_and_filter_groups_on_updated_at(api):
    params = criteria(
        [("updated_at", "2026-11-02 00:00:00", "gteq")],
        [("state", "canceled", "neq")],
        pageSize=5,
    )
    params |= {
        "searchCriteria[sortOrders][0][field]": "updated_at",
        "searchCriteria[sortOrders][0][direction]": "ASC",
        "searchCriteria[sortOrders][1][field]": "entity_id",
        "searchCriteria[sortOrders][1][direction]": "DESC",
    }
    listed = check("GET", "/V1/orders", api.get(api.base + "/V1/orders", params=params))
    keys = [(o["updated_at"], -o["entity_id"]) for o in listed["items"]]
    assert keys == sorted(keys)
    assert listed["total_count"] == len(WEB) - 1
    tied = [o for o in listed["items"] if o["updated_at"] == "2026-11-03 14:22:31"]
    assert [o["increment_id"] for o in tied] == ["000000206", "000000204"]
