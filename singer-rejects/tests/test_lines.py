"""`RejectingReader` on byte input: what it names for each kind of unreadable line."""

from __future__ import annotations

import io

import pytest
from singer_rejects import RejectingReader, UnreadableLine

SCHEMA = (
    b'{"type": "SCHEMA", "stream": "s", "schema": {"properties": {}}, "key_properties": ["ID"]}'
)


def read(*lines: bytes) -> tuple[list[dict], list[UnreadableLine]]:
    """The messages the reader routes and the lines it rejects."""
    reader = RejectingReader()
    rejected: list[UnreadableLine] = []
    reader.reject_line = rejected.append
    routed: list[dict] = []
    callbacks = dict.fromkeys(("SCHEMA", "RECORD", "STATE"), routed.append)
    reader.process_lines(io.BytesIO(b"\n".join(lines)), callbacks)  # type: ignore[arg-type]
    return routed, rejected


def test_nested_field_and_key_with_a_lone_surrogate_are_named():
    nested = rb'{"type": "RECORD", "stream": "s", "record": {"ID": 7, "A": [{"B": "\udc00"}]}}'
    key = rb'{"type": "RECORD", "stream": "s", "record": {"ID": 8, "N\ud83d": 1}}'
    routed, (first, second) = read(SCHEMA, nested, key)
    assert len(routed) == 1
    assert (first.number, first.field, first.key) == (2, "A[0].B", {"ID": 7})
    assert first.record == {"ID": 7, "A": [{"B": "\\udc00"}]}
    assert (second.field, second.record) == ("N\\ud83d", {"ID": 8, "N\\ud83d": 1})


def test_a_paired_surrogate_escape_is_text_and_blank_lines_are_no_messages():
    emoji = rb'{"type": "RECORD", "stream": "s", "record": {"ID": "\ud83d\ude00"}}'
    routed, rejected = read(SCHEMA, b"", b"   ", emoji, b'{"type": "STATE", "value": {}}')
    assert rejected == []
    assert routed[1]["record"] == {"ID": "\N{GRINNING FACE}"}


def test_json_the_standard_library_alone_accepts_is_still_refused():
    routed, (nan,) = read(b'{"type": "RECORD", "stream": "s", "record": {"ID": NaN}}')
    assert routed == []
    assert nan.reason.startswith("is not valid JSON (JSON is malformed")
    assert (nan.stream, nan.record, nan.text) == (
        None,
        None,
        '{"type": "RECORD", "stream": "s", "record": {"ID": NaN}}',
    )


def test_numbers_and_nesting_beyond_the_decoders_limits_are_refused():
    digits = b'{"type": "RECORD", "stream": "s", "record": {"ID": 1' + b"0" * 5000 + b"}}"
    deep = b'{"type": "RECORD", "stream": "s", "record": {"ID": ' + b"[" * 100000 + b"]" * 100000
    _, (long_number, nested) = read(digits, deep + b"}}")
    assert long_number.reason.startswith("is not valid JSON (Integer value out of range")
    assert nested.number == 2 and nested.reason.startswith("is not valid JSON (")


def test_messages_the_sdk_could_not_route():
    _, rejected = read(
        b'{"type": "RECORD", "record": {}}',
        b'{"type": "RECORD", "stream": "s", "record": [1]}',
        b'{"type": 3}',
        b"null",
        b'{"type": "RECORD" "stream": "s"}',
    )
    assert [(r.number, r.reason) for r in rejected] == [
        (1, "is a RECORD message without a stream name"),
        (2, "is a RECORD message without a record object"),
        (3, "has no message type"),
        (4, "is not a JSON object (a Singer message is one)"),
        (5, "is not valid JSON (Expecting ',' delimiter at column 19)"),
    ]


def test_a_long_line_is_kept_short_and_without_a_target_the_line_stops_the_run():
    _, (long,) = read(b'{"x": "' + b"a" * 5000)
    assert len(long.text) == 2001 and long.text.endswith("…")
    with pytest.raises(ValueError, match="input line 1: is not valid UTF-8"):
        RejectingReader().process_lines(io.BytesIO(b"\xc0\n"), {})  # type: ignore[arg-type]
