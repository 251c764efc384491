"""Business rules beyond plain storage, keyed by object name.

`prepare` runs before a record (and its lines) is stored by a generic create/update and may derive
fields or refuse; `after_store` runs after it; `before_delete` may refuse a delete or cascade it.
The legacy functions of `legacy.py` use the same helpers (payments, totals, balances).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .objects import OBJECTS, OBJECTS_BY_NAME, ObjectDef
from .records import FunctionError, Writer, could_not
from .store import Record
from .values import money
from .xmlout import Err

ARINVOICE = OBJECTS_BY_NAME["ARINVOICE"]
SODOCUMENT = OBJECTS_BY_NAME["SODOCUMENT"]
CUSTOMER = OBJECTS_BY_NAME["CUSTOMER"]
APBILL = OBJECTS_BY_NAME["APBILL"]
GLDETAIL = OBJECTS_BY_NAME["GLDETAIL"]
ENTITY_FIELDS = ("MEGAENTITYID", "MEGAENTITYKEY", "MEGAENTITYNAME")
ZERO = Decimal("0")


def dec(value: Any) -> Decimal:
    """A stored amount as Decimal (empty is zero)."""
    return Decimal(str(value)) if value not in (None, "") else ZERO


# -- shared helpers -------------------------------------------------------------------------
def invoice_state(total: Decimal, paid: Decimal, draft: bool = False) -> str:
    """The state of an invoice or bill from its total and paid amount."""
    if draft:
        return "Draft"
    if paid <= ZERO:
        return "Posted"
    return "Paid" if paid >= total else "Partially Paid"


def refresh_customer_balance(writer: Writer, customer_id: str) -> None:
    """CUSTOMER.TOTALDUE is the sum of its open AR invoices."""
    customer = writer.by_id("CUSTOMER", customer_id)
    if customer is None:
        return
    invoices = writer.store.find_by(writer.ctx.company, ARINVOICE, "CUSTOMERID", customer_id)
    due = money(sum((dec(i.get("TOTALDUE")) for i in invoices), ZERO))
    if customer.get("TOTALDUE") != due:
        customer["TOTALDUE"] = due
        writer.save(CUSTOMER, customer, audit=False)


def apply_to_invoice(
    writer: Writer,
    obj: ObjectDef,
    invoice_key: Any,
    amount: Decimal,
    *,
    customer_id: str,
    when: str,
) -> Record:
    """Pay `amount` of an AR invoice; refuses unknown invoices, other customers and overpaying."""
    try:
        recordno = int(str(invoice_key))
    except ValueError:
        recordno = -1
    invoice = writer.get(ARINVOICE, recordno)
    if invoice is None:
        raise could_not(obj, f"AR invoice {invoice_key} does not exist.", errorno="BL03000017")
    if invoice.get("CUSTOMERID") != customer_id:
        raise could_not(
            obj,
            f"AR invoice {invoice_key} belongs to customer {invoice.get('CUSTOMERID')}, "
            f"not {customer_id}.",
            errorno="BL03000017",
        )
    if amount <= ZERO:
        raise could_not(obj, f"Payment amount for invoice {invoice_key} must be positive.")
    due = dec(invoice.get("TOTALDUE"))
    if amount > due:
        raise could_not(
            obj,
            f"Payment of {money(amount)} exceeds the amount due {money(due)} on AR invoice "
            f"{invoice_key}.",
            errorno="BL03002130",
        )
    paid = dec(invoice.get("TOTALPAID")) + amount
    invoice["TOTALPAID"] = money(paid)
    invoice["TOTALDUE"] = money(due - amount)
    invoice["STATE"] = invoice_state(dec(invoice.get("TOTALENTERED")), paid)
    invoice["WHENPAID"] = when
    return writer.save(ARINVOICE, invoice)


def customer_name(writer: Writer, customer_id: str) -> str | None:
    """A customer's NAME, for the copies transactions keep."""
    customer = writer.by_id("CUSTOMER", customer_id)
    return customer.get("NAME") if customer else None


# -- Order Entry ----------------------------------------------------------------------------
def refresh_conversion(writer: Writer, source: Record) -> None:
    """Mark a source document Converted / Partially Converted / Pending from its children."""
    ordered: dict[str, Decimal] = {}
    for line in writer.lines_of(SODOCUMENT, source):
        ordered[line["ITEMID"]] = ordered.get(line["ITEMID"], ZERO) + dec(line["QUANTITY"])
    converted: dict[str, Decimal] = {}
    children = writer.store.find_by(writer.ctx.company, SODOCUMENT, "CREATEDFROM", source["DOCID"])
    for child in children:
        for line in writer.lines_of(SODOCUMENT, child):
            converted[line["ITEMID"]] = converted.get(line["ITEMID"], ZERO) + dec(line["QUANTITY"])
    if not children:
        state = "Pending"
    elif all(converted.get(item, ZERO) >= qty for item, qty in ordered.items()):
        state = "Converted"
    else:
        state = "Partially Converted"
    if source.get("STATE") != state:
        source["STATE"] = state
        writer.save(SODOCUMENT, source)


