"""Sending writes to Intacct and reading what a write needs, shared by every writing sink.

One request carries many functions with `transaction="false"` and `uniqueid="true"`: one bad
record never sinks its request, and a request re-sent after a lost answer cannot write twice
(what already ran is refused as already executed, never repeated).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from intacct_api import functions
from intacct_api.envelope import flatten_record
from intacct_api.errors import AmbiguousWriteError, TransientError
from intacct_api.rest.batches import KEY_CONFLICT

if TYPE_CHECKING:
    from intacct_api.envelope import Result
    from intacct_api.functions import Function
    from intacct_api.transport import Transport

    from target_intacct.records import Item

QUERY_PAGE_SIZE = 2000
IN_CHUNK = 1000
# Re-sends of a request whose outcome is unknown (time-out, HTTP 524, dropped connection).
AMBIGUOUS_RESENDS = 3
# "A request's function with the control ID '…' has already been executed."
ALREADY_EXECUTED = "XL03000011"
# "invalid Product Line 'PL-1' in field PRODUCTLINEID", "Invalid customer 'C-1'"...
INVALID_REFERENCE = "BL03000017"


class WriteFailedError(RuntimeError):
    """Intacct kept failing in a way that is not the record's fault: stop before STATE moves."""


def is_invalid_reference(result: Result) -> bool:
    """True when Intacct refused a function for naming a record that does not exist (yet)."""
    return any(e.errorno == INVALID_REFERENCE for e in result.errors)


def is_already_executed(result: Result) -> bool:
    """True when Intacct refused a function because its control id already ran (uniqueid)."""
    return any(
        e.errorno == ALREADY_EXECUTED
        or ("control id" in e.text.lower() and "already" in e.text.lower())
        for e in result.errors
    )


def made_by_another_run(result: Result, *, resent: bool) -> bool:
    """Whether a function refused as already run went out, with the same content, in another run.

    The control id names the content, so a request sent once (not `resent` after a lost answer
    of this run's) meets it only when another run (at the same time, or earlier) sent the same
    write. Not for a REST key Intacct saw with another body (409): that record may differ.
    """
    return (
        not resent
        and is_already_executed(result)
        and all(e.errorno != KEY_CONFLICT for e in result.errors)
    )


def query_rows(
    client: Transport,
    object_name: str,
    select: Sequence[str],
    filter_: functions.Filter,
    **options: Any,
) -> list[dict[str, Any]]:
    """Every row of a `query` (flattened: `DISPLAYCONTACT.EMAIL1`), 2,000 per request."""
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        function = functions.query(
            object_name,
            select,
            filter=filter_,
            page_size=QUERY_PAGE_SIZE,
            offset=offset or None,
            **options,
        )
        result = client.call(function)
        page = [flatten_record(row) for row in result.records()]
        rows.extend(page)
        if not result.num_remaining or not page:
            return rows
        offset += len(page)


class Sent(NamedTuple):
    """A request's results, and whether it was re-sent after a lost answer."""

    results: list[Result]
    resent: bool


def execute_resending(
    client: Transport, calls: Sequence[Function], stream_name: str, logger: logging.Logger
) -> Sent:
    """Send `calls` in one request, re-sending it with the same control ids when no answer came.

    With `uniqueid`, what already ran is refused as already executed, never repeated; after
    `AMBIGUOUS_RESENDS` lost answers, or when Intacct keeps failing, the write stops with one
    line saying that a re-run is safe.
    """
    attempt = 1
    while True:
        try:
            return Sent(client.execute(calls, transaction=False, unique_id=True), attempt > 1)
        except AmbiguousWriteError as exc:
            if attempt > AMBIGUOUS_RESENDS:
                raise WriteFailedError(
                    f"{stream_name}: {len(calls)} writes got no answer after "
                    f"{attempt} tries ({exc}); they may or may not have run. Re-running the "
                    "target is safe: the same records get the same control ids."
                ) from exc
            logger.warning(
                "%s: no answer for %d writes (%s); re-sending with the same control ids",
                stream_name,
                len(calls),
                exc,
            )
            attempt += 1
        except TransientError as exc:
            raise WriteFailedError(
                f"{stream_name}: Intacct kept failing ({exc}); stopping before STATE "
                "advances. Re-running the target is safe."
            ) from exc


@dataclass
class Write:
    """One function to send, with what it means for the item."""

    item: Item
    action: str  # created, updated, deleted
    function: Function
    record_no: str | None = None
    intacct_id: str | None = None
    # a create sent again under a new control id, its record not being in Intacct
    again: bool = False
