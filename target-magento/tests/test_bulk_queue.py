"""Bulk operations Magento has not run yet (its consumer is paused, as in a shop without cron):
counted queued, never rejected, kept in the pending bulk file, and finished by the next run."""

from __future__ import annotations

import json
import logging
import typing as t
from decimal import Decimal

import pytest
from target_magento_support import (
    carried,
    customer_records,
    item_records,
    product_line_records,
    stream_messages,
    summary,
)

# Customers the emulator's Magento accepts (valid addresses, distinct emails).
GOOD = ("C-1001", "C-1002", "C-1003", "C-1009", "C-1010")
EMAIL = "DISPLAYCONTACT.EMAIL1"
BULK_CUSTOMERS = r"^/async/bulk/V1/customers$"


@pytest.fixture
def consumer(magento: t.Any) -> t.Callable[[str], None]:
    """Pause or resume Magento's `async.operations.all` consumer."""

    def switch(state: str) -> None:
        answer = magento.admin("POST", "/_emulator/config", {"bulk_consumer": state})
        assert answer["bulk_consumer"] == state

    return switch


def good_customers() -> list[dict]:
    return [r for r in customer_records() if r["CUSTOMERID"] in GOOD]


def bulk_config(harness: t.Any, **overrides: t.Any) -> dict[str, t.Any]:
    return {
        "use_bulk_api": True,
        "bulk_threshold": 3,
        "bulk_poll_timeout": 0.3,
        "pending_bulk_file": str(harness.folder / "pending-bulks.json"),
        **overrides,
    }


def kept_bulks(harness: t.Any) -> dict[str, dict]:
    path = harness.folder / "pending-bulks.json"
    return json.loads(path.read_text())["bulks"] if path.exists() else {}


def kept_keys(harness: t.Any) -> list[str]:
    return sorted(
        operation["key"]
        for entry in kept_bulks(harness).values()
        for operation in entry["operations"].values()
    )


def emails(harness: t.Any) -> list[str]:
    return [customer["email"] for customer in harness.table("customers")]


def test_open_operations_are_queued_then_finished_by_the_next_run(harness, consumer, caplog):
    caplog.set_level(logging.INFO)
    before = emails(harness)
    consumer("paused")
    target, _ = harness.run(stream_messages("customers", good_customers()), **bulk_config(harness))
    assert summary(target)["customers"]["queued"] == len(GOOD)
    assert summary(target)["customers"]["created"] == 0
    assert summary(target)["customers"]["rejected"] == 0
    assert harness.rejects() == []
    (bulk_uuid,) = kept_bulks(harness)
    entry = kept_bulks(harness)[bulk_uuid]
    assert entry["stream"] == "customers"
    assert sorted(op["key"] for op in entry["operations"].values()) == sorted(GOOD)
    assert entry["operations"]["0"]["record"]["CUSTOMERID"] == good_customers()[0]["CUSTOMERID"]
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert bulk_uuid in warning
    assert f"{len(GOOD)} operations still open" in warning
    assert "async.operations.all" in warning
    assert emails(harness) == before
    assert "customers" not in harness.id_map()

    consumer("running")
    target, _ = harness.run([], **bulk_config(harness))
    assert summary(target) == {}  # no input: what the earlier run queued is counted apart
    assert carried(target)["customers"]["created"] == len(GOOD)
    assert carried(target)["customers"]["queued"] == 0
    assert harness.rejects() == []
    assert kept_bulks(harness) == {}
    shop = {c["email"]: c for c in harness.table("customers")}
    for record in good_customers():
        owned = harness.id_map()["customers"][record["CUSTOMERID"]]
        assert owned["id"] == int(shop[record[EMAIL]]["id"])
        assert owned["address_id"] == shop[record[EMAIL]]["addresses"][0]["id"]

    harness.reset_stats()
    target, _ = harness.run(stream_messages("customers", good_customers()), **bulk_config(harness))
    assert summary(target)["customers"]["unchanged"] == len(GOOD)
    assert harness.request_count("POST", BULK_CUSTOMERS) == 0
    after = emails(harness)
    assert len(after) == len(set(after)) == len(before) + len(GOOD)


def test_a_queued_create_refused_later_is_rejected_by_the_next_run(harness, consumer):
    consumer("paused")
    harness.run(stream_messages("customers", good_customers()), **bulk_config(harness))
    taken = good_customers()[2]
    harness.create_customer(taken[EMAIL], "Someone", "Else")  # the shop takes the email meanwhile
    consumer("running")
    target, _ = harness.run([], **bulk_config(harness))
    counts = carried(target)["customers"]
    assert (counts["created"], counts["rejected"], counts["queued"]) == (len(GOOD) - 1, 1, 0)
    (reject,) = harness.rejects()
    assert reject["key"] == taken["CUSTOMERID"]
    assert reject["field"] == EMAIL
    assert reject["magento_message"] == (
        "A customer with the same email address already exists in an associated website."
    )
    assert (reject["record"]["CUSTOMERID"], reject["record"][EMAIL]) == (
        taken["CUSTOMERID"],
        taken[EMAIL],
    )
    assert "failed" in reject["reason"]
    assert taken["CUSTOMERID"] not in harness.id_map()["customers"]
    assert kept_bulks(harness) == {}
    assert emails(harness).count(taken[EMAIL]) == 1


