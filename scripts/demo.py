"""`make demo`: Sage Intacct → Magento on the local emulators, run twice, and what landed.

Installs the Meltano plugins, starts both emulators on their demo ports (the `demo` environment of
`meltano.yml` points there), runs `meltano run tap-intacct target-magento`, prints Magento's
customers, categories, products and invoices with the records Magento did not take and why, then
runs it again to show that an incremental run moves nothing. Then the loop back (`demo_loop`):
the shop's web orders become Intacct sales orders, converted sales invoices become Magento
invoices, and a second pass moves nothing. The emulators stop at the end, also on failure or
Ctrl-C. Nothing to configure; every run starts from a freshly seeded pair of emulators.
"""

from __future__ import annotations

import shutil
import signal
import socket
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import demo_loop
import local_stack
from connector_runtime.progress import read_table
from local_stack import ROOT, StackError, meltano
from tap_intacct.objects import OBJECTS

PIPELINE = ("tap-intacct", "target-magento")
STATE_ID = "demo:tap-intacct-to-target-magento"
INTACCT_PORT, MAGENTO_PORT = 8765, 8766  # the `demo` environment's endpoints in meltano.yml
DEMO_OUTPUT = ROOT / "output" / "demo"
TARGET_FILES = DEMO_OUTPUT / "target-magento"  # reject, id map and pending files (meltano.yml)
# The streams target-magento writes; it passes over the others tap-intacct reads.
MAGENTO_STREAMS = ("customers", "product_lines", "items", "sales_invoices", "sales_invoice_lines")
REPORT_STREAMS = {row.stream for row in OBJECTS if row.function}


def main() -> int:
    """Run the demo; a `StackError` explains what went wrong."""
    heading("Sage Intacct → Magento, on local emulators")
    for port in (INTACCT_PORT, MAGENTO_PORT):
        require_free(port)

    step("Installing the Meltano plugins: meltano install")
    started = time.monotonic()
    meltano("install", timeout=1800)
    print(f"   done in {time.monotonic() - started:.0f} s (virtualenvs under .meltano/)")

    reset_demo_environment()

    step("Starting the emulators")
    with local_stack.emulators(INTACCT_PORT, MAGENTO_PORT) as (intacct, magento):
        print(f"   Intacct XML gateway  {intacct.url}/ia/xml/xmlgw.phtml")
        print("      sender demo_sender / demo_sender_password, company demo,")
        print("      user demo_user / demo_user_password")
        print(f"   Magento REST API     {magento.url}/rest/V1/...")
        print("      admin admin / admin123, integration (OAuth 1.0a):")
        for credential in (
            "consumer key",
            "consumer secret",
            "access token",
            "access token secret",
        ):
            print(f"      {magento.printed(credential + ':')}")

        step(f"First run: meltano --environment=demo run {' '.join(PIPELINE)}")
        first = run_pipeline(1)
        show_magento(magento.get_json("/_emulator/dump"))
        show_rejects()
        show_pending_invoices()

        step(f"Second run: the same, incremental from the state Meltano stored ({STATE_ID})")
        before = magento.get_json("/_emulator/dump")
        second = run_pipeline(2)
        after = magento.get_json("/_emulator/dump")
        added = {
            kind: len(after[kind]) - len(before[kind])
            for kind in ("customers", "categories", "products", "invoices")
        }
        print("   Magento gained: " + ", ".join(f"{n} {kind}" for kind, n in added.items()))
        read = [sum(n for s, n in c.items() if s not in REPORT_STREAMS) for c in (first, second)]
        reports = sum(n for s, n in second.items() if s in REPORT_STREAMS)
        print(
            f"   records read: {read[1]} in the second run, {read[0]} in the first "
            f"(besides {reports} balance report rows, recomputed on every run)"
        )
        heading("The loop back: Magento web orders → Intacct → Magento invoices")
        demo_loop.run_loop(intacct, magento, step, table)
    print("\nEmulators stopped. Logs of both runs: output/demo/run-1.log, output/demo/run-2.log")
    print("To keep both emulators running and try the other jobs yourself: `make stack`.")
    print("Next: `make test`, and docs/quickstart.md to connect the real Intacct and Magento.")
    return 0


def reset_demo_environment() -> None:
    """Forget earlier demo runs' bookmarks and files: the emulators start freshly seeded."""
    meltano("--environment=demo", "state", "clear", "--force", STATE_ID)
    shutil.rmtree(TARGET_FILES, ignore_errors=True)
    demo_loop.reset()
    DEMO_OUTPUT.mkdir(parents=True, exist_ok=True)


def run_pipeline(number: int) -> dict[str, int]:
    """Run tap → target with a JSON log kept in output/demo; print and return records per stream."""
    started = time.monotonic()
    run = local_stack.MeltanoProject().run(*PIPELINE)
    (DEMO_OUTPUT / f"run-{number}.log").write_text(run.output, encoding="utf-8")
    counts = run.record_counts()
    others = [stream for stream in counts if stream not in MAGENTO_STREAMS]
    print(f"   finished in {time.monotonic() - started:.1f} s; records read from Intacct:")
    print("      " + ", ".join(f"{stream} {counts.get(stream, 0)}" for stream in MAGENTO_STREAMS))
    print(
        f"      and {sum(counts[s] for s in others)} records of {len(others)} other streams, "
        "which target-magento passes over"
    )
    target = [str(e.get("event", "")) for e in run.events() if e.get("name") == "target-magento"]
    for name, outcomes in read_table(target, "Run summary:").items():
        if name != "total":  # rows `earlier runs: <stream>`: what earlier runs left, retried now
            print(
                f"      target-magento, {name}: "
                + ", ".join(f"{o} {n}" for o, n in outcomes.items())
            )
    return counts


