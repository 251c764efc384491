"""Multi-Source Inventory: sources, stocks, the links between them, and source items.

A fresh install has the source `default` and stock 1, "Default Stock", on website `base`, linked
at priority 1. As in Magento, the default source's items are the legacy stock items: a source
item of `default` is the product's `stock_item` (qty, is_in_stock), read and written through it;
items of other sources are rows of their own. Saves answer nothing (`void`), and MSI's
validation answers `Validation Failed` with one `errors` entry per field.
"""

from __future__ import annotations

from typing import Any

from . import search
from .catalog import STOCK_DEFAULTS
from .common import Call
from .errors import MagentoError, input_error, required
from .fields import convert
from .records import Kind
from .store import Store

DEFAULT_SOURCE = "default"
DEFAULT_STOCK_ID = 1
EMPTY_FIELD = '"%field" can not be empty.'
ITEMS_TABLE = "source_items_view"
ITEM_FIELDS = search.Fields(numeric=frozenset({"quantity", "status"}))
DEFAULT_ITEMS_SQL = (
    "SELECT NULL, json_object('sku', json_extract(doc, '$.sku'), 'source_code', ?, "
    "'quantity', coalesce(json_extract(doc, '$.stock_item.qty'), 0), "
    "'status', coalesce(json_extract(doc, '$.stock_item.is_in_stock'), 0)) "
    "FROM products ORDER BY id"
)
ZERO = {"quantity": 0.0, "status": 0}  # an out-of-stock item with nothing in it
STORED_ITEMS_SQL = "SELECT NULL, doc FROM source_items ORDER BY id"


def _validation_failed(*missing: str) -> MagentoError:
    return validation_failed([(EMPTY_FIELD, {"field": name}) for name in missing])


def validation_failed(
    errors: list[tuple[str, dict[str, Any] | None]], message: str = "Validation Failed"
) -> MagentoError:
    """MSI's ValidationException: an `errors` entry per (template, parameters) found."""
    return MagentoError(400, message, errors=[MagentoError(400, m, p) for m, p in errors])


def _source_missing(kind: Kind, key: Any) -> MagentoError:
    return MagentoError(404, 'Source item with code "%value" does not exist.', {"value": key})


def _stock_missing(kind: Kind, key: Any) -> MagentoError:
    return MagentoError(404, 'Stock with id "%value" does not exist.', {"value": key})


def _render_stock(store: Any, row: dict[str, Any]) -> dict[str, Any]:
    channels = row.get("sales_channels") or []
    return {
        "stock_id": row["stock_id"],
        "name": row["name"],
        "extension_attributes": {"sales_channels": channels},
    }


SOURCES = Kind(
    table="inventory_sources",
    interface="inventory-api-data-source-interface",
    body="source",
    key="source_code",
    path="sourceCode",
    fields=search.Fields(boolean=frozenset({"enabled"})),
    defaults={"enabled": True, "use_default_carrier_config": True, "carrier_links": []},
    seed=(
        {
            "source_code": DEFAULT_SOURCE,
            "name": "Default Source",
            "enabled": True,
            "description": "Default Source",
            "latitude": 0,
            "longitude": 0,
            "country_id": "US",
            "postcode": "00000",
            "use_default_carrier_config": True,
            "carrier_links": [],
        },
    ),
    text_key=True,
    not_found=_source_missing,
)
STOCKS = Kind(
    table="inventory_stocks",
    interface="inventory-api-data-stock-interface",
    body="stock",
    key="stock_id",
    path="stockId",
    fields=search.Fields(numeric=frozenset({"stock_id"})),
    seed=(
        {
            "stock_id": DEFAULT_STOCK_ID,
            "name": "Default Stock",
            "sales_channels": [{"type": "website", "code": "base"}],
        },
    ),
    render=_render_stock,
    readonly=frozenset({DEFAULT_STOCK_ID}),
    readonly_message="Default Stock could not be deleted.",
    not_found=_stock_missing,
)
LINKS = Kind(
    table="stock_source_links",
    interface="inventory-api-data-stock-source-link-interface",
    body="links",
    key="link_id",
    path="linkId",
    fields=search.Fields(numeric=frozenset({"stock_id", "priority"})),
    seed=(
        {"link_id": 1, "stock_id": DEFAULT_STOCK_ID, "source_code": DEFAULT_SOURCE, "priority": 1},
    ),
    render=lambda store, row: {k: row[k] for k in ("stock_id", "source_code", "priority")},
)


