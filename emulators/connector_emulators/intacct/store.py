"""SQLite storage: one `records` table for every object of every company.

Each row keeps the whole record as JSON (`data`) plus indexed copies of the columns that reads
filter and sort on: RECORDNO, the ID field, WHENMODIFIED, the owner's RECORDNO for lines, and the
entity (LOCATION) the record belongs to. Fields that writes look up by value (references to master
data, document numbers, links between documents) have indexes on `field_sql(...)`.
The ID, owner and field indexes end in RECORDNO so that they also give RECORDNO order: without
that, SQLite serves `... ORDER BY recordno` from the primary key and scans the whole object.
One connection serves all threads under one lock; the gateway holds the lock for a whole request
so that `transaction="true"` can roll back.
"""

from __future__ import annotations

import calendar
import json
import re
import sqlite3
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..sqlite import atomic
from .objects import OBJECTS, CustomField, FieldDef, ObjectDef
from .values import DEFAULT_DATEFORMAT

SCHEMA = """
CREATE TABLE IF NOT EXISTS companies (
    id TEXT PRIMARY KEY,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    unsubscribed TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS custom_fields (
    company TEXT NOT NULL, object TEXT NOT NULL, name TEXT NOT NULL,
    datatype TEXT NOT NULL, label TEXT NOT NULL, valid TEXT NOT NULL,
    PRIMARY KEY (company, object, name)
);
CREATE TABLE IF NOT EXISTS sequences (
    company TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (company, name)
);
CREATE TABLE IF NOT EXISTS executed_controlids (
    company TEXT NOT NULL, controlid TEXT NOT NULL, PRIMARY KEY (company, controlid)
);
CREATE TABLE IF NOT EXISTS records (
    company TEXT NOT NULL,
    object TEXT NOT NULL,
    recordno INTEGER NOT NULL,
    idval TEXT,
    parent INTEGER,
    location TEXT,
    whenmodified TEXT,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS records_pk ON records (company, object, recordno);
CREATE INDEX IF NOT EXISTS records_modified
    ON records (company, object, whenmodified, recordno, location);
DROP INDEX IF EXISTS records_id;
DROP INDEX IF EXISTS records_parent;
CREATE INDEX IF NOT EXISTS records_idval ON records (company, object, idval, recordno)
    WHERE idval IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_owner ON records (company, object, parent, recordno)
    WHERE parent IS NOT NULL;
"""


# Fields looked up by value, per object: references to master data (creates check them, a
# delete looks for records still using one), document numbers and the links of documents to
# their source, their payments' deposit and their GL detail.
LOOKUPS = sorted(
    (obj.name, fdef.name)
    for obj in OBJECTS
    for fdef in obj.fields
    if fdef.ref or fdef.name in ("RECORDID", "CREATEDFROM", "BATCHNO", "DEPOSITKEY")
)
LOOKUP_OBJECTS = {
    name: tuple(obj for obj, field in LOOKUPS if field == name) for _, name in LOOKUPS
}


def field_sql(obj: str, name: str) -> str:
    """SQL for a field stored in `data`.

    A looked-up field (LOOKUPS) is written as the expression its index is on, so that conditions
    on it can use that index. The expression names the objects that have the field: inserting a
    row of another object (a million synthetic customers) skips the JSON, and no index is
    partial on `object = '...'`, which would make SQLite re-prepare every `object = ?` query
    whenever it is run with new values.
    """
    plain = f"json_extract(data, '$.\"{name}\"')"
    objects = LOOKUP_OBJECTS.get(name, ())
    if obj not in objects:
        return plain
    listed = " OR ".join(f"object = '{o}'" for o in objects)  # IN would build a table per row
    return f"CASE WHEN {listed} THEN {plain} END"


