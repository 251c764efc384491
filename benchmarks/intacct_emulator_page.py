"""Milliseconds per 2,000-row `query` page of the Intacct emulator, at 100k and 1M customers.

The emulator runs as its own process (`intacct-emulator serve --records N`), as in a real sync.
Pages are read the way the tap reads them: every CUSTOMER field from `lookup`, ordered by
(WHENMODIFIED, RECORDNO), keyset-paginated with a filter on the last row seen. Printed: the
seeding time, the time the emulator spends building a page (its `X-Emulator-Time-Ms` header),
the round trip (request sent to last byte received), and for comparison the client's time to
parse the same pages: `intacct_api`'s whole parse into records (what the tap pays per page), and
the bare lxml parse inside it.

    .venv/bin/python benchmarks/intacct_emulator_page.py [--sizes 100000 1000000] [--pages 10]
        [--fields N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from intacct_api.envelope import parse_response
from lxml import etree

LOGIN = (
    "<login><userid>demo_user</userid><companyid>demo</companyid>"
    "<password>demo_user_password</password></login>"
)


def envelope(function: str, auth: str) -> bytes:
    return (
        "<request><control><senderid>demo_sender</senderid><password>demo_sender_password"
        "</password><controlid>bench</controlid><uniqueid>false</uniqueid><dtdversion>3.0"
        "</dtdversion><includewhitespace>false</includewhitespace></control>"  # as intacct_api
        f"<operation><authentication>{auth}</authentication><content>"
        f'<function controlid="f">{function}</function></content></operation></request>'
    ).encode()


def keyset_filter(modified: str | None, recordno: str | None) -> str:
    if modified is None:
        return (
            "<filter><greaterthanorequalto><field>WHENMODIFIED</field>"
            "<value>01/01/2000 00:00:00</value></greaterthanorequalto></filter>"
        )
    return (
        "<filter><or><greaterthan><field>WHENMODIFIED</field><value>" + modified + "</value>"
        "</greaterthan><and><equalto><field>WHENMODIFIED</field><value>" + modified + "</value>"
        "</equalto><greaterthan><field>RECORDNO</field><value>" + str(recordno) + "</value>"
        "</greaterthan></and></or></filter>"
    )


def run(size: int, pages: int, field_count: int | None) -> None:
    started = time.perf_counter()
    command = [str(Path(sys.executable).with_name("intacct-emulator")), "serve", "--port", "0"]
    server = subprocess.Popen([*command, "--records", str(size)], stdout=subprocess.PIPE, text=True)
    url = (server.stdout.readline() if server.stdout else "").strip().rsplit(" ", 1)[-1]
    seeded = time.perf_counter() - started
    http = requests.Session()

    def post(function: str) -> tuple[float, float, bytes]:
        t0 = time.perf_counter()
        response = http.post(
            url, data=envelope(function, LOGIN), headers={"Content-Type": "application/xml"}
        )
        built = float(response.headers["X-Emulator-Time-Ms"])
        return (time.perf_counter() - t0) * 1000, built, response.content

    _, _, body = post("<lookup><object>CUSTOMER</object></lookup>")
    fields = [f.findtext("ID") for f in etree.fromstring(body).iter("Field")][:field_count]
    select = "".join(f"<field>{f}</field>" for f in fields)
    serve_ms, build_ms, parse_ms, client_ms = [], [], [], []
    modified = recordno = None
    for _ in range(pages):
        function = (
            f"<query><object>CUSTOMER</object><select>{select}</select>"
            f"{keyset_filter(modified, recordno)}<orderby><order><field>WHENMODIFIED"
            "</field><ascending/></order><order><field>RECORDNO</field><ascending/>"
            "</order></orderby><pagesize>2000</pagesize></query>"
        )
        elapsed, built, body = post(function)
        t0 = time.perf_counter()
        root = etree.fromstring(body)
        rows = root.find("operation/result/data")
        parse_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        parse_response(body).results[0].records()
        client_ms.append((time.perf_counter() - t0) * 1000)
        serve_ms.append(elapsed)
        build_ms.append(built)
        assert rows is not None and len(rows) == 2000, etree.tostring(root)[:500]
        modified, recordno = rows[-1].findtext("WHENMODIFIED"), rows[-1].findtext("RECORDNO")
    server.terminate()
    server.wait()
    print(
        f"{size:>9,} customers (seeded in {seeded:4.1f} s), 2,000-row pages of {len(fields)} "
        f"fields, {len(body) / 1e6:.1f} MB: server builds a page in "
        f"{statistics.median(build_ms):5.1f} ms (median; max {max(build_ms):5.1f}), round trip "
        f"{statistics.median(serve_ms):5.1f} ms; the client parses it into records in "
        f"{statistics.median(client_ms):5.1f} ms (lxml alone {statistics.median(parse_ms):5.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--fields", type=int, default=None, help="select only the first N fields")
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.pages, args.fields)


if __name__ == "__main__":
    main()
