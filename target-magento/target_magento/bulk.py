"""Magento's asynchronous bulk API: one request for many operations, then their outcome.

The request is checked structurally by Magento and queued; the `async.operations.all` consumer
runs the operations later, so the target polls `GET /V1/bulk/{uuid}/detailed-status` until none
is open (status 4) or `bulk_poll_timeout` passes. An operation still open then is neither done nor
refused: it waits in Magento's queue for the consumer (cron or a queue worker), so it is counted
`queued` and kept in the pending bulk file (written as soon as Magento accepts the bulk). The next
run reads each kept bulk's status first: what Magento ran is finished like a bulk of this run,
what is still open stays kept, and a newer version of a kept record waits there for its operation
to end rather than be queued a second time.
"""

from __future__ import annotations

import logging
import time
import typing as t
from collections.abc import Callable
from dataclasses import asdict, dataclass

from magento_api import MagentoError

from target_magento.records import Rejection, chunks
from target_magento.run import magento_field_name

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from target_magento.run import Run

LOGGER = logging.getLogger("target-magento")

CHUNK = 1000
COMPLETE = 1
OPEN = 4
REFUSED = 5  # not accepted into the bulk
SECTION = "bulks"  # the pending bulk file: bulk uuid → stream, role, route, open operations
STATUS_NAMES = {2: "failed and may be retried", 3: "failed", REFUSED: "was not accepted"}


@dataclass(frozen=True)
class Operation:
    """One record's write in a bulk, and the outcome to count when Magento completes it."""

    key: str
    record: dict
    body: dict
    outcome: str  # "created" or "updated"


@dataclass(frozen=True)
class Outcome:
    """One operation's end: `ok` when Magento completed it, else its status and message."""

    status: int
    message: str

    @property
    def ok(self) -> bool:
        return self.status == COMPLETE


# A role's work on its finished operations: count, remember ids, reject the failed ones.
Finish = Callable[["Run", str, list[tuple[Operation, Outcome]]], None]


def submit(
    run: Run,
    stream: str,
    role: str,
    route: tuple[str, str],
    operations: list[Operation],
    *,
    store: str,
    finish: Finish,
) -> None:
    """Send the operations to `/async/bulk/{route}` in chunks; `finish` gets those that ended."""
    method, path = route
    for part in chunks(operations, CHUNK):
        bodies = [operation.body for operation in part]
        accepted = run.client.request(method, f"async/bulk/{path}", store=store, body=bodies)
        bulk_uuid = str(accepted["bulk_uuid"])
        kept = {str(index): asdict(operation) for index, operation in enumerate(part)}
        run.bulks.put(
            SECTION,
            bulk_uuid,
            {"stream": stream, "role": role, "route": f"{method} {path}", "operations": kept},
        )
        run.bulks.save()
        LOGGER.info("Bulk %s: %d operations queued on %s", bulk_uuid, len(bodies), path)
        outcomes = _poll(run, bulk_uuid, len(part), _refused(accepted))
        still_open = _conclude(run, bulk_uuid, outcomes, finish)[0]
        for kept_operation in still_open.values():
            run.count(stream, "queued", kept_operation["key"])
        if still_open:
            when = f"after {run.settings.bulk_poll_timeout}s"
            _warn_open(run, bulk_uuid, len(still_open), when)


def _refused(accepted: Mapping[str, t.Any]) -> dict[int, Outcome]:
    """Operations Magento did not accept into the bulk (status 5 at once)."""
    refused: dict[int, Outcome] = {}
    for index, item in enumerate(accepted.get("request_items") or []):
        if str(item.get("status")).lower() != "accepted":
            message = str(item.get("error_message") or "not accepted")
            refused[int(item.get("id", index))] = Outcome(REFUSED, message)
    return refused


def _poll(run: Run, bulk_uuid: str, count: int, refused: dict[int, Outcome]) -> dict[int, Outcome]:
    """The operations' outcomes once none is open, or when `bulk_poll_timeout` passes."""
    deadline = time.monotonic() + run.settings.bulk_poll_timeout
    delay = 0.05
    while True:
        outcomes = _outcomes(run, bulk_uuid) | refused
        ended = all(outcomes.get(i, Outcome(OPEN, "")).status != OPEN for i in range(count))
        if ended or time.monotonic() > deadline:
            return outcomes
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def settle(run: Run, finishers: Mapping[str, Finish]) -> list[tuple[str, str, list[dict]]]:
    """Learn the end of the bulks kept by earlier runs (one status read each).

    Answers `(role, stream, records)` to load again: newer versions that waited for their
    operation to end, and every record of a bulk Magento no longer knows (purged): loading them
    again finds what Magento did and writes what it did not.
    """
    again: dict[tuple[str, str], list[dict]] = {}
    for bulk_uuid, entry in list(run.bulks.section(SECTION).items()):
        role, stream = entry["role"], entry["stream"]
        try:
            outcomes = _outcomes(run, bulk_uuid)
        except MagentoError as error:
            if error.status != 404:  # Magento's "Bulk uuid %bulkUuid not exist"
                raise
            LOGGER.warning(
                "Bulk %s is unknown to Magento (purged?); its %d records are written again",
                bulk_uuid,
                len(entry["operations"]),
            )
            records = [op.get("next") or op["record"] for op in entry["operations"].values()]
            again.setdefault((role, stream), []).extend(records)
            run.bulks.pop(SECTION, bulk_uuid)
            continue
        still_open, newer = _conclude(run, bulk_uuid, outcomes, finishers[role])
        again.setdefault((role, stream), []).extend(newer)
        if still_open:
            run.count(stream, "queued", count=len(still_open))
            _warn_open(run, bulk_uuid, len(still_open), "(queued by an earlier run)")
    run.bulks.save()
    return [(role, stream, records) for (role, stream), records in again.items() if records]