def save_source(call: Call) -> None:
    """`POST /V1/inventory/sources`, `PUT /V1/inventory/sources/{sourceCode}`."""
    data = SOURCES.body_of(call)
    existing = (
        SOURCES.find(call.store, call.path["sourceCode"]) if "sourceCode" in call.path else None
    )
    if "sourceCode" in call.path and existing is None:
        raise _source_missing(SOURCES, call.path["sourceCode"])
    if existing is None and data.get("source_code"):
        existing = SOURCES.find(call.store, data["source_code"])
    merged = (existing or {}) | {k: v for k, v in data.items() if v is not None}
    missing = [n for n in ("source_code", "name", "country_id", "postcode") if not merged.get(n)]
    if missing:
        raise _validation_failed(*missing)
    if existing is not None:
        data["source_code"] = existing["source_code"]
    SOURCES.save(call.store, data, existing=existing)


def save_stock(call: Call) -> int:
    """`POST /V1/inventory/stocks`, `PUT /V1/inventory/stocks/{stockId}`: the stock id."""
    data = STOCKS.body_of(call)
    extension = data.pop("extension_attributes", None) or {}
    existing = STOCKS.load(call.store, call.path["stockId"]) if "stockId" in call.path else None
    if not (data.get("name") or (existing or {}).get("name")):
        raise _validation_failed("name")
    if "sales_channels" in extension:
        data["sales_channels"] = extension["sales_channels"] or []
    if existing is not None:
        data["stock_id"] = existing["stock_id"]
    return int(STOCKS.save(call.store, data, existing=existing)["stock_id"])


def delete_stock(call: Call) -> None:
    """`DELETE /V1/inventory/stocks/{stockId}` (void); the default stock stays."""
    STOCKS.delete(call)


def _link_rows(call: Call) -> list[dict[str, Any]]:
    body = call.body if isinstance(call.body, dict) else {}
    if body.get("links") is None:
        raise required("links")
    rows = [convert(r, LINKS.interface, "links") for r in body["links"] or []]
    for row in rows:
        STOCKS.load(call.store, row.get("stock_id"))
        SOURCES.load(call.store, row.get("source_code"))
    return rows


def _same_link(call: Call, row: dict[str, Any]) -> list[dict[str, Any]]:
    found = call.store.find(LINKS.table, stock_id=row["stock_id"])
    return [r for r in found if r["source_code"] == row["source_code"]]


def save_links(call: Call) -> None:
    """`POST /V1/inventory/stock-source-links {links: [...]}`."""
    for row in _link_rows(call):
        existing = _same_link(call, row)
        LINKS.save(call.store, row, existing=existing[0] if existing else None)


def delete_links(call: Call) -> None:
    """`POST /V1/inventory/stock-source-links-delete {links: [...]}`."""
    for row in _link_rows(call):
        for existing in _same_link(call, row):
            call.store.delete(LINKS.table, existing["id"])


# ---------------------------------------------------------------- source items


def _fill_items(call: Call) -> None:
    """The source items view: the default source from the products, then the stored rows."""
    call.store.fill_view(
        ITEMS_TABLE, (DEFAULT_ITEMS_SQL, (DEFAULT_SOURCE,)), (STORED_ITEMS_SQL, ())
    )


