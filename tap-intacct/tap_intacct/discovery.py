"""What `lookup` told of each object, kept between runs so discovery asks Intacct rarely.

Meltano discovers before every run of a plugin it cannot cache (an editable install, as in this
repository's project): without this, every run of a job every 5 minutes logged in and asked
`lookup` of every object. With `discovery_cache_dir` set, an object's fields (or the refusal
that skips it) are kept in a file per company and user, and asked again once older than
`discovery_cache_seconds`, or at once when the settings name other objects, another endpoint,
company, user or transport, or when the installed tap or protocol code changes (its files are
part of the key). No secret is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import intacct_api
from intacct_api import functions
from intacct_api.connect import has_xml_credentials, transport_name
from intacct_api.envelope import Result
from intacct_api.errors import FunctionError

import tap_intacct
from tap_intacct.objects import IntacctObject

DEFAULT_MAX_AGE = 86400
Fields = list[tuple[str, str]]


@cache
def code_fingerprint() -> str:
    """A digest of the tap's and the protocol package's source: new code, new discovery."""
    digest = hashlib.sha256()
    for package in (tap_intacct, intacct_api):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def object_key(spec: IntacctObject) -> str:
    """An object's entry in the cache: its name, and its document type if it has one."""
    return spec.object if spec.docparid is None else f"{spec.object}|{spec.docparid}"


class Unavailable(str):
    """Intacct's refusal of an object (not subscribed, not permitted): the stream is skipped."""


class LookupCache:
    """Each object's `lookup` fields or refusal, from the cache file when fresh, else asked."""

    def __init__(
        self,
        config: Mapping[str, Any],
        logger: logging.Logger,
        is_unavailable: Callable[[FunctionError], bool],
    ) -> None:
        folder = config.get("discovery_cache_dir")
        self.path = Path(folder) / f"{self._file_key(config)}.json" if folder else None
        age = config.get("discovery_cache_seconds")
        self.max_age = float(DEFAULT_MAX_AGE if age is None else age)
        self.logger = logger
        self.is_unavailable = is_unavailable

    @staticmethod
    def _file_key(config: Mapping[str, Any]) -> str:
        """Everything besides the object that changes what `lookup` answers."""
        transport = transport_name(config)
        identity = {
            "transport": transport,
            "endpoint": config.get("rest_url" if transport == "rest" else "api_url") or "",
            "xml_fallback": has_xml_credentials(config),
            "company": config.get("company_id"),
            "user": config.get("user_id"),
            "client": config.get("client_id"),
            "code": code_fingerprint(),
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]

    def describe(
        self,
        specs: Sequence[IntacctObject],
        lookup: Callable[[Sequence[IntacctObject]], list[Result]],
    ) -> list[Fields | Unavailable]:
        """Each object's fields, or why it is unavailable; `lookup` asks for the others."""
        stored = self._read()
        now = time.time()
        fresh = {
            key: entry
            for key, entry in stored.items()
            if now - float(entry.get("at", 0)) < self.max_age
        }
        missing = [spec for spec in specs if object_key(spec) not in fresh]
        if missing:
            for spec, result in zip(missing, lookup(missing), strict=True):
                fresh[object_key(spec)] = stored[object_key(spec)] = self._entry(result, now)
            self._write(stored)
        if self.path is not None:
            self.logger.info(
                "Discovery: %d objects from the cache %s, %d asked of Intacct with lookup",
                len(specs) - len(missing), self.path, len(missing),
            )  # fmt: skip
        return [self._described(fresh[object_key(spec)]) for spec in specs]

    def _entry(self, result: Result, now: float) -> dict[str, Any]:
        try:
            result.raise_for_status()
        except FunctionError as exc:
            if not self.is_unavailable(exc):
                raise
            return {"at": now, "unavailable": str(exc)}
        return {"at": now, "fields": functions.lookup_fields(result.records())}

    @staticmethod
    def _described(entry: Mapping[str, Any]) -> Fields | Unavailable:
        if "unavailable" in entry:
            return Unavailable(entry["unavailable"])
        return [(str(name), str(kind)) for name, kind in entry["fields"]]

    def _read(self) -> dict[str, dict[str, Any]]:
        if self.path is None or self.max_age <= 0:
            return {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: asked again
        return loaded if isinstance(loaded, dict) else {}

    def _write(self, entries: Mapping[str, Any]) -> None:
        """The file replaced at once: a run reading it meanwhile sees the old or the new."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entries, out, sort_keys=True)
            os.replace(name, self.path)
        except OSError as exc:
            self.logger.warning("Discovery cache %s not written: %s", self.path, exc)
