"""Records still waiting when the input ends, kept for the next run.

STATE moves past every record of the input at the end of the run, so the tap will not send them
again; what could not be written yet is kept in this file (written before STATE is emitted):

- headers whose lines have not come (a header and its lines come in separate streams, with their
  own bookmarks, so the lines can come in a later run, or an earlier one);
- lines whose header has not come, by the header's sink and source RECORDNO;
- records Intacct refused for naming a record that does not exist yet (an item before its
  product line, when a run ends between the two streams), tried again next run.

Each waits at most `pending_max_runs` runs and is then rejected with the reason, so a header
deleted upstream or a mistyped reference does not wait for ever.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from intacct_api.errors import mask_secrets


@dataclass
class PendingStream:
    """The waiting records of one stream, with the schema that parses them back.

    Each entry counts the runs it has waited (`runs`), so it is rejected after
    `pending_max_runs` instead of waiting for ever.
    """

    schema: dict[str, Any]
    key_properties: list[str]
    # headers waiting for their lines: {"record": ..., "runs": n}
    waiting: list[dict[str, Any]]
    # records waiting for one they reference: {"record": ..., "reason": Intacct's refusal, "runs"}
    refused: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WaitingLines:
    """The lines of one header that has not come: their stream and the runs they have waited."""

    stream: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    runs: int = 0

    def joined(self, newer: WaitingLines | None) -> WaitingLines:
        """These kept lines with a later run's for the same header, newer versions winning.

        Lines are matched by RECORDNO: a run that stopped mid-document kept the first lines,
        and the next run sends the rest (or all of them again).
        """
        if newer is None:
            return self
        by_key: dict[Any, dict[str, Any]] = {}
        for line in [*self.lines, *newer.lines]:
            key = line.get("RECORDNO")
            by_key[key if key is not None else id(line)] = line
        return WaitingLines(newer.stream, list(by_key.values()), self.runs)


@dataclass
class Pending:
    """Everything the file keeps: waiting records by stream, lines by header sink and RECORDNO."""

    streams: dict[str, PendingStream] = field(default_factory=dict)
    lines: dict[str, dict[str, WaitingLines]] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """Decimals stay exact (as text); dates and times become ISO text the schema parses back."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot keep a {type(value).__name__} in the pending file")


class PendingFile:
    """The file, one JSON document: `streams` and `lines`, as `Pending` holds them."""

    def __init__(self, path: str | None, secrets: Sequence[str]) -> None:
        self.path = Path(path) if path else None
        self._secrets = [s for s in secrets if s]

    def load(self) -> Pending:
        if self.path is None or not self.path.exists():
            return Pending()
        document = json.loads(self.path.read_text(encoding="utf-8"))
        streams = {
            stream: PendingStream(
                entry["schema"],
                entry["key_properties"],
                entry.get("waiting", []),
                entry.get("refused", []),
            )
            for stream, entry in document.get("streams", {}).items()
        }
        lines = {
            sink: {parent: WaitingLines(**kept) for parent, kept in by_parent.items()}
            for sink, by_parent in document.get("lines", {}).items()
        }
        return Pending(streams, lines)

    def save(self, pending: Pending) -> None:
        """Replace the file in one step (a crash leaves the old one); remove it when empty."""
        if self.path is None:
            return
        streams = {
            name: {
                "schema": entry.schema,
                "key_properties": entry.key_properties,
                "waiting": entry.waiting,
                "refused": entry.refused,
            }
            for name, entry in pending.streams.items()
            if entry.waiting or entry.refused
        }
        lines = {
            sink: {parent: asdict(kept) for parent, kept in by_parent.items()}
            for sink, by_parent in pending.lines.items()
            if by_parent
        }
        if not streams and not lines:
            self.path.unlink(missing_ok=True)
            return
        document = {"streams": streams, "lines": lines}
        text = mask_secrets(json.dumps(document, default=_plain, ensure_ascii=False), self._secrets)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path)
