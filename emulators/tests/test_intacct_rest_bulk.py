"""The Intacct emulator's REST bulk jobs and composite requests, over HTTP.

Every exchange of the module is checked against the reduced OpenAPI definition at the end.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests
from connector_emulators.intacct.server import IntacctEmulator
from emulator_rest_support import api, bearer

CUSTOMER = "accounts-receivable/customer"


@pytest.fixture
def emu(rest_emulator: IntacctEmulator) -> IntacctEmulator:
    return rest_emulator


def customer(name: str | None = None) -> dict[str, Any]:
    cid = name or f"C-B{uuid.uuid4().hex[:8].upper()}"
    return {"id": cid, "name": f"Bulk {cid}", "contacts": {"default": {"printAs": cid}}}


def create_job(
    emu: IntacctEmulator, records: Any, operation: str = "create", file: bytes | None = None
) -> requests.Response:
    spec = {"objectName": CUSTOMER, "operation": operation, "jobFile": "customers.json",
            "fileContentType": "json"}  # fmt: skip
    files = {
        "ia::requestBody": (None, json.dumps(spec), "application/json"),
        "file": ("customers.json", file or json.dumps(records).encode(), "application/json"),
    }
    return requests.post(
        api(emu) + "/services/bulk/job/create", files=files, headers=bearer(emu), timeout=10
    )


def poll(emu: IntacctEmulator, job_id: str) -> list[dict[str, Any]]:
    """Status answers until the job is done."""
    seen = []
    for _ in range(400):
        answer = requests.get(api(emu) + "/services/bulk/job/status", params={"jobId": job_id},
                              headers=bearer(emu), timeout=10)  # fmt: skip
        assert answer.status_code == 200
        seen.append(answer.json()["ia::result"])
        if seen[-1]["status"] in ("completed", "failed"):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {seen[-1]}")


def download(emu: IntacctEmulator, job_id: str) -> requests.Response:
    return requests.get(api(emu) + "/services/bulk/job/status", headers=bearer(emu), timeout=10,
                        params={"jobId": job_id, "download": "true"})  # fmt: skip


def customer_ids(emu: IntacctEmulator) -> set[str]:
    return {r["CUSTOMERID"] for r in emu.records("demo", "CUSTOMER")}


def test_bulk_job_runs_each_record_alone_past_failures(emu: IntacctEmulator) -> None:
    emu.admin("POST", "/_emulator/config", {"latency_per_record": 0.02})
    try:
        records = [customer() for _ in range(6)]
        records[2] = {**customer("C-1001")}  # an ID the demo company has: a duplicate
        records[4] = {"id": "C-NOFIELD", "noSuchField": 1}
        created = create_job(emu, records)
        assert created.status_code == 200
        job = created.json()["ia::result"]
        assert job["statusURL"] == f"/services/bulk/job/status?jobId={job['jobId']}"
        early = download(emu, job["jobId"])  # not completed yet: no result file
        assert early.status_code == 400
        seen = poll(emu, job["jobId"])
    finally:
        emu.admin("POST", "/_emulator/config", {"latency_per_record": 0.0})
    assert any(s["status"] == "processing" and 0 <= s["percentComplete"] < 100 for s in seen)
    assert seen[-1]["status"] == "completed" and seen[-1]["percentComplete"] == 100
    assert seen[-1]["downloadURL"].endswith("&download=true")
    results = download(emu, job["jobId"]).json()
    assert [r.get("ia::status", 200) for r in results] == [200, 200, 409, 200, 400, 200]
    assert "is not a valid field" in json.dumps(results[4])
    good = {r["id"] for i, r in enumerate(records) if i not in (2, 4)}
    assert good <= customer_ids(emu) and "C-NOFIELD" not in customer_ids(emu)
    assert [r["id"] for r in results if "id" in r] == [r["id"] for r in records if r["id"] in good]


def test_bulk_update_and_delete_by_key(emu: IntacctEmulator) -> None:
    records = [customer(), customer()]
    first = download_after(emu, create_job(emu, records))
    keys = [r["key"] for r in first]
    updated = download_after(
        emu, create_job(emu, [{"key": keys[0], "name": "Renamed"}, {"key": "999999"}], "update")
    )
    assert updated[0]["key"] == keys[0] and updated[1]["ia::status"] == 404
    names = {r["CUSTOMERID"]: r["NAME"] for r in emu.records("demo", "CUSTOMER")}
    assert names[records[0]["id"]] == "Renamed"
    deleted = download_after(emu, create_job(emu, [{"key": k} for k in keys], "delete"))
    assert [r["key"] for r in deleted] == keys
    assert not {r["id"] for r in records} & customer_ids(emu)


def download_after(emu: IntacctEmulator, created: requests.Response) -> list[dict[str, Any]]:
    job_id = created.json()["ia::result"]["jobId"]
    assert poll(emu, job_id)[-1]["status"] == "completed"
    results: list[dict[str, Any]] = download(emu, job_id).json()
    return results


def test_bulk_job_refusals_and_a_file_that_is_not_json(emu: IntacctEmulator) -> None:
    bad_operation = create_job(emu, [customer()], operation="upsert")
    assert bad_operation.status_code == 400
    assert bad_operation.json()["ia::result"]["ia::error"]["code"] == "invalidRequest"
    not_multipart = requests.post(api(emu) + "/services/bulk/job/create", json={"a": 1},
                                  headers=bearer(emu), timeout=10)  # fmt: skip
    assert not_multipart.status_code == 400
    broken = create_job(emu, None, file=b"{not json")
    assert poll(emu, broken.json()["ia::result"]["jobId"])[-1]["status"] == "failed"
    unknown = requests.get(api(emu) + "/services/bulk/job/status", params={"jobId": "nope"},
                           headers=bearer(emu), timeout=10)  # fmt: skip
    assert unknown.status_code == 404


def composite(emu: IntacctEmulator, subrequests: Any) -> requests.Response:
    return requests.post(api(emu) + "/services/core/composite", json=subrequests,
                         headers=bearer(emu), timeout=10)  # fmt: skip


def test_composite_references_earlier_results(emu: IntacctEmulator) -> None:
    record = customer()
    answer = composite(emu, [
        {"method": "POST", "path": f"/objects/{CUSTOMER}", "body": record,
         "resultReference": "made", "headers": {"Idempotency-Key": uuid.uuid4().hex}},
        {"method": "GET", "path": f"/objects/{CUSTOMER}/@{{made.key}}", "resultReference": "got"},
        {"method": "POST", "path": "/services/core/query",
         "body": {"object": CUSTOMER, "fields": ["key", "id"],
                  "filters": [{"$eq": {"id": "@{got.id}"}}]}},
    ])  # fmt: skip
    assert answer.status_code == 200
    entries = answer.json()["ia::result"]
    assert [e["ia::status"] for e in entries] == [201, 200, 200]
    assert entries[1]["ia::result"]["id"] == record["id"]
    assert entries[2]["ia::result"] == [
        {"key": entries[0]["ia::result"]["key"], "id": record["id"]}
    ]
    assert answer.json()["ia::meta"] == {"totalCount": 3, "totalSuccess": 3, "totalError": 0}


def test_composite_stops_at_the_first_failure(emu: IntacctEmulator) -> None:
    after = customer()
    answer = composite(emu, [
        {"method": "POST", "path": f"/objects/{CUSTOMER}", "body": customer("C-1001")},
        {"method": "POST", "path": f"/objects/{CUSTOMER}", "body": after},
    ])  # fmt: skip
    assert answer.status_code == 207
    first, second = answer.json()["ia::result"]
    assert first["ia::status"] == 409 and "already exists" in first["ia::error"]["message"]
    assert second == {
        "ia::status": 422,
        "ia::error": {
            "code": "unprocessed",
            "message": "Operation skipped due to atomic transaction failure",
        },
    }
    assert after["id"] not in customer_ids(emu)


def test_composite_subrequest_idempotency_key_replays(emu: IntacctEmulator) -> None:
    key = uuid.uuid4().hex
    record = customer()
    subs = [{"method": "POST", "path": f"/objects/{CUSTOMER}", "body": record,
             "headers": {"Idempotency-Key": key}},
            {"method": "GET", "path": f"/objects/{CUSTOMER}"}]  # fmt: skip
    first, again = composite(emu, subs), composite(emu, subs)
    assert first.status_code == again.status_code == 200
    assert first.json()["ia::result"][0] == again.json()["ia::result"][0]
    assert sorted(customer_ids(emu)).count(record["id"]) == 1
    other = composite(emu, [{**subs[0], "body": customer()}, subs[1]])
    assert other.status_code == 207 and other.json()["ia::result"][0]["ia::status"] == 409


def test_composite_limits(emu: IntacctEmulator) -> None:
    one = [{"method": "GET", "path": f"/objects/{CUSTOMER}"}]
    assert composite(emu, one).status_code == 400
    assert composite(emu, one * 11).status_code == 400
    missing = composite(emu, [one[0], {"method": "GET", "path": f"/objects/{CUSTOMER}/@{{x.key}}"}])
    assert missing.status_code == 207
    assert missing.json()["ia::result"][1]["ia::status"] == 400


def test_rest_writes_take_the_latency_models_time(emu: IntacctEmulator) -> None:
    emu.admin("POST", "/_emulator/config", {"latency_base": 0.1, "latency_per_record": 0.05})
    try:
        started = time.perf_counter()
        answer = requests.post(api(emu) + f"/objects/{CUSTOMER}", headers=bearer(emu), timeout=10,
                               json=[customer() for _ in range(4)])  # fmt: skip
        took = time.perf_counter() - started
    finally:
        emu.admin("POST", "/_emulator/config", {"latency_base": 0.0, "latency_per_record": 0.0})
    assert answer.status_code == 201
    assert took >= 0.1 + 4 * 0.05
