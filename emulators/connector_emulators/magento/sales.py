"""Orders (`/V1/orders...`): placement, reads, hold / unhold / cancel and status history.

Orders are stored in the API shape of `sales-data-order-interface` (Magento's sales tables are
flat). Money is computed in `Decimal` and stored rounded to 4 places, as Magento's
`decimal(20,4)` columns hold it. Amounts are in the order currency; `base_*` amounts are in the
website's base currency (`base_to_order_rate` converts). Tax is applied after discount, shipping
is a flat rate, and the shipping address and method live in
`extension_attributes.shipping_assignments`, as Magento answers them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import search
from .common import DEFAULT_STORE_ID, Call, now
from .errors import ENTITY_NOT_FOUND, MagentoError, input_error
from .store import Store

STORE_NAME = "Main Website\nMain Website Store\nDefault Store View"
BASE_CURRENCY = "USD"
NOT_INVOICEABLE_STATES = frozenset({"payment_review", "holded", "canceled", "complete", "closed"})
NOT_HOLDABLE_STATES = NOT_INVOICEABLE_STATES
PAYMENT_TITLES = {"checkmo": "Check / Money order", "banktransfer": "Bank Transfer Payment"}
SHIPPING_METHODS = {"flatrate_flatrate": "Flat Rate - Fixed", "freeshipping_freeshipping": ""}
ORDER_FIELDS = search.Fields(
    numeric=frozenset({
        "entity_id", "store_id", "customer_id", "customer_is_guest", "customer_group_id",
        "grand_total", "base_grand_total", "subtotal", "total_qty_ordered", "total_invoiced",
        "total_paid", "total_due", "total_item_count", "quote_id",
    }),
)  # fmt: skip
HISTORY_FIELDS = search.Fields(numeric=frozenset({"entity_id", "parent_id"}))
CENT = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def money(value: Decimal | float | int | str) -> float:
    """A `decimal(20,4)` column's value as JSON carries it (exact to 4 places)."""
    return float(Decimal(str(value)).quantize(FOUR_PLACES, ROUND_HALF_UP))


def _is_qty_decimal(item: dict[str, Any], product: dict[str, Any] | None) -> int:
    """Whether the line's quantity may be fractional, copied from the product's stock item.

    An order added through the admin route may say so itself.
    """
    if "is_qty_decimal" in item:
        return int(bool(item["is_qty_decimal"]))
    stock = ((product or {}).get("extension_attributes") or {}).get("stock_item") or {}
    return int(bool(stock.get("is_qty_decimal")))


def cents(value: Decimal) -> Decimal:
    """Magento rounds each computed amount to the currency's 2 places."""
    return value.quantize(CENT, ROUND_HALF_UP)


def currency_fields(currency: str, rate: Decimal) -> dict[str, Any]:
    """The currency codes and rates of an order or one of its documents."""
    return {
        "base_currency_code": BASE_CURRENCY,
        "global_currency_code": BASE_CURRENCY,
        "order_currency_code": currency,
        "store_currency_code": BASE_CURRENCY,
        "base_to_global_rate": 1,
        "base_to_order_rate": money(rate),
        "store_to_base_rate": 0,
        "store_to_order_rate": 0,
    }


