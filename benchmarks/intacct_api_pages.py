"""Read every customer of an emulated company in 2,000-row `query` pages, timing each part.

Run: `python benchmarks/intacct_api_pages.py [customers]` (default 20,000). Starts the
Intacct emulator in-process with that many synthetic customers and prints rows per second, the
client's request and function counts, and the time spent parsing.
"""

from __future__ import annotations

import sys
import time

from connector_emulators.intacct.server import serve_in_thread
from intacct_api import functions as fn
from intacct_api.client import Credentials, IntacctClient
from intacct_api.envelope import flatten_record

FIELDS = ["RECORDNO", "CUSTOMERID", "NAME", "STATUS", "DISPLAYCONTACT.EMAIL1", "WHENMODIFIED"]


def main() -> None:
    """Page through the customers by RECORDNO and print the figures."""
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    emulator = serve_in_thread(port=0, seed="demo", records=customers)
    credentials = Credentials(
        "demo_sender", "demo_sender_password", "demo", "demo_user", "demo_user_password"
    )
    try:
        with IntacctClient(credentials, emulator.url) as client:
            started = time.perf_counter()
            parsing = 0.0
            rows = 0
            last = 0
            while True:
                result = client.call(
                    fn.query(
                        "CUSTOMER",
                        FIELDS,
                        filter=fn.gt("RECORDNO", last),
                        order_by=[("RECORDNO", True)],
                        page_size=2000,
                    )
                )
                parse_started = time.perf_counter()
                page = [flatten_record(r) for r in result.records()]
                parsing += time.perf_counter() - parse_started
                if not page:
                    break
                rows += len(page)
                last = int(page[-1]["RECORDNO"])
            elapsed = time.perf_counter() - started
            print(f"rows: {rows} in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)")
            print(f"requests: {client.request_count}, functions: {dict(client.function_counts)}")
            print(f"records() + flatten: {parsing * 1000:.0f} ms in total")
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
