"""The emulator's SQLite store: one table of JSON documents per entity, plus indexes.

Documents are kept the way the emulator reasons about them (attributes flat, as in Magento's EAV
tables) and rendered to Magento's API shape by the entity modules. Fields that are looked up often
(email, SKU, URL key, increment id) have expression indexes so 10,000-row catalogues stay fast.
One lock serialises every request's work, which also makes each request atomic.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..sqlite import atomic
from . import search

TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("email",),
    "customer_addresses": ("customer_id",),
    "categories": ("parent_id",),
    "products": ("sku",),
    "orders": ("increment_id", "updated_at"),
    "invoices": ("order_id", "updated_at"),
    "shipments": ("order_id", "updated_at"),
    "creditmemos": ("order_id", "updated_at"),
    "bulks": ("bulk_uuid",),
    "url_rewrites": ("request_path", "entity_id"),
    "tax_classes": ("class_name",),
    "customer_groups": ("code",),
    "sales_rules": (),
    "coupons": ("code", "rule_id"),
    "attributes": ("attribute_code",),
    "attribute_sets": (),
    "attribute_groups": ("attribute_set_id",),
    "inventory_sources": ("source_code",),
    "inventory_stocks": (),
    "stock_source_links": ("stock_id",),
    "source_items": ("sku",),
    "low_stock_notifications": ("sku",),
    "downloadable_links": ("sku",),
    "downloadable_samples": ("sku",),
}
# Text comparisons are case-insensitive (search.py, as MySQL collates); their indexes must be too.
TEXT_INDEXES = {
    "email", "sku", "increment_id", "updated_at", "bulk_uuid", "request_path", "class_name",
    "code", "attribute_code", "source_code",
}  # fmt: skip


class Store:
    """Documents by table, with ids, sequences and searchCriteria queries.

    SQL text is assembled only from the `TABLES` names and from field expressions whose names
    `search` has checked against `[A-Za-z0-9_]`; every value is a bound parameter.
    """

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.lock = threading.RLock()
        self._create()

    def _create(self) -> None:
        with self.lock:
            self.conn.execute("PRAGMA journal_mode=MEMORY")
            self.conn.execute("PRAGMA synchronous=OFF")
            for table, indexed in TABLES.items():
                self.conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(id INTEGER PRIMARY KEY, doc TEXT NOT NULL)"
                )
                for name in indexed:
                    collate = " COLLATE NOCASE" if name in TEXT_INDEXES else ""
                    self.conn.execute(
                        f"CREATE INDEX IF NOT EXISTS ix_{table}_{name} "
                        f"ON {table}({search.column(name)}{collate})"
                    )
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER)"
            )
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT)"
            )

    def is_empty(self) -> bool:
        """No shop yet: even a fresh install has its root categories."""
        with self.lock:
            return self.conn.execute("SELECT COUNT(*) FROM categories").fetchone()[0] == 0

    def wipe(self) -> None:
        """Empty every table and restart every sequence."""
        with self.transaction():
            for table in (*TABLES, "sequences", "settings"):
                self.conn.execute(f"DELETE FROM {table}")  # noqa: S608

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Serialise and make atomic: a failing request leaves nothing behind."""
        with self.lock:
            if self.conn.in_transaction:
                yield
                return
            with atomic(self.conn):
                yield

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo one unit of work that fails inside a larger transaction."""
        self.conn.execute("SAVEPOINT unit")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO unit")
            self.conn.execute("RELEASE unit")
            raise
        self.conn.execute("RELEASE unit")

    def next_id(self, sequence: str, start: int = 1) -> int:
        row = self.conn.execute(
            "SELECT value FROM sequences WHERE name = ?", (sequence,)
        ).fetchone()
        value = start if row is None else max(int(row[0]) + 1, start)
        self.conn.execute(
            "INSERT INTO sequences(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (sequence, value),
        )
        return value

    def setting(self, name: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, name: str, value: Any) -> None:
        self.conn.execute(
            "INSERT INTO settings(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, json.dumps(value)),
        )

    def insert(self, table: str, doc: dict[str, Any], start: int = 1) -> int:
        """Store a new document; its `id` comes from the table's sequence unless it has one."""
        if doc.get("id") is None:
            doc["id"] = self.next_id(table, start)
        self.conn.execute(f"INSERT INTO {table}(id, doc) VALUES (?, ?)", (doc["id"], _dumps(doc)))  # noqa: S608
        return int(doc["id"])

    def update(self, table: str, doc: dict[str, Any]) -> None:
        self.conn.execute(f"UPDATE {table} SET doc = ? WHERE id = ?", (_dumps(doc), doc["id"]))  # noqa: S608

    def delete(self, table: str, id_: int) -> None:
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (id_,))  # noqa: S608

    def get(self, table: str, id_: Any) -> dict[str, Any] | None:
        try:
            key = int(id_)
        except (TypeError, ValueError):
            return None
        row = self.conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (key,)).fetchone()  # noqa: S608
        return None if row is None else json.loads(row[0])

    def find(self, table: str, **equals: Any) -> list[dict[str, Any]]:
        """Documents whose fields equal the given values (text compares case-insensitively)."""
        clauses, params = [], []
        for name, value in equals.items():
            collate = " COLLATE NOCASE" if isinstance(value, str) else ""
            clauses.append(f"{search.column(name)} = ?{collate}")
            params.append(value)
        sql = f"SELECT doc FROM {table} WHERE {' AND '.join(clauses) or '1=1'} ORDER BY id"  # noqa: S608
        return [json.loads(row[0]) for row in self.conn.execute(sql, params)]

    def all(self, table: str) -> list[dict[str, Any]]:
        """Every document of the table, by id."""
        rows = self.conn.execute(f"SELECT doc FROM {table} ORDER BY id")  # noqa: S608
        return [json.loads(row[0]) for row in rows]

    def fill_view(self, name: str, *selects: tuple[str, tuple[Any, ...]]) -> None:
        """A temporary table `name` (id, doc) holding the documents the SELECTs answer, in order.

        For searches over documents kept inside others (order lines, bulk operations) or made
        from several tables (source items); `name` and the SQL are the callers' constants.
        """
        self.conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY, doc TEXT)"
        )
        self.conn.execute(f"DELETE FROM {name}")  # noqa: S608
        for sql, params in selects:
            self.conn.execute(f"INSERT INTO {name}(id, doc) {sql}", params)

    def search(
        self, table: str, criteria: dict[str, Any], spec: search.Fields
    ) -> tuple[list[dict[str, Any]], int]:
        """The page of documents matching the criteria, and the total count."""
        where, params = search.where_clause(criteria, spec)
        total = self.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()  # noqa: S608
        limit, offset = search.page(criteria)
        order = search.order_clause(criteria, spec)
        sql = f"SELECT doc FROM {table} WHERE {where} ORDER BY {order}"  # noqa: S608
        if limit is not None:
            sql += f" LIMIT {limit} OFFSET {offset}"
        return [json.loads(row[0]) for row in self.conn.execute(sql, params)], int(total[0])


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
