"""A Singer SDK target on a `RejectingBatchSink`, fed real Singer messages."""

from __future__ import annotations

import io
import json
from typing import Any, ClassVar

import pytest
from singer_rejects import RejectingBatchSink, schema_failure
from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.exceptions import InvalidRecord
from singer_sdk.sinks.core import JSONSchemaValidator

SECRET = "hunter2-never-quoted"
SCHEMA = {
    "type": "object",
    "properties": {
        "ID": {"type": "string"},
        "LIMIT": {"type": ["number", "null"]},
        "CODE": {"type": ["string", "null"], "maxLength": 3},
        "DUE": {"type": ["string", "null"], "format": "date-time"},
        "ENTRIES": {
            "type": "array",
            "items": {"type": "object", "properties": {"AMOUNT": {"type": "number"}}},
        },
    },
    "required": ["ID"],
}


class CollectingSink(RejectingBatchSink):
    written: ClassVar[list[dict[str, Any]]] = []
    rejected: ClassVar[list[tuple[str | None, str]]] = []

    def reject_invalid(self, record: dict, field: str | None, reason: str) -> None:
        self.rejected.append((field, reason))

    def process_batch(self, context: dict) -> None:
        self.written.extend(context["records"])


class CollectingTarget(Target):
    name = "target-collecting"
    config_jsonschema = th.PropertiesList().to_dict()
    default_sink_class = CollectingSink


def failure(record: dict[str, Any]) -> tuple[str | None, str]:
    with pytest.raises(InvalidRecord) as caught:
        JSONSchemaValidator(SCHEMA).validate(record)
    return schema_failure(caught.value)


def test_wrong_type_names_field_and_types_but_not_the_value() -> None:
    field, reason = failure({"ID": "A", "LIMIT": SECRET})
    assert (field, reason) == ("LIMIT", "LIMIT must be number or null, got string")


def test_missing_required_field_is_named() -> None:
    assert failure({"LIMIT": 1}) == ("ID", "ID is required by the stream's schema")


def test_nested_field_path_and_other_rules() -> None:
    assert failure({"ID": "A", "ENTRIES": [{"AMOUNT": 1}, {"AMOUNT": "x"}]}) == (
        "ENTRIES[1].AMOUNT",
        "ENTRIES[1].AMOUNT must be number, got string",
    )
    field, reason = failure({"ID": "A", "CODE": SECRET})
    assert (field, reason) == ("CODE", "CODE breaks the stream schema's 'maxLength' rule")


def test_target_rejects_the_bad_records_and_writes_every_other() -> None:
    CollectingSink.written.clear()
    CollectingSink.rejected.clear()
    records = [
        {"ID": "good-1", "LIMIT": 10},
        {"ID": "bad-type", "LIMIT": SECRET},
        {"ID": "good-2", "DUE": "2026-11-03T10:00:00Z"},
        {"ID": "bad-date", "DUE": "not a date"},
        {"ID": "good-3"},
    ]
    lines = [{"type": "SCHEMA", "stream": "things", "schema": SCHEMA, "key_properties": ["ID"]}]
    lines += [{"type": "RECORD", "stream": "things", "record": r} for r in records]
    target = CollectingTarget(config={})
    target.listen(io.StringIO("".join(json.dumps(line) + "\n" for line in lines)))

    assert [r["ID"] for r in CollectingSink.written] == ["good-1", "good-2", "good-3"]
    assert CollectingSink.rejected == [
        ("LIMIT", "LIMIT must be number or null, got string"),
        ("DUE", "DUE is not a valid date"),
    ]
    assert all(SECRET not in reason for _, reason in CollectingSink.rejected)
