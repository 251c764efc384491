"""Intacct sales invoices → Magento invoices, only for orders Magento holds.

Headers and lines arrive as two streams; both are kept in the pending file as they come (so a
crash after the target emitted state loses nothing) and joined at the end of the input on the
header's RECORDNO (= the lines' DOCHDRNO). The order is the one whose `increment_id` is the
header's reference field (PONUMBER by default). An invoice whose order is not in Magento stays
pending and is retried on every later run. An order is never invoiced twice: the ID map holds
each DOCID's invoice, Magento's invoices are searched for a comment naming the DOCID, and
quantities are capped to what is left to invoice.
"""

from __future__ import annotations

import functools
import logging
import typing as t
from collections import defaultdict
from decimal import Decimal

from singer_rejects import decimal_places

from target_magento.records import (
    Rejection,
    Skip,
    chunks,
    decimal,
    is_deleted,
    text,
)
from target_magento.run import Run

if t.TYPE_CHECKING:
    from collections.abc import Mapping

LOGGER = logging.getLogger("target-magento")

ROLE = "invoices"
PENDING = "invoices"
HEADER_KEY = ("DOCID", "RECORDNO")  # an invoice's key in logs, rejects and the ID map
LINE_KEY = ("RECORDNO", "LINE_NO")
ZERO = Decimal(0)
# Magento's invoice item `qty` column is decimal(12,4); an item whose quantity is not decimal
# (`is_qty_decimal` 0, from its product's stock item) is invoiced in whole units.
QTY_PLACES = 4
# Order states in which Magento refuses invoices for now; the invoice waits for a later run.
WAITING_STATES = frozenset({"holded", "payment_review"})


def comment_for(docid: str) -> str:
    """The invoice comment that names the Intacct document (and finds it again)."""
    return f"Intacct sales invoice {docid}"


def receive_headers(run: Run, stream: str, records: list[dict]) -> None:
    """Keep headers in the pending file until the end of the input."""
    received = run.cached("invoices:headers received", set)
    for record in records:
        key = run.key(stream, record, "RECORDNO", "DOCID")
        docid = run.key(stream, record, *HEADER_KEY)
        if key in received:  # the version this one replaces is counted now
            run.skip(stream, docid, "replaced by a later version in the input")
        if is_deleted(record):
            run.skip(stream, docid, "deleted in Intacct")
            continue
        received.add(key)
        entry = dict(run.pending.section(PENDING).get(key) or {"lines": {}})
        entry["header"] = record
        entry["stream"] = stream
        entry["reason"] = "received; invoiced at the end of the input"
        run.pending.put(PENDING, key, entry)
    run.pending.save()


def receive_lines(run: Run, stream: str, records: list[dict]) -> None:
    """Keep lines under their header's RECORDNO (DOCHDRNO) in the pending file.

    A line is counted with its invoice's outcome at the end of the input.
    """
    received = run.cached("invoices:lines received", set)
    for record in records:
        header_key = text(record, "DOCHDRNO") or text(record, "DOCHDRID")
        line_key = run.key(stream, record, *LINE_KEY)
        if line_key in received:
            run.skip(stream, line_key, "replaced by a later version in the input")
        if header_key is None:
            rejection = Rejection("A line needs its invoice (DOCHDRNO is empty)", "DOCHDRNO")
            run.reject(stream, line_key, record, rejection)
            continue
        entry = dict(run.pending.section(PENDING).get(header_key) or {"lines": {}})
        lines = dict(entry.get("lines") or {})
        if is_deleted(record):
            lines.pop(line_key, None)
            run.skip(stream, line_key, "deleted in Intacct")
            received.discard(line_key)
        else:
            lines[line_key] = record
            received.add(line_key)
        entry["lines"] = lines
        entry["invalid_lines"] = {
            key: reason
            for key, reason in (entry.get("invalid_lines") or {}).items()
            if key != line_key
        }
        entry.setdefault("reason", "lines waiting for their invoice header")
        run.pending.put(PENDING, header_key, entry)
    run.pending.save()


def hold_for_invalid_line(run: Run, stream: str, record: dict, rejection: Rejection) -> None:
    """Reject a line that breaks its schema; its invoice waits for a corrected line.

    Invoicing without the line would invoice the order partially, and nothing would finish it.
    """
    line_key = run.key(stream, record, *LINE_KEY)
    run.reject(stream, line_key, record, rejection)
    header_key = text(record, "DOCHDRNO") or text(record, "DOCHDRID")
    if header_key is None:
        return
    entry = dict(run.pending.section(PENDING).get(header_key) or {"lines": {}})
    entry["lines"] = {k: v for k, v in (entry.get("lines") or {}).items() if k != line_key}
    entry["invalid_lines"] = {**(entry.get("invalid_lines") or {}), line_key: rejection.reason}
    entry.setdefault("reason", "lines waiting for their invoice header")
    run.pending.put(PENDING, header_key, entry)
    run.pending.save()


