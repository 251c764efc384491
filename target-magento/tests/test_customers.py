"""Customers over real HTTP against the Magento emulator."""

from __future__ import annotations

from decimal import Decimal

from target_magento_support import (
    ZERO_COUNTS,
    customer_records,
    item_records,
    stream_messages,
    summary,
)

EMAIL = "DISPLAYCONTACT.EMAIL1"


def by_email(harness) -> dict[str, dict]:
    return {c["email"].lower(): c for c in harness.table("customers")}


def test_demo_customers_are_created_or_rejected_with_reasons(harness):
    before = len(harness.table("customers"))
    target, _ = harness.run(stream_messages("customers", customer_records()))

    counts = summary(target)["customers"]
    assert counts["created"] == 7
    assert counts["rejected"] == 3
    rejects = {r["key"]: r for r in harness.rejects()}
    assert set(rejects) == {"C-1005", "C-1006", "C-1007"}
    assert rejects["C-1005"]["field"] == EMAIL
    assert rejects["C-1006"]["field"] == "DISPLAYCONTACT.MAILADDRESS.ZIP"
    assert "postcode" in rejects["C-1006"]["reason"].lower()
    assert rejects["C-1007"]["field"] == EMAIL
    assert "C-1001" in rejects["C-1007"]["reason"]
    assert "C-1007" in rejects["C-1007"]["reason"]
    assert rejects["C-1007"]["record"]["CUSTOMERID"] == "C-1007"

    customers = by_email(harness)
    assert len(harness.table("customers")) == before + 7
    assert "pat@plumbing.example" not in customers  # rejected ones are never sent
    acme = customers["ap@acme.example"]
    assert acme["firstname"] == "Ada"
    addresses = harness.addresses_of(acme)
    assert len(addresses) == 1
    address = addresses[0]
    assert address["postcode"] == "62701"
    assert address["telephone"] == "+1 217 555 0101"
    assert address["country_id"] == "US"
    illinois = harness.region_id("US", "IL")
    assert int(address["region_id"]) == illinois
    # Inactive customers are still synced; Japan has no regions and no state.
    assert "dora@dormant.example" in customers
    assert harness.addresses_of(customers["hiro@tokyo-tools.example"])[0]["country_id"] == "JP"
    ids = harness.id_map()["customers"]
    assert ids["C-1001"]["id"] == int(acme["id"])


def test_rerun_updates_without_duplicates(harness):
    messages = stream_messages("customers", customer_records())
    harness.run(messages)
    first = by_email(harness)
    count = len(harness.table("customers"))

    target, _ = harness.run(messages)
    assert summary(target)["customers"]["created"] == 0
    assert summary(target)["customers"]["unchanged"] == 7
    assert len(harness.table("customers")) == count

    records = customer_records()
    records[0]["DISPLAYCONTACT.MAILADDRESS.CITY"] = "Chicago"
    records[0]["DISPLAYCONTACT.MAILADDRESS.ADDRESS2"] = "Floor 3"
    records[0]["DISPLAYCONTACT.LASTNAME"] = "Acme-Smith"
    target, _ = harness.run(stream_messages("customers", records))
    assert summary(target)["customers"]["updated"] == 1
    assert len(harness.table("customers")) == count
    acme = by_email(harness)["ap@acme.example"]
    assert acme["id"] == first["ap@acme.example"]["id"]
    assert acme["lastname"] == "Acme-Smith"
    addresses = harness.addresses_of(acme)
    assert len(addresses) == 1
    assert addresses[0]["city"] == "Chicago"
    assert addresses[0]["street"] == ["1 Main Street", "Floor 3"]


def test_email_ownership_survives_runs(harness):
    records = customer_records()
    harness.run(stream_messages("customers", [records[0]]))  # C-1001 owns ap@acme.example
    target, _ = harness.run(stream_messages("customers", [records[6]]))  # C-1007, same email
    assert summary(target)["customers"]["rejected"] == 1
    (reject,) = harness.rejects()
    assert reject["key"] == "C-1007"
    assert "C-1001" in reject["reason"]
    customer = by_email(harness)["ap@acme.example"]
    assert harness.addresses_of(customer)[0]["city"] == "Springfield"  # untouched


def test_existing_shop_customer_is_adopted_not_duplicated(harness):
    existing = harness.create_customer("grace@bab.example", "Grace", "Shopper")
    count = len(harness.table("customers"))
    records = [r for r in customer_records() if r["CUSTOMERID"] == "C-1004"]
    target, _ = harness.run(stream_messages("customers", records))
    assert summary(target)["customers"]["updated"] == 1
    assert len(harness.table("customers")) == count
    grace = by_email(harness)["grace@bab.example"]
    assert grace["id"] == existing["id"]
    assert grace["lastname"] == "Hopper"
    assert harness.id_map()["customers"]["C-1004"]["id"] == int(existing["id"])


