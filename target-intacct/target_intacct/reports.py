"""What a run leaves behind: the reject file, the ID map file and the per-stream summary."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from connector_runtime.progress import table
from intacct_api.errors import mask_secrets

OUTCOMES = ("created", "updated", "unchanged", "deleted", "skipped", "rejected", "pending")
SUMMARY = "Summary"  # the title line of the end-of-run table


class SecretMaskFilter(logging.Filter):
    """Masks secrets in every line a handler emits, whoever logged it.

    The SDK logs whole records at DEBUG, and a record may quote a password.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        return True

    @classmethod
    def install(cls, secrets: Sequence[str]) -> None:
        """Attach (once) to every handler of the root logger."""
        for handler in logging.getLogger().handlers:
            mask = next((f for f in handler.filters if isinstance(f, cls)), None)
            if mask is None:
                mask = cls()
                handler.addFilter(mask)
            mask.secrets.update(s for s in secrets if s)


class JsonLinesFile:
    """An append-only JSON-lines file; every line is masked for the configured secrets."""

    def __init__(self, path: str | None, secrets: Sequence[str]) -> None:
        self.path = Path(path) if path else None
        self._secrets = [s for s in secrets if s]
        self._lock = threading.Lock()

    def write(self, entry: Mapping[str, Any]) -> None:
        if self.path is None:
            return
        line = mask_secrets(json.dumps(entry, default=str, ensure_ascii=False), self._secrets)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")


class RunReport:
    """Counts outcomes per stream, writes rejects and IDs, and logs the end-of-run summary."""

    def __init__(
        self,
        reject_file: str | None,
        id_map_file: str | None,
        secrets: Sequence[str],
        logger: logging.Logger,
    ) -> None:
        self._secrets = [s for s in secrets if s]
        self.rejects = JsonLinesFile(reject_file, self._secrets)
        self.id_map = JsonLinesFile(id_map_file, self._secrets)
        self.counts: dict[str, Counter[str]] = {}
        self._logger = logger

    def count(self, stream: str, outcome: str, number: int = 1) -> None:
        self.counts.setdefault(stream, Counter())[outcome] += number

    def reject(
        self,
        stream: str,
        key: Any,
        record: Mapping[str, Any] | None,
        message: str,
        *,
        errorno: str | None = None,
        field: str | None = None,
        line: int | None = None,
        text: str | None = None,
    ) -> None:
        """Set a record aside with the reason; the run goes on.

        `line` and `text`: the input line it came on, for a line that could not be read whole.
        """
        self.count(stream, "rejected")
        message = mask_secrets(message, self._secrets)
        self._logger.warning(
            "Rejected %s record %s: %s", stream, json.dumps(key, default=str), message
        )
        entry = {
            "stream": stream,
            "key": key,
            "errorno": errorno,
            "field": field,
            "message": message,
            "record": record,
        }
        if line is not None:
            entry.update({"line": line, "text": text})
        self.rejects.write(entry)

    def map_id(self, stream: str, source_key: Any, record_no: Any, intacct_id: Any) -> None:
        self.id_map.write(
            {"stream": stream, "source_key": source_key, "RECORDNO": record_no, "ID": intacct_id}
        )

    def log_summary(self) -> None:
        """One table: a stream a row, an outcome a column, the run's total last."""
        if not self.counts:
            return
        streams = sorted(self.counts.items())
        total: Counter[str] = sum((counts for _, counts in streams), Counter())
        rows = [
            [stream, *(counts.get(outcome, 0) for outcome in OUTCOMES)]
            for stream, counts in [*streams, ("total", total)]
        ]
        self._logger.info("%s: %d streams, %d records", SUMMARY, len(streams), sum(total.values()))
        for line in table(["stream", *OUTCOMES], rows):
            self._logger.info("%s", line)
