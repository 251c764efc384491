"""The one sink: turns a batch of records into Intacct functions, driven by a `WriteSpec` row.

A batch is written in three steps: one `query` finds the existing records by the match field
(and, for payments, the invoices named by number), the records become create/update/delete
functions with deterministic control ids, and the functions go out `batch_size` per request
with `transaction="false"` and `uniqueid="true"`, so one bad record never sinks its request and
a re-sent request cannot write twice. For master data the query also returns the fields the
records carry, so a record equal to Intacct's is not rewritten. A record refused for naming one
not written yet (`BL03000017`) is tried again when the input ends, and kept for the next run if
it is still refused (the target's pending file).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from intacct_api import functions
from intacct_api.dates import DateStyle
from intacct_api.envelope import flatten_record
from intacct_api.errors import AmbiguousWriteError, FunctionError, TransientError

from target_intacct.base import DELETED_AT, IntacctBaseSink
from target_intacct.objects import HEADER_ONLY_UPDATES, WRITE_SPECS, Style, WriteSpec
from target_intacct.payloads import PayloadBuilder
from target_intacct.pending import PendingStream
from target_intacct.records import (
    Item,
    RecordError,
    check_xml_text,
    content_hash,
    first,
    intacct_value,
    is_blank,
    lookup,
    record_lines,
    same_value,
    writable_fields,
)
from target_intacct.settings import StreamSettings

if TYPE_CHECKING:
    from intacct_api.envelope import Result
    from intacct_api.functions import Function
    from intacct_api.transport import Transport

    from target_intacct.reports import RunReport
    from target_intacct.target import TargetIntacct

QUERY_PAGE_SIZE = 2000
IN_CHUNK = 1000
# Re-sends of a request whose outcome is unknown (time-out, HTTP 524, dropped connection).
AMBIGUOUS_RESENDS = 3
# "A request's function with the control ID '…' has already been executed."
ALREADY_EXECUTED = "XL03000011"
# "invalid Product Line 'PL-1' in field PRODUCTLINEID", "Invalid customer 'C-1'"...
INVALID_REFERENCE = "BL03000017"


class WriteFailedError(RuntimeError):
    """Intacct kept failing in a way that is not the record's fault: stop before STATE moves."""


def header_text(record: Mapping[str, Any]) -> str:
    """A header's identity in the pending file: its source RECORDNO (the lines name it)."""
    return f"RECORDNO {record.get('RECORDNO')}"


def is_invalid_reference(result: Result) -> bool:
    """True when Intacct refused a function for naming a record that does not exist (yet)."""
    return any(e.errorno == INVALID_REFERENCE for e in result.errors)


def is_already_executed(result: Result) -> bool:
    """True when Intacct refused a function because its control id already ran (uniqueid)."""
    return any(
        e.errorno == ALREADY_EXECUTED
        or ("control id" in e.text.lower() and "already" in e.text.lower())
        for e in result.errors
    )


def query_rows(
    client: Transport,
    object_name: str,
    select: Sequence[str],
    filter_: functions.Filter,
    **options: Any,
) -> list[dict[str, Any]]:
    """Every row of a `query` (flattened: `DISPLAYCONTACT.EMAIL1`), 2,000 per request."""
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        function = functions.query(
            object_name,
            select,
            filter=filter_,
            page_size=QUERY_PAGE_SIZE,
            offset=offset or None,
            **options,
        )
        result = client.call(function)
        page = [flatten_record(row) for row in result.records()]
        rows.extend(page)
        if not result.num_remaining or not page:
            return rows
        offset += len(page)


def execute_resending(
    client: Transport, calls: Sequence[Function], stream_name: str, logger: logging.Logger
) -> list[Result]:
    """Send `calls` in one request, re-sending it with the same control ids when no answer came.

    With `uniqueid`, what already ran is refused as already executed, never repeated; after
    `AMBIGUOUS_RESENDS` lost answers, or when Intacct keeps failing, the write stops with one
    line saying that a re-run is safe.
    """
    attempt = 1
    while True:
        try:
            return client.execute(calls, transaction=False, unique_id=True)
        except AmbiguousWriteError as exc:
            if attempt > AMBIGUOUS_RESENDS:
                raise WriteFailedError(
                    f"{stream_name}: {len(calls)} writes got no answer after "
                    f"{attempt} tries ({exc}); they may or may not have run. Re-running the "
                    "target is safe: the same records get the same control ids."
                ) from exc
            logger.warning(
                "%s: no answer for %d writes (%s); re-sending with the same control ids",
                stream_name,
                len(calls),
                exc,
            )
            attempt += 1
        except TransientError as exc:
            raise WriteFailedError(
                f"{stream_name}: Intacct kept failing ({exc}); stopping before STATE "
                "advances. Re-running the target is safe."
            ) from exc


