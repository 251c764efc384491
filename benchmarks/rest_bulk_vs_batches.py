"""REST writes of many customers: batches of 500 a request against one bulk job, under latency.

Starts `intacct-emulator serve` with the latency model's write setting (default 0.2 s a request
plus 2 ms a record, the setting the other write benchmarks use; Sage publishes no timing, see
emulators/README.md "Latency model"), then writes N new customers over REST with intacct_api:

* `batches xC`: `KeyedBatches` (the target's REST path), 500 records a request, C requests at once
  (1 and the target's parallel setting 4, inside the company's concurrency entitlement);
* `bulk job`: `BulkJobs`, one job of all N records, polled until completed, results downloaded.

Printed per way: records, wall seconds, records/s and HTTP requests (a job's status polls
included); every run is checked: each record's result a success (one written twice would fail
as a duplicate ID).

    .venv/bin/python benchmarks/rest_bulk_vs_batches.py --customers 10000 50000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from intacct_api import functions as fn
from intacct_api.concurrency import RequestSlots
from intacct_api.envelope import Result
from intacct_api.rest.batches import Batch, KeyedBatches
from intacct_api.rest.bulk_jobs import BulkJobs
from intacct_api.rest.client import RestClient
from intacct_api.rest.mapping import object_map
from intacct_api.rest.oauth import OAuthCredentials
from tap_intacct_latency import post
from tap_intacct_sync import start_emulator

CLIENT = OAuthCredentials("demo_client_id.app.sage.com", "demo_client_secret", "demo", "demo_user")
BATCH = 500
PARALLEL = (1, 4)


def batch_of(count: int) -> Batch:
    """`count` new customers: a create function each, with its REST record."""
    prefix = uuid.uuid4().hex[:6].upper()
    out: Batch = []
    for n in range(count):
        cid = f"BK{prefix}-{n:06d}"
        contact = {"printAs": cid, "email1": f"c{n}@bench.example"}
        record = {"id": cid, "name": f"Bulk benchmark {n}", "creditLimit": 1000,
                  "contacts": {"default": contact}}  # fmt: skip
        out.append((fn.create("CUSTOMER", {"CUSTOMERID": cid}), [record]))
    return out


def by_batches(rest: RestClient, batch: Batch, parallel: int) -> list[Result]:
    mapping = object_map("CUSTOMER")
    assert mapping is not None
    keyed = KeyedBatches(rest)
    chunks = [batch[i : i + BATCH] for i in range(0, len(batch), BATCH)]
    with ThreadPoolExecutor(parallel) as pool:
        answers = pool.map(lambda chunk: keyed.send("create", mapping, chunk, False), chunks)
        return [result for results in answers for result in results]


def by_bulk_job(rest: RestClient, batch: Batch, parallel: int) -> list[Result]:
    mapping = object_map("CUSTOMER")
    assert mapping is not None
    return BulkJobs(rest, first_pause=0.5, max_pause=5.0).run("create", mapping, batch)


def measure(
    url: str, name: str, write: Callable[[RestClient, Batch, int], list[Result]], count: int,
    parallel: int,
) -> dict[str, Any]:  # fmt: skip
    rest = RestClient(CLIENT, url, slots=RequestSlots(parallel), max_time=3600.0)
    rest.tokens.access_token()  # the token request is not part of the writes
    before = rest.request_count
    batch = batch_of(count)
    started = time.perf_counter()
    results = write(rest, batch, parallel)
    seconds = time.perf_counter() - started
    requests = rest.request_count - before
    rest.close()
    failed = [r for r in results if not r.ok]
    if len(results) != count or failed:
        raise SystemExit(f"{name}: {len(failed)} of {len(results)} results failed: {failed[:1]}")
    return {"name": name, "records": count, "seconds": seconds, "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--latency-base", type=float, default=0.2)
    parser.add_argument("--latency-per-record", type=float, default=0.002)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, gateway = start_emulator(
            0, Path(tmp), "--latency-base", str(args.latency_base),
            "--latency-per-record", str(args.latency_per_record),
        )  # fmt: skip
        base = gateway.split("/ia/", maxsplit=1)[0]
        url = base + "/ia/api/v1"
        try:
            print(f"latency model: {args.latency_base} s a request, "
                  f"{args.latency_per_record * 1000:g} ms a record written")  # fmt: skip
            print(f"{'way':<14}{'records':>9}{'seconds':>10}{'records/s':>11}{'requests':>10}")
            for count in args.customers:
                ways = [(f"batches x{p}", by_batches, p) for p in PARALLEL]
                ways.append(("bulk job", by_bulk_job, 1))
                for name, write, parallel in ways:
                    row = measure(url, name, write, count, parallel)
                    print(f"{row['name']:<14}{row['records']:>9,}{row['seconds']:>10.1f}"
                          f"{row['records'] / row['seconds']:>11,.0f}{row['requests']:>10,}",
                          flush=True)  # fmt: skip
            stored = post(base, "/_emulator/stats")["functions"]
            print(f"emulator: {stored.get('rest.bulk.create', 0)} bulk jobs, "
                  f"{stored.get('rest.create', 0)} batch requests")  # fmt: skip
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
