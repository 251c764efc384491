"""Legacy (DTD 3.0 object-specific) AR functions, and the helpers every legacy function shares.

The functions read lowercase elements in the order of the official XSD, take dates as
`<year>/<month>/<day>`, and return `<key>`. The seed data is created through the same
operations (`create_ar_invoice`, `receive_payment`, ...); Order Entry and deposits are in
`legacy_orders`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from .functions import Call, child_text
from .generic_writes import delete_record, not_found_to_delete
from .objects import OBJECTS_BY_NAME, ObjectDef
from .records import FunctionError, Writer, could_not
from .rules import (
    ZERO,
    apply_to_invoice,
    customer_name,
    dec,
    invoice_state,
    refresh_customer_balance,
)
from .store import Record
from .values import BadValueError, add_days, money, parse_decimal
from .xmlout import esc

ARINVOICE = OBJECTS_BY_NAME["ARINVOICE"]
ARPYMT = OBJECTS_BY_NAME["ARPYMT"]
ARADJUSTMENT = OBJECTS_BY_NAME["ARADJUSTMENT"]


# -- element helpers ------------------------------------------------------------------------
def legacy_date(
    obj: ObjectDef, el: etree._Element, tag: str, *, required: bool = False
) -> str | None:
    """`<tag><year/><month/><day/></tag>` → ISO date."""
    found = el.find(tag)
    if found is None:
        if required:
            raise could_not(obj, f"Required element <{tag}> is missing.", errorno="BL03000018")
        return None
    try:
        return date(
            int(child_text(found, "year")),
            int(child_text(found, "month")),
            int(child_text(found, "day")),
        ).isoformat()
    except ValueError as exc:
        raise could_not(obj, f"<{tag}> is not a valid year/month/day date.") from exc


def amount_of(obj: ObjectDef, text: str, what: str) -> Decimal:
    """A decimal amount of a legacy element, failing with the element named."""
    try:
        return parse_decimal(text)
    except BadValueError as exc:
        raise could_not(obj, f"{what}: {exc}.") from exc


def required_text(obj: ObjectDef, el: etree._Element, tag: str) -> str:
    """Text of a required legacy element."""
    value = child_text(el, tag)
    if not value:
        raise could_not(obj, f"Required element <{tag}> is missing or empty.", errorno="BL03000018")
    return value


def key_result(key: Any) -> str:
    """The `<key>` result of legacy create functions."""
    return f"<key>{esc(str(key))}</key>"


def customer_for(writer: Writer, obj: ObjectDef, customer_id: str) -> Record:
    """The customer a transaction names, visible to the session."""
    customer = writer.by_id("CUSTOMER", customer_id)
    if customer is None or not writer.visible(OBJECTS_BY_NAME["CUSTOMER"], customer):
        raise could_not(
            obj, f"Invalid customer '{customer_id}': no such customer.", errorno="BL03000017"
        )
    return customer


def owner_of(writer: Writer, customer: Record) -> str:
    """Transactions belong to the session's entity, else to their customer's."""
    return writer.ctx.location or customer.get("MEGAENTITYID") or ""


def due_date(created: str, termname: str | None, explicit: str | None) -> str:
    """The due date: explicit, from an `N<days>` term, or the document date."""
    if explicit:
        return explicit
    match = re.fullmatch(r"N(\d+)", termname or "")
    return add_days(created, int(match[1])) if match else created


def number_taken(writer: Writer, obj: ObjectDef, field: str, value: str) -> bool:
    """Whether a document number is already used."""
    return bool(writer.store.find_by(writer.ctx.company, obj, field, value))


def collision(obj: ObjectDef, number: str) -> FunctionError:
    """The error for a document number that is already used."""
    return could_not(
        obj, f"A transaction with the number '{number}' already exists.", errorno="BL03002131"
    )


def gl_account(writer: Writer, obj: ObjectDef, account: str, label: str) -> str:
    """A checked GL account number."""
    if not account:
        raise could_not(
            obj, f"{label}: enter a GL account number (glaccountno).", errorno="BL03000018"
        )
    if not writer.exists("GLACCOUNT", account):
        raise could_not(obj, f"{label}: invalid GL account '{account}'.", errorno="BL03000017")
    return account


def copy_present(el: etree._Element, rec: Record, tags: tuple[tuple[str, str], ...]) -> None:
    """Copy each (tag, field) whose element is present; an empty element clears the field."""
    for tag, name in tags:
        if el.find(tag) is not None:
            rec[name] = child_text(el, tag) or None


def line_to_update(
    obj: ObjectDef, lines: list[dict[str, Any]], change: etree._Element
) -> tuple[int, dict[str, Any]]:
    """The index and line an update element's 1-based `line_num` names."""
    try:
        index = int(change.get("line_num", "")) - 1
        if index < 0:
            raise IndexError
        return index, lines[index]
    except (ValueError, IndexError):
        raise could_not(
            obj, f"{change.tag} line_num '{change.get('line_num')}' does not exist.", "update"
        ) from None


