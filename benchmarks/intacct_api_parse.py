"""Time parsing of a 2,000-row readByQuery page of customers (30 fields each).

Run: `python benchmarks/intacct_api_parse.py`. Prints the page size and the wall-clock and
CPU time of `parse_response(...).results[0].records()` and of flattening the rows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from intacct_api.envelope import flatten_record, parse_response

ROWS = 2000
RUNS = 15


def customer(n: int) -> str:
    """One customer row shaped like Intacct's: 30 values, a nested display contact."""
    plain = {
        "RECORDNO": str(n),
        "CUSTOMERID": f"C-{n:05d}",
        "NAME": f"Customer {n} &amp; Sons Ltd",
        "STATUS": "active",
        "ONETIME": "false",
        "CUSTTYPE": "Retail",
        "TERMNAME": "N30",
        "CURRENCY": "USD",
        "CREDITLIMIT": f"{n * 10}.50",
        "TOTALDUE": "1234.56",
        "ONHOLD": "false",
        "PARENTID": "",
        "GLGROUP": "",
        "TERRITORYID": "NE",
        "TAXID": "12-3456789",
        "COMMENTS": "",
        "WHENCREATED": "01/02/2026 03:04:05",
        "WHENMODIFIED": "10/15/2026 11:12:13",
        "CREATEDBY": "1",
        "MODIFIEDBY": "1",
        "MEGAENTITYID": "US",
    }
    fields = "".join(f"<{k}>{v}</{k}>" if v else f"<{k}/>" for k, v in plain.items())
    return (
        f"<customer>{fields}<DISPLAYCONTACT><PRINTAS>Customer {n}</PRINTAS>"
        f"<EMAIL1>c{n}@example.com</EMAIL1><PHONE1>+1 555 0100</PHONE1><MAILADDRESS>"
        f"<ADDRESS1>{n} Main Street</ADDRESS1><CITY>Springfield</CITY><STATE>IL</STATE>"
        f"<ZIP>62701</ZIP><COUNTRY>United States</COUNTRY></MAILADDRESS></DISPLAYCONTACT>"
        "</customer>"
    )


def page(rows: int) -> bytes:
    """A whole readByQuery response."""
    body = "".join(customer(n) for n in range(1, rows + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status>'
        "</control><operation><authentication><status>success</status></authentication><result>"
        "<status>success</status><function>readByQuery</function><controlid>c</controlid>"
        f'<data listtype="customer" count="{rows}" totalcount="{rows}" numremaining="0" '
        f'resultId="">{body}</data></result></operation></response>'
    ).encode()


def timed(action: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    """Print median and best timings."""
    raw = page(ROWS)
    rows = parse_response(raw).results[0].records()
    flat = flatten_record(rows[0])
    print(f"page: {ROWS} rows x {len(flat)} fields, {len(raw) / 1e6:.2f} MB")

    def parse_rows() -> list[dict[str, object]]:
        return parse_response(raw).results[0].records()

    def parse_and_flatten() -> list[dict[str, object]]:
        return [flatten_record(r) for r in parse_rows()]

    cases = {"parse_response + records()": parse_rows, "+ flatten_record()": parse_and_flatten}
    for label, action in cases.items():
        wall, cpu = timed(action)
        print(
            f"{label:28s} wall median {statistics.median(wall):6.1f} ms, best {min(wall):6.1f} ms;"
            f" CPU median {statistics.median(cpu):6.1f} ms"
        )


if __name__ == "__main__":
    main()
