"""Categories and products, over real HTTP."""

from __future__ import annotations

from typing import Any

import requests
from emulator_magento_support import criteria, url

# ---------------------------------------------------------------- categories


def category(api, name: str, store: str = "all", **fields: Any) -> requests.Response:
    return api.post(url(api, "/V1/categories", store), json={"category": {"name": name, **fields}})


def test_category_create_defaults_to_root_two_and_derives_url_key(api):
    response = category(api, "Fasteners & Fixings")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["parent_id"] == 2
    assert body["level"] == 2
    assert body["path"] == f"1/2/{body['id']}"
    custom = {a["attribute_code"]: a["value"] for a in body["custom_attributes"]}
    assert custom["url_key"] == "fasteners-and-fixings"
    child = category(api, "Stainless <A4> screws", parent_id=body["id"]).json()
    assert child["path"] == f"1/2/{body['id']}/{child['id']}"
    parent = api.get(url(api, f"/V1/categories/{body['id']}", "all")).json()
    assert parent["children"] == str(child["id"])


def test_category_url_key_clash_and_unknown_parent(api):
    first = category(api, "Tools").json()
    clash = category(api, "Tools")
    assert clash.status_code == 400
    assert clash.json() == {
        "message": "Could not save category: %1",
        "parameters": ["URL key for specified store already exists."],
    }
    # The same name under another parent has another URL path: accepted.
    assert category(api, "Tools", parent_id=first["id"]).status_code == 200
    explicit = category(
        api, "Tools", custom_attributes=[{"attribute_code": "url_key", "value": "tools-2"}]
    )
    assert explicit.status_code == 200
    orphan = category(api, "Orphan", parent_id=999)
    assert orphan.status_code == 404
    assert orphan.json()["parameters"] == {"fieldName": "id", "fieldValue": 999}


def test_category_update_ignores_parent_and_move_changes_it(api):
    hardware = category(api, "Hardware").json()
    tools = category(api, "Tools").json()
    updated = api.put(
        url(api, f"/V1/categories/{tools['id']}", "all"),
        json={"category": {"name": "Power Tools", "parent_id": hardware["id"], "level": 9}},
    ).json()
    assert updated["name"] == "Power Tools"
    assert updated["parent_id"] == 2
    assert updated["level"] == 2
    moved = api.put(
        url(api, f"/V1/categories/{tools['id']}/move", "all"),
        json={"parentId": hardware["id"], "afterId": 0},
    )
    assert moved.status_code == 200
    assert moved.json() is True
    after = api.get(url(api, f"/V1/categories/{tools['id']}", "all")).json()
    assert after["parent_id"] == hardware["id"]
    assert after["path"] == f"1/2/{hardware['id']}/{tools['id']}"
    loop = api.put(
        url(api, f"/V1/categories/{hardware['id']}/move", "all"), json={"parentId": tools["id"]}
    )
    assert loop.status_code == 400
    assert loop.json() == {  # CategoryManagement::move
        "message": "Operation do not allow to move a parent category to any of children category"
    }
    tree = api.get(url(api, "/V1/categories", "all")).json()
    assert tree["id"] == 2
    [top] = tree["children_data"]
    assert top["children_data"][0]["id"] == tools["id"]
    listed = api.get(
        url(api, "/V1/categories/list", "all"), params=criteria([("name", "Power Tools", "eq")])
    ).json()
    assert listed["total_count"] == 1


def test_root_categories_cannot_be_deleted(api):
    response = api.delete(url(api, "/V1/categories/2", "all"))
    assert response.status_code == 400
    assert response.json() == {"message": "Cannot delete category with id %1", "parameters": ["2"]}


# ---------------------------------------------------------------- products


def product(api, sku: str, store: str = "all", **fields: Any) -> requests.Response:
    body = {"sku": sku, "name": f"Product {sku}", "price": 10, "attribute_set_id": 4} | fields
    return api.post(url(api, "/V1/products", store), json={"product": body, "saveOptions": True})