def test_deleted_customers_are_left_alone(harness):
    records = customer_records()[:1]
    harness.run(stream_messages("customers", records))
    records[0]["_sdc_deleted_at"] = "2026-11-01T00:00:00+00:00"
    records[0]["DISPLAYCONTACT.MAILADDRESS.CITY"] = "Nowhere"
    target, _ = harness.run(stream_messages("customers", records))
    assert summary(target)["customers"]["skipped"] == 1
    assert harness.addresses_of(by_email(harness)["ap@acme.example"])[0]["city"] == "Springfield"


def test_country_name_and_region_resolution(harness):
    records = customer_records()
    german = dict(records[2], **{"DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": None})
    bad_state = dict(records[3], **{"DISPLAYCONTACT.MAILADDRESS.STATE": "Atlantis"})
    by_name = dict(records[9], **{"DISPLAYCONTACT.MAILADDRESS.STATE": "Washington"})
    target, _ = harness.run(stream_messages("customers", [german, bad_state, by_name]))
    counts = summary(target)["customers"]
    assert counts["created"] == 2
    assert counts["rejected"] == 1
    (reject,) = harness.rejects()
    assert reject["key"] == "C-1004"
    assert reject["field"] == "DISPLAYCONTACT.MAILADDRESS.STATE"
    customers = by_email(harness)
    assert harness.addresses_of(customers["jm@mueller-gaerten.example"])[0]["country_id"] == "DE"
    lena = harness.addresses_of(customers["lena@longname.example"])[0]
    assert int(lena["region_id"]) == harness.region_id("US", "WA")


def test_lookups_are_batched(harness):
    harness.reset_stats()
    harness.run(stream_messages("customers", customer_records()))
    searches = harness.request_count("GET", r"^/V1/customers/search$")
    directory = harness.request_count("GET", r"^/V1/directory/countries")
    assert searches <= 2  # one id search (empty here) and one email search for ten customers
    assert directory <= 4  # US, IE, DE, JP, each once
    assert harness.request_count("POST", r"^/V1/customers$") == 7


def test_magento_refusals_become_rejects_with_its_message(harness):
    """A US address without a state passes our checks; Magento requires the region."""
    record = dict(customer_records()[3], **{"DISPLAYCONTACT.MAILADDRESS.STATE": None})
    before = len(harness.table("customers"))
    target, _ = harness.run(stream_messages("customers", [record]))
    assert summary(target)["customers"]["rejected"] == 1
    (reject,) = harness.rejects()
    assert reject["key"] == "C-1004"
    assert reject["field"] == "DISPLAYCONTACT.MAILADDRESS.STATE"
    assert '"regionId" is required' in reject["magento_message"]
    assert "HTTP 400" in reject["reason"]
    assert len(harness.table("customers")) == before


def test_new_customers_go_through_the_bulk_api(harness):
    records = customer_records()
    records[3]["DISPLAYCONTACT.MAILADDRESS.STATE"] = None  # Magento will refuse this one
    before = len(harness.table("customers"))
    target, _ = harness.run(
        stream_messages("customers", records), use_bulk_api=True, bulk_threshold=3
    )
    counts = summary(target)["customers"]
    assert counts["created"] == 6
    assert counts["rejected"] == 4
    assert harness.request_count("POST", r"^/async/bulk/V1/customers$") == 1
    assert harness.request_count("POST", r"^/V1/customers$") == 0
    assert len(harness.table("customers")) == before + 6
    refused = next(r for r in harness.rejects() if r["key"] == "C-1004")
    assert refused["field"] == "DISPLAYCONTACT.MAILADDRESS.STATE"
    assert "regionId" in refused["magento_message"]
    acme = by_email(harness)["ap@acme.example"]
    assert harness.id_map()["customers"]["C-1001"]["id"] == int(acme["id"])
    assert harness.id_map()["customers"]["C-1001"]["address_id"] == acme["addresses"][0]["id"]

    target, _ = harness.run(stream_messages("customers", records), use_bulk_api=True)
    assert summary(target)["customers"]["unchanged"] == 6
    assert len(harness.table("customers")) == before + 6


def test_the_last_version_of_a_record_in_a_batch_wins(harness):
    first = customer_records()[0]
    second = dict(first, **{"DISPLAYCONTACT.MAILADDRESS.CITY": "Chicago"})
    items = item_records()[:1]
    repriced = dict(items[0], BASEPRICE=Decimal("8.25"))
    messages = [
        *stream_messages("customers", [first, second]),
        *stream_messages("items", [items[0], repriced]),
    ]
    target, _ = harness.run(messages)
    # The version replaced in the batch is counted skipped: the counts add up to the input.
    assert summary(target)["customers"] == {**ZERO_COUNTS, "created": 1, "skipped": 1}
    assert summary(target)["items"] == {**ZERO_COUNTS, "created": 1, "skipped": 1}
    assert harness.addresses_of(by_email(harness)["ap@acme.example"])[0]["city"] == "Chicago"
    (product,) = [p for p in harness.table("products") if p["sku"] == "SCREW-100"]
    assert Decimal(str(product["price"])) == Decimal("8.25")
