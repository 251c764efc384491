"""A record that breaks its stream's schema is rejected on its own; the run goes on.

The SDK's `_validate_and_parse` raises `InvalidRecord` (and lets a date it cannot parse raise
`ValueError`), which ends the run. A `RejectingBatchSink` catches
both, names the field, and hands the record to the sink's `reject_invalid`; the record then skips
key checks and `process_record`, so it never reaches a batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema
from singer_sdk.exceptions import InvalidRecord
from singer_sdk.sinks import BatchSink

# The SDK's text for a date it cannot parse: "Could not parse value 'x' for field 'F'."
_BAD_DATE_FIELD = re.compile(r"for field '([^']*)'")
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_type(value: Any) -> str:
    """The JSON type of a value, as a schema names it (Decimals are numbers)."""
    if value is None:
        return "null"
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "number" if hasattr(value, "is_finite") else type(value).__name__


def field_path(path: Iterable[Any]) -> str:
    """`ENTRIES[1].AMOUNT` from a jsonschema path (`deque(['ENTRIES', 1, 'AMOUNT'])`)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_failure(exc: InvalidRecord) -> tuple[str | None, str]:
    """The field at fault and a reason naming it; the value is never quoted (it may be a secret)."""
    error = exc.__cause__
    if not isinstance(error, jsonschema.ValidationError):
        return None, f"does not match the stream's schema: {exc.error_message}"
    field = field_path(error.absolute_path) or None
    subject = field or "the record"
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [name for name in error.validator_value if name not in error.instance]
        field = field_path([*error.absolute_path, *missing[:1]]) or field
        return field, f"{field} is required by the stream's schema"
    if error.validator == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        return field, f"{subject} must be {' or '.join(expected)}, got {json_type(error.instance)}"
    return field, f"{subject} breaks the stream schema's {error.validator!r} rule"


class RejectingBatchSink(BatchSink):
    """A batch sink whose subclasses implement `reject_invalid`."""

    _set_aside = False

    def reject_invalid(self, record: dict, field: str | None, reason: str) -> None:
        """Write the record to the target's reject file (the sink knows its key and report)."""
        raise NotImplementedError

    def _validate_and_parse(self, record: dict) -> dict:
        """The SDK's validation and date parsing, with a failure rejecting only this record."""
        try:
            if self._validator is not None:
                self._validator.validate(record)
            self._parse_timestamps_in_record(
                record=record, schema=self.schema, treatment=self.datetime_error_treatment
            )
        except InvalidRecord as exc:
            self._set_aside = True
            self.reject_invalid(record, *schema_failure(exc))
        except ValueError as exc:  # a date the SDK cannot parse
            found = _BAD_DATE_FIELD.search(str(exc))
            field = found.group(1) if found else None
            self._set_aside = True
            self.reject_invalid(record, field, f"{field or 'a field'} is not a valid date")
        return record

    def _singer_validate_message(self, record: dict) -> None:
        if not self._set_aside:
            super()._singer_validate_message(record)

    def process_record(self, record: dict, context: dict) -> None:
        """Stage the record for its batch, unless validation rejected it."""
        if self._set_aside:
            self._set_aside = False
            return
        super().process_record(record, context)
