"""Orders and invoices (`/V1/orders...`, `/V1/order/{id}/invoice`, `/V1/invoices...`).

Orders are stored in the API shape of `sales-data-order-interface` (Magento's sales tables are
flat). Invoicing follows `InvoiceOrder::execute`: the invoice is prepared from the order's lines
(an over-quantity fails at once), then the invoice validators and the order validators run and
their messages are answered together as one "Invoice Document Validation Error(s)" error.
Invoices are paid offline (`capture` makes no difference for the check/money order method).
"""

from __future__ import annotations

from typing import Any

from . import search
from .common import DEFAULT_STORE_ID, Call, now
from .errors import ENTITY_NOT_FOUND, MagentoError, input_error
from .store import Store

STORE_NAME = "Main Website\nMain Website Store\nDefault Store View"
CURRENCY = "USD"
INVOICE_STATE_PAID = 2
NOT_INVOICEABLE_STATES = frozenset({"payment_review", "holded", "canceled", "complete", "closed"})
NOT_HOLDABLE_STATES = NOT_INVOICEABLE_STATES
INVOICE_ITEMS = ["invoice_item"]
ORDER_FIELDS = search.Fields(
    numeric=frozenset({
        "entity_id", "store_id", "customer_id", "customer_is_guest", "customer_group_id",
        "grand_total", "base_grand_total", "subtotal", "total_qty_ordered", "total_invoiced",
        "total_paid", "total_due", "total_item_count", "quote_id",
    }),
)  # fmt: skip
INVOICE_FIELDS = search.Fields(
    numeric=frozenset({
        "entity_id", "order_id", "state", "store_id", "grand_total", "base_grand_total",
        "subtotal", "total_qty", "email_sent",
    }),
)  # fmt: skip


# The currency fields of orders and invoices: one currency, rates as a fresh install stores them.
CURRENCY_FIELDS = {
    "base_currency_code": CURRENCY,
    "global_currency_code": CURRENCY,
    "order_currency_code": CURRENCY,
    "store_currency_code": CURRENCY,
    "base_to_global_rate": 1,
    "base_to_order_rate": 1,
    "store_to_base_rate": 0,
    "store_to_order_rate": 0,
}


def _money(value: float) -> float:
    return round(value, 4)


def _totals(subtotal: float) -> dict[str, Any]:
    """The totals of an order or invoice: no tax or shipping, so each total is the subtotal."""
    return {
        "subtotal": subtotal,
        "base_subtotal": subtotal,
        "subtotal_incl_tax": subtotal,
        "base_subtotal_incl_tax": subtotal,
        "grand_total": subtotal,
        "base_grand_total": subtotal,
        "tax_amount": 0,
        "base_tax_amount": 0,
        "shipping_amount": 0,
        "base_shipping_amount": 0,
    }


# ---------------------------------------------------------------- orders


def create_order(
    store: Store,
    *,
    increment_id: str,
    customer_email: str,
    items: list[dict[str, Any]],
    customer_firstname: str | None = None,
    customer_lastname: str | None = None,
    billing_address: dict[str, Any] | None = None,
    store_id: int = DEFAULT_STORE_ID,
    created_at: str | None = None,
) -> dict[str, Any]:
    """Place an order as the storefront would have (state `new`, status `pending`)."""
    stamp = created_at or now()
    order_id = store.next_id("orders")
    customers = store.find("customers", email=customer_email)
    customer = customers[0] if customers else None
    lines: list[dict[str, Any]] = []
    for item in items:
        qty = float(item["qty"])
        price = float(item["price"])
        products = store.find("products", sku=str(item["sku"]))
        is_virtual = item.get("product_type") == "virtual"
        line = {
            "item_id": store.next_id("order_items"),
            "order_id": order_id,
            "quote_item_id": None,
            "sku": str(item["sku"]),
            "name": str(item.get("name") or item["sku"]),
            "product_id": products[0]["id"] if products else None,
            "product_type": "virtual" if is_virtual else "simple",
            "is_virtual": int(is_virtual),
            "is_qty_decimal": 0,
            "no_discount": 0,
            "store_id": store_id,
            "created_at": stamp,
            "updated_at": stamp,
            "qty_ordered": qty,
            "qty_invoiced": 0,
            "qty_canceled": 0,
            "qty_refunded": 0,
            "qty_shipped": 0,
            "qty_backordered": None,
            "price": price,
            "base_price": price,
            "original_price": price,
            "base_original_price": price,
            "price_incl_tax": price,
            "base_price_incl_tax": price,
            "row_total": _money(qty * price),
            "base_row_total": _money(qty * price),
            "row_total_incl_tax": _money(qty * price),
            "base_row_total_incl_tax": _money(qty * price),
            "row_invoiced": 0,
            "base_row_invoiced": 0,
            "tax_amount": 0,
            "base_tax_amount": 0,
            "tax_percent": 0,
            "discount_amount": 0,
            "base_discount_amount": 0,
            "discount_percent": 0,
            "amount_refunded": 0,
            "base_amount_refunded": 0,
        }
        lines.append({k: v for k, v in line.items() if v is not None})
    subtotal = _money(sum(line["row_total"] for line in lines))
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
        **CURRENCY_FIELDS,
        "is_virtual": int(all(line["is_virtual"] for line in lines)),
        "email_sent": 1,
        "protect_code": f"{order_id:06x}",
        **_totals(subtotal),
        "shipping_incl_tax": 0,
        "base_shipping_incl_tax": 0,
        "discount_amount": 0,
        "base_discount_amount": 0,
        "total_due": subtotal,
        "base_total_due": subtotal,
        "total_qty_ordered": sum(line["qty_ordered"] for line in lines),
        "total_item_count": len(lines),
        "weight": 0,
        "items": lines,
        "payment": {
            "account_status": None,
            "additional_information": ["Check / Money order"],
            "amount_ordered": subtotal,
            "base_amount_ordered": subtotal,
            "base_shipping_amount": 0,
            "cc_last4": None,
            "entity_id": order_id,
            "method": "checkmo",
            "parent_id": order_id,
            "shipping_amount": 0,
        },
        "status_histories": [],
    }
    if billing_address:
        order["billing_address_id"] = order_id
        order["billing_address"] = billing_address | {
            "address_type": "billing",
            "entity_id": order_id,
            "parent_id": order_id,
            "email": customer_email,
        }
    order = {k: v for k, v in order.items() if v is not None}
    store.insert("orders", order)
    return order


