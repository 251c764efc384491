"""tap-intacct → target-intacct into an empty company when records come before what they
reference: tap-intacct emits `items` before `product_lines` and `sales_orders` before
`sales_invoices` only by the order of its table, and target-intacct writes a stream whenever its
sink is full (`records_per_lookup`). Every record must still land, none rejected.
"""

from __future__ import annotations

import json

import local_stack
import pytest
from resilience_support import COPY, Stack, meltano_run, report, stack, tail

# Customers come first in the tap's table; the documents need them in the empty company.
STREAMS = ("customers", "product_lines", "items", "sales_orders", "sales_order_lines",
           "sales_invoices", "sales_invoice_lines")  # fmt: skip
# object → its key field and the streams that write it
KEYS = {
    "ITEM": ("ITEMID", ("items",)),
    "PRODUCTLINE": ("PRODUCTLINEID", ("product_lines",)),
    "SODOCUMENT": ("DOCID", ("sales_orders", "sales_invoices")),
}
TABLE = "records before what they reference (tap-intacct → target-intacct, small sink batches)"
COLUMNS = ("object", "in demo", "in copy", "rejected")


@pytest.fixture
def running(installed_plugins: None, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    with stack(tmp_path_factory.mktemp("order")) as shops:
        yield shops


def test_references_arriving_later_in_the_stream_still_land(running: Stack) -> None:
    env = {
        **running.env("order"),
        "TAP_INTACCT__SELECT": json.dumps([f"{s}.*" for s in STREAMS]),
        "TARGET_INTACCT_RECORDS_PER_LOOKUP": "4",
    }
    completed = meltano_run(env, "tap-intacct", "target-intacct")
    assert completed.returncode == 0, tail(completed.stdout + completed.stderr)
    rejects = local_stack.read_jsonl(running.workdir / "intacct-rejects.jsonl")
    missing = {}
    for object_name, (key, streams) in KEYS.items():
        source = {r[key] for r in running.intacct_rows("demo", object_name)}
        copied = {r[key] for r in running.intacct_rows(COPY, object_name)}
        rejected = sum(1 for r in rejects if r["stream"] in streams)
        report(TABLE, COLUMNS, (object_name, len(source), len(copied & source), rejected))
        missing[object_name] = sorted(source - copied)
    assert rejects == [], [r["message"] for r in rejects]
    assert all(not keys for keys in missing.values()), missing
