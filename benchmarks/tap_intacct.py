"""tap-intacct throughput and memory against the Intacct emulator, next to a floor.

Starts `intacct-emulator serve --records N` (synthetic customers), runs `tap-intacct` as a
subprocess on the `customers` stream, then runs the floor: the same `query` pages (same fields,
same keyset filters, same page size) fetched with the protocol client, rows read straight from
lxml and written as JSON lines, with no SDK and no type conversion. Prints records per second,
API calls (from `/_emulator/stats`) and peak RSS of each process.

    .venv/bin/python benchmarks/tap_intacct.py                  # 100,000 customers
    .venv/bin/python benchmarks/tap_intacct.py --records 1000000  # memory stays flat
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
CREDENTIALS = {
    "sender_id": "demo_sender",
    "sender_password": "demo_sender_password",
    "company_id": "demo",
    "user_id": "demo_user",
    "user_password": "demo_user_password",
}


def admin(base_url: str, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(base_url + path, timeout=60) as answer:
        return json.loads(answer.read())


def start_emulator(records: int, workdir: Path) -> tuple[subprocess.Popen[str], str]:
    command = [str(BIN / "intacct-emulator"), "serve", "--port", "0", "--records", str(records)]
    if records > 200_000:
        command += ["--db", str(workdir / "emulator.db")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "http" not in line:
        process.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


def run_measured(command: list[str], stdout_path: Path) -> tuple[float, float, int]:
    """Run a command, stdout to a file: wall seconds, CPU seconds, peak RSS in MiB (wait4)."""
    with stdout_path.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def count_records(path: Path) -> int:
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.startswith(b'{"type":"RECORD"'))


def floor(url: str, fields: list[str], page_size: int, out_path: str) -> None:
    """The same pages as the tap, rows from lxml straight to JSON lines (run as a subprocess)."""
    from intacct_api import functions
    from intacct_api.client import Credentials, IntacctClient

    client = IntacctClient(Credentials(**CREDENTIALS), url)
    filter_ = None
    order_by = [("WHENMODIFIED", True), ("RECORDNO", True)]
    dumps = json.dumps
    with open(out_path, "w", encoding="utf-8") as out:
        while True:
            function = functions.query(
                "CUSTOMER", fields, filter=filter_, order_by=order_by, page_size=page_size
            )
            result = client.call(function)
            last = None
            for row in result.data if result.data is not None else ():
                last = {child.tag: child.text for child in row}
                out.write(dumps(last))
                out.write("\n")
            if last is None or not result.num_remaining:
                break
            stamp, recordno = last["WHENMODIFIED"], last["RECORDNO"]
            filter_ = functions.or_(
                functions.gt("WHENMODIFIED", stamp),
                functions.and_(
                    functions.eq("WHENMODIFIED", stamp), functions.gt("RECORDNO", recordno)
                ),
            )


def customers_catalog(config_path: Path, workdir: Path) -> tuple[Path, list[str]]:
    discovered = subprocess.run(
        [str(BIN / "tap-intacct"), "--config", str(config_path), "--discover"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    catalog = json.loads(discovered.stdout)
    catalog["streams"] = [s for s in catalog["streams"] if s["tap_stream_id"] == "customers"]
    for meta in catalog["streams"][0]["metadata"]:
        if meta["breadcrumb"] == []:
            meta["metadata"]["selected"] = True
    path = workdir / "catalog.json"
    path.write_text(json.dumps(catalog))
    fields = [f for f in catalog["streams"][0]["schema"]["properties"] if f != "_sdc_deleted_at"]
    return path, fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument(
        "--floor", nargs=3, metavar=("URL", "FIELDS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.floor:
        url, fields, out = args.floor
        floor(url, fields.split(","), args.page_size, out)
        return

    with tempfile.TemporaryDirectory(prefix="tap-intacct-bench-") as tmp:
        workdir = Path(tmp)
        print(f"seeding {args.records:,} customers ...", flush=True)
        emulator, url = start_emulator(args.records, workdir)
        base_url = url.split("/ia/")[0]
        try:
            config_path = workdir / "config.json"
            config_path.write_text(json.dumps({**CREDENTIALS, "api_url": url,
                                               "page_size": args.page_size}))  # fmt: skip
            catalog_path, fields = customers_catalog(config_path, workdir)

            before = admin(base_url, "/_emulator/stats")["requests"]
            tap_out = workdir / "tap.jsonl"
            tap_seconds, tap_cpu, tap_rss = run_measured(
                [str(BIN / "tap-intacct"), "--config", str(config_path),
                 "--catalog", str(catalog_path)], tap_out,
            )  # fmt: skip
            tap_calls = admin(base_url, "/_emulator/stats")["requests"] - before
            tap_records = count_records(tap_out)

            before = admin(base_url, "/_emulator/stats")["requests"]
            floor_out = workdir / "floor.jsonl"
            floor_seconds, floor_cpu, floor_rss = run_measured(
                [sys.executable, __file__, "--page-size", str(args.page_size),
                 "--floor", url, ",".join(fields), str(floor_out)], workdir / "floor.stdout",
            )  # fmt: skip
            floor_calls = admin(base_url, "/_emulator/stats")["requests"] - before
            with floor_out.open("rb") as lines:
                floor_records = sum(1 for _ in lines)
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)

    tap_rate, floor_rate = tap_records / tap_seconds, floor_records / floor_seconds
    header = ("", "records", "seconds", "records/s", "CPU s", "API calls", "peak RSS MiB")
    line = "{:<6} {:>10} {:>8} {:>10} {:>7} {:>9} {:>12}"
    print(line.format(*header))
    for name, records, seconds, rate, cpu, calls, rss in (
        ("tap", tap_records, tap_seconds, tap_rate, tap_cpu, tap_calls, tap_rss),
        ("floor", floor_records, floor_seconds, floor_rate, floor_cpu, floor_calls, floor_rss),
    ):
        print(line.format(name, f"{records:,}", f"{seconds:.1f}", f"{rate:,.0f}", f"{cpu:.1f}",
                          calls, rss))  # fmt: skip
    print(f"tap / floor: {tap_rate / floor_rate:.0%} of the floor's records per second; "
          f"CPU per record: floor / tap = {floor_cpu / tap_cpu:.0%}")  # fmt: skip
    if tap_records != floor_records or tap_records < args.records:
        raise SystemExit(f"the tap emitted {tap_records} records, the floor {floor_records}")


if __name__ == "__main__":
    main()