def render_order(order: dict[str, Any]) -> dict[str, Any]:
    """An order or invoice as answered (the store's row id removed)."""
    return {k: v for k, v in order.items() if k != "id"}


def get_order(call: Call) -> dict[str, Any]:
    """`GET /V1/orders/{id}` (entity_id)."""
    return render_order(_order(call.store, call.path["id"]))


def list_orders(call: Call) -> dict[str, Any]:
    """`GET /V1/orders?searchCriteria...`."""
    return call.search("orders", ORDER_FIELDS, render_order)


def hold_order(call: Call) -> bool:
    """`POST /V1/orders/{id}/hold`."""
    order = _order(call.store, call.path["id"])
    if order["state"] in NOT_HOLDABLE_STATES:
        raise input_error("A hold action is not available.")
    order |= {"hold_before_state": order["state"], "hold_before_status": order["status"]}
    order |= {"state": "holded", "status": "holded", "updated_at": now()}
    call.store.update("orders", order)
    return True


def unhold_order(call: Call) -> bool:
    """`POST /V1/orders/{id}/unhold`."""
    order = _order(call.store, call.path["id"])
    if order["state"] != "holded":
        raise input_error("You cannot remove the hold.")
    order["state"] = order.pop("hold_before_state", "new")
    order["status"] = order.pop("hold_before_status", "pending")
    order["updated_at"] = now()
    call.store.update("orders", order)
    return True


def cancel_order(call: Call) -> bool:
    """Cancel what is not invoiced; answers false when the order cannot be canceled."""
    order = _order(call.store, call.path["id"])
    if order["state"] in NOT_INVOICEABLE_STATES or not _open_lines(order):
        return False
    for line in order["items"]:
        line["qty_canceled"] = _remaining(line)
    invoiced = any(line["qty_invoiced"] > 0 for line in order["items"])
    state = "complete" if invoiced else "canceled"
    order |= {"state": state, "status": state, "updated_at": now()}
    call.store.update("orders", order)
    return True


def _order(store: Store, raw_id: Any) -> dict[str, Any]:
    order_id = _entity_id(raw_id)
    order = store.get("orders", order_id)
    if order is None:
        raise MagentoError(404, ENTITY_NOT_FOUND)
    return order


def _entity_id(raw_id: Any) -> int:
    try:
        value = int(raw_id)
    except (TypeError, ValueError):
        value = 0
    if value == 0:
        raise input_error("An ID is needed. Set the ID and try again.")
    return value


def _remaining(line: dict[str, Any]) -> float:
    return float(line["qty_ordered"]) - float(line["qty_invoiced"]) - float(line["qty_canceled"])


def _open_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for line in order["items"] if _remaining(line) > 0]


# ---------------------------------------------------------------- invoices


