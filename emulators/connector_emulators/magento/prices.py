"""Magento's price storages: base, special, cost and tier prices, many SKUs per call.

The writes answer a list of failed rows (`catalog-data-price-update-result-interface`: message
and its parameters) and apply the rows that pass, as the storages do; an empty list means every
row was saved. Prices live on the product row (`price`, `special_price` with its dates, `cost`,
`tier_prices`), so `GET /V1/products/{sku}` shows them. The emulator has one website, so every
price is global (store 0, website 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .catalog import load_product
from .common import Call, now
from .errors import MagentoError, input_error, required
from .fields import convert
from .groups import GROUPS

INVALID = "Invalid attribute %fieldName = %fieldValue."
STORE = "Requested store is not found. Row ID: SKU = %SKU, Store ID: %storeId."
PRICE_TYPES = ("fixed", "discount")
ALL_GROUPS = "ALL GROUPS"
ALL_GROUPS_ID = 32000  # Magento's id of the all-groups customer group


def _rows(call: Call, name: str, interface: str) -> list[dict[str, Any]]:
    body = call.body if isinstance(call.body, dict) else {}
    raw = body.get(name)
    if raw is None:
        raise required(name)
    return [convert(item, interface, name) for item in (raw if isinstance(raw, list) else [])]


def _skus(call: Call) -> list[str]:
    body = call.body if isinstance(call.body, dict) else {}
    raw = body.get("skus")
    if raw is None:
        raise required("skus")
    return [str(sku) for sku in raw] if isinstance(raw, list) else []


def _products(call: Call, skus: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for sku in dict.fromkeys(skus):
        rows = call.store.find("products", sku=sku)
        if rows:
            found[sku] = rows[0]
    return found


def _failure(message: str, *values: Any) -> dict[str, Any]:
    """A failed row; its parameters as text, whole numbers without a decimal point."""
    shown = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values]
    return {"message": message, "parameters": shown}


def _write(
    call: Call,
    name: str,
    interface: str,
    check: Callable[[dict[str, Any]], list[dict[str, Any]]],
    apply: Callable[[dict[str, Any], dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """Check every row, apply those that pass to their products, answer the failures."""
    rows = _rows(call, name, interface)
    products = _products(call, [str(r.get("sku") or "") for r in rows])
    failures: list[dict[str, Any]] = []
    touched: dict[str, dict[str, Any]] = {}
    for row in rows:
        sku = str(row.get("sku") or "")
        problems = [] if sku in products else [_failure(INVALID, "SKU", sku)]
        problems += check(row)
        if row.get("store_id") not in (None, 0, 1):
            problems.append(_failure(STORE, sku, row["store_id"]))
        if problems:
            failures += problems
            continue
        apply(products[sku], row)
        touched[sku] = products[sku]
    for product in touched.values():
        product["updated_at"] = now()
        call.store.update("products", product)
    return failures


def _price_check(field: str) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    def check(row: dict[str, Any]) -> list[dict[str, Any]]:
        value = row.get(field)
        if value is None or value < 0:
            return [_failure(INVALID, field.capitalize(), value)]
        return []

    return check


def _no_check(row: dict[str, Any]) -> list[dict[str, Any]]:
    return []


# ---------------------------------------------------------------- base price and cost


def base_prices(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/base-prices {prices: [{price, store_id, sku}]}`."""

    def apply(product: dict[str, Any], row: dict[str, Any]) -> None:
        product["price"] = row["price"]

    return _write(call, "prices", "catalog-data-base-price-interface", _price_check("price"), apply)


