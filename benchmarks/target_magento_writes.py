"""target-magento throughput: records per second and HTTP requests per 1,000 records.

Starts `magento-emulator serve` in a subprocess (empty shop), then loads 10,000 customers and
10,000 products through the target in this process: created one request per record, then run
again (everything unchanged), then created again in an empty shop through the bulk API.

    .venv/bin/python benchmarks/target_magento_writes.py [--records 10000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from magento_api import encode_json
from target_magento.target import TargetMagento

STATES = ("CA", "NY", "TX", "WA", "IL", "MA", "OR", "FL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_emulator(port: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [str(Path(sys.executable).with_name("magento-emulator")), "serve"]
    command += ["--port", str(port), "--seed", "none"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    credentials: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        name, _, value = line.strip().partition(": ")
        credentials[name] = value
        if name == "access token secret":
            break
    return process, credentials


def admin(base_url: str, method: str, path: str) -> dict:
    data = b"{}" if method == "POST" else None
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def customers(count: int) -> list[dict]:
    return [
        {
            "RECORDNO": n,
            "CUSTOMERID": f"C-{n:06d}",
            "NAME": f"Bench Customer {n}",
            "STATUS": "active",
            "DISPLAYCONTACT.FIRSTNAME": "Bench",
            "DISPLAYCONTACT.LASTNAME": f"Customer {n}",
            "DISPLAYCONTACT.EMAIL1": f"customer{n}@bench.example",
            "DISPLAYCONTACT.PHONE1": f"+1 555 {n:07d}",
            "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": f"{n} Benchmark Road",
            "DISPLAYCONTACT.MAILADDRESS.CITY": "Springfield",
            "DISPLAYCONTACT.MAILADDRESS.STATE": STATES[n % len(STATES)],
            "DISPLAYCONTACT.MAILADDRESS.ZIP": f"{10000 + n % 89999}",
            "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": "US",
        }
        for n in range(1, count + 1)
    ]


def items(count: int) -> list[dict]:
    return [
        {
            "RECORDNO": n,
            "ITEMID": f"SKU-{n:06d}",
            "NAME": f"Bench item {n % 500}",  # names repeat: url keys must still be unique
            "STATUS": "active",
            "ITEMTYPE": "Inventory",
            "BASEPRICE": Decimal(n % 10000) / 100 + Decimal("0.99"),
            "SHIP_WEIGHT": Decimal("1.25"),
        }
        for n in range(1, count + 1)
    ]


def messages(stream: str, records: list[dict]) -> str:
    properties = {
        name: {"type": ["null", "number" if isinstance(value, Decimal | int) else "string"]}
        for name, value in records[0].items()
    }
    schema = {"type": "object", "properties": properties}
    lines = [{"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": ["RECORDNO"]}]
    lines += [{"type": "RECORD", "stream": stream, "record": record} for record in records]
    return "".join(encode_json(line).decode() + "\n" for line in lines)


def run(config: dict, base_url: str, *, label: str, stream: str, text: str, count: int) -> None:
    admin(base_url, "POST", "/_emulator/stats/reset")
    target = TargetMagento(config=config)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        target.process_lines(io.StringIO(text))
        target.process_endofpipe()
    elapsed = time.perf_counter() - started
    requests = admin(base_url, "GET", "/_emulator/stats")["total"]
    counts = target.loader.run.summary.as_dict()[stream]
    outcome = ", ".join(f"{name} {value}" for name, value in counts.items() if value)
    print(
        f"{label:<34} {count / elapsed:>9,.0f} rec/s   {requests * 1000 / count:>8.1f} "
        f"requests/1,000 records   ({outcome}; {elapsed:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    process, credentials = start_emulator(port)
    folder = Path(tempfile.mkdtemp(prefix="bench-target-magento-"))
    try:
        base_url = f"http://127.0.0.1:{port}"
        config = {
            "base_url": base_url,
            "consumer_key": credentials["consumer key"],
            "consumer_secret": credentials["consumer secret"],
            "access_token": credentials["access token"],
            "access_token_secret": credentials["access token secret"],
            "max_concurrency": args.concurrency,
            "reject_file": str(folder / "rejects.jsonl"),
            "id_map_file": str(folder / "id-map.json"),
            "pending_invoices_file": str(folder / "pending.json"),
        }
        count = args.records
        print(f"target-magento, {count:,} records per stream, {args.concurrency} workers")
        customer_text = messages("customers", customers(count))
        item_text = messages("items", items(count))
        one_by_one = {**config, "use_bulk_api": False}
        bulk = {**config, "use_bulk_api": True}
        phases = (
            ("customers, first run (POST each)", one_by_one, "customers", customer_text),
            ("customers, re-run (unchanged)", one_by_one, "customers", customer_text),
            ("customers, first run (bulk API)", bulk, "customers", None),
            ("products, first run (PUT each)", one_by_one, "items", item_text),
            ("products, re-run (unchanged)", one_by_one, "items", item_text),
            ("products, first run (bulk API)", bulk, "items", None),
        )
        for label, settings, stream, given in phases:
            phase_config = settings
            if given is None:  # an empty shop and a fresh ID map for the bulk load
                admin(base_url, "POST", "/_emulator/reset")
                phase_config = {**settings, "id_map_file": str(folder / f"{stream}-bulk.json")}
            text = given or (customer_text if stream == "customers" else item_text)
            run(phase_config, base_url, label=label, stream=stream, text=text, count=count)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
