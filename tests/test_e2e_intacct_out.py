"""tap-intacct into files and a warehouse through `meltano run`: every stream complete, deletes
carried to PostgreSQL, and second runs that move only what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import local_stack
from intacct_api import functions
from intacct_api.client import IntacctClient
from intacct_rows import (
    DEMO_CREDENTIALS,
    REPORT_STREAMS,
    emulator_counts,
    emulator_rows,
    stored_counts,
)


def customer_data(postgres: local_stack.Postgres, warehouse: str, recordno: Any) -> dict[str, str]:
    """The Intacct fields of one warehouse customer row (the `_sdc_*` columns left out)."""
    rows = postgres.rows(
        "select key, coalesce(value #>> '{}', '') from intacct.customers c, "
        f'jsonb_each(to_jsonb(c)) where c."RECORDNO" = {int(recordno)} '
        "and left(key, 5) <> '_sdc_' order by key",
        warehouse,
    )
    return dict(rows)


def test_every_stream_lands_in_jsonl_with_the_emulators_record_count(
    project: local_stack.MeltanoProject, intacct: local_stack.Emulator, tmp_path: Path
) -> None:
    run = project.run("tap-intacct", "target-jsonl")
    expected = emulator_counts(intacct)
    assert stored_counts(run.record_counts()) == expected
    assert all(run.record_counts()[stream] > 0 for stream in REPORT_STREAMS)
    for stream, count in expected.items():
        files = list((tmp_path / "jsonl-run").glob(f"{stream}-*.jsonl"))
        assert len(files) == 1, stream
        assert len(local_stack.read_jsonl(files[0])) == count, stream


def test_warehouse_gets_every_stream_then_only_changes_and_deletes(
    project: local_stack.MeltanoProject,
    intacct: local_stack.Emulator,
    postgres: local_stack.Postgres,
    warehouse: str,
) -> None:
    first = project.run("intacct-to-warehouse")
    expected = emulator_counts(intacct)
    assert stored_counts(first.record_counts()) == expected
    for stream, count in expected.items():
        rows = postgres.rows(f"select count(*) from intacct.{stream}", warehouse)
        assert int(rows[0][0]) == count, stream

    customers = {r["CUSTOMERID"]: r for r in emulator_rows(intacct, "CUSTOMER")}
    gone, touched = customers["C-1009"], customers["C-1003"]
    before = customer_data(postgres, warehouse, gone["RECORDNO"])
    assert before["CUSTOMERID"] == "C-1009" and before["NAME"] == gone["NAME"]
    client = IntacctClient(DEMO_CREDENTIALS, api_url=f"{intacct.url}/ia/xml/xmlgw.phtml")
    try:
        client.call(functions.delete("CUSTOMER", gone["RECORDNO"]))
        client.call(
            functions.update(
                "CUSTOMER", {"RECORDNO": touched["RECORDNO"], "COMMENTS": "moved to Augsburg"}
            )
        )
    finally:
        client.close()

    second = project.run("intacct-to-warehouse")
    moved = {stream: n for stream, n in stored_counts(second.record_counts()).items() if n}
    # One update and one delete, each also an audit trail entry.
    assert moved == {"customers": 2, "audit_history": 2}
    rows = postgres.rows(
        'select "RECORDNO", "CUSTOMERID", "COMMENTS", _sdc_deleted_at is not null '
        "from intacct.customers order by 1",
        warehouse,
    )
    by_recordno = {row[0]: row for row in rows}
    assert len(rows) == expected["customers"]
    assert by_recordno[str(gone["RECORDNO"])][3] == "t"  # soft-deleted: kept with _sdc_deleted_at
    # ...and with every field it had before the delete, not NULLs.
    assert customer_data(postgres, warehouse, gone["RECORDNO"]) == before
    assert by_recordno[str(touched["RECORDNO"])][2:] == ["moved to Augsburg", "f"]
    assert [row[0] for row in rows if row[3] == "t"] == [str(gone["RECORDNO"])]
