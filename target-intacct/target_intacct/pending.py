"""Headers still waiting for their lines when the input ends, kept for the next run.

A header and its lines come in separate streams with their own bookmarks, so the lines of a
header can come in a later run than the header. STATE moves past the header at the end of the
run, so the tap will not send it again: it is kept in this file (written before STATE is
emitted) and joins its lines when they come.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from intacct_api.errors import mask_secrets


@dataclass
class PendingStream:
    """The waiting headers of one stream, with the schema that parses them back."""

    schema: dict[str, Any]
    key_properties: list[str]
    records: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """Decimals stay exact (as text); dates and times become ISO text the schema parses back."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot keep a {type(value).__name__} in the pending file")


class PendingHeaders:
    """One JSON document: stream → schema, key properties and waiting header records."""

    def __init__(self, path: str | None, secrets: Sequence[str]) -> None:
        self.path = Path(path) if path else None
        self._secrets = [s for s in secrets if s]

    def load(self) -> dict[str, PendingStream]:
        if self.path is None or not self.path.exists():
            return {}
        document = json.loads(self.path.read_text(encoding="utf-8"))
        return {
            stream: PendingStream(entry["schema"], entry["key_properties"], entry["records"])
            for stream, entry in document.get("streams", {}).items()
        }

    def save(self, streams: Mapping[str, PendingStream]) -> None:
        """Replace the file in one step (a crash leaves the old one); remove it when empty."""
        if self.path is None:
            return
        kept = {name: entry for name, entry in streams.items() if entry.records}
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        document = {
            "streams": {
                name: {
                    "schema": entry.schema,
                    "key_properties": entry.key_properties,
                    "records": entry.records,
                }
                for name, entry in kept.items()
            }
        }
        text = mask_secrets(json.dumps(document, default=_plain, ensure_ascii=False), self._secrets)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path)