def _render_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "source_code": row["source_code"],
        "quantity": float(row.get("quantity") or 0),
        "status": int(row.get("status") or 0),
    }


def list_items(call: Call) -> dict[str, Any]:
    """`GET /V1/inventory/source-items?searchCriteria...`."""
    _fill_items(call)
    return call.search(ITEMS_TABLE, ITEM_FIELDS, _render_item)


def _item_rows(call: Call) -> list[dict[str, Any]]:
    body = call.body if isinstance(call.body, dict) else {}
    if body.get("sourceItems") is None and body.get("source_items") is None:
        raise required("sourceItems")
    raw = body.get("sourceItems", body.get("source_items")) or []
    rows = [convert(r, "inventory-api-data-source-item-interface", "sourceItems") for r in raw]
    if not rows:
        raise input_error("Input data is empty")
    for row in rows:
        missing = [n for n in ("sku", "source_code") if not row.get(n)]
        if missing:
            raise _validation_failed(*missing)
        SOURCES.load(call.store, row["source_code"])
    return rows


def save_items(call: Call) -> None:
    """`POST /V1/inventory/source-items {sourceItems: [...]}`."""
    for row in _item_rows(call):
        item = {"sku": row["sku"], "source_code": row["source_code"]}
        item |= {"quantity": float(row.get("quantity") or 0), "status": int(row.get("status") or 0)}
        put_item(call.store, item)


def source_items(store: Store, sku: str) -> dict[str, dict[str, Any]]:
    """The SKU's items by source code: the default source's from its product, then the rows."""
    items = {}
    products = store.find("products", sku=sku)
    if products:
        stock = products[0].get("stock_item") or {}
        items[DEFAULT_SOURCE] = {
            "sku": sku,
            "source_code": DEFAULT_SOURCE,
            "quantity": float(stock.get("qty") or 0),
            "status": int(bool(stock.get("is_in_stock"))),
        }
    for row in store.find("source_items", sku=sku):
        items[row["source_code"]] = _render_item(row)
    return items


def put_item(store: Store, item: dict[str, Any]) -> None:
    """Store one source item: the default source's in the product's stock item."""
    if item["source_code"] == DEFAULT_SOURCE:
        _write_legacy(store, item)
        return
    stored = _stored_items(store, item)
    if stored:
        store.update("source_items", stored[0] | item)
    else:
        store.insert("source_items", item)


def remove_item(store: Store, sku: str, source_code: str) -> bool:
    """Unassign a SKU from a source (the default source's item goes to 0); whether it had one."""
    if source_code == DEFAULT_SOURCE:
        had = bool(store.find("products", sku=sku))
        if had:
            _write_legacy(store, {"sku": sku} | ZERO)
        return had
    stored = _stored_items(store, {"sku": sku, "source_code": source_code})
    for row in stored:
        store.delete("source_items", row["id"])
    return bool(stored)


def _stored_items(store: Store, row: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in store.find("source_items", sku=row["sku"])
        if r["source_code"] == row["source_code"]
    ]


def _write_legacy(store: Store, item: dict[str, Any]) -> None:
    products = store.find("products", sku=item["sku"])
    if not products:
        raise input_error(
            'Not all of your products are available in the source "%1".', [DEFAULT_SOURCE]
        )
    product = products[0]
    stock = dict(STOCK_DEFAULTS) | (product.get("stock_item") or {})
    product["stock_item"] = stock | {"qty": item["quantity"], "is_in_stock": bool(item["status"])}
    store.update("products", product)


def delete_items(call: Call) -> None:
    """`POST /V1/inventory/source-items-delete {sourceItems: [...]}` (default ones go to 0)."""
    for row in _item_rows(call):
        if row["source_code"] == DEFAULT_SOURCE:  # the product must exist, as for a save
            put_item(call.store, {"sku": row["sku"], "source_code": DEFAULT_SOURCE} | ZERO)
        else:
            remove_item(call.store, row["sku"], row["source_code"])