def ar_document_head(
    call: Call, obj: ObjectDef, el: etree._Element, items_path: str, noun: str
) -> tuple[list[etree._Element], str, str]:
    """The line items, checked customer ID and creation date of a legacy AR document."""
    items = el.findall(items_path)
    if not items:
        raise could_not(obj, f"An {noun} needs at least one <lineitem>.", errorno="BL03000018")
    customer_id = required_text(obj, el, "customerid")
    customer_for(call.writer, obj, customer_id)
    return items, customer_id, legacy_date(obj, el, "datecreated", required=True) or ""


# -- AR invoices ----------------------------------------------------------------------------
def create_ar_invoice(
    writer: Writer,
    customer_id: str,
    created: str,
    lines: list[Record],
    *,
    invoice_no: str | None = None,
    due: str | None = None,
    termname: str | None = None,
    module: str = "4.AR",
    header: dict[str, Any] | None = None,
    draft: bool = False,
) -> Record:
    """Post an AR invoice with its lines and update the customer's balance."""
    customer = customer_for(writer, ARINVOICE, customer_id)
    if invoice_no and number_taken(writer, ARINVOICE, "RECORDID", invoice_no):
        raise collision(ARINVOICE, invoice_no)
    total = sum((dec(line["AMOUNT"]) for line in lines), ZERO)
    rec: Record = {
        "RECORDID": invoice_no,
        "CUSTOMERID": customer_id,
        "CUSTOMERNAME": customer.get("NAME"),
        "WHENCREATED": created,
        "WHENPOSTED": created,
        "WHENDUE": due_date(created, termname, due),
        "TERMNAME": termname,
        "TOTALENTERED": money(total),
        "TOTALPAID": money(ZERO),
        "TOTALDUE": money(total),
        "STATE": invoice_state(total, ZERO, draft),
        "MODULEKEY": module,
        "CURRENCY": "USD",
        "BASECURR": "USD",
        **(header or {}),
    }
    stored = writer.insert(ARINVOICE, rec, location=owner_of(writer, customer))
    writer.replace_lines(ARINVOICE, stored, lines)
    refresh_customer_balance(writer, customer_id)
    return stored


def invoice_lines(call: Call, obj: ObjectDef, items: list[etree._Element]) -> list[Record]:
    """ARINVOICEITEM/ARADJUSTMENTITEM rows from legacy `lineitem` elements."""
    lines = []
    for number, item in enumerate(items, start=1):
        label = f"line {number}"
        if child_text(item, "accountlabel"):
            raise could_not(obj, f"{label}: account labels are not enabled; use glaccountno.")
        lines.append(
            {
                "ACCOUNTNO": gl_account(call.writer, obj, child_text(item, "glaccountno"), label),
                "AMOUNT": money(amount_of(obj, required_text(obj, item, "amount"), label)),
                "ENTRYDESCRIPTION": child_text(item, "memo") or None,
                "LOCATIONID": child_text(item, "locationid") or None,
                "DEPARTMENTID": child_text(item, "departmentid") or None,
            }
        )
    return lines


