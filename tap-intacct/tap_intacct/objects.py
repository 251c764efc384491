"""The one table of Intacct objects the tap reads: adding an object is adding a row.

Every stream reads its own Intacct object with `query`, incrementally on WHENMODIFIED; line objects
(invoice lines, journal entry lines, ...) are read the same way, not per parent record. `parent`
and `link` document how a line joins its header (and appear in the README table). A row with a
`function` reads a legacy report function (balances) per month instead of `query`; its fields are
declared in the row, since `lookup` does not describe reports.
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
    function: str | None = None  # legacy report function read per month instead of `query`
    fields: tuple[tuple[str, str], ...] = ()  # (field, Intacct data type) of a report's rows
    audited: bool = True  # deletes are read from AUDITHISTORY


PERIOD_START = "period_start"
PERIOD_END = "period_end"
GLACCOUNTNO = "glaccountno"
BALANCE_FIELDS: tuple[tuple[str, str], ...] = (
    (PERIOD_START, "DATE"), (PERIOD_END, "DATE"), (GLACCOUNTNO, "TEXT"),
    ("startbalance", "CURRENCY"), ("debits", "CURRENCY"), ("credits", "CURRENCY"),
    ("adjdebits", "CURRENCY"), ("adjcredits", "CURRENCY"), ("endbalance", "CURRENCY"),
    ("reportingbook", "TEXT"), ("currency", "TEXT"),
)  # fmt: skip
DIMENSION_FIELDS: tuple[tuple[str, str], ...] = (("locationid", "TEXT"), ("departmentid", "TEXT"))


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
    IntacctObject("ap_bill_lines", "APBILLITEM", parent="ap_bills", link="RECORDKEY"),
    IntacctObject("ap_payments", "APPYMT"),
    IntacctObject("ap_payment_details", "APPYMTDETAIL", parent="ap_payments", link="PAYMENTKEY"),
    IntacctObject("ap_adjustments", "APADJUSTMENT"),
    IntacctObject(
        "ap_adjustment_lines", "APADJUSTMENTITEM", parent="ap_adjustments", link="RECORDKEY"
    ),
    IntacctObject("ar_adjustment_lines", "ARADJUSTMENTITEM", parent="ar_adjustments",
                  link="RECORDKEY"),
    IntacctObject("provider_bank_accounts", "PROVIDERBANKACCOUNT"),
    IntacctObject("checking_accounts", "CHECKINGACCOUNT"),
    IntacctObject("savings_accounts", "SAVINGSACCOUNT"),
    IntacctObject("credit_card_accounts", "CREDITCARD"),
    IntacctObject("classes", "CLASS"),
    IntacctObject("projects", "PROJECT"),
    IntacctObject("tasks", "TASK", parent="projects", link="PROJECTID",
                  notes="PROJECTID holds the project's ID, not its RECORDNO"),
    IntacctObject("gl_details", "GLDETAIL", parent="journal_entries", link="BATCHNO",
                  audited=False, notes="posted journal entry lines; gone with their entry"),
    IntacctObject("budget_headers", "GLBUDGETHEADER"),
    IntacctObject("budget_lines", "GLBUDGETITEM", parent="budget_headers", link="BUDGETID",
                  notes="BUDGETID holds the budget's ID, not its RECORDNO"),
    IntacctObject("purchase_orders", "PODOCUMENT", docparid="Purchase Order"),
    IntacctObject(
        "purchase_order_lines", "PODOCUMENTENTRY", parent="purchase_orders", link="DOCHDRNO",
        docparid="Purchase Order",
    ),
    IntacctObject("employees", "EMPLOYEE"),
    IntacctObject("location_entities", "LOCATIONENTITY"),
    IntacctObject("warehouses", "WAREHOUSE"),
    IntacctObject("affiliate_entities", "AFFILIATEENTITY"),
    IntacctObject("fixed_assets", "FIXEDASSET"),
    IntacctObject("audit_history", "AUDITHISTORY", replication_key="ACCESSTIME", audited=False),
    IntacctObject(
        "trial_balances", "TRIALBALANCE", key_properties=(PERIOD_START, GLACCOUNTNO),
        replication_key=None, function="get_trialbalance", fields=BALANCE_FIELDS, audited=False,
        notes="a row per month and account",
    ),
    IntacctObject(
        "account_balances", "ACCOUNTBALANCE",
        key_properties=(PERIOD_START, GLACCOUNTNO, "locationid", "departmentid"),
        replication_key=None, function="get_accountbalances", audited=False,
        fields=BALANCE_FIELDS + DIMENSION_FIELDS,
        notes="a row per month, account, location and department",
    ),
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


def dimension_objects(names: Iterable[str]) -> list[IntacctObject]:
    """Rows for the `dimension_objects` setting: user-defined dimensions (`CHANNEL`).

    Each becomes the stream `dimension_values_<name>`.
    """
    return [
        IntacctObject(f"dimension_values_{stream_name_for(name)}", name.strip().upper())
        for name in names
    ]


def all_objects(config: Mapping[str, Any]) -> list[IntacctObject]:
    """The table plus the configured dimensions and extra objects; stream names are unique."""
    rows = [
        *OBJECTS,
        *dimension_objects(config.get("dimension_objects") or ()),
        *extra_objects(config.get("extra_objects") or ()),
    ]
    seen: set[str] = set()
    for row in rows:
        if row.stream in seen:
            raise ValueError(
                f"extra_objects/dimension_objects: stream name '{row.stream}' is already in use"
            )
        seen.add(row.stream)
    return rows
