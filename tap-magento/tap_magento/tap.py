"""The tap: settings, one Magento client (the three ways in, through `magento_api`), the streams."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from functools import cached_property
from importlib import resources
from typing import Any

import click
from connector_runtime.cli import one_line_errors
from connector_runtime.progress import PROGRESS_EVERY_SECONDS, Progress, RunSummary
from magento_api import AuthSettings, MagentoClient, MagentoError
from singer_rejects.settings import SettingsChecked
from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

from tap_magento.objects import OBJECTS, MagentoObject
from tap_magento.streams import MagentoStream


class StateFlushedWriter(MsgSpecWriter):
    """msgspec output flushed with every message except records (one flush per page)."""

    def write_message(self, message: Message) -> None:
        sys.stdout.buffer.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            sys.stdout.flush()


def _secret(name: str, description: str) -> th.Property:
    return th.Property(name, th.StringType, secret=True, description=description)


def stream_schema(spec: MagentoObject) -> dict[str, Any]:
    """The stream's JSON Schema: the fields of Adobe's 2.4.8 definition of the entity."""
    text = resources.files("tap_magento").joinpath("schemas", f"{spec.stream}.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    schema.pop("$comment", None)
    return schema


class TapMagento(SettingsChecked, Tap):
    """Singer tap for Magento 2 / Adobe Commerce (admin REST API)."""

    name = "tap-magento"
    package_name = "intacct-connectors-tap-magento"
    message_writer_class = StateFlushedWriter

    config_jsonschema = th.PropertiesList(
        th.Property("base_url", th.StringType, required=True,
                    description="Shop URL without /rest, e.g. https://shop.example.com"),
        th.Property("store_code", th.StringType, default="default",
                    description="Store view whose values are read (`/rest/<store_code>/V1`); "
                                "`all` reads the admin (global) values of products and "
                                "categories"),
        th.Property("store_ids", th.ArrayType(th.IntegerType),
                    description="Store view ids whose orders, invoices, credit memos and "
                                "shipments are read. Empty: every store view"),
        _secret("access_token",
                "Integration access token: signed with the consumer key and secret, or alone as a "
                "Bearer token if the shop allows it"),
        _secret("consumer_key", "Integration consumer key (OAuth 1.0a, HMAC-SHA256)"),
        _secret("consumer_secret", "Integration consumer secret (OAuth 1.0a)"),
        _secret("access_token_secret", "Integration access token secret (OAuth 1.0a)"),
        th.Property("username", th.StringType, description="Admin user for an admin token"),
        _secret("password", "Admin password for an admin token (refreshed on 401)"),
        th.Property("start_date", th.DateTimeType,
                    description="Read rows updated at or after this time (RFC 3339)"),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=300), default=300,
                    description="Rows per request (Magento's input limits allow 300 at most)"),
        th.Property("verify_tls", th.BooleanType, default=True,
                    description="Verify HTTPS certificates (against REQUESTS_CA_BUNDLE when "
                                "set)"),
        th.Property("request_timeout", th.NumberType(exclusive_minimum=0), default=60,
                    description="Seconds a whole HTTP request may take (connecting, sending "
                                "and every byte of the answer)"),
        th.Property("max_retries", th.IntegerType(minimum=1), default=5,
                    description="Tries per request on 429, 5xx and broken connections"),
        th.Property("progress_seconds", th.NumberType(minimum=0),
                    default=PROGRESS_EVERY_SECONDS,
                    description="Seconds between a stream's progress lines (records of the "
                                "total, share done, rate, time left)"),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.summary = RunSummary()
        super().__init__(*args, **kwargs)

    def check_settings(self, config: Mapping[str, Any]) -> list[str]:
        """The credentials of one way in, all named (discovery needs none: the catalog is fixed)."""
        try:
            _ = AuthSettings.from_config(config).mode
        except ValueError as error:
            return [str(error)]
        return []

    def sync_all(self) -> None:  # type: ignore[misc]  # final to the SDK, which has no end hook
        """The SDK's sync, then (stopped or not) the run's summary table."""
        self.summary = RunSummary()
        calls_before = self.client.request_count
        try:
            super().sync_all()
        finally:
            self.summary.log(self.logger, self.client.request_count - calls_before)

    def progress(self, stream: MagentoStream) -> Progress:
        """A stream's progress, in the run's summary (streams are read one at a time)."""
        before = self.client.request_count
        every = self.config.get("progress_seconds")
        return self.summary.add(Progress(
            stream.name, stream.name, self.logger, lambda: self.client.request_count - before,
            every=PROGRESS_EVERY_SECONDS if every is None else float(every),
        ))  # fmt: skip

    @cached_property
    def client(self) -> MagentoClient:
        """One keep-alive client for every stream (streams are read one after the other)."""
        return MagentoClient(
            self.config["base_url"],
            AuthSettings.from_config(self.config),
            store_code=self.config.get("store_code") or "default",
            timeout=float(self.config.get("request_timeout") or 60),
            verify_tls=bool(self.config.get("verify_tls", True)),
            max_concurrency=1,
            max_tries=int(self.config.get("max_retries") or 5),
        )

    def discover_streams(self) -> list[Stream]:
        return [MagentoStream(self, spec, stream_schema(spec)) for spec in OBJECTS]

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, a fatal error logged as one line (the traceback only at DEBUG)."""
        command = super().get_singer_command()
        command.main = one_line_errors(command.main, cls.logger, (MagentoError,))  # type: ignore[method-assign]
        return command


if __name__ == "__main__":
    TapMagento.cli()
