"""The one table of Intacct objects the tap reads: adding an object is adding a row.

Every stream reads its own Intacct object with `query`, incrementally on WHENMODIFIED; line objects
(invoice lines, journal entry lines, ...) are read the same way, not per parent record. `parent`
and `link` document how a line joins its header (and appear in the README table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RECORDNO = "RECORDNO"
WHENMODIFIED = "WHENMODIFIED"


@dataclass(frozen=True)
class IntacctObject:
    """One stream: the Intacct object it reads and how its rows are keyed and ordered."""

    stream: str
    object: str
    key_properties: tuple[str, ...] = (RECORDNO,)
    replication_key: str | None = WHENMODIFIED
    parent: str | None = None  # parent stream name (documentation)
    link: str | None = None  # field of a line holding the parent's RECORDNO
    docparid: str | None = None  # document type of SODOCUMENT/PODOCUMENT objects
    notes: str = ""


OBJECTS: tuple[IntacctObject, ...] = (
    IntacctObject("customers", "CUSTOMER", notes="DISPLAYCONTACT.* fields, custom fields"),
    IntacctObject("contacts", "CONTACT"),
    IntacctObject("items", "ITEM"),
    IntacctObject("product_lines", "PRODUCTLINE"),
    IntacctObject("ar_invoices", "ARINVOICE", notes="WHENCREATED is the document date"),
    IntacctObject("ar_invoice_lines", "ARINVOICEITEM", parent="ar_invoices", link="RECORDKEY"),
    IntacctObject("ar_payments", "ARPYMT"),
    IntacctObject("ar_payment_details", "ARPYMTDETAIL", parent="ar_payments", link="PAYMENTKEY"),
    IntacctObject("ar_adjustments", "ARADJUSTMENT"),
    IntacctObject("deposits", "DEPOSIT"),
    IntacctObject("sales_orders", "SODOCUMENT", docparid="Sales Order"),
    IntacctObject(
        "sales_order_lines", "SODOCUMENTENTRY", parent="sales_orders", link="DOCHDRNO",
        docparid="Sales Order",
    ),
    IntacctObject("sales_invoices", "SODOCUMENT", docparid="Sales Invoice"),
    IntacctObject(
        "sales_invoice_lines", "SODOCUMENTENTRY", parent="sales_invoices", link="DOCHDRNO",
        docparid="Sales Invoice",
    ),
    IntacctObject("gl_accounts", "GLACCOUNT"),
    IntacctObject("journal_entries", "GLBATCH"),
    IntacctObject("journal_entry_lines", "GLENTRY", parent="journal_entries", link="BATCHNO"),
    IntacctObject("locations", "LOCATION"),
    IntacctObject("departments", "DEPARTMENT"),
    IntacctObject("vendors", "VENDOR"),
    IntacctObject("ap_bills", "APBILL"),
)  # fmt: skip


def stream_name_for(object_name: str, docparid: str | None = None) -> str:
    """Default stream name of an extra object.

    `PODOCUMENT` with docparid "Purchase Order" gives `podocument_purchase_order`.
    """
    name = object_name if not docparid else f"{object_name}_{docparid}"
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


def extra_objects(entries: Iterable[str | Mapping[str, Any]]) -> list[IntacctObject]:
    """Rows for the `extra_objects` setting: names, or objects `{object, stream, docparid}`."""
    rows = []
    for given in entries:
        entry = {"object": given} if isinstance(given, str) else given
        object_name = str(entry["object"]).strip()
        docparid = entry.get("docparid") or None
        stream = entry.get("stream") or stream_name_for(object_name, docparid)
        rows.append(IntacctObject(stream, object_name, docparid=docparid))
    return rows


def all_objects(config: Mapping[str, Any]) -> list[IntacctObject]:
    """The table plus the configured extra objects; a stream name may appear only once."""
    rows = [*OBJECTS, *extra_objects(config.get("extra_objects") or ())]
    seen: set[str] = set()
    for row in rows:
        if row.stream in seen:
            raise ValueError(f"extra_objects: stream name '{row.stream}' is already in use")
        seen.add(row.stream)
    return rows
