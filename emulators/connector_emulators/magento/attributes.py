"""EAV attributes of products and categories, their options, and the catalogue's fixed lists.

Each attribute of a fresh install is one row of `PRODUCT_ATTRIBUTES` / `CATEGORY_ATTRIBUTES`:
code, frontend input, backend type, label, required, scope, and for a dropdown its options
(value, label). Rows are stored in the `attributes` table on reset, so attributes and options a
client adds (`POST /V1/products/attributes`, `.../options`) live with the shop. Every attribute
is in the default attribute set of its entity, in the set's "General" group.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from . import search
from .common import Call, format_url_key
from .errors import MagentoError, input_error, invalid_value, no_such_entity, required
from .store import Store

PRODUCT_ENTITY_TYPE = "4"
CATEGORY_ENTITY_TYPE = "3"
ATTRIBUTE_NOT_FOUND = (
    'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.'
)
FIELDS = search.Fields(numeric=frozenset({"attribute_id"}))
SELECT_INPUTS = frozenset({"select", "multiselect", "boolean"})
YES_NO = ((1, "Yes"), (0, "No"))
TAX_CLASS_OPTIONS = ((0, "None"), (2, "Taxable Goods"))
VISIBILITY = (
    (1, "Not Visible Individually"),
    (2, "Catalog"),
    (3, "Search"),
    (4, "Catalog, Search"),
)

# code, input, backend type, label, required, scope, options ((value, label), ...)
Row = tuple[str, str, str, str, bool, str, tuple[tuple[int, str], ...]]
PRODUCT_ATTRIBUTES: tuple[Row, ...] = (
    ("name", "text", "varchar", "Product Name", True, "store", ()),
    ("sku", "text", "static", "SKU", True, "global", ()),
    ("description", "textarea", "text", "Description", False, "store", ()),
    ("short_description", "textarea", "text", "Short Description", False, "store", ()),
    ("price", "price", "decimal", "Price", True, "website", ()),
    ("special_price", "price", "decimal", "Special Price", False, "website", ()),
    ("special_from_date", "date", "datetime", "Special Price From Date", False, "website", ()),
    ("special_to_date", "date", "datetime", "Special Price To Date", False, "website", ()),
    ("cost", "price", "decimal", "Cost", False, "website", ()),
    ("weight", "weight", "decimal", "Weight", False, "global", ()),
    ("manufacturer", "select", "int", "Manufacturer", False, "global", ()),
    ("meta_title", "text", "varchar", "Meta Title", False, "store", ()),
    ("meta_keyword", "textarea", "text", "Meta Keywords", False, "store", ()),
    ("meta_description", "textarea", "varchar", "Meta Description", False, "store", ()),
    ("image", "media_image", "varchar", "Base", False, "store", ()),
    ("small_image", "media_image", "varchar", "Small", False, "store", ()),
    ("thumbnail", "media_image", "varchar", "Thumbnail", False, "store", ()),
    ("color", "select", "int", "Color", False, "global", ()),
    ("news_from_date", "date", "datetime", "Set Product as New from Date", False, "website", ()),
    ("status", "boolean", "int", "Enable Product", False, "website", ((1, "Yes"), (2, "No"))),
    ("visibility", "select", "int", "Visibility", False, "store", VISIBILITY),
    ("url_key", "text", "varchar", "URL Key", False, "store", ()),
    ("tax_class_id", "select", "int", "Tax Class", False, "website", TAX_CLASS_OPTIONS),
    ("country_of_manufacture", "select", "varchar", "Country of Manufacture", False, "website", ()),
)  # fmt: skip
CATEGORY_ATTRIBUTES: tuple[Row, ...] = (
    ("name", "text", "varchar", "Name", True, "store", ()),
    ("is_active", "select", "int", "Enable Category", True, "store", YES_NO),
    ("description", "textarea", "text", "Description", False, "store", ()),
    ("image", "image", "varchar", "Image", False, "store", ()),
    ("meta_title", "text", "varchar", "Page Title", False, "store", ()),
    ("meta_keywords", "textarea", "text", "Meta Keywords", False, "store", ()),
    ("meta_description", "textarea", "text", "Meta Description", False, "store", ()),
    ("display_mode", "select", "varchar", "Display Mode", False, "store", ()),
    ("is_anchor", "select", "int", "Is Anchor", False, "store", YES_NO),
    ("include_in_menu", "select", "int", "Include in Navigation Menu", True, "store", YES_NO),
    ("url_key", "text", "varchar", "URL Key", False, "store", ()),
    ("url_path", "text", "varchar", "", False, "store", ()),
    ("available_sort_by", "multiselect", "text", "Available Product Listing Sort By", True, "store",
     ()),
    ("default_sort_by", "select", "varchar", "Default Product Listing Sort By", True, "store", ()),
)  # fmt: skip
PRODUCT_TYPES = (
    ("simple", "Simple Product"), ("virtual", "Virtual Product"), ("bundle", "Bundle Product"),
    ("downloadable", "Downloadable Product"), ("configurable", "Configurable Product"),
    ("grouped", "Grouped Product"),
)  # fmt: skip
INPUT_TYPES = (
    ("text", "Text Field"), ("textarea", "Text Area"), ("texteditor", "Text Editor"),
    ("pagebuilder", "Page Builder"), ("date", "Date"), ("datetime", "Date and Time"),
    ("boolean", "Yes/No"), ("multiselect", "Multiple Select"), ("select", "Dropdown"),
    ("price", "Price"), ("media_image", "Media Image"), ("swatch_visual", "Visual Swatch"),
    ("swatch_text", "Text Swatch"), ("weee", "Fixed Product Tax"),
)  # fmt: skip
# Attributes stored in catalog_product_entity_decimal, whose value is decimal(20,6).
DECIMAL_PRODUCT_ATTRIBUTES = frozenset(row[0] for row in PRODUCT_ATTRIBUTES if row[2] == "decimal")
DECIMAL_PLACES = Decimal("0.000001")
LINK_TYPES = (("related", 1), ("upsell", 4), ("crosssell", 5), ("associated", 3))
LINK_ATTRIBUTES = {"associated": (("position", "int"), ("qty", "decimal"))}
BACKEND_TYPES = {"text": "varchar", "textarea": "text", "date": "datetime", "price": "decimal"}
BACKEND_TYPES |= {"select": "int", "boolean": "int", "multiselect": "varchar", "weight": "decimal"}


def stored_decimal(value: Any) -> Any:
    """A decimal attribute's value as its decimal(20,6) column keeps it: rounded to 6 places."""
    if isinstance(value, bool) or value is None or value == "":
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value  # refused by validation, as Magento does
    if not number.is_finite():
        return value
    return float(number.quantize(DECIMAL_PLACES, ROUND_HALF_UP))


