"""A reduced run of `benchmarks/load.py`: sustained volume through `meltano run` without an
error and with flat memory in the tap and the targets.

Sizes: `RESILIENCE_LOAD_JSONL` customers through tap-intacct → target-jsonl (default 100,000)
and `RESILIENCE_LOAD_INTACCT` through tap-intacct → target-intacct (default 10,000). Flat means
the mean RSS of the last quarter of the samples after warm-up is within 15 % of the first
quarter's. The figures are printed in the table "load".
"""

from __future__ import annotations

import os
from pathlib import Path

import load
import local_stack
import pytest
from resilience_support import report

JSONL_RECORDS = int(os.environ.get("RESILIENCE_LOAD_JSONL", "100000"))
INTACCT_RECORDS = int(os.environ.get("RESILIENCE_LOAD_INTACCT", "10000"))
FLAT = 0.15
TABLE = "load (meltano run; RSS sampled every 0.5 s)"
COLUMNS = (
    "pipeline", "records", "seconds", "records/s", "exit", "errors", "process", "first MiB",
    "peak MiB", "last MiB", "last vs first quarter",
)  # fmt: skip


@pytest.fixture(scope="module")
def intacct(installed_plugins: None) -> local_stack.Emulator:
    with local_stack.emulator("intacct-emulator") as running:
        yield running


def measured(result: load.LoadResult) -> None:
    mib = 2**20
    for role, samples in sorted(result.memory.items()):
        values = samples.settled()
        report(
            TABLE,
            COLUMNS,
            (result.pipeline, result.records, f"{result.seconds:.1f}",
             f"{result.per_second:,.0f}", result.returncode, len(result.error_lines), role,
             f"{values[0] / mib:.0f}", f"{max(values) / mib:.0f}", f"{values[-1] / mib:.0f}",
             f"{samples.growth:+.1%}"),
        )  # fmt: skip


def assert_flat(result: load.LoadResult, roles: tuple[str, ...]) -> None:
    assert result.returncode == 0, result.error_lines
    assert result.error_lines == []
    for role in roles:
        assert role in result.memory, f"{role} was never sampled"
        assert abs(result.memory[role].growth) <= FLAT, (role, result.memory[role].growth)


def test_tap_to_jsonl_moves_every_record_with_flat_memory(
    intacct: local_stack.Emulator, tmp_path: Path
) -> None:
    result = load.run_pipeline(intacct, tmp_path, "target-jsonl", JSONL_RECORDS, interval=0.5)
    measured(result)
    files = list((tmp_path / "jsonl-run").glob("customers-*.jsonl"))
    written = sum(1 for path in files for _ in path.open(encoding="utf-8"))
    assert written == result.records
    assert_flat(result, ("tap-intacct", "target-jsonl"))


def test_tap_to_intacct_moves_every_record_with_flat_memory(
    intacct: local_stack.Emulator, tmp_path: Path
) -> None:
    result = load.run_pipeline(intacct, tmp_path, "target-intacct", INTACCT_RECORDS, interval=0.5)
    measured(result)
    copied = intacct.get_json("/_emulator/records/copy/CUSTOMER")["count"]
    assert copied == result.records
    assert local_stack.read_jsonl(tmp_path / "intacct-rejects.jsonl") == []
    assert_flat(result, ("target-intacct",))  # the tap reads 10,000 rows in seconds
