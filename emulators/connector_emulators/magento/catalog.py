"""Categories and products (`/V1/categories...`, `/V1/products...`) with their URL rewrites.

Documents keep every attribute flat (as Magento's EAV does); whatever is not a top-level field of
the API interface is answered in `custom_attributes`. URL keys become rewrites `<url_path>.html`
(categories) and `<url_key>.html` (visible products on the website) in the one store view; a
request path taken by another entity is Magento's "URL key for specified store already exists.".
"""

from __future__ import annotations

from typing import Any

from . import search
from .attributes import DECIMAL_PRODUCT_ATTRIBUTES, stored_decimal
from .common import (
    ADMIN_STORE_ID,
    DEFAULT_STORE_ID,
    DEFAULT_WEBSITE_ID,
    Call,
    format_url_key,
    get_entity,
    now,
)
from .errors import (
    PRODUCT_NOT_FOUND,
    URL_KEY_EXISTS,
    MagentoError,
    input_error,
)
from .store import Store

TREE_ROOT_ID = 1
DEFAULT_ROOT_ID = 2
PRODUCT_ATTRIBUTE_SET_ID = 4
SKU_MAX_LENGTH = 64
WEBSITE_IDS = frozenset({DEFAULT_WEBSITE_ID})
NOT_VISIBLE_INDIVIDUALLY = 1

CATEGORY_KEYS = (
    "id", "parent_id", "name", "is_active", "position", "level", "children", "created_at",
    "updated_at", "path", "available_sort_by", "include_in_menu",
)  # fmt: skip
CATEGORY_INTERNAL = frozenset(CATEGORY_KEYS) | {"extension_attributes"}
PRODUCT_KEYS = (
    "id", "sku", "name", "attribute_set_id", "price", "status", "visibility", "type_id",
    "created_at", "updated_at", "weight",
)  # fmt: skip
PRODUCT_LISTS = ("product_links", "options", "media_gallery_entries", "tier_prices")
STORE_VALUES = "store_values"
PRODUCT_INTERNAL = frozenset(PRODUCT_KEYS) | {
    "website_ids", "category_links", "stock_item", "extension_attributes", STORE_VALUES,
    *PRODUCT_LISTS,
}  # fmt: skip
# Attributes whose scope is the store view (or website) in a default install; the rest is global.
STORE_SCOPED_PRODUCT_ATTRIBUTES = frozenset({
    "name", "status", "visibility", "url_key", "description", "short_description",
    "meta_title", "meta_keyword", "meta_description", "options_container",
})  # fmt: skip
CATEGORY_FIELDS = search.Fields(
    numeric=frozenset({"id", "parent_id", "position", "level"}),
    boolean=frozenset({"is_active", "include_in_menu"}),
    aliases={"entity_id": "id"},
)
PRODUCT_FIELDS = search.Fields(
    numeric=frozenset({"id", "attribute_set_id", "price", "status", "visibility", "weight"}),
    aliases={"entity_id": "id"},
    members={"category_id": ("category_links", "category_id")},
)
PRODUCT_DEFAULT_ATTRIBUTES = {
    "options_container": "container2",
    "tax_class_id": "2",
    "has_options": "0",
    "required_options": "0",
    "msrp_display_actual_price_type": "0",
}
STOCK_DEFAULTS: dict[str, Any] = {
    "stock_id": 1, "qty": 0, "is_in_stock": False, "is_qty_decimal": False,
    "show_default_notification_message": False, "use_config_min_qty": True, "min_qty": 0,
    "use_config_min_sale_qty": 1, "min_sale_qty": 1, "use_config_max_sale_qty": True,
    "max_sale_qty": 10000, "use_config_backorders": True, "backorders": 0,
    "use_config_notify_stock_qty": True, "notify_stock_qty": 1, "use_config_qty_increments": True,
    "qty_increments": 0, "use_config_enable_qty_inc": True, "enable_qty_increments": False,
    "use_config_manage_stock": True, "manage_stock": True, "low_stock_date": None,
    "is_decimal_divided": False, "stock_status_changed_auto": 0,
}  # fmt: skip


