"""Each stream's schema is Adobe's published definition of the entity (2.4.8 admin REST)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tap_magento.objects import OBJECTS
from tap_magento.tap import stream_schema

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "shared" / "magento" / "admin-schema-2.4.8.json"
DEFINITIONS = {
    "orders": "sales-data-order-interface",
    "invoices": "sales-data-invoice-interface",
    "creditmemos": "sales-data-creditmemo-interface",
    "shipments": "sales-data-shipment-interface",
    "customers": "customer-data-customer-interface",
    "products": "catalog-data-product-interface",
    "categories": "catalog-data-category-interface",
}
JSON_TYPES = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean",
              "array": "array", "object": "object"}  # fmt: skip

pytestmark = pytest.mark.skipif(not SCHEMA_FILE.exists(), reason="Magento OpenAPI not present")


def check(ours: dict, definition: dict, definitions: dict, path: str) -> int:
    """Every property of ours is in Adobe's definition with the same type; answers the count."""
    checked = 0
    for name, prop in (ours.get("properties") or {}).items():
        theirs = definition["properties"].get(name)
        assert theirs is not None, f"{path}.{name} is not in Adobe's definition"
        kind = next(t for t in prop["type"] if t != "null")
        if "$ref" in theirs:
            assert kind == "object", f"{path}.{name}"
            target = definitions[theirs["$ref"].split("/")[-1]]
            checked += check(prop, target, definitions, f"{path}.{name}")
        else:
            assert kind == JSON_TYPES[theirs["type"]], f"{path}.{name}"
            items = theirs.get("items", {})
            if kind == "array" and "$ref" in items:
                target = definitions[items["$ref"].split("/")[-1]]
                checked += check(prop["items"], target, definitions, f"{path}.{name}[]")
        checked += 1
    return checked


def test_every_field_and_type_comes_from_adobes_definition():
    definitions = json.loads(SCHEMA_FILE.read_text())["definitions"]
    assert {spec.stream for spec in OBJECTS} == set(DEFINITIONS)
    for spec in OBJECTS:
        schema = stream_schema(spec)
        definition = definitions[DEFINITIONS[spec.stream]]
        assert check(schema, definition, definitions, spec.stream) > 10
        required = set(definition.get("required", [])) - {"items"}
        assert required <= set(schema["properties"]), spec.stream
        assert schema["properties"]["updated_at"]["format"] == "date-time"