def create_invoice(call: Call, el: etree._Element) -> str:
    """`create_invoice` (legacy AR invoice)."""
    items, customer_id, created = ar_document_head(
        call, ARINVOICE, el, "invoiceitems/lineitem", "invoice"
    )
    header = {
        "WHENPOSTED": legacy_date(ARINVOICE, el, "dateposted") or created,
        "DOCNUMBER": child_text(el, "ponumber") or None,
        "DESCRIPTION": child_text(el, "description") or None,
        "PRBATCHKEY": child_text(el, "batchkey") or None,
        "CURRENCY": child_text(el, "currency") or "USD",
    }
    stored = create_ar_invoice(
        call.writer,
        customer_id,
        created,
        invoice_lines(call, ARINVOICE, items),
        invoice_no=child_text(el, "invoiceno") or None,
        due=legacy_date(ARINVOICE, el, "datedue"),
        termname=child_text(el, "termname") or None,
        header=header,
        draft=child_text(el, "action") == "Draft",
    )
    return key_result(stored["RECORDNO"])


def _invoice_by_key(call: Call, key: str, action: str) -> Record:
    rec = call.writer.get(ARINVOICE, int(key)) if key.isdigit() else None
    if rec is None:
        if action == "delete":
            raise not_found_to_delete(ARINVOICE, key)
        raise could_not(ARINVOICE, f"AR invoice with key '{key}' does not exist.", action)
    return rec


def update_invoice(call: Call, el: etree._Element) -> str:
    """`update_invoice key=RECORDNO`: header fields and lines (add or change)."""
    writer = call.writer
    rec = _invoice_by_key(call, el.get("key", ""), "update")
    if rec.get("MODULEKEY") == "8.SO":
        raise could_not(
            ARINVOICE,
            "This invoice was created by Order Entry; update the Sales Invoice instead.",
            "update",
        )
    if child_text(el, "customerid"):
        customer_for(writer, ARINVOICE, child_text(el, "customerid"))
        rec["CUSTOMERID"] = child_text(el, "customerid")
        rec["CUSTOMERNAME"] = customer_name(writer, rec["CUSTOMERID"])
    for tag, name in (
        ("datecreated", "WHENCREATED"),
        ("dateposted", "WHENPOSTED"),
        ("datedue", "WHENDUE"),
    ):
        value = legacy_date(ARINVOICE, el, tag)
        if value:
            rec[name] = value
    number = child_text(el, "invoiceno")
    if number and number != rec.get("RECORDID"):
        if number_taken(writer, ARINVOICE, "RECORDID", number):
            raise collision(ARINVOICE, number)
        rec["RECORDID"] = number
    copy_present(
        el,
        rec,
        (
            ("ponumber", "DOCNUMBER"),
            ("description", "DESCRIPTION"),
            ("termname", "TERMNAME"),
            ("currency", "CURRENCY"),
        ),
    )
    lines = writer.lines_of(ARINVOICE, rec)
    items = el.find("updateinvoiceitems")
    if items is not None:
        for item in items:
            if item.tag == "lineitem":
                lines.extend(invoice_lines(call, ARINVOICE, [item]))
            elif item.tag == "updatelineitem":
                _update_line(call, lines, item)
        lines = [{k: v for k, v in line.items() if k not in ("RECORDNO",)} for line in lines]
        writer.replace_lines(ARINVOICE, rec, lines)
    total = sum((dec(line["AMOUNT"]) for line in lines), ZERO)
    paid = dec(rec.get("TOTALPAID"))
    if total < paid:
        raise could_not(
            ARINVOICE,
            f"The new total {money(total)} is below the amount already paid {money(paid)}.",
            "update",
        )
    rec.update(
        TOTALENTERED=money(total),
        TOTALDUE=money(total - paid),
        STATE=invoice_state(total, paid, child_text(el, "action") == "Draft"),
    )
    writer.save(ARINVOICE, rec)
    refresh_customer_balance(writer, rec["CUSTOMERID"])
    return key_result(rec["RECORDNO"])


def _update_line(call: Call, lines: list[Record], item: etree._Element) -> None:
    index, line = line_to_update(ARINVOICE, lines, item)
    if child_text(item, "glaccountno"):
        line["ACCOUNTNO"] = gl_account(
            call.writer, ARINVOICE, child_text(item, "glaccountno"), f"line {index + 1}"
        )
    if child_text(item, "amount"):
        line["AMOUNT"] = money(amount_of(ARINVOICE, child_text(item, "amount"), "amount"))
    if item.find("memo") is not None:
        line["ENTRYDESCRIPTION"] = child_text(item, "memo") or None


