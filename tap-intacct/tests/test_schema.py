"""The type map and the converters, on value forms Intacct uses that the emulator may not send."""

from __future__ import annotations

from decimal import Decimal

import pytest
from intacct_api.dates import DateStyle, zone
from intacct_api.functions import lookup_fields
from intacct_api.preferences import Rendering
from tap_intacct.schema import converters, stream_schema

UTC_US = Rendering()

FIELDS = [
    ("RECORDNO", "INTEGER"), ("AMOUNT", "CURRENCY"), ("RATE", "PERCENT"), ("QTY", "DECIMAL"),
    ("ACTIVE", "BOOLEAN"), ("DUE", "DATE"), ("WHENMODIFIED", "TIMESTAMP"), ("NAME", "TEXT"),
    ("KIND", "ENUM"),
]  # fmt: skip


def test_types_keys_and_nullability():
    schema = stream_schema(FIELDS[1:], key_properties=["ENTITY", "RECORDNO"], replication_key=None)
    props = schema["properties"]
    assert props["RECORDNO"]["type"] == ["integer", "null"]  # merged in from the key
    assert props["ENTITY"]["type"] == ["string", "null"]
    assert {props[n]["type"][0] for n in ("AMOUNT", "RATE", "QTY")} == {"number"}
    assert props["KIND"] == {"type": ["string", "null"]}
    assert props["_sdc_deleted_at"]["format"] == "date-time"
    assert all("null" in p["type"] for p in props.values())


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("RECORDNO", "42", 42),
        ("AMOUNT", "1234567890123.10", Decimal("1234567890123.10")),
        ("RATE", "0.0825", Decimal("0.0825")),
        ("AMOUNT", "1.5E+3", Decimal("1500")), ("AMOUNT", "-0.00", Decimal("0")),
        ("ACTIVE", "true", True), ("ACTIVE", "false", False),
        ("ACTIVE", "T", True), ("ACTIVE", "F", False),
        ("DUE", "02/29/2028", "2028-02-29"),
        ("NAME", "O'Brien <Builders>", None),  # text is kept as it is: no converter
    ],
)  # fmt: skip
def test_converters(field, text, value):
    convert = converters(stream_schema(FIELDS, key_properties=[], replication_key=None), UTC_US)
    if value is None:
        assert convert[field] is None
    else:
        assert convert[field](text) == value


def test_timestamps_become_utc_across_daylight_saving_time():
    schema = stream_schema(FIELDS, key_properties=[], replication_key="WHENMODIFIED")
    to_utc = converters(schema, Rendering(zone("America/Los_Angeles")))["WHENMODIFIED"]
    assert to_utc("07/01/2026 09:00:00") == "2026-07-01T16:00:00+00:00"  # PDT, UTC-7
    assert to_utc("12/01/2026 09:00:00") == "2026-12-01T17:00:00+00:00"  # PST, UTC-8


def test_the_users_date_format_and_fixed_offset_are_read():
    """Intacct renders in the API user's preferences: here DD.MM.YYYY at GMT+09:30."""
    schema = stream_schema(FIELDS, key_properties=[], replication_key="WHENMODIFIED")
    convert = converters(schema, Rendering(zone("+09:30"), DateStyle.parse(".dmY")))
    assert convert["WHENMODIFIED"]("01.07.2026 09:00:00") == "2026-06-30T23:30:00+00:00"
    assert convert["WHENMODIFIED"]("01.12.2026 09:00:00") == "2026-11-30T23:30:00+00:00"
    assert convert["DUE"]("02.10.2026") == "2026-10-02"
    with pytest.raises(ValueError, match=r"DD\.MM\.YYYY"):
        convert["DUE"]("10/02/2026")


@pytest.mark.parametrize(("field", "text"), [
    ("AMOUNT", "12,50"), ("AMOUNT", "1,234.50"), ("ACTIVE", "yes please"), ("DUE", "31/31/2026"),
    ("AMOUNT", "NaN"), ("AMOUNT", "Infinity"), ("RECORDNO", "1,234"), ("RECORDNO", "1E+3"),
])  # fmt: skip
def test_bad_values_raise(field, text):
    """Thousands separators are refused, not guessed at: `1,234` could be 1.234 or 1234."""
    convert = converters(stream_schema(FIELDS, key_properties=[], replication_key=None), UTC_US)
    with pytest.raises(ValueError, match="not"):
        convert[field](text)


def test_lookup_answer_with_a_single_field():
    rows = [{"@Name": "X", "Fields": {"Field": {"ID": "RECORDNO", "DATATYPE": "INTEGER"}}}]
    assert lookup_fields(rows) == [("RECORDNO", "INTEGER")]
