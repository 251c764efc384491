"""Every stream against the seeded demo company: same rows, same values, right JSON types."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from intacct_api import functions
from tap_intacct.objects import OBJECTS

EXTRA_FIELDS = {"_sdc_deleted_at", "ENTITY"}


def expected_value(text: Any, prop: dict[str, Any], tz: str) -> Any:
    """The JSON value a rendered Intacct value must become (an oracle apart from the tap)."""
    if text is None or text == "":
        return None
    types = set(prop["type"])
    if "integer" in types:
        return int(text)
    if "number" in types:
        return Decimal(text)
    if "boolean" in types:
        return {"true": True, "false": False, "T": True, "F": False}[text]
    if prop.get("format") == "date":
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()  # noqa: DTZ007
    if prop.get("format") == "date-time":
        local = datetime.strptime(text, "%m/%d/%Y %H:%M:%S").replace(tzinfo=ZoneInfo(tz))
        return local.astimezone(UTC).isoformat()
    return text


def schemas(run_messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["stream"]: m["schema"] for m in run_messages if m["type"] == "SCHEMA"}


def assert_same_rows(
    records: list[dict[str, Any]], rows: list[dict[str, Any]], schema: dict[str, Any], tz: str
) -> None:
    assert len(records) == len(rows)
    by_key = {r["RECORDNO"]: r for r in records}
    assert len(by_key) == len(records), "duplicate RECORDNO"
    for row in rows:
        record = by_key[int(row["RECORDNO"])]
        for name, prop in schema["properties"].items():
            if name in EXTRA_FIELDS:
                continue
            want = expected_value(row.get(name), prop, tz)
            assert record.get(name) == want, (row["RECORDNO"], name, record.get(name), want)
            if isinstance(want, Decimal):  # a JSON number parsed exactly (10.50 or 10), no float
                assert isinstance(record[name], Decimal | int), (name, record[name])


def test_every_stream_equals_the_seeded_rows(
    emulator, config, demo_catalog, api_rows, run_tap, select
):
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    objects = [o for o in OBJECTS if not o.function]  # reports: see test_balances.py
    run = run_tap(config, catalog=select(demo_catalog, *(o.stream for o in objects)))
    stream_schemas = schemas(run.messages)
    empty = []
    for spec in objects:
        rows = api_rows(spec.object)
        if spec.docparid:
            rows = [r for r in rows if r.get("DOCPARID") == spec.docparid]
        if not rows:
            empty.append(spec.stream)
        assert_same_rows(run.records(spec.stream), rows, stream_schemas[spec.stream], "UTC")
    # The seed fills the streams the demo flows use.
    assert not {"customers", "items", "sales_orders", "sales_order_lines"} & set(empty)


@pytest.mark.parametrize(("dateformat", "offset"), [("-Ymd", "+09:30"), (".dmY", "-05:00")])
def test_every_stream_reads_the_same_whatever_the_users_date_preferences(
    emulator, config, demo_catalog, run_tap, select, dateformat, offset
):
    """Intacct renders dates in the API user's format and GMT offset: read with the user's
    preferences (no `timezone` set), every record is what the default MM/DD/YYYY at UTC gives."""
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    catalog = select(demo_catalog, *(o.stream for o in OBJECTS))
    baseline = run_tap(config, catalog=catalog)
    emulator.admin("POST", "/_emulator/companies/demo", {"dateformat": dateformat,
                                                         "timezone": offset})  # fmt: skip
    try:
        preferred = run_tap({k: v for k, v in config.items() if k != "timezone"}, catalog=catalog)
    finally:
        emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    for spec in OBJECTS:
        assert preferred.records(spec.stream) == baseline.records(spec.stream), spec.stream
    assert preferred.records("customers")


def test_schema_types_from_lookup(demo_catalog):
    entries = {s["tap_stream_id"]: s for s in demo_catalog["streams"]}
    assert set(entries) == {o.stream for o in OBJECTS}
    customers = entries["customers"]["schema"]["properties"]
    assert customers["RECORDNO"]["type"] == ["integer", "null"]
    assert customers["CREDITLIMIT"]["type"] == ["number", "null"]
    assert customers["ONHOLD"]["type"] == ["boolean", "null"]
    assert customers["WHENMODIFIED"] == {"type": ["string", "null"], "format": "date-time"}
    assert customers["DISPLAYCONTACT.EMAIL1"]["type"] == ["string", "null"]
    invoices = entries["ar_invoices"]["schema"]["properties"]
    assert invoices["WHENDUE"] == {"type": ["string", "null"], "format": "date"}
    assert entries["customers"]["key_properties"] == ["RECORDNO"]
    assert entries["customers"]["replication_key"] == "WHENMODIFIED"
    assert entries["sales_invoice_lines"]["replication_key"] == "WHENMODIFIED"


def test_custom_fields_are_discovered_with_their_types(reset, client, config, run_tap):
    reset.admin("POST", "/_emulator/companies/demo", {"custom_fields": [
        {"object": "CUSTOMER", "name": "VIP_SCORE", "datatype": "DECIMAL"},
        {"object": "CUSTOMER", "name": "VIP_SINCE", "datatype": "DATE"},
    ]})  # fmt: skip
    client.call(functions.update("CUSTOMER", {"CUSTOMERID": "C-1001", "VIP_SCORE": "98.125",
                                              "VIP_SINCE": "03/01/2024"}))  # fmt: skip
    run = run_tap({**config, "start_date": "2000-01-01T00:00:00Z"})
    properties = schemas(run.messages)["customers"]["properties"]
    assert properties["VIP_SCORE"]["type"] == ["number", "null"]
    assert properties["VIP_SINCE"]["format"] == "date"
    acme = next(r for r in run.records("customers") if r["CUSTOMERID"] == "C-1001")
    assert acme["VIP_SCORE"] == Decimal("98.125")
    assert acme["VIP_SINCE"] == "2024-03-01"
    tiers = {r["CUSTOMERID"]: r.get("LOYALTY_TIER") for r in run.records("customers")}
    assert tiers["C-1001"] == "Gold"


def test_timestamps_are_converted_from_the_company_time_zone(
    emulator, api_rows, run_tap, demo_credentials
):
    company = "tz_test_co"
    emulator.admin("POST", f"/_emulator/companies/{company}", {"timezone": "America/New_York"})
    moment = datetime(2026, 7, 4, 15, 30, 5, tzinfo=UTC)  # 11:30:05 in New York (EDT)
    emulator.admin("POST", "/_emulator/clock", {"now": moment.isoformat(), "frozen": True})
    try:
        config = {**demo_credentials, "company_id": company, "api_url": emulator.url,
                  "timezone": "America/New_York"}  # fmt: skip
        from intacct_api.client import Credentials, IntacctClient

        with IntacctClient(Credentials(**config_credentials(config)), emulator.url) as intacct:
            intacct.call(functions.create("CUSTOMER", {"CUSTOMERID": "TZ-1", "NAME": "Zone Co"}))
        rows = api_rows("CUSTOMER", company)
        assert rows[0]["WHENMODIFIED"] == "07/04/2026 11:30:05"
        run = run_tap(config)
    finally:
        emulator.admin("POST", "/_emulator/clock", {"frozen": False})
    (record,) = run.records("customers")
    assert record["WHENMODIFIED"] == "2026-07-04T15:30:05+00:00"
    assert record["WHENCREATED"] == "2026-07-04T15:30:05+00:00"
    schema = schemas(run.messages)["customers"]
    assert_same_rows([record], rows, schema, "America/New_York")


def config_credentials(config: dict[str, Any]) -> dict[str, Any]:
    return {k: config[k] for k in ("sender_id", "sender_password", "company_id", "user_id",
                                   "user_password")}  # fmt: skip


def test_primary_keys_are_unique_in_every_stream(emulator, config, demo_catalog, run_tap, select):
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    run = run_tap(config, catalog=select(demo_catalog, *(o.stream for o in OBJECTS)))
    keys = {s["tap_stream_id"]: s["key_properties"] for s in demo_catalog["streams"]}
    for stream, key_properties in keys.items():
        counted = Counter(tuple(r[k] for k in key_properties) for r in run.records(stream))
        assert [k for k, n in counted.items() if n > 1] == [], stream
        assert all(None not in key for key in counted), stream


def test_objects_the_company_lacks_are_skipped(emulator, caplog, demo_credentials):
    company = "no_so_co"
    emulator.admin("POST", f"/_emulator/companies/{company}", {"unsubscribed": ["SODOCUMENT"]})
    config = {**demo_credentials, "company_id": company, "api_url": emulator.url,
              "extra_objects": ["NOSUCHOBJECT"]}  # fmt: skip
    from tap_intacct.tap import TapIntacct

    with caplog.at_level("WARNING"):
        catalog = TapIntacct(config=config).catalog_dict
    names = {s["tap_stream_id"] for s in catalog["streams"]}
    assert "sales_orders" not in names and "sales_invoice_lines" not in names
    assert "nosuchobject" not in names and "customers" in names
    skipped = [r.getMessage() for r in caplog.records if "Skipping stream" in r.getMessage()]
    assert len(skipped) == 5  # four SODOCUMENT streams and the unknown object, one line each


def test_a_catalog_stream_the_company_lacks_is_skipped_during_sync(
    emulator, caplog, demo_credentials, demo_catalog, select, run_tap
):
    company = "no_so_co"
    emulator.admin("POST", f"/_emulator/companies/{company}", {"unsubscribed": ["SODOCUMENT"]})
    config = {**demo_credentials, "company_id": company, "api_url": emulator.url}
    with caplog.at_level("WARNING"):
        run = run_tap(config, catalog=select(demo_catalog, "sales_orders", "customers"))
    assert "customers" in run.state["bookmarks"]  # the sync went on past the missing object
    skipped = [r.getMessage() for r in caplog.records if "Skipping stream" in r.getMessage()]
    assert len(skipped) == 1 and "sales_orders" in skipped[0]


def test_custom_fields_removed_after_discovery_stay_null(
    reset, emulator, caplog, client, config, demo_catalog, select, run_tap
):
    """The demo catalog knows custom fields that a company created empty lacks."""
    company = "no_custom_fields_co"
    emulator.admin("POST", f"/_emulator/companies/{company}", {"timezone": "UTC"})
    other = {**config, "company_id": company}
    from intacct_api.client import Credentials, IntacctClient

    credentials = {k: other[k] for k in ("sender_id", "sender_password", "company_id", "user_id",
                                          "user_password")}  # fmt: skip
    with IntacctClient(Credentials(**credentials), emulator.url) as intacct:
        intacct.call(functions.create("CUSTOMER", {"CUSTOMERID": "N-1", "NAME": "No tiers"}))
    with caplog.at_level("WARNING"):
        run = run_tap(other, catalog=select(demo_catalog, "customers"))
    (record,) = run.records("customers")
    assert record["CUSTOMERID"] == "N-1"
    assert record["LOYALTY_TIER"] is None and record["LOYALTY_POINTS"] is None
    warnings = [r.getMessage() for r in caplog.records if "no longer has" in r.getMessage()]
    assert len(warnings) == 1 and "LOYALTY_TIER" in warnings[0]


def test_extra_objects_are_discovered_by_name(reset, config):
    config = {**config, "extra_objects": ["CLASS", {"object": "PODOCUMENT",
                                                    "docparid": "Purchase Order"}]}  # fmt: skip
    from tap_intacct.tap import TapIntacct

    catalog = TapIntacct(config=config).catalog_dict
    entries = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert entries["class"]["key_properties"] == ["RECORDNO"]
    assert "CLASSID" in entries["class"]["schema"]["properties"]
    assert "podocument_purchase_order" in entries


@pytest.mark.parametrize(
    ("declared", "reason"), [("integer", "not an integer"), ("number", "not a number")]
)
def test_a_bad_value_names_the_record_and_the_field(
    reset, config, demo_catalog, select, declared, reason
):
    catalog = select(demo_catalog, "customers")
    # A catalog that types a text field as a number: the conversion error must name both.
    catalog["streams"][0]["schema"]["properties"]["NAME"] = {"type": [declared, "null"]}
    from tap_intacct.streams import RecordError
    from tap_intacct.tap import TapIntacct

    tap = TapIntacct(config=config, catalog=catalog)
    with pytest.raises(RecordError, match=rf"record RECORDNO=\d+: field NAME: {reason}: '"):
        list(tap.streams["customers"].get_records(None))


def test_a_number_that_is_not_finite_names_the_record_and_the_field(
    reset, config, demo_catalog, select, client, api_rows
):
    """`NaN` and `Infinity` parse as decimals but are no JSON numbers: refused by name."""
    from intacct_api import functions
    from tap_intacct.streams import RecordError
    from tap_intacct.tap import TapIntacct

    for row in api_rows("CUSTOMER"):
        client.call(functions.update("CUSTOMER", {"CUSTOMERID": row["CUSTOMERID"], "NAME": "NaN"}))
    catalog = select(demo_catalog, "customers")
    catalog["streams"][0]["schema"]["properties"]["NAME"] = {"type": ["number", "null"]}
    tap = TapIntacct(config=config, catalog=catalog)
    with pytest.raises(RecordError, match=r"RECORDNO=\d+: field NAME: not a finite number: 'NaN'"):
        list(tap.streams["customers"].get_records(None))


def set_property_metadata(catalog: dict[str, Any], name: str, **metadata: Any) -> None:
    for meta in catalog["streams"][0]["metadata"]:
        if meta["breadcrumb"] == ["properties", name]:
            meta["metadata"].update(metadata)


@pytest.fixture
def sent_queries(monkeypatch):
    """The `query` functions the tap sends (still over HTTP).

    Each as (object, selected fields, `showprivate` option, the session's entity).
    """
    from intacct_api.client import IntacctClient

    sent: list[tuple[str, list[str], str | None, str | None]] = []
    call = IntacctClient.call

    def spy(self, function):
        if function.name == "query":
            element = function.element
            fields = [f.text for f in element.find("select").iter("field")]
            show_private = element.findtext("options/showprivate")
            entity = self.credentials.entity_id
            sent.append((element.findtext("object"), fields, show_private, entity))
        return call(self, function)

    monkeypatch.setattr(IntacctClient, "call", spy)
    return sent


def test_only_selected_fields_are_requested(
    reset, config, demo_catalog, select, sent_queries, run_tap
):
    catalog = select(demo_catalog, "customers")
    for name in ("NAME", "DISPLAYCONTACT.EMAIL1"):
        set_property_metadata(catalog, name, selected=False)
    run = run_tap(config, catalog=catalog)
    (fields,) = [fields for obj, fields, *_ in sent_queries if obj == "CUSTOMER"]
    assert "NAME" not in fields and "DISPLAYCONTACT.EMAIL1" not in fields
    assert {"RECORDNO", "WHENMODIFIED", "CUSTOMERID", "DISPLAYCONTACT.EMAIL2"} <= set(fields)
    assert "_sdc_deleted_at" not in fields
    records = run.records("customers")
    assert records and all("NAME" not in r and "CUSTOMERID" in r for r in records)
    assert "NAME" not in schemas(run.messages)["customers"]["properties"]


def test_top_level_queries_ask_for_entity_private_records(
    reset, config, demo_catalog, select, sent_queries, run_tap, api_rows
):
    """At the top level Intacct returns entity-private rows only with `showprivate`; an entity
    session sees its own rows, so it does not ask."""
    catalog = select(demo_catalog, "customers")
    run_tap(config, catalog=catalog)
    entity = next(r["LOCATIONID"] for r in api_rows("LOCATION"))
    run_tap({**config, "entity_ids": [entity]}, catalog=catalog)
    options = {(shown, session) for obj, _, shown, session in sent_queries if obj == "CUSTOMER"}
    assert options == {("true", None), (None, entity)}


def test_a_deselected_key_or_replication_key_is_still_read(
    reset, config, demo_catalog, select, caplog, run_tap, api_rows
):
    catalog = select(demo_catalog, "customers")
    for name in ("RECORDNO", "WHENMODIFIED"):
        set_property_metadata(catalog, name, inclusion="available", selected=False)
    with caplog.at_level("WARNING"):
        first = run_tap(config, catalog=catalog)
    warned = [r.getMessage() for r in caplog.records if "the catalog deselects" in r.getMessage()]
    assert len(warned) == 2
    records = first.records("customers")
    assert sorted(r["RECORDNO"] for r in records) == sorted(
        int(r["RECORDNO"]) for r in api_rows("CUSTOMER")
    )
    assert all(r["WHENMODIFIED"] for r in records)
    assert {"RECORDNO", "WHENMODIFIED"} <= set(schemas(first.messages)["customers"]["properties"])
    assert first.state["bookmarks"]["customers"]["replication_key_value"]
    assert run_tap(config, catalog=catalog, state=first.state).records("customers") == []