def finish(run: Run, default_stream: str, lines_stream: str) -> None:
    """Join, then invoice every pending document whose order Magento holds, order by order.

    Each line is counted with its invoice's outcome.
    """
    entries = dict(run.pending.section(PENDING))
    _verify_mapped(run, entries.values(), default_stream)
    ready: list[tuple[str, dict]] = []
    for key, entry in entries.items():
        outcome = _triage(run, key, entry, default_stream)
        if outcome is None:
            ready.append((key, entry))
        else:
            _count_lines(run, lines_stream, entry, outcome)
    reference_field = run.settings.order_reference_field
    orders = _orders(
        run, sorted({t.cast("str", text(e["header"], reference_field)) for _, e in ready})
    )
    invoices = _invoices_by_order(run, [int(order["entity_id"]) for order in orders.values()])
    by_order: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for key, entry in ready:
        reference = t.cast("str", text(entry["header"], run.settings.order_reference_field))
        by_order[reference].append((key, entry))

    def invoice_order(reference: str) -> None:
        for key, entry in by_order[reference]:
            stream = entry.get("stream") or default_stream
            docid = run.key(stream, entry["header"], *HEADER_KEY)
            order = orders.get(reference.lower())
            waiting_for = (
                f"order {reference} is not in Magento"
                if order is None
                else f"order {reference} is {order.get('state')}"
                if order.get("state") in WAITING_STATES
                else None
            )
            if waiting_for is not None:
                run.pending.put(PENDING, key, {**entry, "reason": waiting_for})
                run.skip(stream, docid, f"{waiting_for}; kept pending")
                _count_lines(run, lines_stream, entry, "skipped")
                continue
            order = t.cast("dict", order)
            known = invoices.get(int(order["entity_id"]), [])
            outcome = run.guarded(
                stream,
                docid,
                _with_lines(entry),
                functools.partial(_invoice, run, entry, docid, order, known),
                {"qty": "QUANTITY", "order_item_id": "ITEMID"},
            )
            _count_lines(run, lines_stream, entry, outcome)
            run.pending.pop(PENDING, key)

    run.client.map(invoice_order, sorted(by_order))
    run.pending.save()
    run.id_map.save()


def _triage(run: Run, key: str, entry: dict, default_stream: str) -> str | None:
    """Settle a pending document that cannot be invoiced now; None when it is ready.

    Answers the outcome counted (for its lines too): skipped (already invoiced, not an invoice,
    waiting for a line or its header) or rejected (no order reference).
    """
    header = entry.get("header")
    if header is None:
        docids = {text(line, "DOCHDRID") for line in (entry.get("lines") or {}).values()}
        if any(docid and run.id_map.get(ROLE, docid) for docid in docids):
            run.pending.pop(PENDING, key)
            LOGGER.info("Lines of Intacct invoice %s: already invoiced; ignored", docids)
        else:
            LOGGER.info("Lines of Intacct invoice record %s wait for their header", key)
        return "skipped"
    stream = entry.get("stream") or default_stream
    docid = run.key(stream, header, *HEADER_KEY)
    if run.id_map.get(ROLE, docid) is not None:
        run.pending.pop(PENDING, key)
        run.skip(stream, docid, "already invoiced in Magento by an earlier run")
        return "skipped"
    document_type = text(header, "DOCPARID")
    if document_type and document_type != run.settings.invoice_document_type:
        run.pending.pop(PENDING, key)
        run.skip(stream, docid, f"document type {document_type!r} is not invoiced")
        return "skipped"
    reference = text(header, run.settings.order_reference_field)
    if reference is None:
        run.pending.pop(PENDING, key)
        field = run.settings.order_reference_field
        rejection = Rejection(f"No Magento order reference ({field} is empty)", field)
        run.reject(stream, docid, _with_lines(entry), rejection)
        return "rejected"
    if invalid_lines := entry.get("invalid_lines"):
        line_key, reason = next(iter(invalid_lines.items()))
        waiting_for = f"line {line_key} was rejected ({reason}); waiting for it corrected"
        run.pending.put(PENDING, key, {**entry, "reason": waiting_for})
        run.skip(stream, docid, f"{waiting_for}; kept pending")
        return "skipped"
    if not entry.get("lines"):
        run.pending.put(PENDING, key, {**entry, "reason": "no lines received yet"})
        run.skip(stream, docid, "no lines received yet; kept pending")
        return "skipped"
    return None


