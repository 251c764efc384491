"""The one stream class: keyset pagination on (WHENMODIFIED, RECORDNO), deletes from AUDITHISTORY.

Rows of the object table that name a report `function` (balances) are read by the same class
with a different strategy: one report per month from the start date to today, several months
per request, full table every run.

Pages are read with `query` ordered by the replication key then RECORDNO, each page starting
strictly after the last row read, so rows that change during the read move forward and are read
again later in the same run, and rows sharing a second are never skipped. The position (the
SDK's bookmark plus the RECORDNO of the last row, `replication_key_recordno`) is in the stream
(or entity) state, written after every page, so an interrupted run resumes exactly where it
stopped. `keyset.py` overlaps the waiting: the next page is asked for while this one is
written, a large stream is read in key ranges at once, and the tap asks for the first pages of
the streams that follow while one is written.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connector_runtime.progress import Progress
from intacct_api import dates, functions
from intacct_api.errors import FunctionError
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_intacct.keyset import (
    POSITION_RECORDNO,
    RANGES,
    KeysetRead,
    Page,
    Pages,
    after,
    rendered,
    utc,
)
from tap_intacct.objects import PERIOD_END, PERIOD_START, RECORDNO, IntacctObject
from tap_intacct.output import ENTITY_CONTEXT, RecordOutput
from tap_intacct.schema import (
    DELETED_AT,
    ENTITY,
    Converter,
    converters,
    datetime_converter,
    split_decimals,
)

if TYPE_CHECKING:
    from intacct_api.envelope import Result
    from intacct_api.transport import Transport

    from tap_intacct.tap import TapIntacct

READ_AHEAD_ROWS = 200
DELETES_BOOKMARK = "deletes_bookmark"
DELETES_RECORDNO = "deletes_bookmark_recordno"
UNAVAILABLE_HINTS = (
    "not found", "unknown object", "not permitted", "permission", "not authorized",
    "not subscribed", "not enabled", "no access",
)  # fmt: skip


REPORTS: dict[str, Callable[[date, date], functions.Function]] = {
    "get_trialbalance": functions.get_trialbalance,
    "get_accountbalances": functions.get_accountbalances,
}
REPORTS_PER_REQUEST = 12
MONTHS_WITHOUT_START_DATE = 12


def is_unavailable(error: FunctionError) -> bool:
    """True when Intacct says the object does not exist for the company or may not be read."""
    text = " ".join(str(detail) for detail in error.errors).lower() or str(error).lower()
    return any(hint in text for hint in UNAVAILABLE_HINTS)


@dataclass
class FieldPlan:
    """The fields of the records, those asked from Intacct, and the converters of typed ones.

    `select` is `names` less the fields Intacct no longer has (removed after discovery); those
    stay null in the records.
    """

    names: list[str]
    select: list[str]
    typed: dict[str, Converter]
    calls: list[tuple[str, Converter]]
    decimals: list[str]


class RecordError(ValueError):
    """A value that does not fit its field's type; the message names the record and the field."""


