"""Routes each role's batches to its loader and runs what must wait for the end of the input."""

from __future__ import annotations

import logging
import typing as t

from target_magento import categories, customers, invoices, products
from target_magento.client import AuthSettings, MagentoClient
from target_magento.run import Run, Settings
from target_magento.store import IdMap, JsonFileStore, RejectFile

if t.TYPE_CHECKING:
    from collections.abc import Mapping

LOGGER = logging.getLogger("target-magento")

# Role → the incoming stream name used unless `stream_names` says otherwise.
DEFAULT_STREAMS: dict[str, str] = {
    "customers": "customers",
    "product_lines": "product_lines",
    "items": "items",
    "sales_invoices": "sales_invoices",
    "sales_invoice_lines": "sales_invoice_lines",
}


def stream_roles(config: Mapping[str, t.Any]) -> dict[str, str]:
    """Incoming stream name → role, after the `stream_names` overrides."""
    names = {**DEFAULT_STREAMS, **(config.get("stream_names") or {})}
    unknown = sorted(set(names) - set(DEFAULT_STREAMS))
    if unknown:
        msg = f"stream_names has unknown roles {unknown}; roles are {sorted(DEFAULT_STREAMS)}"
        raise ValueError(msg)
    return {stream: role for role, stream in names.items()}


def auth_settings(config: Mapping[str, t.Any]) -> AuthSettings:
    """The credentials part of the config."""
    return AuthSettings(
        access_token=config.get("access_token"),
        consumer_key=config.get("consumer_key"),
        consumer_secret=config.get("consumer_secret"),
        access_token_secret=config.get("access_token_secret"),
        username=config.get("username"),
        password=config.get("password"),
    )


class Loader:
    """Owns the run; sinks hand it their batches, the target calls `finish` at end of input."""

    def __init__(self, config: Mapping[str, t.Any]) -> None:
        self._config = config
        self.stream_roles = stream_roles(config)
        self._run: Run | None = None
        self._waiting: dict[str, list[tuple[str, dict]]] = {"product_lines": [], "items": []}
        self.stream_keys: dict[str, tuple[str, ...]] = {}

    @property
    def run(self) -> Run:
        if self._run is None:
            config = self._config
            client = MagentoClient(
                config["base_url"],
                auth_settings(config),
                store_code=config["store_code"],
                timeout=float(config["request_timeout"]),
                verify_tls=bool(config["verify_tls"]),
                max_concurrency=int(config["max_concurrency"]),
                max_tries=int(config["max_retries"]),
            )
            self._run = Run(
                client=client,
                settings=Settings.from_config(config),
                id_map=IdMap(config["id_map_file"]),
                pending=JsonFileStore(config["pending_invoices_file"]),
                rejects=RejectFile(config["reject_file"]),
                stream_keys=self.stream_keys,
            )
        return self._run

    def receive(self, role: str, stream: str, records: list[dict]) -> None:
        """Load a batch now, or keep it (invoices, and records whose parent is not known yet)."""
        if not records:
            return
        run = self.run
        if role == "customers":
            customers.load(run, stream, records)
        elif role == "product_lines":
            waiting = categories.load(run, stream, records, final=False)
            self._waiting[role].extend((stream, record) for record in waiting)
        elif role == "items":
            waiting = products.load(run, stream, records, final=False)
            self._waiting[role].extend((stream, record) for record in waiting)
        elif role == "sales_invoices":
            invoices.receive_headers(run, stream, records)
        elif role == "sales_invoice_lines":
            invoices.receive_lines(run, stream, records)
        else:  # pragma: no cover - roles come from DEFAULT_STREAMS
            msg = f"Unknown role {role}"
            raise ValueError(msg)

    def finish(self) -> None:
        """End of input: waiting lines and items, then every pending invoice; save the files."""
        run = self.run
        for role, load in (("product_lines", categories.load), ("items", products.load)):
            waiting, self._waiting[role] = self._waiting[role], []
            by_stream: dict[str, list[dict]] = {}
            for stream, record in waiting:
                by_stream.setdefault(stream, []).append(record)
            for stream, records in by_stream.items():
                load(run, stream, records, final=True)
        header_stream = next(s for s, role in self.stream_roles.items() if role == "sales_invoices")
        invoices.finish(run, header_stream)
        run.id_map.save()
        run.pending.save()

    def close(self) -> None:
        if self._run is not None:
            self._run.summary.log()
            if self._run.rejects.count:
                LOGGER.warning(
                    "%d records rejected; see %s", self._run.rejects.count, self._run.rejects.path
                )
            self._run.client.close()
