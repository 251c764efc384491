"""REST bulk jobs from the client: create, poll, download, per-function results, resume by id.

Against the emulator over HTTP; every exchange is checked against the reduced OpenAPI file.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from intacct_api import functions as fn
from intacct_api.rest.bulk_jobs import BulkJobError, BulkJobs
from intacct_api.rest.client import RestClient
from intacct_api.rest.mapping import object_map
from intacct_api.rest.oauth import OAuthCredentials

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))
import intacct_rest_openapi

CLIENT = OAuthCredentials("demo_client_id.app.sage.com", "demo_client_secret", "demo", "demo_user")
FAST = {"backoff_factor": 0.01, "backoff_max": 2.0, "max_tries": 4, "timeout": (2.0, 10.0)}
CUSTOMER = object_map("CUSTOMER")


@pytest.fixture
def rest(emulator: Any, gateway: Any) -> Iterator[RestClient]:
    with intacct_rest_openapi.checked(emulator):
        client = RestClient(CLIENT, emulator.base_url + "/ia/api/v1", **FAST)
        yield client
        client.close()


def batch_of(ids: list[str]) -> list[tuple[Any, list[dict[str, Any]]]]:
    """One create function per customer, with its REST record."""
    out = []
    for cid in ids:
        record = {"id": cid, "name": f"Bulk {cid}", "contacts": {"default": {"printAs": cid}}}
        out.append((fn.create("CUSTOMER", {"CUSTOMERID": cid, "NAME": record["name"]}), [record]))
    return out


def fresh(count: int) -> list[str]:
    return [f"C-J{uuid.uuid4().hex[:8].upper()}" for _ in range(count)]


def test_a_job_gives_per_function_results_as_a_batch_does(rest: RestClient, gateway: Any) -> None:
    assert CUSTOMER is not None
    ids = fresh(3)
    ids[1] = "C-1001"  # the demo company has it: that function fails, the others land
    jobs = BulkJobs(rest, first_pause=0.01)
    created: list[str] = []
    results = jobs.run("create", CUSTOMER, batch_of(ids), on_created=created.append)
    assert len(created) == 1
    assert [r.ok for r in results] == [True, False, True]
    assert "already exists" in str(results[1].errors[0])
    assert [r.records()[0]["CUSTOMERID"] for r in (results[0], results[2])] == [ids[0], ids[2]]
    assert results[0].records()[0]["RECORDNO"].isdigit()
    stored = {r["CUSTOMERID"] for r in gateway.records("demo", "CUSTOMER")}
    assert {ids[0], ids[2]} <= stored


def test_polls_back_off_while_the_job_runs(rest: RestClient, gateway: Any) -> None:
    assert CUSTOMER is not None
    gateway.admin("POST", "/_emulator/config", {"latency_per_record": 0.05})
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    try:
        jobs = BulkJobs(rest, first_pause=0.02, max_pause=0.1, sleep=sleep)
        results = jobs.run("create", CUSTOMER, batch_of(fresh(10)))
    finally:
        gateway.admin("POST", "/_emulator/config", {"latency_per_record": 0.0})
    assert all(r.ok for r in results)
    assert len(pauses) >= 3 and pauses == sorted(pauses) and max(pauses) == pytest.approx(0.1)
    assert jobs.polls == len(pauses) + 1


def test_a_job_is_resumed_by_its_id_not_created_again(rest: RestClient, gateway: Any) -> None:
    assert CUSTOMER is not None
    ids = fresh(2)
    jobs = BulkJobs(rest, first_pause=0.01)
    job_id = jobs.create("create", CUSTOMER, [record for _, (record,) in batch_of(ids)])
    before = gateway.admin("GET", "/_emulator/stats")
    results = BulkJobs(rest, first_pause=0.01).run("create", CUSTOMER, batch_of(ids), job_id=job_id)
    after = gateway.admin("GET", "/_emulator/stats")
    assert [r.ok for r in results] == [True, True]
    assert creates(after) == creates(before)
    stored = [r["CUSTOMERID"] for r in gateway.records("demo", "CUSTOMER")]
    assert all(stored.count(i) == 1 for i in ids)


def creates(stats: dict[str, Any]) -> int:
    return int(stats["functions"].get("rest.bulk.create", 0))


def test_a_rate_limited_poll_waits_retry_after(rest: RestClient, gateway: Any) -> None:
    assert CUSTOMER is not None
    job_id = BulkJobs(rest).create("create", CUSTOMER, [batch_of(fresh(1))[0][1][0]])
    gateway.admin("POST", "/_emulator/faults",
                  {"kind": "http_429", "function": "rest.bulk.status", "delay": 1})  # fmt: skip
    started = time.monotonic()
    status = BulkJobs(rest, first_pause=0.01).wait(job_id)
    assert status["status"] == "completed" and time.monotonic() - started >= 1.0


def test_a_failed_job_and_an_unknown_one_raise_naming_the_job(rest: RestClient) -> None:
    assert CUSTOMER is not None
    with pytest.raises(BulkJobError, match="nope"):
        BulkJobs(rest).wait("nope")
