"""`make stack` keeps both emulators and a warehouse up, and the commands it prints work.

The stack runs as a user starts it (`scripts/stack.py --postgres`, what `make stack
STACK=--postgres` runs), on the demo environment's ports; the jobs run exactly as printed, in
the repository's project, with the variables of the env file it wrote.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import local_stack
from local_stack import ROOT

READY = "Ready; Ctrl-C stops everything."
INTACCT_URL = "http://127.0.0.1:8765"  # the demo environment's, as in meltano.yml


def start_stack(env_file: Path) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "stack.py"), "--postgres", "--env-file",
         str(env_file)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=local_stack.meltano_environment(),
    )  # fmt: skip
    printed: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line.rstrip("\n"))
            if line.startswith(READY):
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    ready.wait(300)
    assert READY in printed, "\n".join(printed[-40:])
    return process, printed


def env_from(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_stack_stays_up_and_the_printed_jobs_run_against_it(
    installed_plugins: None, tmp_path: Path
) -> None:
    env_file = tmp_path / "stack.env"
    process, printed = start_stack(env_file)
    try:
        commands = [line.strip() for line in printed if line.strip().startswith(".venv/bin/")]
        assert "  set -a; . " + str(env_file) + "; set +a   # the warehouse's WAREHOUSE_* " \
            "variables" in printed  # fmt: skip
        assert ".venv/bin/meltano --environment=demo run intacct-payments" in commands
        assert ".venv/bin/meltano --environment=demo run intacct-to-warehouse" in commands
        warehouse = env_from(env_file)
        time.sleep(2)  # still up after the banner, not a one-shot
        assert process.poll() is None

        jsonl = ROOT / "output" / "demo" / "jsonl"
        before = set(jsonl.glob("*.jsonl")) if jsonl.is_dir() else set()
        local_stack.meltano("--environment=demo", "run", "intacct-payments", env=warehouse)
        written = {p.name.rsplit("-", 1)[0] for p in set(jsonl.glob("*.jsonl")) - before}
        assert {"ar_payments", "ar_payment_details", "deposits"} <= written, written
        payments = [
            json.loads(line)
            for path in set(jsonl.glob("ar_payments-*.jsonl")) - before
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        assert payments and all(p["RECORDNO"] for p in payments)

        local_stack.meltano("--environment=demo", "run", "intacct-to-warehouse", env=warehouse)
        server = local_stack.Postgres(
            bin_dir=local_stack.postgres_bin_dir(), port=int(warehouse["WAREHOUSE_PORT"])
        )
        (count,) = server.rows("select count(*) from intacct.customers", "warehouse")[0]
        with urllib.request.urlopen(f"{INTACCT_URL}/_emulator/records/demo/CUSTOMER") as answer:
            assert int(count) == len(json.load(answer)["records"])
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert not env_file.exists()  # the warehouse is gone, so is its file
