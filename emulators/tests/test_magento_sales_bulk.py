"""Orders, invoices and the asynchronous bulk API, over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from connector_emulators import demo_data
from emulator_magento_support import criteria

NO_PRODUCTS = "The invoice can't be created without products. Add products and try again."
VALIDATION = "Invoice Document Validation Error(s):\n"


def order_by_increment(api, increment_id: str) -> dict[str, Any] | None:
    response = api.get(
        f"{api.base}/V1/orders", params=criteria([("increment_id", increment_id, "eq")], pageSize=5)
    )
    assert response.status_code == 200
    items = response.json()["items"]
    return items[0] if items else None


def place_order(shop, increment_id: str, email: str, *items: dict[str, Any]) -> dict[str, Any]:
    """A storefront order placed through the admin route."""
    return shop.admin(
        "POST",
        "/_emulator/orders",
        {"increment_id": increment_id, "customer_email": email, "items": list(items)},
    )


def invoice(api, order_id: int, items: list[dict[str, Any]] | None = None, **extra: Any):
    body = {"capture": False, "notify": False} | extra
    if items is not None:
        body["items"] = items
    return api.post(f"{api.base}/V1/order/{order_id}/invoice", json=body)


# ---------------------------------------------------------------- orders


def test_demo_orders_are_seeded_from_the_demo_business(api):
    customers = {c.customer_id: c for c in demo_data.CUSTOMERS}
    for sales_order in demo_data.SALES_ORDERS:
        order = order_by_increment(api, sales_order.magento_increment_id)
        if not sales_order.in_magento:
            assert order is None
            continue
        assert order is not None
        assert order["customer_email"] == customers[sales_order.customer_id].email
        assert order["state"] == "new"
        assert order["status"] == "pending"
        assert order["store_id"] == 1
        lines = {item["sku"]: item for item in order["items"]}
        assert set(lines) == {line.item_id for line in sales_order.lines}
        for line in sales_order.lines:
            assert lines[line.item_id]["qty_ordered"] == float(line.quantity)
            assert lines[line.item_id]["price"] == float(line.price)
            assert lines[line.item_id]["qty_invoiced"] == 0
        expected_total = sum(float(line.quantity * line.price) for line in sales_order.lines)
        assert order["grand_total"] == pytest.approx(expected_total)


def test_get_order_by_entity_id_and_errors(api):
    order = order_by_increment(api, "000000102")
    assert order is not None
    fetched = api.get(f"{api.base}/V1/orders/{order['entity_id']}").json()
    assert fetched["increment_id"] == "000000102"
    missing = api.get(f"{api.base}/V1/orders/999")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "The entity that was requested doesn't exist. Verify the entity and try again."
    }
    zero = api.get(f"{api.base}/V1/orders/0")
    assert zero.status_code == 400
    assert zero.json() == {"message": "An ID is needed. Set the ID and try again."}
    required = api.get(f"{api.base}/V1/orders")
    assert required.status_code == 400


def test_orders_added_later_through_the_admin_route(shop, api):
    assert order_by_increment(api, "000000104") is None
    placed = place_order(
        shop,
        "000000104",
        "accounts@obrien.example",
        {"sku": "ANCHOR-8", "qty": 20, "price": 4.25, "name": "Wall anchor"},
    )
    order = order_by_increment(api, "000000104")
    assert order is not None
    assert order["entity_id"] == placed["entity_id"]
    assert invoice(api, order["entity_id"]).status_code == 200


# ---------------------------------------------------------------- invoices


def test_full_invoice_answers_a_bare_integer_and_completes_the_lines(api):
    order = order_by_increment(api, "000000101")
    assert order is not None
    response = invoice(api, order["entity_id"])
    assert response.status_code == 200
    assert response.text.strip().isdigit()
    invoice_id = response.json()
    after = api.get(f"{api.base}/V1/orders/{order['entity_id']}").json()
    assert after["state"] == "processing"
    assert all(item["qty_invoiced"] == item["qty_ordered"] for item in after["items"])
    assert after["total_invoiced"] == pytest.approx(order["grand_total"])
    stored = api.get(f"{api.base}/V1/invoices/{invoice_id}").json()
    assert stored["order_id"] == order["entity_id"]
    assert stored["total_qty"] == 11
    assert stored["state"] == 2
    again = invoice(api, order["entity_id"])
    assert again.status_code == 400
    assert again.json() == {
        "message": VALIDATION + NO_PRODUCTS + "\nThe order does not allow an invoice to be created."
    }


def test_partial_invoices_until_complete_and_comments(api):
    order = order_by_increment(api, "000000102")
    assert order is not None
    [line] = order["items"]
    first = invoice(
        api,
        order["entity_id"],
        [{"order_item_id": line["item_id"], "qty": 1}],
        appendComment=True,
        notify=True,
        comment={"comment": "Intacct INV-0002", "is_visible_on_front": 0},
    )
    assert first.status_code == 200
    stored = api.get(f"{api.base}/V1/invoices/{first.json()}").json()
    assert stored["comments"][0]["comment"] == "Intacct INV-0002"
    assert stored["comments"][0]["is_customer_notified"] == 1
    assert stored["items"][0]["qty"] == 1
    over = invoice(api, order["entity_id"], [{"order_item_id": line["item_id"], "qty": 2}])
    assert over.status_code == 400
    assert over.json() == {
        "message": 'We found an invalid quantity to invoice item "%1".',
        "parameters": ['Circular saw "Pro" 1400W'],
    }
    rest = invoice(api, order["entity_id"], [{"order_item_id": line["item_id"], "qty": 1}])
    assert rest.status_code == 200
    after = api.get(f"{api.base}/V1/orders/{order['entity_id']}").json()
    assert after["items"][0]["qty_invoiced"] == 2
    listed = api.get(
        f"{api.base}/V1/invoices",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "order_id",
            "searchCriteria[filter_groups][0][filters][0][value]": str(order["entity_id"]),
        },
    ).json()
    assert listed["total_count"] == 2
    assert sorted(i["entity_id"] for i in listed["items"]) == sorted([first.json(), rest.json()])


def test_unknown_items_and_zero_quantities(api):
    order = order_by_increment(api, "000000103")
    assert order is not None
    unknown = invoice(api, order["entity_id"], [{"order_item_id": -1, "qty": 1}])
    assert unknown.status_code == 400
    assert unknown.json() == {"message": VALIDATION + NO_PRODUCTS}
    zero = invoice(
        api, order["entity_id"], [{"order_item_id": order["items"][0]["item_id"], "qty": 0}]
    )
    assert zero.json() == {"message": VALIDATION + NO_PRODUCTS}
    # Unknown lines next to known ones are ignored, as Magento builds the invoice from the order.
    mixed = invoice(
        api,
        order["entity_id"],
        [
            {"order_item_id": -1, "qty": 1},
            {"order_item_id": order["items"][1]["item_id"], "qty": 1},
        ],
    )
    assert mixed.status_code == 200
    missing_qty = invoice(api, order["entity_id"], [{"order_item_id": 5, "quantity": 1}])
    assert missing_qty.status_code == 400
    assert missing_qty.json()["parameters"] == {"fieldName": "Quantity"}
    no_order = invoice(api, 999)
    assert no_order.status_code == 404


def test_state_rules(shop, api):
    order = order_by_increment(api, "000000105")
    assert order is not None
    order_url = f"{api.base}/V1/orders/{order['entity_id']}"
    assert api.post(f"{order_url}/hold").json() is True
    held = invoice(api, order["entity_id"])
    assert held.json() == {
        "message": VALIDATION + "An invoice cannot be created when an order has a status of holded"
    }
    assert api.post(f"{order_url}/unhold").json() is True
    assert api.post(f"{order_url}/unhold").status_code == 400
    assert api.post(f"{order_url}/cancel").json() is True
    canceled = invoice(api, order["entity_id"])
    assert canceled.json() == {
        "message": VALIDATION + NO_PRODUCTS
        + "\nAn invoice cannot be created when an order has a status of canceled"
    }  # fmt: skip
    other = order_by_increment(api, "000000103")
    assert other is not None
    shop.admin("POST", f"/_emulator/orders/{other['entity_id']}/state", {"state": "closed"})
    closed = invoice(api, other["entity_id"])
    assert closed.json()["message"].endswith("has a status of closed")


def test_virtual_order_fully_invoiced_is_complete(shop, api):
    placed = place_order(
        shop,
        "000000200",
        "grace@bab.example",
        {"sku": "INSTALL-HR", "qty": 2, "price": 65, "product_type": "virtual"},
    )
    assert invoice(api, placed["entity_id"]).status_code == 200
    after = api.get(f"{api.base}/V1/orders/{placed['entity_id']}").json()
    assert (after["state"], after["status"]) == ("complete", "complete")


# ---------------------------------------------------------------- bulk


def bulk_url(api, path: str) -> str:
    return api.base.replace("/rest/default", "/rest/all") + "/async/bulk" + path


def customer(email: str) -> dict[str, Any]:
    return {"customer": {"email": email, "firstname": "Bulk", "lastname": "Load"}}


def test_bulk_customers_are_accepted_then_processed(api):
    response = api.post(
        bulk_url(api, "/V1/customers"),
        json=[customer("b1@example.com"), customer("b2@example.com"), customer("b1@example.com")],
    )
    assert response.status_code == 202
    body = response.json()
    assert body["errors"] is False
    assert [item["status"] for item in body["request_items"]] == ["accepted"] * 3
    assert [item["id"] for item in body["request_items"]] == [0, 1, 2]
    status = api.get(f"{api.base}/V1/bulk/{body['bulk_uuid']}/status").json()
    assert [op["status"] for op in status["operations_list"]] == [1, 1, 3]
    assert status["operations_list"][2]["result_message"] == (
        "A customer with the same email address already exists in an associated website."
    )
    assert status["operation_count"] == 3
    detailed = api.get(f"{api.base}/V1/bulk/{body['bulk_uuid']}/detailed-status").json()
    assert detailed["operations_list"][0]["topic_name"].startswith("async.magento.customer")
    failed = api.get(f"{api.base}/V1/bulk/{body['bulk_uuid']}/operation-status/3").json()
    assert failed == 1
    assert api.get(f"{api.base}/V1/bulk/{body['bulk_uuid']}/operation-status/1").json() == 2


def test_the_consumer_runs_bulks_without_a_status_read(shop, api):
    body = api.post(bulk_url(api, "/V1/customers"), json=[customer("bg@example.com")]).json()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if shop.admin("GET", "/_emulator/dump")["customers"]:
            break
        time.sleep(0.05)
    assert [c["email"] for c in shop.admin("GET", "/_emulator/dump")["customers"]] == [
        "bg@example.com"
    ]
    assert body["bulk_uuid"]


def test_bulk_products_by_sku_and_categories(api):
    categories = api.post(
        bulk_url(api, "/V1/categories"),
        json=[{"category": {"name": "Tools"}}, {"category": {"name": "Garden"}}],
    ).json()
    status = api.get(f"{api.base}/V1/bulk/{categories['bulk_uuid']}/status").json()
    assert [op["status"] for op in status["operations_list"]] == [1, 1]
    products = api.put(
        bulk_url(api, "/V1/products/bySku"),
        json=[
            {"product": {"sku": "HAMMER-1", "name": "Claw hammer", "price": 19.95}},
            {"product": {"sku": "HAMMER-2", "name": "Claw hammer", "price": 24.95}},
        ],
    ).json()
    detailed = api.get(f"{api.base}/V1/bulk/{products['bulk_uuid']}/detailed-status").json()
    assert [op["status"] for op in detailed["operations_list"]] == [1, 3]
    assert detailed["operations_list"][1]["result_message"] == (
        "URL key for specified store already exists."
    )
    assert api.get(f"{api.base}/V1/products/HAMMER-1").status_code == 200


def test_bulk_structural_errors_refuse_everything(shop, api):
    response = api.post(
        bulk_url(api, "/V1/customers"),
        json=[customer("ok@example.com"), {"customer": {"email": "x@example.com", "nope": 1}}],
    )
    assert response.status_code == 400
    assert response.json()["parameters"] == {"fieldName": "Nope"}
    time.sleep(0.3)
    assert shop.admin("GET", "/_emulator/dump")["customers"] == []
    get = api.get(bulk_url(api, "/V1/customers"))
    assert get.status_code == 400
    assert get.json() == {"message": "Specified request cannot be processed."}
    unknown = api.get(f"{api.base}/V1/bulk/00000000-0000-0000-0000-000000000000/status")
    assert unknown.status_code == 404


def test_single_async_request(api):
    response = api.post(api.base + "/async/V1/customers", json=customer("single@example.com"))
    assert response.status_code == 202
    body = response.json()
    assert len(body["request_items"]) == 1
    status = api.get(f"{api.base}/V1/bulk/{body['bulk_uuid']}/status").json()
    assert status["operations_list"][0]["status"] == 1
