"""tap-intacct under the emulator's latency model: sequential, pipelined and parallel reads.

Starts `intacct-emulator serve` with N synthetic customers and M journal entry lines, arms the
company's concurrency limit (8, Sage's tier-1 figure for a company), and for each latency
setting and stream runs `tap-intacct` as a subprocess in each mode:

* sequential: `max_concurrency` 1, `pipeline_pages` false (wait for each answer, then convert);
* pipelined: `max_concurrency` 1 (the next page is asked for while one is converted);
* parallel 2, 4, 8: key ranges read at once.

Printed per run: records, wall seconds, the ratio to the sequential run, CPU seconds and
microseconds per record, API calls and peak RSS; beside them the sequential lower bound, the
sum over the stream's pages of the page's latency (base + rows x per-row cost), which a reader
that waits for each answer cannot beat. A bare reader (the same pages fetched with
`intacct_api`, rows read straight from lxml and encoded with msgspec, no SDK, no types) runs
once per stream without latency, for the CPU per record it costs.

    .venv/bin/python benchmarks/tap_intacct_latency.py                      # 1,000,000 + 100,000
    .venv/bin/python benchmarks/tap_intacct_latency.py --journal-lines 100000 --customers 20000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from tap_intacct_sync import BIN, CREDENTIALS, run_measured, start_emulator

PAGE = 2000
COMPANY_LIMIT = 8
# (label, seconds per request, seconds per row read): about 1 s and 0.25 s per 2,000-row page
SETTINGS = {"1s-page": (0.2, 0.0004), "0.25s-page": (0.1, 0.000075)}
MODES = {
    "sequential": {"max_concurrency": 1, "pipeline_pages": False},
    "pipelined": {"max_concurrency": 1},
    "parallel 2": {"max_concurrency": 2},
    "parallel 4": {"max_concurrency": 4},
    "parallel 8": {"max_concurrency": 8},
}
STREAMS = {"journal_entry_lines": "GLENTRY", "customers": "CUSTOMER"}


def post(base_url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base_url + path, data=data, method="POST" if body is not None else "GET",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def catalog_of(config_path: Path, workdir: Path, stream: str) -> tuple[Path, list[str]]:
    discovered = subprocess.run(
        [str(BIN / "tap-intacct"), "--config", str(config_path), "--discover"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    catalog = json.loads(discovered.stdout)
    catalog["streams"] = [s for s in catalog["streams"] if s["tap_stream_id"] == stream]
    for meta in catalog["streams"][0]["metadata"]:
        if meta["breadcrumb"] == []:
            meta["metadata"]["selected"] = True
    path = workdir / f"catalog-{stream}.json"
    path.write_text(json.dumps(catalog))
    fields = [f for f in catalog["streams"][0]["schema"]["properties"] if f != "_sdc_deleted_at"]
    return path, fields


def lower_bound(rows: int, base: float, per_row: float) -> float:
    """Pages x page latency: what waiting for each answer in turn costs at least."""
    pages = max(1, math.ceil(rows / PAGE))
    return pages * base + rows * per_row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journal-lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--settings", default=",".join(SETTINGS), help="latency settings to run")
    parser.add_argument("--modes", default=",".join(MODES), help="modes to run")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared)", flush=True)
    with tempfile.TemporaryDirectory(prefix="tap-latency-") as tmp:
        workdir = Path(tmp)
        print(f"seeding {args.journal_lines:,} journal entry lines and {args.customers:,} "
              "customers ...", flush=True)  # fmt: skip
        emulator, url = start_emulator(
            args.customers, workdir, "--journal-lines", str(args.journal_lines)
        )
        base_url = url.split("/ia/")[0]
        try:
            run_all(args, url, base_url, workdir)
        finally:
            emulator.terminate()
            emulator.wait(timeout=60)
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


def run_all(args: argparse.Namespace, url: str, base_url: str, workdir: Path) -> None:
    config_path = workdir / "config.json"
    line = "{:<20} {:<12} {:>10} {:>8} {:>7} {:>7} {:>7} {:>6} {:>5} {:>9}"
    head = ("stream", "mode", "records", "wall s", "x seq", "bound s", "CPU s", "us/rec",
            "calls", "RSS MiB")  # fmt: skip
    for stream, obj in STREAMS.items():
        base_config = {**CREDENTIALS, "api_url": url, "page_size": PAGE}
        config_path.write_text(json.dumps(base_config))
        catalog, fields = catalog_of(config_path, workdir, stream)
        post(base_url, "/_emulator/config", {"latency_base": 0, "latency_per_row": 0})
        bare = run_measured(
            "floor", [sys.executable, str(Path(__file__).with_name("tap_intacct_sync.py")),
                      "--floor", url, obj, ",".join(fields), str(workdir / "bare.jsonl")],
            workdir / "bare.jsonl", base_url,
        )  # fmt: skip
        rows = bare.records
        print(f"\n{stream}: {rows:,} rows; bare lxml+msgspec reader (no latency): "
              f"{bare.cpu:.1f} CPU s, {bare.cpu * 1e6 / rows:.1f} us/record, "
              f"{bare.rss_mib} MiB", flush=True)  # fmt: skip
        for label in args.settings.split(","):
            base, per_row = SETTINGS[label]
            post(base_url, "/_emulator/config", {"latency_base": base, "latency_per_row": per_row})
            post(base_url, "/_emulator/faults", {"kind": "concurrency", "count": COMPANY_LIMIT})
            bound = lower_bound(rows, base, per_row)
            print(f"latency {label}: {base} s per request + {per_row * 1000:.3f} ms per row; "
                  f"company concurrency limit {COMPANY_LIMIT}", flush=True)  # fmt: skip
            print(line.format(*head), flush=True)
            sequential = None
            for mode in args.modes.split(","):
                config_path.write_text(json.dumps({**base_config, **MODES[mode]}))
                measured = run_measured(
                    "tap", [str(BIN / "tap-intacct"), "--config", str(config_path),
                            "--catalog", str(catalog)],
                    workdir / "tap.stdout", base_url,
                )  # fmt: skip
                if measured.records != rows:
                    raise SystemExit(f"{mode}: {measured.records} records, expected {rows}")
                sequential = sequential or measured.seconds
                print(line.format(
                    stream, mode, f"{measured.records:,}", f"{measured.seconds:.1f}",
                    f"{measured.seconds / sequential:.2f}", f"{bound:.1f}",
                    f"{measured.cpu:.1f}", f"{measured.cpu * 1e6 / rows:.1f}", measured.calls,
                    measured.rss_mib,
                ), flush=True)  # fmt: skip
            clear = urllib.request.Request(base_url + "/_emulator/faults", method="DELETE")
            urllib.request.urlopen(clear, timeout=60).read()


if __name__ == "__main__":
    main()
