"""Incremental reads: second runs, rows changing during a read, ties, resume, deletes."""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from typing import Any

import pytest
from intacct_api import functions
from intacct_api.client import Credentials, IntacctClient
from intacct_api.errors import ServiceUnavailableError
from tap_intacct.tap import TapIntacct


def touch(emulator: Any, obj: str, keys: list[int]) -> None:
    emulator.admin("POST", f"/_emulator/records/demo/{obj}/touch", {"keys": keys})


def advance(emulator: Any, seconds: int = 2) -> None:
    emulator.admin("POST", "/_emulator/clock", {"advance_seconds": seconds})


def recordnos(rows: list[dict[str, Any]]) -> list[int]:
    return [int(r["RECORDNO"]) for r in rows]


def position(record: dict[str, Any]) -> tuple[str, int]:
    return record["WHENMODIFIED"], record["RECORDNO"]


@pytest.fixture
def customers_catalog(demo_catalog, select):
    return select(demo_catalog, "customers")


def test_second_run_emits_only_what_changed(
    reset, config, client, customers_catalog, api_rows, run_tap
):
    first = run_tap(config, catalog=customers_catalog)
    all_keys = recordnos(api_rows("CUSTOMER"))
    assert sorted(r["RECORDNO"] for r in first.records("customers")) == sorted(all_keys)

    advance(reset)
    touch(reset, "CUSTOMER", all_keys[1:3])
    client.call(
        functions.update("CUSTOMER", {"CUSTOMERID": "C-1004", "NAME": "Bay Area Builders Inc"})
    )
    second = run_tap(config, catalog=customers_catalog, state=first.state)
    changed = {r["RECORDNO"]: r for r in second.records("customers")}
    bay_area = next(int(r["RECORDNO"]) for r in api_rows("CUSTOMER") if r["CUSTOMERID"] == "C-1004")
    assert set(changed) == {*all_keys[1:3], bay_area}
    assert changed[bay_area]["NAME"] == "Bay Area Builders Inc"

    third = run_tap(config, catalog=customers_catalog, state=second.state)
    assert third.records("customers") == []


def test_rows_changed_between_pages_are_read_again_not_lost(
    reset, config, customers_catalog, api_rows
):
    keys = sorted(recordnos(api_rows("CUSTOMER")))
    tap = TapIntacct(config={**config, "page_size": 3}, catalog=customers_catalog)
    stream = tap.streams["customers"]
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        records = stream.get_records(None)
        first_page = [next(records) for _ in range(3)]
        read_already, not_read_yet = first_page[0]["RECORDNO"], keys[-1]
        advance(reset)
        touch(reset, "CUSTOMER", [read_already, not_read_yet])
        rest = list(records)
    seen = first_page + rest
    counts = Counter(r["RECORDNO"] for r in seen)
    assert set(counts) == set(keys)  # nothing lost
    assert counts[read_already] == 2  # read again with its new WHENMODIFIED
    assert counts[not_read_yet] == 1  # moved forward: read once, in its new version
    again = next(r for r in rest if r["RECORDNO"] == read_already)
    assert again["WHENMODIFIED"] > first_page[0]["WHENMODIFIED"]
    assert [position(r) for r in seen] == sorted(position(r) for r in seen)


def test_rows_sharing_one_second_are_all_read_across_pages(
    reset, config, client, customers_catalog, api_rows, run_tap
):
    reset.admin("POST", "/_emulator/clock", {"frozen": True})
    try:
        client.call(functions.create("CUSTOMER", [
            {"CUSTOMERID": f"TIE-{n}", "NAME": f"Tie {n}"} for n in range(7)
        ]))  # fmt: skip
    finally:
        reset.admin("POST", "/_emulator/clock", {"frozen": False})
    run = run_tap({**config, "page_size": 2}, catalog=customers_catalog)
    emitted = recordnos(run.records("customers"))
    assert sorted(emitted) == sorted(recordnos(api_rows("CUSTOMER")))
    assert len(set(emitted)) == len(emitted)


