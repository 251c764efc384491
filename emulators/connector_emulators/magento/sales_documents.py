"""An order's documents: invoices, shipments and credit memos, created and read.

Invoicing follows `InvoiceOrder::execute`: the invoice is prepared from the order's lines (an
over-quantity fails at once), then the invoice validators and the order validators run and
their messages are answered together as one "Invoice Document Validation Error(s)" error.
Invoices are paid offline (`capture` makes no difference for the check/money order method).
`ShipOrder::execute` and `RefundOrder::execute` work the same way for shipments and credit
memos: an empty item list means every remaining quantity; a shipment can only take what is
not shipped yet, a credit memo only what was invoiced and not refunded yet. After each
document the order's state follows `StateResolver`: `processing` while something is left
to invoice or ship, `complete` when both are done, `closed` when everything is refunded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import search
from .common import Call, now
from .errors import ENTITY_NOT_FOUND, MagentoError, input_error
from .sales import (
    NOT_INVOICEABLE_STATES,
    cents,
    currency_fields,
    entity_id,
    find_order,
    money,
    open_lines,
    remaining,
    render_order,
    touch,
)
from .store import Store

INVOICE_STATE_PAID = 2
CREDITMEMO_STATE_REFUNDED = 2
DOCUMENT_FIELDS = search.Fields(
    numeric=frozenset({
        "entity_id", "order_id", "state", "store_id", "grand_total", "base_grand_total",
        "subtotal", "total_qty", "email_sent", "invoice_id", "creditmemo_status", "customer_id",
    }),
)  # fmt: skip
CREDITMEMO_INVALID = "Creditmemo Document Validation Error(s):\n"
TOO_MUCH_TO_REFUND = (
    "The quantity to creditmemo must not be greater than the unrefunded quantity for product "
    'SKU "%1".'
)
NO_PRODUCTS = "The invoice can't be created without products. Add products and try again."


@dataclass(frozen=True)
class Notice:
    """What the caller asked to tell the customer: the email, and a comment on the document."""

    notify: bool = False
    append_comment: bool = False
    comment: dict[str, Any] | None = None

    @property
    def customer_notified(self) -> bool:
        return self.append_comment and self.notify


def _creation(call: Call, item_type: str, comment_type: str) -> tuple[dict, list[dict], Notice]:
    """The order, the requested items and the notice of a document creation request."""
    order = find_order(call.store, call.path["orderId"])
    items = call.body_param("items", [item_type], mandatory=False) or []
    notice = Notice(
        notify=bool(call.body_param("notify", "bool", mandatory=False)),
        append_comment=bool(call.body_param("appendComment", "bool", mandatory=False)),
        comment=call.body_param("comment", comment_type, mandatory=False),
    )
    return order, items, notice


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def _rate(order: dict[str, Any]) -> Decimal:
    return _dec(order.get("base_to_order_rate") or 1)


def _requested(items: list[dict[str, Any]]) -> dict[int, float]:
    return {int(i.get("order_item_id") or 0): float(i.get("qty") or 0) for i in items}


def _quantities(
    order: dict[str, Any], items: list[dict[str, Any]], left: Any, error: str
) -> list[tuple[dict[str, Any], float]]:
    """(line, qty) for the lines asked (all with something left when none are asked)."""
    requested = _requested(items)
    chosen: list[tuple[dict[str, Any], float]] = []
    for line in order["items"]:
        available = left(line)
        if available <= 0:
            continue
        qty = requested.get(line["item_id"], 0.0) if requested else available
        # As Magento's document items take it: whole units unless the item's quantity is
        # decimal, then the 4 places of the `qty decimal(12,4)` column.
        qty = max(money(qty) if line.get("is_qty_decimal") else float(int(qty)), 0.0)
        if qty > available:
            raise input_error(error, [line["name"]])
        chosen.append((line, qty))
    return chosen


def _document_lines(
    store: Store, order: dict[str, Any], lines: list[tuple[dict[str, Any], float]], sequence: str,
    parent_id: int,
) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:  # fmt: skip
    """Document items in the order's proportions, and their sums (subtotal, tax, discount)."""
    rate = _rate(order)
    sums = {"subtotal": Decimal(0), "tax": Decimal(0), "discount": Decimal(0)}
    out = []
    for line, qty in lines:
        share = Decimal(str(qty)) / _dec(line["qty_ordered"])
        row_total = cents(Decimal(str(qty)) * _dec(line["price"]))
        tax = cents(_dec(line.get("tax_amount")) * share)
        discount = cents(_dec(line.get("discount_amount")) * share)
        sums["subtotal"] += row_total
        sums["tax"] += tax
        sums["discount"] += discount

        def both(name: str, value: Decimal) -> dict[str, float]:
            return {name: money(value), f"base_{name}": money(cents(value / rate))}

        out.append({
            "entity_id": store.next_id(sequence),
            "parent_id": parent_id,
            "order_item_id": line["item_id"],
            "product_id": line.get("product_id"),
            "sku": line["sku"],
            "name": line["name"],
            "qty": qty,
            **both("price", _dec(line["price"])),
            **both("price_incl_tax", _dec(line.get("price_incl_tax", line["price"]))),
            **both("row_total", row_total),
            **both("row_total_incl_tax", row_total + tax),
            **both("tax_amount", tax),
            **both("discount_amount", discount),
        })  # fmt: skip
    return [{k: v for k, v in i.items() if v is not None} for i in out], sums


