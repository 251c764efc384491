"""Magento's asynchronous bulk API: one request for many operations, then their outcome.

The request is checked structurally by Magento and queued; the `async.operations.all` consumer
runs the operations later, so the target polls `GET /V1/bulk/{uuid}/detailed-status` until none
is open (status 4). The shop must run that consumer (cron or a queue worker).
"""

from __future__ import annotations

import logging
import time
import typing as t
from dataclasses import dataclass

from target_magento.records import chunks

if t.TYPE_CHECKING:
    from target_magento.run import Run

LOGGER = logging.getLogger("target-magento")

CHUNK = 1000
COMPLETE = 1
OPEN = 4


@dataclass(frozen=True)
class Outcome:
    """One operation's end: `ok` when Magento completed it, else its status and message."""

    status: int
    message: str

    @property
    def ok(self) -> bool:
        return self.status == COMPLETE


def submit(run: Run, method: str, route: str, bodies: list[dict], *, store: str) -> list[Outcome]:
    """Send `bodies` to `/async/bulk/{route}` in chunks; the outcome of each, in order."""
    outcomes: list[Outcome] = []
    for part in chunks(bodies, CHUNK):
        outcomes.extend(_submit_one(run, method, route, part, store))
    return outcomes


def _submit_one(run: Run, method: str, route: str, bodies: list[dict], store: str) -> list[Outcome]:
    accepted = run.client.request(method, f"async/bulk/{route}", store=store, body=bodies)
    bulk_uuid = accepted["bulk_uuid"]
    outcomes: dict[int, Outcome] = {}
    for index, item in enumerate(accepted.get("request_items") or []):
        if str(item.get("status")).lower() != "accepted":
            message = str(item.get("error_message") or "not accepted")
            outcomes[int(item.get("id", index))] = Outcome(5, message)
    LOGGER.info("Bulk %s: %d operations queued on %s", bulk_uuid, len(bodies), route)
    deadline = time.monotonic() + run.settings.bulk_poll_timeout
    delay = 0.05
    while True:
        detail = run.client.request("GET", f"V1/bulk/{bulk_uuid}/detailed-status")
        operations = detail.get("operations_list") or []
        if operations and all(int(op.get("status") or 0) != OPEN for op in operations):
            break
        if time.monotonic() > deadline:
            LOGGER.warning(
                "Bulk %s still open after %ss", bulk_uuid, run.settings.bulk_poll_timeout
            )
            break
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
    for position, operation in enumerate(operations):
        status = int(operation.get("status") or 0)
        message = str(operation.get("result_message") or "")
        outcomes.setdefault(int(operation.get("id", position)), Outcome(status, message))
    return [
        outcomes.get(index, Outcome(OPEN, f"bulk {bulk_uuid} did not finish in time"))
        for index in range(len(bodies))
    ]
