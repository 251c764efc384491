"""The demo company as the Intacct emulator stores it: rows per tap stream, for checking what
a run landed."""

from __future__ import annotations

from typing import Any

import local_stack
from connector_emulators.intacct.gateway import DEMO_COMPANY, SENDER_ID, SENDER_PASSWORD
from connector_emulators.intacct.users import USER_ID, USER_PASSWORD
from intacct_api.client import Credentials
from tap_intacct.objects import OBJECTS

# The emulator's demo login (the users module holds its one API user).
DEMO_CREDENTIALS = Credentials(SENDER_ID, SENDER_PASSWORD, DEMO_COMPANY, USER_ID, USER_PASSWORD)


def emulator_rows(intacct: local_stack.Emulator, object_name: str) -> list[dict[str, Any]]:
    return list(intacct.get_json(f"/_emulator/records/demo/{object_name}")["records"])


# Balances are computed by report functions, not stored: the emulator has no rows to count.
REPORT_STREAMS = {row.stream for row in OBJECTS if row.function}


def stored_counts(counts: dict[str, int]) -> dict[str, int]:
    return {stream: n for stream, n in counts.items() if stream not in REPORT_STREAMS}


def emulator_counts(intacct: local_stack.Emulator) -> dict[str, int]:
    """Rows per tap stream as the emulator stores them (document types split SODOCUMENT)."""
    counts = {}
    for row in OBJECTS:
        if row.function:
            continue
        rows = emulator_rows(intacct, row.object)
        if row.docparid:
            rows = [r for r in rows if r.get("DOCPARID") == row.docparid]
        counts[row.stream] = len(rows)
    return counts
