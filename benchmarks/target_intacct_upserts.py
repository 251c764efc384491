"""Throughput of target-intacct against the Intacct emulator (run as `intacct-emulator serve`).

Upserts 10,000 customers twice (the first pass creates them, the second updates them) and then
5,000 two-line AR invoices, and prints records per second and HTTP requests per 1,000 records
for each pass, and the CPU the target itself spent (the rest of the wall time is the emulator).
Run: `.venv/bin/python benchmarks/target_intacct_upserts.py [--customers N --invoices N]`.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import simplejson
from target_intacct.target import TargetIntacct

COMPANY = "bench"


def start_emulator() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "intacct-emulator"), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if "listening on" not in line:
        process.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


def requests_so_far(url: str) -> int:
    base = url.split("/ia/", maxsplit=1)[0]
    with urllib.request.urlopen(base + "/_emulator/stats") as response:
        return json.loads(response.read())["companies"].get(COMPANY, 0)


def messages(stream: str, records: list[dict[str, Any]]) -> str:
    properties = {name: {} for record in records[:1] for name in record}
    lines = [{"type": "SCHEMA", "stream": stream, "key_properties": [],
              "schema": {"type": "object", "properties": properties}}]  # fmt: skip
    lines += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    return "".join(simplejson.dumps(m, use_decimal=True) + "\n" for m in lines)


def run(config: dict[str, Any], text: str, label: str, count: int, url: str) -> None:
    before = requests_so_far(url)
    started, cpu_started = time.perf_counter(), time.process_time()
    target = TargetIntacct(config=config)
    target.listen(io.StringIO(text))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    requests = requests_so_far(url) - before
    rejected = sum(c.get("rejected", 0) for c in target.report.counts.values())
    print(
        f"{label:<34} {count:>6} records  {count / seconds:>8.0f} records/s  "
        f"{requests * 1000 / count:>5.1f} requests per 1,000 records  "
        f"target CPU {cpu * 1000 / count:.2f} ms/record  (rejected: {rejected})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=5_000)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    process, url = start_emulator()
    try:
        with TemporaryDirectory() as tmp:
            config = {
                "sender_id": "demo_sender", "sender_password": "demo_sender_password",
                "company_id": COMPANY, "user_id": "demo_user",
                "user_password": "demo_user_password", "api_url": url,
                "reject_file": f"{tmp}/rejects.jsonl", "validate_records": False,
            }  # fmt: skip
            accounts = [{"ACCOUNTNO": "4000", "TITLE": "Sales"}]
            TargetIntacct(config=config).listen(io.StringIO(messages("gl_accounts", accounts)))
            customers = [
                {"CUSTOMERID": f"B-{n:05d}", "NAME": f"Benchmark customer {n}",
                 "DISPLAYCONTACT.EMAIL1": f"c{n}@bench.example", "CREDITLIMIT": Decimal("1000.00")}
                for n in range(args.customers)
            ]  # fmt: skip
            run(config, messages("customers", customers), "customers upsert (creates)",
                len(customers), url)  # fmt: skip
            for customer in customers:
                customer["NAME"] += " (renamed)"
            run(config, messages("customers", customers), "customers upsert (updates)",
                len(customers), url)  # fmt: skip
            invoices = [
                {"RECORDID": f"BI-{n:05d}", "CUSTOMERID": f"B-{n % args.customers:05d}",
                 "WHENCREATED": "2026-10-01", "DESCRIPTION": f"Benchmark invoice {n}",
                 "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": Decimal("100.10")},
                                    {"ACCOUNTNO": "4000", "AMOUNT": Decimal("0.05")}]}
                for n in range(args.invoices)
            ]  # fmt: skip
            run(config, messages("ar_invoices", invoices), "ar_invoices upsert (creates)",
                len(invoices), url)  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
