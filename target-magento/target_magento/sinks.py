"""Sinks: a BatchSink per Magento-bound stream (a RecordSink would drop BATCH messages)."""

from __future__ import annotations

import typing as t
from decimal import Decimal

from singer_rejects import RejectingBatchSink
from singer_sdk.sinks import BatchSink

from target_magento.records import Rejection

if t.TYPE_CHECKING:
    from target_magento.target import TargetMagento


def normalise(value: t.Any) -> t.Any:
    """BATCH files skip the reader's Decimal parsing: make every float an exact Decimal."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise(item) for item in value]
    return value


def without_metadata(record: dict) -> dict:
    """The record as the loaders see it: exact numbers, no `_sdc_` fields but the delete marker."""
    return {
        name: normalise(value)
        for name, value in record.items()
        if not name.startswith("_sdc_") or name == "_sdc_deleted_at"
    }


class MagentoSink(RejectingBatchSink):
    """Hands each drained batch (RECORD messages or BATCH files) to the run's loader."""

    def __init__(self, target: TargetMagento, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.loader = target.loader
        self.role = target.loader.stream_roles[self.stream_name]
        self.loader.stream_keys[self.stream_name] = tuple(self.key_properties)
        target.register_sink(self)

    @property
    def include_sdc_metadata_properties(self) -> bool:
        """Always on: otherwise the SDK strips `_sdc_deleted_at`, the tap's delete marker."""
        return True

    def reject_invalid(self, record: dict, field: str | None, reason: str) -> None:
        """A record breaking its stream's schema: rejected under its business key."""
        self.loader.reject_invalid(
            self.stream_name, without_metadata(record), Rejection(reason, field)
        )

    def process_batch(self, context: dict) -> None:
        records = [without_metadata(record) for record in context.get("records", [])]
        self.loader.receive(self.role, self.stream_name, records)


class IgnoredSink(BatchSink):
    """A stream with no Magento counterpart: one log line, records dropped."""

    def __init__(self, target: TargetMagento, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.logger.info(
            "Stream '%s' has no Magento counterpart; its records are ignored", self.stream_name
        )

    def _validate_and_parse(self, record: dict) -> dict:
        """Never written, so never checked: a bad record here must not stop the run."""
        return record

    def process_record(self, record: dict, context: dict) -> None:
        """Keep nothing."""

    def process_batch(self, context: dict) -> None:
        """Nothing to write."""
