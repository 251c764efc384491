"""An input line that is not a readable Singer message is rejected on its own; the run goes on.

The SDK's readers stop the whole run on such a line, losing the records read before it:
bytes that are not UTF-8 end the text stream's iteration, and msgspec refuses a lone surrogate
(a JSON escape of D800 to DFFF without its pair) with a misleading "Input data was truncated".
`RejectingReader` reads bytes, decodes each line with msgspec as the SDK does, and on a failure
works out why (with the standard library's parser, which accepts what msgspec refuses) and hands
an `UnreadableLine`, numbered, to the target's `reject_line`.
"""

from __future__ import annotations

import json
import sys
import typing as t
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import msgspec
from singer_sdk.contrib.msgspec import decoder
from singer_sdk.singerlib.encoding.base import GenericSingerReader, SingerMessageType
from singer_sdk.target_base import Target

from singer_rejects.sinks import field_path

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = ["INPUT_STREAM", "RejectingReader", "RejectingTarget", "UnreadableLine"]

# What a rejected line is counted and filed under when it names no stream.
INPUT_STREAM = "(input)"

# How much of an unreadable line its reject keeps (the line may be a whole broken batch).
TEXT_KEPT = 2000
_FIRST_SURROGATE, _LAST_SURROGATE = 0xD800, 0xDFFF


@dataclass(frozen=True)
class UnreadableLine:
    """A line of input the target could not take, with what could still be read of it."""

    number: int
    reason: str
    text: str  # the line, undecodable bytes and lone surrogates written as escapes
    stream: str | None = None
    field: str | None = None
    record: dict[str, t.Any] | None = None
    key: dict[str, t.Any] | None = None  # the record's key properties, when its stream has them

    @property
    def message(self) -> str:
        return f"input line {self.number}: {self.reason}"


def _has_surrogate(text: str) -> bool:
    return any(_FIRST_SURROGATE <= ord(c) <= _LAST_SURROGATE for c in text)


def _escaped(value: t.Any) -> t.Any:
    """The value with every lone surrogate written as its escape text, so it can be encoded."""
    if isinstance(value, str):
        if _has_surrogate(value):
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _surrogate_path(value: t.Any, path: tuple[t.Any, ...] = ()) -> tuple[t.Any, ...] | None:
    """Where the first string with a lone surrogate is (a key counts as its own field)."""
    if isinstance(value, str):
        return path if _has_surrogate(value) else None
    if isinstance(value, dict):
        for name, item in value.items():
            if _has_surrogate(name):
                return (*path, _escaped(name))
            found = _surrogate_path(item, (*path, name))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _surrogate_path(item, (*path, index))
            if found is not None:
                return found
    return None