def _count_lines(run: Run, lines_stream: str, entry: Mapping[str, t.Any], outcome: str) -> None:
    for line_key in entry.get("lines") or {}:
        run.count(lines_stream, outcome, line_key)


def waiting_keys(run: Run, header_stream: str, lines_stream: str) -> dict[str, set[str]]:
    """Stream → keys of the headers and lines waiting in the pending file."""
    keys: dict[str, set[str]] = {header_stream: set(), lines_stream: set()}
    for entry in run.pending.section(PENDING).values():
        if entry.get("header") is not None:
            stream = entry.get("stream") or header_stream
            keys.setdefault(stream, set()).add(run.key(stream, entry["header"], *HEADER_KEY))
        keys[lines_stream].update(entry.get("lines") or {})
    return keys


def _verify_mapped(run: Run, entries: t.Iterable[Mapping[str, t.Any]], stream: str) -> None:
    """Keep the ID map's invoices of these documents only where Magento still has them.

    An entry counts when its order (by increment id) holds an invoice whose comment names the
    DOCID; otherwise (a reset shop, another store) the entry is dropped and the document is
    invoiced like a new one. Two searches per hundred orders, for mapped documents only.
    """
    docids: set[str] = set()
    for entry in entries:
        if entry.get("header") is not None:
            docids.add(run.key(entry.get("stream") or stream, entry["header"], *HEADER_KEY))
        docids.update(
            docid
            for line in (entry.get("lines") or {}).values()
            if (docid := text(line, "DOCHDRID"))
        )
    mapped = {docid: found for docid in sorted(docids) if (found := run.id_map.get(ROLE, docid))}
    if not mapped:
        return
    orders = _orders(run, sorted({str(entry["increment_id"]) for entry in mapped.values()}))
    invoices = _invoices_by_order(run, [int(order["entity_id"]) for order in orders.values()])
    for docid, entry in mapped.items():
        order = orders.get(str(entry["increment_id"]).lower())
        if order is None:
            why = f"is an invoice of order {entry['increment_id']}, which does not exist"
            run.id_map.forget(ROLE, docid, why)
            continue
        invoice_id = _invoice_for(invoices.get(int(order["entity_id"]), []), docid)
        if invoice_id is None:
            why = f"is invoice {entry['invoice_id']}, but order {entry['increment_id']} has none"
            run.id_map.forget(ROLE, docid, f"{why} for it")
            continue
        _remember(run, docid, invoice_id, order)


def _with_lines(entry: Mapping[str, t.Any]) -> dict:
    """The record written to the reject file: the header with its lines."""
    return {**(entry.get("header") or {}), "lines": list((entry.get("lines") or {}).values())}


def _orders(run: Run, references: list[str]) -> dict[str, dict]:
    """Orders by increment id (lower-cased), one `in` search per hundred references."""
    found: dict[str, dict] = {}
    for batch in chunks([r for r in references if "," not in r]):
        for order in run.client.search("V1/orders", [[("increment_id", ",".join(batch), "in")]]):
            found.setdefault(str(order["increment_id"]).lower(), order)
    for reference in [r for r in references if "," in r]:
        for order in run.client.search("V1/orders", [[("increment_id", reference, "eq")]]):
            found.setdefault(reference.lower(), order)
    return found


def _invoice(run: Run, entry: dict, docid: str, order: dict, known: list[dict]) -> str:
    entity_id = int(order["entity_id"])
    existing = _invoice_for(known, docid)
    if existing is not None:
        _remember(run, docid, existing, order)
        LOGGER.info("Intacct invoice %s is already Magento invoice %s", docid, existing)
        return "unchanged"
    items = _invoice_items(entry, order)
    if not items:
        msg = f"order {order['increment_id']} has nothing left to invoice"
        raise Skip(msg)
    body = {
        "capture": False,
        "notify": False,
        "appendComment": True,
        "comment": {"comment": comment_for(docid), "is_visible_on_front": 0},
        "items": [{"order_item_id": item_id, "qty": qty} for item_id, qty in items.items()],
    }
    response, found = run.client.create_safely(
        f"V1/order/{entity_id}/invoice",
        body,
        lambda: _existing_invoice(run, entity_id, docid),
    )
    invoice_id = int(response) if found is None else int(found)
    _remember(run, docid, invoice_id, order)
    for order_item in order.get("items") or []:
        if order_item.get("item_id") in items:
            invoiced = Decimal(str(order_item.get("qty_invoiced") or 0))
            order_item["qty_invoiced"] = invoiced + items[order_item["item_id"]]
    return "created"


