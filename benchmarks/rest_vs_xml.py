"""The REST API against the XML gateway, both plugins, one emulator, one run.

Starts `intacct-emulator serve --records N` (synthetic customers in company `demo`), then:

* tap-intacct reads the `customers` stream over `transport: xml` and over `transport: rest`
  (each transport's largest page: 2000 rows over XML, 4000 over REST), as subprocesses,
  alternating for `--rounds` rounds: records/s, CPU, HTTP requests and peak RSS, best of each;
* target-intacct upserts `--writes` customers into an empty company over each transport (a
  first pass creating them, a second updating them): records/s and requests per 1,000 records.

    .venv/bin/python benchmarks/rest_vs_xml.py                 # 100,000 read, 10,000 written
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from tap_intacct_sync import BIN, CREDENTIALS, Measure, customers_catalog, run_measured
from tap_intacct_sync import start_emulator as start_seeded_emulator
from target_intacct_upserts import COMPANY, messages, run

REST_CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}


def tap_configs(url: str, workdir: Path) -> dict[str, Path]:
    """One config file per transport (REST alone: no XML credentials beside it)."""
    rest_url = url.split("/ia/", maxsplit=1)[0] + "/ia/api/v1"
    configs = {
        "xml": {**CREDENTIALS, "api_url": url},
        "rest": {"transport": "rest", "company_id": "demo", "user_id": "demo_user",
                 **REST_CLIENT, "rest_url": rest_url},
    }  # fmt: skip
    paths = {}
    for name, config in configs.items():
        paths[name] = workdir / f"{name}.json"
        paths[name].write_text(json.dumps(config))
    return paths


def read_both(url: str, workdir: Path, rounds: int) -> list[Measure]:
    base_url = url.split("/ia/", maxsplit=1)[0]
    configs = tap_configs(url, workdir)
    catalog, _ = customers_catalog(configs["xml"], workdir)
    runs = []
    for round_number in range(rounds):
        order = ["rest", "xml"] if round_number % 2 else ["xml", "rest"]
        for name in order:
            command = [str(BIN / "tap-intacct"), "--config", str(configs[name]),
                       "--catalog", str(catalog)]  # fmt: skip
            runs.append(run_measured(name, command, workdir / f"{name}.stdout", base_url))
    return runs


def write_both(url: str, workdir: Path, count: int) -> None:
    base_url = url.split("/ia/", maxsplit=1)[0]
    customers = [
        {"CUSTOMERID": f"B-{n:06d}", "NAME": f"Benchmark customer {n}",
         "DISPLAYCONTACT.EMAIL1": f"c{n}@bench.example", "CREDITLIMIT": Decimal("1000.00")}
        for n in range(count)
    ]  # fmt: skip
    for transport in ("xml", "rest"):
        config = {
            **CREDENTIALS, "company_id": COMPANY, "api_url": url, "validate_records": False,
            "reject_file": str(workdir / f"{transport}-rejects.jsonl"),
        }  # fmt: skip
        if transport == "rest":
            config = {"company_id": COMPANY, "user_id": "demo_user", **REST_CLIENT,
                      "transport": "rest", "rest_url": base_url + "/ia/api/v1",
                      "validate_records": False,
                      "reject_file": config["reject_file"]}  # fmt: skip
        run(config, messages("customers", customers), f"{transport}: customers (creates)",
            count, url)  # fmt: skip
        renamed = [{**c, "NAME": c["NAME"] + " (renamed)"} for c in customers]
        run(config, messages("customers", renamed), f"{transport}: customers (updates)",
            count, url)  # fmt: skip
        # the next transport writes into an empty company again
        for c in customers:
            c["CUSTOMERID"] = c["CUSTOMERID"].replace("B-", "R-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2, help="tap runs of each, alternating")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory(prefix="rest-vs-xml-") as tmp:
        workdir = Path(tmp)
        print(f"seeding {args.records:,} customers ...", flush=True)
        emulator, url = start_seeded_emulator(args.records, workdir)
        try:
            runs = read_both(url, workdir, args.rounds)
            best = {name: max((r for r in runs if r.name == name), key=lambda r: r.rate)
                    for name in ("xml", "rest")}  # fmt: skip
            line = "{:<12} {:>10} {:>8} {:>10} {:>7} {:>9} {:>12}"
            print(f"tap-intacct, customers, best of {args.rounds} round(s) each:")
            print(line.format("", "records", "seconds", "records/s", "CPU s", "requests",
                              "peak RSS MiB"))  # fmt: skip
            for measure in best.values():
                print(line.format(f"tap {measure.name}", f"{measure.records:,}",
                                  f"{measure.seconds:.1f}", f"{measure.rate:,.0f}",
                                  f"{measure.cpu:.1f}", measure.calls,
                                  measure.rss_mib))  # fmt: skip
            if any(m.records < args.records for m in best.values()):
                raise SystemExit(f"a run emitted fewer than {args.records} records: {best}")
            print(f"target-intacct, {args.writes:,} customers into an empty company:")
            write_both(url, workdir, args.writes)
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
