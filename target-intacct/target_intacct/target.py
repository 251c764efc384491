"""target-intacct: writes Singer records into Sage Intacct through the XML gateway or REST."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import click
from connector_runtime.cli import one_line_errors
from intacct_api import preferences
from intacct_api.concurrency import ParallelRequests
from intacct_api.connect import SECRET_SETTINGS, open_transport
from intacct_api.connect import check_settings as check_connection
from intacct_api.errors import AuthenticationError, IntacctError
from intacct_api.errors import SettingsError as ConnectionSettingsError
from intacct_api.preferences import Rendering
from intacct_api.transport import Transport
from singer_rejects import INPUT_STREAM, RejectingTarget, UnreadableLine
from singer_rejects.settings import SettingsChecked
from singer_sdk import typing as th
from singer_sdk.helpers.capabilities import PluginCapabilities
from singer_sdk.sinks import BatchSink, Sink

from target_intacct.base import IntacctBaseSink
from target_intacct.connection import CONNECTION_SETTINGS
from target_intacct.exchange import WriteFailedError
from target_intacct.objects import WRITE_SPECS
from target_intacct.pending import Pending, PendingFile, PendingStream, WaitingLines
from target_intacct.reports import RunReport, SecretMaskFilter
from target_intacct.settings import (
    DEFAULT_NAMES,
    DELETE_BEHAVIORS,
    PAYMENT_FUNCTIONS,
    SYNC_MODES,
    SettingsError,
    StreamSettings,
    line_stream,
    resolve,
)
from target_intacct.sinks import IntacctSink
from target_intacct.web_order_mapping import CHARGES, UNKNOWN_SKU, OrderSettings
from target_intacct.web_orders import WebOrderSink

STREAM_SETTINGS = th.ObjectType(
    th.Property(
        "sink",
        th.StringType,
        allowed_values=sorted(WRITE_SPECS),
        description="Which sink (Intacct object) the stream writes; defaults to the stream name.",
    ),
    th.Property("sync_mode", th.StringType, allowed_values=list(SYNC_MODES)),
    th.Property(
        "match_field",
        th.StringType,
        description="Field that finds existing records (CUSTOMERID, NAME, DISPLAYCONTACT.EMAIL1).",
    ),
    th.Property("delete_behavior", th.StringType, allowed_values=list(DELETE_BEHAVIORS)),
    th.Property("payment_function", th.StringType, allowed_values=list(PAYMENT_FUNCTIONS)),
    th.Property("defaults", th.ObjectType(additional_properties=True)),
    th.Property(
        "lines_of",
        th.StringType,
        description="Make this a stream of lines of another stream's records (joined at the end).",
    ),
    th.Property(
        "link_field",
        th.StringType,
        description="Field of a line holding its header's RECORDNO (with lines_of).",
    ),
)


class LineSink(IntacctBaseSink):
    """Collects a stream of lines for their headers, which wait until the input ends."""

    def __init__(self, target: TargetIntacct, stream_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(target, stream_name, *args, **kwargs)
        joins = line_stream(stream_name, target.config)
        assert joins is not None
        self.joins = joins
        self._pending = target.pending_lines.setdefault(joins.sink, {})
        self._report = target.report
        self._arrived = 0
        # header RECORDNO → arrival number (in this stream) of its last line in this input
        self.last_arrival: dict[str, int] = {}

    def process_batch(self, context: dict) -> None:
        for record in context.get("records", []):
            self._arrived += 1  # batches keep the input's order
            parent = record.get(self.joins.link_field)
            if record.get("_sdc_deleted_at"):  # a deleted line goes with its header's rewrite
                self._report.count(self.stream_name, "skipped")
            elif parent is None or parent == "":
                key = {k: record.get(k) for k in self.key_properties}
                message = f"{self.joins.link_field}: a line needs its header's RECORDNO"
                self._report.reject(
                    self.stream_name, key, record, message, field=self.joins.link_field
                )
            else:
                waiting = self._pending.setdefault(str(parent), WaitingLines(self.stream_name))
                waiting.lines.append(record)
                self.last_arrival[str(parent)] = self._arrived

    def reject_invalid(self, record: dict, field: str | None, message: str) -> None:
        key = {k: record.get(k) for k in self.key_properties}
        self._report.reject(self.stream_name, key, record, message, field=field)


class SkippedStreamSink(BatchSink):
    """Counts the records of a stream that has no Intacct sink (`skip_unknown_streams`)."""

    def __init__(self, target: TargetIntacct, *args: Any, **kwargs: Any) -> None:
        super().__init__(target, *args, **kwargs)
        self._report = target.report

    def _validate_and_parse(self, record: dict) -> dict:
        """Never written, so never checked: a bad record here must not stop the run."""
        return record

    def process_batch(self, context: dict) -> None:
        self._report.count(self.stream_name, "skipped", len(context.get("records", [])))


class TargetIntacct(SettingsChecked, RejectingTarget):
    """Singer target for Sage Intacct: customers, contacts, items, AR, journals, sales documents."""

    name = "target-intacct"
    # Records are written by key as the settings say, Singer's metadata fields never written.
    ignored_builtin_settings = ("load_method", "add_record_metadata")
    package_name = "intacct-connectors-target-intacct"
    capabilities = [*RejectingTarget.capabilities, PluginCapabilities.BATCH]
    default_sink_class = IntacctSink

    config_jsonschema = th.PropertiesList(
        *CONNECTION_SETTINGS,
        th.Property(
            "max_concurrency",
            th.IntegerType(minimum=1),
            default=4,
            description="Requests at once, within the company's concurrency entitlement: a "
            "batch's write requests (and look-ups) go out in parallel; a refusal for "
            "concurrency lowers it for the rest of the run.",
        ),
        th.Property(
            "batch_size",
            th.IntegerType(minimum=1),
            description="Functions per request (transaction=false: each succeeds on its own); "
            "empty: 100 over XML, 500 (Sage's batch limit) over REST.",
        ),
        th.Property(
            "records_per_lookup",
            th.IntegerType(minimum=1, maximum=1000),
            default=1000,
            description="Records per sink batch, looked up with one query (at most 1000).",
        ),
        th.Property(
            "reject_file",
            th.StringType,
            default="target-intacct-rejects.jsonl",
            description="JSON lines of refused records with the reason.",
        ),
        th.Property(
            "id_map_file",
            th.StringType,
            description="JSON lines: stream, source key → Intacct RECORDNO and ID.",
        ),
        th.Property(
            "pending_file",
            th.StringType,
            default="target-intacct-pending.json",
            description="Records not writable yet (headers without lines, lines without "
            "header, references not in Intacct yet), kept for the next run.",
        ),
        th.Property(
            "pending_max_runs",
            th.IntegerType(minimum=0),
            default=24,
            description="Runs a record waits in pending_file (a header for its lines, lines "
            "for their header, a record for the one it names) before it is rejected.",
        ),
        th.Property(
            "skip_unknown_streams",
            th.BooleanType,
            default=False,
            description="Count and skip streams that no Intacct object matches instead of "
            "failing.",
        ),
        th.Property(
            "streams",
            th.ObjectType(additional_properties=STREAM_SETTINGS),
            description="Per-stream settings keyed by stream name: sink, sync_mode, "
            "match_field, delete_behavior, payment_function, defaults, lines_of, link_field "
            "(see the README).",
        ),
        th.Property(
            "defaults",
            th.ObjectType(*(th.Property(name, th.StringType) for name in DEFAULT_NAMES)),
            description="Values for fields a record leaves empty (location, GL account...).",
        ),
        th.Property(
            "web_orders",
            th.ObjectType(
                th.Property("stream", th.StringType, description="Stream of Magento orders "
                            "(tap-magento's `orders`), written as sales orders"),
                th.Property("transaction_definition", th.StringType,
                            description="Order Entry transaction definition (default Sales "
                            "Order)"),
                th.Property("customer_id_template", th.StringType,
                            description="CUSTOMERID of a new customer for a registered buyer "
                            "(default MAG-{customer_id}; {email_hash}, {increment_id} too)"),
                th.Property("guest_customer_id_template", th.StringType,
                            description="CUSTOMERID of a new customer for a guest (default "
                            "MAG-G-{email_hash})"),
                th.Property("currencies", th.ArrayType(th.StringType),
                            description="The company's transaction currencies (default USD); "
                            "an order in another is rejected"),
                th.Property("charges", th.StringType, allowed_values=list(CHARGES),
                            description="Shipping, discount and tax as the transaction "
                            "definition's subtotals (default) or as lines of charge_items"),
                th.Property("charge_items", th.ObjectType(
                    *(th.Property(k, th.StringType) for k in ("shipping", "discount", "tax"))),
                    description="Non-inventory items of the charge lines (charges: lines)"),
                th.Property("unknown_sku", th.StringType, allowed_values=list(UNKNOWN_SKU),
                            description="An order naming a SKU Intacct lacks waits in "
                            "pending_file (wait, default) or is rejected at once (reject)"),
            ),
            description="Magento orders (tap-magento's orders stream) written as sales "
            "orders: stream, transaction_definition, customer_id_template, "
            "guest_customer_id_template, currencies, charges (subtotals or lines), charge_items, "
            "unknown_sku (wait or reject); see the README's Web orders section.",
        ),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sinks run one after the other (invoices must wait for their customers); a sink's
        # requests run in parallel inside it (`max_concurrency`).
        self.max_parallelism = 1
        SecretMaskFilter.install(self.secrets)
        self.run_id = uuid.uuid4().hex
        self._clients: dict[str | None, Transport] = {}
        self._entity_refusals: dict[str, str | None] = {}
        self._rendering: Rendering | None = None
        # RECORD messages per stream as they arrive, and those counts when the latest new STATE
        # came: a record after it will be sent again by the source, whose bookmark is behind it
        self._arrived: Counter[str] = Counter()
        self._confirmed: dict[str, int] | None = None
        # (header sink, header RECORDNO) whose lines this input may hold only in part
        self.partial_documents: set[tuple[str, str]] = set()
        # sink name → header RECORDNO (in the source) → its lines, from line streams
        self.pending_lines: dict[str, dict[str, WaitingLines]] = {}
        self.web_orders = OrderSettings.from_config(self.config)  # checked in check_settings

    def check_settings(self, config: Mapping[str, Any]) -> list[str]:
        """The transport's credentials, every stream's settings and web_orders, before any input."""
        problems = []
        try:
            check_connection(config)
        except ConnectionSettingsError as exc:
            problems.append(str(exc))
        for stream in config.get("streams") or {}:
            try:
                self._checked_settings(stream)
            except SettingsError as exc:
                problems.append(str(exc))
        try:
            OrderSettings.from_config(config)
        except ValueError as exc:
            problems.append(str(exc))
        return problems

    def reject_line(self, line: UnreadableLine) -> None:
        """An input line that is not a readable message: rejected with its number."""
        text = None if line.record is not None else line.text
        stream, record = line.stream or INPUT_STREAM, line.record
        self.report.reject(stream, line.key, record, line.message, field=line.field,
                           line=line.number, text=text)  # fmt: skip

    def _checked_settings(self, stream: str) -> StreamSettings | None:
        if line_stream(stream, self.config) is not None:
            return None
        try:
            return resolve(stream, self.config)
        except SettingsError:
            if self.config.get("skip_unknown_streams") and (
                (self.config.get("streams") or {}).get(stream, {}).get("sink") is None
                and stream not in WRITE_SPECS
            ):
                return None
            raise

    def stream_settings(self, stream: str) -> StreamSettings:
        settings = self._checked_settings(stream)
        assert settings is not None
        return settings

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        if stream_name == self.web_orders.stream:
            return WebOrderSink
        if line_stream(stream_name, self.config) is not None:
            return LineSink
        if self._checked_settings(stream_name) is None:
            self.logger.warning(
                "Stream %s has no Intacct sink; its records are skipped", stream_name
            )
            return SkippedStreamSink
        return IntacctSink

    @cached_property
    def secrets(self) -> list[str]:
        """Secret settings (passwords, client secret, refresh token): masked everywhere."""
        return [str(self.config[name]) for name in SECRET_SETTINGS if self.config.get(name)]

    @cached_property
    def report(self) -> RunReport:
        return RunReport(
            self.config.get("reject_file"),
            self.config.get("id_map_file"),
            self.secrets,
            self.logger,
        )

    @cached_property
    def client(self) -> Transport:
        """The session of `entity_id` (or the top level): where records without an entity go."""
        return self.client_for(None)

    def client_for(self, entity: str | None) -> Transport:
        """One connection per entity written to (XML or REST), opened on first use."""
        entity = entity or self.config.get("entity_id") or None
        if entity not in self._clients:
            config = self.config
            self._clients[entity] = open_transport(
                config,
                entity,
                timeout=(10.0, float(config.get("request_timeout") or 300)),
                deadline=float(config.get("request_timeout") or 300),
                verify_tls=bool(config.get("verify_tls", True)),
                max_tries=int(config.get("max_tries") or 6),
                like=next(iter(self._clients.values()), None),
                slots=self.parallel.slots,
            )
        return self._clients[entity]

    @cached_property
    def parallel(self) -> ParallelRequests:
        """Request workers; one company, so every entity's connection shares their slots."""
        return ParallelRequests(int(self.config.get("max_concurrency") or 1), "target-intacct")

    def rendering(self, client: Transport) -> Rendering:
        """How Intacct writes dates for the API user, read with the first session that asks."""
        if self._rendering is None:
            self._rendering = preferences.rendering(client, self.config.get("timezone"))
        return self._rendering

    def entity_refusal(self, entity: str | None) -> str | None:
        """Why records of `entity` cannot be written (Intacct refused its login), else None.

        Asked once per entity. When the default session is refused too, the credentials are
        wrong, not the entity: that fails the run.
        """
        if entity is None:
            return None
        if entity not in self._entity_refusals:
            try:
                self.client_for(entity).login()
                self._entity_refusals[entity] = None
            except AuthenticationError as exc:
                self.client.login()
                self._entity_refusals[entity] = (
                    f"Intacct refused a session in entity {entity!r}: {exc}"
                )
        return self._entity_refusals[entity]

    def drain_prerequisites(self, sink: IntacctSink) -> None:
        """Write pending records of lower-ranked streams first (customers before invoices)."""
        for other in list(self._sinks_active.values()):
            if isinstance(other, IntacctSink) and other.spec.rank < sink.spec.rank:
                self.drain_one(other)

    def _process_record_message(self, message_dict: dict) -> None:
        self._arrived[message_dict.get("stream", "")] += 1
        super()._process_record_message(message_dict)

    def _process_state_message(self, message_dict: dict) -> None:
        if message_dict.get("value") != self._latest_state:
            self._confirmed = dict(self._arrived)
        super()._process_state_message(message_dict)

    def _find_partial_documents(self) -> None:
        """Documents whose lines arrived after the input's last STATE, when it had one.

        A source stopped mid-page (killed, crashed) leaves such lines, and some of their
        document's lines may be missing; its bookmark is before them, so the next run sends them
        again. Their header waits for those rather than be written without some lines.
        """
        confirmed = self._confirmed
        if confirmed is None:  # an input without STATE: nothing tells a stop mid-way
            return
        for sink in self._sinks_active.values():
            if isinstance(sink, LineSink) and sink.stream_name in self._arrived:
                last_confirmed = confirmed.get(sink.stream_name, 0)
                self.partial_documents.update(
                    (sink.joins.sink, parent)
                    for parent, arrival in sink.last_arrival.items()
                    if arrival > last_confirmed
                )

    def _header_sinks(self) -> list[IntacctSink | WebOrderSink]:
        """Sinks whose records may wait for the end of the input, by rank."""
        sinks = [
            s for s in self._sinks_active.values() if isinstance(s, IntacctSink | WebOrderSink)
        ]
        return sorted(sinks, key=lambda sink: sink.rank)

    def _write_state_message(self, state: dict) -> None:
        """Hold STATE while records wait for their lines or for one more try: not written yet."""
        if any(sink.deferred or sink.retry_later for sink in self._header_sinks()):
            return
        super()._write_state_message(state)

    @cached_property
    def pending(self) -> PendingFile:
        return PendingFile(self.config.get("pending_file"), self.secrets)

    @cached_property
    def carried(self) -> Pending:
        """What earlier runs left in the pending file."""
        return self.pending.load()

    def process_endofpipe(self) -> None:
        """Write what waited for the end of the input, then emit the final STATE.

        What the pending file kept from earlier runs joins this run's records. In rank order,
        headers are joined to their lines and written; records refused for naming a record not
        written yet are tried again; what still waits goes back to the pending file.
        """
        try:
            for sink in list(self._sinks_active.values()):
                if isinstance(sink, LineSink):
                    self.drain_one(sink)
            self._find_partial_documents()
            carried = self.carried
            for sink_name, by_parent in carried.lines.items():
                lines = self.pending_lines.setdefault(sink_name, {})
                for parent, kept in by_parent.items():
                    lines[parent] = kept.joined(lines.get(parent))
            streams = carried.streams
            self._open_pending_streams(streams)
            for sink in self._header_sinks():
                self.drain_one(sink)
                if sink.stream_name in streams:
                    sink.restore_pending(streams.pop(sink.stream_name))
                sink.write_deferred()
            self._retry_refused()
            self._keep_waiting(Pending(streams))
            super().process_endofpipe()
        finally:
            self.report.log_summary()
            if self._clients:
                sent = sum(client.request_count for client in self._clients.values())
                self.logger.info("Intacct requests sent: %d", sent)
            for client in self._clients.values():
                client.close()

    def _retry_refused(self) -> None:
        """Records refused for an invalid reference, tried again while a round writes some.

        A sales invoice may wait for an order that itself waited for its items.
        """
        sinks = self._header_sinks()
        while any(sink.retry_later for sink in sinks):
            if not sum(sink.retry_refused() for sink in sinks):
                break

    def _open_pending_streams(self, pending: dict[str, PendingStream]) -> None:
        """A sink for each stream with waiting records, even if this input did not name it.

        Streams that no longer have a sink of their own (settings changed) stay in the file.
        """
        for stream, entry in pending.items():
            if stream in self._sinks_active:
                continue
            try:
                writable = self.get_sink_class(stream) in (IntacctSink, WebOrderSink)
            except SettingsError as exc:
                self.logger.warning("Pending %s records stay pending: %s", stream, exc)
                continue
            if writable:
                self.add_sink(stream, entry.schema, entry.key_properties)

    def _keep_waiting(self, keep: Pending) -> None:
        """What still waits goes to the pending file, for `pending_max_runs` runs at most.

        Without a pending file nothing can wait: it is rejected with the reason.
        """
        where = self.pending.path
        if where is None:
            max_runs, hint = 0, "set pending_file to keep it for a later run"
        else:
            max_runs = int(self.config.get("pending_max_runs") or 0)
            hint = f"rejected after pending_max_runs ({max_runs})"
        for sink in self._header_sinks():
            headers = sink.settle_waiting(max_runs, hint)
            if headers:
                self.logger.warning(
                    "%d %s headers have no lines yet; kept in %s until their lines come",
                    len(headers),
                    sink.stream_name,
                    where,
                )
            refused = sink.settle_refused(max_runs)
            if headers or refused:
                self.report.count(sink.stream_name, "pending", len(headers) + len(refused))
                keep.streams[sink.stream_name] = PendingStream(
                    sink.schema, list(sink.key_properties), headers, refused
                )
        for sink_name, orphans in self.pending_lines.items():
            kept = {}
            for parent, waiting in orphans.items():
                waiting.runs += 1
                if waiting.runs <= max_runs:
                    kept[parent] = waiting
                    self.report.count(waiting.stream, "pending", len(waiting.lines))
                    continue
                waited = f" in {waiting.runs - 1} runs" if waiting.runs > 1 else ""
                joins = line_stream(waiting.stream, self.config)
                link = joins.link_field if joins else "RECORDKEY"
                for line in waiting.lines:
                    self.report.reject(
                        waiting.stream,
                        {"RECORDNO": line.get("RECORDNO")},
                        line,
                        f"{link}: header RECORDNO {parent} did not come{waited}; {hint}",
                        field=link,
                    )
            if kept:
                self.logger.warning(
                    "%d %s lines name headers that have not come (RECORDNO %s); kept in %s",
                    sum(len(waiting.lines) for waiting in kept.values()),
                    sink_name,
                    ", ".join(sorted(kept)),
                    where,
                )
                keep.lines[sink_name] = kept
        self.pending.save(keep)

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, a fatal error logged as one line (the traceback only at DEBUG)."""
        command = super().get_singer_command()
        expected = (IntacctError, SettingsError, WriteFailedError)  # messages naming what to do
        command.main = one_line_errors(command.main, cls.logger, expected)  # type: ignore[method-assign]
        return command


if __name__ == "__main__":
    TargetIntacct.cli()
