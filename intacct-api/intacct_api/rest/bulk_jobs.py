"""Writes of one object as a REST bulk job: create it, poll its status, download its results.

Sage runs a bulk job in the background, each record its own transaction, past failures, with no
limit on the number of records (`POST /services/bulk/job/create`, a multipart form). The job's
status is polled with a growing pause (a `Retry-After` on the status answer is honoured) until it
is completed or failed; the result file holds one entry per record, which become per-function
results exactly as a batch's answer does (`batches.spread`). Creating a job is not repeatable
safely, so a caller that must survive a crash keeps the job id (`on_created`) and resumes with
`run(..., job_id=...)`, which polls the job it has instead of creating another.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from intacct_api.envelope import Result
from intacct_api.errors import GatewayError
from intacct_api.rest.batches import Batch, spread
from intacct_api.rest.client import RestAnswer, RestClient
from intacct_api.rest.errors import describe_answer
from intacct_api.rest.mapping import ObjectMap
from intacct_api.retries import retry_after

CREATE_PATH = "/services/bulk/job/create"
STATUS_PATH = "/services/bulk/job/status"
OPERATIONS = {"create": "create", "update": "update", "delete": "delete"}
DONE = ("completed", "failed")


class BulkJobError(GatewayError):
    """A bulk job that failed, or is still running when the caller stopped waiting."""

    def __init__(self, message: str, job_id: str) -> None:
        super().__init__(message)
        self.job_id = job_id


class BulkJobs:
    """Bulk jobs over one REST client; pauses between polls grow from first to max pause."""

    def __init__(
        self,
        rest: RestClient,
        *,
        first_pause: float = 0.5,
        max_pause: float = 15.0,
        max_wait: float = 6 * 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rest = rest
        self.first_pause, self.max_pause, self.max_wait = first_pause, max_pause, max_wait
        self.sleep = sleep
        self.polls = 0

    def create(self, operation: str, mapping: ObjectMap, records: list[dict[str, Any]]) -> str:
        """Send the records as one job; its id."""
        file_name = f"{mapping.path.replace('/', '-')}-{uuid.uuid4().hex}.json"
        spec = {"objectName": mapping.path, "operation": OPERATIONS[operation],
                "jobFile": file_name, "fileContentType": "json"}  # fmt: skip
        content = _multipart(
            [
                ("ia::requestBody", None, json.dumps(spec).encode()),
                ("file", file_name, json.dumps(records, separators=(",", ":")).encode()),
            ]
        )
        answer = self.rest.send("POST", CREATE_PATH, content=content)
        job_id = _result(answer).get("jobId")
        if answer.status != 200 or not job_id:
            raise GatewayError(f"Intacct refused the bulk job: {_describe(answer)}")
        return str(job_id)

    def wait(self, job_id: str) -> dict[str, Any]:
        """The job's status once it is completed or failed (polled with growing pauses)."""
        deadline = time.monotonic() + self.max_wait
        pause = self.first_pause
        while True:
            answer = self.rest.send("GET", STATUS_PATH, params={"jobId": job_id})
            self.polls += 1
            status = _result(answer)
            if answer.status != 200 or not status.get("status"):
                raise BulkJobError(
                    f"Intacct's status of bulk job {job_id}: {_describe(answer)}", job_id
                )
            if status["status"] in DONE:
                return status
            asked = retry_after(answer.headers.get("Retry-After"))
            wait = asked if asked is not None else pause
            if time.monotonic() + wait > deadline:
                raise BulkJobError(
                    f"bulk job {job_id} is still {status['status']} after {self.max_wait:.0f} s; "
                    "poll it again later",
                    job_id,
                )
            self.sleep(wait)
            pause = min(pause * 1.5, self.max_pause)

    def results(self, job_id: str) -> list[Any]:
        """The job's result file: one entry per record, in the order they were sent."""
        answer = self.rest.send("GET", STATUS_PATH, params={"jobId": job_id, "download": "true"})
        if answer.status != 200 or not isinstance(answer.body, list):
            raise BulkJobError(f"Intacct's results of bulk job {job_id}: {_describe(answer)}",
                               job_id)  # fmt: skip
        return answer.body

    def run(
        self,
        name: str,
        mapping: ObjectMap,
        batch: Batch,
        *,
        job_id: str | None = None,
        on_created: Callable[[str], None] | None = None,
    ) -> list[Result]:
        """Per-function results of the batch's records written as one job (or of `job_id`)."""
        records = [record for _, owned in batch for record in owned]
        if job_id is None:
            job_id = self.create(name, mapping, records)
            if on_created is not None:
                on_created(job_id)
        final = self.wait(job_id)
        if final["status"] == "failed":
            raise BulkJobError(f"Intacct's bulk job {job_id} failed", job_id)
        entries = self.results(job_id)
        if len(entries) != len(records):
            raise BulkJobError(
                f"bulk job {job_id} answered {len(entries)} results for {len(records)} records",
                job_id,
            )
        failed = any(isinstance(e, dict) and "ia::error" in e for e in entries)
        answer = RestAnswer(207 if failed else 200, {}, {"ia::result": entries})
        return spread(batch, answer, name, mapping)


def _multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[str, bytes]:
    """A multipart/form-data body of (name, file name, JSON bytes) parts, and its media type."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, file_name, data in parts:
        disposition = f'form-data; name="{name}"'
        if file_name:
            disposition += f'; filename="{file_name}"'
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
                "Content-Type: application/json\r\n\r\n").encode()  # fmt: skip
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


def _result(answer: RestAnswer) -> dict[str, Any]:
    body = answer.body
    result = body.get("ia::result") if isinstance(body, dict) else None
    return result if isinstance(result, dict) else {}


def _describe(answer: RestAnswer) -> str:
    raw = json.dumps(answer.body).encode() if answer.body is not None else b""
    return describe_answer(answer.status, "application/json", raw, answer.body)