# ---------------------------------------------------------------- URL rewrites


def _claim_url(store: Store, request_path: str, entity_type: str, entity_id: int) -> bool:
    """Take `request_path` for the entity; False when another entity holds it."""
    for rewrite in store.find("url_rewrites", request_path=request_path):
        if (rewrite["entity_type"], rewrite["entity_id"]) != (entity_type, entity_id):
            return False
    _release_urls(store, entity_type, entity_id)
    store.insert(
        "url_rewrites",
        {
            "request_path": request_path,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "store_id": DEFAULT_STORE_ID,
        },
    )
    return True


def _release_urls(store: Store, entity_type: str, entity_id: int) -> None:
    for rewrite in store.find("url_rewrites", entity_type=entity_type, entity_id=entity_id):
        store.delete("url_rewrites", rewrite["id"])


def _attributes(data: dict[str, Any], internal: frozenset[str]) -> dict[str, Any]:
    """Flatten `custom_attributes` into the document; unknown codes are stored as sent."""
    flat = {k: v for k, v in data.items() if k != "custom_attributes" and v is not None}
    for attribute in data.get("custom_attributes") or []:
        code = str(attribute.get("attribute_code") or "")
        if code and code not in internal:
            flat[code] = attribute.get("value")
    return flat


def _custom_attributes(doc: dict[str, Any], internal: frozenset[str]) -> list[dict[str, Any]]:
    return [
        {"attribute_code": k, "value": v}
        for k, v in doc.items()
        if k not in internal and v is not None
    ]


# ---------------------------------------------------------------- categories


def seed_categories(store: Store) -> None:
    """The tree root (1) and "Default Category" (2) of a fresh install."""
    stamp = now()
    roots: tuple[dict[str, Any], ...] = (
        {"id": TREE_ROOT_ID, "parent_id": 0, "name": "Root Catalog", "path": "1", "level": 0},
        {"id": DEFAULT_ROOT_ID, "parent_id": 1, "name": "Default Category", "path": "1/2",
         "level": 1},
    )  # fmt: skip
    for doc in roots:
        doc |= {"is_active": True, "position": doc["id"] - 1, "include_in_menu": True}
        doc |= {"available_sort_by": [], "created_at": stamp, "updated_at": stamp}
        doc |= {"display_mode": "PRODUCTS", "is_anchor": "1"}
        store.insert("categories", doc)
    store.next_id("categories", DEFAULT_ROOT_ID)


def create_category(call: Call) -> dict[str, Any]:
    """`POST /V1/categories`: under `parent_id` (default 2), url_key from the name."""
    data = _attributes(call.body_param("category", "category"), CATEGORY_INTERNAL)
    data.pop("id", None)
    data.pop("extension_attributes", None)
    parent_id = data.get("parent_id") or DEFAULT_ROOT_ID
    parent = get_entity(call.store, "categories", parent_id, "id")
    if not str(data.get("name") or "").strip():
        raise _category_error('The "Name" attribute is required. Enter and try again.')
    siblings = call.store.find("categories", parent_id=parent["id"])
    stamp = now()
    category: dict[str, Any] = {
        "parent_id": parent["id"],
        "is_active": True,
        "include_in_menu": True,
        "available_sort_by": [],
        "display_mode": "PRODUCTS",
        "is_anchor": "1",
    }
    category |= {k: v for k, v in data.items() if k not in {"path", "level", "children"}}
    category |= {"parent_id": parent["id"], "level": parent["level"] + 1}
    category |= {"created_at": stamp, "updated_at": stamp}
    if not category.get("position"):
        category["position"] = max((s.get("position", 0) for s in siblings), default=0) + 1
    category["url_key"] = format_url_key(str(category.get("url_key") or category["name"]))
    category_id = call.store.insert("categories", category)
    category["path"] = f"{parent['path']}/{category_id}"
    _index_category_urls(call.store, category, parent, "Could not save category: %1")
    call.store.update("categories", category)
    return render_category(call.store, category)


