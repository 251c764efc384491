"""`target-magento`: Sage Intacct records (as tap-intacct emits them) into Magento 2."""

from __future__ import annotations

import typing as t

import click
from connector_runtime.cli import one_line_errors
from magento_api import AuthSettings, MagentoError
from singer_rejects import INPUT_STREAM, RejectingTarget, UnreadableLine
from singer_rejects.settings import SettingsChecked
from singer_sdk import typing as th
from singer_sdk.helpers.capabilities import PluginCapabilities

from target_magento.loader import DEFAULT_STREAMS, Loader, stream_roles
from target_magento.records import Rejection
from target_magento.sinks import IgnoredSink, MagentoSink

if t.TYPE_CHECKING:
    from singer_sdk.sinks import Sink


def _secret(name: str, description: str) -> th.Property:
    return th.Property(name, th.StringType, secret=True, description=description)


CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "base_url",
        th.StringType,
        required=True,
        description="Shop URL without /rest, e.g. https://shop.example.com",
    ),
    th.Property(
        "store_code",
        th.StringType,
        default="default",
        description="Store view code for customers and sales",
    ),
    th.Property(
        "catalog_store_code",
        th.StringType,
        default="all",
        description="Store for categories and products; `all` writes the admin (global) scope",
    ),
    th.Property(
        "website_id", th.IntegerType, default=1, description="Website of customers and products"
    ),
    _secret(
        "access_token",
        "Integration access token: signed with the consumer key and secret, or alone as a "
        "Bearer token if the shop allows it",
    ),
    _secret("consumer_key", "Integration consumer key (OAuth 1.0a, HMAC-SHA256)"),
    _secret("consumer_secret", "Integration consumer secret (OAuth 1.0a)"),
    _secret("access_token_secret", "Integration access token secret (OAuth 1.0a)"),
    th.Property("username", th.StringType, description="Admin user for an admin token"),
    _secret("password", "Admin password for an admin token (refreshed on 401)"),
    th.Property(
        "root_category_id",
        th.IntegerType(minimum=1),
        default=2,
        description="Category under which top-level product lines are created",
    ),
    th.Property(
        "order_reference_field",
        th.StringType,
        default="PONUMBER",
        description="Invoice header field holding the Magento order increment id",
    ),
    th.Property(
        "invoice_document_type",
        th.StringType,
        default="Sales Invoice",
        description="DOCPARID of the Intacct documents that become Magento invoices",
    ),
    th.Property(
        "stream_names",
        th.ObjectType(*(th.Property(role, th.StringType) for role in DEFAULT_STREAMS)),
        description="Incoming stream name per role (customers, product_lines, items, "
        "sales_invoices, sales_invoice_lines)",
    ),
    th.Property(
        "max_concurrency",
        th.IntegerType(minimum=1),
        default=4,
        description="Worker threads sharing one keep-alive HTTP session",
    ),
    th.Property(
        "use_bulk_api",
        th.BooleanType,
        default=True,
        description="Send product upserts and new customers through the async bulk API "
        "when a batch has bulk_threshold of them or more",
    ),
    th.Property(
        "bulk_threshold",
        th.IntegerType(minimum=1),
        default=200,
        description="Smallest product batch sent through the bulk API",
    ),
    th.Property(
        "bulk_poll_timeout",
        th.NumberType(minimum=0),
        default=300,
        description="Seconds to wait for a bulk request's operations; those still open then "
        "are counted queued, not rejected",
    ),
    th.Property(
        "reject_file",
        th.StringType,
        default="target-magento-rejects.jsonl",
        description="JSON-lines file of the records Magento did not take, with the reason",
    ),
    th.Property(
        "id_map_file",
        th.StringType,
        default="target-magento-id-map.json",
        description="Intacct key → Magento id, kept between runs",
    ),
    th.Property(
        "pending_invoices_file",
        th.StringType,
        default="target-magento-pending-invoices.json",
        description="Invoices waiting for their Magento order, retried every run",
    ),
    th.Property(
        "pending_catalog_file",
        th.StringType,
        description="Product lines waiting for their parent and items waiting for their "
        "category, retried every run (default: target-magento-pending-catalog.json beside "
        "id_map_file)",
    ),
    th.Property(
        "pending_bulk_file",
        th.StringType,
        description="Bulk operations Magento had not run when bulk_poll_timeout passed (its "
        "async.operations.all consumer was not running): their records, so the next run learns "
        "their outcome; empty keeps them in memory only, for this run",
    ),
    th.Property(
        "verify_tls",
        th.BooleanType,
        default=True,
        description="Verify HTTPS certificates (against REQUESTS_CA_BUNDLE when set); false "
        "turns checking off even when REQUESTS_CA_BUNDLE is set",
    ),
    th.Property(
        "request_timeout",
        th.NumberType(exclusive_minimum=0),
        default=60,
        description="Seconds a whole HTTP request may take (connecting, sending and every byte "
        "of the answer)",
    ),
    th.Property(
        "max_retries",
        th.IntegerType(minimum=1),
        default=5,
        description="Tries per retriable request",
    ),
).to_dict()


class TargetMagento(SettingsChecked, RejectingTarget):
    """Writes customers, categories, products and invoices; drains sinks one at a time."""

    name = "target-magento"
    # Records are written by key as the settings say, Singer's metadata fields never written.
    ignored_builtin_settings = ("load_method", "add_record_metadata")
    package_name = "intacct-connectors-target-magento"
    config_jsonschema = CONFIG_SCHEMA
    capabilities: t.ClassVar = [*RejectingTarget.capabilities, PluginCapabilities.BATCH]

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.loader = Loader(self.config)
        # Sinks drain one after the other: each loader already runs max_concurrency requests.
        self.max_parallelism = 1
        self._sinks_in_order: list[MagentoSink] = []

    def check_settings(self, config: t.Mapping[str, t.Any]) -> list[str]:
        """The credentials of one way in and the stream_names roles, all named."""
        problems = []
        for check in (lambda: AuthSettings.from_config(config).mode, lambda: stream_roles(config)):
            try:
                check()
            except ValueError as error:
                problems.append(str(error))
        return problems

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        return MagentoSink if stream_name in self.loader.stream_roles else IgnoredSink

    def reject_line(self, line: UnreadableLine) -> None:
        """An input line that is not a readable message: rejected with its number.

        A record still readable from it goes the way of a record breaking its schema (an
        invoice line's invoice waits for it).
        """
        if line.stream in self.loader.stream_roles and line.record is not None:
            rejection = Rejection(line.message, line.field, line=line.number)
            self.loader.reject_invalid(line.stream, line.record, rejection)
            return
        rejection = Rejection(line.message, line.field, line=line.number, text=line.text)
        key = f"line {line.number}"
        self.loader.run.reject(line.stream or INPUT_STREAM, key, line.record, rejection)

    def register_sink(self, sink: MagentoSink) -> None:
        self._sinks_in_order.append(sink)

    def process_endofpipe(self) -> None:
        """Drain, run the end-of-input work (joins, waits, pending invoices), then emit state."""
        try:
            for sink in self._sinks_in_order:
                self.drain_one(sink)
            self.loader.finish()
            super().process_endofpipe()
        finally:
            self.loader.close()

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, a fatal error logged as one line (the traceback only at DEBUG)."""
        command = super().get_singer_command()
        command.main = one_line_errors(command.main, cls.logger, (MagentoError,))  # type: ignore[method-assign]
        return command


if __name__ == "__main__":
    TargetMagento.cli()