def show_magento(dump: dict[str, Any]) -> None:
    """Magento's side of the first run, from the emulator's `GET /_emulator/dump`."""
    customers = dump["customers"]
    heading(f"Customers in Magento ({len(customers)})", level=2)
    table(
        [
            (
                c["email"],
                f"{c['firstname']} {c['lastname']}",
                address_line((c.get("addresses") or [{}])[0]),
            )
            for c in sorted(customers, key=lambda c: c["id"])
        ],
        ("email", "name", "default address"),
    )

    categories = {c["id"]: c for c in dump["categories"]}
    created = [c for c in categories.values() if c["id"] > 2]  # 1 root, 2 Default Category
    heading(f"Categories ({len(created)} created under Default Category)", level=2)
    for category in sorted(created, key=lambda c: c["path"]):
        depth = category["level"] - 2
        print(f"   {'   ' * depth}{category['name']}")

    products = dump["products"]
    heading(f"Products ({len(products)})", level=2)
    table(
        [
            (
                p["sku"],
                p["name"],
                f"{p['price']:.2f}",
                ", ".join(
                    categories[int(link["category_id"])]["name"]
                    for link in p.get("extension_attributes", {}).get("category_links", [])
                    if int(link["category_id"]) in categories
                )
                or "-",
                "enabled" if p.get("status") == 1 else "disabled",
            )
            for p in sorted(products, key=lambda p: p["sku"])
        ],
        ("sku", "name", "price", "category", "status"),
    )

    orders = {o["entity_id"]: o for o in dump["orders"]}
    invoices = dump["invoices"]
    heading(f"Invoices ({len(invoices)}) for the shop's {len(orders)} orders", level=2)
    table(
        [
            (
                orders[i["order_id"]]["increment_id"],
                i["increment_id"],
                ", ".join(f"{item['qty']:g} x {item['sku']}" for item in i.get("items", [])),
                f"{i['grand_total']:.2f} {i.get('order_currency_code', '')}",
            )
            for i in sorted(invoices, key=lambda i: i["entity_id"])
        ],
        ("order", "invoice", "lines", "total"),
    )


def show_rejects() -> None:
    """Records Magento did not take, with the field at fault, from target-magento's reject file."""
    path = TARGET_FILES / "rejects.jsonl"
    rejects = local_stack.read_jsonl(path)
    heading(f"Rejected by target-magento ({len(rejects)}), from {relative(path)}", level=2)
    table(
        [(r["stream"], str(r["key"]), r.get("field") or "-", r["reason"]) for r in rejects],
        ("stream", "key", "field", "reason"),
    )


def show_pending_invoices() -> None:
    """Invoices whose order is not in Magento: skipped, and retried by every later run."""
    path = TARGET_FILES / "pending-invoices.json"
    pending = local_stack.read_json(path).get("invoices", {}) if path.exists() else {}
    heading(f"Skipped invoices ({len(pending)}), retried on every run", level=2)
    table(
        [
            ((entry.get("header") or {}).get("DOCID", key), entry["reason"])
            for key, entry in pending.items()
        ],
        ("Intacct document", "reason"),
    )


def table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...]) -> None:
    """Print aligned columns, long cells clipped so a row fits a terminal."""
    rows = list(rows)
    if not rows:
        print("   (none)")
        return
    widths = [min(max(len(str(r[i])) for r in [header, *rows]), 48) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [
            clip(str(cell), width).ljust(width) for cell, width in zip(row, widths, strict=True)
        ]
        cells[-1] = str(row[-1])  # the last column (names, reasons) is never cut
        print("   " + "  ".join(cells).rstrip())


def clip(text: str, width: int) -> str:
    """The text cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def address_line(address: dict[str, Any]) -> str:
    """City, postcode and country of a Magento address."""
    parts = [address.get("city"), address.get("postcode"), address.get("country_id")]
    return " ".join(str(part) for part in parts if part)


def relative(path: Path) -> str:
    """A path as the user sees it from the repository root."""
    return str(path.relative_to(ROOT))


def heading(text: str, level: int = 1) -> None:
    """A title (level 1) or a section of the report (level 2)."""
    if level == 1:
        print(f"\n{text}\n{'=' * len(text)}")
    else:
        print(f"\n  {text}")


def step(text: str) -> None:
    """Announce what the demo does next."""
    print(f"\n▶ {text}")


def require_free(port: int) -> None:
    """Fail early and clearly when something already listens on a demo port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise StackError(
                f"port {port} on 127.0.0.1 is in use (is another demo still running?); "
                "the demo environment of meltano.yml expects the emulators on 8765 and 8766"
            )


if __name__ == "__main__":
    # A terminated demo (CI time-out, `kill`) unwinds like Ctrl-C, so the emulators stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; the emulators are stopped.", file=sys.stderr)
        sys.exit(130)
    except StackError as error:
        print(f"\nThe demo failed: {error}", file=sys.stderr)
        sys.exit(1)