def test_a_record_still_in_an_open_bulk_waits_for_it(harness, consumer):
    consumer("paused")
    harness.run(stream_messages("customers", good_customers()), **bulk_config(harness))
    changed = good_customers()
    changed[0]["DISPLAYCONTACT.MAILADDRESS.CITY"] = "Chicago"
    harness.reset_stats()
    target, _ = harness.run(stream_messages("customers", changed), **bulk_config(harness))
    assert summary(target)["customers"]["queued"] == len(GOOD)
    assert harness.request_count("POST", BULK_CUSTOMERS) == 0
    assert harness.request_count("POST", r"^/V1/customers$") == 0
    assert kept_keys(harness) == sorted(GOOD)
    (entry,) = kept_bulks(harness).values()
    assert entry["operations"]["0"]["next"]["DISPLAYCONTACT.MAILADDRESS.CITY"] == "Chicago"

    consumer("running")
    target, _ = harness.run([], **bulk_config(harness))
    counts = carried(target)["customers"]
    assert (counts["created"], counts["updated"], counts["unchanged"]) == (
        len(GOOD),
        1,
        len(GOOD) - 1,
    )
    assert kept_bulks(harness) == {}
    shop = {c["email"]: c for c in harness.table("customers")}
    assert harness.addresses_of(shop[changed[0][EMAIL]])[0]["city"] == "Chicago"
    assert sorted(emails(harness)) == sorted(set(emails(harness)))


def test_a_bulk_magento_no_longer_knows_is_written_again(harness, consumer):
    consumer("paused")
    harness.run(stream_messages("customers", good_customers()), **bulk_config(harness))
    harness.magento.admin("POST", "/_emulator/reset", {"seed": "demo"})  # bulks purged
    target, _ = harness.run([], **bulk_config(harness))
    assert carried(target)["customers"]["created"] == len(GOOD)
    assert kept_bulks(harness) == {}
    after = emails(harness)
    assert len(after) == len(set(after))
    assert {r[EMAIL] for r in good_customers()} <= set(after)


def test_a_queued_product_refused_later_names_the_field(harness, consumer):
    harness.run(stream_messages("product_lines", product_line_records()))
    consumer("paused")
    target, _ = harness.run(stream_messages("items", item_records()), **bulk_config(harness))
    queued = summary(target)["items"]["queued"]
    assert queued == len(item_records())
    assert harness.rejects() == []
    # Meanwhile another product takes HAMMER-2's url_key: Magento refuses HAMMER-2 when it runs.
    harness.create_product("SHOP-HAMMER", "Shop hammer", "claw-hammer-hammer-2")
    consumer("running")
    target, _ = harness.run([], **bulk_config(harness))
    counts = carried(target)["items"]
    assert (counts["created"], counts["rejected"]) == (queued - 1, 1)
    (reject,) = harness.rejects()
    assert (reject["key"], reject["field"]) == ("HAMMER-2", "NAME")
    assert reject["magento_message"] == "URL key for specified store already exists."
    skus = [p["sku"] for p in harness.table("products")]
    assert "HAMMER-1" in skus
    assert "HAMMER-2" not in skus
    assert kept_bulks(harness) == {}


def test_without_a_pending_bulk_file_open_operations_are_still_not_rejected(
    harness, consumer, caplog
):
    caplog.set_level(logging.WARNING)
    consumer("paused")
    target, _ = harness.run(
        stream_messages("customers", good_customers()),
        **bulk_config(harness, pending_bulk_file=None),
    )
    assert summary(target)["customers"]["queued"] == len(GOOD)
    assert summary(target)["customers"]["rejected"] == 0
    assert harness.rejects() == []
    assert list(harness.folder.glob("*bulk*")) == []
    (warning,) = [r.getMessage() for r in caplog.records if "still open" in r.getMessage()]
    assert "pending_bulk_file" in warning


def test_a_product_change_lands_after_its_queued_write(harness, consumer):
    harness.run(stream_messages("product_lines", product_line_records()))
    consumer("paused")
    harness.run(stream_messages("items", item_records()), **bulk_config(harness))
    repriced = item_records()
    repriced[0]["BASEPRICE"] = Decimal("8.25")
    harness.reset_stats()
    target, _ = harness.run(stream_messages("items", repriced), **bulk_config(harness))
    assert summary(target)["items"]["queued"] == len(repriced)
    assert harness.request_count("PUT", r"^/async/bulk/V1/products/bySku$") == 0
    assert harness.request_count("PUT", r"^/V1/products/:sku$") == 0
    consumer("running")
    target, _ = harness.run([], **bulk_config(harness))
    counts = carried(target)["items"]
    assert (counts["created"], counts["updated"]) == (len(repriced), 1)
    (product,) = [p for p in harness.table("products") if p["sku"] == repriced[0]["ITEMID"]]
    assert Decimal(str(product["price"])) == Decimal("8.25")
    assert kept_bulks(harness) == {}
