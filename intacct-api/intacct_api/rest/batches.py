"""Writes of one object as REST batches, each under an `Idempotency-Key`, and their results.

The key comes from the functions' control ids, so a batch re-sent after a lost answer gets
Intacct's first answer again and lands once. Intacct keeps a key's first answer, failures too,
and answers a reused key with another body with a 409: both are handled here, so callers see
results per function exactly as the XML gateway gives them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from intacct_api.envelope import Result
from intacct_api.errors import ErrorDetail, ResultMismatchError, describe
from intacct_api.functions import Function
from intacct_api.rest.client import RestAnswer, RestClient
from intacct_api.rest.errors import error_details, error_object
from intacct_api.rest.mapping import ObjectMap
from intacct_api.rest.query import QUERY_PATH

Batch = list[tuple[Function, list[dict[str, Any]]]]
# The error number of a create refused because its Idempotency-Key ran with another body.
KEY_CONFLICT = "409"


@dataclass
class RestResult(Result):
    """A result built from a REST answer: its rows are kept, not an XML `<data>` element."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.rows]


class KeyedBatches:
    """One connection's keyed batch writes (a run's marker for keys of records sent again)."""

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest
        self._run = uuid.uuid4().hex
        self._retries: dict[str, int] = {}

    def send(
        self,
        name: str,
        mapping: ObjectMap,
        batch: Batch,
        atomic: bool,
        key: str | None = None,
    ) -> list[Result]:
        """POST (create) or PATCH (update) the batch's records in one request, keyed.

        A 409 says the key ran before with another body (these functions, rendered otherwise:
        an earlier version of them). Creates whose records are there already ran: they fail as
        the XML gateway's "control id already ran", so the caller reads them back. The rest go
        again under a key that also names this body, so a lost answer still lands once.
        """
        functions = [function for function, _ in batch]
        records = [record for _, owned in batch for record in owned]
        first_try = key is None
        key = key or idempotency_key(name, mapping.path, functions)
        answer = self.rest.send(
            "POST" if name == "create" else "PATCH", f"/objects/{mapping.path}", body=records,
            idempotency_key=key, transaction=atomic or any(len(owned) > 1 for _, owned in batch),
        )  # fmt: skip
        if answer.status == 409 and (error_object(answer.body) or {}).get("code") == "conflict":
            return self._conflict(
                name, mapping, batch, atomic, key=key, first_try=first_try, answer=answer
            )
        results = spread(batch, answer, name, mapping)
        refused = [i for i, result in enumerate(results) if not result.ok]
        if name == "create" and first_try and _replayed(answer) and answer.tries == 1:
            # Intacct knew the key before this request first went out: another run (at the same
            # time, or earlier) created these records; callers read them back as already run
            results = [ran_elsewhere(result) if result.ok else result for result in results]
        if refused and _replayed(answer):
            # Intacct answers a key it has seen with its first answer, failures too (for 48 h):
            # what failed then (a reference not written yet, say) goes again under this run's
            # next key for it, so a lost answer still lands once
            self._retries[key] = self._retries.get(key, 0) + 1
            seed = f"{key}\n{self._run}\n{self._retries[key]}"
            retried = self.send(name, mapping, [batch[i] for i in refused], atomic,
                                f"{name}-{hashlib.sha256(seed.encode()).hexdigest()}")  # fmt: skip
            for index, result in zip(refused, retried, strict=True):
                results[index] = result
        return results

    def _conflict(
        self,
        name: str,
        mapping: ObjectMap,
        batch: Batch,
        atomic: bool,
        *,
        key: str,
        first_try: bool,
        answer: RestAnswer,
    ) -> list[Result]:
        """After a 409: what is there already ran; the rest goes under a key naming its body."""
        records = [record for _, owned in batch for record in owned]
        present = self._present_ids(mapping, records) if name == "create" else set()
        ran = [
            bool(owned) and all(str(r.get("id")) in present for r in owned) for _, owned in batch
        ]
        again = [entry for entry, done in zip(batch, ran, strict=True) if not done]
        resent: list[Result] = []
        if again and first_try:
            body = json.dumps([r for _, owned in again for r in owned], sort_keys=True)
            digest = hashlib.sha256(f"{key}\n{body}".encode()).hexdigest()
            resent = self.send(name, mapping, again, atomic, f"{name}-{digest}")
        elif again:
            ran = [True] * len(batch)  # the body's own key conflicts too: read everything back
        detail = ErrorDetail(
            errorno=KEY_CONFLICT,
            description2="The control id already ran: Intacct answered 409 for its "
            f"Idempotency-Key ({describe(answer.errors)})",
        )
        out = iter(resent)
        return [
            RestResult(name, function.control_id, "failure", (detail,)) if done else next(out)
            for (function, _), done in zip(batch, ran, strict=True)
        ]

    def _present_ids(self, mapping: ObjectMap, records: list[dict[str, Any]]) -> set[str]:
        """Which of the records' IDs the object holds now (one query)."""
        wanted = sorted({str(r["id"]) for r in records if r.get("id") is not None})
        if not wanted:
            return set()
        body = {"object": mapping.path, "fields": ["id"], "size": len(wanted),
                "filters": [{"$in": {"id": wanted}}]}  # fmt: skip
        answer = self.rest.send("POST", QUERY_PATH, body=body, read_only=True)
        found = (answer.body or {}).get("ia::result") or [] if answer.status == 200 else []
        return {str(row.get("id")) for row in found}


