"""SQLite helpers shared by both emulators' stores."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def atomic(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction on an autocommit connection: committed at the end, rolled back on errors."""
    conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
