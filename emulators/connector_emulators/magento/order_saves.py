"""Orders, order addresses and an order's documents saved through their repositories.

`POST /V1/orders`, `PUT /V1/orders/create`; an address: `PUT /V1/orders/{parent_id}`; a document:
`POST /V1/invoices/`, `POST /V1/shipment/`, `POST /V1/creditmemo`.

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

A document repository's save stores the entity as sent, as the resource model does: with the
`entity_id` of a stored document its fields sent are written over it; without one a new document
of the named order is stored with its items, tracks and comments numbered, and the order is left
as it was (the quantities invoiced, shipped or refunded do not move: that is what
`POST /V1/order/{orderId}/invoice`, `/ship` and `/refund` are for). A new document whose order
does not exist fails its foreign key: 400 `The shipment couldn't be saved.`, `The credit memo
couldn't be saved.`, and for an invoice the masked 500 (its repository catches nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .common import Call, now
from .document_notes import document
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


# ---------------------------------------------------------------- documents


COMMENT_GETTERS = ("comment", "is_customer_notified", "is_visible_on_front")


@dataclass(frozen=True)
class Document:
    """A document repository: its table, interface, sequences and save failure (None: a 500).

    `getters` names, per part (`""` the document itself), the interface's required getters: a
    field the entity did not send is stored as null, which Magento answers for it.
    """

    table: str
    interface: str
    name: str  # the sequences' prefix: `invoice_increment`, `invoice_items`, ...
    not_saved: str | None
    getters: dict[str, tuple[str, ...]]


DOCUMENTS = (
    Document(
        "invoices",
        "sales-data-invoice-interface",
        "invoice",
        None,
        {"": ("total_qty",), "items": ("sku", "qty"), "comments": COMMENT_GETTERS},
    ),
    Document(
        "shipments",
        "sales-data-shipment-interface",
        "shipment",
        "The shipment couldn't be saved.",
        {
            "": (),
            "items": ("qty",),
            "tracks": ("weight", "qty", "description", "track_number", "title", "carrier_code"),
            "comments": COMMENT_GETTERS,
        },
    ),
    Document(
        "creditmemos",
        "sales-data-creditmemo-interface",
        "creditmemo",
        "The credit memo couldn't be saved.",
        {"": (), "items": ("base_cost", "base_price", "qty"), "comments": COMMENT_GETTERS},
    ),
)


def save_document(table: str) -> Callable[[Call], dict[str, Any]]:
    """The `{entity}` save of one document repository (see the module docstring)."""
    kind = next(d for d in DOCUMENTS if d.table == table)

    def save(call: Call) -> dict[str, Any]:
        data = {k: v for k, v in call.body_param("entity", kind.interface).items() if v is not None}
        if data.get("entity_id"):
            stored = document(call, kind.table, data["entity_id"])
            _write(stored, data, placed=False)
            stored["updated_at"] = now()
            call.store.update(kind.table, stored)
            return render_order(stored)
        if call.store.get("orders", data.get("order_id") or 0) is None:
            if kind.not_saved is None:
                raise LookupError("a foreign key constraint fails: sales_invoice.order_id")
            raise input_error(kind.not_saved)
        return render_order(_insert(call, kind, data))

    return save


def _insert(call: Call, kind: Document, data: dict[str, Any]) -> dict[str, Any]:
    document_id = call.store.next_id(kind.table)
    stamp = now()
    for part, getters in kind.getters.items():
        if not part:
            data |= {name: data.get(name) for name in getters}
            continue
        data[part] = data.get(part) or []
        for row in data[part]:
            row |= {name: row.get(name) for name in getters}
            row["entity_id"] = call.store.next_id(f"{kind.name}_{part}")
            row["parent_id"] = document_id
            if part == "tracks":
                row.setdefault("order_id", data["order_id"])
    increment = data.get("increment_id") or f"{call.store.next_id(kind.name + '_increment'):09d}"
    row = data | {"id": document_id, "entity_id": document_id, "increment_id": increment}
    row = {"created_at": stamp, **row, "updated_at": stamp}
    call.store.insert(kind.table, row)
    return row
