"""Generated customers through target-intacct against the emulator: every record lands in
Intacct or in the reject file with a reason, once, and the run's counts add up."""

from __future__ import annotations

import io
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

import simplejson
from connector_emulators.intacct.server import AdminError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from target_intacct.target import TargetIntacct
from target_intacct_helpers import base_config, emulator_records, read_jsonl, summary

SCHEMA = {
    "type": "SCHEMA",
    "stream": "customers",
    "key_properties": ["CUSTOMERID"],
    "schema": {
        "type": "object",
        "properties": {
            "CUSTOMERID": {"type": "string"},
            "NAME": {"type": ["string", "null"]},
            "CREDITLIMIT": {"type": ["number", "null"]},
            "COMMENTS": {"type": ["string", "null"]},
        },
    },
}
# Any code point (controls, characters outside the BMP), lone surrogates made common.
ODD_TEXT = st.lists(
    st.one_of(st.characters(codec=None, exclude_categories=()), st.characters(categories=["Cs"])),
    max_size=8,
).map("".join)
LIMITS = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9)
CUSTOMERS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "NAME": st.one_of(st.text(min_size=1, max_size=8), ODD_TEXT, st.integers()),
            "CREDITLIMIT": st.one_of(st.none(), LIMITS, st.just("lots")),
            "COMMENTS": ODD_TEXT,
        },
    ),
    min_size=1,
    max_size=6,
)


def as_line(message: dict) -> str:
    return simplejson.dumps(message, use_decimal=True) + "\n"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(CUSTOMERS)
def test_each_customer_lands_or_is_rejected_once(emulator, customers):
    records = [{"CUSTOMERID": f"H-{n}", **fields} for n, fields in enumerate(customers)]
    company = f"props_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as folder:
        config = base_config(emulator, company, Path(folder))
        lines = [as_line(SCHEMA)]
        lines += [as_line({"type": "RECORD", "stream": "customers", "record": r}) for r in records]
        target = TargetIntacct(config=config, validate_config=True)
        target.listen(io.StringIO("".join(lines)))
        rejects = read_jsonl(config["reject_file"])

    try:
        rows = emulator_records(emulator, company, "CUSTOMER")
    except AdminError:  # the target never logged in: every record was refused before sending
        rows = []
    landed = {row["CUSTOMERID"]: row for row in rows}
    rejected = [r["key"]["CUSTOMERID"] for r in rejects]
    assert all(r["message"] for r in rejects)
    assert sorted([*landed, *rejected]) == sorted(r["CUSTOMERID"] for r in records)
    counts = summary(target, "customers")
    assert counts.get("created", 0) == len(landed)
    assert counts.get("rejected", 0) == len(rejected)
    for record in records:  # what landed is what was sent: no limit rounded on the way
        row = landed.get(record["CUSTOMERID"])
        if row is not None and isinstance(record.get("CREDITLIMIT"), Decimal):
            assert Decimal(row["CREDITLIMIT"]) == record["CREDITLIMIT"]
