"""Fixtures of the resilience suite and the tables of figures printed after the test summary.

The machinery lives in `resilience_support.py` (importable by the test modules).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from resilience_support import (
    COPY,
    INTACCT_BLOCKS,
    MAGENTO_BLOCKS,
    TABLES,
    Baseline,
    compare_copy,
    compare_jsonl,
    intacct_env,
    intacct_requests,
    local_stack,
    magento_env,
    magento_keys,
    magento_requests,
    meltano_run,
    stack,
    tail,
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for title, (columns, rows) in TABLES.items():
        cells = [[str(c) for c in columns], *[[str(v) for v in row] for row in rows]]
        widths = [min(max(len(r[i]) for r in cells), 90) for i in range(len(columns))]
        terminalreporter.write_sep("=", title)
        for index, row in enumerate(cells):
            line = "  ".join(v[:90].ljust(w) for v, w in zip(row, widths, strict=True))
            terminalreporter.write_line(line.rstrip())
            if index == 0:
                terminalreporter.write_line("  ".join("-" * w for w in widths))
    known = [r for r in terminalreporter.stats.get("xfailed", []) if "resilience" in r.nodeid]
    if known:
        terminalreporter.write_sep("=", "resilience: known bugs (strict xfail until fixed)")
        for result in known:
            terminalreporter.write_line(f"{result.nodeid}: {result.wasxfail}")


@pytest.fixture(scope="session")
def baseline(installed_plugins: None, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """Both pipelines once without faults; they must already land everything exactly."""
    with stack(tmp_path_factory.mktemp("baseline")) as running:
        completed = meltano_run(intacct_env(running, "baseline"), *INTACCT_BLOCKS)
        assert completed.returncode == 0, tail(completed.stdout + completed.stderr)
        tally = compare_copy(running)
        tally.add(compare_jsonl(running, [running.workdir / "jsonl-baseline"]))
        assert (tally.lost, tally.duplicated) == (0, 0), tally.details
        rejects = local_stack.read_jsonl(running.workdir / "intacct-rejects.jsonl")
        assert rejects == [], rejects
        demo_requests = intacct_requests(running.intacct, "demo")
        copy_requests = intacct_requests(running.intacct, COPY)
        completed = meltano_run(magento_env(running, "baseline"), *MAGENTO_BLOCKS)
        assert completed.returncode == 0, tail(completed.stdout + completed.stderr)
        dump = running.magento.get_json("/_emulator/dump")
        expected = magento_keys(dump)
        for kind, keys in expected.items():
            assert keys and max(keys.values()) == 1, (kind, keys)
        return Baseline(
            demo_requests,
            copy_requests,
            magento_requests(running.magento),
            expected,
            len(local_stack.read_jsonl(running.workdir / "magento-rejects.jsonl")),
            intacct_requests(running.intacct, "demo") - demo_requests,
        )
