"""The SDK's built-in target tests, each with a `validate()` that looks into the emulator.

Fixture streams with an id and a text become customers through stream maps; the others have no
Intacct sink and are skipped (`skip_unknown_streams`), so their `validate()` checks that nothing
landed.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from importlib import resources
from pathlib import Path

from connector_emulators.intacct.server import AdminError, serve_in_thread
from singer_sdk.testing import SuiteConfig, get_target_test_class, target_test_streams
from singer_sdk.testing import target_tests as sdk
from singer_sdk.testing.suites import SingerTestSuite
from target_intacct.target import TargetIntacct

EMULATOR = serve_in_thread(port=0, seed="demo")
COMPANY = f"target_sdk_{uuid.uuid4().hex[:8]}"
REJECTS = Path(tempfile.mkdtemp()) / "rejects.jsonl"


def as_customers(prefix: str, name_expr: str, comment_expr: str | None = None) -> dict:
    mapping = {
        "CUSTOMERID": f"'{prefix}-' + str(id)",
        "NAME": name_expr,
        "__key_properties__": ["CUSTOMERID"],
        "__else__": None,
    }
    if comment_expr:
        mapping["COMMENTS"] = comment_expr
    return mapping


STREAM_MAPS = {
    "TestCamelcase": {
        "CUSTOMERID": "'CAMEL-' + Id",
        "NAME": "clientName",
        "__key_properties__": ["CUSTOMERID"],
        "__else__": None,
    },
    "test_duplicate_records": as_customers("DUP", "'metric ' + str(metric)"),
    "test_strings": as_customers("ENC", "info"),
    "test_optional_attributes": as_customers(
        "OPT", "'optional ' + str(id)", "record.get('optional')"
    ),
    "record_missing_fields": as_customers("MISS", "'missing ' + str(id)", "record.get('optional')"),
}
CONFIG = {
    "sender_id": "demo_sender",
    "sender_password": "demo_sender_password",
    "company_id": COMPANY,
    "user_id": "demo_user",
    "user_password": "demo_user_password",
    "api_url": EMULATOR.url,
    "reject_file": str(REJECTS),
    "skip_unknown_streams": True,
    "streams": {stream: {"sink": "customers"} for stream in STREAM_MAPS},
    "stream_maps": STREAM_MAPS,
}


def customers() -> dict[str, dict]:
    try:
        rows = EMULATOR.admin("GET", f"/_emulator/records/{COMPANY}/CUSTOMER", None)["records"]
    except AdminError:  # the company exists once the target has logged in
        return {}
    return {row["CUSTOMERID"]: row for row in rows}


def fixture_records(name: str, stream: str) -> list[dict]:
    text = (resources.files(target_test_streams) / f"{name}.singer").read_text()
    messages = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def with_prefix(prefix: str) -> dict[str, dict]:
    return {k: v for k, v in customers().items() if k.startswith(prefix + "-")}


class NothingLands:
    """For fixtures no sink accepts: the company's customers are the same before and after."""

    def setup(self) -> None:
        self.before = customers()

    def validate(self) -> None:
        assert customers() == self.before


class Camelcase(sdk.TargetCamelcaseTest):
    def validate(self) -> None:
        expected = {
            f"CAMEL-{r['Id']}": r["clientName"] for r in fixture_records(self.name, "TestCamelcase")
        }
        assert {k: v["NAME"] for k, v in with_prefix("CAMEL").items()} == expected


class DuplicateRecords(sdk.TargetDuplicateRecords):
    def validate(self) -> None:
        last = {}
        for record in fixture_records(self.name, "test_duplicate_records"):
            last[f"DUP-{record['id']}"] = f"metric {record['metric']}"
        assert {k: v["NAME"] for k, v in with_prefix("DUP").items()} == last


class EncodedStrings(sdk.TargetEncodedStringData):
    def validate(self) -> None:
        """Unicode lands unchanged; a NUL byte, which XML cannot carry, is rejected by name."""
        records = fixture_records(self.name, "test_strings")
        expected = {f"ENC-{r['id']}": r["info"] for r in records if "\x00" not in r["info"]}
        assert len(expected) == len(records) - 1
        assert {k: v["NAME"] for k, v in with_prefix("ENC").items()} == expected
        rejects = [json.loads(line) for line in REJECTS.read_text().splitlines()]
        control = [r for r in rejects if r["stream"] == "test_strings"]
        assert [(r["key"], r["field"]) for r in control] == [({"CUSTOMERID": "ENC-11"}, "NAME")]


def assert_optional_became_comments(fixture: str, stream: str, prefix: str) -> None:
    """Every record landed, with its `optional` value (or none) as COMMENTS."""
    records = fixture_records(fixture, stream)
    stored = with_prefix(prefix)
    assert len(stored) == len(records)
    for record in records:
        assert (stored[f"{prefix}-{record['id']}"].get("COMMENTS") or None) == record.get(
            "optional"
        )


class OptionalAttributes(sdk.TargetOptionalAttributes):
    def validate(self) -> None:
        assert_optional_became_comments(self.name, "test_optional_attributes", "OPT")


class MissingFields(sdk.TargetRecordMissingOptionalFields):
    def validate(self) -> None:
        assert_optional_became_comments(self.name, "record_missing_fields", "MISS")


def nothing_lands(base: type) -> type:
    return type(base.__name__, (NothingLands, base), {})


class CliPrints(sdk.TargetCliPrintsTest):
    def validate(self) -> None:
        assert "sender_password" in json.dumps(TargetIntacct.config_jsonschema)


SUITE = SingerTestSuite(
    kind="target",
    tests=[
        Camelcase,
        DuplicateRecords,
        EncodedStrings,
        OptionalAttributes,
        MissingFields,
        CliPrints,
        *(
            nothing_lands(test)
            for test in (
                sdk.TargetArrayData,
                sdk.TargetCamelcaseComplexSchema,
                sdk.TargetInvalidSchemaTest,
                sdk.TargetNoPrimaryKeys,
                sdk.TargetPrimaryKeyUpdates,
                sdk.TargetRecordBeforeSchemaTest,
                sdk.TargetRecordMissingKeyProperty,
                sdk.TargetSchemaNoProperties,
                sdk.TargetSchemaUpdates,
                sdk.TargetSpecialCharsInAttributes,
            )
        ),
    ],
)

TestTargetIntacctSDK = get_target_test_class(
    TargetIntacct,
    config=CONFIG,
    custom_suites=[SUITE],
    include_target_tests=False,
    suite_config=SuiteConfig(),
)
