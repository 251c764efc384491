"""The parts of a product that have routes of their own: stock, media, links, websites, categories.

They read and write the product row `catalog.save_product` keeps (its `stock_item`,
`media_gallery_entries`, `product_links`, `website_ids`, `category_links`), so what a client
writes here shows in `GET /V1/products/{sku}` and the other way round, as in Magento.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .attributes import LINK_TYPES
from .catalog import STOCK_DEFAULTS, WEBSITE_IDS, load_category, load_product
from .common import Call, now
from .errors import MagentoError, input_error, required
from .fields import convert

SKU_NOT_FOUND = 'The Product with the "%1" SKU doesn\'t exist.'
NO_IMAGE = "No image with the provided ID was found. Verify the ID and try again."
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
STOCK_CRITERIA_MAPPER = (
    "Magento\\CatalogInventory\\Model\\ResourceModel\\Stock\\Item\\StockItemCriteriaMapper"
)
STOCK_FIELDS = frozenset(STOCK_DEFAULTS) | {"item_id", "product_id"}


def _product(call: Call, name: str = "sku") -> dict[str, Any]:
    return load_product(call.store, call.path[name])


def _save(call: Call, product: dict[str, Any]) -> None:
    product["updated_at"] = now()
    call.store.update("products", product)


# ---------------------------------------------------------------- stock (legacy CatalogInventory)


def _stock_item(product: dict[str, Any]) -> dict[str, Any]:
    item = dict(STOCK_DEFAULTS) | (product.get("stock_item") or {})
    return item | {"item_id": product["id"], "product_id": product["id"]}


def stock_item(call: Call) -> dict[str, Any]:
    """`GET /V1/stockItems/{productSku}`."""
    found = call.store.find("products", sku=call.path["productSku"])
    if not found:
        raise MagentoError(404, SKU_NOT_FOUND, [call.path["productSku"]])
    return _stock_item(found[0])


def stock_status(call: Call) -> dict[str, Any]:
    """`GET /V1/stockStatuses/{productSku}`."""
    item = stock_item(call)
    return {
        "product_id": item["product_id"],
        "stock_id": item["stock_id"],
        "qty": int(item["qty"] or 0),
        "stock_status": int(bool(item["is_in_stock"])),
        "stock_item": item,
    }


def update_stock_item(call: Call) -> int:
    """`PUT /V1/products/{productSku}/stockItems/{itemId}`: the item id."""
    found = call.store.find("products", sku=call.path["productSku"])
    if not found:
        raise MagentoError(404, SKU_NOT_FOUND, [call.path["productSku"]])
    product = found[0]
    data = call.body_param("stockItem", "catalog-inventory-data-stock-item-interface")
    changes = {k: v for k, v in data.items() if v is not None and k in STOCK_FIELDS}
    changes.pop("item_id", None)
    changes.pop("product_id", None)
    product["stock_item"] = _stock_item(product) | changes
    _save(call, product)
    return int(product["id"])


def low_stock(call: Call) -> dict[str, Any]:
    """`GET /V1/stockItems/lowStock/?scopeId=&qty=&pageSize=&currentPage=`: items below `qty`."""
    for name in ("scopeId", "qty"):
        if call.query.get(name) in (None, ""):
            raise required(name)
    limit = float(call.query["qty"])
    items = [_stock_item(p) for p in call.store.all("products")]
    low = [i for i in items if i["manage_stock"] and float(i["qty"] or 0) < limit]
    size = int(call.query.get("pageSize") or 0) or len(low) or 1
    page = max(int(call.query.get("currentPage") or 1), 1)
    criteria = {  # StockItemCriteria, as its mapper reports it
        "mapper_interface_name": STOCK_CRITERIA_MAPPER,
        "criteria_list": [],
        "filters": [],
        "orders": [],
        "limit": [str(page), str(size)],
    }
    return {
        "items": low[(page - 1) * size : page * size],
        "search_criteria": criteria,
        "total_count": len(low),
    }


# ---------------------------------------------------------------- media gallery


def _entries(product: dict[str, Any]) -> list[dict[str, Any]]:
    return product.setdefault("media_gallery_entries", [])


def _entry(product: dict[str, Any], raw_id: str) -> dict[str, Any]:
    for entry in _entries(product):
        if str(entry["id"]) == raw_id:
            return entry
    raise MagentoError(404, NO_IMAGE)


def _file_name(call: Call, content: dict[str, Any]) -> str:
    """Check the image content; answer its gallery path (`/a/b/ab-name.jpg`, as Magento)."""
    try:
        data = base64.b64decode(str(content.get("base64_encoded_data") or ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise input_error(
            "The image content is invalid. Verify the content and try again."
        ) from error
    if not data:
        raise input_error("The image content is invalid. Verify the content and try again.")
    mime = str(content.get("type") or "")
    if mime not in IMAGE_TYPES:
        raise input_error("The image MIME type is not valid or not supported.")
    name = str(content.get("name") or "image").rsplit(".", 1)[0].lower() or "image"
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    first, second = (name + "__")[0], (name + "__")[1]
    return f"/{first}/{second}/{name}.{IMAGE_TYPES[mime]}"


def _apply_roles(product: dict[str, Any], entry: dict[str, Any]) -> None:
    """An entry's `types` (image, small_image, thumbnail) become the product's image attributes."""
    for role in entry.get("types") or []:
        for other in _entries(product):
            if other is not entry and role in (other.get("types") or []):
                other["types"].remove(role)
        product[role] = entry["file"]


def list_media(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/media`."""
    return _entries(_product(call))


