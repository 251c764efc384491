"""The one sink: turns a batch of records into Intacct functions, driven by a `WriteSpec` row.

A batch is written in three steps: one `query` finds the existing records by the match field
(and, for payments, the invoices named by number), the records become create/update/delete
functions with deterministic control ids, and the functions go out `batch_size` per request
with `transaction="false"` and `uniqueid="true"`, so one bad record never sinks its request and
a re-sent request cannot write twice. For master data the query also returns the fields the
records carry, so a record equal to Intacct's is not rewritten. A record refused for naming one
not written yet (`BL03000017`) is tried again when the input ends, and kept for the next run if
it is still refused (the target's pending file).

The parts live beside it: `preparing` (record → fields), `lookups` (existing records and
fields), `write_functions` (which function, which control id), `exchange` (sending and
re-sending requests).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from intacct_api import functions
from intacct_api.envelope import flatten_record

from target_intacct.base import DELETED_AT, IntacctBaseSink
from target_intacct.exchange import (
    INVALID_REFERENCE,
    Write,
    execute_resending,
    is_already_executed,
    is_invalid_reference,
    made_by_another_run,
)
from target_intacct.lookups import RecordLookups
from target_intacct.objects import HEADER_ONLY_UPDATES, WRITE_SPECS, Style, WriteSpec
from target_intacct.payloads import PayloadBuilder
from target_intacct.pending import PendingStream
from target_intacct.preparing import RecordPreparer
from target_intacct.records import (
    Item,
    RecordError,
    is_blank,
    lookup,
)
from target_intacct.settings import StreamSettings
from target_intacct.write_functions import WriteFunctions

if TYPE_CHECKING:
    from intacct_api.envelope import Result

    from target_intacct.reports import RunReport
    from target_intacct.target import TargetIntacct


def header_text(record: Mapping[str, Any]) -> str:
    """A header's identity in the pending file: its source RECORDNO (the lines name it)."""
    return f"RECORDNO {record.get('RECORDNO')}"


class IntacctSink(RecordLookups, IntacctBaseSink):
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
        self.preparer = RecordPreparer(self.spec, self.settings)
        self.write_functions = WriteFunctions(self.spec, self.settings, stream_name, target.run_id)
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
            if self.spec.line_field in record or self.preparer.written_elsewhere(record):
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
                item = self.preparer.prepare(record, self.source_key(record))
                self.check_places(item)
            except RecordError as exc:
                self._reject(record, str(exc), field=exc.field)
                continue
            item.waits_for_lines = waits_for_lines
            items.append(item)
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
            self.preparer.check_required(item)
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
                self.spec.object,
                payload,
                control_id=self.write_functions.control_id("clear", item, payload),
            )
            return Write(item, "updated", function, record_no, intacct_id)
        function = self.write_functions.delete(item, record_no, intacct_id)
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
        intacct_id = self._id_of(row) if row else self.write_functions.natural_key(item)
        control_id = self.write_functions.control_id(action, item, payload)
        function = self.write_functions.write(action, payload, row, control_id)
        return Write(item, action, function, record_no, intacct_id)

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
        again: list[Write] = []
        for request, (sent, error) in zip(requests, answers, strict=True):
            if error is not None:
                failure = failure or error
            elif sent is not None:
                again += self._conclude(request, sent.results, resent=sent.resent)
        if failure is not None:
            raise failure
        if again:
            self._send_all(again)

    def _conclude(self, writes: list[Write], results: list[Result], *, resent: bool) -> list[Write]:
        """What each write's result means: written, already written, retried later, rejected.

        A create refused as already executed counts created when this run's first try made it
        (the request was re-sent after a lost answer); made by another run (two runs at once, or
        one that stopped after writing), it counts unchanged here: the same content is there.
        Returns the creates whose records are not there, to send again (`_read_back`).
        """
        already_ran: list[Write] = []
        elsewhere: set[int] = set()  # id() of the writes another run made
        done: list[tuple[Write, Any, Any]] = []
        for write, result in zip(writes, results, strict=True):
            if result.ok:
                done.append((write, *self._ids_from(write, result, None)))
            elif is_already_executed(result):
                already_ran.append(write)
                if write.action == "created" and made_by_another_run(result, resent=resent):
                    elsewhere.add(id(write))
            elif is_invalid_reference(result):
                self.retry_later.append((write.item.record, "; ".join(map(str, result.errors))))
            else:
                error = result.errors[0] if result.errors else None
                self._reject(
                    write.item,
                    "; ".join(str(e) for e in result.errors) or f"{result.function} failed",
                    errorno=error.errorno if error else None,
                )
        again: list[Write] = []
        if already_ran:
            found, again = self._read_back(already_ran)
            done += [
                (replace(write, action="unchanged") if id(write) in elsewhere else write, *ids)
                for write, *ids in found
            ]
        self._record_outcomes(done)
        return again

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

    def _read_back(self, writes: list[Write]) -> tuple[list[tuple[Write, Any, Any]], list[Write]]:
        """Writes refused as already executed: their IDs read back, or the creates to redo.

        "Already executed" says the control id ran, not that the record is there: a create
        whose record Intacct does not have by its natural key (deleted since the earlier run)
        goes again under a new control id. A create that cannot be read back (no natural key)
        is taken as written.
        """
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
        done, again = [], []
        for write in writes:
            key = write.intacct_id if self.spec.id_field else write.item.match_value
            matches = rows.get(str(key), []) if key is not None else []
            if matches or keys.get(str(key)) is not write:  # there, or not to be read back
                done.append((write, *self._ids_from(write, None, matches[0] if matches else None)))
            elif write.again:  # a new control id cannot have run before: the answer is wrong
                self._reject(write.item, f"Intacct refused the create as already executed, "
                             f"but has no {self.spec.object} with {key_field}={key!r}")  # fmt: skip
            else:
                again.append(replace(write, function=WriteFunctions.again(write.function),
                                     again=True))  # fmt: skip
        if done:
            self.logger.info(
                "%s: %d writes already ran in an earlier request; taking their results from "
                "Intacct",
                self.stream_name,
                len(done),
            )
        if again:
            self.logger.info(
                "%s: %d creates ran in an earlier run but Intacct no longer has their records "
                "(deleted since); writing them again under new control ids",
                self.stream_name,
                len(again),
            )
        return done, again