def test_product_upsert_by_sku(api):
    created = product(api, "SCREW-100", name="Wood screw", price=7.49)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["type_id"] == "simple"
    assert body["extension_attributes"]["website_ids"] == [1]
    again = product(api, "SCREW-100", name="Wood screw (box)", price=8)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert again.json()["price"] == 8
    listed = api.get(url(api, "/V1/products", "all"), params={"searchCriteria": ""}).json()
    assert listed["total_count"] == 1


def test_product_put_creates_and_path_sku_wins(api):
    response = api.put(
        url(api, "/V1/products/DRILL-18V", "all"),
        json={"product": {"sku": "OTHER", "name": "Cordless drill", "price": 129}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["sku"] == "DRILL-18V"
    assert api.get(url(api, "/V1/products/OTHER", "all")).status_code == 404
    partial = api.put(url(api, "/V1/products/DRILL-18V", "all"), json={"product": {"price": 99}})
    assert partial.json()["name"] == "Cordless drill"
    assert partial.json()["price"] == 99


def test_product_errors(api):
    missing = api.get(url(api, "/V1/products/NOPE", "all"))
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "The product that was requested doesn't exist. Verify the product and try again."
    }
    no_name = api.post(url(api, "/V1/products", "all"), json={"product": {"sku": "A", "price": 1}})
    assert no_name.json() == {
        "message": 'The "Product Name" attribute value is empty. Set the attribute and try again.'
    }
    no_price = api.post(
        url(api, "/V1/products", "all"), json={"product": {"sku": "A", "name": "A"}}
    )
    assert no_price.json()["message"].startswith('The "Price" attribute value is empty.')
    bad_price = product(api, "B", price="invalid_format")
    assert bad_price.status_code == 400
    assert bad_price.json() == {
        "message": 'Error occurred during "%field_name" processing. %details',
        "parameters": {
            "field_name": "price",
            "details": 'The "invalid_format" value\'s type is invalid. The "float" type was'
            " expected. Verify and try again.",
        },
    }
    wrong_set = product(api, "C", attribute_set_id=9)
    assert wrong_set.json() == {
        "message": "Invalid product data: %1",
        "parameters": ["Invalid attribute set entity type"],
    }
    long_sku = product(api, "S" * 65)
    assert long_sku.json()["message"] == "SKU length should be 64 characters maximum."
    unknown_category = product(
        api, "D", extension_attributes={"category_links": [{"category_id": "999"}]}
    )
    assert unknown_category.status_code == 400
    assert (
        unknown_category.json()["message"]
        == "The product was unable to be saved. Please try again."
    )


def test_product_url_key_clash_and_explicit_keys(api):
    assert product(api, "HAMMER-1", name="Claw hammer").status_code == 200
    clash = product(api, "HAMMER-2", name="Claw hammer")
    assert clash.status_code == 400
    assert clash.json() == {"message": "URL key for specified store already exists."}
    assert api.get(url(api, "/V1/products/HAMMER-2", "all")).status_code == 404
    unique = product(
        api,
        "HAMMER-2",
        name="Claw hammer",
        custom_attributes=[{"attribute_code": "url_key", "value": "claw-hammer-hammer-2"}],
    )
    assert unique.status_code == 200
    # Products not visible individually have no URL rewrite, hence no clash.
    hidden = product(api, "HAMMER-3", name="Claw hammer", visibility=1)
    assert hidden.status_code == 200
    # A category holding the same request path also clashes.
    category(api, "Garden")
    assert product(api, "HOSE", name="Garden").json() == clash.json()


def test_product_extension_attributes_and_search(api):
    garden = category(api, "Garden").json()
    response = product(
        api,
        "HOSE-25",
        name="Manguera de jardín 25 m",
        weight=2.3,
        status=2,
        extension_attributes={
            "category_links": [{"category_id": str(garden["id"]), "position": 0}],
            "stock_item": {"qty": 12, "is_in_stock": True},
            "website_ids": [1],
        },
        custom_attributes=[{"attribute_code": "description", "value": "<p>Hose</p>"}],
    )
    body = response.json()
    assert body["extension_attributes"]["category_links"] == [
        {"position": 0, "category_id": str(garden["id"])}
    ]
    assert body["extension_attributes"]["stock_item"]["qty"] == 12
    custom = {a["attribute_code"]: a["value"] for a in body["custom_attributes"]}
    assert custom["url_key"] == "manguera-de-jardin-25-m"
    assert custom["description"] == "<p>Hose</p>"
    product(api, "GNOME-1", name="Gartenzwerg")
    found = api.get(
        url(api, "/V1/products", "all"),
        params=criteria([("url_key", "manguera-de-jardin-25-m", "eq")], [("status", 2, "eq")]),
    ).json()
    assert [p["sku"] for p in found["items"]] == ["HOSE-25"]
    tree = api.get(url(api, "/V1/categories", "all")).json()
    assert tree["children_data"][0]["product_count"] == 1


def test_products_filter_by_category_id(api):
    tools = category(api, "Tools").json()
    garden = category(api, "Garden").json()
    for sku, target in (("HAMMER-1", tools), ("HOSE-25", garden), ("SAW", tools)):
        links = [{"category_id": str(target["id"]), "position": 0}]
        product(api, sku, extension_attributes={"category_links": links})
    product(api, "LOOSE")

    def skus(value, condition="eq"):
        params = criteria([("category_id", value, condition)])
        return [
            p["sku"]
            for p in api.get(url(api, "/V1/products", "all"), params=params).json()["items"]
        ]

    assert skus(tools["id"]) == ["HAMMER-1", "SAW"]
    assert skus(f"{tools['id']},{garden['id']}", "in") == ["HAMMER-1", "HOSE-25", "SAW"]
    assert skus(tools["id"], "nin") == ["HOSE-25", "LOOSE"]


def test_fields_parameter_answers_a_partial_response(api):
    product(api, "A-1", extension_attributes={"stock_item": {"qty": 4, "is_in_stock": True}})
    body = api.get(
        url(api, "/V1/products", "all"),
        params={
            "searchCriteria": "",
            "fields": "items[sku,price,extension_attributes[stock_item[qty]]],total_count",
        },
    ).json()
    assert body == {
        "items": [{"sku": "A-1", "price": 10, "extension_attributes": {"stock_item": {"qty": 4}}}],
        "total_count": 1,
    }


def test_store_view_writes_keep_admin_values(api):
    product(api, "SCOPE-1", name="Admin name", price=5)
    api.put(
        url(api, "/V1/products/SCOPE-1", "default"),
        json={"product": {"name": "Store name", "price": 6}},
    )

    def seen(store):
        body = api.get(url(api, "/V1/products/SCOPE-1", store)).json()
        return body["name"], body["price"]

    assert seen("all") == ("Admin name", 6)  # price is global, the name is per store view
    assert seen("default") == ("Store name", 6)
    assert seen(None) == ("Store name", 6)
    # Created through the store view: later admin edits do not reach the store view.
    product(api, "SCOPE-2", store="default", name="First name")
    product(api, "SCOPE-2", store="all", name="Admin edit")
    assert api.get(url(api, "/V1/products/SCOPE-2", "default")).json()["name"] == "First name"
    assert api.get(url(api, "/V1/products/SCOPE-2", "all")).json()["name"] == "Admin edit"


def test_deleting_a_category_unlinks_its_products(api):
    tools = category(api, "Tools").json()
    power = category(api, "Power tools", parent_id=tools["id"]).json()
    links = [{"category_id": str(power["id"]), "position": 0}]
    product(api, "DRILL", extension_attributes={"category_links": links})
    assert api.delete(url(api, f"/V1/categories/{tools['id']}", "all")).json() is True
    assert api.get(url(api, f"/V1/categories/{power['id']}", "all")).status_code == 404
    drill = api.get(url(api, "/V1/products/DRILL", "all")).json()
    assert drill["extension_attributes"]["category_links"] == []
    # Their URL keys are free again.
    assert category(api, "Tools").status_code == 200


def test_category_ids_custom_attribute_assigns_categories(api):
    tools = category(api, "Tools").json()
    body = product(
        api,
        "SAW-CIRC",
        custom_attributes=[{"attribute_code": "category_ids", "value": [str(tools["id"])]}],
    ).json()
    assert body["extension_attributes"]["category_links"] == [
        {"position": 0, "category_id": str(tools["id"])}
    ]
    assert "category_ids" not in {a["attribute_code"] for a in body["custom_attributes"]}
