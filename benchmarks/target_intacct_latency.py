"""target-intacct under the emulator's latency model: write requests one at a time or in parallel.

Starts `intacct-emulator serve`, and for each latency setting writes N customers and M two-line
AR invoices (their customers and GL account written first, untimed) into a new company per
run, running `target-intacct` as a subprocess with `max_concurrency` 1 (sequential), 2, 4 and 8.
Printed per run: records, wall seconds, the ratio to the sequential run, the sequential lower
bound (every request's latency in turn: the write requests of `batch_size` records and the
look-ups of `records_per_lookup`), CPU seconds, API calls and peak RSS. Every run is checked:
each record written exactly once, none rejected.

    .venv/bin/python benchmarks/target_intacct_latency.py            # 100,000 and 20,000
    .venv/bin/python benchmarks/target_intacct_latency.py --customers 10000 --invoices 2000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import simplejson
from tap_intacct_latency import BIN, CREDENTIALS, post
from tap_intacct_sync import run_measured, start_emulator

# (label, seconds per request, per row read, per record written)
SETTINGS = {"1s-page": (0.2, 0.0004, 0.002), "0.25s-page": (0.1, 0.000075, 0.0005)}
CONCURRENCY = (1, 2, 4, 8)
BATCH = 100  # functions per write request (target-intacct's default)
LOOKUP = 1000  # records per look-up query (its default)
INVOICE_CUSTOMERS = 2000


def messages(stream: str, records: list[dict[str, Any]], keys: list[str]) -> str:
    properties = {name: {} for record in records[:1] for name in record}
    lines = [{"type": "SCHEMA", "stream": stream, "key_properties": keys,
              "schema": {"type": "object", "properties": properties}}]  # fmt: skip
    lines += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    return "".join(simplejson.dumps(m, use_decimal=True) + "\n" for m in lines)


def customers(count: int, prefix: str = "B") -> list[dict[str, Any]]:
    return [
        {"CUSTOMERID": f"{prefix}-{n:06d}", "NAME": f"Benchmark customer {n}",
         "DISPLAYCONTACT.EMAIL1": f"c{n}@bench.example", "CREDITLIMIT": Decimal("1000.00")}
        for n in range(count)
    ]  # fmt: skip


def invoices(count: int) -> list[dict[str, Any]]:
    return [
        {"RECORDNO": n + 1, "RECORDID": f"BI-{n:06d}",
         "CUSTOMERID": f"IC-{n % INVOICE_CUSTOMERS:06d}", "WHENCREATED": "2026-10-01",
         "DESCRIPTION": f"Benchmark invoice {n}",
         "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": Decimal("100.10")},
                            {"ACCOUNTNO": "4000", "AMOUNT": Decimal("0.05")}]}
        for n in range(count)
    ]  # fmt: skip


def lower_bound(records: int, base: float, per_record: float) -> float:
    """Every write request and look-up in turn (look-ups of a new company find nothing)."""
    writes = math.ceil(records / BATCH) * base + records * per_record
    return writes + math.ceil(records / LOOKUP) * base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--settings", default=",".join(SETTINGS))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared)", flush=True)
    with tempfile.TemporaryDirectory(prefix="target-latency-") as tmp:
        workdir = Path(tmp)
        emulator, url = start_emulator(0, workdir)
        try:
            run_all(args, url, workdir)
        finally:
            emulator.terminate()
            emulator.wait(timeout=60)
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


def run_target(url: str, workdir: Path, company: str, text_path: Path, *, concurrency: int) -> Any:
    config = {**CREDENTIALS, "company_id": company, "api_url": url, "max_concurrency": concurrency,
              "validate_records": False, "reject_file": str(workdir / f"{company}.rejects"),
              "pending_file": str(workdir / f"{company}.pending")}  # fmt: skip
    config_path = workdir / f"{company}.json"
    config_path.write_text(json.dumps(config))
    command = ["sh", "-c", f'exec "{BIN / "target-intacct"}" --config "{config_path}" '
               f'< "{text_path}"']  # fmt: skip
    base_url = url.split("/ia/", maxsplit=1)[0]
    measured = run_measured("floor", command, workdir / "floor.stdout", base_url)  # no records
    rejects = workdir / f"{company}.rejects"
    if rejects.exists() and rejects.read_text().strip():
        raise SystemExit(f"{company}: records were rejected: {rejects.read_text()[:500]}")
    return measured


def stored_count(url: str, company: str, obj: str) -> int:
    """How many records of `obj` the company holds (one aggregate query)."""
    from intacct_api import functions
    from intacct_api.client import Credentials, IntacctClient

    with IntacctClient(Credentials(**{**CREDENTIALS, "company_id": company}), url) as client:
        result = client.call(functions.query(obj, [("count", "RECORDNO")]))
    return int(next(iter(result.records()[0].values())))


def run_all(args: argparse.Namespace, url: str, workdir: Path) -> None:
    base_url = url.split("/ia/", maxsplit=1)[0]
    account = messages("gl_accounts", [{"ACCOUNTNO": "4000", "TITLE": "Sales",
                                        "ACCOUNTTYPE": "incomestatement"}], [])  # fmt: skip
    setup = workdir / "setup.jsonl"
    setup.write_text(account + messages("customers", customers(INVOICE_CUSTOMERS, "IC"), []))
    datasets = {
        "customers": (workdir / "customers.jsonl", "CUSTOMER", args.customers),
        "ar_invoices": (workdir / "invoices.jsonl", "ARINVOICE", args.invoices),
    }
    datasets["customers"][0].write_text(messages("customers", customers(args.customers), []))
    datasets["ar_invoices"][0].write_text(
        messages("ar_invoices", invoices(args.invoices), ["RECORDNO"])
    )
    line = "{:<12} {:<11} {:>9} {:>8} {:>6} {:>8} {:>7} {:>6} {:>8}"
    for label in args.settings.split(","):
        base, per_row, per_record = SETTINGS[label]
        print(f"\nlatency {label}: {base} s per request, {per_row * 1000:.3f} ms per row read, "
              f"{per_record * 1000:.1f} ms per record written; batch_size {BATCH}",
              flush=True)  # fmt: skip
        print(line.format("stream", "mode", "records", "wall s", "x seq", "bound s", "CPU s",
                          "calls", "RSS MiB"), flush=True)  # fmt: skip
        for stream, (path, obj, count) in datasets.items():
            sequential = None
            for concurrency in CONCURRENCY:
                company = f"bench_{uuid.uuid4().hex[:8]}"
                if stream == "ar_invoices":  # customers and the account first, untimed
                    post(base_url, "/_emulator/config", {"latency_base": 0, "latency_per_row": 0,
                                                         "latency_per_record": 0})  # fmt: skip
                    run_target(url, workdir, company, setup, concurrency=8)
                post(base_url, "/_emulator/config", {"latency_base": base,
                     "latency_per_row": per_row, "latency_per_record": per_record})  # fmt: skip
                post(base_url, "/_emulator/faults",
                     {"kind": "concurrency", "count": 8, "company": company})  # fmt: skip
                measured = run_target(url, workdir, company, path, concurrency=concurrency)
                stored = stored_count(url, company, obj)
                if stored != count:
                    raise SystemExit(f"{stream} x{concurrency}: {stored} stored, not {count}")
                sequential = sequential or measured.seconds
                mode = "sequential" if concurrency == 1 else f"parallel {concurrency}"
                print(line.format(
                    stream, mode, f"{count:,}", f"{measured.seconds:.1f}",
                    f"{measured.seconds / sequential:.2f}",
                    f"{lower_bound(count, base, per_record):.1f}", f"{measured.cpu:.1f}",
                    measured.calls, measured.rss_mib,
                ), flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
