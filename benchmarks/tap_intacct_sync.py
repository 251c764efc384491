"""tap-intacct throughput and memory against the Intacct emulator, next to a floor.

Starts `intacct-emulator serve --records N` (synthetic customers), runs `tap-intacct` as a
subprocess on the `customers` stream, then runs the floor: the same `query` pages (same fields,
same keyset filters, same page size) fetched with the protocol client, rows read straight from
lxml and encoded with msgspec, with no SDK and no type conversion. Prints records per second,
API calls (from `/_emulator/stats`) and peak RSS of each process.

    .venv/bin/python benchmarks/tap_intacct_sync.py                  # 100,000 customers
    .venv/bin/python benchmarks/tap_intacct_sync.py --records 1000000 --rounds 1  # flat memory
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from processes import run_measured_process, start_server

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


def start_emulator(records: int, workdir: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """`intacct-emulator serve` with `records` customers (more `options` passed on)."""
    command = [str(BIN / "intacct-emulator"), "serve", "--port", "0", "--records", str(records)]
    if records > 200_000 or "--journal-lines" in options:
        command += ["--db", str(workdir / "emulator.db")]
    command += options
    return start_server(command, "the emulator")


@dataclass
class Measure:
    """One run of the tap or the floor."""

    name: str
    records: int
    seconds: float
    cpu: float
    rss_mib: int
    calls: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def run_measured(name: str, command: list[str], output: Path, base_url: str) -> Measure:
    """Run a command with stdout to `output`; wall and CPU seconds and peak RSS from wait4."""
    before = admin(base_url, "/_emulator/stats")["requests"]
    usage = run_measured_process(command, output.parent / f"{name}.stdout")
    calls = admin(base_url, "/_emulator/stats")["requests"] - before
    with output.open("rb") as lines:  # the tap writes Singer messages, the floor bare rows
        records = sum(
            1 for line in lines if name == "floor" or line.startswith(b'{"type":"RECORD"')
        )
    return Measure(name, records, usage.seconds, usage.cpu, usage.rss_mib, calls)


def floor(url: str, obj: str, fields: list[str], page_size: int, out_path: str) -> None:
    """The same pages as the tap, rows from lxml encoded with msgspec (run as a subprocess)."""
    import msgspec
    from intacct_api import functions
    from intacct_api.client import Credentials, IntacctClient

    client = IntacctClient(Credentials(**CREDENTIALS), url)
    encode = msgspec.json.Encoder().encode
    filter_ = None
    order_by = [("WHENMODIFIED", True), ("RECORDNO", True)]
    with open(out_path, "wb") as out:
        while True:
            function = functions.query(obj, fields, filter=filter_, order_by=order_by,
                                       page_size=page_size, show_private=True)  # fmt: skip
            result = client.call(function)
            last = None
            for row in result.data if result.data is not None else ():
                last = {child.tag: child.text for child in row}
                out.write(encode(last))
                out.write(b"\n")
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
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternating")
    parser.add_argument(
        "--floor", nargs=4, metavar=("URL", "OBJECT", "FIELDS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.floor:
        url, obj, fields, out = args.floor
        floor(url, obj, fields.split(","), args.page_size, out)
        return

    with tempfile.TemporaryDirectory(prefix="tap-intacct-bench-") as tmp:
        workdir = Path(tmp)
        print(f"seeding {args.records:,} customers ...", flush=True)
        emulator, url = start_emulator(args.records, workdir)
        base_url = url.split("/ia/")[0]
        try:
            config_path = workdir / "config.json"
            # One request at a time, as the floor reads: parallel reads under latency are
            # measured by tap_intacct_latency.py.
            config_path.write_text(json.dumps({**CREDENTIALS, "api_url": url, "max_concurrency": 1,
                                               "page_size": args.page_size}))  # fmt: skip
            catalog_path, fields = customers_catalog(config_path, workdir)

            commands = {
                "tap": [str(BIN / "tap-intacct"), "--config", str(config_path),
                        "--catalog", str(catalog_path)],
                "floor": [sys.executable, __file__, "--page-size", str(args.page_size), "--floor",
                          url, "CUSTOMER", ",".join(fields), str(workdir / "floor.jsonl")],
            }  # fmt: skip
            outputs = {"tap": workdir / "tap.stdout", "floor": workdir / "floor.jsonl"}
            runs: list[Measure] = []
            for round_number in range(args.rounds):
                # Alternate the order: the emulator's caches warm up on the first read.
                order = ["tap", "floor"] if round_number % 2 else ["floor", "tap"]
                runs += [run_measured(n, commands[n], outputs[n], base_url) for n in order]
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)

    best = {name: max((r for r in runs if r.name == name), key=lambda r: r.rate)
            for name in ("tap", "floor")}  # fmt: skip
    line = "{:<6} {:>10} {:>8} {:>10} {:>7} {:>9} {:>12}"
    print(f"best of {args.rounds} round(s) each:")
    print(line.format("", "records", "seconds", "records/s", "CPU s", "API calls", "peak RSS MiB"))
    for run in best.values():
        print(line.format(run.name, f"{run.records:,}", f"{run.seconds:.1f}", f"{run.rate:,.0f}",
                          f"{run.cpu:.1f}", run.calls, run.rss_mib))  # fmt: skip
    tap, floor_run = best["tap"], best["floor"]
    print(f"tap / floor: {tap.rate / floor_run.rate:.0%} of the floor's records per second; "
          f"CPU per record, floor / tap: {floor_run.cpu / tap.cpu:.0%}")  # fmt: skip
    if tap.records != floor_run.records or tap.records < args.records:
        raise SystemExit(f"the tap emitted {tap.records} records, the floor {floor_run.records}")


if __name__ == "__main__":
    main()
