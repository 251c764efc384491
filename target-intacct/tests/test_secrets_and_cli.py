"""The command line end to end: DEBUG logs, reject and ID-map files never hold a secret; BATCH
messages are written like RECORD messages."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import simplejson
from connector_runtime.progress import read_table
from target_intacct_helpers import (
    SENDER_PASSWORD,
    USER_PASSWORD,
    emulator_records,
    read_jsonl,
    stream_messages,
)


def run_cli(
    config: dict, messages: list[dict], tmp_path: Path, *, debug: bool = True
) -> subprocess.CompletedProcess:
    """`target-intacct` as a subprocess, at DEBUG unless `debug` is false (the default level)."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    stdin = "".join(simplejson.dumps(m, use_decimal=True) + "\n" for m in messages)
    env = {k: v for k, v in os.environ.items() if not k.endswith("LOGLEVEL")}
    if debug:
        env.update({"TARGET_INTACCT_LOGLEVEL": "DEBUG", "LOGLEVEL": "DEBUG"})
    return subprocess.run(
        [sys.executable, "-m", "target_intacct.target", "--config", str(config_path)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_secrets_absent_from_debug_logs_and_files(emulator, company, config, tmp_path):
    records = [
        {"CUSTOMERID": "S-1", "NAME": "Secretive Ltd"},
        # rejected locally (no NAME); its comment happens to contain a password
        {"CUSTOMERID": "S-2", "COMMENTS": f"pw is {USER_PASSWORD}"},
        # rejected by Intacct (unknown field)
        {"CUSTOMERID": "S-3", "NAME": "Bad field", "NOT_A_FIELD": "x"},
    ]
    done = run_cli(config, stream_messages("customers", records), tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    logs = done.stdout + done.stderr
    # DEBUG really is on: the client logs the request bodies it sends
    assert "DEBUG" in logs and "<CUSTOMERID>S-1</CUSTOMERID>" in logs
    counts = read_table(logs.splitlines(), "Summary:")["customers"]
    assert (counts["created"], counts["rejected"]) == ("1", "2")
    files = Path(config["reject_file"]).read_text() + Path(config["id_map_file"]).read_text()
    for secret in (SENDER_PASSWORD, USER_PASSWORD):
        assert secret not in logs
        assert secret not in files
    rejects = {r["key"]["CUSTOMERID"]: r for r in read_jsonl(config["reject_file"])}
    assert set(rejects) == {"S-2", "S-3"}
    assert "***" in rejects["S-2"]["record"]["COMMENTS"]
    assert "NOT_A_FIELD" in rejects["S-3"]["message"]
    assert [r["CUSTOMERID"] for r in emulator_records(emulator, company, "CUSTOMER")] == ["S-1"]


def test_batch_messages_are_written(emulator, company, config, tmp_path):
    """BATCH files (jsonl.gz) go through the same sink as RECORD messages."""
    records = [{"CUSTOMERID": f"B-{n}", "NAME": f"Batch {n}"} for n in range(7)]
    batch_file = tmp_path / "customers-1.jsonl.gz"
    with gzip.open(batch_file, "wt") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    schema = stream_messages("customers", records)[0]
    batch = {
        "type": "BATCH",
        "stream": "customers",
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "manifest": [batch_file.as_uri()],
    }
    done = run_cli(config, [schema, batch], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    stored = sorted(r["CUSTOMERID"] for r in emulator_records(emulator, company, "CUSTOMER"))
    assert stored == sorted(r["CUSTOMERID"] for r in records)
