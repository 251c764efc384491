"""What a batch must know from Intacct before it is written: existing records and fields.

One `query` per 1,000 match values finds the records a batch updates (with the fields the
records carry, so a record equal to Intacct's is not rewritten), and `lookup` gives the fields
the company has. Kept apart from the sink, which decides what to write with the answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from intacct_api import functions
from intacct_api.dates import DateStyle
from intacct_api.envelope import flatten_record
from intacct_api.errors import FunctionError
from singer_rejects import decimal_places

from target_intacct.exchange import IN_CHUNK, query_rows
from target_intacct.objects import Style, WriteSpec
from target_intacct.records import Item, RecordError, first, is_blank, same_value
from target_intacct.settings import StreamSettings

if TYPE_CHECKING:
    from intacct_api.transport import Transport

    from target_intacct.target import TargetIntacct


# Sage: "currency values with more than 2 decimals are rounded to 2" (lookup's DATATYPE CURRENCY).
CURRENCY_PLACES = 2


class RecordLookups:
    """The reads of `IntacctSink`: a mixin over the sink's spec, settings and session."""

    spec: WriteSpec
    settings: StreamSettings
    stream_name: str
    logger: logging.Logger
    _target_intacct: TargetIntacct
    # the entity the records being written belong to (`entity_field`); None: the default
    _entity: str | None

    @property
    def date_style(self) -> DateStyle:
        """How Intacct reads and writes dates for the API user (its preferences)."""
        return self._target_intacct.rendering(self.client).style

    @property
    def client(self) -> Transport:
        """The session of the entity being written (`entity_field`), else the default one."""
        return self._target_intacct.client_for(self._entity)

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
    def field_types(self) -> dict[str, str]:
        """The object's fields in this company and their `DATATYPE`s (`lookup`)."""
        try:
            result = self.client.call(functions.lookup(self.spec.object))
        except FunctionError as exc:
            self.logger.warning(
                "%s: no field list for %s (%s); every match is updated",
                self.stream_name,
                self.spec.object,
                exc,
            )
            return {}
        return dict(functions.lookup_fields(result.records()))

    @cached_property
    def known_fields(self) -> frozenset[str]:
        """The object's fields in this company: the only ones a query may select."""
        return frozenset(self.field_types)

    def check_places(self, item: Item) -> None:
        """Refuse a value finer than Intacct keeps for its field, which it would round.

        Intacct rounds a CURRENCY field to 2 places. Only a value with more places costs a
        `lookup` (once per stream): most records never ask. Line amounts are checked as they
        are built (`as_money`).
        """
        if item.deleted or item.skipped or self.spec.style is not Style.GENERIC:
            return
        for name, value in flatten_record(item.fields).items():
            places = decimal_places(value)
            if places > CURRENCY_PLACES and self.field_types.get(name) == "CURRENCY":
                raise RecordError(
                    name,
                    f"has {places} decimal places; Intacct keeps {CURRENCY_PLACES} for a "
                    "CURRENCY field and would round it",
                )

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
