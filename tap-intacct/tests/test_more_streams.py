"""The streams peers extract beyond the first ones: second runs, missing modules, dimensions,
and the balance reports, whose sums are recomputed here from the GLENTRY/GLBATCH rows.

Records equal the seeded rows for every object stream in `test_streams.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from tap_intacct.objects import OBJECTS
from tap_intacct.tap import TapIntacct

FIRST_STREAMS = {
    "customers", "contacts", "items", "product_lines", "ar_invoices", "ar_invoice_lines",
    "ar_payments", "ar_payment_details", "ar_adjustments", "deposits", "sales_orders",
    "sales_order_lines", "sales_invoices", "sales_invoice_lines", "gl_accounts",
    "journal_entries", "journal_entry_lines", "locations", "departments", "vendors", "ap_bills",
}  # fmt: skip
NEW = [o for o in OBJECTS if o.stream not in FIRST_STREAMS and not o.function]
DERIVED = {"gl_details", "audit_history"}  # changed through their journal entry / other writes
START = "2026-09-01T00:00:00Z"
ZERO = Decimal(0)


@pytest.fixture(scope="module")
def channel_catalog(emulator, demo_credentials) -> dict[str, Any]:
    config = {**demo_credentials, "api_url": emulator.url, "dimension_objects": ["CHANNEL"]}
    return TapIntacct(config=config).catalog_dict


def test_new_streams_are_in_the_table():
    assert {o.object for o in NEW} >= {
        "APBILLITEM", "APPYMT", "APPYMTDETAIL", "APADJUSTMENT", "APADJUSTMENTITEM",
        "PROVIDERBANKACCOUNT", "CHECKINGACCOUNT", "SAVINGSACCOUNT", "CREDITCARD", "CLASS",
        "PROJECT", "TASK", "GLDETAIL", "GLBUDGETHEADER", "GLBUDGETITEM", "PODOCUMENT",
        "PODOCUMENTENTRY", "EMPLOYEE", "LOCATIONENTITY", "WAREHOUSE", "AFFILIATEENTITY",
        "FIXEDASSET", "ARADJUSTMENTITEM", "AUDITHISTORY",
    }  # fmt: skip


def test_a_second_run_emits_only_what_changed(reset, config, demo_catalog, select, api_rows,
                                              run_tap):  # fmt: skip
    catalog = select(demo_catalog, *(o.stream for o in NEW))
    first = run_tap(config, catalog=catalog)
    for spec in NEW:
        assert first.records(spec.stream), f"{spec.stream} has seeded rows"
    reset.admin("POST", "/_emulator/clock", {"advance_seconds": 2})
    audit_before = {int(r["RECORDNO"]) for r in api_rows("AUDITHISTORY")}
    touched: dict[str, set[int]] = {}
    for spec in NEW:
        if spec.stream in DERIVED:
            continue
        rows = [r for r in api_rows(spec.object)
                if not spec.docparid or r["DOCPARID"] == spec.docparid]  # fmt: skip
        key = int(rows[0]["RECORDNO"])
        reset.admin("POST", f"/_emulator/records/demo/{spec.object}/touch", {"keys": [key]})
        touched[spec.stream] = {key}
    batch = int(api_rows("GLDETAIL")[0]["BATCHNO"])
    reset.admin("POST", "/_emulator/records/demo/GLBATCH/touch", {"keys": [batch]})
    touched["gl_details"] = {int(r["RECORDNO"]) for r in api_rows("GLDETAIL")
                             if int(r["BATCHNO"]) == batch}  # fmt: skip
    touched["audit_history"] = {int(r["RECORDNO"]) for r in api_rows("AUDITHISTORY")} - (
        audit_before
    )
    assert touched["audit_history"], "touching a header writes an audit row"

    second = run_tap(config, catalog=catalog, state=first.state)
    for spec in NEW:
        got = {r["RECORDNO"] for r in second.records(spec.stream)}
        assert got == touched[spec.stream], spec.stream
    third = run_tap(config, catalog=catalog, state=second.state)
    assert not third.streams_with_records()


def test_a_module_the_company_lacks_is_skipped_with_one_line(reset, config, demo_catalog,
                                                             select, caplog, run_tap):  # fmt: skip
    reset.admin("POST", "/_emulator/companies/demo", {"unsubscribed": ["FIXEDASSET", "GLBATCH"]})
    streams = ("fixed_assets", "projects", "trial_balances", "account_balances")
    with caplog.at_level("WARNING"):
        run = run_tap({**config, "start_date": START}, catalog=select(demo_catalog, *streams))
    assert run.streams_with_records() == {"projects"}
    skipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Skipping")]
    assert sorted(line.split("'")[1] for line in skipped) == [
        "account_balances", "fixed_assets", "trial_balances",
    ]  # fmt: skip
    assert all("not subscribed" in line for line in skipped)


def test_user_defined_dimension_values(emulator, config, channel_catalog, select, api_rows,
                                       run_tap):  # fmt: skip
    entry = next(s for s in channel_catalog["streams"]
                 if s["tap_stream_id"] == "dimension_values_channel")  # fmt: skip
    assert entry["replication_key"] == "WHENMODIFIED"
    run = run_tap({**config, "dimension_objects": ["CHANNEL"]},
                  catalog=select(channel_catalog, "dimension_values_channel"))  # fmt: skip
    records = run.records("dimension_values_channel")
    assert [(r["RECORDNO"], r["ID"], r["NAME"]) for r in records] == [
        (int(r["RECORDNO"]), r["ID"], r["NAME"]) for r in api_rows("CHANNEL")
    ]


# --- balances --------------------------------------------------------------------------------


def months_until_today(first: date) -> list[tuple[date, date]]:
    today = datetime.now(UTC).date()
    out = []
    while first <= today:
        following = (first + timedelta(days=32)).replace(day=1)
        out.append((first, following - timedelta(days=1)))
        first = following
    return out


def ledger_sums(api_rows, start: date, end: date, dims, entity: str | None = None):
    """{(account, *dims): (start, debits, credits)} of posted lines; all-zero rows left out."""
    posted = {b["RECORDNO"] for b in api_rows("GLBATCH")
              if b["STATE"] == "Posted" and entity in (None, b["MEGAENTITYID"])}  # fmt: skip
    sums: dict[tuple[str, ...], list[Decimal]] = {}
    for line in api_rows("GLENTRY"):
        day = datetime.strptime(line["ENTRY_DATE"], "%m/%d/%Y").date()  # noqa: DTZ007
        if line["BATCHNO"] not in posted or day > end:
            continue
        signed = Decimal(line["AMOUNT"]) * int(line["TR_TYPE"])
        row = sums.setdefault((line["ACCOUNTNO"], *dims(line)), [ZERO, ZERO, ZERO])
        if day < start:
            row[0] += signed
        elif signed > 0:
            row[1] += signed
        else:
            row[2] -= signed
    return {key: tuple(v) for key, v in sums.items() if any(v)}


def as_sums(records, dims: tuple[str, ...]) -> dict[str, dict[tuple[str, ...], tuple]]:
    """Records by month: {period_start: {(account, *dims): (start, debits, credits)}}."""
    out: dict[str, dict[tuple[str, ...], tuple]] = {}
    for r in records:
        assert r["endbalance"] == r["startbalance"] + r["debits"] - r["credits"]
        key = (r["glaccountno"], *(r[d] for d in dims))
        out.setdefault(r["period_start"], {})[key] = (r["startbalance"], r["debits"], r["credits"])
    return out


@pytest.mark.parametrize(
    ("stream", "dims"),
    [("trial_balances", ()), ("account_balances", ("locationid", "departmentid"))],
)
def test_balances_equal_the_posted_journal_lines(
    emulator, config, demo_catalog, select, api_rows, run_tap, stream, dims
):
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    run = run_tap({**config, "start_date": START}, catalog=select(demo_catalog, stream))
    records = run.records(stream)
    months = months_until_today(date(2026, 9, 1))
    got = as_sums(records, dims)
    assert set(got) <= {start.isoformat() for start, _ in months}
    for start, end in months:
        assert all(r["period_end"] == end.isoformat() for r in records
                   if r["period_start"] == start.isoformat())  # fmt: skip
        by_dims = lambda line: (line["LOCATION"], line["DEPARTMENT"]) if dims else ()  # noqa: E731
        assert got.get(start.isoformat(), {}) == ledger_sums(api_rows, start, end, by_dims), start
    assert sum(len(v) for v in got.values()) == len(records)  # the key is unique
    assert {r["reportingbook"] for r in records} == {"ACCRUAL"}
    assert all(isinstance(r["debits"], Decimal | int) for r in records)  # exact, never float


def test_balances_per_entity(emulator, config, select, api_rows, run_tap):
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    scoped = {**config, "start_date": START, "entity_ids": ["US", "EU"]}
    catalog = TapIntacct(config=scoped).catalog_dict
    entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == "trial_balances")
    assert entry["key_properties"] == ["ENTITY", "period_start", "glaccountno"]
    run = run_tap(scoped, catalog=select(catalog, "trial_balances"))
    october = (date(2026, 10, 1), date(2026, 10, 31))
    for entity, currency in (("US", "USD"), ("EU", "EUR")):
        records = [r for r in run.records("trial_balances") if r["ENTITY"] == entity]
        assert {r["currency"] for r in records} == {currency}
        got = as_sums(records, ())["2026-10-01"]
        assert got == ledger_sums(api_rows, *october, lambda _: (), entity=entity)