class Queued:
    """The keys of `stream` that an open bulk still holds: their new versions wait for it."""

    def __init__(self, run: Run, stream: str) -> None:
        self.run = run
        self.stream = stream
        self.holders: dict[str, tuple[str, str]] = {
            operation["key"]: (bulk_uuid, index)
            for bulk_uuid, entry in run.bulks.section(SECTION).items()
            if entry["stream"] == stream
            for index, operation in entry["operations"].items()
        }

    def hold(self, key: str, record: dict) -> bool:
        """Keep `record` beside the open operation of its key, if any; True when kept."""
        holder = self.holders.get(key)
        if holder is None:
            return False
        bulk_uuid, index = holder
        with self.run.bulks.lock:
            entry = self.run.bulks.section(SECTION)[bulk_uuid]
            entry["operations"][index]["next"] = record
            self.run.bulks.put(SECTION, bulk_uuid, entry)
        LOGGER.info(
            "%s %s waits for bulk %s, which still holds an earlier version of it",
            self.stream,
            key,
            bulk_uuid,
        )
        self.run.count(self.stream, "queued", key)
        return True


def reject(
    run: Run,
    stream: str,
    operation: Operation,
    outcome: Outcome,
    magento_fields: Mapping[str, str],
) -> None:
    """A failed operation becomes a reject with Magento's message and the field it names."""
    how = STATUS_NAMES.get(outcome.status, "ended")
    reason = f"Magento's bulk operation {how} (status {outcome.status})"
    field = magento_field_name(outcome.message, magento_fields)
    run.reject(stream, operation.key, operation.record, Rejection(reason, field, outcome.message))


def _outcomes(run: Run, bulk_uuid: str) -> dict[int, Outcome]:
    detail = run.client.request("GET", f"V1/bulk/{bulk_uuid}/detailed-status")
    return {
        int(operation.get("id", position)): Outcome(
            int(operation.get("status") or OPEN), str(operation.get("result_message") or "")
        )
        for position, operation in enumerate(detail.get("operations_list") or [])
    }


def _conclude(
    run: Run, bulk_uuid: str, outcomes: dict[int, Outcome], finish: Finish
) -> tuple[dict[str, dict], list[dict]]:
    """Finish the kept operations that ended; keep the open ones.

    Answers the operations still open and the newer versions that waited for the ended ones.
    A failed operation whose record has a newer version is not rejected: that version is written.
    """
    entry = run.bulks.section(SECTION)[bulk_uuid]
    ended: list[tuple[Operation, Outcome]] = []
    newer: list[dict] = []
    still_open: dict[str, dict] = {}
    for index, kept in entry["operations"].items():
        outcome = outcomes.get(int(index), Outcome(OPEN, ""))
        if outcome.status == OPEN:
            still_open[index] = kept
            continue
        operation = Operation(**{name: kept[name] for name in Operation.__dataclass_fields__})
        if kept.get("next") is not None:
            newer.append(kept["next"])
            if not outcome.ok:
                LOGGER.info(
                    "%s %s: its bulk operation failed (%s); a newer version is written instead",
                    entry["stream"],
                    operation.key,
                    outcome.message,
                )
                continue
        ended.append((operation, outcome))
    finish(run, entry["stream"], ended)
    if still_open:
        run.bulks.put(SECTION, bulk_uuid, {**entry, "operations": still_open})
    else:
        run.bulks.pop(SECTION, bulk_uuid)
    run.bulks.save()
    return still_open, newer


def _warn_open(run: Run, bulk_uuid: str, count: int, when: str) -> None:
    where = (
        f"kept in {run.bulks.path} for the next run to learn their end"
        if run.bulks.path is not None
        else "set pending_bulk_file for a later run to learn their end"
    )
    LOGGER.warning(
        "Bulk %s: %d operations still open %s; not rejected: Magento applies them when its "
        "async.operations.all consumer runs (cron or a queue worker); %s",
        bulk_uuid,
        count,
        when,
        where,
    )
