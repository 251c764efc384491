"""MSI's sales-side services: salable quantity and salability, stocks by sales channel, bulk moves.

A stock's index is computed from its source items on the call, as Magento's indexer would have
it: the default stock (1) holds every product with its legacy quantity and stock status; another
stock holds the SKUs with an item on one of its enabled sources, the in-stock quantities summed.
The emulator places no reservations (its orders deduct no stock), so the salable quantity is the
indexed quantity less the out-of-stock threshold (`min_qty`). Salability runs Magento's condition
chains with their error codes and messages: the checks of the quantity asked (minimum and maximum
sale quantity, increments, decimals) and "any source item in stock" are required, then
backorders, an unmanaged stock or enough salable quantity is sufficient. The bulk operations
assign, unassign and move source items as `BulkSourceAssign`, `BulkSourceUnassign`,
`BulkInventoryTransfer` and `BulkPartialInventoryTransfer` do.
"""

from __future__ import annotations

from typing import Any

from .catalog import PRODUCT_FIELDS, STOCK_DEFAULTS
from .common import Call
from .errors import PRODUCT_NOT_FOUND, MagentoError, input_error, required
from .fields import convert
from .inventory import (
    DEFAULT_STOCK_ID,
    LINKS,
    SOURCES,
    STOCKS,
    ZERO,
    put_item,
    remove_item,
    source_items,
    validation_failed,
)
from .store import Store

SOURCE_ITEM_TYPES = frozenset({"simple", "virtual", "downloadable"})
DOUBLE_FIELD = "No such entity with %fieldName = %fieldValue, %field2Name = %field2Value"
NO_SOURCE_ITEMS = "Can't check requested quantity for products without Source Items support."
# Stores > Configuration > Catalog > Inventory of a fresh install, for `use_config_*` items.
CONFIG = {
    "min_qty": 0.0,
    "min_sale_qty": 1.0,
    "max_sale_qty": 10000.0,
    "backorders": 0,
    "manage_stock": True,
    "enable_qty_increments": False,
    "qty_increments": 1.0,
}
CONFIG_SWITCHES = {"enable_qty_increments": "use_config_enable_qty_inc"}


# ---------------------------------------------------------------- the stock index


def _stock_id(call: Call) -> int:
    raw = call.path.get("stockId", call.query.get("stockId"))
    if raw in (None, ""):
        raise required("stockId")
    stock_id: int = convert(raw, "int", "stockId")
    if STOCKS.find(call.store, stock_id) is None:  # no index table for it
        raise input_error("Could not receive Stock Item data")
    return stock_id


def _sources_of(store: Store, stock_id: int) -> list[dict[str, Any]]:
    """The stock's sources, by link priority."""
    links = sorted(store.find(LINKS.table, stock_id=stock_id), key=lambda link: link["priority"])
    found = (SOURCES.find(store, link["source_code"]) for link in links)
    return [source for source in found if source is not None]


def enabled_sources(store: Store, stock_id: int) -> list[dict[str, Any]]:
    """The stock's enabled sources, by link priority: those its index and selection use."""
    return [source for source in _sources_of(store, stock_id) if source.get("enabled")]


def _stock_items(store: Store, sku: str, stock_id: int) -> list[dict[str, Any]]:
    """The SKU's items on the stock's enabled sources."""
    items = source_items(store, sku)
    codes = (source["source_code"] for source in enabled_sources(store, stock_id))
    return [items[code] for code in codes if code in items]


def _index(store: Store, sku: str, stock_id: int) -> tuple[float, bool] | None:
    """(quantity, is_salable) of the SKU in the stock's index; None when it is not there."""
    if stock_id == DEFAULT_STOCK_ID:
        products = store.find("products", sku=sku)
        if not products:
            return None
        stock = products[0].get("stock_item") or {}
        return float(stock.get("qty") or 0), bool(stock.get("is_in_stock"))
    items = _stock_items(store, sku, stock_id)
    if not items:
        return None
    in_stock = [item for item in items if item["status"]]
    return sum(item["quantity"] for item in in_stock), bool(in_stock)


