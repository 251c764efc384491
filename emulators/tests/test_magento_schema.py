"""Response bodies validated against Magento's published 2.4.8 admin schema (`magento_contract`).

Every answer of every Magento test is checked by the autouse fixture in conftest.py; these tests
name the operation explicitly and show the check itself refuses what it must.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jsonschema
import pytest
import requests
from emulator_magento_support import ADMIN
from magento_contract import ASYNC_RESPONSE, SCHEMA_FILE, check, check_answer, validate

pytestmark = pytest.mark.skipif(not SCHEMA_FILE.exists(), reason="Magento OpenAPI file not present")


def test_the_tightened_schema_rejects_invented_fields():
    schema = {"$ref": "#/definitions/customer-data-customer-interface"}
    good = {"email": "a@example.com", "firstname": "A", "lastname": "B"}
    validate(good, schema)
    validate(good | {"email": None}, schema)  # required getters may hold null
    with pytest.raises(jsonschema.ValidationError):
        validate(good | {"loyalty": "Gold"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        validate(good | {"firstname": 5}, schema)
    with pytest.raises(jsonschema.ValidationError):
        validate(good | {"middlename": None}, schema)


def test_the_watch_names_answers_outside_the_schema():
    invented = b'{"items": [], "total_count": 0, "search_criteria": {"filter_groups": []}, "x": 1}'
    assert "'x' was unexpected" in str(check_answer("GET", "/rest/V1/orders", 200, invented))
    assert check_answer("GET", "/rest/V1/orders/items", 200, b'{"items": []}') is not None
    unrouted = check_answer("GET", "/rest/V1/nothing/here", 200, b"{}")
    assert unrouted is not None and "no such operation" in unrouted
    assert check_answer("GET", "/rest/V1/nothing/here", 404, b'{"message": "No."}') is None
    assert check_answer("GET", "/rest/V1/orders/1", 404, b'{"detail": "No."}') is not None


def test_token_and_directory_bodies(api):
    token = requests.post(
        api.base.replace("/rest/default", "/rest") + "/V1/integration/admin/token", json=ADMIN
    )
    check("POST", "/V1/integration/admin/token", token)
    wrong = requests.post(
        api.base + "/V1/integration/admin/token", json={"username": "admin", "password": "x"}
    )
    check("POST", "/V1/integration/admin/token", wrong)
    check("GET", "/V1/directory/countries", api.get(api.base + "/V1/directory/countries"))
    check(
        "GET",
        "/V1/directory/countries/{countryId}",
        api.get(api.base + "/V1/directory/countries/US"),
    )


def test_customer_bodies(api):
    body = {
        "customer": {
            "email": "schema@example.com",
            "firstname": "Sche",
            "lastname": "Ma",
            "extension_attributes": {"is_subscribed": False},
            "addresses": [
                {
                    "firstname": "Sche", "lastname": "Ma", "street": ["1 Quay Road"],
                    "city": "Dublin", "country_id": "IE", "telephone": "1",
                    "default_billing": True,
                },
                {
                    "firstname": "Sche", "lastname": "Ma", "street": ["500 Market St"],
                    "city": "San Francisco", "country_id": "US", "region_id": 12,
                    "postcode": "94105", "telephone": "1", "default_shipping": True,
                },
            ],
        }
    }  # fmt: skip
    created = check("POST", "/V1/customers", api.post(api.base + "/V1/customers", json=body))
    customer_url = f"{api.base}/V1/customers/{created['id']}"
    check("GET", "/V1/customers/{customerId}", api.get(customer_url))
    put = api.put(customer_url, json={"customer": {"lastname": "Updated"}})
    check("PUT", "/V1/customers/{customerId}", put)
    search = api.get(
        api.base + "/V1/customers/search",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "email",
            "searchCriteria[filter_groups][0][filters][0][value]": "schema@example.com",
            "searchCriteria[sortOrders][0][field]": "email",
            "searchCriteria[sortOrders][0][direction]": "ASC",
            "searchCriteria[pageSize]": "10",
            "searchCriteria[currentPage]": "1",
        },
    )
    assert check("GET", "/V1/customers/search", search)["total_count"] == 1
    for error in (
        api.post(api.base + "/V1/customers", json=body),  # duplicate
        api.post(api.base + "/V1/customers", json={"customer": {"email": "z@example.com"}}),
        api.get(api.base + "/V1/customers/search"),
    ):
        assert error.status_code == 400
        check("POST", "/V1/customers", error)
    check("GET", "/V1/customers/{customerId}", api.get(api.base + "/V1/customers/999"))
    check("GET", "/V1/customers/search", requests.get(api.base + "/V1/customers/search"))


def test_category_bodies(api):
    all_scope = api.base.replace("/rest/default", "/rest/all")
    created = api.post(all_scope + "/V1/categories", json={"category": {"name": "Hardware"}})
    category = check("POST", "/V1/categories", created)
    child = api.post(
        all_scope + "/V1/categories",
        json={"category": {"name": "Fasteners", "parent_id": category["id"]}},
    )
    check("POST", "/V1/categories", child)
    check(
        "GET", "/V1/categories/{categoryId}", api.get(f"{all_scope}/V1/categories/{category['id']}")
    )
    check(
        "PUT",
        "/V1/categories/{id}",
        api.put(f"{all_scope}/V1/categories/{category['id']}", json={"category": {"name": "HW"}}),
    )
    check("GET", "/V1/categories", api.get(all_scope + "/V1/categories"))
    check(
        "GET",
        "/V1/categories/list",
        api.get(all_scope + "/V1/categories/list", params={"searchCriteria[pageSize]": "5"}),
    )
    clash = api.post(all_scope + "/V1/categories", json={"category": {"name": "Hardware"}})
    assert clash.status_code == 400
    check("POST", "/V1/categories", clash)


def test_product_bodies(api):
    all_scope = api.base.replace("/rest/default", "/rest/all")
    category = api.post(all_scope + "/V1/categories", json={"category": {"name": "Tools"}}).json()
    product = {
        "sku": "DRILL-18V",
        "name": "Cordless drill 18V",
        "price": 129,
        "weight": 1.8,
        "status": 1,
        "visibility": 4,
        "type_id": "simple",
        "attribute_set_id": 4,
        "extension_attributes": {
            "website_ids": [1],
            "category_links": [{"category_id": str(category["id"]), "position": 0}],
            "stock_item": {"qty": 5, "is_in_stock": True},
        },
        "custom_attributes": [
            {"attribute_code": "description", "value": "Brushless"},
            {"attribute_code": "url_key", "value": "cordless-drill-18v"},
        ],
    }
    check("POST", "/V1/products", api.post(all_scope + "/V1/products", json={"product": product}))
    check(
        "PUT",
        "/V1/products/{sku}",
        api.put(all_scope + "/V1/products/DRILL-18V", json={"product": {"price": 119}}),
    )
    check("GET", "/V1/products/{sku}", api.get(all_scope + "/V1/products/DRILL-18V"))
    check("GET", "/V1/products", api.get(all_scope + "/V1/products", params={"searchCriteria": ""}))
    check("GET", "/V1/products/{sku}", api.get(all_scope + "/V1/products/NOPE"))
    bad = api.post(all_scope + "/V1/products", json={"product": {"sku": "X", "price": "abc"}})
    check("POST", "/V1/products", bad)


def test_order_and_invoice_bodies(api):
    orders = check(
        "GET", "/V1/orders", api.get(api.base + "/V1/orders", params={"searchCriteria": ""})
    )
    order = orders["items"][0]
    check("GET", "/V1/orders/{id}", api.get(f"{api.base}/V1/orders/{order['entity_id']}"))
    line = order["items"][0]
    created = api.post(
        f"{api.base}/V1/order/{order['entity_id']}/invoice",
        json={
            "capture": False,
            "notify": True,
            "appendComment": True,
            "comment": {"comment": "INV-0001", "is_visible_on_front": 0},
            "items": [{"order_item_id": line["item_id"], "qty": 1}],
        },
    )
    invoice_id = check("POST", "/V1/order/{orderId}/invoice", created)
    check("GET", "/V1/invoices/{id}", api.get(f"{api.base}/V1/invoices/{invoice_id}"))
    check("GET", "/V1/invoices", api.get(api.base + "/V1/invoices", params={"searchCriteria": ""}))
    check("GET", "/V1/orders/{id}", api.get(f"{api.base}/V1/orders/{order['entity_id']}"))
    over = api.post(
        f"{api.base}/V1/order/{order['entity_id']}/invoice",
        json={"items": [{"order_item_id": line["item_id"], "qty": 999}]},
    )
    check("POST", "/V1/order/{orderId}/invoice", over)
    check("GET", "/V1/orders/{id}", api.get(f"{api.base}/V1/orders/999"))


def test_bulk_bodies(api):
    accepted = api.post(
        api.base + "/async/bulk/V1/customers",
        json=[
            {"customer": {"email": "b@example.com", "firstname": "B", "lastname": "Ulk"}},
            {"customer": {"email": "b@example.com", "firstname": "B", "lastname": "Ulk"}},
        ],
    )
    assert accepted.status_code == 202
    jsonschema.validate(accepted.json(), ASYNC_RESPONSE)
    uuid = accepted.json()["bulk_uuid"]
    check("GET", "/V1/bulk/{bulkUuid}/status", api.get(f"{api.base}/V1/bulk/{uuid}/status"))
    detailed = api.get(f"{api.base}/V1/bulk/{uuid}/detailed-status")
    check("GET", "/V1/bulk/{bulkUuid}/detailed-status", detailed)
    count = api.get(f"{api.base}/V1/bulk/{uuid}/operation-status/3")
    assert check("GET", "/V1/bulk/{bulkUuid}/operation-status/{status}", count) == 1
    refused = api.post(api.base + "/async/bulk/V1/customers", json=[{"customer": {"x": 1}}])
    validate(refused.json(), {"$ref": "#/definitions/error-response"})


def test_the_interface_table_is_the_schema_s():
    """`interfaces.txt` is what `scripts/magento_interfaces.py` derives from the schema now."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "magento_interfaces.py"
    spec = importlib.util.spec_from_file_location("magento_interfaces", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TARGET.read_text() == module.render()
