"""Bulk jobs and composite requests of the REST API, routes added to a `RestApi`.

`POST /services/bulk/job/create` takes Sage's multipart form: a part `ia::requestBody` (JSON
`{objectName, operation, jobFile, fileContentType, callbackURL?}`) and the file part named by
`jobFile` (a JSON array of records). The job runs in the background, one record at a time, each
its own transaction, going on past failures, and each taking the latency model's per-record time;
`GET /services/bulk/job/status?jobId=` answers queued, processing (with percentComplete),
completed or failed, and `&download=true` the result file once completed: one entry per record,
in file order, as a batch answer's entries (Sage publishes no schema of that file).

`POST /services/core/composite` runs 2-10 subrequests in order through the same router; a
`resultReference` names a subrequest's result for later `@{reference.field}` values (a number
in the path indexes a list, from 0); the first failure stops it and the rest are answered
"unprocessed". Subrequests carry their own headers (an `Idempotency-Key`).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from .functions import Call
from .records import FunctionError
from .rest_api import API_PREFIX, ENTITY_HEADER, Answer, ApiError, Request, RestApi, _json, _row
from .rest_api import function_error as write_error

BULK_CREATE = "/services/bulk/job/create"
BULK_STATUS = "/services/bulk/job/status"
COMPOSITE = "/services/core/composite"
OPERATIONS = ("create", "update", "delete")
MIN_SUBREQUESTS, MAX_SUBREQUESTS = 2, 10
REFERENCE = re.compile(r"@\{([^}]+)\}")
UNPROCESSED = {
    "code": "unprocessed",
    "message": "Operation skipped due to atomic transaction failure",
}


@dataclass
class Job:
    """One bulk job: its records, where it is, and one result entry per record done."""

    job_id: str
    company: str
    path: str
    operation: str
    records: list[Any]
    created: str
    status: str = "queued"
    results: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def percent(self) -> int:
        return 100 * len(self.results) // max(len(self.records), 1)


class BulkAndComposite:
    """The bulk-job and composite routes of one `RestApi` (`install` adds them)."""

    def __init__(self, api: RestApi, per_record: Callable[[], float]) -> None:
        self.api = api
        self.per_record = per_record  # the latency model's seconds per record written
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    def route(self, call: Call, request: Request, tail: str) -> Answer | None:
        """The answer for a bulk or composite request, None for another route."""
        if tail == BULK_CREATE and request.method == "POST":
            return self._create(call, request)
        if tail == BULK_STATUS and request.method == "GET":
            return self._status(call, request)
        if tail == COMPOSITE and request.method == "POST":
            return self._composite(request)
        return None

    # -- bulk jobs ------------------------------------------------------------------------------
    def _create(self, call: Call, request: Request) -> Answer:
        parts = _multipart(request)
        spec = _json_part(parts.get("ia::requestBody"), "ia::requestBody")
        if not isinstance(spec, dict):
            raise ApiError(400, "invalidRequest", "ia::requestBody is not an object", "REST-1064")
        missing = [f for f in ("objectName", "operation", "jobFile", "fileContentType")
                   if not spec.get(f)]  # fmt: skip
        if missing:
            raise ApiError(400, "invalidRequest", f"ia::requestBody lacks {', '.join(missing)}",
                           "REST-1064")  # fmt: skip
        if spec["operation"] not in OPERATIONS or spec["fileContentType"] != "json":
            raise ApiError(400, "invalidRequest", "operation is create, update or delete and "
                           "fileContentType json", "REST-1064")  # fmt: skip
        row = _row(str(spec["objectName"]))
        file_part = parts.get(str(spec["jobFile"]))
        if file_part is None:
            raise ApiError(400, "invalidRequest", f"No file part {spec['jobFile']!r}", "REST-1064")
        try:
            records = json.loads(file_part)
        except ValueError:
            records = None  # the job fails, as Sage's does for a file it cannot read
        job = Job(
            uuid.uuid4().hex, call.ctx.company, row.path, spec["operation"],
            records if isinstance(records, list) else [],
            self.api.now().strftime("%Y-%m-%dT%H:%M:%S"),
            "queued" if isinstance(records, list) else "failed",
        )  # fmt: skip
        with self.lock:
            self.jobs[job.job_id] = job
        if job.status == "queued":
            threading.Thread(target=self._run, args=(call, job), daemon=True).start()
        result = {"jobId": job.job_id, "statusURL": f"{BULK_STATUS}?jobId={job.job_id}",
                  "createdDateTime": job.created}  # fmt: skip
        return _json(200, {"ia::result": result, "ia::meta": {"totalCount": 1}})

    def _run(self, call: Call, job: Job) -> None:
        row = _row(job.path)
        job.status = "processing"
        for number, item in enumerate(job.records, start=1):
            time.sleep(self.per_record())
            try:
                if not isinstance(item, dict):
                    raise ApiError(422, "invalidRequest", f"Record {number} is not an object",
                                   "REST-1064")  # fmt: skip
                with self.api.store.transaction(), self.api.store.savepoint():
                    entry = self.api._write_one(call, row, item, job.operation, number)
                job.results.append((200, entry))
            except (ApiError, FunctionError) as exc:
                error = exc if isinstance(exc, ApiError) else write_error(exc)
                job.results.append((error.status, error.body()["ia::result"]))
        job.status = "completed"

    def _status(self, call: Call, request: Request) -> Answer:
        query = parse_qs(request.query)
        job_id = (query.get("jobId") or [""])[-1]
        with self.lock:
            job = self.jobs.get(job_id)
        if job is None or job.company != call.ctx.company:
            raise ApiError(404, "notFound", f"Bulk job {job_id or '(none)'} was not found",
                           "REST-1002")  # fmt: skip
        failed = sum(1 for status, _ in job.results if status != 200)
        meta = {"totalCount": len(job.records), "totalSuccess": len(job.results) - failed,
                "totalError": failed}  # fmt: skip
        download = (query.get("download") or [""])[-1].lower() == "true"
        if download:
            if job.status != "completed":
                why = f"Bulk job {job_id} is {job.status}; its results come once it is completed"
                raise ApiError(400, "invalidRequest", why, "REST-1064")
            entries = [r if s == 200 else {**r, "ia::status": s} for s, r in job.results]
            return _json(200, entries)
        result: dict[str, Any] = {"jobId": job.job_id, "status": job.status}
        if job.status == "processing":
            result["percentComplete"] = job.percent()
        if job.status == "completed":
            result["percentComplete"] = 100
            result["downloadURL"] = f"{BULK_STATUS}?jobId={job.job_id}&download=true"
            result["jobStatusFile"] = f"{job.job_id}-response.json"
        return _json(200, {"ia::result": result, "ia::meta": meta})

    # -- composite ------------------------------------------------------------------------------
    def _composite(self, request: Request) -> Answer:
        subrequests = request.json()
        if (
            not isinstance(subrequests, list)
            or not MIN_SUBREQUESTS <= len(subrequests) <= MAX_SUBREQUESTS
            or not all(isinstance(s, dict) and s.get("method") and s.get("path")
                       for s in subrequests)
        ):  # fmt: skip
            raise ApiError(400, "invalidRequest", f"A composite request holds {MIN_SUBREQUESTS} "
                           f"to {MAX_SUBREQUESTS} subrequests, each with method and path",
                           "REST-1064")  # fmt: skip
        references: dict[str, Any] = {}
        entries: list[dict[str, Any]] = []
        failed = False
        for sub in subrequests:
            if failed:
                entries.append({"ia::error": dict(UNPROCESSED), "ia::status": 422})
                continue
            status, body = self._subrequest(request, sub, references)
            failed = status >= 300
            if failed:
                error = (body or {}).get("ia::result", {}).get("ia::error") or {
                    "code": "operationFailed",
                    "message": f"HTTP {status}",
                }
                entries.append({"ia::error": error, "ia::status": status})
                continue
            entry = {"ia::result": (body or {}).get("ia::result"), "ia::status": status}
            if isinstance(body, dict) and "ia::meta" in body:
                entry["ia::meta"] = body["ia::meta"]
            entries.append(entry)
            if sub.get("resultReference"):
                references[str(sub["resultReference"])] = entry["ia::result"]
        errors = sum(1 for e in entries if "ia::error" in e)
        meta = {"totalCount": len(entries), "totalSuccess": len(entries) - errors,
                "totalError": errors}  # fmt: skip
        return _json(207 if errors else 200, {"ia::result": entries, "ia::meta": meta})

    def _subrequest(
        self, outer: Request, sub: dict[str, Any], references: dict[str, Any]
    ) -> tuple[int, Any]:
        try:
            path = str(_resolve(str(sub["path"]), references))
            body = _resolve(sub.get("body"), references)
        except ApiError as exc:
            return exc.status, exc.body()
        path, _, query = path.partition("?")
        if path.startswith(COMPOSITE) or not path.startswith(("/objects/", "/services/")):
            error = ApiError(400, "invalidRequest", f"{path} cannot be a subrequest", "REST-1064")
            return error.status, error.body()
        headers = {name: outer.headers.get(name) for name in ("Authorization", ENTITY_HEADER)
                   if outer.headers.get(name)}  # fmt: skip
        headers.update({str(k): str(v) for k, v in (sub.get("headers") or {}).items()})
        raw = b"" if body is None else json.dumps(body).encode()
        inner = Request(str(sub["method"]).upper(), API_PREFIX + path, query, headers, raw)
        status, _, answer = self.api.handle(inner)
        return status, json.loads(answer) if answer.strip() else None


def _resolve(value: Any, references: dict[str, Any]) -> Any:
    """`@{reference.field}` values from earlier results (a whole-string one keeps its type)."""
    if isinstance(value, dict):
        return {k: _resolve(v, references) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, references) for v in value]
    if not isinstance(value, str) or "@{" not in value:
        return value
    whole = REFERENCE.fullmatch(value)
    if whole:
        return _lookup(whole.group(1), references)
    return REFERENCE.sub(lambda m: str(_lookup(m.group(1), references)), value)


def _lookup(dotted: str, references: dict[str, Any]) -> Any:
    name, *steps = dotted.split(".")
    if name not in references:
        raise ApiError(400, "invalidRequest", f"@{{{dotted}}}: no earlier result {name!r}",
                       "REST-1064")  # fmt: skip
    value = references[name]
    for step in steps:
        if isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            raise ApiError(400, "invalidRequest", f"@{{{dotted}}}: {step!r} is not in the result",
                           "REST-1064")  # fmt: skip
    return value


def _multipart(request: Request) -> dict[str, bytes]:
    """The parts of a multipart/form-data body by their file names and names."""
    content_type = request.headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise ApiError(400, "invalidRequest", "A bulk job is sent as multipart/form-data",
                       "REST-1064")  # fmt: skip
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        for label in (part.get_filename(), part.get_param("name", header="content-disposition")):
            if isinstance(label, str):
                parts.setdefault(label, payload)
    return parts


def _json_part(raw: bytes | None, name: str) -> Any:
    if raw is None:
        raise ApiError(400, "invalidRequest", f"The form has no part {name}", "REST-1064")
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalidRequest", f"{name} is not JSON", "REST-1064") from None


def install(api: RestApi, per_record: Callable[[], float]) -> BulkAndComposite:
    """Add the bulk and composite routes to `api`."""
    routes = BulkAndComposite(api, per_record)
    api.extra_routes.append(routes.route)
    return routes