FIELD_INDEXES = "".join(
    f"CREATE INDEX IF NOT EXISTS records_field_{name.lower().replace('.', '_')} ON records"
    f" (company, object, {expr}, recordno) WHERE {expr} IS NOT NULL;\n"
    for name, objects in sorted(LOOKUP_OBJECTS.items())
    for expr in [field_sql(objects[0], name)]
)
# Per object, the columns (as `querying` writes them) whose `=` / `IN` an index serves (RECORDNO
# aside: the primary key gives both the rows and their order).
INDEXED_COLUMNS = {
    obj.name: frozenset(
        ["idval", "parent", *(field_sql(o, n) for o, n in LOOKUPS if o == obj.name)]
    )
    for obj in OBJECTS
}

# The API user's preferences kept per company, with their defaults. Opening a database adds the
# columns it lacks (a file written before a setting existed is served as it is).
COMPANY_SETTINGS = {"timezone": "UTC", "dateformat": DEFAULT_DATEFORMAT, "locale": "en_US"}
Record = dict[str, Any]
LOW, HIGH = 0, (1 << 32) - 1


STORED_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.ASCII)


def stamp_key(stamp: str, recordno: int) -> int:
    """(stored timestamp, RECORDNO) as one sortable integer (ValueError for other text)."""
    if not STORED_STAMP.fullmatch(stamp):
        raise ValueError(f"{stamp!r} is not a stored timestamp")
    seconds = calendar.timegm(datetime.fromisoformat(stamp).timetuple())
    return (seconds << 32) | recordno


class StampCounter:
    """Sorted (WHENMODIFIED, RECORDNO) keys per company and object.

    Built on demand and kept up to date by writes (dropped on bulk inserts and rollbacks), so
    that counting a page's totalcount for a range on WHENMODIFIED (the way incremental syncs
    filter) is a binary search, not an index scan.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.keys: dict[tuple[str, str], array[int]] = {}

    def drop(self, company: str | None = None, obj: str | None = None) -> None:
        if company is None:
            self.keys.clear()
        else:
            self.keys.pop((company, obj or ""), None)

    def tracks(self, company: str, obj: str) -> bool:
        return (company, obj) in self.keys

    def move(self, company: str, obj: str, recordno: int, old: str | None, new: str | None) -> None:
        """A row's stamp changed (None: the row did not exist / no longer exists)."""
        keys = self.keys.get((company, obj))
        if keys is None:
            return
        if old is not None:
            old_key = stamp_key(old, recordno)
            index = bisect_left(keys, old_key)
            if index < len(keys) and keys[index] == old_key:
                del keys[index]
        if new is not None:
            new_key = stamp_key(new, recordno)
            keys.insert(bisect_left(keys, new_key), new_key)

    def sorted_keys(self, company: str, obj: str) -> array[int]:
        keys = self.keys.get((company, obj))
        if keys is None:
            rows = self.conn.execute(
                "SELECT (CAST(strftime('%s', whenmodified) AS INTEGER) << 32) | recordno"
                " FROM records WHERE company = ? AND object = ? AND whenmodified IS NOT NULL"
                " ORDER BY whenmodified, recordno",
                (company, obj),
            )
            keys = array("q", (r[0] for r in rows))
            self.keys[(company, obj)] = keys
        return keys

    def count(
        self, company: str, obj: str, low: tuple[int, bool] | None, high: tuple[int, bool] | None
    ) -> int:
        """Keys between `low` and `high` ((key, inclusive) bounds; None = open)."""
        keys = self.sorted_keys(company, obj)
        start = 0 if low is None else (bisect_left if low[1] else bisect_right)(keys, low[0])
        end = (
            len(keys) if high is None else (bisect_right if high[1] else bisect_left)(keys, high[0])
        )
        return max(end - start, 0)


