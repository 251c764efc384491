"""How records leave: RECORD lines encoded to buffered stdout, a narrow SCHEMA for deletes."""

from __future__ import annotations

import io
import sys
from collections.abc import Generator, Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import IO, Any

from singer_sdk import Stream
from singer_sdk.contrib.msgspec import encoder as RECORD_ENCODER  # noqa: N812 - the SDK's
from singer_sdk.mapper import SameRecordTransform, StreamMap
from singer_sdk.singerlib import RecordMessage, SchemaMessage

from tap_intacct.schema import DELETED_AT

ENTITY_CONTEXT = "entity_id"

_BUFFERS: dict[int, io.BufferedWriter] = {}  # by id of the raw stdout they wrap


def singer_stdout() -> IO[bytes]:
    """`sys.stdout.buffer`, or a buffer over it when it is raw.

    Under `PYTHONUNBUFFERED=1` (common in containers) or `python -u` the bytes layer of stdout is
    the raw file, and every record would be a system call of its own (measured: 1.7 us of about
    35 us per journal entry line). Records are flushed with the STATE that covers them
    (`StateFlushedWriter`).
    """
    out = sys.stdout.buffer
    if not isinstance(out, io.RawIOBase):
        return out
    buffered = _BUFFERS.get(id(out))
    if buffered is None or buffered.raw is not out:
        buffered = _BUFFERS[id(out)] = io.BufferedWriter(out, buffer_size=1 << 16)
    return buffered


class RecordOutput(Stream):
    """A stream whose records are already selected and typed when they reach the SDK."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._extracted_at = datetime.now(UTC)
        # Stream aliases whose last SCHEMA message was the deletes' narrow one.
        self._narrowed: set[str] = set()
        self._record_tail: bytes | None = None
        self._stdout: Any = None

    def _process_record(
        self,
        record: dict,
        child_context: Mapping[str, Any] | None = None,
        partition_context: Mapping[str, Any] | None = None,
    ) -> None:
        """Nothing per record: no partition key copied in, no child streams to sync.

        The entity is a field of the record already (`ENTITY`), and no stream has children.
        """

    def _write_record_message(self, record: dict) -> None:
        """A RECORD line written straight from the record when no stream map changes it.

        The same bytes as the SDK's message (type, stream, record, version, time_extracted),
        without a message object, a dict and an encoder callback per record: the largest part
        of the tap's own cost per record.
        """
        if not self._plain_output:
            super()._write_record_message(record)
            return
        deleted = DELETED_AT in record
        if deleted != (self.name in self._narrowed):
            self._switch_schema(self.stream_maps[0], record if deleted else None)
        if self._record_tail is None:
            self._record_tail = self._tail_bytes()
        line = self._line
        RECORD_ENCODER.encode_into(record, line, len(self._record_head))
        line += self._record_tail
        self._stdout.write(line)  # a writer may not keep the buffer after the call (io's rule)

    @cached_property
    def _plain_output(self) -> bool:
        """True when the stream's one map passes records through unchanged."""
        maps = self.stream_maps
        return (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
            and maps[0].stream_alias == self.name
        )

    @cached_property
    def _record_head(self) -> bytes:
        return b'{"type":"RECORD","stream":' + RECORD_ENCODER.encode(self.name) + b',"record":'

    @cached_property
    def _line(self) -> bytearray:
        """One RECORD line at a time: each record encoded over the last behind the same head."""
        return bytearray(self._record_head)

    def _tail_bytes(self) -> bytes:
        self._stdout = singer_stdout()
        tail: dict[str, Any] = {}
        if self._stream_version is not None:
            tail["version"] = self._stream_version
        tail["time_extracted"] = self._extracted_at.astimezone(UTC).isoformat()
        return b"," + RECORD_ENCODER.encode(tail)[1:] + b"\n"

    def set_extracted_at(self, moment: datetime) -> None:
        """When the page being written was read (`time_extracted` of its records)."""
        self._extracted_at = moment
        self._record_tail = None

    def _generate_record_messages(self, record: dict) -> Generator[RecordMessage, None, None]:
        """Apply stream maps only: records already hold the selected fields, typed.

        The SDK's per-record selection and type passes are skipped: they cost more than the rest
        of the record's way to stdout.
        """
        deleted = DELETED_AT in record
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                if deleted != (stream_map.stream_alias in self._narrowed):
                    self._switch_schema(stream_map, mapped if deleted else None)
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=self._extracted_at,
                )

    def _write_schema_message(self) -> None:
        super()._write_schema_message()
        self._narrowed.clear()

    def _switch_schema(self, stream_map: StreamMap, deleted: dict[str, Any] | None) -> None:
        """SCHEMA of only the fields a delete carries before deletes, the full one after them.

        A delete holds the key and `_sdc_deleted_at` alone. Under the full schema, a target
        that upserts every column of the schema (target-postgres) would set the row's other
        columns to NULL; under this one it updates those fields and keeps the row's data.
        """
        alias = stream_map.stream_alias
        schema = stream_map.transformed_schema
        bookmark_keys = [self.replication_key] if self.replication_key else None
        if deleted is None:
            self._narrowed.discard(alias)
        else:
            self._narrowed.add(alias)
            fields = schema["properties"]
            schema = {**schema, "properties": {k: fields[k] for k in deleted if k in fields}}
            if "required" in schema:
                schema["required"] = [k for k in schema["required"] if k in deleted]
            bookmark_keys = None
        key_properties = stream_map.transformed_key_properties
        self._tap.write_message(SchemaMessage(alias, schema, key_properties, bookmark_keys))
