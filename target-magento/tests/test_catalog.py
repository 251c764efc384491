"""Product lines → categories and items → products, over real HTTP against the emulator."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from decimal import Decimal

from target_magento.target import TargetMagento
from target_magento_support import (
    ZERO_COUNTS,
    carried,
    item_records,
    product_line_records,
    stream_messages,
    summary,
    to_lines,
)


def categories_by_key(harness) -> dict[str, dict]:
    return {harness.url_key(c): c for c in harness.table("categories") if harness.url_key(c)}


def products_by_sku(harness) -> dict[str, dict]:
    return {p["sku"]: p for p in harness.table("products")}


def catalogue_messages(*, items_first: bool = False, lines_reversed: bool = True) -> list[dict]:
    lines = product_line_records()
    if lines_reversed:
        lines.reverse()  # children arrive before their parents
    parts = [stream_messages("product_lines", lines), stream_messages("items", item_records())]
    if items_first:
        parts.reverse()
    return [message for part in parts for message in part]


def test_category_hierarchy_is_built_in_any_order(harness):
    before = len(harness.table("categories"))
    target, _ = harness.run(catalogue_messages())
    assert summary(target)["product_lines"]["created"] == 6
    assert len(harness.table("categories")) == before + 6
    categories = categories_by_key(harness)
    hardware = categories["hardware-hw"]
    fasteners = categories["fasteners-fixings-hw-fast"]
    screws = categories["stainless-a4-screws-hw-fast-ss"]
    assert int(hardware["parent_id"]) == 2
    assert int(fasteners["parent_id"]) == int(hardware["id"])
    assert int(screws["parent_id"]) == int(fasteners["id"])
    assert int(categories["jardineria-y-exterior-garden"]["parent_id"]) == 2
    assert fasteners["name"] == "Fasteners & Fixings"
    assert harness.id_map()["categories"]["HW-FAST"] == int(fasteners["id"])


def test_category_rerun_and_parent_move(harness):
    harness.run(catalogue_messages())
    count = len(harness.table("categories"))
    target, _ = harness.run(stream_messages("product_lines", product_line_records()))
    assert summary(target)["product_lines"]["unchanged"] == 6
    assert len(harness.table("categories")) == count

    lines = product_line_records()
    power = next(line for line in lines if line["PRODUCTLINEID"] == "TOOLS-PWR")
    power["PARENTLINE"] = "HW"
    power["DESCRIPTION"] = "Power tools & drills"
    harness.reset_stats()
    target, _ = harness.run(stream_messages("product_lines", lines))
    assert summary(target)["product_lines"]["updated"] == 1
    assert harness.request_count("PUT", r"/move$") == 1
    categories = categories_by_key(harness)
    moved = categories["power-tools-drills-tools-pwr"]
    assert int(moved["parent_id"]) == int(categories["hardware-hw"]["id"])
    assert len(harness.table("categories")) == count


def test_products_carry_exact_prices_links_and_unique_url_keys(harness):
    target, _ = harness.run(catalogue_messages(items_first=True))
    assert summary(target)["items"]["created"] == 11
    products = products_by_sku(harness)
    categories = categories_by_key(harness)
    hammer_1, hammer_2 = products["HAMMER-1"], products["HAMMER-2"]
    assert hammer_1["name"] == hammer_2["name"] == "Claw hammer"
    assert harness.url_key(hammer_1) == "claw-hammer-hammer-1"
    assert harness.url_key(hammer_2) == "claw-hammer-hammer-2"
    assert Decimal(str(products["SAW-CIRC"]["price"])) == Decimal("189.99")
    assert Decimal(str(products["SCREW-100"]["price"])) == Decimal("7.49")
    assert int(products["OLD-LEVEL"]["status"]) == 2
    assert int(products["DRILL-18V"]["status"]) == 1
    assert products["INSTALL-HR"]["type_id"] == "virtual"
    assert products["SCREW-100"]["type_id"] == "simple"
    assert int(products["SCREW-100"]["visibility"]) == 4
    assert int(products["SCREW-100"]["attribute_set_id"]) == 4
    assert Decimal(str(products["DRILL-18V"]["weight"])) == Decimal("1.80")
    fasteners = categories["fasteners-fixings-hw-fast"]
    assert harness.category_ids(products["SCREW-100"]) == [int(fasteners["id"])]
    assert harness.category_ids(products["INSTALL-HR"]) == []


def test_product_rerun_and_update(harness):
    harness.run(catalogue_messages())
    count = len(harness.table("products"))
    harness.reset_stats()
    target, _ = harness.run(catalogue_messages())
    assert summary(target)["items"]["unchanged"] == 11
    assert harness.request_count("PUT", r"^/V1/products/:sku$") == 0
    assert len(harness.table("products")) == count

    items = item_records()
    items[0]["BASEPRICE"] = Decimal("7.99")
    items[9]["STATUS"] = "active"
    target, _ = harness.run(stream_messages("items", items))
    assert summary(target)["items"]["updated"] == 2
    products = products_by_sku(harness)
    assert Decimal(str(products["SCREW-100"]["price"])) == Decimal("7.99")
    assert int(products["OLD-LEVEL"]["status"]) == 1
    assert len(harness.table("products")) == count


def test_item_rejects_name_the_field(harness):
    items = [
        {"RECORDNO": 2, "ITEMID": "NOPRICE", "NAME": "No price", "BASEPRICE": None},
        {"RECORDNO": 3, "ITEMID": "X" * 70, "NAME": "Long SKU", "BASEPRICE": Decimal(1)},
        {"RECORDNO": 4, "ITEMID": "NONAME", "NAME": " ", "BASEPRICE": Decimal(1)},
    ]
    target, _ = harness.run(stream_messages("items", items))
    assert summary(target)["items"]["rejected"] == 3
    fields = {r["key"]: r["field"] for r in harness.rejects()}
    assert fields == {"NOPRICE": "BASEPRICE", "X" * 70: "ITEMID", "NONAME": "NAME"}
    assert harness.table("products") == []


def test_skus_are_url_encoded_in_the_path(harness):
    items = [{"RECORDNO": 1, "ITEMID": "BOLT/M8 #2", "NAME": "Bolt M8", "BASEPRICE": Decimal(1)}]
    target, _ = harness.run(stream_messages("items", items))
    assert summary(target)["items"]["created"] == 1
    assert "BOLT/M8 #2" in products_by_sku(harness)


def test_bulk_api_writes_and_turns_failures_into_rejects(harness):
    # A product that already owns HAMMER-2's url_key: Magento refuses HAMMER-2 in the bulk.
    harness.create_product("SHOP-HAMMER", "Shop hammer", "claw-hammer-hammer-2")
    harness.run(stream_messages("product_lines", product_line_records()))
    harness.reset_stats()
    target, _ = harness.run(
        stream_messages("items", item_records()), use_bulk_api=True, bulk_threshold=5
    )
    counts = summary(target)["items"]
    assert harness.request_count("PUT", r"^/async/bulk/V1/products/bySku$") == 1
    assert harness.request_count("PUT", r"^/V1/products/:sku$") == 0
    assert counts["created"] == 10
    assert counts["rejected"] == 1
    (reject,) = harness.rejects()
    assert reject["key"] == "HAMMER-2"
    assert "URL key" in reject["magento_message"]
    products = products_by_sku(harness)
    assert "HAMMER-1" in products
    assert "HAMMER-2" not in products


def test_sync_writes_below_the_bulk_threshold(harness):
    harness.run(stream_messages("product_lines", product_line_records()))
    harness.reset_stats()
    harness.run(stream_messages("items", item_records()), use_bulk_api=True, bulk_threshold=500)
    assert harness.request_count("PUT", r"^/async/bulk/V1/products/bySku$") == 0
    assert harness.request_count("PUT", r"^/V1/products/:sku$") == 11
    assert harness.request_count("GET", r"^/V1/products$") == 1  # one `sku in` search


def test_unknown_parents_wait_and_circular_parents_are_rejected(harness):
    lines = [
        {"RECORDNO": 1, "PRODUCTLINEID": "ORPHAN", "DESCRIPTION": "Orphan", "PARENTLINE": "GONE"},
        {"RECORDNO": 2, "PRODUCTLINEID": "KID", "DESCRIPTION": "Kid", "PARENTLINE": "ORPHAN"},
        {"RECORDNO": 3, "PRODUCTLINEID": "LOOP-A", "DESCRIPTION": "A", "PARENTLINE": "LOOP-B"},
        {"RECORDNO": 4, "PRODUCTLINEID": "LOOP-B", "DESCRIPTION": "B", "PARENTLINE": "LOOP-A"},
        {"RECORDNO": 5, "PRODUCTLINEID": "FINE", "DESCRIPTION": "Fine", "PARENTLINE": None},
    ]
    before = len(harness.table("categories"))
    target, _ = harness.run(stream_messages("product_lines", lines))
    counts = summary(target)["product_lines"]
    assert counts["created"] == 1
    assert counts["rejected"] == 2
    assert counts["skipped"] == 2
    rejects = {r["key"]: r for r in harness.rejects()}
    assert set(rejects) == {"LOOP-A", "LOOP-B"}
    assert {r["field"] for r in rejects.values()} == {"PARENTLINE"}
    assert "ancestor" in rejects["LOOP-A"]["reason"]
    waiting = harness.pending_catalog()["product_lines"]
    assert set(waiting) == {"ORPHAN", "KID"}
    assert "GONE" in waiting["ORPHAN"]["reason"]
    assert len(harness.table("categories")) == before + 1

    # The parent turns up in a later run: the waiting lines are created under it.
    gone = {"RECORDNO": 6, "PRODUCTLINEID": "GONE", "DESCRIPTION": "Back", "PARENTLINE": None}
    target, _ = harness.run(stream_messages("product_lines", [gone]))
    assert summary(target)["product_lines"]["created"] == 1
    assert carried(target)["product_lines"]["created"] == 2  # ORPHAN and KID, from the first run
    categories = categories_by_key(harness)
    assert int(categories["kid-kid"]["parent_id"]) == int(categories["orphan-orphan"]["id"])
    assert int(categories["orphan-orphan"]["parent_id"]) == int(categories["back-gone"]["id"])
    assert harness.pending_catalog()["product_lines"] == {}


def test_items_wait_in_the_pending_file_until_their_product_line_exists(harness):
    items = item_records()
    with_line = {item["ITEMID"] for item in items if item["PRODUCTLINEID"]}
    target, _ = harness.run(stream_messages("items", items))
    assert summary(target)["items"]["created"] == len(items)  # sold meanwhile, uncategorised
    waiting = harness.pending_catalog()["items"]
    assert set(waiting) == with_line
    assert "HW-FAST" in waiting["SCREW-100"]["reason"]
    assert harness.category_ids(products_by_sku(harness)["SCREW-100"]) == []

    target, _ = harness.run(stream_messages("product_lines", product_line_records()))
    assert "items" not in summary(target)
    assert carried(target)["items"]["updated"] == len(with_line)
    fasteners = categories_by_key(harness)["fasteners-fixings-hw-fast"]
    assert harness.category_ids(products_by_sku(harness)["SCREW-100"]) == [int(fasteners["id"])]
    assert harness.pending_catalog()["items"] == {}

    target, _ = harness.run([])  # nothing left to retry
    assert summary(target) == carried(target) == {}


def test_waiting_records_survive_a_crash_after_state_was_emitted(harness):
    """Children and items arrive before their parents; state goes out; the process dies."""
    lines = product_line_records()
    children = [line for line in lines if line["PARENTLINE"]]
    state = {"bookmarks": {"items": {"replication_key_value": "2026-10-15T08:30:00+00:00"}}}
    messages = [
        *stream_messages("items", item_records()),
        *stream_messages("product_lines", children),
        {"type": "STATE", "value": state},
    ]
    target = TargetMagento(config=harness.config())
    output = io.StringIO()
    with redirect_stdout(output):
        target.process_lines(io.StringIO(to_lines(messages)))
        target.drain_all()  # as when a sink is full or its records are old
    assert json.loads(output.getvalue().splitlines()[-1]) == state  # a target emits the value
    # ... and the process dies here, before the end of its input.
    waiting = harness.pending_catalog()
    assert {line["PRODUCTLINEID"] for line in children} == set(waiting["product_lines"])
    assert "SCREW-100" in waiting["items"]

    parents = [line for line in lines if not line["PARENTLINE"]]
    target, _ = harness.run(stream_messages("product_lines", parents))
    assert summary(target) == {"product_lines": {**ZERO_COUNTS, "created": len(parents)}}
    counts = carried(target)  # what the run that died left waiting
    assert counts["product_lines"]["created"] == len(children)
    assert counts["items"]["created"] == len([i for i in item_records() if i["PRODUCTLINEID"]])
    screws = categories_by_key(harness)["stainless-a4-screws-hw-fast-ss"]
    assert int(screws["parent_id"]) == int(
        categories_by_key(harness)["fasteners-fixings-hw-fast"]["id"]
    )
    assert harness.category_ids(products_by_sku(harness)["SCREW-100"]) != []
    assert harness.pending_catalog() == {"product_lines": {}, "items": {}}


def test_the_pending_catalog_file_defaults_to_the_id_map_folder(harness, tmp_path):
    state = tmp_path / "state"
    harness.run(
        stream_messages("items", item_records()[:1]),
        id_map_file=str(state / "id-map.json"),
        pending_catalog_file=None,
    )
    path = state / "target-magento-pending-catalog.json"
    assert "SCREW-100" in json.loads(path.read_text())["items"]
