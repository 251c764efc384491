"""Multi-entity reads: one session per entity, ENTITY on every record, state per entity."""

from __future__ import annotations

import itertools
from typing import Any

from intacct_api import functions
from intacct_api.client import Credentials, IntacctClient
from tap_intacct.tap import TapIntacct


def entity_ids(api_rows: Any) -> list[str]:
    return sorted(r["LOCATIONID"] for r in api_rows("LOCATION") if r.get("ENTITY") in ("true", "T"))


def test_records_and_state_are_scoped_per_entity(
    reset, config, demo_credentials, api_rows, run_tap, select
):
    first_entity, second_entity = entity_ids(api_rows)[:2]
    with IntacctClient(
        Credentials(**demo_credentials, entity_id=first_entity), reset.url
    ) as intacct:
        intacct.call(functions.create("CUSTOMER", {"CUSTOMERID": "PRIV-1", "NAME": "Private"}))
    scoped = {**config, "entity_ids": [first_entity, second_entity]}
    catalog = TapIntacct(config=scoped).catalog_dict
    entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == "customers")
    assert entry["key_properties"] == ["ENTITY", "RECORDNO"]
    assert entry["schema"]["properties"]["ENTITY"]["type"] == ["string", "null"]
    catalog = select(catalog, "customers")

    run = run_tap(scoped, catalog=catalog)
    records = run.records("customers")
    by_entity = {e: {r["CUSTOMERID"] for r in records if r["ENTITY"] == e}
                 for e in (first_entity, second_entity)}  # fmt: skip
    assert "PRIV-1" in by_entity[first_entity]
    assert "PRIV-1" not in by_entity[second_entity]
    assert {r["ENTITY"] for r in records} == {first_entity, second_entity}
    keys = [(r["ENTITY"], r["RECORDNO"]) for r in records]
    assert len(keys) == len(set(keys))
    partitions = run.state["bookmarks"]["customers"]["partitions"]
    assert [p["context"] for p in partitions] == [
        {"entity_id": first_entity}, {"entity_id": second_entity},
    ]  # fmt: skip
    assert all(p["replication_key_value"] for p in partitions)

    again = run_tap(scoped, catalog=catalog, state=run.state)
    assert again.records("customers") == []


def test_without_entities_there_are_no_partitions(reset, config, demo_catalog, select, run_tap):
    run = run_tap(config, catalog=select(demo_catalog, "customers"))
    assert "partitions" not in run.state["bookmarks"]["customers"]
    assert all("ENTITY" not in r for r in run.records("customers"))


def test_deletes_come_under_a_schema_of_their_own_fields_and_rows_after_them_under_the_full_one(
    reset, config, demo_credentials, api_rows, run_tap, select
):
    """A target upserting the schema's columns keeps a deleted row's data (see README, Deletes)."""
    first_entity, second_entity = entity_ids(api_rows)[:2]
    scoped = {**config, "entity_ids": [first_entity, second_entity]}
    catalog = select(TapIntacct(config=scoped).catalog_dict, "customers")

    def in_entity(entity: str) -> IntacctClient:
        return IntacctClient(Credentials(**demo_credentials, entity_id=entity), reset.url)

    with in_entity(first_entity) as intacct:
        intacct.call(functions.create("CUSTOMER", {"CUSTOMERID": "PRIV-1", "NAME": "Soon gone"}))
    first = run_tap(scoped, catalog=catalog)
    gone = next(r["RECORDNO"] for r in first.records("customers") if r["CUSTOMERID"] == "PRIV-1")
    reset.admin("POST", "/_emulator/clock", {"advance_seconds": 2})
    with in_entity(first_entity) as intacct:
        intacct.call(functions.delete("CUSTOMER", [gone]))
    with in_entity(second_entity) as intacct:
        intacct.call(functions.create("CUSTOMER", {"CUSTOMERID": "PRIV-2", "NAME": "New"}))

    second = run_tap(scoped, catalog=catalog, state=first.state)
    messages = [m for m in second.messages if m.get("stream") == "customers"]
    full = messages[0]["schema"]
    assert messages[0]["type"] == "SCHEMA" and len(full["properties"]) > 3
    kinds, schema = [], full
    for message in messages:
        if message["type"] == "SCHEMA":
            schema = message["schema"]
            assert message["key_properties"] == ["ENTITY", "RECORDNO"]
            continue
        record = message["record"]
        if "_sdc_deleted_at" in record:
            kinds.append("delete")
            assert schema["properties"] == {k: full["properties"][k] for k in record}
            assert set(record) == {"ENTITY", "RECORDNO", "_sdc_deleted_at"}
        else:
            kinds.append("row")
            assert schema == full, record
    assert ("delete", "row") in itertools.pairwise(kinds)  # the full schema came back after deletes
    assert [r["RECORDNO"] for r in second.records("customers") if "_sdc_deleted_at" in r] == [gone]