def _order_line(
    store: Store,
    item: dict[str, Any],
    *,
    order_id: int,
    store_id: int,
    stamp: str,
    rate: Decimal,
    discount_percent: Decimal,
    tax_percent: Decimal,
    carry: dict[str, Decimal],
) -> dict[str, Any]:
    qty = Decimal(str(item["qty"]))
    price = Decimal(str(item["price"]))
    row_total = cents(qty * price)
    discount = _rounded(carry, "discount", row_total * discount_percent / 100)
    tax = _rounded(carry, "tax", (row_total - discount) * tax_percent / 100)
    products = store.find("products", sku=str(item["sku"]))
    is_virtual = item.get("product_type") == "virtual"

    def both(name: str, value: Decimal) -> dict[str, float]:
        return {name: money(value), f"base_{name}": money(cents(value / rate))}

    line = {
        "item_id": store.next_id("order_items"),
        "order_id": order_id,
        "sku": str(item["sku"]),
        "name": str(item.get("name") or item["sku"]),
        "product_id": products[0]["id"] if products else None,
        "product_type": "virtual" if is_virtual else "simple",
        "is_virtual": int(is_virtual),
        "is_qty_decimal": _is_qty_decimal(item, products[0] if products else None),
        "no_discount": 0,
        "store_id": store_id,
        "created_at": stamp,
        "updated_at": stamp,
        "qty_ordered": money(qty),
        "qty_invoiced": 0,
        "qty_canceled": 0,
        "qty_refunded": 0,
        "qty_shipped": 0,
        **both("price", price),
        **both("original_price", price),
        **both("price_incl_tax", cents(price * (100 + tax_percent) / 100)),
        **both("row_total", row_total),
        **both("row_total_incl_tax", row_total + tax),
        "row_invoiced": 0,
        "base_row_invoiced": 0,
        **both("tax_amount", tax),
        "tax_percent": money(tax_percent),
        **both("discount_amount", discount),
        "discount_percent": money(discount_percent),
        "amount_refunded": 0,
        "base_amount_refunded": 0,
    }
    return {k: v for k, v in line.items() if v is not None}


def _rounded(carry: dict[str, Decimal], kind: str, exact: Decimal) -> Decimal:
    """Round a row's amount, carrying the rounding difference to the next row.

    Magento's default tax algorithm (`TOTAL_BASE_CALCULATION`) and its discount totals round
    this way, so the rows add up to the rounded total of the order.
    """
    value = exact + carry.get(kind, Decimal(0))
    rounded = cents(value)
    carry[kind] = value - rounded
    return rounded


def _address(
    address: dict[str, Any], kind: str, entity_id: int, order_id: int, email: str
) -> dict[str, Any]:
    return {
        **address,
        "address_type": kind,
        "entity_id": entity_id,
        "parent_id": order_id,
        "email": email,
    }


# Where an order the admin route places without addresses ships: the customer's default address,
# or, for a buyer the shop does not know, the shop's own (a pick-up at the store).
SHOP_ADDRESS = {
    "street": ["6 Congress Avenue"], "city": "Austin", "postcode": "78701", "country_id": "US",
    "region": "Texas", "region_code": "TX", "region_id": 57, "telephone": "512-555-0100",
}  # fmt: skip
ORDER_ADDRESS_KEYS = (
    "firstname", "lastname", "middlename", "prefix", "suffix", "company", "street", "city",
    "postcode", "country_id", "telephone", "fax", "vat_id",
)  # fmt: skip


def _default_address(
    store: Store, customer: dict[str, Any] | None, firstname: str | None, lastname: str | None
) -> dict[str, Any]:
    """The address an order placed without one ships to (see `SHOP_ADDRESS`)."""
    for key in ("default_shipping", "default_billing"):
        saved = store.get("customer_addresses", (customer or {}).get(key))
        if saved:
            address = {k: saved[k] for k in ORDER_ADDRESS_KEYS if saved.get(k) is not None}
            region = saved.get("region") or {}
            address |= {
                "region": region.get("region"),
                "region_code": region.get("region_code"),
                "region_id": saved.get("region_id") or region.get("region_id"),
                "customer_address_id": saved["id"],
            }
            kept = {k: v for k, v in address.items() if v is not None}
            return {"postcode": None} | kept  # Magento keeps a null postcode where none is needed
    names = {
        "firstname": firstname or (customer or {}).get("firstname") or "Guest",
        "lastname": lastname or (customer or {}).get("lastname") or "Buyer",
    }
    return names | SHOP_ADDRESS