@pytest.mark.parametrize("stop_after", [4, 6])
def test_a_stopped_run_resumes_without_loss_or_duplicates(
    reset, config, customers_catalog, api_rows, run_tap, stop_after
):
    paged = {**config, "page_size": 3}
    stopped = run_tap(paged, catalog=customers_catalog, abort_after={"customers": stop_after})
    assert len(stopped.records("customers")) == stop_after
    bookmark = stopped.state["bookmarks"]["customers"]
    assert bookmark["replication_key_recordno"] == stopped.records("customers")[-1]["RECORDNO"]
    resumed = run_tap(paged, catalog=customers_catalog, state=stopped.state)
    emitted = recordnos(stopped.records("customers") + resumed.records("customers"))
    assert sorted(emitted) == sorted(recordnos(api_rows("CUSTOMER")))


def test_state_is_written_after_every_page(reset, config, customers_catalog, api_rows, run_tap):
    run = run_tap({**config, "page_size": 3}, catalog=customers_catalog)
    rows = len(api_rows("CUSTOMER"))
    positions = [
        s["bookmarks"]["customers"].get("replication_key_recordno")
        for s in run.states
        if "customers" in s.get("bookmarks", {})
    ]
    distinct = [p for n, p in enumerate(positions) if p is not None and p not in positions[:n]]
    assert len(distinct) >= (rows + 2) // 3


def test_lookback_rereads_the_window(reset, config, customers_catalog, run_tap, api_rows):
    first = run_tap(config, catalog=customers_catalog)
    again = run_tap({**config, "lookback_seconds": 3600}, catalog=customers_catalog,
                    state=first.state)  # fmt: skip
    bookmark = first.state["bookmarks"]["customers"]["replication_key_value"]
    from datetime import datetime, timedelta

    edge = (datetime.fromisoformat(bookmark) - timedelta(seconds=3600)).isoformat()
    expected = [r["RECORDNO"] for r in first.records("customers") if r["WHENMODIFIED"] >= edge]
    assert sorted(r["RECORDNO"] for r in again.records("customers")) == sorted(expected)
    assert expected


def test_deleted_rows_arrive_with_sdc_deleted_at(reset, config, client, customers_catalog, run_tap):
    client.call(functions.create("CUSTOMER", [
        {"CUSTOMERID": "GONE-1", "NAME": "Soon gone"}, {"CUSTOMERID": "GONE-2", "NAME": "Also"},
    ]))  # fmt: skip
    first = run_tap(config, catalog=customers_catalog)
    gone = {r["CUSTOMERID"]: r["RECORDNO"] for r in first.records("customers")
            if r["CUSTOMERID"].startswith("GONE")}  # fmt: skip
    advance(reset)
    client.call(functions.delete("CUSTOMER", list(gone.values())))
    second = run_tap(config, catalog=customers_catalog, state=first.state)
    deleted = [r for r in second.records("customers") if r.get("_sdc_deleted_at")]
    assert sorted(r["RECORDNO"] for r in deleted) == sorted(gone.values())
    assert all(r["_sdc_deleted_at"].endswith("+00:00") for r in deleted)
    assert second.state["bookmarks"]["customers"]["deletes_bookmark"]
    third = run_tap(config, catalog=customers_catalog, state=second.state)
    assert third.records("customers") == []


def test_missing_audit_permission_warns_once_and_goes_on(
    emulator, demo_credentials, caplog, run_tap
):
    company = "no_audit_co"
    emulator.admin("POST", f"/_emulator/companies/{company}", {"unsubscribed": ["AUDITHISTORY"]})
    config = {**demo_credentials, "company_id": company, "api_url": emulator.url}
    with caplog.at_level("WARNING"):
        run = run_tap(config)
    assert run.states  # the sync completed
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len([w for w in warnings if w.startswith("Deleted records are not read")]) == 1
    # the audit_history stream itself is skipped with one line of its own
    assert len([w for w in warnings if w.startswith("Skipping stream 'audit_history'")]) == 1


