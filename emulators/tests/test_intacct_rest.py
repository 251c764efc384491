"""The Intacct emulator's REST API: tokens, query, model, objects, idempotency, faults.

Every exchange of the module is checked against the reduced OpenAPI definition at the end.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from connector_emulators.intacct.objects import OBJECTS
from connector_emulators.intacct.rest_auth import CLIENT_ID, CLIENT_SECRET
from connector_emulators.intacct.server import IntacctEmulator
from emulator_rest_support import api, bearer, token

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))
import intacct_rest_openapi

CUSTOMERS = "/objects/accounts-receivable/customer"


@pytest.fixture
def emu(rest_emulator: IntacctEmulator) -> Iterator[IntacctEmulator]:
    rest_emulator.admin("DELETE", "/_emulator/faults")
    yield rest_emulator
    rest_emulator.admin("DELETE", "/_emulator/faults")
    rest_emulator.admin("POST", "/_emulator/config", {"token_lifetime": 43200})


def query(emu: IntacctEmulator, body: dict[str, Any], **headers: str) -> requests.Response:
    return requests.post(
        api(emu) + "/services/core/query", json=body, headers={**bearer(emu), **headers},
        timeout=10,
    )  # fmt: skip


def error_of(response: requests.Response) -> dict[str, Any]:
    return response.json()["ia::result"]["ia::error"]


def fresh(prefix: str) -> str:
    return f"{prefix}-R{uuid.uuid4().hex[:8].upper()}"


def test_client_credentials_then_refresh_rotates_and_revokes(emu: IntacctEmulator) -> None:
    first = token(emu)
    assert first["status"] == 200 and first["token_type"] == "Bearer"
    assert first["expires_in"] == 43200 and first["refresh_token"]
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": first["refresh_token"]}  # fmt: skip
    refreshed = requests.post(api(emu) + "/oauth2/token", data=form, timeout=10)
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != first["refresh_token"]
    again = requests.post(api(emu) + "/oauth2/token", data=form, timeout=10)  # rotated away
    assert again.status_code == 400
    assert error_of(again)["code"] == "tokenInvalid" and error_of(again)["errorId"] == "REST-2102"
    newest = refreshed.json()["refresh_token"]
    assert emu.admin("POST", "/_emulator/rest/revoke", {"company": "demo"})["revoked"] >= 1
    revoked = requests.post(
        api(emu) + "/oauth2/token", data={**form, "refresh_token": newest}, timeout=10
    )
    assert revoked.status_code == 400


def test_token_refusals(emu: IntacctEmulator) -> None:
    assert token(emu, client_secret="wrong")["status"] == 401
    assert token(emu, username="demo_user")["status"] == 400  # no @company
    assert token(emu, username="demo_user@demo|NOPE")["status"] == 400  # unknown entity
    missing = requests.post(
        api(emu) + "/services/core/query", json={"object": "x/y", "fields": ["key"]}, timeout=10
    )
    assert missing.status_code == 401 and error_of(missing)["code"] == "GW-0034"


def test_access_token_expires(emu: IntacctEmulator) -> None:
    emu.admin("POST", "/_emulator/config", {"token_lifetime": 1})
    headers = bearer(emu)
    time.sleep(1.1)
    body = {"object": "accounts-receivable/customer", "fields": ["key"]}
    expired = requests.post(
        api(emu) + "/services/core/query", json=body, headers=headers, timeout=10
    )
    assert expired.status_code == 401 and error_of(expired)["code"] == "GW-0031"


def test_query_filters_order_and_pages(emu: IntacctEmulator) -> None:
    body = {
        "object": "accounts-receivable/customer",
        "fields": ["key", "id", "status", "contacts.default.email1"],
        "filters": [{"$startsWith": {"id": "C-10"}}, {"$eq": {"status": "inactive"}},
                    {"$in": {"id": ["C-1001", "C-1002"]}}],
        "filterExpression": "1 and (2 or 3)",
        "orderBy": [{"id": "desc"}],
        "size": 2,
    }  # fmt: skip
    page = query(emu, body).json()
    ids = [row["id"] for row in page["ia::result"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2
    assert all(set(row) == set(body["fields"]) for row in page["ia::result"])
    meta = page["ia::meta"]
    assert meta["start"] == 1 and meta["pageSize"] == 2 and meta["next"] == 3
    rest = query(emu, {**body, "start": 3, "size": 4000}).json()
    everything = ids + [row["id"] for row in rest["ia::result"]]
    assert len(everything) == meta["totalCount"] and rest["ia::meta"]["next"] is None
    assert {"C-1001", "C-1002"} <= set(everything)
    assert all(i.startswith("C-10") for i in everything)


def test_query_refuses_what_sage_refuses(emu: IntacctEmulator) -> None:
    base = {"object": "accounts-receivable/customer", "fields": ["key"]}
    cases = [
        {**base, "size": 4001},
        {**base, "fields": ["nope"]},
        {**base, "filters": [{"$contains": {"audit.modifiedDateTime": "2026"}}]},
        {**base, "filters": [{"$eq": {"id": "a"}}], "filterExpression": "1 and 2"},
        {"object": "accounts-receivable/customer"},
    ]
    for body in cases:
        answer = query(emu, body)
        assert answer.status_code == 400, body
        assert error_of(answer)["code"] == "invalidRequest"


def test_model_describes_fields_groups_and_custom_fields(emu: IntacctEmulator) -> None:
    url = api(emu) + "/services/core/model?name=accounts-receivable/customer"
    found = requests.get(url, headers=bearer(emu), timeout=10).json()["ia::result"]
    assert found["fields"]["totalDue"] == {**found["fields"]["totalDue"], "type": "string",
                                           "format": "decimal-precision-2"}  # fmt: skip
    assert found["fields"]["nsp::LOYALTY_TIER"]["enum"] == ["Gold", "Silver", "Bronze"]
    assert found["groups"]["audit"]["fields"]["modifiedDateTime"]["format"] == "date-time"
    email = found["groups"]["contacts"]["groups"]["default"]["fields"]["email1"]
    assert email["type"] == "string"
    unknown = requests.get(
        api(emu) + "/services/core/model?name=x/y", headers=bearer(emu), timeout=10
    )
    assert unknown.json()["ia::result"] == []


def test_one_store_behind_both_apis(emu: IntacctEmulator) -> None:
    headers = bearer(emu)
    new_id = fresh("C")
    created = requests.post(
        api(emu) + CUSTOMERS, headers=headers, timeout=10,
        json={"id": new_id, "name": "Both Ways", "status": "active",
              "contacts": {"default": {"printAs": "Both Ways", "email1": "b@w.example"}}},
    )  # fmt: skip
    assert created.status_code == 201
    key = created.json()["ia::result"]["key"]
    stored = {r["CUSTOMERID"]: r for r in emu.records("demo", "CUSTOMER")}[new_id]
    assert stored["RECORDNO"] == key and stored["DISPLAYCONTACT.EMAIL1"] == "b@w.example"
    patched = requests.patch(
        api(emu) + f"{CUSTOMERS}/{key}", json={"creditLimit": 1500.5}, headers=headers, timeout=10
    )
    assert patched.status_code == 200
    stored = {r["CUSTOMERID"]: r for r in emu.records("demo", "CUSTOMER")}[new_id]
    assert stored["CREDITLIMIT"] == "1500.50" and stored["NAME"] == "Both Ways"
    read = requests.get(api(emu) + f"{CUSTOMERS}/{key}", headers=headers, timeout=10).json()
    assert read["ia::result"]["creditLimit"] == 1500.5
    assert read["ia::result"]["contacts"]["default"]["email1"] == "b@w.example"
    gone = requests.delete(api(emu) + f"{CUSTOMERS}/{key}", headers=headers, timeout=10)
    assert gone.status_code == 204 and not gone.content
    missing = requests.get(api(emu) + f"{CUSTOMERS}/{key}", headers=headers, timeout=10)
    assert missing.status_code == 404


def test_batch_is_per_record_unless_atomic(emu: IntacctEmulator) -> None:
    headers = bearer(emu)
    one, two = fresh("C"), fresh("C")
    records = [{"id": one, "name": "One", "contacts": {"default": {"printAs": "One"}}},
               {"id": "C-1001", "name": "Dup", "contacts": {"default": {"printAs": "Dup"}}},
               {"id": two, "name": "Two", "contacts": {"default": {"printAs": "Two"}}}]  # fmt: skip
    mixed = requests.post(api(emu) + CUSTOMERS, json=records, headers=headers, timeout=10)
    assert mixed.status_code == 207
    results = mixed.json()["ia::result"]
    assert (
        results[1]["ia::status"] == 409 and "already exists" in results[1]["ia::error"]["message"]
    )
    assert mixed.json()["ia::meta"] == {"totalCount": 3, "totalSuccess": 2, "totalError": 1}
    ids = {r["CUSTOMERID"] for r in emu.records("demo", "CUSTOMER")}
    assert {one, two} <= ids
    three = fresh("C")
    atomic = [{**records[0], "id": three}, records[1]]
    refused = requests.post(
        api(emu) + CUSTOMERS, json=atomic, timeout=10,
        headers={**headers, "X-IA-API-Param-Transaction": "true"},
    )  # fmt: skip
    assert refused.status_code == 409
    assert three not in {r["CUSTOMERID"] for r in emu.records("demo", "CUSTOMER")}


def test_idempotency_key_replays_or_conflicts(emu: IntacctEmulator) -> None:
    headers = {**bearer(emu), "Idempotency-Key": uuid.uuid4().hex}
    new_id = fresh("C")
    body = {"id": new_id, "name": "Once", "contacts": {"default": {"printAs": "Once"}}}
    first = requests.post(api(emu) + CUSTOMERS, json=body, headers=headers, timeout=10)
    again = requests.post(api(emu) + CUSTOMERS, json=body, headers=headers, timeout=10)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and "x-ia-idempotency-cached-date" in again.headers
    assert [r["CUSTOMERID"] for r in emu.records("demo", "CUSTOMER")].count(new_id) == 1
    other = requests.post(
        api(emu) + CUSTOMERS, json={**body, "name": "Twice"}, headers=headers, timeout=10
    )
    assert other.status_code == 409 and error_of(other)["code"] == "conflict"


def test_lost_answer_then_replay_lands_once(emu: IntacctEmulator) -> None:
    emu.admin("POST", "/_emulator/faults", {"kind": "drop_connection", "function": "rest.create",
                                            "when": "after"})  # fmt: skip
    headers = {**bearer(emu), "Idempotency-Key": uuid.uuid4().hex}
    new_id = fresh("C")
    body = {"id": new_id, "name": "Lost", "contacts": {"default": {"printAs": "Lost"}}}
    with pytest.raises(requests.ConnectionError):
        requests.post(api(emu) + CUSTOMERS, json=body, headers=headers, timeout=10)
    replay = requests.post(api(emu) + CUSTOMERS, json=body, headers=headers, timeout=10)
    assert replay.status_code == 201
    assert [r["CUSTOMERID"] for r in emu.records("demo", "CUSTOMER")].count(new_id) == 1


def test_rate_limit_answers_429_with_retry_after(emu: IntacctEmulator) -> None:
    emu.admin("POST", "/_emulator/faults", {"kind": "http_429", "function": "rest.query",
                                            "delay": 2})  # fmt: skip
    answer = query(emu, {"object": "accounts-receivable/customer", "fields": ["key"]})
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "2"
    assert error_of(answer)["code"] == "GW-0010"
    assert query(emu, {"object": "accounts-receivable/customer", "fields": ["key"]}).ok


def test_entity_header_and_entity_token_scope_reads(emu: IntacctEmulator) -> None:
    body = {"object": "accounts-receivable/customer", "fields": ["id", "entity.id"], "size": 4000}
    top = query(emu, body).json()["ia::result"]
    entities = {row["entity.id"] for row in top} - {None}
    assert entities, "the demo company has entity-owned customers"
    entity = sorted(entities)[0]
    scoped = query(emu, body, **{"X-IA-API-Param-Entity": entity}).json()["ia::result"]
    assert {row["entity.id"] for row in scoped} <= {entity, None}
    assert len(scoped) < len(top)
    url = api(emu) + "/services/core/query"
    minted = requests.post(
        url, json=body, headers=bearer(emu, f"demo_user@demo|{entity}"), timeout=10
    )
    assert minted.json()["ia::result"] == scoped
    bad = query(emu, body, **{"X-IA-API-Param-Entity": "NOPE"})
    assert bad.status_code == 400


def test_every_rest_object_of_the_catalogue_answers_every_read_endpoint(
    emu: IntacctEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Walks `objects.json`: list, query, model and read by key of every object Sage's REST API
    maps, each answer checked against the OpenAPI definition by the module's journal."""
    headers = bearer(emu)
    served = read_by_key = 0
    for obj in OBJECTS:
        if not obj.rest_path:
            gone = requests.get(api(emu) + f"/objects/{obj.name.lower()}/x", headers=headers,
                                timeout=10)  # fmt: skip
            assert gone.status_code == 404 and error_of(gone)["code"] == "notFound"
            continue
        listed = requests.get(api(emu) + f"/objects/{obj.rest_path}", headers=headers, timeout=10)
        assert listed.status_code == 200, (obj.name, listed.text)
        rows = listed.json()["ia::result"]
        found = query(emu, {"object": obj.rest_path, "fields": ["key"], "size": 1})
        assert found.status_code == 200, (obj.name, found.text)
        assert found.json()["ia::meta"]["totalCount"] == listed.json()["ia::meta"]["totalCount"]
        model = requests.get(
            api(emu) + f"/services/core/model?name={obj.rest_path}", headers=headers, timeout=10
        )
        assert model.status_code == 200 and model.json()["ia::result"]["fields"], obj.name
        served += 1
        if rows:
            one = requests.get(api(emu) + rows[0]["href"], headers=headers, timeout=10)
            assert one.status_code == 200, (obj.name, one.text)
            assert one.json()["ia::result"]["key"] == rows[0]["key"], obj.name
            read_by_key += 1
    paths = intacct_rest_openapi.definition()["paths"]
    operations = sum(1 for item in paths.values() for m in item if m in {"get", "post", "patch",
                                                                         "delete"})  # fmt: skip
    with capsys.disabled():
        print(
            f"\nIntacct REST: {operations} operations of the reduced OpenAPI definition served;"
            f" {served} of {len(OBJECTS)} objects answer list, query and model"
            f" ({read_by_key} read by key, the others hold no records), {len(OBJECTS) - served}"
            " not served (no REST path in Sage's object map: 404 notFound)"
        )