def create_order(
    store: Store,
    *,
    increment_id: str,
    customer_email: str,
    items: list[dict[str, Any]],
    customer_firstname: str | None = None,
    customer_lastname: str | None = None,
    billing_address: dict[str, Any] | None = None,
    shipping_address: dict[str, Any] | None = None,
    store_id: int = DEFAULT_STORE_ID,
    created_at: str | None = None,
    currency: str = BASE_CURRENCY,
    base_to_order_rate: Decimal | float | str = 1,
    shipping_amount: Decimal | float | str = 0,
    shipping_method: str = "flatrate_flatrate",
    discount_percent: Decimal | float | str = 0,
    coupon_code: str | None = None,
    tax_percent: Decimal | float | str = 0,
    payment_method: str = "checkmo",
    guest: bool = False,
    comments: list[str] | None = None,
) -> dict[str, Any]:
    """Place an order as the storefront would have (state `new`, status `pending`).

    The buyer is the shop customer with `customer_email` unless `guest` (or no such customer).
    """
    stamp = created_at or now()
    rate = Decimal(str(base_to_order_rate))
    discount_rate = Decimal(str(discount_percent))
    tax_rate = Decimal(str(tax_percent))
    shipping = Decimal(str(shipping_amount))
    order_id = store.next_id("orders")
    matches = [] if guest else store.find("customers", email=customer_email)
    customer = matches[0] if matches else None
    carry: dict[str, Decimal] = {}
    lines = [
        _order_line(
            store, item, order_id=order_id, store_id=store_id, stamp=stamp, rate=rate,
            discount_percent=discount_rate, tax_percent=tax_rate, carry=carry,
        )
        for item in items
    ]  # fmt: skip
    subtotal = sum((Decimal(str(line["row_total"])) for line in lines), Decimal(0))
    discount = sum((Decimal(str(line["discount_amount"])) for line in lines), Decimal(0))
    tax = sum((Decimal(str(line["tax_amount"])) for line in lines), Decimal(0))
    is_virtual = all(line["is_virtual"] for line in lines)
    if is_virtual:
        shipping = Decimal(0)
    grand_total = subtotal - discount + shipping + tax

    def both(name: str, value: Decimal) -> dict[str, float]:
        return {name: money(value), f"base_{name}": money(cents(value / rate))}

    totals = {
        **both("subtotal", subtotal),
        **both("subtotal_incl_tax", subtotal + tax),
        **both("discount_amount", -discount),
        **both("tax_amount", tax),
        **both("shipping_amount", shipping),
        **both("shipping_incl_tax", shipping),
        **both("shipping_tax_amount", Decimal(0)),
        **both("shipping_discount_amount", Decimal(0)),
        **both("grand_total", grand_total),
        **both("total_due", grand_total),
    }
    order: dict[str, Any] = {
        "id": order_id,
        "entity_id": order_id,
        "increment_id": increment_id,
        "state": "new",
        "status": "pending",
        "store_id": store_id,
        "store_name": STORE_NAME,
        "created_at": stamp,
        "updated_at": stamp,
        "customer_email": customer_email,
        "customer_firstname": customer_firstname,
        "customer_lastname": customer_lastname,
        "customer_id": customer["id"] if customer else None,
        "customer_group_id": customer.get("group_id", 1) if customer else 0,
        "customer_is_guest": 0 if customer else 1,
        "customer_note_notify": 1,
        **currency_fields(currency, rate),
        "is_virtual": int(is_virtual),
        "email_sent": 1,
        "protect_code": f"{order_id:06x}",
        "quote_id": order_id,
        "coupon_code": coupon_code,
        "discount_description": coupon_code,
        "applied_rule_ids": "1" if discount else None,
        **totals,
        "total_qty_ordered": money(sum(Decimal(str(line["qty_ordered"])) for line in lines)),
        "total_item_count": len(lines),
        "weight": 0,
        "items": lines,
        "payment": _payment(
            store, order_id, payment_method, total=grand_total, shipping=shipping, rate=rate
        ),
        "status_histories": [],
    }
    if billing_address:
        billing_id = store.next_id("order_addresses")
        order["billing_address_id"] = billing_id
        order["billing_address"] = _address(
            billing_address, "billing", billing_id, order_id, customer_email
        )
    if not is_virtual:
        address = shipping_address or billing_address
        if not address:
            address = _default_address(store, customer, customer_firstname, customer_lastname)
        shipping_id = store.next_id("order_addresses")
        order["shipping_description"] = SHIPPING_METHODS.get(shipping_method, shipping_method)
        order["extension_attributes"] = {
            "shipping_assignments": [
                {
                    "shipping": {
                        "address": _address(
                            address, "shipping", shipping_id, order_id, customer_email
                        ),
                        "method": shipping_method,
                        "total": {
                            **both("shipping_amount", shipping),
                            **both("shipping_incl_tax", shipping),
                            **both("shipping_tax_amount", Decimal(0)),
                            **both("shipping_discount_amount", Decimal(0)),
                        },
                    },
                }
            ]
        }
    order = {k: v for k, v in order.items() if v is not None}
    for comment in comments or []:
        _add_history(store, order, comment, stamp=stamp)
    store.insert("orders", order)
    return order


