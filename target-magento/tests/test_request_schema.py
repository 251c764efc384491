"""Every request body the target sends validates against Magento's published 2.4.8 OpenAPI.

Definitions are tightened with `additionalProperties: false` so that a misspelt field fails here
instead of becoming a 400 "is not supported" in a real shop.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
from target_magento_support import (
    customer_records,
    demo_messages,
    item_records,
    product_line_records,
    stream_messages,
)

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "shared" / "magento" / "admin-schema-2.4.8.json"
STORE_PREFIX = re.compile(r"^/rest/[^/]+")


@pytest.fixture(scope="module")
def openapi() -> dict:
    document = json.loads(SCHEMA_FILE.read_text())
    strict = copy.deepcopy(document["definitions"])
    for definition in strict.values():
        if isinstance(definition, dict) and "properties" in definition:
            definition["additionalProperties"] = False
    document["definitions"] = strict
    return document


def body_schema(openapi: dict, method: str, path: str) -> dict:
    """The body schema of the OpenAPI operation whose path template matches `path`."""
    for template, operations in openapi["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            for parameter in operations[method.lower()].get("parameters", []):
                if parameter.get("in") == "body":
                    return {**parameter["schema"], "definitions": openapi["definitions"]}
    raise AssertionError(f"{method} {path} is not in Magento's OpenAPI")


def validate(openapi: dict, method: str, path: str, body: object) -> None:
    if path.startswith("/async/bulk"):
        # Bulk routes are generated from the synchronous ones: one body per element.
        schema = body_schema(openapi, method, "/V1/products/SKU")
        assert isinstance(body, list)
        for element in body:
            jsonschema.Draft4Validator(schema).validate(element)
        return
    jsonschema.Draft4Validator(body_schema(openapi, method, path)).validate(body)


def test_request_bodies_match_the_openapi(harness, openapi):
    sent: list[tuple[str, str, object]] = []

    def capture(response, *args, **kwargs):
        request = response.request
        if request.body:
            path = STORE_PREFIX.sub("", request.path_url.split("?", 1)[0])
            sent.append((request.method, path, json.loads(request.body)))

    def prepare(client):
        client.session.hooks["response"].append(capture)

    harness.run(demo_messages(), prepare=prepare)
    # A second run that changes a customer, moves and renames a product line, reprices items.
    customers = customer_records()
    customers[0]["DISPLAYCONTACT.MAILADDRESS.CITY"] = "Chicago"
    lines = product_line_records()
    lines[4].update(PARENTLINE="HW", DESCRIPTION="Power tools & drills")
    items = [dict(item, BASEPRICE=item["BASEPRICE"] + 1) for item in item_records()]
    changes = [
        *stream_messages("customers", customers),
        *stream_messages("product_lines", lines),
        *stream_messages("items", items),
    ]
    harness.run(changes, prepare=prepare, use_bulk_api=True, bulk_threshold=1)
    methods = {(method, re.sub(r"/\d+", "/{id}", path)) for method, path, _ in sent}
    assert ("POST", "/V1/customers") in methods
    assert ("PUT", "/V1/customers/{id}") in methods
    assert ("POST", "/V1/categories") in methods
    assert ("PUT", "/V1/categories/{id}") in methods
    assert ("PUT", "/V1/categories/{id}/move") in methods
    assert ("POST", "/V1/order/{id}/invoice") in methods
    assert ("PUT", "/async/bulk/V1/products/bySku") in methods
    assert any(method == "PUT" and path.startswith("/V1/products/") for method, path in methods)
    for method, path, body in sent:
        validate(openapi, method, path, body)


def test_the_strict_schema_does_catch_mistakes(openapi):
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "POST", "/V1/customers", {"customer": {"email": "a@b.c", "nmae": "x"}})
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "POST", "/V1/order/1/invoice", {"items": [{"order_item_id": "one"}]})
