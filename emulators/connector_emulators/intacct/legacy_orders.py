"""Legacy Order Entry and Cash Management functions: sales transactions and deposits.

Sales documents (quotes, orders, invoices) are numbered per document type; a posted sales
invoice also creates its AR invoice. `make_deposit` is shared with the seed data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from .functions import Call, child_text
from .generic_writes import delete_record, not_found_to_delete
from .legacy import (
    ARPYMT,
    amount_of,
    collision,
    copy_present,
    create_ar_invoice,
    customer_for,
    key_result,
    legacy_date,
    line_to_update,
    owner_of,
    required_text,
)
from .objects import OBJECTS_BY_NAME
from .records import Writer, could_not
from .rules import (
    ZERO,
    dec,
    drop_ar_invoice,
    refresh_conversion,
)
from .store import Record
from .values import money

SODOCUMENT = OBJECTS_BY_NAME["SODOCUMENT"]
DEPOSIT = OBJECTS_BY_NAME["DEPOSIT"]
SALES_TYPES = {"Sales Quote": "SQ-", "Sales Order": "SO-", "Sales Invoice": "INV-"}
SALES_ACCOUNT = "4000"


def next_document_number(writer: Writer, docpar: str) -> str:
    """The next unused document number of a document type."""
    while True:
        number = writer.store.next_value(writer.ctx.company, "DOCNO:" + docpar)
        docno = f"{SALES_TYPES.get(docpar, 'DOC-')}{number:04d}"
        if writer.store.get_by_id(writer.ctx.company, SODOCUMENT, f"{docpar}-{docno}") is None:
            return docno


def sales_lines(writer: Writer, items: list[dict[str, Any]]) -> list[Record]:
    """Entries from {ITEMID, QUANTITY, PRICE?, ...}: item names and prices from ITEM."""
    out = []
    for number, item in enumerate(items, start=1):
        item_rec = writer.by_id("ITEM", str(item.get("ITEMID") or ""))
        if item_rec is None:
            raise could_not(
                SODOCUMENT,
                f"line {number}: invalid item '{item.get('ITEMID')}'.",
                errorno="BL03000017",
            )
        quantity = dec(item.get("QUANTITY"))
        if quantity <= ZERO:
            raise could_not(SODOCUMENT, f"line {number}: quantity must be positive.")
        price = (
            dec(item.get("PRICE"))
            if item.get("PRICE") not in (None, "")
            else dec(item_rec.get("BASEPRICE"))
        )
        out.append(
            {
                **{k: v for k, v in item.items() if v not in (None, "")},
                "ITEMNAME": item_rec.get("NAME"),
                "QUANTITY": format(quantity.normalize(), "f"),
                "PRICE": money(price),
                "TOTAL": money(quantity * price),
            }
        )
    return out


def create_sales_document(
    writer: Writer,
    docpar: str,
    customer_id: str,
    created: str,
    items: list[dict[str, Any]],
    *,
    docno: str | None = None,
    created_from: str | None = None,
    header: dict[str, Any] | None = None,
    subtotals: Decimal = ZERO,
) -> Record:
    """A Sales Quote/Order/Invoice with entries; an invoice also posts its AR invoice.

    `subtotals`: the transaction definition's subtotals (tax, shipping, discount), added to
    the lines' total.
    """
    if docpar not in SALES_TYPES:
        raise could_not(
            SODOCUMENT, f"Invalid transaction type '{docpar}' (valid: {', '.join(SALES_TYPES)})."
        )
    customer = customer_for(writer, SODOCUMENT, customer_id)
    header = dict(header or {})
    source = None
    if created_from:
        source = writer.store.get_by_id(writer.ctx.company, SODOCUMENT, created_from)
        if source is None or not writer.visible(SODOCUMENT, source):
            raise could_not(
                SODOCUMENT,
                f"createdfrom: transaction '{created_from}' does not exist.",
                errorno="BL03000017",
            )
        if source["CUSTVENDID"] != customer_id:
            raise could_not(
                SODOCUMENT,
                f"createdfrom: '{created_from}' belongs to customer "
                f"{source['CUSTVENDID']}, not {customer_id}.",
            )
        if not header.get("PONUMBER"):
            header["PONUMBER"] = source.get("PONUMBER")
    if docno and writer.store.get_by_id(writer.ctx.company, SODOCUMENT, f"{docpar}-{docno}"):
        raise collision(SODOCUMENT, docno)
    docno = docno or next_document_number(writer, docpar)
    docid = f"{docpar}-{docno}"
    lines = sales_lines(writer, items)
    for line in lines:
        line.update(DOCHDRID=docid, DOCPARID=docpar)
    total = sum((dec(line["TOTAL"]) for line in lines), subtotals)
    rec = {
        "DOCID": docid,
        "DOCNO": docno,
        "DOCPARID": docpar,
        "CREATEDFROM": created_from,
        "CUSTVENDID": customer_id,
        "CUSTVENDNAME": customer.get("NAME"),
        "WHENCREATED": created,
        "STATE": "Pending",
        "TOTAL": money(total),
        "CURRENCY": "USD",
        **header,
    }
    stored = writer.insert(SODOCUMENT, rec, location=owner_of(writer, customer))
    writer.replace_lines(SODOCUMENT, stored, lines)
    if docpar == "Sales Invoice" and stored.get("STATE") != "Draft":
        stored = post_sales_invoice(writer, stored, lines)
    if source is not None:
        refresh_conversion(writer, source)
    return stored


def post_sales_invoice(writer: Writer, doc: Record, lines: list[Record]) -> Record:
    """Create the AR invoice of a Sales Invoice and link it with PRRECORDKEY."""
    ar_lines = [
        {
            "ACCOUNTNO": SALES_ACCOUNT,
            "AMOUNT": line["TOTAL"],
            "ITEMID": line["ITEMID"],
            "ENTRYDESCRIPTION": line.get("ITEMNAME"),
        }
        for line in lines
    ]
    invoice = create_ar_invoice(
        writer,
        doc["CUSTVENDID"],
        doc["WHENCREATED"],
        ar_lines,
        invoice_no=doc["DOCNO"],
        due=doc.get("WHENDUE"),
        termname=doc.get("TERMNAME"),
        module="8.SO",
        header={"DOCNUMBER": doc.get("PONUMBER")},
    )
    doc["PRRECORDKEY"] = invoice["RECORDNO"]
    return writer.save(SODOCUMENT, doc, audit=False)


def _sales_item(item: etree._Element) -> dict[str, Any]:
    return {
        "ITEMID": child_text(item, "itemid"),
        "ITEMDESC": child_text(item, "itemdesc"),
        "QUANTITY": child_text(item, "quantity"),
        "UNIT": child_text(item, "unit"),
        "PRICE": child_text(item, "price"),
        "LOCATIONID": child_text(item, "locationid"),
        "DEPARTMENTID": child_text(item, "departmentid"),
        "MEMO": child_text(item, "memo"),
    }


def create_sotransaction(call: Call, el: etree._Element) -> str:
    """`create_sotransaction`: answers the DOCID."""
    items = [_sales_item(item) for item in el.findall("sotransitems/sotransitem")]
    if not items:
        raise could_not(
            SODOCUMENT, "A transaction needs at least one <sotransitem>.", errorno="BL03000018"
        )
    for number, item in enumerate(items, start=1):
        amount_of(SODOCUMENT, item["QUANTITY"] or "", f"line {number} quantity")
        if item["PRICE"]:
            amount_of(SODOCUMENT, item["PRICE"], f"line {number} price")
    created = legacy_date(SODOCUMENT, el, "datecreated", required=True) or ""
    state = child_text(el, "state")
    if state and state not in ("Draft", "Pending", "Closed"):
        raise could_not(SODOCUMENT, f"Invalid state '{state}' (valid: Draft, Pending, Closed).")
    header = {
        "PONUMBER": child_text(el, "referenceno") or None,
        "TERMNAME": child_text(el, "termname") or None,
        "WHENDUE": legacy_date(SODOCUMENT, el, "datedue"),
        "MESSAGE": child_text(el, "message") or None,
        "SHIPVIA": child_text(el, "shippingmethod") or None,
        "CURRENCY": child_text(el, "currency") or "USD",
        "STATE": state or "Pending",
    }
    subtotals = (
        amount_of(SODOCUMENT, child_text(sub, "total") or "0", f"subtotal {number} total")
        for number, sub in enumerate(el.findall("subtotals/subtotal"), start=1)
    )
    stored = create_sales_document(
        call.writer,
        required_text(SODOCUMENT, el, "transactiontype"),
        required_text(SODOCUMENT, el, "customerid"),
        created,
        items,
        docno=child_text(el, "documentno") or None,
        created_from=child_text(el, "createdfrom") or None,
        header=header,
        subtotals=sum(subtotals, ZERO),
    )
    return key_result(stored["DOCID"])


def _sales_document(call: Call, key: str, action: str) -> Record:
    doc = call.ctx.store.get_by_id(call.ctx.company, SODOCUMENT, key)
    if doc is None or not call.writer.visible(SODOCUMENT, doc):
        if action == "delete":
            raise not_found_to_delete(SODOCUMENT, key)
        raise could_not(SODOCUMENT, f"Transaction '{key}' does not exist.", action)
    return doc


def update_sotransaction(call: Call, el: etree._Element) -> str:
    """`update_sotransaction key=DOCID`: header fields and lines."""
    writer = call.writer
    doc = _sales_document(call, el.get("key", ""), "update")
    created = legacy_date(SODOCUMENT, el, "datecreated")
    if created:
        doc["WHENCREATED"] = created
    due = legacy_date(SODOCUMENT, el, "datedue")
    if due:
        doc["WHENDUE"] = due
    copy_present(
        el,
        doc,
        (
            ("referenceno", "PONUMBER"),
            ("termname", "TERMNAME"),
            ("message", "MESSAGE"),
            ("shippingmethod", "SHIPVIA"),
            ("state", "STATE"),
        ),
    )
    items = [
        {
            k: v
            for k, v in line.items()
            if k
            in (
                "ITEMID",
                "ITEMDESC",
                "QUANTITY",
                "UNIT",
                "PRICE",
                "LOCATIONID",
                "DEPARTMENTID",
                "MEMO",
            )
        }
        for line in writer.lines_of(SODOCUMENT, doc)
    ]
    changes = el.find("updatesotransitems")
    if changes is not None:
        for change in changes:
            if change.tag == "sotransitem":
                items.append(_sales_item(change))
            elif change.tag == "updatesotransitem":
                _update_sales_item(items, change)
    lines = sales_lines(writer, items)
    for line in lines:
        line.update(DOCHDRID=doc["DOCID"], DOCPARID=doc["DOCPARID"])
    doc["TOTAL"] = money(sum((dec(line["TOTAL"]) for line in lines), ZERO))
    writer.replace_lines(SODOCUMENT, doc, lines)
    if doc["DOCPARID"] == "Sales Invoice":
        drop_ar_invoice(writer, doc)  # Intacct re-creates the AR invoice with a new RECORDNO
        doc.pop("PRRECORDKEY", None)
    doc = writer.save(SODOCUMENT, doc)
    if doc["DOCPARID"] == "Sales Invoice" and doc.get("STATE") != "Draft":
        post_sales_invoice(writer, doc, lines)
    if doc.get("CREATEDFROM"):
        source = call.ctx.store.get_by_id(call.ctx.company, SODOCUMENT, doc["CREATEDFROM"])
        if source:
            refresh_conversion(writer, source)
    return key_result(doc["DOCID"])


def _update_sales_item(items: list[dict[str, Any]], change: etree._Element) -> None:
    _, item = line_to_update(SODOCUMENT, items, change)
    for tag, name in (
        ("itemid", "ITEMID"),
        ("itemdesc", "ITEMDESC"),
        ("quantity", "QUANTITY"),
        ("unit", "UNIT"),
        ("price", "PRICE"),
        ("memo", "MEMO"),
    ):
        if child_text(change, tag):
            item[name] = child_text(change, tag)


def delete_sotransaction(call: Call, el: etree._Element) -> str:
    """`delete_sotransaction key=DOCID`."""
    doc = _sales_document(call, el.get("key", ""), "delete")
    delete_record(call.writer, SODOCUMENT, doc)
    return ""


# -- deposits -------------------------------------------------------------------------------
def make_deposit(
    writer: Writer,
    *,
    bank: str,
    when: str,
    deposit_id: str,
    keys: list[str],
    description: str | None = None,
) -> Record:
    """Deposit undeposited payments into a bank account."""
    if not (writer.exists("CHECKINGACCOUNT", bank) or writer.exists("SAVINGSACCOUNT", bank)):
        raise could_not(DEPOSIT, f"Invalid bank account '{bank}'.", errorno="BL03000017")
    if not keys:
        raise could_not(DEPOSIT, "A deposit needs at least one <receiptkey>.", errorno="BL03000018")
    payments, total = [], ZERO
    for key in keys:
        payment = writer.get(ARPYMT, int(key)) if key.isdigit() else None
        if payment is None:
            raise could_not(DEPOSIT, f"Receipt '{key}' does not exist.", errorno="BL03000017")
        if payment.get("DEPOSITKEY") is not None:
            raise could_not(
                DEPOSIT, f"Receipt '{key}' is already in deposit {payment['DEPOSITKEY']}."
            )
        payments.append(payment)
        total += dec(payment.get("TOTALENTERED"))
    rec = {
        "DEPOSITID": deposit_id,
        "BANKACCOUNTID": bank,
        "DEPOSITDATE": when,
        "DESCRIPTION": description,
        "TOTALENTERED": money(total),
        "RECEIPTKEYS": ",".join(keys),
        "STATE": "Posted",
    }
    stored = writer.insert(DEPOSIT, rec)
    for payment in payments:
        payment["DEPOSITKEY"] = stored["RECORDNO"]
        writer.save(ARPYMT, payment)
    return stored


def record_deposit(call: Call, el: etree._Element) -> str:
    """`record_deposit`."""
    if el.find("receipts") is not None:
        raise could_not(DEPOSIT, "<receipts> is not supported; list <receiptkeys>.")
    stored = make_deposit(
        call.writer,
        bank=required_text(DEPOSIT, el, "bankaccountid"),
        when=legacy_date(DEPOSIT, el, "depositdate", required=True) or "",
        deposit_id=required_text(DEPOSIT, el, "depositid"),
        keys=[(k.text or "").strip() for k in el.findall("receiptkeys/receiptkey")],
        description=child_text(el, "description") or None,
    )
    return key_result(stored["RECORDNO"])
