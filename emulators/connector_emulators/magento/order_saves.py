"""Orders and order addresses saved through their repositories.

`POST /V1/orders`, `PUT /V1/orders/create` and, for an address, `PUT /V1/orders/{parent_id}`.

Both order routes are `OrderRepository::save`. With the `entity_id` of a stored order, the fields
sent are written over it, as Magento's resource model updates just those columns: a status or
state is taken as sent, unchecked, as in Magento; the billing address and the payment take their
fields sent; the lines, comments and documents stay as they are. Without an `entity_id` an order
is created from the entity's lines (`sku`, `name`, `price`, `qty_ordered`, `product_type`), its
billing address, the first shipping assignment's address and method, the payment method and the
customer's email and names, the way the emulator places an order, then the other fields sent
(state, status, increment id) are written over it; its totals are worked out from the lines,
where Magento would store the totals sent as they are. Both answer the order as
`GET /V1/orders/{id}` shows it.

`OrderAddressRepository::save` updates an order address by its `entity_id` (billing, or the
shipping assignment's); an unknown one is 400 `The order address couldn't be saved.`.
"""

from __future__ import annotations

from typing import Any

from .common import Call
from .errors import input_error
from .sales import create_order, find_order, render_order, touch

ORDER = "sales-data-order-interface"
ADDRESS = "sales-data-order-address-interface"
KEPT = frozenset({"entity_id", "items", "status_histories", "extension_attributes"})
ADDRESS_NOT_SAVED = "The order address couldn't be saved."
PLACED_FIELDS = ("customer_firstname", "customer_lastname", "store_id", "created_at")


def save_order(call: Call) -> dict[str, Any]:
    """`POST /V1/orders`, `PUT /V1/orders/create` `{entity}`."""
    data = call.body_param("entity", ORDER)
    if data.get("entity_id"):
        order = find_order(call.store, data["entity_id"])
        _write(order, data, placed=False)
    else:
        order = _place(call, data)
        _write(order, data, placed=True)
    touch(order)
    call.store.update("orders", order)
    return render_order(order)


def _write(order: dict[str, Any], data: dict[str, Any], *, placed: bool) -> None:
    """The fields sent, over the order; over a just placed one only its words (no amounts)."""
    for name, value in data.items():
        if value is None or name in KEPT:
            continue
        if isinstance(value, dict):
            if not placed and isinstance(order.get(name), dict):
                order[name] |= {k: v for k, v in value.items() if v is not None}
        elif not placed or isinstance(value, str):
            order[name] = value


def _place(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A new order from the entity's lines, addresses, payment method and customer."""
    lines = [
        {
            "sku": line.get("sku") or "",
            "name": line.get("name"),
            "price": line.get("price") or 0,
            "qty": line.get("qty_ordered") or 0,
            "product_type": line.get("product_type") or "simple",
        }
        for line in data.get("items") or []
    ]
    shipping = _first_shipping(data)
    options: dict[str, Any] = {k: data[k] for k in PLACED_FIELDS if data.get(k) is not None}
    if data.get("billing_address"):
        options["billing_address"] = _address_fields(data["billing_address"])
    if shipping.get("address"):
        options["shipping_address"] = _address_fields(shipping["address"])
    if shipping.get("method"):
        options["shipping_method"] = shipping["method"]
    if (data.get("payment") or {}).get("method"):
        options["payment_method"] = data["payment"]["method"]
    if data.get("customer_is_guest"):
        options["guest"] = True
    sequence = call.store.next_id("rest_order_increment")
    return create_order(
        call.store,
        increment_id=str(data.get("increment_id") or f"{100000000 + sequence:09d}"),
        customer_email=str(data.get("customer_email") or ""),
        items=lines,
        **options,
    )


def _first_shipping(data: dict[str, Any]) -> dict[str, Any]:
    assignments = (data.get("extension_attributes") or {}).get("shipping_assignments") or []
    return (assignments[0].get("shipping") or {}) if assignments else {}


def _address_fields(address: dict[str, Any]) -> dict[str, Any]:
    skipped = {"entity_id", "parent_id", "address_type", "email", "extension_attributes"}
    return {k: v for k, v in address.items() if v is not None and k not in skipped}


def save_address(call: Call) -> dict[str, Any]:
    """`PUT /V1/orders/{parent_id} {entity}`: an order address, by its `entity_id`."""
    data = call.body_param("entity", ADDRESS)
    parent = call.store.get("orders", data["parent_id"]) if data.get("parent_id") else None
    orders = ([parent] if parent else []) if data.get("parent_id") else call.store.all("orders")
    for order in orders:
        for address in _addresses(order):
            if data.get("entity_id") and address.get("entity_id") == data["entity_id"]:
                address.update(_address_fields(data))
                touch(order)
                call.store.update("orders", order)
                return address
    raise input_error(ADDRESS_NOT_SAVED)


def _addresses(order: dict[str, Any]) -> list[dict[str, Any]]:
    found = [order["billing_address"]] if order.get("billing_address") else []
    for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments") or []:
        address = (assignment.get("shipping") or {}).get("address")
        if address:
            found.append(address)
    return found
