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
            temporary.write_bytes(encode_json(self._content()))
            temporary.replace(self.path)
            self._dirty = False

    def _content(self) -> dict[str, t.Any]:
        """What `save` writes: the whole object."""
        return self.data


def shop_scope(base_url: str, store_code: str) -> str:
    """The Magento an ID map belongs to: its REST root, `https://shop.example.com/rest/default`."""
    return f"{base_url.strip().rstrip('/').lower()}/rest/{store_code.strip().lower()}"


class IdMap(JsonFileStore):
    """Which Magento id each Intacct record became, by role then Intacct key, for one shop.

    Ids mean something in one Magento only: the file keeps one map per `shop_scope` under
    `scopes`, and a run sees only its own shop's (a reset shop or another store starts empty, or
    is caught by the loaders' checks of each mapped id against its natural key). A file from
    before scopes holds its roles at the top: it becomes the map of the first shop that reads it.
    """

    def __init__(self, path: str | os.PathLike[str] | None, scope: str) -> None:
        super().__init__(path)
        self.scope = scope
        self._file = self.data
        scopes = self._file.get("scopes")
        if not isinstance(scopes, dict):
            legacy = {role: entries for role, entries in self._file.items() if role != "scopes"}
            self._file.clear()
            scopes = self._file["scopes"] = {}
            if legacy:
                LOGGER.info("ID map %s: entries without a shop are taken as %s's", path, scope)
                scopes[scope] = legacy
                self._dirty = True
        others = sorted(name for name in scopes if name != scope)
        if others:
            LOGGER.info("ID map %s: using %s's entries, not those of %s", path, scope, others)
        self.data = scopes.setdefault(scope, {})

    def _content(self) -> dict[str, t.Any]:
        return self._file

    def get(self, role: str, key: str) -> t.Any:
        with self.lock:
            return self.data.get(role, {}).get(key)

    def forget(self, role: str, key: str, why: str) -> None:
        """Drop an entry Magento contradicts (the record is then found by its natural key)."""
        if self.pop(role, key) is not None:
            LOGGER.warning(
                "ID map %s: %s %s %s in %s; the entry is dropped and the record found again",
                self.path,
                role,
                key,
                why,
                self.scope,
            )


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
        line: int | None = None,
        text: str | None = None,
    ) -> None:
        entry = {
            "stream": stream,
            "key": key,
            "reason": reason,
            "field": field,
            "magento_message": magento_message,
            "rejected_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
            "record": record,
        }
        if line is not None:
            entry.update({"line": line, "text": text})
        LOGGER.warning("Rejected %s %s: %s", stream, key, reason)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                handle.write(encode_json(entry) + b"\n")
            self.count += 1