def delete_invoice(call: Call, el: etree._Element) -> str:
    """`delete_invoice key=RECORDNO`."""
    rec = _invoice_by_key(call, el.get("key", ""), "delete")
    delete_record(call.writer, ARINVOICE, rec)
    return ""


# -- AR payments ----------------------------------------------------------------------------
def receive_payment(
    writer: Writer,
    *,
    customer_id: str,
    amount: Decimal,
    received: str,
    applications: list[tuple[Any, Decimal]],
    header: dict[str, Any],
) -> Record:
    """Post an AR payment and apply it to invoices (refusing to overpay)."""
    customer = customer_for(writer, ARPYMT, customer_id)
    applied = sum((a for _, a in applications), ZERO)
    if amount <= ZERO:
        raise could_not(ARPYMT, "The payment amount must be positive.")
    if applied > amount:
        raise could_not(
            ARPYMT,
            f"Applied amounts {money(applied)} exceed the payment amount {money(amount)}.",
            errorno="BL03002130",
        )
    lines = []
    for invoice_key, part in applications:
        apply_to_invoice(writer, ARPYMT, invoice_key, part, customer_id=customer_id, when=received)
        lines.append(
            {
                "RECORDKEY": int(str(invoice_key)),
                "TRX_PAYMENTAMOUNT": money(part),
                "PAYMENTAMOUNT": money(part),
            }
        )
    rec: Record = {
        "CUSTOMERID": customer_id,
        "CUSTOMERNAME": customer.get("NAME"),
        "RECEIPTDATE": received,
        "PAYMENTDATE": received,
        "TOTALENTERED": money(amount),
        "TOTALPAID": money(applied),
        "TOTALDUE": money(amount - applied),
        "STATE": "Posted",
        "CURRENCY": "USD",
        **header,
    }
    stored = writer.insert(ARPYMT, rec, location=owner_of(writer, customer))
    writer.replace_lines(ARPYMT, stored, lines)
    refresh_customer_balance(writer, customer_id)
    return stored


def _applications(el: etree._Element, path: str) -> list[tuple[Any, Decimal]]:
    out = []
    for item in el.findall(path):
        key = required_text(ARPYMT, item, "invoicekey")
        out.append(
            (key, amount_of(ARPYMT, required_text(ARPYMT, item, "amount"), f"invoice {key}"))
        )
    return out


def create_arpayment(call: Call, el: etree._Element) -> str:
    """`create_arpayment`: a payment applied to the listed invoices."""
    sources = {t: child_text(el, t) for t in ("batchkey", "bankaccountid", "undepfundsacct")}
    if sum(1 for v in sources.values() if v) != 1:
        raise could_not(
            ARPYMT,
            "Give exactly one of batchkey, bankaccountid or undepfundsacct.",
            errorno="BL03000018",
        )
    received = legacy_date(ARPYMT, el, "datereceived") or call.ctx.now.date().isoformat()
    method = child_text(el, "paymentmethod") or "Printed Check"
    valid = OBJECTS_BY_NAME["ARPYMT"].field_map["PAYMENTMETHOD"].valid
    if method not in valid:
        raise could_not(ARPYMT, f"Invalid paymentmethod '{method}' (valid: {', '.join(valid)}).")
    header = {
        "PAYMENTMETHOD": method,
        "PRBATCHKEY": sources["batchkey"] or None,
        "FINANCIALENTITY": sources["bankaccountid"] or None,
        "UNDEPOSITEDACCOUNTNO": sources["undepfundsacct"] or None,
        "DOCNUMBER": child_text(el, "refid") or None,
    }
    stored = receive_payment(
        call.writer,
        customer_id=required_text(ARPYMT, el, "customerid"),
        amount=amount_of(ARPYMT, required_text(ARPYMT, el, "paymentamount"), "paymentamount"),
        received=received,
        applications=_applications(el, "arpaymentitem"),
        header=header,
    )
    return key_result(stored["RECORDNO"])


