"""Routes each role's batches to its loader and runs what must wait for the end of the input."""

from __future__ import annotations

import logging
import typing as t
from pathlib import Path

from magento_api import AuthSettings, MagentoClient

from target_magento import bulk, categories, customers, invoices, products
from target_magento.records import Rejection
from target_magento.run import Run, Settings
from target_magento.store import IdMap, JsonFileStore, RejectFile, shop_scope

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

# Role → what finishes its bulk operations once Magento has run them.
BULK_FINISHERS: dict[str, bulk.Finish] = {
    customers.ROLE: customers.finish_bulk,
    products.ROLE: products.finish_bulk,
}

# Role → the fields that name a record in logs and rejects (the loaders use the same).
ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "customers": customers.KEY,
    "product_lines": categories.KEY,
    "items": products.KEY,
    "sales_invoices": invoices.HEADER_KEY,
    "sales_invoice_lines": invoices.LINE_KEY,
}


def stream_roles(config: Mapping[str, t.Any]) -> dict[str, str]:
    """Incoming stream name → role, after the `stream_names` overrides."""
    names = {**DEFAULT_STREAMS, **(config.get("stream_names") or {})}
    unknown = sorted(set(names) - set(DEFAULT_STREAMS))
    if unknown:
        msg = f"stream_names has unknown roles {unknown}; roles are {sorted(DEFAULT_STREAMS)}"
        raise ValueError(msg)
    return {stream: role for role, stream in names.items()}


def pending_catalog_file(config: Mapping[str, t.Any]) -> Path:
    """`pending_catalog_file`, else `target-magento-pending-catalog.json` beside the ID map."""
    if config.get("pending_catalog_file"):
        return Path(config["pending_catalog_file"])
    return Path(config["id_map_file"]).with_name("target-magento-pending-catalog.json")


class Loader:
    """Owns the run; sinks hand it their batches, the target calls `finish` at end of input."""

    def __init__(self, config: Mapping[str, t.Any]) -> None:
        self._config = config
        self.stream_roles = stream_roles(config)
        self._run: Run | None = None
        self.stream_keys: dict[str, tuple[str, ...]] = {}
        self._left_behind: dict[str, set[str]] = {}  # waiting since earlier runs, not sent again

    @property
    def run(self) -> Run:
        """The run, made on first use; it starts by learning the end of earlier runs' bulks."""
        if self._run is None:
            config = self._config
            client = MagentoClient(
                config["base_url"],
                AuthSettings.from_config(config),
                store_code=config["store_code"],
                timeout=float(config["request_timeout"]),
                verify_tls=bool(config["verify_tls"]),
                max_concurrency=int(config["max_concurrency"]),
                max_tries=int(config["max_retries"]),
            )
            self._run = Run(
                client=client,
                settings=Settings.from_config(config),
                id_map=IdMap(
                    config["id_map_file"], shop_scope(config["base_url"], config["store_code"])
                ),
                pending=JsonFileStore(config["pending_invoices_file"]),
                rejects=RejectFile(config["reject_file"]),
                waiting=JsonFileStore(pending_catalog_file(config)),
                bulks=JsonFileStore(config.get("pending_bulk_file")),
                stream_keys=self.stream_keys,
            )
            self._run.settling = True  # what earlier runs' bulks did is counted apart
            for role, stream, records in bulk.settle(self._run, BULK_FINISHERS):
                self.receive(role, stream, records)
            self._run.settling = False
            self._left_behind = self._waiting_keys(self._run)
        return self._run

    def _waiting_keys(self, run: Run) -> dict[str, set[str]]:
        """Stream → keys of the records earlier runs left waiting (catalog, invoices)."""
        keys: dict[str, set[str]] = {}
        for section in (categories.ROLE_WAITING, products.ROLE_WAITING):
            for key, entry in run.waiting.section(section).items():
                keys.setdefault(entry["stream"], set()).add(key)
        for stream, waiting in invoices.waiting_keys(
            run, self._stream_of("sales_invoices"), self._stream_of("sales_invoice_lines")
        ).items():
            keys.setdefault(stream, set()).update(waiting)
        return keys

    def _stream_of(self, role: str) -> str:
        return next(stream for stream, each in self.stream_roles.items() if each == role)

    def receive(self, role: str, stream: str, records: list[dict]) -> None:
        """Load a batch now, or keep it (invoices, and records whose parent is not known yet)."""
        if not records:
            return
        run = self.run
        left_behind = self._left_behind.get(stream)
        if left_behind and not run.settling:  # sent again: counted as this run's
            left_behind.difference_update(run.key(stream, r, *ROLE_KEYS[role]) for r in records)
        if role == "customers":
            customers.load(run, stream, records)
        elif role == "product_lines":
            categories.load(run, stream, records, final=False)
        elif role == "items":
            products.load(run, stream, records, final=False)
        elif role == "sales_invoices":
            invoices.receive_headers(run, stream, records)
        elif role == "sales_invoice_lines":
            invoices.receive_lines(run, stream, records)
        else:  # pragma: no cover - roles come from DEFAULT_STREAMS
            msg = f"Unknown role {role}"
            raise ValueError(msg)

    def reject_invalid(self, stream: str, record: dict, rejection: Rejection) -> None:
        """A record that breaks its stream's schema: rejected under its business key."""
        role = self.stream_roles[stream]
        if role == "sales_invoice_lines":
            invoices.hold_for_invalid_line(self.run, stream, record, rejection)
            return
        self.run.reject(stream, self.run.key(stream, record, *ROLE_KEYS[role]), record, rejection)

    def finish(self) -> None:
        """End of input: waiting lines and items, then every pending invoice; save the files.

        The waiting records are this run's and those earlier runs left in the pending file;
        the latter are counted apart from this run's input.
        """
        run = self.run
        run.carried_keys = self._left_behind
        for section, load in (
            (categories.ROLE_WAITING, categories.load),
            (products.ROLE_WAITING, products.load),
        ):
            by_stream: dict[str, list[dict]] = {}
            for entry in dict(run.waiting.section(section)).values():
                by_stream.setdefault(entry["stream"], []).append(entry["record"])
            for stream, records in by_stream.items():
                load(run, stream, records, final=True)
        invoices.finish(
            run, self._stream_of("sales_invoices"), self._stream_of("sales_invoice_lines")
        )
        run.id_map.save()
        run.pending.save()
        run.waiting.save()
        run.bulks.save()

    def close(self) -> None:
        if self._run is not None:
            self._run.summary.log(self._run.carried)
            if self._run.rejects.count:
                LOGGER.warning(
                    "%d records rejected; see %s", self._run.rejects.count, self._run.rejects.path
                )
            self._run.client.close()