def _comment(store: Store, sequence: str, parent_id: int, notice: Notice) -> list[dict[str, Any]]:
    comment = notice.comment
    if not comment or comment.get("comment") is None:
        return []
    return [
        {
            "entity_id": store.next_id(sequence),
            "parent_id": parent_id,
            "comment": comment["comment"],
            "is_customer_notified": int(notice.customer_notified),
            "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
            "created_at": now(),
        }
    ]


def _totals(order: dict[str, Any], sums: dict[str, Decimal], shipping: Decimal) -> dict[str, Any]:
    rate = _rate(order)
    grand = sums["subtotal"] - sums["discount"] + sums["tax"] + shipping
    values = {
        "subtotal": sums["subtotal"],
        "subtotal_incl_tax": sums["subtotal"] + sums["tax"],
        "tax_amount": sums["tax"],
        "discount_amount": -sums["discount"],
        "shipping_amount": shipping,
        "shipping_incl_tax": shipping,
        "grand_total": grand,
    }
    out: dict[str, Any] = {}
    for name, value in values.items():
        out[name] = money(value)
        out[f"base_{name}"] = money(cents(value / rate))
    return out


TOTAL_SOURCES = {
    "tax": "tax_amount",
    "discount": "discount_amount",
    "shipping": "shipping_amount",
    "total": "grand_total",
}


def _add_to_order(order: dict[str, Any], prefix: str, totals: dict[str, Any]) -> None:
    """Accumulate a document's totals on the order (`total_invoiced`, `subtotal_refunded`...)."""
    for name in ("subtotal", "tax", "discount", "shipping", "total"):
        source = TOTAL_SOURCES.get(name, name)
        for base in ("", "base_"):
            key = f"{base}{name}_{prefix}"
            order[key] = money(_dec(order.get(key)) + _dec(totals[f"{base}{source}"]))


def _resolve_state(order: dict[str, Any]) -> str:
    lines = order["items"]
    if all(_dec(line["qty_refunded"]) >= _dec(line["qty_invoiced"]) > 0 for line in lines):
        return "closed"
    shipped = all(
        line.get("is_virtual")
        or _dec(line["qty_shipped"]) + _dec(line["qty_canceled"]) >= _dec(line["qty_ordered"])
        for line in lines
    )
    return "complete" if not open_lines(order) and shipped else "processing"


def _save_order(store: Store, order: dict[str, Any], stamp: str) -> None:
    state = _resolve_state(order)
    order |= {"state": state, "status": state}
    touch(order, stamp)
    store.update("orders", order)


# ---------------------------------------------------------------- invoices


