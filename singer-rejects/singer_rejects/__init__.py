"""What the targets share to reject bad input one record (or line) at a time.

`sinks`: a record breaking its stream's schema is rejected instead of stopping the run.
`lines`: an input line that is not a readable Singer message is rejected the same way.
"""

from singer_rejects.lines import INPUT_STREAM, RejectingReader, RejectingTarget, UnreadableLine
from singer_rejects.sinks import RejectingBatchSink, field_path, json_type, schema_failure

__all__ = [
    "INPUT_STREAM",
    "RejectingBatchSink",
    "RejectingReader",
    "RejectingTarget",
    "UnreadableLine",
    "field_path",
    "json_type",
    "schema_failure",
]
