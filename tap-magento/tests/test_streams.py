"""Every stream equals the seeded shop: values, exact money, UTC times, the three ways in."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from connector_emulators import demo_data
from singer_rejects.settings import InvalidSettingsError
from tap_magento.objects import OBJECTS
from tap_magento_support import admin_config, oauth_config, run_tap

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
DOCUMENTS = ("orders", "invoices", "creditmemos", "shipments")


def as_emitted(value):
    """The shop's JSON as the tap emits it: RFC 3339 UTC times, fractions as Decimal."""
    if isinstance(value, dict):
        return {
            k: f"{v[:10]}T{v[11:]}+00:00" if k.endswith("_at") and isinstance(v, str)
            else as_emitted(v)
            for k, v in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [as_emitted(v) for v in value]
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def timestamps(value, found=None):
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_at") and isinstance(item, str):
                found.append(item)
            else:
                timestamps(item, found)
    elif isinstance(value, list):
        for item in value:
            timestamps(item, found)
    return found


def by_id(records, key="entity_id"):
    return sorted(records, key=lambda r: r[key])


def test_sales_streams_equal_the_shop_field_for_field(shop):
    run = run_tap(oauth_config(shop))
    dump = shop.admin("GET", "/_emulator/dump")
    for stream in DOCUMENTS:
        assert dump[stream], stream
        assert by_id(run.records(stream)) == by_id(as_emitted(dump[stream])), stream


def test_catalog_and_customers_equal_the_shop(shop):
    run = run_tap(oauth_config(shop))
    products = {p["sku"]: p for p in run.records("products")}
    assert set(products) == {item.item_id for item in demo_data.ITEMS}
    for item in demo_data.ITEMS:
        assert products[item.item_id]["price"] == item.price
        assert products[item.item_id]["name"] == item.name
        assert products[item.item_id]["status"] == (1 if item.active else 2)
    names = {c["name"] for c in run.records("categories")}
    assert names == {"Root Catalog", "Default Category"} | {
        line.description for line in demo_data.PRODUCT_LINES
    }
    customers = shop.admin("GET", "/_emulator/dump")["customers"]
    assert by_id(run.records("customers"), "id") == by_id(as_emitted(customers), "id")
    seeded = {c.email for c in demo_data.CUSTOMERS if c.email and c.postcode}
    assert {c["email"] for c in run.records("customers")} == seeded


def test_money_is_exact_and_times_are_rfc3339_utc(shop):
    run = run_tap(oauth_config(shop))
    orders = {o["increment_id"]: o for o in run.records("orders")}
    euro = orders["000000204"]
    assert euro["order_currency_code"] == "EUR"
    assert euro["subtotal"] == Decimal("61.28")  # 4 x 11.87 + 13.80, no float drift
    assert euro["grand_total"] == Decimal("65.88")
    assert euro["created_at"] == "2026-11-03T14:22:31+00:00"
    taxed = orders["000000201"]
    lines = sum(Decimal(str(i["row_total"])) for i in taxed["items"])
    assert taxed["subtotal"] == lines == Decimal("151.47")
    assert taxed["grand_total"] == taxed["subtotal"] + taxed["tax_amount"] + Decimal(5)
    for spec in OBJECTS:
        for record in run.records(spec.stream):
            stamps = timestamps(record)
            assert stamps, spec.stream
            assert all(RFC3339_UTC.match(s) for s in stamps), (spec.stream, stamps)


@pytest.mark.parametrize("mode", ["oauth", "bearer", "admin"])
def test_each_way_in_reads_the_same_orders(shop, mode):
    if mode == "oauth":
        config = oauth_config(shop)
    elif mode == "bearer":
        shop.admin("POST", "/_emulator/config", {"integration_bearer": True})
        config = {"base_url": shop.base_url, "access_token": shop.integration.access_token}
    else:
        config = admin_config(shop)
    run = run_tap(config)
    orders = shop.admin("GET", "/_emulator/dump")["orders"]
    assert by_id(run.records("orders")) == by_id(as_emitted(orders))


def test_store_ids_scope_the_sales_streams(shop):
    assert run_tap(oauth_config(shop, store_ids=[2])).records("orders") == []
    in_default = run_tap(oauth_config(shop, store_ids=[1]))
    assert len(in_default.records("orders")) == len(shop.admin("GET", "/_emulator/dump")["orders"])
    assert len(in_default.records("products")) == len(demo_data.ITEMS)  # not store-filtered


def test_every_key_is_unique_within_a_run(shop):
    run = run_tap(oauth_config(shop, page_size=2))
    for spec in OBJECTS:
        keys = [r[spec.id_field] for r in run.records(spec.stream)]
        assert keys, spec.stream
        assert len(keys) == len(set(keys)), spec.stream


def test_incomplete_credentials_are_named(shop):
    config = {"base_url": shop.base_url, "consumer_key": "k", "consumer_secret": "s"}
    with pytest.raises(InvalidSettingsError, match=r"missing: \['access_token', "):
        run_tap(config | {"consumer_key": "k"})
