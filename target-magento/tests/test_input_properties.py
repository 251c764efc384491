"""Generated customers through target-magento against the emulator: every record lands in
Magento or in the reject file with a reason, once, and the run's counts add up."""

from __future__ import annotations

import io
import tempfile
import uuid
from contextlib import redirect_stdout
from pathlib import Path

import simplejson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from target_magento.target import TargetMagento
from target_magento_support import Harness, customer_records, stream_messages, summary

# Any code point (controls, characters outside the BMP), lone surrogates made common.
ODD_TEXT = st.lists(
    st.one_of(st.characters(codec=None, exclude_categories=()), st.characters(categories=["Cs"])),
    max_size=8,
).map("".join)
OVERRIDES = st.fixed_dictionaries(
    {},
    optional={
        "NAME": st.one_of(st.none(), st.text(min_size=1, max_size=8), ODD_TEXT),
        "DISPLAYCONTACT.FIRSTNAME": st.one_of(st.none(), ODD_TEXT),
        "DISPLAYCONTACT.EMAIL1": st.one_of(st.none(), ODD_TEXT),
        "DISPLAYCONTACT.MAILADDRESS.ZIP": st.one_of(st.none(), ODD_TEXT, st.integers()),
        "CREDITLIMIT": st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False)),
    },
)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(OVERRIDES, min_size=1, max_size=5))
def test_each_customer_lands_or_is_rejected_once(magento, overrides):
    template = customer_records()[0]
    run = uuid.uuid4().hex[:8]
    records = [
        {**template, "RECORDNO": n, "CUSTOMERID": f"H-{run}-{n}",
         "DISPLAYCONTACT.EMAIL1": f"h{n}-{run}@example.com", **fields}
        for n, fields in enumerate(overrides)
    ]  # fmt: skip
    before = len(magento.admin("GET", "/_emulator/dump")["customers"])
    messages = stream_messages("customers", records, "CUSTOMERID")
    # JSON with \u escapes: lone surrogates travel as the escapes a tap would write
    text = "".join(simplejson.dumps(m, use_decimal=True) + "\n" for m in messages)
    with tempfile.TemporaryDirectory() as folder:
        harness = Harness(magento, Path(folder))
        target = TargetMagento(config=harness.config())
        with redirect_stdout(io.StringIO()):
            target.listen(io.StringIO(text))
        rejects = harness.rejects()

    counts = summary(target).get("customers", {})
    assert all(r["reason"] for r in rejects)
    assert sorted(r["key"] for r in rejects) == sorted(
        r["CUSTOMERID"] for r in records if r["CUSTOMERID"] not in _landed(records, magento)
    )
    assert counts.get("created", 0) + counts.get("rejected", 0) == len(records)
    assert counts.get("created", 0) == len(_landed(records, magento))
    assert len(magento.admin("GET", "/_emulator/dump")["customers"]) == before + counts.get(
        "created", 0
    )


def _landed(records: list[dict], magento) -> set[str]:
    """The records whose email Magento now holds."""
    emails = {c["email"] for c in magento.admin("GET", "/_emulator/dump")["customers"]}
    return {r["CUSTOMERID"] for r in records if r["DISPLAYCONTACT.EMAIL1"] in emails}
