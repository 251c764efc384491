"""The one stream class: keyset pagination on (updated_at, entity_id) over searchCriteria.

Magento's `currentPage` is an OFFSET: over a set that changes while it is read (orders being
placed, invoiced, shipped), rows slide between pages and are skipped or read twice. Every page
here is page 1 of a query that starts strictly after the last row read, in two steps:

1. rows with the last `updated_at` and a higher `entity_id` (ordered by `entity_id`), until a
   page is not full, then
2. rows with a later `updated_at` (ordered by `updated_at`, `entity_id`); the last of them is
   the new position.

Rows that change during the read move forward and are read again later in the same run (their
new version); rows sharing a second are never skipped. The position (the SDK's bookmark plus the
`entity_id` of the last row, `replication_key_entity_id`) is in the stream state, written after
every page, so an interrupted run resumes exactly where it stopped.

Magento writes timestamps in UTC without a zone (`2026-11-02 09:15:04`); records carry them as
RFC 3339 (`2026-11-02T09:15:04+00:00`). Numbers with a fraction are `Decimal`, so money is exact.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connector_runtime.progress import Progress
from magento_api import search_params
from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_magento.objects import FILTER_KEY, REPLICATION_KEY, MagentoObject

if TYPE_CHECKING:
    from magento_api import MagentoClient

    from tap_magento.tap import TapMagento

POSITION_ENTITY_ID = "replication_key_entity_id"
MAGENTO_TIME = "%Y-%m-%d %H:%M:%S"
_MAGENTO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def rfc3339(value: Any) -> Any:
    """Magento's zoneless UTC `YYYY-MM-DD HH:MM:SS` as RFC 3339; anything else unchanged."""
    if isinstance(value, str) and _MAGENTO_TIMESTAMP.match(value):
        return f"{value[:10]}T{value[11:]}+00:00"
    return value


def with_rfc3339_times(value: Any) -> Any:
    """Every `*_at` timestamp of a record, nested ones included, as RFC 3339."""
    if isinstance(value, dict):
        return {
            key: rfc3339(item) if key.endswith("_at") else with_rfc3339_times(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_rfc3339_times(item) for item in value]
    return value


def magento_time(moment: datetime) -> str:
    """A datetime as Magento compares it: UTC, no zone."""
    return moment.astimezone(UTC).strftime(MAGENTO_TIME)


class MagentoStream(Stream):
    """Any listed Magento entity; what differs between them is a row of `objects.OBJECTS`."""

    is_sorted = True
    # The SDK's own mid-stream STATE (every N records) would not carry the entity_id tiebreak
    # in step with the bookmark; state is written after every page instead.
    STATE_MSG_FREQUENCY = 10**12
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY
    replication_key = REPLICATION_KEY

    def __init__(self, tap: TapMagento, spec: MagentoObject, schema: dict[str, Any]) -> None:
        super().__init__(tap, schema=schema, name=spec.stream)
        self.spec = spec
        self.magento = tap
        self.primary_keys = [spec.id_field]
        self._position_state: dict[str, Any] = {}

    @property
    def check_sorted(self) -> bool:
        """Pages come ordered by the query; a row read again after a change is not an error."""
        return False

    def _increment_stream_state(
        self, latest_record: dict, *, context: Mapping[str, Any] | None = None
    ) -> None:
        """Advance the bookmark with the row's entity id as tiebreak."""
        super()._increment_stream_state(latest_record, context=context)
        self._position_state[POSITION_ENTITY_ID] = int(latest_record[self.spec.id_field])

    # --- reading ----------------------------------------------------------------------------

    def get_records(self, context: Mapping[str, Any] | None) -> Iterator[dict]:
        """The stream's records, ending at the SDK's record limit (`--test`) if one is set."""
        records = self._records(context)
        if self.ABORT_AT_RECORD_COUNT is None:
            return records
        return itertools.islice(records, self.ABORT_AT_RECORD_COUNT)

    def _records(self, context: Mapping[str, Any] | None) -> Iterator[dict]:
        client = self.magento.client
        self._position_state = self.get_context_state(context)
        progress = self.magento.progress(self)
        start = self.get_starting_timestamp(context)
        after_id = self._position_state.get(POSITION_ENTITY_ID)
        bookmark = self._position_state.get("replication_key_value")
        if bookmark is None or start is None or _parse(bookmark) != start:
            after_id = None  # a first run, or a start_date later than the bookmark
        since = magento_time(start) if start is not None else None
        size = int(self.config.get("page_size") or 300)
        while True:
            if since is not None and after_id is not None:
                same_second = [[(REPLICATION_KEY, since, "eq")], [(FILTER_KEY, after_id, "gt")]]
                rows, _ = self._page(client, same_second, [(FILTER_KEY, "ASC")], size)
                yield from self._emit(rows, progress)
                if len(rows) == size:
                    after_id = int(rows[-1][self.spec.id_field])
                    continue
            condition = "gteq" if after_id is None else "gt"
            groups = [[(REPLICATION_KEY, since, condition)]] if since is not None else []
            order = [(REPLICATION_KEY, "ASC"), (FILTER_KEY, "ASC")]
            rows, matching = self._page(client, groups, order, size)
            progress.expect(matching)  # the first count: every row after the position
            yield from self._emit(rows, progress)
            if len(rows) < size:
                break
            since = str(rows[-1][REPLICATION_KEY])
            after_id = int(rows[-1][self.spec.id_field])
        progress.done()

    def _page(
        self,
        client: MagentoClient,
        groups: Sequence[Sequence[tuple[str, object, str]]],
        sort_orders: Sequence[tuple[str, str]],
        size: int,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of rows, and how many rows the search matches (Magento's `total_count`)."""
        store_ids = self.config.get("store_ids") or []
        if self.spec.by_store and store_ids:
            groups = [*groups, [("store_id", ",".join(str(i) for i in store_ids), "in")]]
        params = search_params(groups, sort_orders=sort_orders, page_size=size)
        answer = client.request("GET", self.spec.path, params=params) or {}
        matching = answer.get("total_count")
        return list(answer.get("items") or []), matching if isinstance(matching, int) else None

    def _emit(self, rows: list[dict[str, Any]], progress: Progress) -> Iterator[dict]:
        """The page's records, then the position after it (STATE)."""
        for row in rows:
            yield with_rfc3339_times(row)
        progress.page(len(rows))
        if rows and self.get_batch_config(self.config) is None:
            self._write_state_message()


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