class Store:
    """The emulator's database."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self.lock = threading.RLock()
        self.conn = self._connect()
        self.counter = StampCounter(self.conn)
        self._custom: dict[tuple[str, str], tuple[FieldDef, ...]] = {}

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA case_sensitive_like = ON")
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(SCHEMA + FIELD_INDEXES)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(companies)")}
        for name, default in COMPANY_SETTINGS.items():
            if name not in columns:
                conn.execute(
                    f"ALTER TABLE companies ADD COLUMN {name} TEXT NOT NULL DEFAULT '{default}'"
                )
        return conn

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One SQLite transaction (rolled back on exceptions)."""
        with self.lock, atomic(self.conn):
            yield

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One record's writes inside a transaction: undone (stamp counter too) if it fails."""
        self.conn.execute("SAVEPOINT one_record")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO one_record")
            self.counter.drop()
            self.conn.execute("RELEASE one_record")
            raise
        self.conn.execute("RELEASE one_record")

    def wipe(self) -> None:
        """Empty the store.

        An in-memory database is replaced by a new one: deleting its rows would keep every page
        (and, while the DELETE runs, a journal copy of each) allocated.
        """
        with self.lock:
            self._custom.clear()
            self.counter.drop()
            if self.path == ":memory:":
                self.conn.close()
                self.conn = self.counter.conn = self._connect()
                return
            for table in (
                "companies",
                "custom_fields",
                "sequences",
                "executed_controlids",
                "records",
            ):
                self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT 1 FROM companies LIMIT 1").fetchone() is None

    # -- companies ------------------------------------------------------------------------------
    def company(self, company: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, timezone, dateformat, locale, unsubscribed FROM companies WHERE id = ?",
            (company,),
        ).fetchone()
        if row is None:
            return None
        return {
            "id": row[0],
            "timezone": row[1],
            "dateformat": row[2],
            "locale": row[3],
            "unsubscribed": json.loads(row[4]),
        }

    def ensure_company(self, company: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO companies (id) VALUES (?)", (company,))

    def update_company(
        self, company: str, settings: dict[str, str], unsubscribed: list[str] | None
    ) -> None:
        """Set some of the COMPANY_SETTINGS (values already checked) and the unsubscribed list."""
        self.ensure_company(company)
        for name, value in settings.items():
            if name not in COMPANY_SETTINGS:
                raise KeyError(name)
            self.conn.execute(
                f"UPDATE companies SET {name} = ? WHERE id = ?",  # noqa: S608 - names checked
                (value, company),
            )
        if unsubscribed is not None:
            self.conn.execute(
                "UPDATE companies SET unsubscribed = ? WHERE id = ?",
                (json.dumps(sorted(set(unsubscribed))), company),
            )

    def add_custom_field(self, company: str, custom: CustomField) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO custom_fields VALUES (?, ?, ?, ?, ?, ?)",
            (
                company,
                custom.object,
                custom.name,
                custom.datatype,
                custom.label,
                json.dumps(list(custom.valid)),
            ),
        )
        self._custom.pop((company, custom.object), None)

    def fields(self, company: str, obj: ObjectDef) -> tuple[FieldDef, ...]:
        """The object's standard fields plus the company's custom fields."""
        key = (company, obj.name)
        cached = self._custom.get(key)
        if cached is None:
            rows = self.conn.execute(
                "SELECT name, datatype, label, valid FROM custom_fields"
                " WHERE company = ? AND object = ? ORDER BY name",
                key,
            ).fetchall()
            cached = tuple(
                CustomField(obj.name, n, d, lab, tuple(json.loads(v))).as_field()
                for n, d, lab, v in rows
            )
            self._custom[key] = cached
        return obj.fields + cached

    # -- sequences ------------------------------------------------------------------------------
    def next_value(self, company: str, name: str, count: int = 1) -> int:
        """Reserve `count` numbers of a per-company sequence; returns the first."""
        row = self.conn.execute(
            "SELECT value FROM sequences WHERE company = ? AND name = ?", (company, name)
        ).fetchone()
        first = (row[0] if row else 0) + 1
        self.conn.execute(
            "INSERT OR REPLACE INTO sequences VALUES (?, ?, ?)", (company, name, first + count - 1)
        )
        return first

    # -- records --------------------------------------------------------------------------------
    @staticmethod
    def _columns(obj: ObjectDef, rec: Record) -> tuple[Any, ...]:
        idval = rec.get(obj.id_field) if obj.id_field else None
        parent = rec.get(obj.parent_field) if obj.parent_field else None
        return (
            rec["RECORDNO"],
            None if idval is None else str(idval),
            parent,
            rec.get("MEGAENTITYID"),
            Store._stamp(rec),
            json.dumps(rec, ensure_ascii=False, separators=(",", ":")),
        )

    def insert(self, company: str, obj: ObjectDef, rec: Record) -> None:
        self.conn.execute(
            "INSERT INTO records (company, object, recordno, idval, parent, location,"
            " whenmodified, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (company, obj.name, *self._columns(obj, rec)),
        )
        self.counter.move(company, obj.name, rec["RECORDNO"], None, self._stamp(rec))

    def insert_many_sql(self, sql: str, params: tuple[Any, ...]) -> None:
        """Bulk insert by an INSERT ... SELECT (seeding)."""
        self.conn.execute(sql, params)
        self.counter.drop()

    def replace(self, company: str, obj: ObjectDef, rec: Record) -> None:
        recordno, idval, parent, location, modified, data = self._columns(obj, rec)
        old = self._stored_stamp(company, obj, recordno)
        self.conn.execute(
            "UPDATE records SET idval = ?, parent = ?, location = ?, whenmodified = ?, data = ?"
            " WHERE company = ? AND object = ? AND recordno = ?",
            (idval, parent, location, modified, data, company, obj.name, recordno),
        )
        self.counter.move(company, obj.name, recordno, old, modified)

    def delete(self, company: str, obj: ObjectDef, recordno: int) -> None:
        old = self._stored_stamp(company, obj, recordno)
        self.conn.execute(
            "DELETE FROM records WHERE company = ? AND object = ? AND recordno = ?",
            (company, obj.name, recordno),
        )
        self.counter.move(company, obj.name, recordno, old, None)

    @staticmethod
    def _stamp(rec: Record) -> str | None:
        return rec.get("WHENMODIFIED") or rec.get("ACCESSTIME")

    def _stored_stamp(self, company: str, obj: ObjectDef, recordno: int) -> str | None:
        """The stamp a row has before it changes (only the stamp counter needs it)."""
        if not self.counter.tracks(company, obj.name):
            return None
        row = self.conn.execute(
            "SELECT whenmodified FROM records WHERE company = ? AND object = ? AND recordno = ?",
            (company, obj.name, recordno),
        ).fetchone()
        return row[0] if row else None

    def get(self, company: str, obj: ObjectDef, recordno: int) -> Record | None:
        row = self.conn.execute(
            "SELECT data FROM records WHERE company = ? AND object = ? AND recordno = ?",
            (company, obj.name, recordno),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def get_by_id(self, company: str, obj: ObjectDef, idval: str) -> Record | None:
        row = self.conn.execute(
            "SELECT data FROM records WHERE company = ? AND object = ? AND idval = ?"
            " ORDER BY recordno LIMIT 1",
            (company, obj.name, idval),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def children(self, company: str, line_obj: ObjectDef, parent: int) -> list[Record]:
        rows = self.conn.execute(
            "SELECT data FROM records WHERE company = ? AND object = ? AND parent = ?"
            " ORDER BY recordno",
            (company, line_obj.name, parent),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def find(self, company: str, obj: ObjectDef, where: str, params: Iterable[Any]) -> list[Record]:
        """Records matching an SQL condition on the indexed columns or `data`."""
        rows = self.conn.execute(
            f"SELECT data FROM records WHERE company = ? AND object = ? AND ({where})"  # noqa: S608
            " ORDER BY recordno",
            (company, obj.name, *params),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def find_by(self, company: str, obj: ObjectDef, name: str, value: Any) -> list[Record]:
        """Records whose field `name` equals `value` (through its index for the LOOKUPS)."""
        return self.find(company, obj, f"{field_sql(obj.name, name)} = ?", [value])

    def controlid_seen(self, company: str, controlid: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM executed_controlids WHERE company = ? AND controlid = ?",
                (company, controlid),
            ).fetchone()
            is not None
        )

    def remember_controlid(self, company: str, controlid: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO executed_controlids VALUES (?, ?)", (company, controlid)
        )