def create_invoice(call: Call) -> int:
    """`POST /V1/order/{orderId}/invoice`: answers the new invoice id."""
    order, items, notice = _creation(call, "invoice_item", "invoice_comment")
    call.body_param("capture", "bool", mandatory=False)
    call.body_param("arguments", "invoice_arguments", mandatory=False)
    lines = _quantities(
        order, items, remaining, 'We found an invalid quantity to invoice item "%1".'
    )
    messages = []
    if sum(qty for _, qty in lines) <= 0:
        messages.append(NO_PRODUCTS)
    if order["state"] in NOT_INVOICEABLE_STATES:
        messages.append(
            f"An invoice cannot be created when an order has a status of {order['status']}"
        )
    elif not open_lines(order):
        messages.append("The order does not allow an invoice to be created.")
    if messages:
        raise input_error("Invoice Document Validation Error(s):\n" + "\n".join(messages))
    return register_invoice(call.store, order, lines, notice=notice)


def register_invoice(
    store: Store,
    order: dict[str, Any],
    lines: list[tuple[dict[str, Any], float]],
    *,
    notice: Notice = Notice(),
    stamp: str | None = None,
) -> int:
    """Store the invoice (the first one also takes the shipping) and update the order."""
    stamp = stamp or now()
    invoice_id = store.next_id("invoices")
    items, sums = _document_lines(store, order, lines, "invoice_items", invoice_id)
    shipping = _dec(order.get("shipping_amount")) - _dec(order.get("shipping_invoiced"))
    totals = _totals(order, sums, shipping)
    for item, (line, qty) in zip(items, lines, strict=True):
        line["qty_invoiced"] = money(_dec(line["qty_invoiced"]) + Decimal(str(qty)))
        line["row_invoiced"] = money(_dec(line["row_invoiced"]) + _dec(item["row_total"]))
        line["base_row_invoiced"] = money(
            _dec(line["base_row_invoiced"]) + _dec(item["base_row_total"])
        )
        line["updated_at"] = stamp
    invoice = {
        "id": invoice_id,
        "entity_id": invoice_id,
        "increment_id": f"{store.next_id('invoice_increment'):09d}",
        "order_id": order["entity_id"],
        "store_id": order["store_id"],
        "state": INVOICE_STATE_PAID,
        "created_at": stamp,
        "updated_at": stamp,
        "email_sent": int(notice.notify),
        "can_void_flag": 0,
        **currency_fields(order["order_currency_code"], _rate(order)),
        **totals,
        "total_qty": sum(i["qty"] for i in items),
        "items": items,
        "comments": _comment(store, "invoice_comments", invoice_id, notice),
    }
    if order.get("billing_address_id"):
        invoice["billing_address_id"] = order["billing_address_id"]
    store.insert("invoices", invoice)
    _add_to_order(order, "invoiced", totals)
    order["total_paid"] = order["total_invoiced"]
    order["base_total_paid"] = order["base_total_invoiced"]
    for base in ("", "base_"):
        due = _dec(order[f"{base}grand_total"]) - _dec(order[f"{base}total_paid"])
        order[f"{base}total_due"] = money(due)
    order["payment"]["amount_paid"] = order["total_paid"]
    order["payment"]["base_amount_paid"] = order["base_total_paid"]
    _save_order(store, order, stamp)
    return invoice_id


# ---------------------------------------------------------------- shipments


def _unshipped(line: dict[str, Any]) -> float:
    if line.get("is_virtual"):
        return 0.0
    return float(line["qty_ordered"]) - float(line["qty_shipped"]) - float(line["qty_canceled"])