def _document(row: Row, entity_type: str, attribute_id: int) -> dict[str, Any]:
    code, frontend_input, backend_type, label, is_required, scope, options = row
    return {
        "id": attribute_id,
        "attribute_id": attribute_id,
        "attribute_code": code,
        "entity_type_id": entity_type,
        "frontend_input": frontend_input,
        "backend_type": backend_type,
        "default_frontend_label": label,
        "is_required": is_required,
        "is_user_defined": False,
        "scope": scope,
        "options": [{"label": text, "value": str(value)} for value, text in options],
    }


def seed_attributes(store: Store) -> None:
    """The fresh install's attributes (ids in the install's order: categories first)."""
    attribute_id = 44
    for entity_type, rows in ((CATEGORY_ENTITY_TYPE, CATEGORY_ATTRIBUTES),
                              (PRODUCT_ENTITY_TYPE, PRODUCT_ATTRIBUTES)):  # fmt: skip
        for row in rows:
            attribute_id += 1
            store.insert("attributes", _document(row, entity_type, attribute_id))
    store.next_id("attributes", attribute_id)


def render(doc: dict[str, Any]) -> dict[str, Any]:
    """An attribute as `catalog-data-product-attribute-interface`."""
    out = {k: v for k, v in doc.items() if k not in {"id", "option_ids"}}
    options = doc.get("options") or []
    if doc["frontend_input"] in SELECT_INPUTS - {"boolean"} or options:
        blank = [] if doc["frontend_input"] == "boolean" else [{"label": " ", "value": ""}]
        out["options"] = blank + options
    out["frontend_labels"] = doc.get("frontend_labels") or []
    out.setdefault("is_filterable", False)
    out.setdefault("is_visible", True)
    out.setdefault("position", 0)
    return out