def update_category(call: Call) -> dict[str, Any]:
    """`PUT /V1/categories/{id}`: merge; parent_id, path and level are ignored."""
    category_id = _int(call.path["categoryId"])
    category = get_entity(call.store, "categories", category_id, "id")
    data = _attributes(call.body_param("category", "category"), CATEGORY_INTERNAL)
    for ignored in ("id", "parent_id", "path", "level", "children", "extension_attributes"):
        data.pop(ignored, None)
    if "url_key" in data:
        data["url_key"] = format_url_key(str(data["url_key"] or category.get("name")))
    category |= data
    category["updated_at"] = now()
    if not str(category.get("name") or "").strip():
        raise _category_error('The "Name" attribute is required. Enter and try again.')
    parent = call.store.get("categories", category["parent_id"])
    if parent is not None and category["level"] >= 2:
        _index_category_urls(call.store, category, parent, "Could not save category: %1")
    call.store.update("categories", category)
    return render_category(call.store, category)


def move_category(call: Call) -> bool:
    """`PUT /V1/categories/{id}/move {parentId, afterId}`."""
    category_id = _int(call.path["categoryId"])
    body = call.body if isinstance(call.body, dict) else {}
    category = get_entity(call.store, "categories", category_id, "id")
    if body.get("parentId", body.get("parent_id")) is None:
        raise MagentoError(400, '"%fieldName" is required. Enter and try again.',
                           {"fieldName": "parentId"})  # fmt: skip
    parent_id = _int(body.get("parentId", body.get("parent_id")))
    parent = get_entity(call.store, "categories", parent_id, "id")
    if f"{parent['path']}/".startswith(f"{category['path']}/"):
        raise input_error(
            "Operation do not allow to move a parent category to any of children category"
        )
    after_id = body.get("afterId", body.get("after_id"))
    siblings = [
        s
        for s in sorted(
            call.store.find("categories", parent_id=parent_id), key=lambda s: s["position"]
        )
        if s["id"] != category_id
    ]
    index = len(siblings)
    if after_id is not None:
        ids = [s["id"] for s in siblings]
        index = ids.index(int(after_id)) + 1 if int(after_id) in ids else 0
    siblings.insert(index, category)
    old_path = category["path"]
    category["parent_id"] = parent_id
    category["path"] = f"{parent['path']}/{category_id}"
    category["level"] = parent["level"] + 1
    for position, sibling in enumerate(siblings, start=1):
        sibling["position"] = position
        if sibling["id"] != category_id:
            call.store.update("categories", sibling)
    category["updated_at"] = now()
    for descendant in _descendants(call.store, category_id):
        descendant["path"] = category["path"] + descendant["path"][len(old_path) :]
        descendant["level"] = descendant["path"].count("/")
        call.store.update("categories", descendant)
    _index_category_urls(call.store, category, parent, "Could not move category")
    call.store.update("categories", category)
    return True


def get_category(call: Call) -> dict[str, Any]:
    """`GET /V1/categories/{id}`."""
    category_id = _int(call.path["categoryId"])
    category = get_entity(call.store, "categories", category_id, "id")
    return render_category(call.store, category)


def delete_category(call: Call) -> bool:
    """`DELETE /V1/categories/{id}` with its subtree; 1 and 2 cannot go."""
    category_id = _int(call.path["categoryId"])
    category = get_entity(call.store, "categories", category_id, "id")
    if category_id in {TREE_ROOT_ID, DEFAULT_ROOT_ID}:
        raise input_error("Cannot delete category with id %1", [str(category_id)])
    gone = {doc["id"] for doc in [category, *_descendants(call.store, category_id)]}
    for doc_id in gone:
        _release_urls(call.store, "category", doc_id)
        call.store.delete("categories", doc_id)
    for product in call.store.all("products"):
        links = product.get("category_links") or []
        kept = [link for link in links if _int(link["category_id"]) not in gone]
        if len(kept) != len(links):
            call.store.update("products", product | {"category_links": kept})
    return True


