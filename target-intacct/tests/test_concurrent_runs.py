"""Two `target-intacct` processes at once on the same customers: each lands once, and the run
whose creates lost the race counts them unchanged, not created, over XML and REST."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from connector_runtime.progress import read_table
from target_intacct_helpers import (
    base_config,
    emulator_records,
    read_jsonl,
    rest_config,
    stream_messages,
)

COUNT = 500


@pytest.fixture
def slow_emulator(emulator):
    """Every answer waits 0.3 s, so both runs look their customers up before either writes."""
    url = emulator.base_url + "/_emulator/config"
    before = requests.get(url, timeout=10).json()["latency_base"]
    requests.post(url, json={"latency_base": 0.3}, timeout=10).raise_for_status()
    yield emulator
    requests.post(url, json={"latency_base": before}, timeout=10).raise_for_status()


def counts(log: str) -> dict[str, int]:
    """The customers row of the run's summary table."""
    row = read_table(log.splitlines(), "Summary:")["customers"]
    return {name: int(number) for name, number in row.items()}


@pytest.mark.parametrize("transport", ["xml", "rest"])
def test_two_runs_at_once_create_each_customer_once_and_say_so(
    slow_emulator, company, tmp_path, transport
):
    records = [{"CUSTOMERID": f"RACE-{n:04d}", "NAME": f"Race {n}"} for n in range(COUNT)]
    stdin = "".join(
        json.dumps(message) + "\n"
        for message in stream_messages("customers", records, ["CUSTOMERID"])
    )
    make_config = rest_config if transport == "rest" else base_config
    processes = []
    for number in (1, 2):
        folder = tmp_path / f"run-{number}"
        folder.mkdir()
        config = make_config(slow_emulator, company, folder, request_timeout=30)
        (folder / "config.json").write_text(json.dumps(config))
        command = [sys.executable, "-m", "target_intacct.target", "--config"]
        processes.append(
            subprocess.Popen(
                [*command, str(folder / "config.json")],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "LOGLEVEL": "INFO"},
            )
        )
    for process in processes:  # both are running before either reads its input
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.close()
    with ThreadPoolExecutor(2) as pool:  # read both logs as they come: neither pipe fills up
        logs = list(pool.map(lambda process: process.stderr.read(), processes))
    for process, log in zip(processes, logs, strict=True):
        assert process.wait(timeout=300) == 0, log[-3000:]

    ids = Counter(r["CUSTOMERID"] for r in emulator_records(slow_emulator, company, "CUSTOMER"))
    assert sorted(ids) == sorted(r["CUSTOMERID"] for r in records)
    assert set(ids.values()) == {1}
    first, second = (counts(log) for log in logs)
    assert first["created"] + second["created"] == COUNT
    for summary in (first, second):
        assert summary["created"] + summary["unchanged"] == COUNT
        assert summary["rejected"] == summary["skipped"] == summary["pending"] == 0
    for number in (1, 2):
        assert read_jsonl(tmp_path / f"run-{number}" / "rejects.jsonl") == []
