"""What every sink of a real stream shares: `_sdc_deleted_at` kept, schema failures rejected."""

from __future__ import annotations

from singer_rejects import RejectingBatchSink

DELETED_AT = "_sdc_deleted_at"


class IntacctBaseSink(RejectingBatchSink):
    """A batch sink that keeps `_sdc_deleted_at` and rejects records failing the schema."""

    def _remove_sdc_metadata_from_record(self, record: dict) -> None:
        """`_sdc_deleted_at` drives deletes, so it survives the SDK's removal of metadata."""
        deleted_at = record.get(DELETED_AT)
        super()._remove_sdc_metadata_from_record(record)
        if deleted_at is not None:
            record[DELETED_AT] = deleted_at

    def _remove_sdc_metadata_from_schema(self) -> None:
        deleted_at = self.schema["properties"].get(DELETED_AT)
        super()._remove_sdc_metadata_from_schema()
        self.schema["properties"][DELETED_AT] = deleted_at or {
            "type": ["null", "string"],
            "format": "date-time",
        }
