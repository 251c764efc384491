"""Round trip: read company `demo` with the client, write it into an empty company, read back.

Records are read and sent the way tap-intacct emits them (Intacct field names, line streams
apart from their headers, which the target joins by RECORDNO). Payment lines name invoices by
RECORDNO, which only makes sense in `demo`: they are remapped to invoice numbers. Every writable
field must come back equal.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from intacct_api import functions
from intacct_api.client import Credentials, IntacctClient
from intacct_api.envelope import flatten_record
from target_intacct.objects import WRITE_SPECS
from target_intacct_helpers import read_jsonl, run_target, stream_messages, summary

# stream, header object, line object, line field holding the header's RECORDNO
STREAMS = (
    ("locations", "LOCATION", None, None),
    ("departments", "DEPARTMENT", None, None),
    ("gl_accounts", "GLACCOUNT", None, None),
    ("product_lines", "PRODUCTLINE", None, None),
    ("customers", "CUSTOMER", None, None),
    ("contacts", "CONTACT", None, None),
    ("items", "ITEM", None, None),
    ("journal_entries", "GLBATCH", "GLENTRY", "BATCHNO"),
    ("ar_invoices", "ARINVOICE", "ARINVOICEITEM", "RECORDKEY"),
    ("sales_transactions", "SODOCUMENT", "SODOCUMENTENTRY", "DOCHDRNO"),
    ("ar_payments", "ARPYMT", "ARPYMTDETAIL", "PAYMENTKEY"),
    ("ar_adjustments", "ARADJUSTMENT", "ARADJUSTMENTITEM", "RECORDKEY"),
)
LINE_FIELDS = {
    "journal_entries": (
        "ACCOUNTNO",
        "TR_TYPE",
        "TRX_AMOUNT",
        "LOCATION",
        "DEPARTMENT",
        "DESCRIPTION",
    ),
    "ar_invoices": ("ACCOUNTNO", "AMOUNT", "ENTRYDESCRIPTION", "LOCATIONID", "DEPARTMENTID"),
    "sales_transactions": ("ITEMID", "QUANTITY", "PRICE", "UNIT", "MEMO", "ITEMDESC"),
    "ar_payments": ("TRX_PAYMENTAMOUNT",),
    "ar_adjustments": ("ACCOUNTNO", "AMOUNT", "ENTRYDESCRIPTION"),
}
CUSTOM_FIELDS = [
    {"object": "CUSTOMER", "name": "LOYALTY_TIER", "valid": ["Gold", "Silver", "Bronze"]},
    {"object": "CUSTOMER", "name": "LOYALTY_POINTS", "datatype": "INTEGER"},
    {"object": "CUSTOMER", "name": "LAST_REVIEW_DATE", "datatype": "DATE"},
]
# How a written record is found again in the other company.
NATURAL_KEYS = {
    "GLBATCH": ("BATCH_TITLE",),
    "ARPYMT": ("CUSTOMERID", "RECEIPTDATE"),
}


def client_for(emulator, company: str) -> IntacctClient:
    credentials = Credentials(
        "demo_sender", "demo_sender_password", company, "demo_user", "demo_user_password"
    )
    return IntacctClient(credentials, api_url=emulator.url)


def read_all(client: IntacctClient, obj: str) -> list[dict[str, Any]]:
    result = client.call(functions.read_by_query(obj, "", fields="*"))
    rows = list(result.records())
    while result.num_remaining:
        result = client.call(functions.read_more(result.result_id))
        rows.extend(result.records())
    return [{k: v for k, v in flatten_record(r).items() if v not in (None, "")} for r in rows]


def read_company(client: IntacctClient) -> dict[str, list[dict[str, Any]]]:
    """Every supported object, lines nested in their header under the sink's line field."""
    out = {}
    for stream, obj, line_obj, parent_field in STREAMS:
        rows = read_all(client, obj)
        if line_obj:
            line_field = WRITE_SPECS[stream].lines.record_fields[0]
            lines = read_all(client, line_obj)
            for row in rows:
                row[line_field] = [
                    line for line in lines if str(line.get(parent_field)) == str(row["RECORDNO"])
                ]
        out[stream] = rows
    return out


def remap_payment_keys(data: dict[str, list[dict[str, Any]]]) -> None:
    """Payments name invoices by RECORDNO in `demo`; the target resolves invoice numbers."""
    numbers = {str(i["RECORDNO"]): i["RECORDID"] for i in data["ar_invoices"]}
    for payment in data["ar_payments"]:
        for detail in payment["ARPYMTDETAILS"]:
            detail["INVOICENO"] = numbers[str(detail.pop("RECORDKEY"))]