def get_media(call: Call) -> dict[str, Any]:
    """`GET /V1/products/{sku}/media/{entryId}`."""
    return _entry(_product(call), call.path["entryId"])


def add_media(call: Call) -> int:
    """`POST /V1/products/{sku}/media`: the new entry's id."""
    product = _product(call)
    data = call.body_param("entry", "catalog-data-product-attribute-media-gallery-entry-interface")
    content = data.pop("content", None)
    if not content:
        raise input_error("The image content is invalid. Verify the content and try again.")
    entry = {
        "id": call.store.next_id("media_gallery"),
        "media_type": data.get("media_type") or "image",
        "label": data.get("label"),
        "position": data.get("position") or len(_entries(product)) + 1,
        "disabled": bool(data.get("disabled")),
        "types": list(data.get("types") or []),
        "file": _file_name(call, content),
    }
    _entries(product).append(entry)
    _apply_roles(product, entry)
    _save(call, product)
    return int(entry["id"])


def update_media(call: Call) -> bool:
    """`PUT /V1/products/{sku}/media/{entryId}`: label, position, disabled, types."""
    product = _product(call)
    entry = _entry(product, call.path["entryId"])
    data = call.body_param("entry", "catalog-data-product-attribute-media-gallery-entry-interface")
    for name in ("label", "position", "disabled", "types", "media_type"):
        if data.get(name) is not None:
            entry[name] = data[name]
    _apply_roles(product, entry)
    _save(call, product)
    return True


def delete_media(call: Call) -> bool:
    """`DELETE /V1/products/{sku}/media/{entryId}`."""
    product = _product(call)
    entry = _entry(product, call.path["entryId"])
    _entries(product).remove(entry)
    _save(call, product)
    return True


# ---------------------------------------------------------------- related, up-sell, cross-sell


def _link_type(name: str) -> str:
    if name not in dict(LINK_TYPES):
        raise MagentoError(
            404, 'The "%1" link type is unknown. Verify the type and try again.', [name]
        )
    return name