def category_tree(call: Call) -> dict[str, Any]:
    """`GET /V1/categories?rootCategoryId=&depth=`: the tree."""
    root_id = _int(call.query.get("rootCategoryId") or DEFAULT_ROOT_ID)
    depth = call.query.get("depth")
    root = get_entity(call.store, "categories", root_id, "id")
    by_parent: dict[int, list[dict[str, Any]]] = {}
    for doc in call.store.all("categories"):
        by_parent.setdefault(doc["parent_id"], []).append(doc)
    counts = _product_counts(call.store)
    max_level = root["level"] + int(depth) if depth not in (None, "") else None

    def node(doc: dict[str, Any]) -> dict[str, Any]:
        children = sorted(by_parent.get(doc["id"], []), key=lambda c: c["position"])
        if max_level is not None and doc["level"] >= max_level:
            children = []
        return {
            "id": doc["id"],
            "parent_id": doc["parent_id"],
            "name": doc["name"],
            "is_active": bool(doc.get("is_active")),
            "position": doc["position"],
            "level": doc["level"],
            "product_count": counts.get(doc["id"], 0),
            "children_data": [node(child) for child in children],
        }

    return node(root)


def list_categories(call: Call) -> dict[str, Any]:
    """`GET /V1/categories/list?searchCriteria...`."""
    return call.search("categories", CATEGORY_FIELDS, lambda row: render_category(call.store, row))


def render_category(store: Store, category: dict[str, Any]) -> dict[str, Any]:
    """The category as `catalog-data-category-interface`."""
    children = sorted(
        store.find("categories", parent_id=category["id"]), key=lambda c: c["position"]
    )
    doc = category | {"children": ",".join(str(c["id"]) for c in children)}
    out = {k: doc[k] for k in CATEGORY_KEYS if doc.get(k) is not None}
    out["is_active"] = bool(doc.get("is_active"))
    out["include_in_menu"] = bool(doc.get("include_in_menu"))
    custom = _custom_attributes(doc, CATEGORY_INTERNAL)
    custom += [
        {"attribute_code": "path", "value": doc["path"]},
        {"attribute_code": "children_count", "value": str(len(_descendants(store, doc["id"])))},
    ]
    out["custom_attributes"] = custom
    return out


def _category_error(reason: str) -> MagentoError:
    return input_error("Could not save category: %1", [reason])


def _index_category_urls(
    store: Store, category: dict[str, Any], parent: dict[str, Any], wrapper: str
) -> None:
    """Recompute url_path for the category and its subtree, and claim their rewrites."""
    if category["level"] < 2:
        return
    parent_path = parent.get("url_path") if parent["level"] >= 2 else None
    todo = [(category, parent_path)]
    while todo:
        doc, base = todo.pop()
        doc["url_path"] = f"{base}/{doc['url_key']}" if base else doc["url_key"]
        if not _claim_url(store, f"{doc['url_path']}.html", "category", doc["id"]):
            raise (
                _category_error(URL_KEY_EXISTS) if wrapper.endswith("%1") else input_error(wrapper)
            )
        if doc is not category:
            store.update("categories", doc)
        todo += [(c, doc["url_path"]) for c in store.find("categories", parent_id=doc["id"])]


def _descendants(store: Store, category_id: int) -> list[dict[str, Any]]:
    found, todo = [], [category_id]
    while todo:
        children = store.find("categories", parent_id=todo.pop())
        found += children
        todo += [c["id"] for c in children]
    return found


def _product_counts(store: Store) -> dict[int, int]:
    counts: dict[int, int] = {}
    for product in store.all("products"):
        for link in product.get("category_links") or []:
            key = _int(link["category_id"])
            counts[key] = counts.get(key, 0) + 1
    return counts