def test_a_deleted_document_arrives_only_in_its_document_type_stream(
    reset, config, client, demo_catalog, select, api_rows, run_tap
):
    catalog = select(demo_catalog, "sales_orders", "sales_invoices")
    first = run_tap(config, catalog=catalog)
    deletable = None
    for row in api_rows("SODOCUMENT"):
        if row["DOCPARID"] != "Sales Invoice":
            continue
        result = client.execute([functions.delete_sotransaction(row["DOCID"])])[0]
        if result.ok:
            deletable = int(row["RECORDNO"])
            break
    assert deletable is not None, "the demo seed has no deletable sales invoice"
    second = run_tap(config, catalog=catalog, state=first.state)
    assert [r["RECORDNO"] for r in second.records("sales_invoices")
            if r.get("_sdc_deleted_at")] == [deletable]  # fmt: skip
    assert not [r for r in second.records("sales_orders") if r.get("_sdc_deleted_at")]


def test_an_object_without_whenmodified_is_read_in_full(
    reset, config, caplog, api_rows, run_tap, select
):
    scoped = {**config, "extra_objects": ["AUDITHISTORY"], "page_size": 7}
    catalog = select(TapIntacct(config=scoped).catalog_dict, "audithistory")
    entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == "audithistory")
    assert entry.get("replication_key") is None
    with caplog.at_level("INFO"):
        first = run_tap(scoped, catalog=catalog)
        second = run_tap(scoped, catalog=catalog, state=first.state)
    expected = sorted(recordnos(api_rows("AUDITHISTORY")))
    assert sorted(r["RECORDNO"] for r in first.records("audithistory")) == expected
    assert sorted(r["RECORDNO"] for r in second.records("audithistory")) == expected
    notes = [r.getMessage() for r in caplog.records if "reading the full table" in r.getMessage()]
    assert len(notes) == 2  # one line per run


def test_a_run_that_fails_mid_stream_resumes_after_the_last_page_read(
    reset, config, customers_catalog, api_rows, run_tap
):
    paged = {**config, "page_size": 3, "max_retries": 0}
    reset.admin("POST", "/_emulator/faults",
                {"kind": "http_503", "function": "query", "after": 2})  # fmt: skip
    failed = run_tap(paged, catalog=customers_catalog, raises=ServiceUnavailableError)
    read = failed.records("customers")
    assert len(read) == 6  # two pages, then the third request failed
    assert (
        failed.state["bookmarks"]["customers"]["replication_key_recordno"] == read[-1]["RECORDNO"]
    )
    resumed = run_tap(paged, catalog=customers_catalog, state=failed.state)
    emitted = recordnos(read + resumed.records("customers"))
    assert sorted(emitted) == sorted(recordnos(api_rows("CUSTOMER")))  # none lost, none twice