def apply_arpayment(call: Call, el: etree._Element) -> str:
    """`apply_arpayment`: apply the unapplied part of a payment."""
    writer = call.writer
    key = required_text(ARPYMT, el, "arpaymentkey")
    payment = writer.get(ARPYMT, int(key)) if key.isdigit() else None
    if payment is None:
        raise could_not(ARPYMT, f"AR payment with key '{key}' does not exist.", "apply")
    when = legacy_date(ARPYMT, el, "paymentdate", required=True) or ""
    available = dec(payment.get("TOTALDUE"))
    applications = _applications(el, "arpaymentitems/arpaymentitem")
    if not applications:  # apply what is left to the oldest open invoices
        open_invoices = [
            invoice
            for invoice in writer.store.find_by(
                writer.ctx.company, ARINVOICE, "CUSTOMERID", payment["CUSTOMERID"]
            )
            if dec(invoice.get("TOTALDUE")) > ZERO
        ]
        open_invoices.sort(key=lambda i: (i.get("WHENCREATED", ""), i["RECORDNO"]))
        left = available
        for invoice in open_invoices:
            part = min(left, dec(invoice["TOTALDUE"]))
            if part > ZERO:
                applications.append((invoice["RECORDNO"], part))
                left -= part
    applied = sum((a for _, a in applications), ZERO)
    if applied > available:
        raise could_not(
            ARPYMT,
            f"Applying {money(applied)} exceeds the unapplied amount "
            f"{money(available)} of payment {key}.",
            "apply",
            "BL03002130",
        )
    lines = [
        {k: v for k, v in line.items() if k != "RECORDNO"}
        for line in writer.lines_of(ARPYMT, payment)
    ]
    for invoice_key, part in applications:
        apply_to_invoice(
            writer, ARPYMT, invoice_key, part, customer_id=payment["CUSTOMERID"], when=when
        )
        lines.append(
            {
                "RECORDKEY": int(str(invoice_key)),
                "TRX_PAYMENTAMOUNT": money(part),
                "PAYMENTAMOUNT": money(part),
            }
        )
    payment["TOTALPAID"] = money(dec(payment.get("TOTALPAID")) + applied)
    payment["TOTALDUE"] = money(available - applied)
    writer.save(ARPYMT, payment)
    writer.replace_lines(ARPYMT, payment, lines)
    refresh_customer_balance(writer, payment["CUSTOMERID"])
    return key_result(payment["RECORDNO"])


# -- AR adjustments -------------------------------------------------------------------------
def create_adjustment(
    writer: Writer, customer_id: str, created: str, lines: list[Record], header: dict[str, Any]
) -> Record:
    """Post an AR adjustment with its lines."""
    customer = customer_for(writer, ARADJUSTMENT, customer_id)
    number = header.get("RECORDID")
    if number and number_taken(writer, ARADJUSTMENT, "RECORDID", number):
        raise collision(ARADJUSTMENT, number)
    total = sum((dec(line["AMOUNT"]) for line in lines), ZERO)
    rec = {
        "CUSTOMERID": customer_id,
        "CUSTOMERNAME": customer.get("NAME"),
        "WHENCREATED": created,
        "TOTALENTERED": money(total),
        **header,
    }
    stored = writer.insert(ARADJUSTMENT, rec, location=owner_of(writer, customer))
    writer.replace_lines(ARADJUSTMENT, stored, lines)
    return stored


def create_aradjustment(call: Call, el: etree._Element) -> str:
    """`create_aradjustment`."""
    items, customer_id, created = ar_document_head(
        call, ARADJUSTMENT, el, "aradjustmentitems/lineitem", "adjustment"
    )
    header = {
        "RECORDID": child_text(el, "adjustmentno") or None,
        "WHENPOSTED": legacy_date(ARADJUSTMENT, el, "dateposted") or created,
        "DOCNUMBER": child_text(el, "invoiceno") or None,
        "DESCRIPTION": child_text(el, "description") or None,
        "CURRENCY": child_text(el, "currency") or "USD",
        "STATE": "Draft" if child_text(el, "action") == "Draft" else "Posted",
    }
    lines = invoice_lines(call, ARADJUSTMENT, items)
    stored = create_adjustment(call.writer, customer_id, created, lines, header)
    return key_result(stored["RECORDNO"])