# ---------------------------------------------------------------- products


def save_product(call: Call) -> dict[str, Any]:
    """POST /V1/products and PUT /V1/products/{sku}: both create or update by SKU.

    Through a store view (`/rest/default`, `/rest/V1`) store-scoped attributes of an existing
    product are written as that store view's values, leaving the admin values (`/rest/all`) as
    they were; a new product gets them at both levels.
    """
    data = call.body_param("product", "product")
    if "sku" in call.path:
        data["sku"] = call.path["sku"]
    extension = data.pop("extension_attributes", None) or {}
    data.pop("id", None)
    data = _attributes(data, PRODUCT_INTERNAL)
    for name in DECIMAL_PRODUCT_ATTRIBUTES & data.keys():
        data[name] = stored_decimal(data[name])
    category_ids = data.pop("category_ids", None)
    if category_ids is not None and "category_links" not in extension:
        # The legacy `category_ids` custom attribute assigns categories too.
        ids = category_ids if isinstance(category_ids, list) else str(category_ids).split(",")
        extension["category_links"] = [
            {"category_id": str(i).strip(), "position": 0} for i in ids if str(i).strip()
        ]
    if data.get("url_key"):
        data["url_key"] = format_url_key(str(data["url_key"]))
    sku = str(data.get("sku") or "").strip()
    existing = _product_by_sku(call.store, sku) if sku else None
    stamp = now()
    view = None if call.store_id == ADMIN_STORE_ID else str(call.store_id)
    scoped = {k: v for k, v in data.items() if k in STORE_SCOPED_PRODUCT_ATTRIBUTES}
    if existing is None:
        product: dict[str, Any] = {
            "attribute_set_id": PRODUCT_ATTRIBUTE_SET_ID,
            "status": 1,
            "visibility": 4,
            "type_id": "simple",
            "created_at": stamp,
            "website_ids": sorted(WEBSITE_IDS),
            "category_links": [],
            "stock_item": dict(STOCK_DEFAULTS),
        } | PRODUCT_DEFAULT_ATTRIBUTES
        product |= data
        product["sku"] = sku
        if not product.get("url_key"):
            product["url_key"] = format_url_key(str(product.get("name") or ""))
        if view and scoped:
            product[STORE_VALUES] = {view: scoped}
    else:
        product = existing
        product |= {k: v for k, v in data.items() if not view or k not in scoped}
        if view and scoped:
            product.setdefault(STORE_VALUES, {}).setdefault(view, {}).update(scoped)
        product["sku"] = existing["sku"]
    product["updated_at"] = stamp
    _validate_product(store_view_values(product, call.store_id))
    if "website_ids" in extension:
        if not set(extension["website_ids"] or []) <= WEBSITE_IDS:
            raise input_error("The product was unable to be saved. Please try again.")
        product["website_ids"] = sorted(set(extension["website_ids"] or []))
    if "category_links" in extension:
        product["category_links"] = _category_links(call.store, extension["category_links"] or [])
    if extension.get("stock_item"):
        stock = {k: v for k, v in extension["stock_item"].items() if k != "extension_attributes"}
        product["stock_item"] = product.get("stock_item", dict(STOCK_DEFAULTS)) | stock
    if existing is None:
        call.store.insert("products", product)
    _index_product_url(call.store, product)
    product["stock_item"] |= {"item_id": product["id"], "product_id": product["id"]}
    call.store.update("products", product)
    return render_product(product, call.store_id)


def store_view_values(product: dict[str, Any], store_id: int) -> dict[str, Any]:
    """The product as a store view sees it: admin values overlaid by the view's own values."""
    if store_id == ADMIN_STORE_ID:
        return product
    return product | product.get(STORE_VALUES, {}).get(str(store_id), {})


def get_product(call: Call) -> dict[str, Any]:
    """`GET /V1/products/{sku}`."""
    return render_product(load_product(call.store, call.path["sku"]), call.store_id)