class RejectingReader(GenericSingerReader[str]):
    """Singer messages from stdin (or a file), one bad line rejected without ending the run."""

    default_input = sys.stdin

    def __init__(self) -> None:
        super().__init__()
        self.reject_line: Callable[[UnreadableLine], None] | None = None
        self._keys: dict[str, list[str]] = {}  # stream → key properties, from its SCHEMA

    def deserialize_json(self, line: str) -> dict:
        """One message, as the SDK's msgspec reader decodes it (numbers as Decimals)."""
        return decoder.decode(line)

    def process_lines(
        self,
        file_input: t.IO[str] | None,
        callbacks: dict[str, Callable[[dict], None]],
    ) -> Counter[str]:
        stats: dict[str, int] = defaultdict(int)
        for number, line in enumerate(_byte_lines(file_input or self.default_input), start=1):
            if not line.strip():
                continue
            message = self._message(number, line)
            if message is None:
                stats["unreadable"] += 1
                continue
            kind = message["type"]
            if kind == SingerMessageType.SCHEMA and isinstance(message.get("stream"), str):
                keys = message.get("key_properties")
                self._keys[message["stream"]] = list(keys) if isinstance(keys, list) else []
            if callback := callbacks.get(kind):
                callback(message)
            else:
                self._process_unknown_message(message)
            stats[kind] += 1
        return Counter(**stats)

    def _message(self, number: int, line: bytes) -> dict[str, t.Any] | None:
        """The line's message, or None once it is rejected."""
        try:
            message = decoder.decode(line)
        except (msgspec.DecodeError, RecursionError) as error:
            self._reject(self._unreadable(number, line, str(error)))
            return None
        problem = _structure_problem(message)
        if problem is not None:
            self._reject(self._described(number, line, message, problem))
            return None
        return t.cast("dict[str, t.Any]", message)

    def _reject(self, line: UnreadableLine) -> None:
        if self.reject_line is None:
            raise ValueError(line.message)
        self.reject_line(line)

    def _unreadable(self, number: int, line: bytes, decode_error: str) -> UnreadableLine:
        """Why msgspec could not decode the line, found with the standard library's parser."""
        try:
            text = line.decode("utf-8")
            valid_utf8 = True
        except UnicodeDecodeError as error:
            text = line.decode("utf-8", "surrogateescape")
            valid_utf8, bad_byte = False, error.start
        try:
            message = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            if not valid_utf8:
                reason = f"is not valid UTF-8 (byte {bad_byte + 1})"
            elif error.pos >= len(text.rstrip()):
                reason = "ends before its JSON does (a truncated line)"
            else:
                reason = f"is not valid JSON ({error.msg} at column {error.colno})"
            return UnreadableLine(number, reason, _line_text(line))
        except (ValueError, RecursionError):  # too many digits, or nested too deep
            return UnreadableLine(number, f"is not valid JSON ({decode_error})", _line_text(line))
        path = _surrogate_path(message)
        if path is None:  # such as NaN: the record is kept as text, never as a value
            return UnreadableLine(number, f"is not valid JSON ({decode_error})", _line_text(line))
        where = "text that is not valid UTF-8" if not valid_utf8 else "a lone surrogate escape"
        return self._described(number, line, message, f"holds {where}", path)

    def _described(
        self,
        number: int,
        line: bytes,
        message: t.Any,
        problem: str,
        path: tuple[t.Any, ...] | None = None,
    ) -> UnreadableLine:
        """The rejection, with the stream, field and record when the line names them."""
        if not isinstance(message, dict):
            return UnreadableLine(number, problem, _line_text(line))
        stream = message.get("stream") if isinstance(message.get("stream"), str) else None
        record = message.get("record") if message.get("type") == "RECORD" else None
        record = _escaped(record) if isinstance(record, dict) else None
        field = None
        if path is not None:
            inside = record is not None and path[:1] == ("record",)
            field = field_path(path[1:] if inside else path) or None
            problem = f"{field or 'the message'} {problem}"
        key = None
        if record is not None and stream is not None and self._keys.get(stream):
            key = {name: record.get(name) for name in self._keys[stream]}
        return UnreadableLine(
            number, problem, _line_text(line), _escaped(stream), field, record, key
        )


def _structure_problem(message: t.Any) -> str | None:
    """What keeps a decoded line from being a Singer message the SDK can route."""
    if not isinstance(message, dict):
        return "is not a JSON object (a Singer message is one)"
    if not isinstance(message.get("type"), str):
        return "has no message type"
    if message["type"] == SingerMessageType.RECORD:
        if not isinstance(message.get("stream"), str):
            return "is a RECORD message without a stream name"
        if not isinstance(message.get("record"), dict):
            return "is a RECORD message without a record object"
    return None


def _byte_lines(source: t.IO[str] | t.IO[bytes]) -> Iterable[bytes]:
    """The input's lines as bytes: text streams are read through their byte buffer."""
    buffer = getattr(source, "buffer", None)
    if buffer is not None:
        return t.cast("Iterable[bytes]", buffer)
    return _encoded(source)


def _encoded(source: t.IO[str] | t.IO[bytes]) -> Iterator[bytes]:
    for line in source:
        yield line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


def _line_text(line: bytes) -> str:
    text = line.decode("utf-8", "backslashreplace").rstrip("\r\n")
    return text if len(text) <= TEXT_KEPT else text[:TEXT_KEPT] + "…"


class RejectingTarget(Target):
    """A target whose unreadable input lines go to its `reject_line`, not out of the run."""

    message_reader_class = RejectingReader

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.message_reader, RejectingReader):
            self.message_reader.reject_line = self.reject_line

    def reject_line(self, line: UnreadableLine) -> None:
        """Write the line to the target's reject file, with its number and reason."""
        raise NotImplementedError