def _link(call: Call, product: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    linked_sku = str(data.get("linked_product_sku") or "")
    linked = call.store.find("products", sku=linked_sku)
    if not linked:
        raise MagentoError(404, SKU_NOT_FOUND, [linked_sku])
    return {
        "sku": product["sku"],
        "link_type": _link_type(str(data.get("link_type") or "")),
        "linked_product_sku": linked[0]["sku"],
        "linked_product_type": linked[0].get("type_id", "simple"),
        "position": data.get("position") or 0,
    }


def _replace_link(product: dict[str, Any], link: dict[str, Any]) -> None:
    links = product.setdefault("product_links", [])
    key = (link["link_type"], link["linked_product_sku"])
    links[:] = [x for x in links if (x["link_type"], x["linked_product_sku"]) != key] + [link]


def add_links(call: Call) -> bool:
    """`POST /V1/products/{sku}/links {items: [...]}`."""
    product = _product(call)
    body = call.body if isinstance(call.body, dict) else {}
    items = body.get("items")
    if items is None:
        raise required("items")
    for raw in items if isinstance(items, list) else []:
        data = convert(raw, "catalog-data-product-link-interface", "items")
        _replace_link(product, _link(call, product, data))
    _save(call, product)
    return True


def save_link(call: Call) -> bool:
    """`PUT /V1/products/{sku}/links {entity: {...}}`."""
    product = _product(call)
    data = call.body_param("entity", "catalog-data-product-link-interface")
    _replace_link(product, _link(call, product, data))
    _save(call, product)
    return True


def links_of_type(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/links/{type}`."""
    kind = _link_type(call.path["type"])
    return [x for x in _product(call).get("product_links") or [] if x["link_type"] == kind]


def delete_link(call: Call) -> bool:
    """`DELETE /V1/products/{sku}/links/{type}/{linkedProductSku}`."""
    product = _product(call)
    kind, linked = _link_type(call.path["type"]), call.path["linkedProductSku"]
    links = product.get("product_links") or []
    kept = [x for x in links if (x["link_type"], x["linked_product_sku"]) != (kind, linked)]
    if len(kept) == len(links):
        raise MagentoError(
            404, "Product %1 doesn't have linked %2 as %3", [product["sku"], linked, kind]
        )
    product["product_links"] = kept
    _save(call, product)
    return True


# ---------------------------------------------------------------- websites


def assign_website(call: Call) -> bool:
    """`POST|PUT /V1/products/{sku}/websites {productWebsiteLink: {sku, website_id}}`."""
    product = _product(call)
    link = call.body_param("productWebsiteLink", "catalog-data-product-website-link-interface")
    website_id = link.get("website_id")
    if website_id not in WEBSITE_IDS:
        raise input_error(
            'Could not assign product "%1" to websites %2', [product["sku"], website_id]
        )
    product["website_ids"] = sorted(set(product.get("website_ids") or []) | {website_id})
    _save(call, product)
    return True


def remove_website(call: Call) -> bool:
    """`DELETE /V1/products/{sku}/websites/{websiteId}`."""
    product = _product(call)
    website_id = int(call.path["websiteId"]) if call.path["websiteId"].isdigit() else -1
    product["website_ids"] = [w for w in product.get("website_ids") or [] if w != website_id]
    _save(call, product)
    return True


# ---------------------------------------------------------------- category product links


def category_products(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/categories/{categoryId}/products`: SKU and position of each assigned product."""
    category = load_category(call.store, call.path["categoryId"])
    wanted = str(category["id"])
    return [
        {"sku": product["sku"], "position": link.get("position") or 0, "category_id": wanted}
        for product in call.store.all("products")
        for link in product.get("category_links") or []
        if link["category_id"] == wanted
    ]


def assign_product(call: Call) -> bool:
    """`POST|PUT /V1/categories/{categoryId}/products {productLink: {sku, position}}`."""
    category = load_category(call.store, call.path["categoryId"])
    link = call.body_param("productLink", "catalog-data-category-product-link-interface")
    if not link.get("sku"):
        raise required("sku")
    product = load_product(call.store, str(link["sku"]))
    links = [
        x for x in product.get("category_links") or [] if x["category_id"] != str(category["id"])
    ]
    links.append({"position": link.get("position") or 0, "category_id": str(category["id"])})
    product["category_links"] = links
    _save(call, product)
    return True


def unassign_product(call: Call) -> bool:
    """`DELETE /V1/categories/{categoryId}/products/{sku}`."""
    category = load_category(call.store, call.path["categoryId"])
    product = load_product(call.store, call.path["sku"])
    links = product.get("category_links") or []
    kept = [x for x in links if x["category_id"] != str(category["id"])]
    if len(kept) == len(links):
        raise input_error("The category doesn't contain the specified product.")
    product["category_links"] = kept
    _save(call, product)
    return True