def release_sales_document(writer: Writer, doc: Record) -> None:
    """Before deleting an OE document: refuse if converted; remove its AR invoice."""
    children = writer.store.find_by(writer.ctx.company, SODOCUMENT, "CREATEDFROM", doc["DOCID"])
    if children:
        raise could_not(
            SODOCUMENT,
            f"{doc['DOCID']} was converted to {children[0]['DOCID']}; "
            "delete that transaction first.",
            "delete",
        )
    drop_ar_invoice(writer, doc)


def drop_ar_invoice(writer: Writer, doc: Record) -> None:
    """Remove the AR invoice an OE Sales Invoice posted (refused once it is paid)."""
    if doc.get("PRRECORDKEY") is None:
        return
    invoice = writer.store.get(writer.ctx.company, ARINVOICE, int(doc["PRRECORDKEY"]))
    if invoice is None:
        return
    if dec(invoice.get("TOTALPAID")) > ZERO:
        raise could_not(
            SODOCUMENT,
            f"{doc['DOCID']} has payments applied to AR invoice "
            f"{invoice['RECORDNO']}; reverse them first.",
            "change",
        )
    writer.remove(ARINVOICE, invoice)
    refresh_customer_balance(writer, invoice["CUSTOMERID"])


# -- per-object rules -----------------------------------------------------------------------
def _glbatch(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
    if lines is None:
        return
    if len(lines) < 2:
        raise could_not(
            obj, "A journal entry needs at least two entries (GLENTRY).", errorno="BL03002085"
        )
    balance = ZERO
    for line in lines:
        amount = dec(line.get("TRX_AMOUNT") or line.get("AMOUNT"))
        if amount <= ZERO:
            raise could_not(
                obj,
                f"Entry for account {line.get('ACCOUNTNO')} needs a positive TRX_AMOUNT.",
                errorno="BL03002085",
            )
        line["TRX_AMOUNT"] = line["AMOUNT"] = money(amount)
        line["ENTRY_DATE"] = rec.get("BATCH_DATE")
        balance += amount * int(line.get("TR_TYPE") or 1)
    if balance != ZERO:
        raise could_not(
            obj,
            f"The journal entry is out of balance by {money(abs(balance))}: "
            "debits must equal credits.",
            errorno="BL03002086",
        )
    rec.setdefault("STATE", "Posted")
    if rec.get("BATCHNO") is None:
        rec["BATCHNO"] = writer.store.next_value(writer.ctx.company, f"BATCHNO:{rec['JOURNAL']}")


def _arpymt(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
    if rec.get("RECORDNO") is not None and rec.get("STATE") != "Draft":
        raise could_not(obj, "Only draft AR payments can be changed.", "update")
    if lines is None or not lines:
        raise could_not(obj, "An AR payment needs at least one ARPYMTDETAIL.")
    if not any(rec.get(k) for k in ("FINANCIALENTITY", "UNDEPOSITEDACCOUNTNO", "PRBATCHKEY")):
        raise could_not(
            obj,
            "Enter a FINANCIALENTITY, UNDEPOSITEDACCOUNTNO or PRBATCHKEY.",
            errorno="BL03000018",
        )
    total = ZERO
    for line in lines:
        amount = dec(line.get("TRX_PAYMENTAMOUNT"))
        line["PAYMENTAMOUNT"] = money(amount)
        total += amount
    draft = rec.get("ACTION") == "Draft"
    rec["TOTALENTERED"] = money(total)
    rec["TOTALPAID"] = money(ZERO if draft else total)
    rec["TOTALDUE"] = money(total if draft else ZERO)
    rec["STATE"] = "Draft" if draft else "Posted"
    rec["CUSTOMERNAME"] = customer_name(writer, rec["CUSTOMERID"])
    if not draft:
        for line in lines:
            apply_to_invoice(
                writer,
                obj,
                line.get("RECORDKEY"),
                dec(line["TRX_PAYMENTAMOUNT"]),
                customer_id=rec["CUSTOMERID"],
                when=rec["RECEIPTDATE"],
            )


def _arpymt_after(writer: Writer, obj: ObjectDef, rec: Record) -> None:
    refresh_customer_balance(writer, rec["CUSTOMERID"])


def _apbill(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
    if lines is not None:
        if not lines:
            raise could_not(obj, "A bill needs at least one line.")
        total = sum((dec(line.get("TRX_AMOUNT")) for line in lines), ZERO)
        paid = dec(rec.get("TOTALPAID"))
        rec["TOTALENTERED"] = money(total)
        rec["TOTALPAID"] = money(paid)
        rec["TOTALDUE"] = money(total - paid)
    draft = rec.get("ACTION") == "Draft"
    rec["STATE"] = invoice_state(dec(rec.get("TOTALENTERED")), dec(rec.get("TOTALPAID")), draft)
    vendor = writer.by_id("VENDOR", rec["VENDORID"])
    rec["VENDORNAME"] = vendor.get("NAME") if vendor else None


def _appymt(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
    if rec.get("RECORDNO") is not None:
        raise could_not(obj, "AP payments cannot be changed.", "update")
    if not lines:
        raise could_not(obj, "An AP payment needs at least one APPYMTDETAIL.")
    total = ZERO
    for line in lines:
        amount = dec(line.get("TRX_PAYMENTAMOUNT"))
        bill = writer.get(APBILL, int(line.get("RECORDKEY") or 0))
        if bill is None or bill.get("VENDORID") != rec["VENDORID"]:
            raise could_not(
                obj,
                f"AP bill {line.get('RECORDKEY')} of vendor {rec['VENDORID']} does not exist.",
                errorno="BL03000017",
            )
        due = dec(bill.get("TOTALDUE"))
        if amount <= ZERO or amount > due:
            raise could_not(
                obj,
                f"Payment of {money(amount)} does not fit the amount due "
                f"{money(due)} on AP bill {line.get('RECORDKEY')}.",
            )
        paid = dec(bill.get("TOTALPAID")) + amount
        bill.update(
            TOTALPAID=money(paid),
            TOTALDUE=money(due - amount),
            STATE=invoice_state(dec(bill.get("TOTALENTERED")), paid),
        )
        writer.save(APBILL, bill)
        total += amount
    rec["TOTALENTERED"] = money(total)
    rec["STATE"] = "Posted"


def _line_totals(total_field: str, amount_field: str):
    def rule(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
        if lines is not None:
            rec[total_field] = money(sum((dec(line.get(amount_field)) for line in lines), ZERO))

    return rule


def _document(price: str, prefix: str):
    """Purchasing and inventory documents: line totals, the next number, DOCID = type-number."""

    def rule(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
        if lines is not None:
            for line in lines:
                line["TOTAL"] = money(dec(line.get("QUANTITY")) * dec(line.get(price)))
            rec["TOTAL"] = money(sum((dec(line["TOTAL"]) for line in lines), ZERO))
        if not rec.get("DOCNO"):
            number = writer.store.next_value(writer.ctx.company, f"DOCNO:{prefix}")
            rec["DOCNO"] = f"{prefix}-{number:04d}"
        rec["DOCID"] = f"{rec['DOCPARID']}-{rec['DOCNO']}"
        rec.setdefault("STATE", "Pending")
        for line in lines or ():
            line.update(DOCHDRID=rec["DOCID"], DOCPARID=rec["DOCPARID"])

    return rule


def _expense_report(
    writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None
) -> None:
    if lines is not None:
        total = sum((dec(line.get("TRX_AMOUNT")) for line in lines), ZERO)
        rec.update(TOTALENTERED=money(total), TOTALPAID=money(ZERO), TOTALDUE=money(total))
    rec.setdefault("STATE", "Submitted")


def sync_gl_detail(writer: Writer, obj: ObjectDef, batch: Record) -> None:
    """Keep GLDETAIL, the view of posted journal entry lines, in step with one GLBATCH.

    A GLDETAIL row carries its GLENTRY's RECORDNO and the batch's stamp; a batch that is not
    (or no longer) posted has none.
    """
    store, company = writer.store, writer.ctx.company
    for old in store.find_by(company, GLDETAIL, "BATCHNO", batch["RECORDNO"]):
        store.delete(company, GLDETAIL, old["RECORDNO"])
    current = store.get(company, obj, batch["RECORDNO"])
    if current is None or current.get("STATE") != "Posted":
        return
    for line in writer.lines_of(obj, current):
        account = writer.by_id("GLACCOUNT", line["ACCOUNTNO"]) or {}
        amount = dec(line.get("AMOUNT"))
        debit = int(line.get("TR_TYPE") or 1) == 1
        detail = {
            "RECORDNO": line["RECORDNO"],
            "BATCHNO": current["RECORDNO"],
            "BATCH_DATE": current.get("BATCH_DATE"),
            "BATCH_TITLE": current.get("BATCH_TITLE"),
            "JOURNAL": current.get("JOURNAL"),
            "ENTRY_DATE": line.get("ENTRY_DATE"),
            "LINE_NO": line.get("LINE_NO"),
            "ACCOUNTNO": line["ACCOUNTNO"],
            "ACCOUNTTITLE": account.get("TITLE"),
            "TR_TYPE": line.get("TR_TYPE"),
            "AMOUNT": money(amount),
            "DEBITAMOUNT": money(amount if debit else ZERO),
            "CREDITAMOUNT": money(ZERO if debit else amount),
            "LOCATION": line.get("LOCATION"),
            "DEPARTMENT": line.get("DEPARTMENT"),
            "DESCRIPTION": line.get("DESCRIPTION"),
            "MODULEKEY": "2.GL",
            "WHENMODIFIED": current.get("WHENMODIFIED"),
            "CREATEDBY": 1,
            "MODIFIEDBY": 1,
            **{k: current[k] for k in ENTITY_FIELDS if current.get(k) is not None},
        }
        store.insert(company, GLDETAIL, {k: v for k, v in detail.items() if v is not None})


PREPARE = {
    "GLBATCH": _glbatch,
    "ARPYMT": _arpymt,
    "APBILL": _apbill,
    "APPYMT": _appymt,
    "APADJUSTMENT": _line_totals("TOTALENTERED", "TRX_AMOUNT"),
    "PODOCUMENT": _document("PRICE", "PO"),
    "INVDOCUMENT": _document("COST", "IC"),
    "EEXPENSES": _expense_report,
    "OTHERRECEIPTS": _line_totals("TOTALENTERED", "TRX_AMOUNT"),
}
AFTER_STORE = {"ARPYMT": _arpymt_after, "GLBATCH": sync_gl_detail}


def prepare(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> None:
    """Run the object's `PREPARE` rule, if it has one, before `rec` is stored."""
    rule = PREPARE.get(obj.name)
    if rule:
        rule(writer, obj, rec, lines)


def after_store(writer: Writer, obj: ObjectDef, stored: Record, lines: list[Record] | None) -> None:
    """Store the lines given with `stored` (None keeps the old ones), then run `AFTER_STORE`."""
    if lines is not None:
        writer.replace_lines(obj, stored, lines)
    rule = AFTER_STORE.get(obj.name)
    if rule:
        rule(writer, obj, stored)


# -- deletes --------------------------------------------------------------------------------
def in_use(writer: Writer, obj: ObjectDef, rec: Record) -> str | None:
    """Another record referring to this one by its ID, if any (master data in use)."""
    if not obj.id_field or rec.get(obj.id_field) is None:
        return None
    for other in OBJECTS:
        for fdef in other.fields:
            if fdef.ref != obj.name or (other is obj and fdef.name == obj.id_field):
                continue
            found = writer.store.find_by(
                writer.ctx.company, other, fdef.name, str(rec[obj.id_field])
            )
            if found:
                return f"{other.label} {found[0]['RECORDNO']}"
    return None


def before_delete(writer: Writer, obj: ObjectDef, rec: Record) -> None:
    """Refuse deletes of records in use or paid; cascade an OE invoice to its AR invoice."""
    key = rec["RECORDNO"]
    user = in_use(writer, obj, rec)
    if user:
        raise FunctionError(
            [
                Err(
                    "BL01001973",
                    "",
                    f"Cannot delete {obj.name.lower()} "
                    f"'{rec.get(obj.id_field or 'RECORDNO')}': it is used by {user}.",
                    "",
                )
            ]
        )
    if obj.name == "ARINVOICE":
        if dec(rec.get("TOTALPAID")) > ZERO:
            raise could_not(
                obj, f"AR invoice {key} has payments applied; reverse them first.", "delete"
            )
        if rec.get("MODULEKEY") == "8.SO":
            raise could_not(
                obj,
                f"AR invoice {key} was created by Order Entry; delete the Sales Invoice instead.",
                "delete",
            )
    if obj.name in ("ARPYMT", "APPYMT") and rec.get("STATE") != "Draft":
        raise could_not(
            obj, f"Payment {key} is posted; only draft payments can be deleted.", "delete"
        )
    if obj.name == "SODOCUMENT":
        release_sales_document(writer, rec)
    if obj.name == "DEPOSIT":
        payment_obj = OBJECTS_BY_NAME["ARPYMT"]
        for payment in writer.store.find_by(writer.ctx.company, payment_obj, "DEPOSITKEY", key):
            payment.pop("DEPOSITKEY", None)
            writer.save(payment_obj, payment)


def after_delete(writer: Writer, obj: ObjectDef, rec: Record) -> None:
    """Balances and document states that depended on a deleted record."""
    if obj.name == "GLBATCH":
        sync_gl_detail(writer, obj, rec)
    if obj.name == "ARINVOICE":
        refresh_customer_balance(writer, rec["CUSTOMERID"])
    if obj.name == "SODOCUMENT" and rec.get("CREATEDFROM"):
        source = writer.store.get_by_id(writer.ctx.company, SODOCUMENT, rec["CREATEDFROM"])
        if source:
            refresh_conversion(writer, source)
