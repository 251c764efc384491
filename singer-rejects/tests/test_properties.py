"""Generated Singer input through a `RejectingTarget`: every record line is written or rejected
with a reason, exactly once, and nothing else ends the run."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from singer_rejects import RejectingBatchSink, RejectingTarget, UnreadableLine
from singer_sdk import typing as th

SCHEMA = {
    "type": "object",
    "properties": {
        "SEQ": {"type": "integer"},
        "ID": {"type": "string"},
        "LIMIT": {"type": ["number", "null"]},
        "NAME": {"type": ["string", "null"]},
        "DUE": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["SEQ", "ID"],
}
SCHEMA_LINE = {"type": "SCHEMA", "stream": "things", "schema": SCHEMA, "key_properties": ["SEQ"]}
# Any code point (controls, characters outside the BMP), lone surrogates made common.
ODD_TEXT = st.lists(
    st.one_of(st.characters(codec=None, exclude_categories=()), st.characters(categories=["Cs"])),
    max_size=8,
).map("".join)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
)
DATES = st.datetimes().map(lambda moment: moment.isoformat() + "Z")
GOOD_FIELDS = st.fixed_dictionaries(
    {"ID": st.text(max_size=8)},
    optional={"LIMIT": st.one_of(st.none(), NUMBERS), "NAME": st.text(), "DUE": DATES},
)
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), NUMBERS, ODD_TEXT, st.lists(st.integers(), max_size=2)
)
ANY_FIELDS = st.dictionaries(st.sampled_from(["ID", "LIMIT", "NAME", "DUE", "X"]), ANY_VALUE)
BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80"]  # not UTF-8: a stray byte, a cut, a surrogate
JUNK = st.one_of(NUMBERS.map(json.dumps), st.just("[1, 2]"), st.just('"text"'), st.just("null"))
PARTS = st.lists(
    st.one_of(
        st.tuples(st.just("good"), GOOD_FIELDS, st.booleans()),
        st.tuples(st.just("any"), ANY_FIELDS, st.booleans()),
        st.tuples(st.just("cut"), GOOD_FIELDS, st.floats(0, 1)),
        st.tuples(
            st.just("bad byte"), GOOD_FIELDS, st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])
        ),
        st.tuples(st.just("junk"), JUNK, st.none()),
        st.tuples(st.just("state"), st.dictionaries(st.text(max_size=3), st.integers()), st.none()),
    ),
    max_size=25,
)


def has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_surrogate(v) for v in value)
    return False


def readable_text(line: bytes) -> bool:
    """UTF-8 whose strings hold no lone surrogate (an escaped pair is one character)."""
    try:
        return not has_surrogate(json.loads(line.decode("utf-8")))
    except UnicodeDecodeError:
        return False


class CollectingSink(RejectingBatchSink):
    def __init__(self, target: CollectingTarget, *args: Any, **kwargs: Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.collector = target

    def reject_invalid(self, record: dict, field: str | None, reason: str) -> None:
        assert reason
        self.collector.rejected.append(record["SEQ"])

    def process_batch(self, context: dict) -> None:
        self.collector.written.extend(r["SEQ"] for r in context.get("records", []))


class CollectingTarget(RejectingTarget):
    name = "target-collecting"
    config_jsonschema = th.PropertiesList().to_dict()
    default_sink_class = CollectingSink

    def __init__(self) -> None:
        super().__init__(config={})
        self.written: list[int] = []
        self.rejected: list[int] = []
        self.unreadable: list[UnreadableLine] = []

    def reject_line(self, line: UnreadableLine) -> None:
        assert line.reason and line.message.startswith(f"input line {line.number}: ")
        self.unreadable.append(line)


def encode(message: dict, ascii_only: bool = True) -> bytes:
    return json.dumps(message, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARTS)
def test_each_record_line_is_written_or_rejected_once(parts):
    lines = [encode(SCHEMA_LINE)]
    good: set[int] = set()  # records that must be written
    readable: set[int] = set()  # records written or rejected by the schema
    unreadable_lines: set[int] = set()  # line numbers the reader must reject
    for seq, (kind, value, option) in enumerate(parts):
        record = {"SEQ": seq, **value} if isinstance(value, dict) else None
        message = {"type": "RECORD", "stream": "things", "record": record}
        if kind == "state":
            lines.append(encode({"type": "STATE", "value": value}))
            continue
        if kind == "junk":
            lines.append(value.encode())
        elif kind == "cut":
            text = encode(message)
            lines.append(text[: max(1, int(option * (len(text) - 1)))])
        elif kind == "bad byte":
            lines.append(encode(message).replace(b'"SEQ"', b'"S' + option + b'EQ"'))
        else:
            lines.append(encode(message, ascii_only=option))
            if readable_text(lines[-1]):
                (good if kind == "good" else readable).add(seq)
                continue
        unreadable_lines.add(len(lines))

    target = CollectingTarget()
    target.listen(io.TextIOWrapper(io.BytesIO(b"\n".join(lines) + b"\n"), encoding="utf-8"))

    assert sorted(line.number for line in target.unreadable) == sorted(unreadable_lines)
    assert good <= set(target.written)
    assert sorted(target.written + target.rejected) == sorted(good | readable)