def _settings(product: dict[str, Any]) -> dict[str, Any]:
    """The stock item configuration: the item's own values, or the config's where it says so."""
    item = dict(STOCK_DEFAULTS) | (product.get("stock_item") or {})
    settings = {}
    for name, default in CONFIG.items():
        switch = CONFIG_SWITCHES.get(name, f"use_config_{name}")
        settings[name] = default if item.get(switch) else item.get(name, default)
    if not settings["enable_qty_increments"]:
        settings["qty_increments"] = 0.0
    settings["is_qty_decimal"] = bool(item.get("is_qty_decimal"))
    return settings


def _product(store: Store, sku: str) -> dict[str, Any]:
    """A product whose stock is kept in source items (simple, virtual, downloadable)."""
    products = store.find("products", sku=sku)
    if not products:
        raise MagentoError(404, PRODUCT_NOT_FOUND)
    if products[0].get("type_id", "simple") not in SOURCE_ITEM_TYPES:
        raise input_error(NO_SOURCE_ITEMS)
    return products[0]


def _salable_qty(store: Store, product: dict[str, Any], stock_id: int) -> float:
    data = _index(store, product["sku"], stock_id)
    if data is None or not data[1]:
        return 0.0
    return data[0] - float(_settings(product)["min_qty"])


def _any_in_stock(store: Store, sku: str, stock_id: int) -> bool:
    return any(item["status"] for item in _stock_items(store, sku, stock_id))


# ---------------------------------------------------------------- salability


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _number(value: float) -> str:
    return f"{value:g}"


def _qty_errors(settings: dict[str, Any], qty: float) -> list[dict[str, str]]:
    """`IsCorrectQtyCondition`: the first rule the quantity asked breaks."""
    low, high, step = settings["min_sale_qty"], settings["max_sale_qty"], settings["qty_increments"]
    if low and qty < low:
        return [
            _error("is_correct_qty-min_sale_qty", f"The fewest you may purchase is {_number(low)}.")
        ]
    if high and qty > high:
        message = "The requested qty exceeds the maximum qty allowed in shopping cart"
        return [_error("is_correct_qty-max_sale_qty", message)]
    if step and round(qty / step, 4) % 1:
        message = f"You can buy this product only in quantities of {_number(step)} at a time."
        return [_error("is_correct_qty-qty_increment", message)]
    if not settings["is_qty_decimal"] and not float(qty).is_integer():
        message = "You cannot use decimal quantity for this product."
        return [_error("is_correct_qty-is_qty_decimal", message)]
    return []


def _requested_qty_errors(
    store: Store, product: dict[str, Any], stock_id: int, qty: float, *, on_add_to_cart: bool
) -> list[dict[str, str]]:
    """The condition chain's errors for `qty` of the product (none: salable)."""
    sku = product["sku"]
    data = _index(store, sku, stock_id)
    if data is None:  # the stock item configuration's SkuIsNotAssignedToStockException
        message = f"The requested sku {sku} is not assigned to given stock."
        return [_error("requested-sku-is-not-assigned-to-given-stock", message)]
    settings = _settings(product)
    if on_add_to_cart:
        errors = _qty_errors(settings, qty)
        if not _any_in_stock(store, sku, stock_id):
            message = "There are no source items with the in stock status"
            errors.append(_error("is_any_source_item_in_stock-no_source_items_in_stock", message))
        if errors:
            return errors
    if settings["backorders"] and settings["min_qty"] >= 0:
        return []
    if not settings["manage_stock"]:
        return []
    if _salable_qty(store, product, stock_id) >= qty:
        return []
    return [
        _error("back_order-disabled", "Backorders are disabled"),
        _error("manage_stock-enabled", "Manage stock is enabled"),
        _error("is_salable_with_reservations-not_enough_qty", "The requested qty is not available"),
    ]