def create_shipment(call: Call) -> int:
    """`POST /V1/order/{orderId}/ship`: answers the new shipment id."""
    order, items, notice = _creation(call, "shipment_item", "shipment_comment")
    tracks = call.body_param("tracks", ["shipment_track"], mandatory=False) or []
    call.body_param("packages", ["mixed"], mandatory=False)
    call.body_param("arguments", "invoice_arguments", mandatory=False)
    if order["state"] in {"canceled", "holded", "closed", "payment_review"}:
        raise input_error(
            "Shipment Document Validation Error(s):\nA shipment cannot be created when an order "
            f"has a status of {order['status']}"
        )
    lines = _quantities(order, items, _unshipped, 'We found an invalid quantity to ship item "%1".')
    if sum(qty for _, qty in lines) <= 0:
        raise input_error(
            "Shipment Document Validation Error(s):\nYou can't create a shipment without products."
        )
    return register_shipment(call.store, order, lines, tracks=tracks, notice=notice)


def track_row(
    store: Store, shipment_id: int, order_id: int, track: dict[str, Any], stamp: str
) -> dict[str, Any]:
    """A stored shipment track: the caller's fields over Magento's column defaults."""
    return {
        "entity_id": store.next_id("shipment_tracks"),
        "parent_id": shipment_id,
        "order_id": order_id,
        "weight": 0,
        "qty": 0,
        "description": "",
        "title": None,
        **{k: v for k, v in track.items() if v is not None and k != "extension_attributes"},
        "created_at": stamp,
        "updated_at": stamp,
    }


def register_shipment(
    store: Store,
    order: dict[str, Any],
    lines: list[tuple[dict[str, Any], float]],
    *,
    tracks: list[dict[str, Any]] | None = None,
    notice: Notice = Notice(),
    stamp: str | None = None,
) -> int:
    """Store the shipment and update the order's shipped quantities and state."""
    stamp = stamp or now()
    tracks = tracks or []
    shipment_id = store.next_id("shipments")
    items = []
    for line, qty in lines:
        items.append({
            "entity_id": store.next_id("shipment_items"),
            "parent_id": shipment_id,
            "order_item_id": line["item_id"],
            "product_id": line.get("product_id"),
            "sku": line["sku"],
            "name": line["name"],
            "qty": qty,
            "price": line["price"],
            "row_total": money(Decimal(str(qty)) * _dec(line["price"])),
            "weight": line.get("weight", 0),
        })  # fmt: skip
        line["qty_shipped"] = money(_dec(line["qty_shipped"]) + Decimal(str(qty)))
        line["updated_at"] = stamp
    shipment = {
        "id": shipment_id,
        "entity_id": shipment_id,
        "increment_id": f"{store.next_id('shipment_increment'):09d}",
        "order_id": order["entity_id"],
        "store_id": order["store_id"],
        "customer_id": order.get("customer_id"),
        "billing_address_id": order.get("billing_address_id"),
        "created_at": stamp,
        "updated_at": stamp,
        "email_sent": int(notice.notify),
        "total_qty": sum(i["qty"] for i in items),
        "items": [{k: v for k, v in i.items() if v is not None} for i in items],
        "tracks": [track_row(store, shipment_id, order["entity_id"], t, stamp) for t in tracks],
        "comments": _comment(store, "shipment_comments", shipment_id, notice),
        "packages": [],
    }
    store.insert("shipments", {k: v for k, v in shipment.items() if v is not None})
    _save_order(store, order, stamp)
    return shipment_id


# ---------------------------------------------------------------- credit memos


def _refundable(line: dict[str, Any]) -> float:
    return float(line["qty_invoiced"]) - float(line["qty_refunded"])


def refund_blockers(order: dict[str, Any]) -> list[str]:
    """The order's `CanRefund` validator messages (none: a credit memo may be created)."""
    if order["state"] in {"canceled", "closed", "holded", "payment_review"}:
        return [f"A creditmemo can not be created when an order has a status of {order['status']}"]
    return []


def refund_lines(
    order: dict[str, Any], items: list[dict[str, Any]], error: str
) -> list[tuple[dict[str, Any], float]]:
    """(line, qty) to refund: those asked, or everything invoiced and not refunded yet."""
    return _quantities(order, items, _refundable, error)


