"""A paused `async.operations.all` consumer (no cron in the shop), over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from connector_emulators.magento.server import CONSUMER_INTERVAL


def queue_customers(api, *emails: str) -> str:
    body = [{"customer": {"email": e, "firstname": "Q", "lastname": "Ueued"}} for e in emails]
    response = api.post(f"{api.base}/async/bulk/V1/customers", json=body)
    assert response.status_code == 202
    return str(response.json()["bulk_uuid"])


def statuses(api, bulk_uuid: str, kind: str = "status") -> list[int]:
    answer = api.get(f"{api.base}/V1/bulk/{bulk_uuid}/{kind}").json()
    return [operation["status"] for operation in answer["operations_list"]]


def emails(shop) -> set[str]:
    return {customer["email"] for customer in shop.admin("GET", "/_emulator/dump")["customers"]}


def test_the_consumer_runs_by_default_and_can_be_paused(shop, api):
    assert shop.admin("GET", "/_emulator/config")["bulk_consumer"] == "running"
    paused = shop.admin("POST", "/_emulator/config", {"bulk_consumer": "paused"})
    assert paused["bulk_consumer"] == "paused"
    assert paused["input_limits"] is False  # the other switches are untouched
    assert shop.admin("GET", "/_emulator/config")["bulk_consumer"] == "paused"
    shop.admin("POST", "/_emulator/reset", {"seed": "demo"})
    assert shop.admin("GET", "/_emulator/config")["bulk_consumer"] == "running"


def test_a_paused_consumer_leaves_operations_open_even_for_status_reads(shop, api):
    shop.admin("POST", "/_emulator/config", {"bulk_consumer": "paused"})
    bulk_uuid = queue_customers(api, "p1@example.com", "p2@example.com")
    time.sleep(CONSUMER_INTERVAL * 3)
    assert statuses(api, bulk_uuid) == [4, 4]
    assert statuses(api, bulk_uuid, "detailed-status") == [4, 4]
    assert api.get(f"{api.base}/V1/bulk/{bulk_uuid}/operation-status/4").json() == 2
    detailed = api.get(f"{api.base}/V1/bulk/{bulk_uuid}/detailed-status").json()
    assert all(op["result_message"] is None for op in detailed["operations_list"])
    assert not {"p1@example.com", "p2@example.com"} & emails(shop)


def test_resuming_lets_the_consumer_run_the_waiting_operations(shop, api):
    shop.admin("POST", "/_emulator/config", {"bulk_consumer": "paused"})
    bulk_uuid = queue_customers(api, "r1@example.com", "r1@example.com")
    time.sleep(CONSUMER_INTERVAL * 2)
    shop.admin("POST", "/_emulator/config", {"bulk_consumer": "running"})
    deadline = time.monotonic() + 5
    while "r1@example.com" not in emails(shop) and time.monotonic() < deadline:
        time.sleep(0.05)  # no status read: the consumer thread alone runs them
    assert "r1@example.com" in emails(shop)
    bulk: dict[str, Any] = next(
        b for b in shop.admin("GET", "/_emulator/dump")["bulks"] if b["bulk_uuid"] == bulk_uuid
    )
    assert [op["status"] for op in bulk["operations"]] == [1, 3]
    assert bulk["operations"][1]["result_message"] == (
        "A customer with the same email address already exists in an associated website."
    )


def test_a_status_read_after_resuming_sees_the_operations_finished(shop, api):
    shop.admin("POST", "/_emulator/config", {"bulk_consumer": "paused"})
    bulk_uuid = queue_customers(api, "s1@example.com")
    assert statuses(api, bulk_uuid) == [4]
    shop.admin("POST", "/_emulator/config", {"bulk_consumer": "running"})
    assert statuses(api, bulk_uuid, "detailed-status") == [1]
    assert "s1@example.com" in emails(shop)


@pytest.mark.parametrize(
    "body",
    [{"bulk_consumer": "stopped"}, {"bulk_consumer": True}, {"bulk_consumer": "paused", "x": 1}],
)
def test_bad_consumer_settings_are_refused_and_change_nothing(shop, api, body):
    answer = shop.admin("POST", "/_emulator/config", body)
    assert "bad admin request" in answer["error"]
    assert shop.admin("GET", "/_emulator/config")["bulk_consumer"] == "running"
