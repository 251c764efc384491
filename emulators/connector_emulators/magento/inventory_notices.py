"""MSI's low-quantity notification settings per source item, and source selection by priority.

A source item's notify quantity is kept in its own row; one never set reads as the configuration's
(`cataloginventory/item_options/notify_stock_qty`, 1 in a fresh install). A fresh install's
source selection algorithm is `priority` (the distance one needs a geocoding provider, which the
emulator does not have): it walks the stock's enabled sources in link priority and takes from
each in-stock item what is still to deliver, as `GetDefaultSortedSourcesResult` does; the
request is shippable when everything found a source.
"""

from __future__ import annotations

from typing import Any

from .common import Call
from .errors import input_error, required
from .fields import convert
from .inventory import SOURCES, source_items
from .inventory_sales import enabled_sources

REQUEST = "inventory-source-selection-api-data-inventory-request-interface"
CONFIGURATION = "inventory-low-quantity-notification-api-data-source-item-configuration-interface"
DEFAULT_NOTIFY_QTY = 1.0
TABLE = "low_stock_notifications"
ALGORITHMS = (
    {
        "code": "priority",
        "title": "Source Priority",
        "description": "Algorithm which provides Source Selections based on predefined priority "
        "of Source",
    },
)


# ---------------------------------------------------------------- low quantity notifications


def _stored(call: Call, source_code: str, sku: str) -> list[dict[str, Any]]:
    return [r for r in call.store.find(TABLE, sku=sku) if r["source_code"] == source_code]


def save_notices(call: Call) -> None:
    """`POST /V1/inventory/low-quantity-notification {sourceItemConfigurations}`."""
    body = call.body if isinstance(call.body, dict) else {}
    raw = body.get("sourceItemConfigurations", body.get("source_item_configurations"))
    if raw is None:
        raise required("sourceItemConfigurations")
    rows = convert(raw, [CONFIGURATION], "sourceItemConfigurations")
    if not rows:
        raise input_error("Input data is empty")
    for row in rows:
        if not row.get("sku") or SOURCES.find(call.store, row.get("source_code") or "") is None:
            raise input_error("Could not save Source Item Configuration")
    for row in rows:
        notice = {k: row.get(k) for k in ("source_code", "sku", "notify_stock_qty")}
        stored = _stored(call, row["source_code"], row["sku"])
        if stored:
            call.store.update(TABLE, stored[0] | notice)
        else:
            call.store.insert(TABLE, notice)


def get_notice(call: Call) -> dict[str, Any]:
    """`GET /V1/inventory/low-quantity-notification/{sourceCode}/{sku}`."""
    source_code, sku = call.path["sourceCode"], call.path["sku"]
    known = SOURCES.find(call.store, source_code) and call.store.find("products", sku=sku)
    if not known:
        raise input_error("Wrong input data")
    stored = _stored(call, source_code, sku)
    notify = stored[0]["notify_stock_qty"] if stored else DEFAULT_NOTIFY_QTY
    return {"source_code": source_code, "notify_stock_qty": notify, "sku": sku}


def delete_notices(call: Call) -> None:
    """`POST /V1/inventory/low-quantity-notifications-delete {sourceItems}`."""
    body = call.body if isinstance(call.body, dict) else {}
    raw = body.get("sourceItems", body.get("source_items"))
    if raw is None:
        raise required("sourceItems")
    for row in convert(raw, ["inventory-api-data-source-item-interface"], "sourceItems"):
        for stored in _stored(call, str(row.get("source_code")), str(row.get("sku"))):
            call.store.delete(TABLE, stored["id"])


# ---------------------------------------------------------------- source selection


def algorithms(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/inventory/source-selection-algorithm-list`."""
    return [dict(algorithm) for algorithm in ALGORITHMS]


def select_sources(call: Call) -> dict[str, Any]:
    """`POST /V1/inventory/source-selection-algorithm-result {inventoryRequest, algorithmCode}`."""
    request = call.body_param("inventoryRequest", REQUEST)
    code = call.body_param("algorithmCode", "string")
    if code not in {algorithm["code"] for algorithm in ALGORITHMS}:
        # Magento throws a LogicException here, which the web API masks as an internal error.
        raise LookupError(f"There is no such Source Selection Algorithm implemented: {code}")
    to_deliver: dict[str, float] = {}
    for item in request.get("items") or []:
        sku = str(item.get("sku") or "").lower()  # Magento normalises SKUs so
        to_deliver[sku] = to_deliver.get(sku, 0.0) + float(item.get("qty") or 0)
    held = {sku: _items_of(call, sku) for sku in to_deliver}
    selections = []
    for source in enabled_sources(call.store, int(request.get("stock_id") or 0)):
        for sku, items in held.items():
            item = items.get(source["source_code"])
            if item is None or not item["status"]:
                continue
            available = float(item["quantity"])
            qty = min(max(available, 0.0), to_deliver[sku])
            selections.append(
                {
                    "source_code": source["source_code"],
                    "sku": item["sku"],
                    "qty_to_deduct": qty,
                    "qty_available": available,
                }
            )
            to_deliver[sku] -= qty
    shippable = all(abs(left) < 0.0001 for left in to_deliver.values())
    return {"source_selection_items": selections, "shippable": shippable}


def _items_of(call: Call, sku: str) -> dict[str, dict[str, Any]]:
    """The source items of the product whose SKU is `sku` in lower case."""
    for product in call.store.find("products", sku=sku) or call.store.all("products"):
        if str(product["sku"]).lower() == sku:
            return source_items(call.store, product["sku"])
    return {}
