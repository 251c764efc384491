"""What the targets share to reject bad input one record (or line) at a time.

`sinks`: a record breaking its stream's schema is rejected instead of stopping the run.
`lines`: an input line that is not a readable Singer message is rejected the same way.
`numbers`: the decimal places a value needs, to refuse one the destination would round.
"""

from singer_rejects.lines import INPUT_STREAM, RejectingReader, RejectingTarget, UnreadableLine
from singer_rejects.numbers import decimal_places
from singer_rejects.sinks import RejectingBatchSink, field_path, json_type, schema_failure

__all__ = [
    "INPUT_STREAM",
    "RejectingBatchSink",
    "RejectingReader",
    "RejectingTarget",
    "UnreadableLine",
    "decimal_places",
    "field_path",
    "json_type",
    "schema_failure",
]