def _is_salable(store: Store, sku: str, stock_id: int) -> bool:
    """`IsProductSalableConditionChain`; a SKU the catalogue does not have is not salable."""
    products = store.find("products", sku=sku)
    if not products or products[0].get("type_id", "simple") not in SOURCE_ITEM_TYPES:
        return False
    product = products[0]
    if _index(store, sku, stock_id) is None or not _any_in_stock(store, sku, stock_id):
        return False
    settings = _settings(product)
    if (settings["backorders"] and settings["min_qty"] >= 0) or not settings["manage_stock"]:
        return True
    data = _index(store, sku, stock_id)
    return data is not None and data[0] > settings["min_qty"]


def salable_quantity(call: Call) -> float:
    """`GET /V1/inventory/get-product-salable-quantity/{sku}/{stockId}`."""
    product = _product(call.store, call.path["sku"])
    return _salable_qty(call.store, product, _stock_id(call))


def is_salable(call: Call) -> bool:
    """`GET /V1/inventory/is-product-salable/{sku}/{stockId}`."""
    return _is_salable(call.store, call.path["sku"], _stock_id(call))


def are_salable(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/inventory/are-products-salable?skus[]=...&stockId=`."""
    if call.query.get("skus") is None:
        raise required("skus")
    skus = convert(call.query["skus"], ["string"], "skus")
    stock_id = _stock_id(call)
    return [
        {"sku": sku, "stock_id": stock_id, "salable": _is_salable(call.store, sku, stock_id)}
        for sku in skus
    ]


def is_salable_for_qty(call: Call) -> dict[str, Any]:
    """`GET /V1/inventory/is-product-salable-for-requested-qty/{sku}/{stockId}/{requestedQty}`."""
    qty = convert(call.path["requestedQty"], "float", "requestedQty")
    stock_id = _stock_id(call)
    product = _product(call.store, call.path["sku"])
    errors = _requested_qty_errors(call.store, product, stock_id, qty, on_add_to_cart=True)
    return {"salable": not errors, "errors": errors}


def are_salable_for_qty(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/inventory/are-product-salable-for-requested-qty/?skuRequests[0][sku]=...`."""
    raw = call.query.get("skuRequests")
    if raw is None:
        raise required("skuRequests")
    stock_id = _stock_id(call)
    answers = []
    for raw_request in convert(raw, ["mixed"], "skuRequests"):
        request = raw_request if isinstance(raw_request, dict) else {}
        sku = convert(request.get("sku"), "string", "sku") or ""
        qty = convert(request.get("qty"), "float", "qty") or 0.0
        product = _product(call.store, sku)
        errors = _requested_qty_errors(call.store, product, stock_id, qty, on_add_to_cart=False)
        answers.append({"sku": sku, "stock_id": stock_id, "salable": not errors, "errors": errors})
    return answers


# ---------------------------------------------------------------- stocks and their sources


def sources_by_priority(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/inventory/get-sources-assigned-to-stock-ordered-by-priority/{stockId}`."""
    stock_id = convert(call.path["stockId"], "int", "stockId")
    return [SOURCES.render(call.store, source) for source in _sources_of(call.store, stock_id)]


def _channel_stock(store: Store, kind: str, code: str) -> dict[str, Any]:
    """`GetStockBySalesChannel`: the stock a sales channel is assigned to, or a 404."""
    wanted = {"type": kind, "code": code}
    for stock in store.all(STOCKS.table):
        if wanted in (stock.get("sales_channels") or []):
            return stock
    parameters = {"fieldName": "type", "fieldValue": kind, "field2Name": "code"}
    raise MagentoError(404, DOUBLE_FIELD, parameters | {"field2Value": code})


def resolve_stock(call: Call) -> dict[str, Any]:
    """`GET /V1/inventory/stock-resolver/{type}/{code}`: the stock of a sales channel."""
    stock = _channel_stock(call.store, call.path["type"], call.path["code"])
    return STOCKS.render(call.store, stock)


def _exported_stock(call: Call) -> int:
    channel = (call.path["salesChannelType"], call.path["salesChannelCode"])
    return int(_channel_stock(call.store, *channel)["stock_id"])


def _export_row(store: Store, product: dict[str, Any], stock_id: int) -> dict[str, Any] | None:
    """`PreciseExportStockProcessor`: salable qty and flag; None when not in the stock."""
    sku = product["sku"]
    if product.get("type_id", "simple") not in SOURCE_ITEM_TYPES:
        return {"sku": sku, "qty": 0.0, "is_salable": _is_salable(store, sku, stock_id)}
    if not _settings(product)["manage_stock"]:
        return {"sku": sku, "qty": None, "is_salable": True}  # no qty configured for unmanaged
    if _index(store, sku, stock_id) is None:
        return None
    qty = _salable_qty(store, product, stock_id)
    return {"sku": sku, "qty": qty, "is_salable": _is_salable(store, sku, stock_id)}


def export_salable(call: Call) -> dict[str, Any]:
    """`GET /V1/inventory/export-stock-salable-qty/{type}/{code}?searchCriteria...`."""
    stock_id = _exported_stock(call)
    found = call.search("products", PRODUCT_FIELDS, lambda row: row)
    rows = (_export_row(call.store, product, stock_id) for product in found["items"])
    return found | {"items": [row for row in rows if row is not None]}


def dump_index(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/inventory/dump-stock-index-data/{type}/{code}`: the stock index, as it is."""
    stock_id = _exported_stock(call)
    rows = []
    for product in call.store.all("products"):
        if not _settings(product)["manage_stock"]:
            rows.append({"qty": None, "is_salable": True, "sku": product["sku"]})
            continue
        data = _index(call.store, product["sku"], stock_id)
        if data is not None:
            rows.append({"qty": data[0], "is_salable": data[1], "sku": product["sku"]})
    return rows


# ---------------------------------------------------------------- bulk source operations


def _list(call: Call, name: str) -> list[str]:
    body = call.body if isinstance(call.body, dict) else {}
    if body.get(name) is None:
        raise required(name)
    return [str(value) for value in convert(body[name], ["string"], name)]


def _managed_skus(store: Store, skus: list[str]) -> list[str]:
    """The SKUs of existing products whose stock is kept in source items, as asked."""
    kept = []
    for sku in dict.fromkeys(skus):
        products = store.find("products", sku=sku)
        if products and products[0].get("type_id", "simple") in SOURCE_ITEM_TYPES:
            kept.append(products[0]["sku"])
    return kept


def _unknown_sources(store: Store, codes: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
    return [
        ("Source %sourceCode does not exist", {"sourceCode": code})
        for code in codes
        if SOURCES.find(store, code) is None
    ]


def bulk_assign(call: Call) -> int:
    """`POST /V1/inventory/bulk-product-source-assign {skus, sourceCodes}`: items created."""
    skus, codes = _list(call, "skus"), _list(call, "sourceCodes")
    errors = _unknown_sources(call.store, codes)
    if errors:
        raise validation_failed(errors)
    count = 0
    for sku in _managed_skus(call.store, skus):
        held = source_items(call.store, sku)
        for code in dict.fromkeys(codes):
            if code not in held:  # an existing assignment is skipped
                put_item(call.store, {"sku": sku, "source_code": code} | ZERO)
                count += 1
    return count


def bulk_unassign(call: Call) -> int:
    """`POST /V1/inventory/bulk-product-source-unassign {skus, sourceCodes}`: items removed."""
    skus, codes = _list(call, "skus"), _list(call, "sourceCodes")
    errors = _unknown_sources(call.store, codes)
    if errors:
        raise validation_failed(errors)
    removed = 0
    for sku in dict.fromkeys(skus):
        for code in dict.fromkeys(codes):
            removed += remove_item(call.store, sku, code)
    return removed


def _transfer_errors(store: Store, origin: str, destination: str) -> list[tuple[str, Any]]:
    errors: list[tuple[str, Any]] = []
    if SOURCES.find(store, origin) is None:
        errors.append(("Origin source %sourceCode does not exist", {"sourceCode": origin}))
    if SOURCES.find(store, destination) is None:
        errors.append(
            ("Destination source %sourceCode does not exist", {"sourceCode": destination})
        )
    if origin == destination:
        errors.append(("Cannot transfer a source on itself", None))
    return errors


def bulk_transfer(call: Call) -> bool:
    """`POST /V1/inventory/bulk-product-source-transfer`: everything moves to the destination."""
    body = call.body if isinstance(call.body, dict) else {}
    skus = _list(call, "skus")
    for name in ("originSource", "destinationSource", "unassignFromOrigin"):
        if body.get(name) is None:
            raise required(name)
    origin = convert(body["originSource"], "string", "originSource")
    destination = convert(body["destinationSource"], "string", "destinationSource")
    unassign = convert(body["unassignFromOrigin"], "bool", "unassignFromOrigin")
    errors = _transfer_errors(call.store, origin, destination)
    if errors:
        raise validation_failed(errors)
    for sku in _managed_skus(call.store, skus):
        held = source_items(call.store, sku)
        there, here = held.get(origin), held.get(destination)
        status = (there or here or ZERO)["status"]
        quantity = (there or ZERO)["quantity"] + (here or ZERO)["quantity"]
        if there is not None or here is None:
            put_item(
                call.store,
                {"sku": sku, "source_code": destination, "quantity": quantity, "status": status},
            )
        if unassign:
            remove_item(call.store, sku, origin)
        elif there is not None:
            put_item(call.store, {"sku": sku, "source_code": origin} | ZERO)
    return True


def _partial_item_errors(
    store: Store, item: dict[str, Any], origin: str, destination: str
) -> list[tuple[str, Any]]:
    """`PartialTransferItemsValidator`: the origin item holds the quantity, both items exist."""
    sku = str(item.get("sku") or "")
    held = source_items(store, sku)

    def missing(code: str) -> tuple[str, Any]:
        return ("%message", {"message": f"Source item for {sku} and {code} does not exist"})

    if origin not in held:
        return [missing(origin)]
    errors = []
    if held[origin]["quantity"] < float(item.get("qty") or 0):
        errors.append(("Requested transfer amount for sku %sku is not available", {"sku": sku}))
    if destination not in held:
        errors.append(missing(destination))
    return errors


def partial_transfer(call: Call) -> None:
    """`POST /V1/inventory/bulk-partial-source-transfer`: `qty` of each item moves across."""
    body = call.body if isinstance(call.body, dict) else {}
    for name in ("originSourceCode", "destinationSourceCode", "items"):
        if body.get(name) is None:
            raise required(name)
    origin = convert(body["originSourceCode"], "string", "originSourceCode")
    destination = convert(body["destinationSourceCode"], "string", "destinationSourceCode")
    items = convert(
        body["items"],
        ["inventory-catalog-api-data-partial-inventory-transfer-item-interface"],
        "items",
    )
    errors = _transfer_errors(call.store, origin, destination)
    for item in items:
        errors += _partial_item_errors(call.store, item, origin, destination)
    if errors:
        raise validation_failed(errors, "Transfer validation failed")
    for item in items:
        held = source_items(call.store, item["sku"])
        qty = float(item.get("qty") or 0)
        put_item(call.store, held[origin] | {"quantity": held[origin]["quantity"] - qty})
        put_item(
            call.store,
            held[destination] | {"quantity": held[destination]["quantity"] + qty, "status": 1},
        )
