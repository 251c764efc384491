"""What is done to an order's documents after they exist: tracks, capture, void, refunds.

A track lives in its shipment's row (`tracks`), so `GET /V1/shipment/{id}` shows it. Magento's
`ShipmentTrackRepository::save` refuses a track whose shipment is not one of the named order's,
and the track validator one without a shipment, order, number or carrier code; both answer the
same 400, `Could not save the shipment tracking.`. Deleting an unknown track id answers true, as
Magento's repository does (it deletes the empty entity it loaded).

The emulator's payment methods are offline ones (check / money order, bank transfer): their
invoices are paid when created, so capturing or voiding one fails in the method
(`The capture action is not available.`, `The void action is not available.`), and refunding an
invoice fails the invoice's `CanRefund` validator, as Adobe documents for offline methods; a
credit memo is made from the order instead (`POST /V1/order/{orderId}/refund`, or
`POST /V1/creditmemo/refund` with the memo's items). Magento does not cancel credit memos.
"""

from __future__ import annotations

from typing import Any

from .common import Call, now
from .document_notes import document
from .errors import input_error
from .fields import convert
from .sales import find_order, render_order
from .sales_documents import (
    CREDITMEMO_INVALID,
    Notice,
    refund_blockers,
    refund_lines,
    register_creditmemo,
    track_row,
)

TRACK_NOT_SAVED = "Could not save the shipment tracking."
TRACK_REQUIRED = ("parent_id", "order_id", "track_number", "carrier_code")


def add_track(call: Call) -> dict[str, Any]:
    """`POST /V1/shipment/track {entity}`: a new track, or a change to one of the shipment's."""
    data = call.body_param("entity", "sales-data-shipment-track-interface")
    shipment = call.store.get("shipments", data.get("parent_id") or 0)
    if shipment is None or shipment["order_id"] != data.get("order_id"):
        raise input_error(TRACK_NOT_SAVED)
    if any(not data.get(name) for name in TRACK_REQUIRED):
        raise input_error(TRACK_NOT_SAVED)
    tracks = shipment.setdefault("tracks", [])
    known = [t for t in tracks if t["entity_id"] == data.get("entity_id")]
    changes = {k: v for k, v in data.items() if k != "entity_id"}
    if known:
        track = known[0]
        track |= {k: v for k, v in changes.items() if v is not None} | {"updated_at": now()}
    else:
        track = track_row(call.store, shipment["entity_id"], shipment["order_id"], changes, now())
        tracks.append(track)
    call.store.update("shipments", shipment)
    return track


def delete_track(call: Call) -> bool:
    """`DELETE /V1/shipment/track/{id}`: true, whether or not the track existed."""
    track_id = convert(call.path["id"], "int", "id")
    for shipment in call.store.all("shipments"):
        kept = [t for t in shipment.get("tracks") or [] if t["entity_id"] != track_id]
        if len(kept) != len(shipment.get("tracks") or []):
            shipment["tracks"] = kept
            call.store.update("shipments", shipment)
    return True


# ---------------------------------------------------------------- invoices and credit memos


def capture_invoice(call: Call) -> str:
    """`POST /V1/invoices/{id}/capture`: an offline method cannot capture."""
    document(call, "invoices", call.path["id"])
    raise input_error("The capture action is not available.")


def void_invoice(call: Call) -> bool:
    """`POST /V1/invoices/{id}/void`: an offline method cannot void."""
    document(call, "invoices", call.path["id"])
    raise input_error("The void action is not available.")


def refund_invoice(call: Call) -> int:
    """`POST /V1/invoice/{invoiceId}/refund`: refused for an offline method's invoice."""
    invoice = document(call, "invoices", call.path["invoiceId"])
    call.body_param("items", ["sales-data-creditmemo-item-creation-interface"], mandatory=False)
    for name in ("isOnline", "notify", "appendComment"):
        call.body_param(name, "bool", mandatory=False)
    call.body_param("comment", "sales-data-creditmemo-comment-creation-interface", mandatory=False)
    arguments = "sales-data-creditmemo-creation-arguments-interface"
    call.body_param("arguments", arguments, mandatory=False)
    order = find_order(call.store, invoice["order_id"])
    messages = [*refund_blockers(order), "We can't create creditmemo for the invoice."]
    raise input_error(CREDITMEMO_INVALID + "\n".join(messages))


def cancel_creditmemo(call: Call) -> bool:
    """`PUT /V1/creditmemo/{id}`: `CreditmemoService::cancel` always refuses."""
    raise input_error("You can not cancel Credit Memo")


def refund_creditmemo(call: Call) -> dict[str, Any]:
    """`POST /V1/creditmemo/refund {creditmemo, offlineRequested}`: the memo, refunded."""
    data = call.body_param("creditmemo", "sales-data-creditmemo-interface")
    call.body_param("offlineRequested", "bool", mandatory=False)
    if data.get("entity_id") and call.store.get("creditmemos", data["entity_id"]) is not None:
        raise input_error("We cannot register an existing credit memo.")
    order = find_order(call.store, data.get("order_id"))
    items = data.get("items") or []  # the memo's own items only: none asked, none refunded
    lines = refund_lines(order, items, 'We found an invalid quantity to refund item "%1".')
    lines = [(line, qty) for line, qty in lines if qty > 0] if items else []
    arguments = {
        name: data.get(name)
        for name in ("shipping_amount", "adjustment_positive", "adjustment_negative")
    }
    paid = float(order.get("base_total_paid") or 0)
    refunded = float(order.get("base_total_refunded") or 0)
    memo_id = register_creditmemo(call.store, order, lines, arguments=arguments, notice=Notice())
    memo = call.store.get("creditmemos", memo_id) or {}
    if float(memo.get("base_grand_total") or 0) <= 0:  # the request's transaction is undone
        raise input_error("The credit memo's total must be positive.")
    if round(refunded + float(memo.get("base_grand_total") or 0), 2) > round(paid, 2):
        available = f"${paid - refunded:,.2f}"  # the base currency, USD
        raise input_error("The most money available to refund is %1.", [available])
    return render_order(memo)


def shipment_label(call: Call) -> Any:
    """`GET /V1/shipment/{id}/label`: the label, or Magento's rendering of none (`[]`)."""
    label = document(call, "shipments", call.path["id"]).get("shipping_label")
    return [] if label is None else label
