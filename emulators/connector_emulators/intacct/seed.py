"""Deterministic seed data: the demo company, plus synthetic rows (`synthetic.py`).

The demo company comes from `demo_data.py` plus Intacct-only records.

Timestamps come from a fixed base time, three records per second, so that several records share
the same WHENMODIFIED on purpose; nothing depends on the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from .. import demo_data
from . import rules, synthetic
from .legacy import create_adjustment, create_ar_invoice, receive_payment
from .legacy_orders import create_sales_document, make_deposit
from .objects import OBJECTS_BY_NAME, CustomField
from .records import Ctx, Writer
from .store import Record, Store
from .users import USER_ID
from .values import Formatting, money, to_stored_date

SEED_BASE = datetime(2026, 10, 1, 8, 0, 0, tzinfo=UTC)
ENTITY_OF_COUNTRY = {"US": "US", "IE": "EU", "DE": "EU"}  # others stay top-level (shared)
COUNTRY_NAMES = {"US": "United States", "IE": "Ireland", "DE": "Germany", "JP": "Japan"}
CUSTOM_FIELDS = (
    CustomField("CUSTOMER", "LOYALTY_TIER", "TEXT", "Loyalty tier", ("Gold", "Silver", "Bronze")),
    CustomField("CUSTOMER", "LOYALTY_POINTS", "INTEGER", "Loyalty points"),
    CustomField("CUSTOMER", "LAST_REVIEW_DATE", "DATE", "Last credit review"),
)


class SeedWriter(Writer):
    """A writer whose clock advances one second every three records."""

    def __init__(self, store: Store, company: str) -> None:
        super().__init__(Ctx(store, company, Formatting(), USER_ID, None, SEED_BASE))
        self.count = 0

    def insert(self, obj: Any, rec: Record, *, location: str | None = None) -> Record:
        if not obj.parent:
            self.ctx.now = SEED_BASE + timedelta(seconds=self.count // 3)
            self.count += 1
        return super().insert(obj, rec, location=location)

    def add(
        self, name: str, rec: Record, location: str | None = None, lines: list[Record] | None = None
    ) -> Record:
        obj = OBJECTS_BY_NAME[name]
        rules.prepare(self, obj, rec, lines)
        stored = self.insert(obj, rec, location=location or "")
        rules.after_store(self, obj, stored, lines)
        return stored


def iso(us_date: str) -> str:
    """`MM/DD/YYYY` → stored date."""
    return to_stored_date(us_date)


def seed_demo(store: Store, company: str = "demo") -> None:
    """The demo company: every object of the issue, linked like real data."""
    store.ensure_company(company)
    for custom in CUSTOM_FIELDS:
        store.add_custom_field(company, custom)
    w = SeedWriter(store, company)
    _company_setup(w)
    for line in demo_data.PRODUCT_LINES:
        w.add(
            "PRODUCTLINE",
            {
                "PRODUCTLINEID": line.line_id,
                "DESCRIPTION": line.description,
                "PARENTLINE": line.parent_id,
                "STATUS": "active",
            },
        )
    for item in demo_data.ITEMS:
        w.add(
            "ITEM",
            {
                "ITEMID": item.item_id,
                "NAME": item.name,
                "ITEMTYPE": item.item_type,
                "PRODUCTLINEID": item.product_line_id,
                "BASEPRICE": money(item.price),
                "SHIP_WEIGHT": None if item.weight is None else format(item.weight, "f"),
                "EXTENDED_DESCRIPTION": item.extended_description or None,
                "STATUS": "active" if item.active else "inactive",
            },
        )
    for number, customer in enumerate(demo_data.CUSTOMERS, start=1):
        _customer(w, number, customer)
    _order_entry(w)
    _receivables(w)
    _payables(w)
    _journal_entries(w)
    _more_objects(w)


def _company_setup(w: SeedWriter) -> None:
    for loc_id, name, currency in (("US", "United States", "USD"), ("EU", "Europe", "EUR")):
        w.add(
            "LOCATION",
            {
                "LOCATIONID": loc_id,
                "NAME": name,
                "CURRENCY": currency,
                "ENTITY": "true",
                "STATUS": "active",
            },
        )
        w.add(
            "LOCATIONENTITY",
            {"LOCATIONID": loc_id, "NAME": name, "CURRENCY": currency, "STATUS": "active"},
        )
    w.add(
        "LOCATION",
        {"LOCATIONID": "US-WEST", "NAME": "US West office", "PARENTID": "US", "STATUS": "active"},
    )
    for dept_id, title in (("SALES", "Sales"), ("OPS", "Operations"), ("ADMIN", "Administration")):
        w.add("DEPARTMENT", {"DEPARTMENTID": dept_id, "TITLE": title, "STATUS": "active"})
    for account, title, kind, normal in (
        ("1000", "Cash in Bank", "balancesheet", "debit"),
        ("1100", "Undeposited Funds", "balancesheet", "debit"),
        ("1200", "Accounts Receivable", "balancesheet", "debit"),
        ("2000", "Accounts Payable", "balancesheet", "credit"),
        ("3000", "Retained Earnings", "balancesheet", "credit"),
        ("4000", "Sales", "incomestatement", "credit"),
        ("5000", "Cost of Goods Sold", "incomestatement", "debit"),
        ("6000", "Office Expenses", "incomestatement", "debit"),
        ("6100", "Rent", "incomestatement", "debit"),
    ):
        w.add(
            "GLACCOUNT",
            {
                "ACCOUNTNO": account,
                "TITLE": title,
                "ACCOUNTTYPE": kind,
                "NORMALBALANCE": normal,
                "STATUS": "active",
            },
        )
    w.add(
        "CHECKINGACCOUNT",
        {
            "BANKACCOUNTID": "BOA",
            "BANKACCOUNTNO": "1145",
            "BANKNAME": "Bank of America",
            "GLACCOUNTNO": "1000",
            "CURRENCY": "USD",
            "STATUS": "active",
        },
    )
    w.add(
        "SAVINGSACCOUNT",
        {
            "BANKACCOUNTID": "SAVE-1",
            "BANKNAME": "Bank of America",
            "GLACCOUNTNO": "1000",
            "CURRENCY": "USD",
            "STATUS": "active",
        },
    )
    for class_id, name in (("RETAIL", "Retail"), ("TRADE", "Trade")):
        w.add("CLASS", {"CLASSID": class_id, "NAME": name, "STATUS": "active"})
    w.add(
        "WAREHOUSE",
        {"WAREHOUSEID": "WH-1", "NAME": "Main warehouse", "LOCATIONID": "US", "STATUS": "active"},
    )
    for channel_id, name in (("WEB", "Web shop"), ("STORE", "Retail store")):
        w.add("CHANNEL", {"ID": channel_id, "NAME": name, "STATUS": "active"})
    w.add(
        "EMPLOYEE",
        {
            "EMPLOYEEID": "E-1",
            "PERSONALINFO.CONTACTNAME": "Grace Admin",
            "TITLE": "Controller",
            "DEPARTMENTID": "ADMIN",
            "LOCATIONID": "US",
            "STATUS": "active",
        },
        "US",
    )
    w.add(
        "GLBUDGETHEADER",
        {
            "BUDGETID": "FY2026",
            "DESCRIPTION": "Budget 2026",
            "DEFAULT_BUDGET": "true",
            "STATUS": "active",
        },
    )
    w.add(
        "GLBUDGETITEM",
        {
            "BUDGETID": "FY2026",
            "ACCOUNTNO": "6000",
            "PERIODNAME": "Month Ended October 2026",
            "AMOUNT": "1500.00",
        },
    )


def _customer(w: SeedWriter, number: int, c: demo_data.Customer) -> None:
    location = ENTITY_OF_COUNTRY.get(c.country)
    contact_name = f"{c.name} ({c.customer_id})"
    contact = {
        "CONTACTNAME": contact_name,
        "PRINTAS": c.name,
        "FIRSTNAME": c.first_name,
        "LASTNAME": c.last_name,
        "EMAIL1": c.email,
        "PHONE1": c.phone or None,
        "MAILADDRESS.ADDRESS1": c.address1,
        "MAILADDRESS.CITY": c.city,
        "MAILADDRESS.STATE": c.state,
        "MAILADDRESS.ZIP": c.postcode,
        "MAILADDRESS.COUNTRY": COUNTRY_NAMES.get(c.country, c.country),
        "MAILADDRESS.COUNTRYCODE": c.country,
    }
    w.add("CONTACT", {**contact, "STATUS": "active"}, location)
    w.add(
        "CUSTOMER",
        {
            "CUSTOMERID": c.customer_id,
            "NAME": c.name,
            "STATUS": "active" if c.active else "inactive",
            **{f"DISPLAYCONTACT.{k}": v for k, v in contact.items()},
            "CREDITLIMIT": money(c.credit_limit) if c.credit_limit is not None else None,
            "TOTALDUE": "0.00",
            "ONHOLD": "false",
            "CURRENCY": "USD",
            "TERMNAME": "N30",
            "LOYALTY_TIER": c.loyalty_tier,
            "LOYALTY_POINTS": number * 150 if c.loyalty_tier else None,
            "LAST_REVIEW_DATE": f"2026-09-{number:02d}" if number % 2 else None,
        },
        location,
    )


def _order_entry(w: SeedWriter) -> None:
    orders = {o.doc_no: o for o in demo_data.SALES_ORDERS}
    for order in demo_data.SALES_ORDERS:
        create_sales_document(
            w,
            "Sales Order",
            order.customer_id,
            iso(order.date),
            [_line(line) for line in order.lines],
            docno=order.doc_no,
            header={"PONUMBER": order.magento_increment_id, "TERMNAME": "N30"},
        )
    for invoice in demo_data.SALES_INVOICES:
        order = orders[invoice.created_from]
        create_sales_document(
            w,
            "Sales Invoice",
            order.customer_id,
            iso(invoice.date),
            [_line(line) for line in (invoice.lines or order.lines)],
            docno=invoice.doc_no,
            created_from=f"Sales Order-{order.doc_no}",
            header={"TERMNAME": "N30"},
        )


def _line(line: demo_data.OrderLine) -> dict[str, Any]:
    return {"ITEMID": line.item_id, "QUANTITY": str(line.quantity), "PRICE": str(line.price)}


def _ar_lines(*amounts: str) -> list[Record]:
    return [{"ACCOUNTNO": "4000", "AMOUNT": a, "ENTRYDESCRIPTION": "Services"} for a in amounts]


def _receivables(w: SeedWriter) -> None:
    ar1 = create_ar_invoice(
        w,
        "C-1004",
        "2026-10-06",
        _ar_lines("1200.00", "300.50"),
        invoice_no="AR-1001",
        termname="N30",
    )
    ar2 = create_ar_invoice(
        w, "C-1007", "2026-10-07", _ar_lines("450.00"), invoice_no="AR-1002", termname="N15"
    )
    create_ar_invoice(
        w, "C-1010", "2026-10-08", _ar_lines("99.99", "0.01"), invoice_no="AR-1003", termname="N30"
    )
    first_so_invoice = w.store.get_by_id(
        w.ctx.company, OBJECTS_BY_NAME["SODOCUMENT"], "Sales Invoice-INV-0001"
    )
    assert first_so_invoice is not None
    pay1 = receive_payment(
        w,
        customer_id="C-1001",
        amount=Decimal("100.00"),
        received="2026-10-12",
        applications=[(first_so_invoice["PRRECORDKEY"], Decimal("100.00"))],
        header={"PAYMENTMETHOD": "EFT", "UNDEPOSITEDACCOUNTNO": "1100"},
    )
    receive_payment(
        w,
        customer_id="C-1007",
        amount=Decimal("450.00"),
        received="2026-10-13",
        applications=[(ar2["RECORDNO"], Decimal("450.00"))],
        header={
            "PAYMENTMETHOD": "Printed Check",
            "FINANCIALENTITY": "BOA",
            "DOCNUMBER": "CHK-7781",
        },
    )
    receive_payment(
        w,
        customer_id="C-1004",
        amount=Decimal("500.00"),
        received="2026-10-14",
        applications=[(ar1["RECORDNO"], Decimal("500.00"))],
        header={"PAYMENTMETHOD": "Cash", "UNDEPOSITEDACCOUNTNO": "1100"},
    )
    create_adjustment(
        w,
        "C-1003",
        "2026-10-15",
        [{"ACCOUNTNO": "4000", "AMOUNT": "-15.00", "ENTRYDESCRIPTION": "Damaged gnome"}],
        {"RECORDID": "ADJ-0001", "DESCRIPTION": "Credit memo", "STATE": "Posted"},
    )
    make_deposit(
        w,
        bank="BOA",
        when="2026-10-16",
        deposit_id="Deposit slip 2026-10-16",
        keys=[str(pay1["RECORDNO"])],
    )


def _payables(w: SeedWriter) -> None:
    for vendor_id, name, location in (
        ("V-2001", "Screws & Bolts Wholesale", "US"),
        ("V-2002", "Werkzeug Import GmbH", "EU"),
        ("V-2003", "Office Supplies <Direct>", None),
    ):
        w.add(
            "VENDOR",
            {
                "VENDORID": vendor_id,
                "NAME": name,
                "STATUS": "active",
                "DISPLAYCONTACT.CONTACTNAME": name,
                "DISPLAYCONTACT.PRINTAS": name,
                "TERMNAME": "N30",
                "TOTALDUE": "0.00",
                "CURRENCY": "USD",
            },
            location,
        )
    for vendor_id, bill_no, day, lines, location in (
        ("V-2001", "B-501", "2026-10-03", [("5000", "820.00")], "US"),
        ("V-2002", "B-502", "2026-10-04", [("5000", "1299.90"), ("6000", "45.10")], "EU"),
        ("V-2003", "B-503", "2026-10-05", [("6000", "75.25")], None),
    ):
        w.add(
            "APBILL",
            {
                "RECORDID": bill_no,
                "VENDORID": vendor_id,
                "WHENCREATED": day,
                "WHENPOSTED": day,
                "WHENDUE": day,
                "CURRENCY": "USD",
            },
            location,
            [
                {"ACCOUNTNO": a, "TRX_AMOUNT": amount, "ENTRYDESCRIPTION": "Purchases"}
                for a, amount in lines
            ],
        )


def _journal_entries(w: SeedWriter) -> None:
    entries = (
        (
            "GJ",
            "2026-10-01",
            "Opening balance",
            "US",
            [("1000", 1, "25000.00"), ("3000", -1, "25000.00")],
        ),
        (
            "GJ",
            "2026-10-31",
            "October rent",
            "US",
            [("6100", 1, "3200.00"), ("1000", -1, "3200.00")],
        ),
        (
            "GJ",
            "2026-10-31",
            "Office costs split",
            "EU",
            [("6000", 1, "120.00"), ("6100", 1, "80.00"), ("1000", -1, "200.00")],
        ),
    )
    for entry in entries:
        _journal(w, entry)


JournalEntry = tuple[str, str, str, str, list[tuple[str, int, str]]]


def _journal(w: SeedWriter, entry: JournalEntry, *, state: str = "Posted") -> None:
    """One journal entry: (journal, date, title, entity, [(account, TR_TYPE, amount)])."""
    journal, day, title, location, lines = entry
    w.add(
        "GLBATCH",
        {"JOURNAL": journal, "BATCH_DATE": day, "BATCH_TITLE": title, "STATE": state},
        location,
        [
            {
                "ACCOUNTNO": a,
                "TR_TYPE": t,
                "TRX_AMOUNT": amt,
                "LOCATION": location,
                "DEPARTMENT": "ADMIN",
            }
            for a, t, amt in lines
        ],
    )


def _more_objects(w: SeedWriter) -> None:
    """Objects added after the first demo flows (stamped after them, so those keep theirs)."""
    w.add(
        "PROVIDERBANKACCOUNT",
        {
            "BANKACCOUNTID": "WISE-EUR",
            "BANKACCOUNTNO": "9921",
            "BANKNAME": "Wise",
            "PROVIDERID": "WISE",
            "GLACCOUNTNO": "1000",
            "CURRENCY": "EUR",
            "STATUS": "active",
        },
    )
    w.add(
        "CREDITCARD",
        {
            "CARDID": "AMEX-1",
            "DESCRIPTION": "Company card",
            "CARDTYPE": "American Express",
            "EXP_MONTH": 12,
            "EXP_YEAR": 2028,
            "LIABILITYTYPE": "Credit",
            "GLACCOUNTNO": "2000",
            "CURRENCY": "USD",
            "STATUS": "active",
        },
    )
    w.add("AFFILIATEENTITY", {"AFFILIATEENTITYID": "AFF-1", "NAME": "Gnome Holdings"})
    w.add(
        "PROJECT",
        {
            "PROJECTID": "P-100",
            "NAME": "Garden fit-out",
            "CUSTOMERID": "C-1001",
            "BEGINDATE": "2026-10-01",
            "ENDDATE": "2026-12-31",
            "BUDGETAMOUNT": "12000.00",
            "STATUS": "active",
        },
        "US",
    )
    for task_id, name in (("T-1", "Design"), ("T-2", "Installation")):
        w.add(
            "TASK",
            {"TASKID": task_id, "NAME": name, "PROJECTID": "P-100", "BUDGETQTY": "40"},
            "US",
        )
    w.add(
        "FIXEDASSET",
        {
            "ASSETID": "FA-1",
            "NAME": "Delivery van",
            "ACQUISITIONDATE": "2026-10-02",
            "COST": "25000.00",
            "STATE": "Active",
        },
        "US",
    )
    bill = w.store.find_by(w.ctx.company, OBJECTS_BY_NAME["APBILL"], "RECORDID", "B-501")[0]
    w.add(
        "APPYMT",
        {
            "VENDORID": "V-2001",
            "FINANCIALENTITY": "BOA",
            "PAYMENTMETHOD": "Printed Check",
            "PAYMENTDATE": "2026-10-20",
            "DOCNUMBER": "CHK-1001",
            "CURRENCY": "USD",
        },
        "US",
        [{"RECORDKEY": bill["RECORDNO"], "TRX_PAYMENTAMOUNT": "300.00"}],
    )
    w.add(
        "APADJUSTMENT",
        {
            "RECORDID": "APADJ-1",
            "VENDORID": "V-2002",
            "WHENCREATED": "2026-10-21",
            "DESCRIPTION": "Returned tools",
        },
        "EU",
        [{"ACCOUNTNO": "5000", "TRX_AMOUNT": "-99.90", "ENTRYDESCRIPTION": "Return"}],
    )
    items = demo_data.ITEMS
    w.add(
        "PODOCUMENT",
        {
            "DOCPARID": "Purchase Order",
            "CUSTVENDID": "V-2001",
            "WHENCREATED": "2026-10-22",
        },
        "US",
        [
            {"ITEMID": items[0].item_id, "QUANTITY": "10", "PRICE": "4.50"},
            {"ITEMID": items[1].item_id, "QUANTITY": "2", "PRICE": "120.00"},
        ],
    )
    _journal(
        w,
        ("GJ", "2026-09-30", "Owner loan", "US", [("1000", 1, "5000.00"), ("2000", -1, "5000.00")]),
    )
    _journal(
        w,
        (
            "GJ",
            "2026-11-02",
            "November rent",
            "US",
            [("6100", 1, "3200.00"), ("1000", -1, "3200.00")],
        ),
    )
    _journal(w, ("GJ", "2026-11-03", "Accrual not yet posted", "EU",
                 [("6000", 1, "50.00"), ("2000", -1, "50.00")]), state="Draft")  # fmt: skip


# -- synthetic customers --------------------------------------------------------------------
def seed(store: Store, kind: str | None, records: int, journal_lines: int = 0) -> None:
    """Wipe the store and seed it (`kind` "demo" or None for empty), plus synthetic rows."""
    store.wipe()
    with store.transaction():
        if kind == "demo":
            seed_demo(store)
    if records:
        synthetic.customers(store, "demo", records)
    if journal_lines:
        synthetic.journal_entries(store, "demo", journal_lines)