def test_lookback_never_reaches_before_start_date(reset, config, customers_catalog, run_tap):
    every = run_tap(config, catalog=customers_catalog).records("customers")
    moments = sorted({r["WHENMODIFIED"] for r in every})
    start_date = moments[len(moments) // 2]
    after_start = sorted(r["RECORDNO"] for r in every if r["WHENMODIFIED"] >= start_date)
    assert 0 < len(after_start) < len(every)
    windowed = {**config, "start_date": start_date, "lookback_seconds": 86400}
    first = run_tap(windowed, catalog=customers_catalog)
    assert sorted(r["RECORDNO"] for r in first.records("customers")) == after_start
    # The window before the bookmark stops at start_date as well.
    second = run_tap(windowed, catalog=customers_catalog, state=first.state)
    assert sorted(r["RECORDNO"] for r in second.records("customers")) == after_start


def test_lookback_rereads_deletes_in_the_window(reset, config, client, customers_catalog,
                                                run_tap):  # fmt: skip
    client.call(functions.create("CUSTOMER", {"CUSTOMERID": "GONE-L", "NAME": "Soon gone"}))
    first = run_tap(config, catalog=customers_catalog)
    gone = next(r["RECORDNO"] for r in first.records("customers") if r["CUSTOMERID"] == "GONE-L")
    advance(reset)
    client.call(functions.delete("CUSTOMER", [gone]))
    second = run_tap(config, catalog=customers_catalog, state=first.state)
    assert [r["RECORDNO"] for r in second.records("customers") if "_sdc_deleted_at" in r] == [gone]
    plain = run_tap(config, catalog=customers_catalog, state=second.state)
    assert plain.records("customers") == []
    windowed = run_tap({**config, "lookback_seconds": 3600}, catalog=customers_catalog,
                       state=second.state)  # fmt: skip
    deletes = [r["RECORDNO"] for r in windowed.records("customers") if "_sdc_deleted_at" in r]
    assert deletes == [gone]


@pytest.mark.parametrize(
    "start_date",
    ["2026-07-04T16:00:00Z", "2026-07-04T12:00:00-04:00", "2026-07-04T16:00:00"],
)
def test_start_date_is_an_instant_whatever_the_intacct_time_zone(
    emulator, demo_credentials, run_tap, start_date
):
    """Rows at 11:30:05 and 12:30:05 New York time; start_date 16:00 UTC is 12:00 there.

    A start_date without an offset is UTC (the SDK's rule), not Intacct's zone.
    """
    company = "tz_start_co"
    emulator.admin("POST", f"/_emulator/companies/{company}", {"timezone": "America/New_York"})
    credentials = {**demo_credentials, "company_id": company}
    config = {**credentials, "api_url": emulator.url, "timezone": "America/New_York"}
    existing = run_tap(config).records("customers")
    if not existing:
        with IntacctClient(Credentials(**credentials), emulator.url) as intacct:
            for name, moment in (("EARLY", "2026-07-04T15:30:05+00:00"),
                                 ("LATE", "2026-07-04T16:30:05+00:00")):  # fmt: skip
                emulator.admin("POST", "/_emulator/clock", {"now": moment, "frozen": True})
                intacct.call(functions.create("CUSTOMER", {"CUSTOMERID": name, "NAME": name}))
        emulator.admin("POST", "/_emulator/clock", {"frozen": False})
    run = run_tap({**config, "start_date": start_date})
    assert [r["CUSTOMERID"] for r in run.records("customers")] == ["LATE"]
    assert run.records("customers")[0]["WHENMODIFIED"] == "2026-07-04T16:30:05+00:00"


@pytest.fixture
def big_company(emulator):
    """The demo company plus 4,001 customers, three to a second; the demo seed afterwards."""
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo", "records": 4001})
    yield emulator
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})


def test_full_pages_of_2000_rows(big_company, config, customers_catalog, api_rows, run_tap):
    rows = recordnos(api_rows("CUSTOMER"))
    big_company.admin("POST", "/_emulator/stats/reset", {})
    run = run_tap(config, catalog=customers_catalog)
    queries = big_company.admin("GET", "/_emulator/stats", None)["functions"]["query"]
    emitted = recordnos(run.records("customers"))
    assert sorted(emitted) == sorted(rows)
    assert len(set(emitted)) == len(emitted)
    # ceil(rows / 2000) pages, no count query, no empty last page; one audit-trail query.
    assert queries == -(-len(rows) // 2000) + 1
    positions = [
        s["bookmarks"]["customers"]["replication_key_recordno"]
        for s in run.states
        if s.get("bookmarks", {}).get("customers", {}).get("replication_key_recordno")
    ]
    assert len(set(positions)) == 3  # a STATE after each page


def test_state_never_falls_inside_a_document_of_a_line_stream(
    reset, config, demo_catalog, select, api_rows, run_tap
):
    """Pages of 3 split documents' lines; every STATE still covers whole documents only, so a
    run stopped after it resumes with none half-sent (a target would write it incomplete)."""
    lines_per_batch = Counter(row["BATCHNO"] for row in api_rows("GLENTRY"))
    assert max(lines_per_batch.values()) > 1
    run = run_tap({**config, "page_size": 3},
                  catalog=select(demo_catalog, "journal_entry_lines"))  # fmt: skip
    sent: Counter[Any] = Counter()
    states = 0
    for message in run.messages:
        if message["type"] == "RECORD":
            sent[str(message["record"]["BATCHNO"])] += 1
        elif message["type"] == "STATE":
            states += 1
            assert all(sent[batch] == lines_per_batch[batch] for batch in sent), sent
    assert states > 2
    assert sent == lines_per_batch
