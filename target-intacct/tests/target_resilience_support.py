"""What the target-intacct resilience tests share: the records their invoices and orders refer
to, invoice headers and lines as Singer messages, and the STATE lines a run writes."""

from __future__ import annotations

import json
from decimal import Decimal

from target_intacct_helpers import stream_messages


def state_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"bookmarks"')]


# What the invoices and orders below refer to: the sales account (the lines' default), the
# customer and the item.
SALES_ACCOUNT = stream_messages("gl_accounts", [{"ACCOUNTNO": "4000", "TITLE": "Sales"}])
CUSTOMER = stream_messages("customers", [{"CUSTOMERID": "C-1", "NAME": "Acme"}])
SAW = stream_messages("items", [{"ITEMID": "SAW", "NAME": "Saw", "ITEMTYPE": "Inventory"}])


def invoice_header(record_no: int, record_id: str, created: str = "2026-10-01") -> dict:
    """An AR invoice header of customer C-1."""
    return {
        "RECORDNO": record_no,
        "RECORDID": record_id,
        "CUSTOMERID": "C-1",
        "WHENCREATED": created,
    }


INVOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "RECORDNO": {"type": ["integer"]},
        "RECORDID": {"type": ["string", "null"]},
        "CUSTOMERID": {"type": ["string", "null"]},
        "DESCRIPTION": {"type": ["string", "null"]},
        "WHENCREATED": {"type": ["string", "null"], "format": "date"},
    },
}


def invoice_messages(headers: list[dict]) -> list[dict]:
    schema = {"type": "SCHEMA", "stream": "ar_invoices", "schema": INVOICE_SCHEMA}
    schema["key_properties"] = ["RECORDNO"]
    return [schema, *({"type": "RECORD", "stream": "ar_invoices", "record": h} for h in headers)]


def invoice_lines(record_key: int, *amounts: str) -> list[dict]:
    lines = [
        {"RECORDNO": record_key * 10 + n, "RECORDKEY": record_key, "LINE_NO": n, "AMOUNT": a}
        for n, a in enumerate(amounts, 1)
    ]
    return stream_messages("ar_invoice_lines", lines, ["RECORDNO"])


ORDER = {
    "DOCID": "Sales Order-SO-7",
    "DOCPARID": "Sales Order",
    "DOCNO": "SO-7",
    "CUSTVENDID": "C-1",
    "WHENCREATED": "2026-10-01",
    "SODOCUMENTENTRIES": [{"ITEMID": "SAW", "QUANTITY": Decimal("2"), "PRICE": Decimal("10")}],
}