def create_creditmemo(call: Call) -> int:
    """`POST /V1/order/{orderId}/refund`: an offline refund; answers the credit memo id."""
    order, items, notice = _creation(call, "creditmemo_item", "invoice_comment")
    arguments = call.body_param("arguments", "creditmemo_arguments", mandatory=False) or {}
    blockers = refund_blockers(order)
    if blockers:
        raise input_error(CREDITMEMO_INVALID + "\n".join(blockers))
    lines = refund_lines(order, items, TOO_MUCH_TO_REFUND)
    if sum(qty for _, qty in lines) <= 0:
        raise input_error(CREDITMEMO_INVALID + "You can't create a creditmemo without products.")
    return register_creditmemo(call.store, order, lines, arguments=arguments, notice=notice)


def register_creditmemo(
    store: Store,
    order: dict[str, Any],
    lines: list[tuple[dict[str, Any], float]],
    *,
    arguments: dict[str, Any] | None = None,
    notice: Notice = Notice(),
    stamp: str | None = None,
) -> int:
    """Store the credit memo (refunded offline) and update the order."""
    stamp = stamp or now()
    arguments = arguments or {}
    memo_id = store.next_id("creditmemos")
    items, sums = _document_lines(store, order, lines, "creditmemo_items", memo_id)
    shipping = _dec(arguments.get("shipping_amount"))
    positive = _dec(arguments.get("adjustment_positive"))
    negative = _dec(arguments.get("adjustment_negative"))
    totals = _totals(order, sums, shipping)
    rate = _rate(order)
    grand = _dec(totals["grand_total"]) + positive - negative
    totals["grand_total"] = money(grand)
    totals["base_grand_total"] = money(cents(grand / rate))
    for item in items:
        item["base_cost"] = 0
    for line, qty in lines:
        line["qty_refunded"] = money(_dec(line["qty_refunded"]) + Decimal(str(qty)))
        line["updated_at"] = stamp
    invoices = store.find("invoices", order_id=order["entity_id"])
    memo = {
        "id": memo_id,
        "entity_id": memo_id,
        "increment_id": f"{store.next_id('creditmemo_increment'):09d}",
        "order_id": order["entity_id"],
        "invoice_id": invoices[-1]["entity_id"] if invoices else None,
        "store_id": order["store_id"],
        "state": CREDITMEMO_STATE_REFUNDED,
        "creditmemo_status": CREDITMEMO_STATE_REFUNDED,
        "created_at": stamp,
        "updated_at": stamp,
        "email_sent": int(notice.notify),
        "billing_address_id": order.get("billing_address_id"),
        **currency_fields(order["order_currency_code"], rate),
        **totals,
        "adjustment_positive": money(positive),
        "base_adjustment_positive": money(cents(positive / rate)),
        "adjustment_negative": money(negative),
        "base_adjustment_negative": money(cents(negative / rate)),
        "adjustment": money(positive - negative),
        "base_adjustment": money(cents((positive - negative) / rate)),
        "items": items,
        "comments": _comment(store, "creditmemo_comments", memo_id, notice),
    }
    store.insert("creditmemos", {k: v for k, v in memo.items() if v is not None})
    _add_to_order(order, "refunded", totals)
    order["total_offline_refunded"] = order["total_refunded"]
    order["base_total_offline_refunded"] = order["base_total_refunded"]
    order["payment"]["amount_refunded"] = order["total_refunded"]
    order["payment"]["base_amount_refunded"] = order["base_total_refunded"]
    _save_order(store, order, stamp)
    return memo_id


def one_of(table: str) -> Callable[[Call], dict[str, Any]]:
    """`GET /V1/<document>/{id}` of a document table (`invoices`, `shipments`, `creditmemos`)."""

    def get(call: Call) -> dict[str, Any]:
        document = call.store.get(table, entity_id(call.path["id"]))
        if document is None:
            raise MagentoError(404, ENTITY_NOT_FOUND)
        return render_order(document)

    return get


def list_of(table: str) -> Callable[[Call], dict[str, Any]]:
    """`GET /V1/<documents>?searchCriteria...` of a document table."""

    def search_documents(call: Call) -> dict[str, Any]:
        return call.search(table, DOCUMENT_FIELDS, render_order)

    return search_documents
