"""The one table of what target-intacct writes: stream → Intacct object, keys, functions, defaults.

Every sink is the same class driven by a row of `WRITE_SPECS`; adding an object that Intacct
writes with the generic `create`/`update` functions is one more row.

Input records carry Intacct's own field names, as tap-intacct emits them. Fields Intacct computes
(`RECORDNO`, `WHENMODIFIED`, totals...) are dropped before writing; every other field passes
through, custom fields included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Style(Enum):
    """How an object is written: generic `create`/`update`, or one of the legacy functions."""

    GENERIC = "generic"
    INVOICE = "invoice"
    ADJUSTMENT = "adjustment"
    PAYMENT = "payment"
    JOURNAL = "journal"
    SALES_TRANSACTION = "sales_transaction"


# Documents whose legacy update leaves the lines alone when it names none: a header that changed
# on its own (paid, re-dated) is updated without waiting for lines that will not come.
HEADER_ONLY_UPDATES = frozenset({Style.INVOICE, Style.SALES_TRANSACTION})

# Fields every object computes itself; `_sdc_*` metadata is dropped by prefix.
SYSTEM_FIELDS = frozenset(
    {
        "RECORDNO",
        "WHENMODIFIED",
        "AUWHENCREATED",
        "CREATEDBY",
        "MODIFIEDBY",
        "MEGAENTITYKEY",
        "MEGAENTITYID",
        "MEGAENTITYNAME",
        "RECORD_URL",
        "ENTITY",
    }
)


@dataclass(frozen=True)
class Lines:
    """Where a transaction's lines live in the input record and how one line is written.

    Legacy functions take the lowercase fields of `fields`, each filled from the first input
    field present among its sources. Generic writes (`element` set) pass every line field
    through except `read_only` ones, as `<container><element>...</element></container>`.
    """

    record_fields: tuple[str, ...]
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    container: str | None = None
    element: str | None = None
    read_only: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WriteSpec:
    """One sink: the Intacct object a stream writes and everything needed to write it.

    `id_field` is the object's natural key (the key of generic updates and of read-backs);
    `update_key` is the field an update is keyed by. `header` maps legacy lowercase fields to
    input fields for the legacy styles. `defaults` (`line_defaults`) maps a `defaults` setting
    to the header (line) field it fills when the record leaves it empty. `rank` orders
    dependencies: a batch first drains the pending records of every lower-ranked stream, so
    invoices find their customers. Records matching `skip_when` are written by another stream
    (an AR invoice posted by Order Entry comes with its Sales Invoice) and are skipped.
    """

    stream: str
    object: str
    style: Style
    id_field: str | None
    update_key: str
    read_only: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()
    header: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lines: Lines | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    line_defaults: dict[str, str] = field(default_factory=dict)
    rank: int = 0
    can_update: bool = True
    skip_when: dict[str, str] = field(default_factory=dict)

    def is_read_only(self, name: str) -> bool:
        return name.startswith("_sdc_") or name in SYSTEM_FIELDS or name in self.read_only

    @property
    def line_field(self) -> str:
        """The input field that holds a record's lines (named in line errors)."""
        assert self.lines is not None
        return self.lines.record_fields[0]


_AR_LINE_FIELDS = {
    "glaccountno": ("ACCOUNTNO", "GLACCOUNTNO"),
    "amount": ("AMOUNT", "TRX_AMOUNT"),
    "memo": ("ENTRYDESCRIPTION", "MEMO"),
    "locationid": ("LOCATIONID", "LOCATION"),
    "departmentid": ("DEPARTMENTID", "DEPARTMENT"),
    "itemid": ("ITEMID",),
}
_LINE_SYSTEM_FIELDS = frozenset({"RECORDKEY", "LINE_NO", "PAYMENTKEY", "BATCHNO", "DOCHDRNO"})
_AR_LINE_DEFAULTS = {
    "item_gl_account": "glaccountno",
    "location": "locationid",
    "department": "departmentid",
}

