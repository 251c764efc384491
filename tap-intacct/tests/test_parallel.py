"""Parallel reads: key ranges, pipelining, streams asked ahead, and every guarantee kept.

A company with a few hundred synthetic customers and journal entry lines, small pages, so that a
stream splits into several key ranges. Each test compares what the tap emitted with the
emulator's rows.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from typing import Any

import pytest
from intacct_api import functions
from tap_intacct.tap import TapIntacct

CUSTOMERS = 300
JOURNAL_LINES = 400
PAGE = 20


@pytest.fixture
def big(emulator: Any) -> Any:
    seed = {"seed": "demo", "records": CUSTOMERS, "journal_lines": JOURNAL_LINES}
    emulator.admin("POST", "/_emulator/reset", seed)
    yield emulator
    emulator.admin("DELETE", "/_emulator/faults")
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})


@pytest.fixture
def catalog(demo_catalog, select):
    return select(demo_catalog, "customers", "journal_entry_lines", "journal_entries")


def keys(rows: list[dict[str, Any]]) -> list[int]:
    return [int(r["RECORDNO"]) for r in rows]


def messages_of(run, stream: str) -> list[dict[str, Any]]:
    """RECORD messages of `stream` and every STATE, in output order."""
    return [
        m for m in run.messages
        if m["type"] == "STATE" or (m["type"] == "RECORD" and m["stream"] == stream)
    ]  # fmt: skip


def test_a_large_stream_is_read_in_key_ranges_once_each(big, config, catalog, api_rows, run_tap):
    run = run_tap({**config, "page_size": PAGE, "max_concurrency": 4}, catalog=catalog)
    for stream, obj in (("customers", "CUSTOMER"), ("journal_entry_lines", "GLENTRY")):
        emitted = keys(run.records(stream))
        assert sorted(emitted) == sorted(keys(api_rows(obj))), stream
        ranged = [s["bookmarks"][stream] for s in run.states
                  if "key_ranges" in s["bookmarks"].get(stream, {})]  # fmt: skip
        assert max(len(b["key_ranges"]) for b in ranged) == 4, stream
        final = run.state["bookmarks"][stream]
        assert "key_ranges" not in final and "key_ranges_end" not in final
        last = max(run.records(stream), key=lambda r: (r["WHENMODIFIED"], r["RECORDNO"]))
        assert (final["replication_key_value"], final["replication_key_recordno"]) == (
            last["WHENMODIFIED"], last["RECORDNO"],
        )  # fmt: skip
    assert big.admin("GET", "/_emulator/stats")["functions"]["query"] > 0


def test_the_same_records_at_every_concurrency(big, config, catalog, run_tap):
    runs = {
        (n, pipeline): run_tap(
            {**config, "page_size": PAGE, "max_concurrency": n, "pipeline_pages": pipeline},
            catalog=catalog,
        )
        for n, pipeline in ((1, False), (1, True), (2, True), (8, True))
    }
    for stream in ("customers", "journal_entry_lines", "journal_entries"):
        by_key = {
            mode: sorted((r["RECORDNO"], r["WHENMODIFIED"]) for r in run.records(stream))
            for mode, run in runs.items()
        }
        assert len({tuple(v) for v in by_key.values()}) == 1, stream
    positions = [(r["WHENMODIFIED"], r["RECORDNO"]) for r in runs[(1, False)].records("customers")]
    assert positions == sorted(positions)  # one cursor: the read order


def test_no_state_falls_inside_a_document(big, config, catalog, run_tap):
    run = run_tap({**config, "page_size": 7, "max_concurrency": 4}, catalog=catalog)
    sequence = messages_of(run, "journal_entry_lines")
    closed: set[int] = set()
    current: int | None = None
    for message in sequence:
        if message["type"] == "STATE":
            if current is not None:
                closed.add(current)
            current = None
            continue
        batch = message["record"]["BATCHNO"]
        if batch != current:
            assert batch not in closed, f"entry {batch}'s lines are split by a STATE or a range"
            if current is not None:
                closed.add(current)
            current = batch
    assert (
        Counter(r["BATCHNO"] for r in run.records("journal_entry_lines")).most_common(1)[0][1] >= 2
    )


def test_every_state_of_a_split_read_resumes_without_loss(big, config, catalog, api_rows, run_tap):
    """kill -9 after any STATE: what came before it plus a run from it hold every row."""
    paged = {**config, "page_size": PAGE, "max_concurrency": 4}
    full = run_tap(paged, catalog=catalog)
    all_lines = set(keys(api_rows("GLENTRY")))
    seen: list[int] = []
    checked = 0
    for message in full.messages:
        if message["type"] == "RECORD" and message["stream"] == "journal_entry_lines":
            seen.append(int(message["record"]["RECORDNO"]))
        if message["type"] != "STATE":
            continue
        bookmark = message["value"]["bookmarks"].get("journal_entry_lines", {})
        if "key_ranges" not in bookmark or checked % 3:
            checked += "key_ranges" in bookmark
            continue
        checked += 1
        resumed = run_tap(paged, catalog=catalog, state=message["value"])
        again = keys(resumed.records("journal_entry_lines"))
        assert set(seen) | set(again) == all_lines
        assert len(again) == len(set(again))  # the resumed run reads each row once
    assert checked >= 6


def test_a_run_paused_inside_a_split_resumes_exactly(big, config, catalog, api_rows, run_tap):
    paged = {**config, "page_size": PAGE, "max_concurrency": 4}
    stopped = run_tap(paged, catalog=catalog, abort_after={"customers": 90})
    assert len(stopped.records("customers")) == 90
    assert "key_ranges" in stopped.state["bookmarks"]["customers"]
    resumed = run_tap(paged, catalog=catalog, state=stopped.state)
    emitted = keys(stopped.records("customers") + resumed.records("customers"))
    assert sorted(emitted) == sorted(keys(api_rows("CUSTOMER")))


def test_rows_changed_during_a_split_read_come_again_after_their_old_version(
    big, config, catalog, api_rows
):
    all_keys = keys(api_rows("CUSTOMER"))
    tap = TapIntacct(config={**config, "page_size": PAGE, "max_concurrency": 4},
                     catalog=catalog)  # fmt: skip
    stream = tap.streams["customers"]
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        records = stream.get_records(None)
        read = [next(records) for _ in range(60)]  # the first page and part of the ranges
        read_already = read[-1]["RECORDNO"]
        not_read_yet = sorted(set(all_keys) - {r["RECORDNO"] for r in read})[len(all_keys) // 3]
        big.admin("POST", "/_emulator/clock", {"advance_seconds": 5})
        big.admin("POST", "/_emulator/records/demo/CUSTOMER/touch",
                  {"keys": [read_already, not_read_yet]})  # fmt: skip
        seen = read + list(records)
    counts = Counter(r["RECORDNO"] for r in seen)
    assert set(counts) == set(all_keys)  # nothing lost
    assert counts[read_already] == 2
    versions = [r["WHENMODIFIED"] for r in seen if r["RECORDNO"] == read_already]
    assert versions[1] > versions[0]  # the new version comes after the old one
    newest = [r for r in seen if r["RECORDNO"] == not_read_yet][-1]
    assert newest["WHENMODIFIED"] == max(r["WHENMODIFIED"] for r in seen)


def test_deletes_are_still_read_after_a_split(big, config, client, catalog, api_rows, run_tap):
    paged = {**config, "page_size": PAGE, "max_concurrency": 4}
    first = run_tap(paged, catalog=catalog)
    gone = keys(api_rows("CUSTOMER"))[-2:]
    big.admin("POST", "/_emulator/clock", {"advance_seconds": 2})
    client.call(functions.delete("CUSTOMER", gone))
    second = run_tap(paged, catalog=catalog, state=first.state)
    assert sorted(r["RECORDNO"] for r in second.records("customers")
                  if r.get("_sdc_deleted_at")) == sorted(gone)  # fmt: skip


def test_a_concurrency_refusal_lowers_the_parallelism_and_the_run_goes_on(
    big, config, catalog, api_rows, run_tap, caplog
):
    big.admin("POST", "/_emulator/config", {"latency_base": 0.05})
    big.admin("POST", "/_emulator/faults", {"kind": "concurrency", "count": 2})
    with caplog.at_level("WARNING"):
        run = run_tap({**config, "page_size": PAGE, "max_concurrency": 4, "max_retries": 0},
                      catalog=catalog)  # fmt: skip
    assert sorted(keys(run.records("customers"))) == sorted(keys(api_rows("CUSTOMER")))
    assert big.admin("GET", "/_emulator/stats")["faults"].get("concurrency", 0) >= 1
    lowered = [r.getMessage() for r in caplog.records if "running at most" in r.getMessage()]
    assert lowered and ("at most 2 at once" in lowered[-1] or "at most 1 at once" in lowered[-1])
