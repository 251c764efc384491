"""Sinks: a BatchSink per Magento-bound stream (a RecordSink would drop BATCH messages)."""

from __future__ import annotations

import typing as t
from decimal import Decimal

from singer_sdk.sinks import BatchSink

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


class MagentoSink(BatchSink):
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

    def process_batch(self, context: dict) -> None:
        records = [
            {
                name: normalise(value)
                for name, value in record.items()
                if not name.startswith("_sdc_") or name == "_sdc_deleted_at"
            }
            for record in context.get("records", [])
        ]
        self.loader.receive(self.role, self.stream_name, records)


class IgnoredSink(BatchSink):
    """A stream with no Magento counterpart: one log line, records dropped."""

    def __init__(self, target: TargetMagento, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.logger.info(
            "Stream '%s' has no Magento counterpart; its records are ignored", self.stream_name
        )

    def process_record(self, record: dict, context: dict) -> None:
        """Keep nothing."""

    def process_batch(self, context: dict) -> None:
        """Nothing to write."""