def create_invoice(call: Call) -> int:
    """`POST /V1/order/{orderId}/invoice`: answers the new invoice id."""
    order = _order(call.store, call.path["orderId"])
    items = call.body_param("items", INVOICE_ITEMS, mandatory=False) or []
    notify = bool(call.body_param("notify", "bool", mandatory=False))
    append_comment = bool(call.body_param("appendComment", "bool", mandatory=False))
    comment = call.body_param("comment", "invoice_comment", mandatory=False)
    call.body_param("capture", "bool", mandatory=False)
    call.body_param("arguments", "invoice_arguments", mandatory=False)
    requested = {int(i.get("order_item_id") or 0): float(i.get("qty") or 0) for i in items}

    lines: list[tuple[dict[str, Any], float]] = []
    for line in order["items"]:
        to_invoice = _remaining(line)
        if to_invoice <= 0:
            continue
        qty = requested.get(line["item_id"], 0.0) if requested else to_invoice
        qty = max(float(qty) if line.get("is_qty_decimal") else float(int(qty)), 0.0)
        if qty > to_invoice:
            raise input_error('We found an invalid quantity to invoice item "%1".', [line["name"]])
        lines.append((line, qty))

    messages = []
    if sum(qty for _, qty in lines) <= 0:
        messages.append(
            "The invoice can't be created without products. Add products and try again."
        )
    if order["state"] in NOT_INVOICEABLE_STATES:
        messages.append(
            f"An invoice cannot be created when an order has a status of {order['status']}"
        )
    elif not _open_lines(order):
        messages.append("The order does not allow an invoice to be created.")
    if messages:
        raise input_error("Invoice Document Validation Error(s):\n" + "\n".join(messages))
    customer_notified = append_comment and notify
    return _register_invoice(
        call.store,
        order,
        lines,
        notify=notify,
        customer_notified=customer_notified,
        comment=comment,
    )


def _register_invoice(
    store: Store,
    order: dict[str, Any],
    lines: list[tuple[dict[str, Any], float]],
    *,
    notify: bool,
    customer_notified: bool,
    comment: dict[str, Any] | None,
) -> int:
    stamp = now()
    invoice_id = store.next_id("invoices")
    invoice_items = []
    for line, qty in lines:
        row_total = _money(qty * float(line["price"]))
        invoice_items.append(
            {
                "entity_id": store.next_id("invoice_items"),
                "parent_id": invoice_id,
                "order_item_id": line["item_id"],
                "product_id": line.get("product_id"),
                "sku": line["sku"],
                "name": line["name"],
                "qty": qty,
                "price": line["price"],
                "base_price": line["price"],
                "price_incl_tax": line["price"],
                "base_price_incl_tax": line["price"],
                "row_total": row_total,
                "base_row_total": row_total,
                "row_total_incl_tax": row_total,
                "base_row_total_incl_tax": row_total,
                "tax_amount": 0,
                "base_tax_amount": 0,
                "discount_amount": 0,
                "base_discount_amount": 0,
            }
        )
        line["qty_invoiced"] = float(line["qty_invoiced"]) + qty
        line["row_invoiced"] = _money(float(line["row_invoiced"]) + row_total)
        line["base_row_invoiced"] = line["row_invoiced"]
        line["updated_at"] = stamp
    subtotal = _money(sum(i["row_total"] for i in invoice_items))
    comments = []
    if comment and comment.get("comment") is not None:
        comments.append(
            {
                "entity_id": store.next_id("invoice_comments"),
                "parent_id": invoice_id,
                "comment": comment["comment"],
                "is_customer_notified": int(customer_notified),
                "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
                "created_at": stamp,
            }
        )
    invoice = {
        "id": invoice_id,
        "entity_id": invoice_id,
        "increment_id": f"{store.next_id('invoice_increment'):09d}",
        "order_id": order["entity_id"],
        "store_id": order["store_id"],
        "state": INVOICE_STATE_PAID,
        "created_at": stamp,
        "updated_at": stamp,
        "email_sent": int(notify),
        "can_void_flag": 0,
        **CURRENCY_FIELDS,
        **_totals(subtotal),
        "discount_amount": 0,
        "base_discount_amount": 0,
        "total_qty": sum(i["qty"] for i in invoice_items),
        "items": [{k: v for k, v in i.items() if v is not None} for i in invoice_items],
        "comments": comments,
    }
    if order.get("billing_address_id"):
        invoice["billing_address_id"] = order["billing_address_id"]
    store.insert("invoices", invoice)

    for key in ("total_invoiced", "base_total_invoiced", "subtotal_invoiced",
                "base_subtotal_invoiced", "total_paid", "base_total_paid"):  # fmt: skip
        order[key] = _money(float(order.get(key, 0)) + subtotal)
    order["total_due"] = order["base_total_due"] = _money(
        order["grand_total"] - order["total_paid"]
    )
    order["payment"]["amount_paid"] = order["total_paid"]
    order["payment"]["base_amount_paid"] = order["total_paid"]
    fully_done = not _open_lines(order) and all(
        line.get("is_virtual") or line["qty_shipped"] >= line["qty_ordered"]
        for line in order["items"]
    )
    state = "complete" if fully_done else "processing"
    order |= {"state": state, "status": state, "updated_at": stamp}
    store.update("orders", order)
    return invoice_id


def get_invoice(call: Call) -> dict[str, Any]:
    """`GET /V1/invoices/{id}`."""
    invoice = call.store.get("invoices", _entity_id(call.path["id"]))
    if invoice is None:
        raise MagentoError(404, ENTITY_NOT_FOUND)
    return render_order(invoice)


def list_invoices(call: Call) -> dict[str, Any]:
    """`GET /V1/invoices?searchCriteria...`."""
    return call.search("invoices", INVOICE_FIELDS, render_order)