def spread(batch: Batch, answer: RestAnswer, name: str, mapping: ObjectMap) -> list[Result]:
    """Per-function results from a batch answer (a whole-request error fails them all).

    The entries are paired with the records sent (`paired`), so a function gets its own
    records' results even when an answer lists them in another order.
    """
    functions = [function for function, _ in batch]
    body = answer.body
    entries = body.get("ia::result") if isinstance(body, dict) else None
    if answer.status == 204 or (name == "delete" and answer.status == 200 and entries is None):
        return [success(f, []) for f in functions]
    if not isinstance(entries, list):
        if answer.status >= 300:
            return [failed(f, answer) for f in functions]
        entries = [entries]
    records = [record for _, owned in batch for record in owned]
    mine_all = paired(name, records, entries, [f.control_id for f in functions])
    results: list[Result] = []
    position = 0
    for function, owned in batch:
        mine = mine_all[position : position + len(owned)]
        position += len(owned)
        errors = [e for e in mine if isinstance(e, dict) and error_object(e)]
        if errors:
            details = tuple(d for e in errors for d in error_details(e))
            results.append(RestResult(name, function.control_id, "failure", details))
            continue
        rows = [] if name == "delete" else [_reference_row(mapping, e) for e in mine]
        results.append(success(function, rows))
    return results


def paired(
    name: str, records: list[dict[str, Any]], entries: list[Any], control_ids: list[str]
) -> list[Any]:
    """The answer's entries in the order of the records sent.

    A success names its record (a create by `id`, an update or delete by `key`) and is paired
    by that name; the rest (errors, records without one) take the places left, in order. An
    answer that leaves a record out, answers one twice, names one not sent, or reorders records
    so that several unnamed entries cannot be placed raises `ResultMismatchError`: nothing is
    concluded from it.
    """
    field_name = "id" if name == "create" else "key"
    places: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        if record.get(field_name) is not None:
            places.setdefault(str(record[field_name]), []).append(index)
    every_named = bool(places) and sum(map(len, places.values())) == len(records)
    placed: list[Any] = [None] * len(records)
    moved = False  # a named entry away from its record's place
    unnamed: list[Any] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for position, entry in enumerate(entries):
        named = entry.get(field_name) if isinstance(entry, dict) else None
        if named is None or error_object(entry):
            unnamed.append(entry)
            continue
        free = [i for i in places.get(str(named), []) if placed[i] is None]
        if free:
            placed[free[0]] = entry
            moved = moved or free[0] != position
        elif str(named) in places:
            repeated.append(str(named))
        elif every_named:
            unknown.append(str(named))
        else:
            unnamed.append(entry)
    open_places = [i for i, entry in enumerate(placed) if entry is None]
    reordered = moved and len(unnamed) > 1
    if unknown or repeated or reordered or len(open_places) != len(unnamed):
        missing = [str(records[i].get(field_name, f"#{i + 1}")) for i in open_places]
        raise ResultMismatchError.listing(
            f"{len(records)} records sent, {len(entries)} results",
            [
                (f"no result for record(s) {field_name}", missing[len(unnamed) :]),
                (f"results for record(s) not sent, {field_name}", unknown),
                (f"more than one result for {field_name}", repeated),
                ("results reordered, several naming no record, for", missing * reordered),
            ],
            control_ids=control_ids,
        )
    for index, entry in zip(open_places, unnamed, strict=True):
        placed[index] = entry
    return placed


def _reference_row(mapping: ObjectMap, entry: Any) -> dict[str, Any]:
    """A written record's reference as the XML answer's row (RECORDNO and the ID field)."""
    row = {"RECORDNO": str(entry.get("key"))} if isinstance(entry, dict) else {}
    if mapping.id_field and isinstance(entry, dict) and entry.get("id") is not None:
        row[mapping.id_field] = str(entry["id"])
    return row


def idempotency_key(name: str, path: str, functions: list[Function]) -> str:
    """The same functions (same control ids) give the same key: a re-sent batch lands once."""
    digest = hashlib.sha256("\n".join([name, path, *(f.control_id for f in functions)]).encode())
    return f"{name}-{digest.hexdigest()}"


def _replayed(answer: RestAnswer) -> bool:
    """Whether Intacct answered from its idempotency store (a key it had seen)."""
    return any(name.lower() == "x-ia-idempotency-cached-date" for name in answer.headers)


def ran_elsewhere(result: Result) -> RestResult:
    """A create another run made under the same key: the XML gateway's "control id already ran"."""
    detail = ErrorDetail(
        description2="The control id already ran: Intacct answered the first request under "
        "this Idempotency-Key from its idempotency store (an earlier request made the record)",
    )
    return RestResult(result.function, result.control_id, "failure", (detail,))


def success(function: Function, rows: list[dict[str, Any]]) -> RestResult:
    """The function succeeded, with these rows."""
    return RestResult(function.name, function.control_id, "success", count=len(rows), rows=rows)


def failure(function: Function, errorno: str, message: str) -> RestResult:
    """The function failed for a reason of our own (not Intacct's answer)."""
    detail = ErrorDetail(errorno=errorno, description2=message)
    return RestResult(function.name, function.control_id, "failure", (detail,))


def failed(function: Function, answer: RestAnswer) -> RestResult:
    """The function failed with Intacct's errors of the whole answer."""
    errors = answer.errors or (
        ErrorDetail(errorno=str(answer.status), description2="no error given"),
    )
    return RestResult(function.name, function.control_id, "failure", errors)