@dataclass
class Write:
    """One function to send, with what it means for the item."""

    item: Item
    action: str  # created, updated, deleted
    function: Function
    record_no: str | None = None
    intacct_id: str | None = None


class IntacctSink(IntacctBaseSink):
    """Writes one stream into one Intacct object, as its `WriteSpec` row says."""

    def __init__(
        self,
        target: TargetIntacct,
        stream_name: str,
        schema: dict,
        key_properties: Sequence[str] | None,
    ) -> None:
        self.settings: StreamSettings = target.stream_settings(stream_name)
        self.spec: WriteSpec = WRITE_SPECS[self.settings.sink]
        self.payloads = PayloadBuilder(self.spec, self.settings)
        self._target_intacct = target
        # records waiting for lines from a line stream (written when the input ends)
        self.deferred: list[dict[str, Any]] = []
        # headers whose lines did not come by the end of the input
        self.waiting: list[dict[str, Any]] = []
        # records refused for naming a record that does not exist (yet), with Intacct's reason:
        # tried again at the end of the input, and kept pending for the next run if still refused
        self.retry_later: list[tuple[dict[str, Any], str]] = []
        # header text or source key → runs a record kept in the pending file has waited
        self.runs_waited: dict[str, int] = {}
        super().__init__(target, stream_name, schema, key_properties)
        # What an earlier run kept pending for this stream, by header RECORDNO and by source
        # key; a newer version in this input replaces it. Only those keys are watched, so
        # memory does not grow with the input.
        kept = target.carried.streams.get(stream_name)
        self._kept = {
            *(header_text(w["record"]) for w in (kept.waiting if kept else [])),
            *(self.key_text(k["record"]) for k in (kept.refused if kept else [])),
        }
        self._newer: set[str] = set()
        # the entity the records being written belong to (`entity_field`); None: the default
        self._entity: str | None = None

    @property
    def max_size(self) -> int:
        return self.batch_size_rows or self.settings.records_per_batch

    def process_batch(self, context: dict) -> None:
        """Write the batch (records from RECORD messages or from BATCH files alike)."""
        self._target_intacct.drain_prerequisites(self)
        records = context.get("records", [])
        if self._kept:
            for record in records:
                self._newer.update({header_text(record), self.key_text(record)} & self._kept)
        if self.spec.lines:
            ready: list[dict[str, Any]] = []
            for record in records:
                (self.deferred if self._waits_for_lines(record) else ready).append(record)
            records = ready
        self._write_in_chunks(records)

    def _write_in_chunks(
        self, records: list[dict[str, Any]], *, waits_for_lines: bool = False
    ) -> None:
        for start in range(0, len(records), self.max_size):
            self._write_records(records[start : start + self.max_size], waits_for_lines)

    def _waits_for_lines(self, record: Mapping[str, Any]) -> bool:
        """A header without inline lines takes them from a line stream."""
        assert self.spec.lines is not None
        return is_blank(record.get(DELETED_AT)) and not any(
            record.get(name) is not None for name in self.spec.lines.record_fields
        )

    def restore_pending(self, entry: PendingStream) -> None:
        """Records an earlier run kept waiting, unless this run brought a newer version."""
        for kept in [*entry.waiting, *entry.refused]:
            self._parse_timestamps_in_record(
                record=kept["record"], schema=self.schema, treatment=self.datetime_error_treatment
            )
        newer = self._newer
        headers = []
        for kept in entry.waiting:
            text = header_text(kept["record"])
            if text not in newer:
                self.runs_waited[text] = int(kept.get("runs", 1))
                headers.append(kept["record"])
        self.deferred[:0] = headers
        for kept in entry.refused:
            key = self.key_text(kept["record"])
            self.runs_waited[key] = int(kept.get("runs", 1))
            if key not in newer:
                self.retry_later.append((kept["record"], kept["reason"]))

    def write_deferred(self) -> None:
        """At the end of the input: write the headers whose lines came; the rest keep waiting."""
        if not self.deferred:
            return
        self._target_intacct.drain_prerequisites(self)
        records, self.deferred = self.deferred, []
        self._attach_lines(records)
        ready: list[dict[str, Any]] = []
        without_lines: list[dict[str, Any]] = []
        for record in records:
            if self.spec.line_field in record or self._written_elsewhere(record):
                ready.append(record)
            elif self._partial(record):  # the rest of its lines come next run: not even a
                self.waiting.append(record)  # header-only update, they would find no header
            elif is_blank(record.get("RECORDNO")):  # no line can ever name it
                message = "RECORDNO: a header without inline lines needs its source RECORDNO"
                self._reject(record, message, field="RECORDNO")
            else:
                without_lines.append(record)
        self._write_in_chunks(ready)
        if self.spec.style in HEADER_ONLY_UPDATES:
            self._write_in_chunks(without_lines, waits_for_lines=True)
        else:
            self.waiting += without_lines

    def _partial(self, record: Mapping[str, Any]) -> bool:
        """The input may hold only some of this header's lines (see `partial_documents`)."""
        document = (self.settings.sink, str(record.get("RECORDNO")))
        return document in self._target_intacct.partial_documents

    def _written_elsewhere(self, record: Mapping[str, Any]) -> bool:
        """Records of `skip_when` are written by another stream (and skipped here)."""
        return any(lookup(record, k) == v for k, v in self.spec.skip_when.items())

    def settle_waiting(self, max_runs: int, hint: str) -> list[dict[str, Any]]:
        """Headers whose lines have not come: the ones to keep, with the runs they waited.

        A header that has waited `max_runs` runs is rejected with `hint` (what the user can do).
        """
        kept = []
        for record in self.waiting:
            runs = self.runs_waited.get(header_text(record), 0) + 1
            if runs > max_runs:
                field = self.spec.line_field
                waited = f" in {runs - 1} runs" if runs > 1 else ""
                self._reject(record, f"{field}: no lines came for this header{waited}; {hint}",
                             field=field)  # fmt: skip
            else:
                kept.append({"record": record, "runs": runs})
        self.waiting = []
        return kept

    def retry_refused(self) -> int:
        """Try again the records refused for a reference to a record not written yet.

        Returns how many of them went through; the others are back in `retry_later`.
        """
        records, self.retry_later = [record for record, _ in self.retry_later], []
        if not records:
            return 0
        self.logger.info(
            "%s: trying %d records refused for an invalid reference again",
            self.stream_name,
            len(records),
        )
        self._write_in_chunks(records)
        return len(records) - len(self.retry_later)

    def settle_refused(self, max_runs: int) -> list[dict[str, Any]]:
        """Records still refused for a reference at the end of the run: the ones to keep.

        Each is kept with the number of runs it has waited, and rejected once that passes
        `max_runs` (0: never kept, as without a pending file). The sink's list is emptied: kept
        records must not hold back STATE.
        """
        kept = []
        for record, reason in self.retry_later:
            runs = self.runs_waited.get(self.key_text(record), 0) + 1
            key = json.dumps(self.source_key(record), default=str)
            if runs > max_runs:
                waited = f" (still refused after {runs - 1} runs)" if runs > 1 else ""
                self._reject(record, reason + waited, errorno=INVALID_REFERENCE)
                continue
            self.logger.warning(
                "%s record %s names a record that is not in Intacct yet (%s); kept and tried "
                "again next run (%d of %d)",
                self.stream_name,
                key,
                reason,
                runs,
                max_runs,
            )
            kept.append({"record": record, "reason": reason, "runs": runs})
        self.retry_later = []
        return kept

    def _attach_lines(self, records: list[dict[str, Any]]) -> None:
        """Lines collected from line streams, joined by the header's source RECORDNO."""
        pending = self._target_intacct.pending_lines.get(self.settings.sink, {})
        for record in records:
            if self._partial(record):
                continue
            waiting = pending.pop(str(record.get("RECORDNO")), None)
            if waiting and waiting.lines:
                waiting.lines.sort(key=lambda line: int(line.get("LINE_NO") or 0))
                record[self.spec.line_field] = waiting.lines

    def reject_invalid(self, record: dict, field: str | None, message: str) -> None:
        self._reject(record, message, field=field)

    # --- preparing ---------------------------------------------------------------------

    @property
    def report(self) -> RunReport:
        return self._target_intacct.report

    @property
    def rank(self) -> int:
        """Where the object comes in the end-of-input writes (master data first)."""
        return self.spec.rank

    @property
    def date_style(self) -> DateStyle:
        """How Intacct reads and writes dates for the API user (its preferences)."""
        return self._target_intacct.rendering(self.client).style

    @property
    def client(self) -> Transport:
        """The session of the entity being written (`entity_field`), else the default one."""
        return self._target_intacct.client_for(self._entity)

    def key_text(self, record: Mapping[str, Any]) -> str:
        return json.dumps(self.source_key(record), sort_keys=True, default=str)

    def source_key(self, record: Mapping[str, Any]) -> Any:
        if self.key_properties:
            return {k: record.get(k) for k in self.key_properties}
        key = self.spec.id_field or self.settings.match_field
        return {key: lookup(record, key)} if key else None

    def _reject(self, item_or_record: Item | Mapping[str, Any], message: str, **kw: Any) -> None:
        record = item_or_record.record if isinstance(item_or_record, Item) else item_or_record
        key = (
            item_or_record.source_key
            if isinstance(item_or_record, Item)
            else self.source_key(record)
        )
        self.report.reject(self.stream_name, key, record, message, **kw)

    def _prepare(self, record: dict[str, Any]) -> Item:
        item = Item(
            record=record,
            source_key=self.source_key(record),
            deleted=not is_blank(record.get(DELETED_AT)),
        )
        match_field = self.settings.match_field
        if match_field:
            value = lookup(record, match_field)
            item.match_value = None if is_blank(value) else str(value)
        if item.deleted:
            return item
        if self._written_elsewhere(record):
            item.skipped = True
            return item
        lines_spec = self.spec.lines
        skip = set(lines_spec.record_fields) if lines_spec else set()
        fields = {
            name: intacct_value(value)
            for name, value in writable_fields(self.spec, record, skip).items()
            if value is not None
        }
        for setting, target_field in self.spec.defaults.items():
            default = self.settings.defaults.get(setting)
            if default is not None and is_blank(fields.get(target_field)):
                fields[target_field] = default
        for name, value in fields.items():
            check_xml_text(value, name)
        item.fields = fields
        if lines_spec:
            source_field, lines = record_lines(lines_spec, record)
            item.lines = [self._prepare_line(line, source_field, n) for n, line in enumerate(lines)]
        return item

    def _prepare_line(self, line: Mapping[str, Any], source_field: str, index: int) -> dict:
        lines_spec = self.spec.lines
        assert lines_spec is not None
        where = f"{source_field}[{index}]"
        if lines_spec.element:  # generic: every writable line field passes through
            prepared = {
                name: intacct_value(value)
                for name, value in line.items()
                if value is not None
                and not name.startswith("_sdc_")
                and name not in lines_spec.read_only
                and name != "RECORDNO"
                and not self.spec.is_read_only(name)
            }
        else:
            prepared = {}
            for target_field, sources in lines_spec.fields.items():
                value = first(line, sources)
                if value is not None:
                    prepared[target_field] = value
        for setting, target_field in self.settings.line_defaults(self.spec).items():
            if is_blank(prepared.get(target_field)):
                prepared[target_field] = self.settings.defaults[setting]
        for name, value in prepared.items():
            check_xml_text(value, f"{where}.{name}")
        prepared["_where"] = where
        return prepared

    def _check_required(self, item: Item) -> None:
        for name in self.spec.required:
            if is_blank(item.fields.get(name)) and is_blank(lookup(item.record, name)):
                raise RecordError(name, "is required to create a " + self.spec.object)

    # --- looking up ----------------------------------------------------------------------

    def _query_all(
        self,
        client: Transport,
        object_name: str,
        select: Sequence[str],
        filter_: functions.Filter,
    ) -> list[dict[str, Any]]:
        """Every row of a query, page by page (one request per 2,000 rows).

        A top-level session asks for entity-private records too (`showprivate`): a record an
        entity owns is still the one a match must find, or the write would try to create it.
        """
        top_level = self._entity is None and not self._target_intacct.config.get("entity_id")
        return query_rows(
            client, object_name, select, filter_, show_private=True if top_level else None
        )

    def _rows_by(
        self, object_name: str, field_name: str, values: Iterable[str], extra: Sequence[str]
    ) -> dict[str, list[dict]]:
        """Existing rows of `object_name` whose `field_name` is in `values`, grouped by value."""
        wanted = sorted(set(values))
        found: dict[str, list[dict]] = {}
        select = list(dict.fromkeys(["RECORDNO", field_name, *extra]))
        chunks = [wanted[start : start + IN_CHUNK] for start in range(0, len(wanted), IN_CHUNK)]
        client = self.client
        pages = self._target_intacct.parallel.map(
            lambda chunk: self._query_all(
                client, object_name, select, functions.in_(field_name, chunk)
            ),
            chunks,
        )
        for rows in pages:
            for row in rows:
                value = row.get(field_name)
                if value is not None:
                    found.setdefault(str(value), []).append(row)
        return found

    # --- writing -------------------------------------------------------------------------

    def _write_records(self, records: list[dict[str, Any]], waits_for_lines: bool = False) -> None:
        """Write the records, each in the session of its entity when `entity_field` is set."""
        entity_field = self._target_intacct.config.get("entity_field")
        if not entity_field:
            self._write_in_session(records, waits_for_lines)
            return
        by_entity: dict[str | None, list[dict[str, Any]]] = {}
        for record in records:
            entity = record.get(entity_field)
            by_entity.setdefault(None if is_blank(entity) else str(entity), []).append(record)
        for entity, group in by_entity.items():
            refusal = self._target_intacct.entity_refusal(entity)
            if refusal:
                for record in group:
                    self._reject(record, f"{entity_field}: {refusal}", field=entity_field)
                continue
            self._entity = entity
            try:
                self._write_in_session(group, waits_for_lines)
            finally:
                self._entity = None

    def _write_in_session(self, records: list[dict[str, Any]], waits_for_lines: bool) -> None:
        items: list[Item] = []
        for record in records:
            try:
                items.append(self._prepare(record))
            except RecordError as exc:
                self._reject(record, str(exc), field=exc.field)
                continue
            items[-1].waits_for_lines = waits_for_lines
        items = self._last_per_match_value(items)
        existing = self._find_existing(items)
        invoices = self._find_invoices(items) if self.spec.style is Style.PAYMENT else {}
        writes: list[Write] = []
        seen_control_ids: set[str] = set()
        for item in items:
            try:
                write = self._plan(item, existing, invoices)
            except RecordError as exc:
                self._reject(item, str(exc), field=exc.field)
                continue
            except ValueError as exc:  # the request could not be built from the record
                self._reject(item, f"cannot be sent to Intacct: {exc}")
                continue
            if write is None:
                continue
            if write.function.control_id in seen_control_ids:
                self.tally_duplicate_merged()
                continue
            seen_control_ids.add(write.function.control_id)
            writes.append(write)
        self._send_all(writes)

    def _last_per_match_value(self, items: list[Item]) -> list[Item]:
        """In update/upsert mode the last record for a match value wins within a batch."""
        if self.settings.sync_mode == "insert":
            return items
        latest: dict[Any, Item] = {}
        for position, item in enumerate(items):
            key = item.match_value if item.match_value is not None else ("#", position)
            if key in latest:
                self.tally_duplicate_merged()
            latest.pop(key, None)
            latest[key] = item
        return list(latest.values())

    def _needs_lookup(self, item: Item) -> bool:
        if item.skipped:
            return False
        if item.deleted:
            return self.settings.delete_behavior != "do_nothing"
        return self.settings.sync_mode != "insert"

    def _find_existing(self, items: list[Item]) -> dict[str, list[dict]]:
        match_field = self.settings.match_field
        values = [i.match_value for i in items if self._needs_lookup(i) and i.match_value]
        if not match_field or not values:
            return {}
        extra = [self.spec.id_field] if self.spec.id_field else []
        if self.spec.update_key not in ("RECORDNO", *extra):
            extra.append(self.spec.update_key)
        if self._compares_fields and self.settings.sync_mode != "insert":
            sent = {name for i in items if not i.deleted for name in flatten_record(i.fields)}
            extra += sorted(sent & self.known_fields)
        return self._rows_by(self.spec.object, match_field, values, extra)

    @property
    def _compares_fields(self) -> bool:
        """Master data is compared field by field with Intacct's to skip unchanged updates."""
        return self.spec.style is Style.GENERIC and self.spec.lines is None

    @cached_property
    def known_fields(self) -> frozenset[str]:
        """The object's fields in this company (`lookup`): the only ones a query may select."""
        try:
            result = self.client.call(functions.lookup(self.spec.object))
        except FunctionError as exc:
            self.logger.warning(
                "%s: no field list for %s (%s); every match is updated",
                self.stream_name,
                self.spec.object,
                exc,
            )
            return frozenset()
        return frozenset(name for name, _ in functions.lookup_fields(result.records()))

    def _unchanged(self, item: Item, row: Mapping[str, Any]) -> bool:
        """Every field the record carries already holds the same value in Intacct.

        The update key is left out: an update keeps the existing record's. A nested field
        (`DISPLAYCONTACT: {...}`) compares as the dotted names Intacct's rows carry.
        """
        if not self._compares_fields:
            return False
        style, known = self.date_style, self.known_fields
        return all(
            name == self.spec.update_key
            or (name in known and same_value(value, row.get(name), style))
            for name, value in flatten_record(item.fields).items()
        )

    def _find_invoices(self, items: list[Item]) -> dict[str, dict]:
        """Invoices payment lines name by number, or by RECORDNO when they leave out the amount.

        A line without an amount pays what is due. One query per kind per batch.
        """
        numbers, keys = set(), set()
        for item in items:
            for line in [] if item.deleted else item.lines:
                if not is_blank(line.get("RECORDKEY")):
                    if is_blank(line.get("TRX_PAYMENTAMOUNT")):
                        keys.add(str(line["RECORDKEY"]))
                elif not is_blank(first(line, ("INVOICENO", "RECORDID"))):
                    numbers.add(str(first(line, ("INVOICENO", "RECORDID"))))
        found: dict[str, dict] = {}
        for field_name, values in (("RECORDID", numbers), ("RECORDNO", keys)):
            if values:
                rows = self._rows_by("ARINVOICE", field_name, values, ["RECORDID", "TOTALDUE"])
                found.update(
                    {f"{field_name}:{value}": matches[0] for value, matches in rows.items()}
                )
        return found

    def _existing_row(self, item: Item, existing: Mapping[str, list[dict]]) -> dict | None:
        if item.match_value is None:
            if self._needs_lookup(item):
                raise RecordError(
                    self.settings.match_field or "match_field",
                    f"is empty; {self.settings.sync_mode} needs it to find the {self.spec.object}",
                )
            return None
        rows = existing.get(item.match_value, [])
        if len(rows) > 1:
            raise RecordError(
                self.settings.match_field or "",
                f"{len(rows)} {self.spec.object} records have "
                f"{self.settings.match_field}={item.match_value!r}; the match must be unique",
            )
        return rows[0] if rows else None

    def _control_id(self, action: str, item: Item, payload: Any) -> str:
        """Same record, same version, same action → same control id.

        A create keeps its control id across runs, so replaying an input never creates twice.
        Updates and deletes are safe to repeat, so their ids are unique to the run: a later run
        that sets a field back to an earlier value is not refused as already executed.
        """
        version = lookup(item.record, "WHENMODIFIED")
        run = "" if action == "created" else self._target_intacct.run_id
        digest = content_hash(
            [self.stream_name, action, item.source_key, item.match_value, version, payload, run]
        )
        return f"{self.stream_name[:40]}-{action[0]}-{digest[:40]}"

    def _plan(
        self, item: Item, existing: Mapping[str, list[dict]], invoices: Mapping[str, dict]
    ) -> Write | None:
        if item.skipped:
            self.report.count(self.stream_name, "skipped")
            return None
        mode = self.settings.sync_mode
        row = self._existing_row(item, existing) if self._needs_lookup(item) else None
        if item.deleted:
            return self._plan_delete(item, row)
        if item.waits_for_lines and row is None:  # a new document: it needs its lines
            self.waiting.append(item.record)
            return None
        if mode == "update" and row is None:
            where = f"{self.settings.match_field}={item.match_value!r}"
            raise RecordError(
                self.settings.match_field or "", f"no {self.spec.object} with {where} to update"
            )
        if row is None:
            self._check_required(item)
            return self._build(item, "created", None, invoices)
        if self._unchanged(item, row):
            self.report.count(self.stream_name, "unchanged")
            self.report.map_id(self.stream_name, item.source_key, row["RECORDNO"], self._id_of(row))
            return None
        return self._build(item, "updated", row, invoices)

    def _plan_delete(self, item: Item, row: dict | None) -> Write | None:
        behavior = self.settings.delete_behavior
        if behavior == "do_nothing" or row is None:
            self.report.count(self.stream_name, "skipped")
            return None
        record_no = str(row["RECORDNO"])
        intacct_id = self._id_of(row)
        if behavior == "clear":
            payload = {self.spec.update_key: row.get(self.spec.update_key) or record_no}
            payload.update(dict.fromkeys(self._clearable_fields(), ""))
            function = functions.update(
                self.spec.object, payload, control_id=self._control_id("clear", item, payload)
            )
            return Write(item, "updated", function, record_no, intacct_id)
        control_id = self._control_id("delete", item, record_no)
        if self.spec.style is Style.SALES_TRANSACTION:
            function = functions.delete_sotransaction(str(intacct_id), control_id=control_id)
        elif self.spec.style is Style.INVOICE:
            function = functions.delete_invoice(record_no, control_id=control_id)
        else:
            function = functions.delete(self.spec.object, record_no, control_id=control_id)
        return Write(item, "deleted", function, record_no, intacct_id)

    def _clearable_fields(self) -> list[str]:
        """The mapped (schema) fields a `clear` blanks: all but keys, required and read-only."""
        keep = {
            self.spec.update_key,
            self.spec.id_field,
            self.settings.match_field,
            *self.spec.required,
        }
        return [
            name
            for name in self.schema.get("properties", {})
            if name not in keep
            and not self.spec.is_read_only(name)
            and not (self.spec.lines and name in self.spec.lines.record_fields)
        ]

    def _id_of(self, row: Mapping[str, Any]) -> Any:
        return row.get(self.spec.id_field) if self.spec.id_field else row.get("RECORDNO")

    def _build(
        self, item: Item, action: str, row: dict | None, invoices: Mapping[str, dict]
    ) -> Write:
        payload = self.payloads.build(item, row, invoices, self.date_style)
        record_no = str(row["RECORDNO"]) if row else None
        intacct_id = self._id_of(row) if row else self._natural_key(item)
        control_id = self._control_id(action, item, payload)
        function = self._function(action, payload, row, control_id)
        return Write(item, action, function, record_no, intacct_id)

    def _natural_key(self, item: Item) -> Any:
        if self.spec.style is Style.SALES_TRANSACTION:
            docid = lookup(item.record, "DOCID")
            if is_blank(docid) and not is_blank(item.fields.get("DOCNO")):
                return f"{item.fields.get('DOCPARID')}-{item.fields['DOCNO']}"
            return docid
        return item.fields.get(self.spec.id_field) if self.spec.id_field else None

    def _function(self, action: str, payload: dict, row: dict | None, control_id: str) -> Function:
        style, obj = self.spec.style, self.spec.object
        if action == "created":
            if style is Style.INVOICE:
                return functions.create_invoice(payload, control_id=control_id)
            if style is Style.ADJUSTMENT:
                return functions.create_aradjustment(payload, control_id=control_id)
            if style is Style.SALES_TRANSACTION:
                return functions.create_sotransaction(payload, control_id=control_id)
            if style is Style.PAYMENT and self.settings.payment_function == "create_arpayment":
                return functions.create_arpayment(payload, control_id=control_id)
            return functions.create(obj, payload, control_id=control_id)
        assert row is not None
        if style is Style.INVOICE:
            return functions.update_invoice(row["RECORDNO"], payload, control_id=control_id)
        if style is Style.SALES_TRANSACTION:
            return functions.update_sotransaction(row["DOCID"], payload, control_id=control_id)
        return functions.update(obj, payload, control_id=control_id)

    # --- sending -------------------------------------------------------------------------

    def _send_all(self, writes: list[Write]) -> None:
        """The writes, `batch_size` per request, up to `max_concurrency` requests at once.

        Requests run on workers; their answers are taken in request order here, as if they had
        been sent one after the other. Every request of the batch has ended before this
        returns (so STATE, and the sinks that wait for this one, come after all of them); a
        request that failed stops the run once the others' outcomes are recorded.
        """
        batch_size = self.settings.batch_size
        requests = [writes[n : n + batch_size] for n in range(0, len(writes), batch_size)]
        client = self.client
        answers = self._target_intacct.parallel.settle(
            lambda request: execute_resending(
                client, [w.function for w in request], self.stream_name, self.logger
            ),
            requests,
        )
        failure: BaseException | None = None
        for request, (results, error) in zip(requests, answers, strict=True):
            if error is not None:
                failure = failure or error
            elif results is not None:
                self._conclude(request, results)
        if failure is not None:
            raise failure

    def _conclude(self, writes: list[Write], results: list[Result]) -> None:
        """What each write's result means: written, already written, retried later, rejected."""
        already_ran: list[Write] = []
        done: list[tuple[Write, Any, Any]] = []
        for write, result in zip(writes, results, strict=True):
            if result.ok:
                done.append((write, *self._ids_from(write, result, None)))
            elif is_already_executed(result):
                already_ran.append(write)
            elif is_invalid_reference(result):
                self.retry_later.append((write.item.record, "; ".join(map(str, result.errors))))
            else:
                error = result.errors[0] if result.errors else None
                self._reject(
                    write.item,
                    "; ".join(str(e) for e in result.errors) or f"{result.function} failed",
                    errorno=error.errorno if error else None,
                )
        if already_ran:
            done += self._read_back(already_ran)
        self._record_outcomes(done)

    def _ids_from(
        self, write: Write, result: Result | None, row: Mapping[str, Any] | None
    ) -> tuple[Any, Any]:
        """RECORDNO and ID of a written record, from the result or a row read back."""
        record_no, intacct_id = write.record_no, write.intacct_id
        if result is not None and write.action == "created":
            rows = result.records()
            if rows:
                created = flatten_record(rows[0])
                record_no = created.get("RECORDNO", record_no)
                intacct_id = created.get(self.spec.id_field or "RECORDNO", intacct_id)
            elif result.key and self.spec.style is Style.SALES_TRANSACTION:
                intacct_id = result.key  # legacy OE functions answer with the DOCID
            elif result.key:
                record_no = result.key
        if row is not None:
            record_no = row.get("RECORDNO", record_no)
            intacct_id = self._id_of(row) or intacct_id
        if intacct_id is None and not self.spec.id_field:
            intacct_id = record_no
        return record_no, intacct_id

    def _record_outcomes(self, done: list[tuple[Write, Any, Any]]) -> None:
        """Count the outcomes and map the IDs; RECORDNOs a result did not give are read back."""
        missing = {
            str(intacct_id)
            for write, record_no, intacct_id in done
            if write.action != "deleted" and record_no is None and intacct_id is not None
        }
        found = (
            self._rows_by(self.spec.object, self.spec.id_field, missing, [])
            if missing and self.spec.id_field
            else {}
        )
        for write, record_no, intacct_id in done:
            self.report.count(self.stream_name, write.action)
            self.tally_record_written()
            if write.action == "deleted":
                continue
            rows = found.get(str(intacct_id)) if record_no is None else None
            self.report.map_id(
                self.stream_name,
                write.item.source_key,
                rows[0]["RECORDNO"] if rows else record_no,
                intacct_id,
            )

    def _read_back(self, writes: list[Write]) -> list[tuple[Write, Any, Any]]:
        """Writes refused as already executed ran in an earlier request: read their IDs back."""
        key_field = self.spec.id_field or self.settings.match_field
        keys = {}
        for write in writes:
            key = write.intacct_id if self.spec.id_field else write.item.match_value
            if write.action == "created" and key_field and key is not None:
                keys[str(key)] = write
        rows = (
            self._rows_by(
                self.spec.object,
                key_field,
                keys,
                [self.spec.id_field] if self.spec.id_field else [],
            )
            if keys and key_field
            else {}
        )
        self.logger.info(
            "%s: %d writes already ran in an earlier request; taking their results from Intacct",
            self.stream_name,
            len(writes),
        )
        done = []
        for write in writes:
            key = write.intacct_id if self.spec.id_field else write.item.match_value
            matches = rows.get(str(key), []) if key is not None else []
            done.append((write, *self._ids_from(write, None, matches[0] if matches else None)))
        return done