# tap-intacct's streams: headers and their lines apart, sales documents split by type
LINE_STREAMS = {
    "journal_entries": "journal_entry_lines",
    "ar_invoices": "ar_invoice_lines",
    "ar_payments": "ar_payment_details",
    "ar_adjustments": "ar_adjustment_lines",
    "sales_orders": "sales_order_lines",
    "sales_invoices": "sales_invoice_lines",
}
SALES_STREAMS = {"Sales Order": "sales_orders", "Sales Invoice": "sales_invoices"}


def tap_shaped_messages(data: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every header stream first, then the line streams, as tap-intacct emits them."""
    headers: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for stream, _, line_obj, _ in STREAMS:
        if not line_obj:
            headers += stream_messages(stream, data[stream], ["RECORDNO"])
            continue
        field = WRITE_SPECS[stream].lines.record_fields[0]
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in data[stream]:
            grouped.setdefault(SALES_STREAMS.get(row.get("DOCPARID"), stream), []).append(row)
        for name, rows in grouped.items():
            bare = [{k: v for k, v in row.items() if k != field} for row in rows]
            headers += stream_messages(name, bare, ["RECORDNO"])
            lines += stream_messages(
                LINE_STREAMS[name], [line for row in rows for line in row[field]], ["RECORDNO"]
            )
    return headers + lines


def same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return str(a) == str(b)


def key_of(stream: str, obj: str, row: dict[str, Any]) -> tuple:
    spec = WRITE_SPECS[stream]
    fields = NATURAL_KEYS.get(obj) or ((spec.id_field,) if spec.id_field else ("RECORDNO",))
    return tuple(str(row.get(f)) for f in fields)


@pytest.fixture(scope="module")
def demo(emulator):
    client = client_for(emulator, "demo")
    try:
        data = read_company(client)
    finally:
        client.close()
    return data


def writable(stream: str, row: dict[str, Any]) -> dict[str, Any]:
    spec = WRITE_SPECS[stream]
    line_fields = spec.lines.record_fields if spec.lines else ()
    return {k: v for k, v in row.items() if not spec.is_read_only(k) and k not in line_fields}


@pytest.mark.parametrize("entity_field", [None, "MEGAENTITYID"])
def test_round_trip_every_supported_object(emulator, company, config, demo, entity_field):
    """With `entity_field`, each record is also written in its own entity, as in `demo`."""
    if entity_field:
        config["entity_field"] = entity_field
    data = copy.deepcopy(demo)
    remap_payment_keys(data)
    for stream, _, _, _ in STREAMS:
        assert data[stream], f"demo has no {stream} to copy"
    # the destination company defines the same custom fields as `demo` (an admin's job)
    emulator.admin("POST", f"/_emulator/companies/{company}", {"custom_fields": CUSTOM_FIELDS})
    target = run_target(config, tap_shaped_messages(data))
    assert read_jsonl(config["reject_file"]) == []

    client = client_for(emulator, company)
    try:
        copied = read_company(client)
    finally:
        client.close()
    for stream, obj, _, _ in STREAMS:
        source = {key_of(stream, obj, r): r for r in demo[stream]}
        if stream == "ar_invoices":  # Order Entry posts its own AR invoices
            source = {k: r for k, r in source.items() if r.get("MODULEKEY") != "8.SO"}
            assert summary(target, stream)["skipped"] == 4
        written = {key_of(stream, obj, r): r for r in copied[stream]}
        assert set(written) >= set(source), stream
        for key, row in source.items():
            expected, actual = writable(stream, row), writable(stream, written[key])
            different = {
                k: (v, actual.get(k)) for k, v in expected.items() if not same(v, actual.get(k))
            }
            assert not different, f"{stream} {key}: {different}"
            if entity_field:
                owner = (row.get(entity_field), written[key].get(entity_field))
                assert owner[0] == owner[1], f"{stream} {key} entity {owner}"
        # lines come back equal too, in order, amounts exact
        spec = WRITE_SPECS[stream]
        if spec.lines:
            field = spec.lines.record_fields[0]
            for key, row in source.items():
                pairs = list(zip(row[field], written[key][field], strict=True))
                assert pairs, f"{stream} {key} has no lines"
                for want, got in pairs:
                    for name in LINE_FIELDS[stream]:
                        assert same(want.get(name), got.get(name)), f"{stream} {key} {name}"
    ids = read_jsonl(config["id_map_file"])
    assert {i["stream"] for i in ids} >= {"customers", "ar_invoices", "journal_entries"}
