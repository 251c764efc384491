"""Entities whose repositories behave alike: one `Kind` row each, served by generic handlers.

A kind names its table, the schema interface its body converts to, the body parameter, the key
field the API shows and the path parameter that carries it, the fields a new entity must have,
the field that must be unique (with Magento's message), its defaults and the rows of a fresh
install. `get`, `search`, `create`, `update` and `delete` answer as Magento's repositories do:
an unknown key is `No such entity with <key> = <value>` (404), a missing field the aggregated
`"<field>" is required`, a clash the kind's own message (400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import search
from .common import Call
from .errors import MagentoError, aggregate, input_error, no_such_entity, required
from .store import Store

Render = Callable[[Store, dict[str, Any]], dict[str, Any]]


def _as_is(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}


@dataclass(frozen=True)
class Kind:
    """One entity of the generic repositories (see the module docstring)."""

    table: str
    interface: str
    body: str
    key: str
    path: str
    fields: search.Fields = field(default_factory=search.Fields)
    required: tuple[str, ...] = ()
    unique: tuple[str, str] | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    seed: tuple[dict[str, Any], ...] = ()
    text_key: bool = False  # the caller names the key (`source_code`); else a sequence gives it
    render: Render = _as_is
    readonly: frozenset[Any] = frozenset()  # keys that cannot be deleted
    readonly_message: str = "Cannot delete entity."
    not_found: Callable[[Kind, Any], MagentoError] | None = None

    # ------------------------------------------------------------------ storage

    def find(self, store: Store, key: Any) -> dict[str, Any] | None:
        if self.text_key:
            rows = store.find(self.table, **{self.key: str(key)})
            return rows[0] if rows else None
        return store.get(self.table, key)

    def load(self, store: Store, key: Any) -> dict[str, Any]:
        row = self.find(store, key)
        if row is None:
            if self.not_found:
                raise self.not_found(self, key)
            shown = int(key) if not self.text_key and str(key).isdigit() else key
            raise no_such_entity(self.key, shown)
        return row

    def save(self, store: Store, data: dict[str, Any], *, existing: dict[str, Any] | None) -> dict:
        """Check and store a new or changed entity; answer the stored row."""
        row = (existing or self.defaults) | {k: v for k, v in data.items() if v is not None}
        missing = [required(name) for name in self.required if row.get(name) in (None, "")]
        if missing:
            raise aggregate(missing)
        if self.unique:
            name, message = self.unique
            clash = [
                r for r in store.find(self.table, **{name: row[name]}) if r["id"] != row.get("id")
            ]
            if clash:
                raise input_error(message, [row[name]] if "%1" in message else None)
        if existing is None:
            if self.text_key and self.find(store, row[self.key]) is not None:
                raise input_error(self.unique[1] if self.unique else "Could not save entity.")
            row["id"] = None
            store.insert(self.table, row)
            if not self.text_key:
                row[self.key] = row["id"]
                store.update(self.table, row)
        else:
            store.update(self.table, row)
        return row

    def plant(self, store: Store) -> None:
        """The fresh-install rows."""
        for row in self.seed:
            doc = dict(row)
            if not self.text_key:
                doc["id"] = doc[self.key]
            store.insert(self.table, doc)
            if not self.text_key:
                store.next_id(self.table, int(doc["id"]))

    # ------------------------------------------------------------------ handlers

    def get(self, call: Call) -> dict[str, Any]:
        return self.render(call.store, self.load(call.store, call.path[self.path]))

    def search(self, call: Call) -> dict[str, Any]:
        return call.search(self.table, self.fields, lambda row: self.render(call.store, row))

    def body_of(self, call: Call) -> dict[str, Any]:
        return call.body_param(self.body, self.interface) or {}

    def create(self, call: Call) -> dict[str, Any]:
        data = self.body_of(call)
        existing = None
        if data.get(self.key) not in (None, "", 0) and not self.text_key:
            existing = self.load(call.store, data[self.key])
        return self.render(call.store, self.save(call.store, data, existing=existing))

    def update(self, call: Call) -> dict[str, Any]:
        existing = self.load(call.store, call.path[self.path])
        data = self.body_of(call)
        data[self.key] = existing[self.key]
        return self.render(call.store, self.save(call.store, data, existing=existing))

    def delete(self, call: Call) -> bool:
        row = self.load(call.store, call.path[self.path])
        if row[self.key] in self.readonly:
            raise input_error(self.readonly_message)
        call.store.delete(self.table, row["id"])
        return True
