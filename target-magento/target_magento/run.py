"""What one target run shares: client, files, look-up caches, counts, and the reject path."""

from __future__ import annotations

import logging
import threading
import typing as t
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from connector_runtime.progress import table
from magento_api import MagentoClient, MagentoError

from target_magento.records import Rejection, Skip, text
from target_magento.store import IdMap, JsonFileStore, RejectFile

if t.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

LOGGER = logging.getLogger("target-magento")

# `queued`: in a Magento bulk whose operation was still open when the run stopped waiting.
OUTCOMES = ("created", "updated", "unchanged", "skipped", "queued", "rejected")
TITLE = "Run summary"
EARLIER = "earlier runs: "  # the summary rows of what earlier runs left and this one finished
# Magento messages that name their field only in words, and the Magento field they mean.
MESSAGE_FIELDS = (("same email address", "email"), ("url key", "url_key"))


class Summary:
    """Counts per stream and outcome, logged once at the end of the run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, stream: str, outcome: str, count: int = 1) -> None:
        with self._lock:
            self.counts[stream][outcome] += count

    def as_dict(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                stream: {outcome: counts[outcome] for outcome in OUTCOMES}
                for stream, counts in sorted(self.counts.items())
            }

    def log(self, carried: Summary) -> None:
        """One table: this run's input a stream a row, its total, then what earlier runs left.

        Rows `earlier runs: <stream>` count what this run finished for earlier ones (outside
        the total, which adds up to the records this run received).
        """
        summary, earlier = self.as_dict(), carried.as_dict()
        total = [sum(counts[outcome] for counts in summary.values()) for outcome in OUTCOMES]
        if not summary:
            LOGGER.info("%s: no records for Magento", TITLE)
            if not earlier:
                return
        else:
            LOGGER.info("%s: %d streams, %d records", TITLE, len(summary), sum(total))
        rows = [
            *([stream, *counts.values()] for stream, counts in summary.items()),
            ["total", *total],
            *([f"{EARLIER}{stream}", *counts.values()] for stream, counts in earlier.items()),
        ]
        for line in table(["stream", *OUTCOMES], rows):
            LOGGER.info("%s", line)


@dataclass
class Settings:
    """The settings the loaders use (their defaults come from the target's config schema)."""

    website_id: int
    root_category_id: int
    order_reference_field: str
    invoice_document_type: str
    use_bulk_api: bool
    bulk_threshold: int
    bulk_poll_timeout: float
    catalog_store_code: str

    @classmethod
    def from_config(cls, config: Mapping[str, t.Any]) -> Settings:
        settings = cls(**{name: config[name] for name in cls.__dataclass_fields__})
        settings.bulk_poll_timeout = float(settings.bulk_poll_timeout)  # a config file's Decimal
        return settings


@dataclass
class Run:
    """One run of the target; the loaders receive it and keep nothing else."""

    client: MagentoClient
    settings: Settings
    id_map: IdMap
    pending: JsonFileStore
    rejects: RejectFile
    waiting: JsonFileStore  # product lines and items waiting for their parent, across runs
    bulks: JsonFileStore  # bulks with operations still open (in memory without a file)
    # This run's input records, one outcome each, and apart from them the records earlier runs
    # left behind (their open bulks, waiting product lines and items, pending invoices).
    summary: Summary = field(default_factory=Summary)
    carried: Summary = field(default_factory=Summary)  # what earlier runs left, apart
    carried_keys: dict[str, set[str]] = field(default_factory=dict)  # stream → keys not re-sent
    settling: bool = False  # True while the bulks of earlier runs are finished
    stream_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cache: dict[str, t.Any] = field(default_factory=dict)
    cache_lock: threading.RLock = field(default_factory=threading.RLock)

    def cached(self, key: str, compute: Callable[[], t.Any]) -> t.Any:
        """Per-run memo for look-ups such as the directory and the category list."""
        with self.cache_lock:
            if key not in self.cache:
                self.cache[key] = compute()
            return self.cache[key]

    def key(self, stream: str, record: Mapping[str, t.Any], *fields: str) -> str:
        """The record's business key, else its stream's key properties, for logs and rejects."""
        for name in (*fields, *self.stream_keys.get(stream, ()), "RECORDNO"):
            value = text(record, name)
            if value is not None:
                return value
        return "?"

    def latest(self, stream: str, records: list[dict], *fields: str) -> list[tuple[str, dict]]:
        """`(key, record)` with only the last record of each key: later versions win.

        The versions a later one replaces are counted skipped, so the counts add up to the input.
        """
        by_key = {self.key(stream, record, *fields): record for record in records}
        if len(by_key) < len(records):
            replaced = len(records) - len(by_key)
            LOGGER.info("%s: %d records replaced by a later version in the batch", stream, replaced)
            self.count(stream, "skipped", count=replaced)
        return list(by_key.items())

    def count(self, stream: str, outcome: str, key: object = None, count: int = 1) -> None:
        """Count a record's outcome: this run's, or carried over when an earlier run left it."""
        carried = self.settling or (
            key is not None and str(key) in self.carried_keys.get(stream, ())
        )
        (self.carried if carried else self.summary).add(stream, outcome, count)

    def reject(
        self,
        stream: str,
        key: object,
        record: dict | None,
        rejection: Rejection,
    ) -> None:
        self.rejects.write(
            stream=stream,
            key=key,
            reason=rejection.reason,
            field=rejection.field,
            magento_message=rejection.magento_message,
            record=record,
            line=rejection.line,
            text=rejection.text,
        )
        self.count(stream, "rejected", key)

    def wait(self, role: str, stream: str, key: str, record: dict, reason: str) -> None:
        """Keep a record for a later attempt (this run's end, or a later run)."""
        self.waiting.put(role, key, {"stream": stream, "reason": reason, "record": record})

    def skip(self, stream: str, key: object, reason: str) -> None:
        LOGGER.info("Skipped %s %s: %s", stream, key, reason)
        self.count(stream, "skipped", key)

    def guarded(
        self,
        stream: str,
        key: object,
        record: dict,
        action: Callable[[], str],
        magento_fields: Mapping[str, str] | None = None,
    ) -> str:
        """Run one record's write; a Rejection or a Magento 4xx becomes a reject line.

        `action` returns the outcome to count. Magento's `fieldName` parameter is translated to
        the Intacct field through `magento_fields`. Answers the outcome counted.
        """
        try:
            outcome = action()
        except Skip as skip:
            self.skip(stream, key, str(skip))
            return "skipped"
        except Rejection as rejection:
            self.reject(stream, key, record, rejection)
            return "rejected"
        except MagentoError as error:
            if error.status >= 500 or error.status in {0, 401, 429}:
                raise
            magento_field = magento_field_name(error.message, magento_fields or {})
            reason = f"Magento refused it (HTTP {error.status})"
            self.reject(stream, key, record, Rejection(reason, magento_field, error.message))
            return "rejected"
        self.count(stream, outcome, key)
        return outcome


def magento_field_name(message: str, magento_fields: Mapping[str, str]) -> str | None:
    """The Intacct field behind a Magento message such as `"postcode" is required`."""
    lowered = message.lower()
    for magento_name, intacct_field in magento_fields.items():
        if f'"{magento_name.lower()}"' in lowered:
            return intacct_field
    for phrase, magento_name in MESSAGE_FIELDS:
        if phrase in lowered and magento_name in magento_fields:
            return magento_fields[magento_name]
    return None