def _invoice_items(entry: Mapping[str, t.Any], order: Mapping[str, t.Any]) -> dict[int, Decimal]:
    """Order item id → quantity: each line matched by SKU, capped to the uninvoiced quantity."""
    remaining: dict[str, list[list]] = defaultdict(list)
    for item in order.get("items") or []:
        if item.get("parent_item_id"):
            continue
        left = (
            Decimal(str(item.get("qty_ordered") or 0))
            - Decimal(str(item.get("qty_invoiced") or 0))
            - Decimal(str(item.get("qty_canceled") or 0))
        )
        fractional = bool(item.get("is_qty_decimal"))
        remaining[str(item.get("sku", "")).lower()].append([int(item["item_id"]), left, fractional])
    wanted: dict[int, Decimal] = {}
    lines = sorted(
        (entry.get("lines") or {}).values(), key=lambda line: decimal(line, "LINE_NO") or ZERO
    )
    for line in lines:
        sku = text(line, "ITEMID")
        quantity = decimal(line, "QUANTITY")
        if sku is None:
            msg = f"Line {text(line, 'LINE_NO')} has no item"
            raise Rejection(msg, "ITEMID")
        if quantity is None or quantity <= ZERO:
            msg = f"Line {text(line, 'LINE_NO')} ({sku}) has no positive quantity"
            raise Rejection(msg, "QUANTITY")
        candidates = remaining.get(sku.lower())
        if not candidates:
            msg = (
                f"Item {sku} (line {text(line, 'LINE_NO')}) is not on order {order['increment_id']}"
            )
            raise Rejection(msg, "ITEMID")
        _check_places(quantity, any(c[2] for c in candidates), f"{text(line, 'LINE_NO')} ({sku})")
        for candidate in candidates:
            take = min(quantity, candidate[1])
            if take > ZERO:
                wanted[candidate[0]] = wanted.get(candidate[0], ZERO) + take
                candidate[1] -= take
                quantity -= take
        if quantity > ZERO:
            LOGGER.info(
                "Invoice line %s (%s): %s more than the order has left to invoice; capped",
                text(line, "LINE_NO"),
                sku,
                quantity,
            )
    return wanted


def _check_places(quantity: Decimal, fractional: bool, line: str) -> None:
    """Refuse a quantity Magento would round rather than invoice what the line says."""
    places = decimal_places(quantity)
    if not fractional and places:
        msg = (
            f"Line {line}: QUANTITY is not a whole number, and the order item's quantity is "
            "not decimal (is_qty_decimal 0): Magento would invoice whole units only"
        )
        raise Rejection(msg, "QUANTITY")
    if places > QTY_PLACES:
        msg = (
            f"Line {line}: QUANTITY has {places} decimal places; Magento keeps {QTY_PLACES} "
            "for an invoiced quantity and would round it"
        )
        raise Rejection(msg, "QUANTITY")


def _invoices_by_order(run: Run, entity_ids: list[int]) -> dict[int, list[dict]]:
    """The orders' existing invoices, one `in` search per hundred orders."""
    found: dict[int, list[dict]] = defaultdict(list)
    for batch in chunks(sorted(set(entity_ids))):
        for invoice in run.client.search(
            "V1/invoices", [[("order_id", ",".join(map(str, batch)), "in")]]
        ):
            found[int(invoice["order_id"])].append(invoice)
    return found


def _existing_invoice(run: Run, entity_id: int, docid: str) -> int | None:
    """Search again after a lost answer: did the POST create the invoice after all?"""
    return _invoice_for(run.client.search("V1/invoices", [[("order_id", entity_id, "eq")]]), docid)


def _invoice_for(invoices: list[dict], docid: str) -> int | None:
    """The invoice whose comment names the DOCID, if any."""
    marker = comment_for(docid)
    for invoice in invoices:
        for comment in invoice.get("comments") or []:
            if str(comment.get("comment") or "").strip() == marker:
                return int(invoice["entity_id"])
    return None


def _remember(run: Run, docid: str, invoice_id: int, order: Mapping[str, t.Any]) -> None:
    run.id_map.put(
        ROLE,
        docid,
        {
            "invoice_id": invoice_id,
            "order_id": int(order["entity_id"]),
            "increment_id": order["increment_id"],
        },
    )