PLACEMENT_OPTIONS = (
    "customer_firstname", "customer_lastname", "billing_address", "shipping_address",
    "created_at", "currency", "base_to_order_rate", "shipping_amount", "shipping_method",
    "discount_percent", "coupon_code", "tax_percent", "payment_method", "guest", "comments",
)  # fmt: skip


def placement(data: dict[str, Any]) -> dict[str, Any]:
    """`create_order` arguments from an admin request body (unknown keys refused)."""
    known = {"increment_id", "customer_email", "items", "store_id", *PLACEMENT_OPTIONS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown order fields {unknown}")
    options = {name: data[name] for name in PLACEMENT_OPTIONS if data.get(name) is not None}
    return {
        "increment_id": str(data["increment_id"]),
        "customer_email": str(data["customer_email"]),
        "items": list(data["items"]),
        "store_id": int(data.get("store_id", DEFAULT_STORE_ID)),
        **options,
    }


def _payment(
    store: Store, order_id: int, method: str, *, total: Decimal, shipping: Decimal, rate: Decimal
) -> dict[str, Any]:
    return {
        "account_status": None,
        "additional_information": [PAYMENT_TITLES.get(method, method)],
        "amount_ordered": money(total),
        "base_amount_ordered": money(cents(total / rate)),
        "shipping_amount": money(shipping),
        "base_shipping_amount": money(cents(shipping / rate)),
        "cc_last4": None,
        "entity_id": store.next_id("order_payments"),
        "method": method,
        "parent_id": order_id,
    }


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """An order or one of its documents as answered (the store's row id removed).

    A shipping assignment lists the order's items as they are now (Magento loads them anew).
    """
    rendered = {k: v for k, v in order.items() if k != "id"}
    assignments = (order.get("extension_attributes") or {}).get("shipping_assignments")
    if assignments:
        rendered["extension_attributes"] = {
            **order["extension_attributes"],
            "shipping_assignments": [{**a, "items": order["items"]} for a in assignments],
        }
    return rendered


def touch(order: dict[str, Any], stamp: str | None = None) -> None:
    """The order row was saved: `updated_at` moves, in the order and in its lines."""
    order["updated_at"] = stamp or now()


def get_order(call: Call) -> dict[str, Any]:
    """`GET /V1/orders/{id}` (entity_id)."""
    return render_order(find_order(call.store, call.path["id"]))


def list_orders(call: Call) -> dict[str, Any]:
    """`GET /V1/orders?searchCriteria...`."""
    return call.search("orders", ORDER_FIELDS, render_order)


def hold_order(call: Call) -> bool:
    """`POST /V1/orders/{id}/hold`."""
    order = find_order(call.store, call.path["id"])
    if order["state"] in NOT_HOLDABLE_STATES:
        raise input_error("A hold action is not available.")
    order |= {"hold_before_state": order["state"], "hold_before_status": order["status"]}
    order |= {"state": "holded", "status": "holded"}
    touch(order)
    call.store.update("orders", order)
    return True


def unhold_order(call: Call) -> bool:
    """`POST /V1/orders/{id}/unhold`."""
    order = find_order(call.store, call.path["id"])
    if order["state"] != "holded":
        raise input_error("You cannot remove the hold.")
    order["state"] = order.pop("hold_before_state", "new")
    order["status"] = order.pop("hold_before_status", "pending")
    touch(order)
    call.store.update("orders", order)
    return True


def cancel_order(call: Call) -> bool:
    """Cancel what is not invoiced; answers false when the order cannot be canceled."""
    order = find_order(call.store, call.path["id"])
    return cancel(call.store, order)


def cancel(store: Store, order: dict[str, Any], stamp: str | None = None) -> bool:
    """`Order::registerCancellation`: open quantities become canceled, totals follow."""
    if order["state"] in NOT_INVOICEABLE_STATES or not open_lines(order):
        return False
    canceled = Decimal(0)
    for line in order["items"]:
        open_qty = Decimal(str(remaining(line)))
        line["qty_canceled"] = money(open_qty)
        canceled += cents(open_qty * Decimal(str(line["price"])))
    order["subtotal_canceled"] = money(canceled)
    order["total_canceled"] = money(
        Decimal(str(order["grand_total"])) - Decimal(str(order.get("total_invoiced", 0)))
    )
    invoiced = any(line["qty_invoiced"] > 0 for line in order["items"])
    state = "complete" if invoiced else "canceled"
    order |= {"state": state, "status": state}
    touch(order, stamp)
    store.update("orders", order)
    return True


def _add_history(
    store: Store, order: dict[str, Any], comment: str, *, stamp: str, status: str | None = None,
    notified: int = 0, visible: int = 0,
) -> dict[str, Any]:  # fmt: skip
    entry = {
        "comment": comment,
        "created_at": stamp,
        "entity_id": store.next_id("order_status_histories"),
        "entity_name": "order",
        "is_customer_notified": notified,
        "is_visible_on_front": visible,
        "parent_id": order["entity_id"],
        "status": status or order["status"],
    }
    order["status_histories"] = [entry, *order.get("status_histories", [])]  # newest first
    return entry


def add_comment(call: Call) -> bool:
    """`POST /V1/orders/{id}/comments {statusHistory}`: saved with the order (which moves)."""
    order = find_order(call.store, call.path["id"])
    history = call.body_param("statusHistory", "status_history")
    stamp = now()
    status = history.get("status") or order["status"]
    _add_history(
        call.store, order, str(history.get("comment") or ""), stamp=stamp, status=status,
        notified=int(history.get("is_customer_notified") or 0),
        visible=int(history.get("is_visible_on_front") or 0),
    )  # fmt: skip
    order["status"] = status
    touch(order, stamp)
    call.store.update("orders", order)
    return True


def list_comments(call: Call) -> dict[str, Any]:
    """`GET /V1/orders/{id}/comments`: the order's status history, newest first."""
    order = find_order(call.store, call.path["id"])
    entries = order.get("status_histories", [])
    return {
        "items": entries,
        "search_criteria": {"filter_groups": [{"filters": [
            {"field": "parent_id", "value": str(order["entity_id"]), "condition_type": "eq"}
        ]}]},
        "total_count": len(entries),
    }  # fmt: skip


def find_order(store: Store, raw_id: Any) -> dict[str, Any]:
    """The order with this entity id, or Magento's 404 (400 for an id of 0)."""
    order_id = entity_id(raw_id)
    order = store.get("orders", order_id)
    if order is None:
        raise MagentoError(404, ENTITY_NOT_FOUND)
    return order


def entity_id(raw_id: Any) -> int:
    """A path id as Magento casts it; 0 or garbage is "An ID is needed"."""
    try:
        value = int(raw_id)
    except (TypeError, ValueError):
        value = 0
    if value == 0:
        raise input_error("An ID is needed. Set the ID and try again.")
    return value


def remaining(line: dict[str, Any]) -> float:
    """What is left to invoice on a line."""
    return float(line["qty_ordered"]) - float(line["qty_invoiced"]) - float(line["qty_canceled"])


def open_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Lines with something left to invoice."""
    return [line for line in order["items"] if remaining(line) > 0]
