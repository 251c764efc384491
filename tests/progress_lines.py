"""Reading the taps' progress lines and run summary table back from a command's stderr (the
tap-intacct and tap-magento tests share it)."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

PROGRESS = re.compile(
    r"\| (\w+): ([\d,]+) of ([\d,]+) \((\d+)%\), ([\d,]+) pages, [\d,]+ API calls, [\d,]+/s, "
    r"[\d.]+ s, ETA \d+"
)
ROW = re.compile(
    r"\| (\w+)(?: \(skipped\))?\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+[\d.]+\s+[\d,]+$"
)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def run_command(
    command: list[str], config: dict[str, Any], folder: Path
) -> tuple[Counter[str], Counter[str], str]:
    """A tap command's records and deletes per stream (from stdout), and its stderr."""
    path = folder / "config.json"
    path.write_text(json.dumps({**config, "progress_seconds": 0}))
    result = subprocess.run(
        [*command, "--config", str(path)], check=False, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    records: Counter[str] = Counter()
    deletes: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            gone = message["record"].get("_sdc_deleted_at")
            (deletes if gone else records)[message["stream"]] += 1
    return records, deletes, result.stderr


def shares(stderr: str, stream: str) -> list[tuple[int, int, int, int]]:
    """The stream's progress lines with a total: (records, total, percent, pages)."""
    return [
        (number(done), number(total), int(percent), number(pages))
        for name, done, total, percent, pages in (m.groups() for m in PROGRESS.finditer(stderr))
        if name == stream
    ]


def summary(stderr: str) -> dict[str, tuple[int, int, int, int]]:
    """The table after `Run summary:`: (records, deleted, pages, API calls) by stream."""
    assert stderr.count("Run summary:") == 1
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "Run summary:" in line)
    assert "| stream " in lines[start + 1] and "records/s" in lines[start + 1]
    rows = {}
    for line in lines[start + 2 :]:
        found = ROW.search(line)
        if found is None:
            break
        name, records, deleted, pages, calls = found.groups()
        rows[name] = (number(records), number(deleted), number(pages), number(calls))
    return rows


def check_summary(records: Counter[str], deletes: Counter[str], stderr: str) -> None:
    """Every stream that emitted is a row, counting what it emitted; the last row adds up."""
    table = summary(stderr)
    assert {*records, *deletes, "total"} <= set(table), stderr[-3000:]
    for stream, (rows, deleted, pages, calls) in table.items():
        if stream != "total":
            assert (rows, deleted) == (records[stream], deletes[stream]), stream
            assert pages >= 1 or deleted, stream
            assert calls >= 1, stream
    assert table["total"][:2] == (sum(records.values()), sum(deletes.values()))
