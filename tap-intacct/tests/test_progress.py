"""What the command prints while it reads: rows of the total, share, rate and time left; and
one summary table at the end listing every stream, over XML and REST."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from intacct_api import functions

TAP = [sys.executable, "-m", "tap_intacct"]
CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}
PROGRESS = re.compile(
    r"\| (\w+): ([\d,]+) of ([\d,]+) \((\d+)%\), ([\d,]+) pages, [\d,]+ API calls, [\d,]+/s, "
    r"[\d.]+ s, ETA \d+"
)
ROW = re.compile(
    r"\| (\w+)(?: \(skipped\))?\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+[\d.]+\s+[\d,]+$"
)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def run_command(tmp_path: Path, config: dict[str, Any]) -> tuple[Counter[str], Counter[str], str]:
    """The tap as a command: records and deletes per stream (stdout), and stderr."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**config, "progress_seconds": 0, "page_size": 3}))
    result = subprocess.run(
        [*TAP, "--config", str(path)], check=False, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records: Counter[str] = Counter()
    deletes: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            gone = message["record"].get("_sdc_deleted_at")
            (deletes if gone else records)[message["stream"]] += 1
    return records, deletes, result.stderr


def summary(stderr: str) -> dict[str, tuple[int, int, int, int]]:
    """The table after `Run summary:`: (records, deleted, pages, API calls) by stream."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "Run summary:" in line)
    assert "| stream " in lines[start + 1] and "records/s" in lines[start + 1]
    rows = {}
    for line in lines[start + 2 :]:
        found = ROW.search(line)
        if found is None:
            break
        name, *counts = found.groups()
        rows[name] = tuple(number(c) for c in counts)
    return rows


def check(records: Counter[str], deletes: Counter[str], stderr: str, customers: int) -> None:
    shares = [m.groups()[1:] for m in PROGRESS.finditer(stderr) if m.group(1) == "customers"]
    pages = -(-customers // 3)
    done = [number(done) for done, *_ in shares]
    assert done == [min(3 * n, customers) for n in range(1, pages + 1)]
    assert [number(page) for *_, page in shares] == list(range(1, pages + 1))
    assert {number(total) for _, total, _, _ in shares} == {customers}
    assert [int(share) for _, _, share, _ in shares] == [
        100 * number(done) // customers for done, *_ in shares
    ]
    assert shares[-1][2] == "100"
    table = summary(stderr)
    assert {*records, *deletes, "total"} <= set(table), stderr[-3000:]
    for stream, (rows, deleted, pages, calls) in table.items():
        if stream != "total":
            assert (rows, deleted) == (records[stream], deletes[stream]), stream
            assert pages >= 1 or deleted, stream
            assert calls >= 1, stream
    assert table["total"][:2] == (sum(records.values()), sum(deletes.values()))
    assert stderr.count("Run summary:") == 1


def test_xml_run_prints_shares_of_the_total_and_one_table_of_every_stream(
    tmp_path, reset, config, client, api_rows
):
    client.call(functions.create("CUSTOMER", [{"CUSTOMERID": "GONE-1", "NAME": "Soon gone"}]))
    gone = next(r["RECORDNO"] for r in api_rows("CUSTOMER") if r["CUSTOMERID"] == "GONE-1")
    client.call(functions.delete("CUSTOMER", [int(gone)]))
    customers = len(api_rows("CUSTOMER"))
    assert customers >= 7  # several pages of 3
    records, deletes, stderr = run_command(tmp_path, config)
    assert records["customers"] == customers and deletes["customers"] == 1
    assert {"trial_balances", "sales_order_lines"} <= set(records)
    check(records, deletes, stderr, customers)
    # reports: no total to tell
    assert re.search(r"\| trial_balances: [\d,]+ records, ", stderr)


def test_rest_run_prints_shares_of_the_total_and_one_table_of_every_stream(
    tmp_path, reset, emulator, api_rows
):
    config = {
        "transport": "rest", "company_id": "demo", "user_id": "demo_user", **CLIENT,
        "rest_url": emulator.base_url + "/ia/api/v1",
    }  # fmt: skip
    customers = len(api_rows("CUSTOMER"))
    records, deletes, stderr = run_command(tmp_path, config)
    assert records["customers"] == customers
    assert len(records) >= 10
    check(records, deletes, stderr, customers)
