"""The files that outlive a run: the ID map, the pending records and bulks, the reject file."""

from __future__ import annotations

import datetime
import logging
import os
import threading
import typing as t
from pathlib import Path

from magento_api import decode_json, encode_json

LOGGER = logging.getLogger("target-magento")


class JsonFileStore:
    """A JSON object kept in memory and written atomically (temp file + rename) on `save`.

    Without a path it lives in memory only, for this run.
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self.data: dict[str, t.Any] = {}
        if self.path is not None and self.path.exists() and self.path.stat().st_size:
            loaded = decode_json(self.path.read_bytes())
            if not isinstance(loaded, dict):
                msg = f"{self.path} does not hold a JSON object"
                raise ValueError(msg)
            self.data = loaded
        self._dirty = False

    def section(self, name: str) -> dict[str, t.Any]:
        with self.lock:
            return self.data.setdefault(name, {})

    def put(self, section: str, key: str, value: object) -> None:
        with self.lock:
            self.data.setdefault(section, {})[key] = value
            self._dirty = True

    def pop(self, section: str, key: str) -> object:
        with self.lock:
            value = self.data.get(section, {}).pop(key, None)
            self._dirty = self._dirty or value is not None
            return value

    def save(self) -> None:
        with self.lock:
            if not self._dirty or self.path is None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.tmp")
            temporary.write_bytes(encode_json(self.data))
            temporary.replace(self.path)
            self._dirty = False


class IdMap(JsonFileStore):
    """Which Magento id each Intacct record became, by role then Intacct key."""

    def get(self, role: str, key: str) -> t.Any:
        with self.lock:
            return self.data.get(role, {}).get(key)


class RejectFile:
    """JSON lines, one per rejected record: stream, key, reason, field, Magento message, record."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.count = 0

    def write(
        self,
        *,
        stream: str,
        key: object,
        reason: str,
        record: dict | None,
        field: str | None = None,
        magento_message: str | None = None,
    ) -> None:
        line = {
            "stream": stream,
            "key": key,
            "reason": reason,
            "field": field,
            "magento_message": magento_message,
            "rejected_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
            "record": record,
        }
        LOGGER.warning("Rejected %s %s: %s", stream, key, reason)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                handle.write(encode_json(line) + b"\n")
            self.count += 1