WRITE_SPECS: dict[str, WriteSpec] = {
    spec.stream: spec
    for spec in (
        WriteSpec(
            stream="customers",
            object="CUSTOMER",
            style=Style.GENERIC,
            id_field="CUSTOMERID",
            update_key="CUSTOMERID",
            read_only=frozenset(
                {"WHENCREATED", "TOTALDUE", "LAST_INVOICEDATE", "DISPLAYCONTACTKEY"}
            ),
            required=("CUSTOMERID", "NAME"),
            rank=1,
        ),
        WriteSpec(
            stream="contacts",
            object="CONTACT",
            style=Style.GENERIC,
            id_field="CONTACTNAME",
            update_key="CONTACTNAME",
            read_only=frozenset({"WHENCREATED"}),
            required=("CONTACTNAME", "PRINTAS"),
            rank=1,
        ),
        WriteSpec(
            stream="items",
            object="ITEM",
            style=Style.GENERIC,
            id_field="ITEMID",
            update_key="ITEMID",
            read_only=frozenset({"WHENCREATED"}),
            required=("ITEMID", "NAME", "ITEMTYPE"),
            rank=1,
        ),
        *(
            WriteSpec(
                stream=stream,
                object=obj,
                style=Style.GENERIC,
                id_field=id_field,
                update_key=id_field,
                read_only=frozenset({"WHENCREATED"}),
                required=(id_field, *names),
            )
            for stream, obj, id_field, *names in (
                ("gl_accounts", "GLACCOUNT", "ACCOUNTNO", "TITLE"),
                ("locations", "LOCATION", "LOCATIONID", "NAME"),
                ("departments", "DEPARTMENT", "DEPARTMENTID", "TITLE"),
                ("product_lines", "PRODUCTLINE", "PRODUCTLINEID"),
            )
        ),
        WriteSpec(
            stream="journal_entries",
            object="GLBATCH",
            style=Style.JOURNAL,
            id_field=None,
            update_key="RECORDNO",
            read_only=frozenset({"WHENCREATED", "BATCHNO", "MODULEKEY"}),
            required=("JOURNAL", "BATCH_DATE", "BATCH_TITLE"),
            lines=Lines(
                record_fields=("ENTRIES", "GLENTRIES", "LINES"),
                container="ENTRIES",
                element="GLENTRY",
                read_only=_LINE_SYSTEM_FIELDS | {"ENTRY_DATE", "WHENCREATED"},
            ),
            defaults={"journal": "JOURNAL"},
            line_defaults={"location": "LOCATION", "department": "DEPARTMENT"},
            rank=1,
        ),
        WriteSpec(
            stream="ar_invoices",
            object="ARINVOICE",
            style=Style.INVOICE,
            id_field="RECORDID",
            update_key="RECORDNO",
            read_only=frozenset(
                {
                    "CUSTOMERNAME",
                    "WHENPAID",
                    "TOTALENTERED",
                    "TOTALPAID",
                    "TOTALDUE",
                    "STATE",
                    "MODULEKEY",
                    "PRBATCHKEY",
                }
            ),
            required=("CUSTOMERID", "WHENCREATED"),
            header={
                "customerid": ("CUSTOMERID",),
                "datecreated": ("WHENCREATED",),
                "dateposted": ("WHENPOSTED",),
                "datedue": ("WHENDUE",),
                "termname": ("TERMNAME",),
                "action": ("ACTION",),
                "invoiceno": ("RECORDID",),
                "ponumber": ("DOCNUMBER",),
                "description": ("DESCRIPTION",),
                "basecurr": ("BASECURR",),
                "currency": ("CURRENCY",),
            },
            lines=Lines(
                record_fields=("ARINVOICEITEMS", "ITEMS", "LINES"),
                fields=_AR_LINE_FIELDS,
            ),
            line_defaults=_AR_LINE_DEFAULTS,
            rank=2,
            skip_when={"MODULEKEY": "8.SO"},
        ),
        WriteSpec(
            stream="ar_adjustments",
            object="ARADJUSTMENT",
            style=Style.ADJUSTMENT,
            id_field="RECORDID",
            update_key="RECORDNO",
            read_only=frozenset({"CUSTOMERNAME", "TOTALENTERED", "STATE"}),
            required=("CUSTOMERID", "WHENCREATED"),
            header={
                "customerid": ("CUSTOMERID",),
                "datecreated": ("WHENCREATED",),
                "dateposted": ("WHENPOSTED",),
                "adjustmentno": ("RECORDID",),
                "action": ("ACTION",),
                "invoiceno": ("DOCNUMBER", "INVOICENO"),
                "description": ("DESCRIPTION",),
                "basecurr": ("BASECURR",),
                "currency": ("CURRENCY",),
            },
            lines=Lines(
                record_fields=("ARADJUSTMENTITEMS", "ITEMS", "LINES"),
                fields=_AR_LINE_FIELDS,
            ),
            line_defaults=_AR_LINE_DEFAULTS,
            rank=3,
            can_update=False,
        ),
        WriteSpec(
            stream="ar_payments",
            object="ARPYMT",
            style=Style.PAYMENT,
            id_field=None,
            update_key="RECORDNO",
            read_only=frozenset(
                {"CUSTOMERNAME", "STATE", "TOTALPAID", "TOTALENTERED", "TOTALDUE", "DEPOSITKEY"}
            ),
            required=("CUSTOMERID", "PAYMENTMETHOD", "RECEIPTDATE"),
            lines=Lines(
                record_fields=("ARPYMTDETAILS", "DETAILS", "LINES"),
                container="ARPYMTDETAILS",
                element="ARPYMTDETAIL",
                read_only=(_LINE_SYSTEM_FIELDS - {"RECORDKEY"}) | {"PAYMENTAMOUNT", "WHENCREATED"},
            ),
            defaults={
                "undeposited_funds_account": "UNDEPOSITEDACCOUNTNO",
                "payment_method": "PAYMENTMETHOD",
            },
            rank=3,
            can_update=False,
        ),
        WriteSpec(
            stream="sales_transactions",
            object="SODOCUMENT",
            style=Style.SALES_TRANSACTION,
            id_field="DOCID",
            update_key="DOCID",
            read_only=frozenset({"DOCID", "CUSTVENDNAME", "TOTAL", "PRRECORDKEY", "STATE"}),
            required=("DOCPARID", "CUSTVENDID", "WHENCREATED"),
            header={
                "transactiontype": ("DOCPARID",),
                "datecreated": ("WHENCREATED",),
                "dateposted": ("WHENPOSTED",),
                "createdfrom": ("CREATEDFROM",),
                "customerid": ("CUSTVENDID", "CUSTOMERID"),
                "documentno": ("DOCNO",),
                "referenceno": ("PONUMBER", "REFERENCENO"),
                "termname": ("TERMNAME",),
                "datedue": ("WHENDUE",),
                "message": ("MESSAGE",),
                "shippingmethod": ("SHIPVIA",),
                "basecurr": ("BASECURR",),
                "currency": ("CURRENCY",),
            },
            lines=Lines(
                record_fields=("SODOCUMENTENTRIES", "ENTRIES", "ITEMS", "LINES"),
                fields={
                    "itemid": ("ITEMID",),
                    "itemdesc": ("ITEMDESC",),
                    "quantity": ("QUANTITY",),
                    "unit": ("UNIT",),
                    "price": ("PRICE",),
                    "locationid": ("LOCATIONID", "LOCATION"),
                    "departmentid": ("DEPARTMENTID", "DEPARTMENT"),
                    "memo": ("MEMO",),
                },
            ),
            line_defaults={"location": "locationid", "department": "departmentid"},
            rank=2,
        ),
    )
}


@dataclass(frozen=True)
class LineStream:
    """A stream of lines (tap-intacct emits them apart from their headers) and how it joins.

    `link_field` holds the header's RECORDNO; headers wait for their lines until the input ends.
    """

    sink: str
    link_field: str


LINE_STREAMS: dict[str, LineStream] = {
    "ar_invoice_lines": LineStream("ar_invoices", "RECORDKEY"),
    "ar_payment_details": LineStream("ar_payments", "PAYMENTKEY"),
    "ar_adjustment_lines": LineStream("ar_adjustments", "RECORDKEY"),
    "journal_entry_lines": LineStream("journal_entries", "BATCHNO"),
    "sales_order_lines": LineStream("sales_transactions", "DOCHDRNO"),
    "sales_invoice_lines": LineStream("sales_transactions", "DOCHDRNO"),
}

# tap-intacct stream names written by a sink of another name.
STREAM_ALIASES: dict[str, str] = {
    "sales_orders": "sales_transactions",
    "sales_invoices": "sales_transactions",
}