def base_prices_information(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/base-prices-information {skus}`."""
    products = _products(call, _skus(call))
    return [
        {"price": p.get("price") or 0, "store_id": 0, "sku": p["sku"]} for p in products.values()
    ]


def costs(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/cost {prices: [{cost, store_id, sku}]}`."""

    def apply(product: dict[str, Any], row: dict[str, Any]) -> None:
        product["cost"] = row["cost"]

    return _write(call, "prices", "catalog-data-cost-interface", _price_check("cost"), apply)


def costs_information(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/cost-information {skus}`: products that have a cost."""
    products = _products(call, _skus(call))
    return [
        {"cost": p["cost"], "store_id": 0, "sku": p["sku"]}
        for p in products.values()
        if p.get("cost") is not None
    ]


def delete_costs(call: Call) -> bool:
    """`POST /V1/products/cost-delete {skus}`."""
    skus = _skus(call)
    products = _products(call, skus)
    for product in products.values():
        product.pop("cost", None)
        call.store.update("products", product)
    return True


# ---------------------------------------------------------------- special price


def _special_check(row: dict[str, Any]) -> list[dict[str, Any]]:
    problems = _price_check("price")(row)
    for name in ("price_from", "price_to"):
        if not row.get(name):
            problems.append(_failure(INVALID, name, row.get(name)))
    return problems


def special_prices(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/special-price {prices: [{price, sku, price_from, price_to, ...}]}`."""

    def apply(product: dict[str, Any], row: dict[str, Any]) -> None:
        product["special_price"] = row["price"]
        product["special_from_date"] = row["price_from"]
        product["special_to_date"] = row["price_to"]

    return _write(call, "prices", "catalog-data-special-price-interface", _special_check, apply)


def delete_special_prices(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/special-price-delete {prices: [...]}`."""

    def apply(product: dict[str, Any], row: dict[str, Any]) -> None:
        for name in ("special_price", "special_from_date", "special_to_date"):
            product.pop(name, None)

    return _write(call, "prices", "catalog-data-special-price-interface", _no_check, apply)


def special_prices_information(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/special-price-information {skus}`."""
    products = _products(call, _skus(call))
    return [
        {
            "price": p["special_price"],
            "store_id": 0,
            "sku": p["sku"],
            "price_from": p.get("special_from_date") or "",
            "price_to": p.get("special_to_date") or "",
        }
        for p in products.values()
        if p.get("special_price") is not None
    ]


# ---------------------------------------------------------------- tier prices


def _group_id(call: Call, code: str) -> int | None:
    """The customer group of a tier price (`ALL GROUPS` is 32000, Magento's all-groups id)."""
    if code.upper() == ALL_GROUPS:
        return ALL_GROUPS_ID
    rows = call.store.find("customer_groups", code=code)
    return int(rows[0]["id"]) if rows else None


def _tier(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    group = _group_id(call, str(row.get("customer_group") or ""))
    tier: dict[str, Any] = {
        "customer_group_id": group,
        "qty": row["quantity"],
        "value": row["price"],
    }
    extension: dict[str, Any] = {"website_id": row.get("website_id") or 0}
    if row["price_type"] == "discount":
        extension["percentage_value"] = row["price"]
    return tier | {"extension_attributes": extension}


def _tier_writer(call: Call, *, replace: bool, delete: bool) -> list[dict[str, Any]]:
    replaced: set[str] = set()

    def check(row: dict[str, Any]) -> list[dict[str, Any]]:
        problems = _price_check("price")(row)
        if row.get("price_type") not in PRICE_TYPES:
            problems.append(_failure(INVALID, "Price Type", row.get("price_type")))
        if not row.get("quantity") or row["quantity"] <= 0:
            problems.append(_failure(INVALID, "Quantity", row.get("quantity")))
        if _group_id(call, str(row.get("customer_group") or "")) is None:
            problems.append(
                _failure(
                    "No such entity with %fieldName = %fieldValue",
                    "Customer Group",
                    row.get("customer_group"),
                )
            )
        return problems

    def apply(product: dict[str, Any], row: dict[str, Any]) -> None:
        tier = _tier(call, row)
        tiers = product.get("tier_prices") or []
        if replace and product["sku"] not in replaced:
            replaced.add(product["sku"])
            tiers = []
        key = (tier["customer_group_id"], tier["qty"])
        tiers = [t for t in tiers if (t["customer_group_id"], t["qty"]) != key]
        product["tier_prices"] = tiers if delete else [*tiers, tier]

    return _write(call, "prices", "catalog-data-tier-price-interface", check, apply)


def add_tier_prices(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/tier-prices`: add or change the rows sent."""
    return _tier_writer(call, replace=False, delete=False)


def replace_tier_prices(call: Call) -> list[dict[str, Any]]:
    """`PUT /V1/products/tier-prices`: each product sent keeps only the rows sent."""
    return _tier_writer(call, replace=True, delete=False)


def delete_tier_prices(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/tier-prices-delete`."""
    return _tier_writer(call, replace=False, delete=True)


def tier_prices_information(call: Call) -> list[dict[str, Any]]:
    """`POST /V1/products/tier-prices-information {skus}`."""
    groups = {int(g["id"]): g["code"] for g in call.store.all("customer_groups")} | {
        32000: ALL_GROUPS
    }
    answer = []
    for product in _products(call, _skus(call)).values():
        for tier in product.get("tier_prices") or []:
            extension = tier.get("extension_attributes") or {}
            discount = extension.get("percentage_value") is not None
            answer.append(
                {
                    "price": extension["percentage_value"] if discount else tier["value"],
                    "price_type": "discount" if discount else "fixed",
                    "website_id": extension.get("website_id", 0),
                    "sku": product["sku"],
                    "customer_group": groups.get(tier["customer_group_id"], ALL_GROUPS),
                    "quantity": tier["qty"],
                }
            )
    return answer


# ---------------------------------------------------------------- group prices, one tier a call

NO_GROUP_PRICE = (
    "Product hasn't group price with such data: customerGroupId = '%1', website = %2, qty = %3"
)


def _group_tiers(call: Call) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    product = load_product(call.store, call.path["sku"])
    return product, call.path["customerGroupId"], product.get("tier_prices") or []


def _of_group(tier: dict[str, Any], group: str) -> bool:
    """A tier of the path's group: `all` is the all-groups tier, a number that group's."""
    if group == "all":
        return bool(tier["customer_group_id"] == ALL_GROUPS_ID)
    return group.isdigit() and tier["customer_group_id"] == int(group)


def group_tiers(call: Call) -> list[dict[str, Any]]:
    """`GET /V1/products/{sku}/group-prices/{customerGroupId}/tiers`."""
    _, group, tiers = _group_tiers(call)
    shown = ALL_GROUPS_ID if group == "all" else convert(group, "int", "customerGroupId")
    return [
        {"customer_group_id": shown, "qty": t["qty"], "value": t["value"]}
        for t in tiers
        if _of_group(t, group)
    ]


def add_group_tier(call: Call) -> bool:
    """`POST .../group-prices/{customerGroupId}/tiers/{qty}/price/{price}`: add or reprice."""
    price = convert(call.path["price"], "float", "price")
    qty = convert(call.path["qty"], "float", "qty")
    if price <= 0 or qty <= 0:
        raise input_error("The data was invalid. Verify the data and try again.")
    product, group, tiers = _group_tiers(call)
    same = [t for t in tiers if _of_group(t, group) and t["qty"] == qty]
    if same:
        same[0]["value"] = price
    else:
        group_id = ALL_GROUPS_ID if group == "all" else GROUPS.load(call.store, group)["id"]
        extension = {"website_id": 0}
        tiers.append(
            {"customer_group_id": group_id, "qty": qty, "value": price}
            | {"extension_attributes": extension}
        )
    product["tier_prices"] = tiers
    product["updated_at"] = now()
    call.store.update("products", product)
    return True


def remove_group_tier(call: Call) -> bool:
    """`DELETE .../group-prices/{customerGroupId}/tiers/{qty}`."""
    qty = convert(call.path["qty"], "float", "qty")
    product, group, tiers = _group_tiers(call)
    kept = [t for t in tiers if not (_of_group(t, group) and t["qty"] == qty)]
    if len(kept) == len(tiers):
        raise MagentoError(404, NO_GROUP_PRICE, [group, 0, call.path["qty"]])
    product["tier_prices"] = kept
    product["updated_at"] = now()
    call.store.update("products", product)
    return True
