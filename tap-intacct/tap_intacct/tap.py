"""The tap: settings, one Intacct session per entity, discovery with `lookup` (or the catalog)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import click
from connector_runtime.cli import one_line_errors
from connector_runtime.progress import PROGRESS_EVERY_SECONDS, Progress, RunSummary
from intacct_api import functions, preferences
from intacct_api.client import DEFAULT_API_URL
from intacct_api.concurrency import ParallelRequests
from intacct_api.connect import (
    TRANSPORTS,
    check_settings,
    has_xml_credentials,
    max_page_size,
    open_transport,
    transport_name,
)
from intacct_api.envelope import Result
from intacct_api.errors import IntacctError, SettingsError
from intacct_api.preferences import Rendering
from intacct_api.rest.client import DEFAULT_REST_URL
from intacct_api.rest.oauth import CLIENT_CREDENTIALS, REFRESH_TOKEN
from intacct_api.transport import Transport
from singer_rejects.settings import SettingsChecked
from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import CatalogEntry, Metadata, RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

from tap_intacct.discovery import DEFAULT_MAX_AGE, LookupCache, Unavailable
from tap_intacct.objects import IntacctObject, all_objects
from tap_intacct.output import singer_stdout
from tap_intacct.schema import ENTITY, stream_schema
from tap_intacct.streams import IntacctStream, is_unavailable


class StateFlushedWriter(MsgSpecWriter):
    """msgspec output flushed with every message except records.

    The SDK flushes after each record (one system call, and one wake-up of the target, per
    record); records flushed together with the STATE that covers them reach the target no later
    than that STATE, which is all a target needs.
    """

    def write_message(self, message: Message) -> None:
        out = singer_stdout()
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()


class TapIntacct(SettingsChecked, Tap):
    """Singer tap for Sage Intacct (XML gateway or REST API)."""

    name = "tap-intacct"
    package_name = "intacct-connectors-tap-intacct"
    # Discovery logs in (`lookup`), so its settings are checked as a sync's are.
    dynamic_catalog = True
    message_writer_class = StateFlushedWriter

    config_jsonschema = th.PropertiesList(
        th.Property("transport", th.StringType(allowed_values=list(TRANSPORTS)), default="xml",
                    description="xml (every stream) or rest (Sage's REST API; streams REST does "
                                "not serve use the XML credentials when they are set)"),
        th.Property("sender_id", th.StringType,
                    description="Web Services sender ID (XML; Sage issues it with the Web "
                                "Services subscription)"),
        th.Property("sender_password", th.StringType, secret=True,
                    description="Web Services sender password (XML)"),
        th.Property("company_id", th.StringType,
                    description="Intacct company ID to log in to (XML and REST)"),
        th.Property("user_id", th.StringType,
                    description="Web Services user ID (XML, and REST client credentials)"),
        th.Property("user_password", th.StringType, secret=True,
                    description="Web Services user password (XML)"),
        th.Property("api_url", th.StringType, default=DEFAULT_API_URL,
                    description="XML gateway URL"),
        th.Property("rest_url", th.StringType, default=DEFAULT_REST_URL,
                    description="REST API base URL"),
        th.Property("client_id", th.StringType,
                    description="REST client ID (Sage App Registry)"),
        th.Property("client_secret", th.StringType, secret=True,
                    description="REST client secret"),
        th.Property("oauth_grant", th.StringType(allowed_values=[CLIENT_CREDENTIALS,
                                                                 REFRESH_TOKEN]),
                    default=CLIENT_CREDENTIALS,
                    description="client_credentials (user_id@company_id) or refresh_token"),
        th.Property("refresh_token", th.StringType, secret=True,
                    description="REST refresh token of an authorization (oauth_grant "
                                "refresh_token); rotated on every refresh"),
        th.Property("token_file", th.StringType,
                    description="File keeping the rotated refresh token between runs "
                                "(written atomically, mode 0600)"),
        th.Property("start_date", th.DateTimeType,
                    description="Read rows modified at or after this time (ISO 8601) on "
                                "the first run; later runs resume from state"),
        th.Property("entity_ids", th.ArrayType(th.StringType),
                    description="Entities (location ids) to read, one session each; records "
                                "carry ENTITY and state is kept per entity. Empty: top level."),
        th.Property("timezone", th.StringType,
                    description="Zone of Intacct's timestamps (a zone name or +hh:mm). Empty: "
                                "the API user's GMT offset preference, read at start"),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=4000),
                    description="Rows per query page; empty: the largest the transport allows "
                                "(2000 on XML, 4000 on REST)"),
        th.Property("lookback_seconds", th.IntegerType(minimum=0), default=0,
                    description="Re-read rows modified this many seconds before the bookmark "
                                "(for writes committed late in Intacct)"),
        th.Property("extra_objects", th.ArrayType(th.CustomType({
            "anyOf": [
                {"type": "string"},
                {"type": "object", "required": ["object"], "properties": {
                    "object": {"type": "string"}, "stream": {"type": "string"},
                    "docparid": {"type": "string"}}},
            ]})),
            description="More Intacct objects, standard or custom: names, or objects "
                        "{object, stream, docparid}"),
        th.Property("dimension_objects", th.ArrayType(th.StringType),
                    description="User-defined dimensions (their object names, e.g. CHANNEL) "
                                "to read as streams dimension_values_<name>"),
        th.Property("verify_tls", th.BooleanType, default=True,
                    description="Verify the gateway's TLS certificate"),
        th.Property("request_timeout", th.NumberType(exclusive_minimum=0), default=300,
                    description="Seconds a whole request may take (connecting, sending and "
                                "every byte of the answer)"),
        th.Property("max_retries", th.IntegerType(minimum=0), default=5,
                    description="Retries of a failed request (rate limits, outages)"),
        th.Property("max_concurrency", th.IntegerType(minimum=1), default=4,
                    description="API requests at once (within the company's concurrency "
                                "entitlement): large streams are read in key ranges at once, "
                                "and the next streams' first pages are asked for ahead. A "
                                "refusal for concurrency lowers it for the rest of the run"),
        th.Property("pipeline_pages", th.BooleanType, default=True,
                    description="Ask for the next page while the current one is converted "
                                "and written"),
        th.Property("discovery_cache_dir", th.StringType,
                    description="Folder keeping what lookup told of each object between runs "
                                "(no secrets); empty: discovery always asks Intacct"),
        th.Property("discovery_cache_seconds", th.IntegerType(minimum=0),
                    default=DEFAULT_MAX_AGE,
                    description="Age after which an object's cached fields are asked again "
                                "(0: every discovery asks, and refreshes the cache)"),
        th.Property("progress_seconds", th.NumberType(minimum=0),
                    default=PROGRESS_EVERY_SECONDS,
                    description="Seconds between a stream's progress lines (records of the "
                                "total, share done, rate, time left)"),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._clients: dict[str | None, Transport] = {}
        self.audit_history_available = True
        self.summary = RunSummary()
        super().__init__(*args, **kwargs)

    def sync_all(self) -> None:  # type: ignore[misc]  # final to the SDK, which has no end hook
        """The SDK's sync, then (stopped or not) the run's summary table."""
        self.summary = RunSummary()
        try:
            super().sync_all()
        finally:
            requests = sum(client.request_count for client in self._clients.values())
            self.summary.log(self.logger, requests)

    def progress(self, stream: IntacctStream, entity: str | None) -> Progress:
        """A stream partition's progress, in the run's summary."""
        label = stream.name if entity is None else f"{stream.name} (entity {entity})"
        every = self.config.get("progress_seconds")
        return self.summary.add(Progress(
            stream.name, label, self.logger, lambda: stream.calls[entity],
            every=PROGRESS_EVERY_SECONDS if every is None else float(every),
        ))  # fmt: skip

    @cached_property
    def parallel(self) -> ParallelRequests:
        """Request workers; one company, so every entity's session shares their slots."""
        return ParallelRequests(int(self.config.get("max_concurrency") or 1), "tap-intacct")

    @property
    def pipeline(self) -> bool:
        return bool(self.config.get("pipeline_pages", True))

    def read_ahead(self, current: Stream) -> None:
        """Ask for the first pages of the streams after `current` while it is written.

        As many streams ahead as requests may run at once; none without parallel requests.
        """
        if self.parallel.max_concurrency < 2:
            return
        order = [s for s in self.streams.values() if isinstance(s, IntacctStream) and s.selected]
        if current not in order:
            return
        position = order.index(current)
        for stream in order[position + 1 : position + 1 + self.parallel.max_concurrency]:
            for context in stream.partitions or [{}]:
                stream.read_ahead(context)

    def check_settings(self, config: Mapping[str, Any]) -> list[str]:
        """What the chosen transport needs, all named at once (not `company_id` alone)."""
        try:
            check_settings(config)
        except SettingsError as exc:
            return [str(exc)]
        return []

    # --- sessions ---------------------------------------------------------------------------

    @cached_property
    def rendering(self) -> Rendering:
        """How Intacct writes dates and times for the API user (its preferences), read once."""
        entities = self.config.get("entity_ids") or [None]
        return preferences.rendering(self.client(entities[0]), self.config.get("timezone"))

    @property
    def max_page_size(self) -> int:
        return max_page_size(self.config)

    def client(self, entity_id: str | None = None) -> Transport:
        """The connection of one entity (None: top level), XML or REST, opened on first use."""
        if entity_id not in self._clients:
            config = self.config
            deadline = float(config.get("request_timeout") or 300)
            self._clients[entity_id] = open_transport(
                config,
                entity_id,
                timeout=(min(10.0, deadline), deadline),
                deadline=deadline,
                verify_tls=bool(config.get("verify_tls", True)),
                max_tries=int(config.get("max_retries", 5)) + 1,
                like=next(iter(self._clients.values()), None),
                slots=self.parallel.slots,
            )
        return self._clients[entity_id]

    def audit_history_unavailable(self, error: Exception) -> None:
        """Deletes need AUDITHISTORY; without it the tap goes on with one warning."""
        if self.audit_history_available:
            self.audit_history_available = False
            self.logger.warning(
                "Deleted records are not read: AUDITHISTORY is not available to this user "
                "(%s). Grant the permission to get _sdc_deleted_at records.",
                error,
            )

    # --- catalog ----------------------------------------------------------------------------

    def setup_mapper(self) -> None:
        """Keys and replication keys are read whatever the catalog selects.

        Pagination and the state need them; a catalog that deselects one would otherwise stop
        the stream at its first record. Done before the SDK derives the schemas it emits.
        The API user's date preferences are read here too, before any stream: a refusal stops
        the run with one line, not inside a stream's sync.
        """
        if self.input_catalog is not None:
            for entry in self.input_catalog.streams:
                self._keep_required_fields(entry)
        super().setup_mapper()
        _ = self.rendering

    def _keep_required_fields(self, entry: CatalogEntry) -> None:
        root = entry.metadata.get(())
        keys = entry.key_properties or getattr(root, "table_key_properties", None) or ()
        replication_key = entry.replication_key or getattr(root, "replication_key", None)
        for name in dict.fromkeys([*keys, *([replication_key] if replication_key else [])]):
            meta = entry.metadata.get(("properties", name))
            if meta is None or meta.inclusion == Metadata.InclusionType.AUTOMATIC:
                continue
            if meta.selected is False:
                self.logger.warning(
                    "Stream '%s': the catalog deselects %s, which the tap needs (key or "
                    "replication key); it is read and emitted anyway",
                    entry.tap_stream_id, name,
                )  # fmt: skip
            meta.inclusion = Metadata.InclusionType.AUTOMATIC

    # --- discovery --------------------------------------------------------------------------

    def key_properties(self, spec: IntacctObject) -> tuple[str, ...]:
        """The row's key, led by ENTITY when entities are read."""
        entity = (ENTITY,) if self.config.get("entity_ids") else ()
        return (*entity, *spec.key_properties)

    def discover_streams(self) -> Sequence[Stream]:
        """Streams from the input catalog when one is given (no lookup calls), else `lookup`."""
        specs = all_objects(self.config)
        if self.input_catalog is not None:
            return list(self._streams_from_catalog(specs))
        return list(self._streams_from_lookup(specs))

    def _streams_from_catalog(self, specs: Iterable[IntacctObject]) -> Iterable[Stream]:
        by_name = {spec.stream: spec for spec in specs}
        assert self.input_catalog is not None
        for entry in self.input_catalog.streams:
            spec = by_name.get(entry.tap_stream_id)
            if spec is None:
                self.logger.warning(
                    "Catalog stream '%s' is neither a known stream nor in extra_objects; "
                    "skipped", entry.tap_stream_id,
                )  # fmt: skip
                continue
            yield IntacctStream(
                self, spec, entry.schema.to_dict(),
                key_properties=entry.key_properties or self.key_properties(spec),
                replication_key=entry.replication_key,
            )  # fmt: skip

    def _streams_from_lookup(self, specs: Sequence[IntacctObject]) -> Iterable[Stream]:
        """Report rows declare their fields; every object's are asked in one `lookup` request."""
        reports = transport_name(self.config) == "xml" or has_xml_credentials(self.config)
        for spec in specs:
            if spec.function and not reports:
                self.logger.warning(
                    "Skipping stream '%s': the report %s is not offered by the REST API; set the "
                    "XML credentials too to read it", spec.stream, spec.function,
                )  # fmt: skip
            elif spec.function:
                keys = self.key_properties(spec)
                yield IntacctStream(
                    self, spec, stream_schema(spec.fields, key_properties=keys,
                                              replication_key=None),
                    key_properties=keys, replication_key=None,
                )  # fmt: skip
        objects = [spec for spec in specs if not spec.function]
        cache = LookupCache(self.config, self.logger, is_unavailable)
        for spec, described in zip(objects, cache.describe(objects, self._lookup), strict=True):
            if isinstance(described, Unavailable):
                self.logger.warning(
                    "Skipping stream '%s': Intacct object %s is not available to this company "
                    "or user (%s)", spec.stream, spec.object, described,
                )  # fmt: skip
                continue
            fields = described
            replication_key = spec.replication_key
            if replication_key and replication_key not in {name for name, _ in fields}:
                self.logger.info(
                    "Stream '%s': Intacct object %s has no %s; it is read in full every run",
                    spec.stream, spec.object, replication_key,
                )  # fmt: skip
                replication_key = None
            key_properties = self.key_properties(spec)
            if ENTITY in key_properties and any(name == ENTITY for name, _ in fields):
                self.logger.warning(
                    "Stream '%s': Intacct's own %s field is replaced by the entity id",
                    spec.stream, ENTITY,
                )  # fmt: skip
                fields = [(name, kind) for name, kind in fields if name != ENTITY]
            schema = stream_schema(
                fields, key_properties=key_properties, replication_key=replication_key
            )
            yield IntacctStream(
                self, spec, schema, key_properties=key_properties,
                replication_key=replication_key,
            )  # fmt: skip

    def _lookup(self, objects: Sequence[IntacctObject]) -> list[Result]:
        """Every object's `lookup`, in one request."""
        calls = [functions.lookup(spec.object, docparid=spec.docparid) for spec in objects]
        return self.client(None).execute(calls)

    # --- command line -----------------------------------------------------------------------

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, a fatal error logged as one line (the traceback only at DEBUG)."""
        command = super().get_singer_command()
        command.main = one_line_errors(command.main, cls.logger, (IntacctError,))  # type: ignore[method-assign]
        return command
