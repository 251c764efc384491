"""BATCH messages (jsonl, gzip) land like RECORD messages: a BatchSink does not drop them."""

from __future__ import annotations

import gzip
from decimal import Decimal

from magento_api import encode_json
from target_magento_support import item_records, schema_for, summary


def test_batch_files_are_loaded(harness, tmp_path):
    items = item_records()
    part_one, part_two = tmp_path / "items-1.jsonl.gz", tmp_path / "items-2.jsonl.gz"
    for path, records in ((part_one, items[:6]), (part_two, items[6:])):
        with gzip.open(path, "wb") as handle:
            for record in records:
                handle.write(encode_json(record) + b"\n")
    messages = [
        {
            "type": "SCHEMA",
            "stream": "items",
            "schema": schema_for(items),
            "key_properties": ["RECORDNO"],
        },
        {
            "type": "BATCH",
            "stream": "items",
            "encoding": {"format": "jsonl", "compression": "gzip"},
            "manifest": [part_one.as_uri(), part_two.as_uri()],
        },
    ]
    target, _ = harness.run(messages)
    assert summary(target)["items"]["created"] == 11
    products = {p["sku"]: p for p in harness.table("products")}
    assert Decimal(str(products["SAW-CIRC"]["price"])) == Decimal("189.99")
    assert int(products["OLD-LEVEL"]["status"]) == 2