def find(store: Store, entity_type: str, code: str) -> dict[str, Any]:
    """The entity's attribute with this code, or Magento's 404."""
    for doc in store.find("attributes", attribute_code=code):
        if doc["entity_type_id"] == entity_type:
            return doc
    raise MagentoError(404, ATTRIBUTE_NOT_FOUND, [code])


def _entity(call: Call) -> str:
    return CATEGORY_ENTITY_TYPE if "/categories/" in call.template else PRODUCT_ENTITY_TYPE


def get_attribute(call: Call) -> dict[str, Any]:
    """`GET /V1/products/attributes/{code}`, `GET /V1/categories/attributes/{code}`."""
    return render(find(call.store, _entity(call), call.path["attributeCode"]))


def list_attributes(call: Call) -> dict[str, Any]:
    """`GET /V1/products/attributes`, `GET /V1/categories/attributes` (searchCriteria)."""
    return call.search("attributes", FIELDS, render, scope={"entity_type_id": _entity(call)})


def options(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/attributes/{code}/options` (and the categories' one)."""
    return render(find(call.store, _entity(call), call.path["attributeCode"])).get("options", [])


def save_attribute(call: Call) -> dict[str, Any]:
    """`POST /V1/products/attributes` (a new user-defined one) and `PUT .../{attributeCode}`."""
    data = call.body_param("attribute", "catalog-data-product-attribute-interface")
    labels = data.get("frontend_labels") or []
    label = data.get("default_frontend_label") or (labels[0].get("label") if labels else None)
    if "attributeCode" in call.path:
        doc = find(call.store, PRODUCT_ENTITY_TYPE, call.path["attributeCode"])
        doc |= {
            k: v
            for k, v in data.items()
            if v is not None and k not in {"attribute_id", "attribute_code"}
        }
        call.store.update("attributes", doc)
        return render(doc)
    if not label:
        raise required("frontend_label[0]")
    code = data.get("attribute_code") or format_url_key(label).replace("-", "_")[:30]
    if call.store.find("attributes", attribute_code=code):
        raise input_error("An attribute with the same code (%1) already exists.", [code])
    frontend_input = data.get("frontend_input") or "text"
    if frontend_input not in dict(INPUT_TYPES) | {"weight": ""}:
        raise invalid_value("frontend_input", frontend_input)
    doc = {
        **{k: v for k, v in data.items() if v is not None},
        "attribute_code": code,
        "entity_type_id": PRODUCT_ENTITY_TYPE,
        "frontend_input": frontend_input,
        "backend_type": data.get("backend_type") or BACKEND_TYPES.get(frontend_input, "varchar"),
        "default_frontend_label": label,
        "is_required": bool(data.get("is_required")),
        "is_user_defined": True,
        "scope": data.get("scope") or "store",
        "options": [],
        "id": None,
    }
    call.store.insert("attributes", doc)
    doc["attribute_id"] = doc["id"]
    for option in data.get("options") or []:
        if option.get("label", "").strip():
            _add_option(call.store, doc, option)
    call.store.update("attributes", doc)
    return render(doc)


def delete_attribute(call: Call) -> bool:
    """`DELETE /V1/products/attributes/{attributeCode}`: user-defined attributes only."""
    doc = find(call.store, PRODUCT_ENTITY_TYPE, call.path["attributeCode"])
    if not doc.get("is_user_defined"):
        raise input_error("The attribute can't be deleted.")
    call.store.delete("attributes", doc["id"])
    return True


def _add_option(store: Store, doc: dict[str, Any], option: dict[str, Any]) -> str:
    label = str(option.get("label") or "").strip()
    if not label:
        raise input_error("The attribute option label is empty. Enter a value and try again.")
    if any(o["label"].lower() == label.lower() for o in doc["options"]):
        raise input_error('Admin store attribute option label "%1" is already exists.', [label])
    value = str(store.next_id("attribute_options", 100))
    entry: dict[str, Any] = {"label": label, "value": value}
    if option.get("sort_order") is not None:
        entry["sort_order"] = option["sort_order"]
    if option.get("is_default"):
        entry["is_default"] = True
    doc["options"].append(entry)
    return value


def add_option(call: Call) -> str:
    """`POST /V1/products/attributes/{code}/options`: the new option's id, as `id_<n>`."""
    doc = find(call.store, PRODUCT_ENTITY_TYPE, call.path["attributeCode"])
    if doc["frontend_input"] not in SELECT_INPUTS:
        raise input_error('The "%1" attribute doesn\'t work with options.', [doc["attribute_code"]])
    value = _add_option(
        call.store, doc, call.body_param("option", "eav-data-attribute-option-interface")
    )
    call.store.update("attributes", doc)
    return f"id_{value}"


def _option(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    doc = find(call.store, PRODUCT_ENTITY_TYPE, call.path["attributeCode"])
    for option in doc["options"]:
        if option["value"] == call.path["optionId"]:
            return doc, option
    raise no_such_entity("optionId", call.path["optionId"])


def update_option(call: Call) -> bool:
    """`PUT /V1/products/attributes/{code}/options/{optionId}`."""
    doc, option = _option(call)
    data = call.body_param("option", "eav-data-attribute-option-interface")
    option |= {k: v for k, v in data.items() if v is not None and k in {"label", "sort_order"}}
    call.store.update("attributes", doc)
    return True


def delete_option(call: Call) -> bool:
    """`DELETE /V1/products/attributes/{code}/options/{optionId}`."""
    doc, option = _option(call)
    doc["options"].remove(option)
    call.store.update("attributes", doc)
    return True


def is_filterable(call: Call) -> int:
    """`GET /V1/products/attributes/{code}/is-filterable`: 0, 1 (with results) or 2."""
    return int(
        find(call.store, PRODUCT_ENTITY_TYPE, call.path["attributeCode"]).get("is_filterable") or 0
    )


def set_filterable(call: Call) -> bool:
    """`PUT /V1/products/attributes/{code}/is-filterable/{isFilterable}`."""
    doc = find(call.store, PRODUCT_ENTITY_TYPE, call.path["attributeCode"])
    doc["is_filterable"] = call.path["isFilterable"] not in {"0", "false"}
    call.store.update("attributes", doc)
    return True


def product_types(call: Call) -> list[dict[str, str]]:
    """`GET /V1/products/types`."""
    return [{"name": name, "label": label} for name, label in PRODUCT_TYPES]


def input_types(call: Call) -> list[dict[str, str]]:
    """`GET /V1/products/attributes/types`: the frontend inputs an attribute may have."""
    return [{"value": value, "label": label} for value, label in INPUT_TYPES]


def link_types(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/links/types`."""
    return [{"code": code, "name": name} for name, code in LINK_TYPES]


def link_attributes(call: Call) -> list[dict[str, str]]:
    """`GET /V1/products/links/{type}/attributes`."""
    if call.path["type"] not in dict(LINK_TYPES):
        raise input_error("The link type %1 isn't supported.", [call.path["type"]])
    return [{"code": c, "type": t} for c, t in LINK_ATTRIBUTES.get(call.path["type"], ())]


def media_types(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/media/types/{attributeSetName}`: the set's media image attributes."""
    if call.path["attributeSetName"] != "Default":
        return []
    return [render(d) for d in call.store.find("attributes", frontend_input="media_image")]