def delete_product(call: Call) -> bool:
    """`DELETE /V1/products/{sku}`."""
    product = _product_by_sku(call.store, call.path["sku"])
    if product is None:
        raise MagentoError(404, PRODUCT_NOT_FOUND)
    _release_urls(call.store, "product", product["id"])
    call.store.delete("products", product["id"])
    return True


def list_products(call: Call) -> dict[str, Any]:
    """`GET /V1/products?searchCriteria...`."""
    return call.search("products", PRODUCT_FIELDS, lambda row: render_product(row, call.store_id))


def render_product(product: dict[str, Any], store_id: int) -> dict[str, Any]:
    """The product as `catalog-data-product-interface`, seen from the store."""
    product = store_view_values(product, store_id)
    out = {k: product[k] for k in PRODUCT_KEYS if product.get(k) is not None}
    out["extension_attributes"] = {
        "website_ids": product.get("website_ids", []),
        "category_links": product.get("category_links", []),
        "stock_item": product.get("stock_item", dict(STOCK_DEFAULTS)),
    }
    for key in PRODUCT_LISTS:
        out[key] = product.get(key) or []
    out["custom_attributes"] = [
        {"attribute_code": a["attribute_code"], "value": _attribute_text(a["value"])}
        for a in _custom_attributes(product, PRODUCT_INTERNAL)
    ]
    return out


def dump_product(product: dict[str, Any]) -> dict[str, Any]:
    """Admin values in API shape plus each store view's own values, for the admin dump."""
    return render_product(product, ADMIN_STORE_ID) | {STORE_VALUES: product.get(STORE_VALUES, {})}


def _attribute_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return value


def _product_by_sku(store: Store, sku: str) -> dict[str, Any] | None:
    found = store.find("products", sku=sku.strip())
    return found[0] if found else None


def load_product(store: Store, sku: str) -> dict[str, Any]:
    """The product with this SKU, or the repository's 404."""
    product = _product_by_sku(store, sku)
    if product is None:
        raise MagentoError(404, PRODUCT_NOT_FOUND)
    return product


def load_category(store: Store, raw_id: Any) -> dict[str, Any]:
    """The category with this id, or `No such entity with id = %1` (404)."""
    return get_entity(store, "categories", _int(raw_id), "id")


def _validate_product(product: dict[str, Any]) -> None:
    """Resource validation in Magento's order: attribute set, then required attributes."""
    if product.get("attribute_set_id") != PRODUCT_ATTRIBUTE_SET_ID:
        raise input_error("Invalid product data: %1", ["Invalid attribute set entity type"])
    empty = 'The "%s" attribute value is empty. Set the attribute and try again.'
    if not str(product.get("name") or "").strip():
        raise input_error(empty % "Product Name")
    if not product.get("sku"):
        raise input_error(empty % "SKU")
    if len(product["sku"]) > SKU_MAX_LENGTH:
        raise input_error(f"SKU length should be {SKU_MAX_LENGTH} characters maximum.")
    if product.get("price") is None:
        raise input_error(empty % "Price")


def _category_links(store: Store, links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for link in links:
        category = store.get("categories", link.get("category_id"))
        if category is None:
            raise input_error("The product was unable to be saved. Please try again.")
        result.append({"position": link.get("position") or 0, "category_id": str(category["id"])})
    return result


def _index_product_url(store: Store, product: dict[str, Any]) -> None:
    """Visible products on the website get `<url_key>.html`; a clash refuses the save."""
    visible = product.get("visibility") != NOT_VISIBLE_INDIVIDUALLY
    if not visible or DEFAULT_WEBSITE_ID not in product.get("website_ids", []):
        _release_urls(store, "product", product["id"])
        return
    url_key = store_view_values(product, DEFAULT_STORE_ID)["url_key"]
    if not _claim_url(store, f"{url_key}.html", "product", product["id"]):
        raise input_error(URL_KEY_EXISTS)


def _int(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0
