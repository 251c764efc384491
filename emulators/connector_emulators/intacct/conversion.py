"""Converting a sales document the way an accountant does in Intacct's Order Entry.

In Intacct a Sales Order is converted from its page ("Convert" → Sales Invoice): the new
document takes the order's customer, reference number (PONUMBER) and currency, and the lines'
quantities not converted yet; it names the order in CREATEDFROM, and the order becomes Partially
Converted or Converted. The emulator offers this as an admin route, since the API does the same
with `create_sotransaction` and `createdfrom`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .legacy_orders import SODOCUMENT, create_sales_document
from .records import Record, Writer
from .rules import dec

ZERO = Decimal(0)


def convert(writer: Writer, docid: str, transaction_type: str, created: str) -> Record:
    """The new document converted from `docid` (ISO date `created`), with what is left."""
    source = writer.store.get_by_id(writer.ctx.company, SODOCUMENT, docid)
    if source is None or not writer.visible(SODOCUMENT, source):
        raise ValueError(f"no sales document {docid!r}")
    if source.get("STATE") in ("Converted", "Closed", "Draft"):
        raise ValueError(f"{docid} is {source['STATE']}: nothing to convert")
    done: dict[str, Decimal] = {}
    children = writer.store.find_by(writer.ctx.company, SODOCUMENT, "CREATEDFROM", docid)
    for child in children:
        for line in writer.lines_of(SODOCUMENT, child):
            done[line["ITEMID"]] = done.get(line["ITEMID"], ZERO) + dec(line["QUANTITY"])
    items: list[dict[str, Any]] = []
    for line in writer.lines_of(SODOCUMENT, source):
        taken = min(done.get(line["ITEMID"], ZERO), dec(line["QUANTITY"]))
        done[line["ITEMID"]] = done.get(line["ITEMID"], ZERO) - taken
        left = dec(line["QUANTITY"]) - taken
        if left > ZERO:
            items.append({
                "ITEMID": line["ITEMID"], "QUANTITY": format(left.normalize(), "f"),
                "PRICE": line["PRICE"], "ITEMDESC": line.get("ITEMDESC"),
            })  # fmt: skip
    header = {"PONUMBER": source.get("PONUMBER"), "CURRENCY": source.get("CURRENCY") or "USD"}
    return create_sales_document(
        writer, transaction_type, source["CUSTVENDID"], created, items, created_from=docid,
        header=header,
    )  # fmt: skip
