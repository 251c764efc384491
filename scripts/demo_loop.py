"""The demo's second half: the loop from Magento web orders back to Magento invoices.

Web orders → Intacct sales orders (`meltano run magento-orders-to-intacct`) → sales invoices,
converted the way an accountant does it in Intacct (the emulator's Convert route) → Magento
invoices on those orders (`meltano run tap-intacct target-magento`, incremental). Each step prints
its counts; a second pass of both jobs shows that nothing moves.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import local_stack
from connector_runtime.progress import read_table
from local_stack import ROOT, meltano

ORDERS_JOB = "magento-orders-to-intacct"
ORDERS_STATE_ID = "demo:tap-magento-orders-to-target-intacct"
INVOICES_PIPELINE = ("tap-intacct", "target-magento")
TARGET_INTACCT_FILES = ROOT / "output" / "demo" / "target-intacct"


def reset() -> None:
    """Forget an earlier demo's bookmarks and files (the emulators start freshly seeded)."""
    meltano("--environment=demo", "state", "clear", "--force", ORDERS_STATE_ID)
    shutil.rmtree(TARGET_INTACCT_FILES, ignore_errors=True)


def sales_documents(intacct: local_stack.Emulator, docparid: str) -> dict[str, dict[str, Any]]:
    """Intacct's sales documents of one transaction definition, by DOCID."""
    rows = intacct.get_json("/_emulator/records/demo/SODOCUMENT")["records"]
    return {row["DOCID"]: row for row in rows if row["DOCPARID"] == docparid}


def summary(run: local_stack.MeltanoRun, plugin: str, stream: str) -> str:
    """The stream's row of the target's end-of-run summary table, as `created=1 updated=0 ...`."""
    messages = [str(e.get("event", "")) for e in run.events() if e.get("name") == plugin]
    counts = read_table(messages, "Summary:").get(stream)
    if counts is None:
        return "(no summary)"
    return " ".join(f"{outcome}={count}" for outcome, count in counts.items())


def run_loop(
    intacct: local_stack.Emulator, magento: local_stack.Emulator, step: Any, table: Any
) -> None:
    """Run the loop once, print what each step did, then a second pass that moves nothing."""
    project = local_stack.MeltanoProject()
    orders_before = sales_documents(intacct, "Sales Order")
    step(f"Web orders into Intacct: meltano --environment=demo run {ORDERS_JOB}")
    run = project.run(ORDERS_JOB)
    read = run.record_counts().get("orders", 0)
    created = {
        docid: row
        for docid, row in sales_documents(intacct, "Sales Order").items()
        if docid not in orders_before
    }
    print(
        f"   {read} Magento orders read; target-intacct: {summary(run, 'target-intacct', 'orders')}"
    )
    table(
        [
            (row["PONUMBER"], docid, row["CUSTVENDID"], f"{row['TOTAL']} {row['CURRENCY']}")
            for docid, row in sorted(created.items(), key=lambda item: item[1]["PONUMBER"])
        ],
        ("Magento order", "Intacct sales order", "customer", "total"),
    )
    rejects = local_stack.read_jsonl(TARGET_INTACCT_FILES / "rejects.jsonl")
    if rejects:
        print(
            f"   not written ({len(rejects)}), from {relative(TARGET_INTACCT_FILES)}/rejects.jsonl:"
        )
        for reject in rejects:
            print(f"      {reject['key']['increment_id']}: {reject['message']}")

    step("An accountant converts each new sales order into a sales invoice in Intacct")
    converted = {}
    for docid in sorted(created):
        made = intacct.post_json("/_emulator/convert/demo", {"docid": docid})
        converted[docid] = made["DOCID"]
        print(f"   {docid} → {made['DOCID']}")

    invoices_before = len(magento.get_json("/_emulator/dump")["invoices"])
    step(
        f"Sales invoices into Magento: meltano --environment=demo run {' '.join(INVOICES_PIPELINE)}"
    )
    project.run(*INVOICES_PIPELINE)
    dump = magento.get_json("/_emulator/dump")
    orders = {o["entity_id"]: o["increment_id"] for o in dump["orders"]}
    new_invoices = dump["invoices"][invoices_before:]
    print(f"   {len(new_invoices)} Magento invoices created for {len(converted)} converted orders:")
    table(
        [
            (
                orders[i["order_id"]],
                i["increment_id"],
                ", ".join(f"{item['qty']:g} x {item['sku']}" for item in i.get("items", [])),
                f"{i['grand_total']:.2f} {i.get('order_currency_code', '')}",
            )
            for i in new_invoices
        ],
        ("order", "invoice", "lines", "total"),
    )

    step("Second pass of both: nothing moves")
    again = project.run(ORDERS_JOB)
    project.run(*INVOICES_PIPELINE)
    after = magento.get_json("/_emulator/dump")
    orders_now = len(sales_documents(intacct, "Sales Order"))
    print(f"   target-intacct: {summary(again, 'target-intacct', 'orders')}")
    print(
        f"   Intacct sales orders: {orders_now} ({orders_now - len(orders_before) - len(created)} "
        f"new); Magento invoices: {len(after['invoices'])} "
        f"({len(after['invoices']) - len(dump['invoices'])} new)"
    )


def relative(path: Path) -> str:
    """A path as the user sees it from the repository root."""
    return str(path.relative_to(ROOT))