class IntacctStream(RecordOutput):
    """Any Intacct object; what differs between objects is a row of `objects.OBJECTS`."""

    is_sorted = True
    # The SDK's own mid-stream STATE (every N records) would not carry the RECORDNO tiebreak in
    # step with the bookmark; state is written after every page instead.
    STATE_MSG_FREQUENCY = 10**12
    # Values are converted once, by precomputed per-field converters (see `schema.converters`).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(
        self,
        tap: TapIntacct,
        spec: IntacctObject,
        schema: dict[str, Any],
        *,
        key_properties: Iterable[str],
        replication_key: str | None,
    ) -> None:
        super().__init__(tap, schema=schema, name=spec.stream)
        self.spec = spec
        self.intacct = tap
        self.primary_keys = list(key_properties)
        self.replication_key = replication_key
        self._position_state: dict[str, Any] = {}
        # first pages asked for before the stream's turn, by entity (see `read_ahead`)
        self._ahead: dict[str | None, tuple[FieldPlan, Future[Page]]] = {}
        self.calls: Counter[str | None] = Counter()  # API calls by entity, for the progress
        self._calls_lock = threading.Lock()

    # --- SDK hooks --------------------------------------------------------------------------

    @property
    def check_sorted(self) -> bool:
        """Rows come ordered by the query, but a look-back window starts before the bookmark.

        The bookmark is the position of the last row read, which is what the SDK keeps when
        it does not compare each value with the previous one.
        """
        return False

    @property
    def partitions(self) -> list[dict] | None:
        entity_ids = self.config.get("entity_ids") or []
        return [{ENTITY_CONTEXT: entity} for entity in entity_ids] or None

    def _increment_stream_state(
        self, latest_record: dict, *, context: Mapping[str, Any] | None = None
    ) -> None:
        """Bookmarks move once per page, in `keyset.KeysetRead` (deletes never move them)."""

    # --- reading ----------------------------------------------------------------------------

    def get_records(self, context: Mapping[str, Any] | None) -> Iterator[dict]:
        """The partition's records, ending at the SDK's record limit (`--test`) if one is set.

        The SDK would abort every stream holding more rows, with an ERROR line each, though
        the test succeeded; stopping also saves the pages and audit-trail calls after it.
        """
        records = self._records(context)
        if self.ABORT_AT_RECORD_COUNT is None:
            return records
        return itertools.islice(records, self.ABORT_AT_RECORD_COUNT)

    def _records(self, context: Mapping[str, Any] | None) -> Iterator[dict]:
        entity = context.get(ENTITY_CONTEXT) if context else None
        client = self.intacct.client(entity)
        self._position_state = self.get_context_state(context)
        progress = self.intacct.progress(self, entity)
        counted = RANGES not in self._position_state  # resumed ranges: no total of the rest
        plan, first = self._ahead.pop(entity, None) or (self._plan(), None)
        self.intacct.read_ahead(self)
        try:
            if self.spec.function:
                yield from self._read_reports(client, entity, plan, progress)
            elif self.replication_key:
                pages = self._pages(client, plan, entity, progress, counted=counted)
                reader = KeysetRead(
                    pages, self._position_state, self.intacct.parallel,
                    pipeline=self.intacct.pipeline, first=first,
                )  # fmt: skip
                yield from reader.records(self._start_filter(self._position_state))
            else:
                yield from self._read_full_table(client, entity, plan, progress)
        except FunctionError as exc:
            if not is_unavailable(exc):
                raise
            self.logger.warning(
                "Skipping stream '%s': Intacct object %s is not available to this company or "
                "user (%s)", self.name, self.spec.object, exc,
            )  # fmt: skip
            progress.skipped = True
            progress.finish()
            return
        if self.spec.audited and self.intacct.audit_history_available:
            yield from self._read_deletes(client, entity, context, progress)
        progress.done()

    def _checkpoint(self) -> None:
        """Emit STATE after a page; in BATCH mode the SDK emits it after each batch file instead."""
        self.state_manager.is_flushed = False  # bookmarks are set in the state itself
        if self.get_batch_config(self.config) is None:
            self._write_state_message()

    def read_ahead(self, context: Mapping[str, Any] | None) -> None:
        """Ask for the partition's first page now, while the streams before it are written.

        A short page (`READ_AHEAD_ROWS`): a small stream is then read whole ahead of its turn,
        and a large one holds little memory until then.
        """
        entity = context.get(ENTITY_CONTEXT) if context else None
        if self.spec.function or not self.replication_key or entity in self._ahead:
            return
        state = self.get_context_state(context or None)
        if RANGES in state:
            return
        plan = self._plan()
        client = self.intacct.client(entity)
        start = self._start_filter(state)
        size = min(READ_AHEAD_ROWS, self._page_size())
        first = self.intacct.parallel.submit(
            lambda: self.fetch_page(client, plan, start, size=size)
        )
        self._ahead[entity] = (plan, first)

    def _selected_fields(self) -> list[str]:
        """Fields to ask Intacct for: the selected properties it knows (not ours)."""
        mask = self.mask
        ours = {DELETED_AT, ENTITY} if self.partitions else {DELETED_AT}
        return [
            name
            for name in self.schema["properties"]
            if name not in ours and mask.get(("properties", name), True)
        ]

    def _page_size(self) -> int:
        return int(self.config.get("page_size") or self.intacct.max_page_size)

    def _query(
        self,
        client: Transport,
        select: list[str],
        filter_: functions.Filter | None,
        order_by: list[tuple[str, bool]],
        *,
        obj: str | None = None,
        docparid: str | None = None,
        offset: int = 0,
        size: int | None = None,
    ) -> Result:
        # A top-level session reads entity-private records only when it asks (`showprivate`).
        top_level = client.credentials.entity_id is None
        function = functions.query(
            obj or self.spec.object, select, filter=filter_, order_by=order_by,
            page_size=size or self._page_size(), docparid=docparid, offset=offset or None,
            show_private=True if top_level else None,
        )  # fmt: skip
        self._called(client)
        return client.call(function)

    def _called(self, client: Transport) -> None:
        """One more API call of the partition (they run on several workers)."""
        with self._calls_lock:
            self.calls[client.credentials.entity_id] += 1

    def _start_filter(self, state: Mapping[str, Any]) -> functions.Filter | None:
        """Where the first page starts.

        At the start date on a first run (or when it is later than the bookmark); else just
        after the stored position, or the look-back window before the bookmark.
        """
        key = self.replication_key
        assert key is not None
        rendering = self.intacct.rendering
        start = self._starting_timestamp(state)
        if start is None:
            return None
        bookmark = state.get("replication_key_value")
        if not bookmark or state.get("replication_key") != key or utc(bookmark) != start:
            return functions.ge(key, rendered(start, rendering))
        recordno = state.get(POSITION_RECORDNO)
        if self._lookback() or recordno is None:
            return functions.ge(key, rendered(self._window_start(start), rendering))
        return after(key, rendered(start, rendering), recordno)

    def _starting_timestamp(self, state: Mapping[str, Any]) -> datetime | None:
        """The later of the bookmark and the start date (the SDK's rule, for any partition)."""
        same_key = state.get("replication_key") == self.replication_key
        bookmark = state.get("replication_key_value") if same_key else None
        start_date = self.config.get("start_date")
        moments = [utc(v) for v in (bookmark, start_date) if v]
        return max(moments) if moments else None

    def _lookback(self) -> timedelta:
        return timedelta(seconds=int(self.config.get("lookback_seconds") or 0))

    def _window_start(self, bookmark: datetime) -> datetime:
        """The look-back window before a bookmark, never before the start date."""
        begin = bookmark - self._lookback()
        start_date = self.config.get("start_date")
        return max(begin, utc(start_date)) if start_date else begin

    def _read_full_table(
        self, client: Transport, entity: str | None, plan: FieldPlan, progress: Progress
    ) -> Iterator[dict]:
        self.logger.info(
            "Stream '%s': Intacct object %s has no WHENMODIFIED, reading the full table by %s",
            self.name, self.spec.object, RECORDNO,
        )  # fmt: skip
        filter_: functions.Filter | None = None
        while True:
            result = self._page(client, plan, filter_, [(RECORDNO, True)])
            self.set_extracted_at(datetime.now(UTC))
            rows = result.records()
            yield from self._convert(rows, plan, entity)
            progress.expect(result.total_count)
            progress.page(len(rows))
            if not self._more(result, rows):
                return
            filter_ = functions.gt(RECORDNO, int(rows[-1][RECORDNO]))

    def _months(self) -> list[tuple[date, date]]:
        """Calendar months from the start date's (or 12 months back) to today's, in UTC."""
        today = datetime.now(UTC).date()
        start_date = self.config.get("start_date")
        if start_date:
            first = utc(start_date).date().replace(day=1)
        else:
            back = today.year * 12 + today.month - MONTHS_WITHOUT_START_DATE
            first = date(back // 12, back % 12 + 1, 1)
        months = []
        while first <= today:
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            months.append((first, following - timedelta(days=1)))
            first = following
        return months

    def _read_reports(
        self, client: Transport, entity: str | None, plan: FieldPlan, progress: Progress
    ) -> Iterator[dict]:
        """The row's report function for each month, twelve months per request.

        Rows gain `period_start`/`period_end`; key fields the report leaves empty (no location)
        are "" rather than null, so every key is complete.
        """
        assert self.spec.function is not None
        build = REPORTS[self.spec.function]
        months = self._months()
        keys = [key for key in self.spec.key_properties if key not in (PERIOD_START, PERIOD_END)]
        for first in range(0, len(months), REPORTS_PER_REQUEST):
            batch = months[first : first + REPORTS_PER_REQUEST]
            self._called(client)
            results = client.execute([build(start, end) for start, end in batch])
            self.set_extracted_at(datetime.now(UTC))
            for (start, end), result in zip(batch, results, strict=True):
                rows = result.raise_for_status().records()
                style = self.intacct.rendering.style  # read back by the date converters
                period = {
                    PERIOD_START: dates.format_date(start, style),
                    PERIOD_END: dates.format_date(end, style),
                }
                for row in rows:
                    row.update(period)
                    row.update({key: row.get(key) or "" for key in keys})
                yield from self._convert(rows, plan, entity)
                progress.page(len(rows))

    def _page(
        self,
        client: Transport,
        plan: FieldPlan,
        filter_: functions.Filter | None,
        order_by: list[tuple[str, bool]],
        size: int | None = None,
    ) -> Result:
        """One page of the stream's object.

        Fields removed in Intacct since discovery are dropped from the query (one warning)
        instead of failing the stream.
        """
        while True:
            try:
                return self._query(
                    client, plan.select, filter_, order_by, docparid=self.spec.docparid,
                    size=size,
                )  # fmt: skip
            except FunctionError as exc:
                if is_unavailable(exc) or not self._drop_vanished_fields(client, plan):
                    raise

    def _pages(
        self,
        client: Transport,
        plan: FieldPlan,
        entity: str | None,
        progress: Progress,
        *,
        counted: bool,
    ) -> Pages:
        """The partition as `keyset.KeysetRead` reads it (`counted`: its first page counts all)."""

        def fetch(filter_: functions.Filter | None, **probe: Any) -> Page:
            return self.fetch_page(client, plan, filter_, **probe)

        def emit(rows: list[dict[str, Any]], page: Page) -> Iterator[dict]:
            self.set_extracted_at(page.extracted_at)
            yield from self._convert(rows, plan, entity)
            if counted:
                progress.expect(page.total)
            progress.page(len(rows))

        return Pages(
            self.replication_key or "", self.spec.link, self._page_size(),
            self.intacct.rendering, fetch, emit, self._checkpoint,
        )  # fmt: skip

    def fetch_page(
        self,
        client: Transport,
        plan: FieldPlan,
        filter_: functions.Filter | None,
        *,
        offset: int = 0,
        size: int | None = None,
        fields: Sequence[str] | None = None,
    ) -> Page:
        """A page in the incremental read order, parsed into rows (run on a worker).

        With `fields`, a probe for a key range split: those fields only, as they are.
        """
        key = self.replication_key
        assert key is not None
        order_by = [(key, True), (RECORDNO, True)]
        if fields is None:
            result = self._page(client, plan, filter_, order_by, size)
        else:
            result = self._query(
                client, list(fields), filter_, order_by, docparid=self.spec.docparid,
                offset=offset, size=size,
            )  # fmt: skip
        rows = result.records()
        more = self._more(result, rows, size)
        return Page(rows, more, result.num_remaining or 0, datetime.now(UTC), result.total_count)

    def _drop_vanished_fields(self, client: Transport, plan: FieldPlan) -> bool:
        """Ask `lookup` which selected fields the object still has; drop the others."""
        self._called(client)
        result = client.call(functions.lookup(self.spec.object, docparid=self.spec.docparid))
        current = {name for name, _ in functions.lookup_fields(result.records())}
        vanished = [name for name in plan.select if name not in current]
        if not vanished:
            return False
        self.logger.warning(
            "Stream '%s': Intacct object %s no longer has %s; %s stay null until the catalog "
            "is discovered again", self.name, self.spec.object, ", ".join(vanished),
            "they" if len(vanished) > 1 else "it",
        )  # fmt: skip
        plan.select = [name for name in plan.select if name in current]
        return True

    def _more(self, result: Result, rows: list[dict[str, Any]], size: int | None = None) -> bool:
        """Whether another page follows (rows changed meanwhile are found by the next page)."""
        if not rows:
            return False
        if result.num_remaining is not None:
            return result.num_remaining > 0
        return len(rows) >= (size or self._page_size())

    def _plan(self) -> FieldPlan:
        """The selected fields and the converters of the typed ones, computed once per sync."""
        names = self._selected_fields()
        by_name = converters(self.schema, self.intacct.rendering)
        typed = {name: convert for name in names if (convert := by_name.get(name))}
        return FieldPlan(names, list(names), typed, *split_decimals(typed.items()))

    def _convert(
        self, rows: list[dict[str, Any]], plan: FieldPlan, entity: str | None
    ) -> Iterator[dict]:
        """The rows as records, converted in place (a page's rows are used once)."""
        names, calls, decimals, width = plan.names, plan.calls, plan.decimals, len(plan.names)
        for row in rows:
            # fields the answer left out (or not asked for) are null
            record = row if len(row) == width else {name: row.get(name) for name in names}
            name, value = "", None
            try:
                for name, convert in calls:
                    if value := record[name]:  # empty values are None already
                        record[name] = convert(value)
                for name in decimals:
                    if value := record[name]:
                        number = record[name] = Decimal(value)
                        if not number.is_finite():
                            raise ValueError(value)
            except (ValueError, ArithmeticError) as exc:
                raise self._record_error(record, name, exc, plan.typed[name], value) from None
            if entity is not None:
                record[ENTITY] = entity
            yield record

    def _record_error(
        self, record: Mapping[str, Any], field: str, exc: Exception, convert: Converter, value: Any
    ) -> RecordError:
        """Name the record (by its key) and the field; the field's converter words the error."""
        key = ", ".join(f"{name}={record.get(name)}" for name in self.spec.key_properties)
        try:
            convert(value)
        except (ValueError, ArithmeticError) as checked:
            exc = checked
        return RecordError(f"Stream '{self.name}', record {key}: field {field}: {exc}")

    # --- deletes ----------------------------------------------------------------------------

    def _read_deletes(
        self,
        client: Transport,
        entity: str | None,
        context: Mapping[str, Any] | None,
        progress: Progress,
    ) -> Iterator[dict]:
        """Rows deleted since the delete bookmark, from AUDITHISTORY.

        Each becomes a record holding only the key and `_sdc_deleted_at`.
        """
        rendering = self.intacct.rendering
        state = self._position_state
        stored = state.get(DELETES_BOOKMARK)
        after_recordno = state.get(DELETES_RECORDNO)
        conditions = [
            functions.eq("OBJECTTYPE", self.spec.object.lower()),
            functions.eq("ACCESSMODE", "D"),
        ]
        if self.spec.docparid:  # the audit trail names a document by its DOCID, "<type>-<no>"
            conditions.append(functions.like("OBJECTDESC", f"{self.spec.docparid}-%"))
        scope = functions.and_(*conditions)
        position: functions.Filter | None = None
        if stored and self._lookback():
            position = functions.ge(
                "ACCESSTIME", rendered(self._window_start(utc(stored)), rendering)
            )
        elif stored and after_recordno is not None:
            local = rendered(utc(stored), rendering)
            position = after("ACCESSTIME", local, after_recordno)
        elif start_date := stored or self.config.get("start_date"):
            position = functions.gt("ACCESSTIME", rendered(utc(start_date), rendering))
        to_datetime = datetime_converter(rendering)
        order_by = [("ACCESSTIME", True), (RECORDNO, True)]
        while True:
            filter_ = scope if position is None else functions.and_(scope, position)
            try:
                result = self._query(
                    client, ["RECORDNO", "OBJECTKEY", "ACCESSTIME"], filter_, order_by,
                    obj="AUDITHISTORY",
                )  # fmt: skip
            except FunctionError as exc:
                if not is_unavailable(exc):
                    raise
                self.intacct.audit_history_unavailable(exc)
                return
            self.set_extracted_at(datetime.now(UTC))
            rows = result.records()
            for row in rows:
                record = {
                    RECORDNO: int(row["OBJECTKEY"]),
                    DELETED_AT: to_datetime(row["ACCESSTIME"]),
                }
                if entity is not None:
                    record[ENTITY] = entity
                progress.deleted += 1
                yield record
            if rows:
                last = rows[-1]
                state[DELETES_BOOKMARK] = to_datetime(last["ACCESSTIME"])
                state[DELETES_RECORDNO] = int(last[RECORDNO])
                self._checkpoint()
                position = after("ACCESSTIME", last["ACCESSTIME"], int(last[RECORDNO]))
            if not self._more(result, rows):
                return
