"""Comments and e-mails of invoices, shipments and credit memos; payment transactions.

A document's comments live in its row (`comments`, written when it was created with a comment or
through these routes). The e-mail routes answer whether a notice went out, as Magento's
notifiers do; the emulator sends nothing and answers true. Offline payment methods (check /
money order, bank transfer: the emulator's only ones) record no payment transactions, so the
transaction list is empty and any transaction id is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import search
from .common import Call, now
from .errors import ENTITY_NOT_FOUND, MagentoError, required
from .sales import entity_id, find_order

# table → (comment interface, sequence of comment ids)
DOCUMENTS = {
    "invoices": ("sales-data-invoice-comment-interface", "invoice_comments"),
    "shipments": ("sales-data-shipment-comment-interface", "shipment_comments"),
    "creditmemos": ("sales-data-creditmemo-comment-interface", "creditmemo_comments"),
}
COMMENT_FIELDS = ("comment", "is_customer_notified", "is_visible_on_front", "parent_id")


def document(call: Call, table: str, raw_id: Any) -> dict[str, Any]:
    """An invoice, shipment or credit memo by id (400 for none, 404 for an unknown one)."""
    found = call.store.get(table, entity_id(raw_id))
    if found is None:
        raise MagentoError(404, ENTITY_NOT_FOUND)
    return found


def comments_of(table: str) -> Callable[[Call], dict[str, Any]]:
    """`GET /V1/<document>/{id}/comments`: a comment search result of the document."""

    def comments(call: Call) -> dict[str, Any]:
        held = document(call, table, call.path["id"])
        entries = held.get("comments") or []
        parent = {"field": "parent_id", "value": str(held["entity_id"]), "condition_type": "eq"}
        return {
            "items": entries,
            "search_criteria": {"filter_groups": [{"filters": [parent]}]},
            "total_count": len(entries),
        }

    return comments


def add_comment_to(table: str) -> Callable[[Call], dict[str, Any]]:
    """`POST /V1/<document>/{id}/comments` (or `/V1/invoices/comments`) `{entity: {...}}`."""
    interface, sequence = DOCUMENTS[table]

    def add(call: Call) -> dict[str, Any]:
        data = call.body_param("entity", interface)
        parent_id = call.path.get("id") or data.get("parent_id")
        if parent_id in (None, ""):
            raise required("parent_id")
        if not data.get("comment"):
            raise required("comment")
        held = document(call, table, parent_id)
        entry = {
            "entity_id": call.store.next_id(sequence),
            "parent_id": held["entity_id"],
            "comment": data["comment"],
            "is_customer_notified": int(data.get("is_customer_notified") or 0),
            "is_visible_on_front": int(data.get("is_visible_on_front") or 0),
            "created_at": now(),
        }
        held.setdefault("comments", []).append(entry)
        call.store.update(table, held)
        return entry

    return add


def email_of(table: str | None) -> Callable[[Call], bool]:
    """`POST /V1/<document>/{id}/emails`, `POST /V1/orders/{id}/emails`: the notice is sent."""

    def email(call: Call) -> bool:
        if table is None:
            find_order(call.store, call.path["id"])
        else:
            document(call, table, call.path["id"])
        return True

    return email


def list_transactions(call: Call) -> dict[str, Any]:
    """`GET /V1/transactions`: none, offline methods record no transactions."""
    criteria = search.parse_criteria(call.query, mandatory=True)
    return {"items": [], "search_criteria": search.echo(criteria), "total_count": 0}


def get_transaction(call: Call) -> dict[str, Any]:
    """`GET /V1/transactions/{id}`."""
    raise MagentoError(404, ENTITY_NOT_FOUND)
