"""Incremental reads: only what changed, changes during a read, and a kill -9 mid-stream."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time

from magento_api import MagentoClient
from tap_magento.tap import TapMagento
from tap_magento_support import TAP, oauth_config, parse_messages, place_orders, run_tap


def increments(records):
    return sorted(r["increment_id"] for r in records)


def test_a_second_run_emits_only_what_changed(shop):
    first = run_tap(oauth_config(shop))
    unchanged = run_tap(oauth_config(shop), first.state)
    assert [m for m in unchanged.messages if m["type"] == "RECORD"] == []

    orders = {o["increment_id"]: o for o in first.records("orders")}
    (new,) = place_orders(shop, 1)
    client = TapMagento(config=oauth_config(shop)).client
    client.request("POST", f"V1/orders/{orders['000000203']['entity_id']}/comments", body={
        "statusHistory": {"comment": "Called the customer", "is_customer_notified": 0,
                          "is_visible_on_front": 0, "parent_id": orders["000000203"]["entity_id"]},
    })  # fmt: skip
    invoice_id = client.request("POST", f"V1/order/{orders['000000202']['entity_id']}/invoice",
                                body={"capture": False})  # fmt: skip
    second = run_tap(oauth_config(shop), first.state)
    assert increments(second.records("orders")) == ["000000202", "000000203", new["increment_id"]]
    (commented,) = [o for o in second.records("orders") if o["increment_id"] == "000000203"]
    assert commented["status_histories"][0]["comment"] == "Called the customer"
    assert [i["entity_id"] for i in second.records("invoices")] == [invoice_id]
    for stream in ("customers", "products", "categories", "creditmemos", "shipments"):
        assert second.records(stream) == [], stream


def test_orders_updated_during_a_read_are_neither_lost_nor_duplicated(shop, monkeypatch):
    place_orders(shop, 12)
    before = {o["entity_id"]: o for o in shop.admin("GET", "/_emulator/dump")["orders"]}
    order_ids = sorted(before)
    changed: list[int] = []
    real_request = MagentoClient.request

    def request(self, method, path, **kwargs):
        answer = real_request(self, method, path, **kwargs)
        if path == "V1/orders" and not changed:
            read = [o["entity_id"] for o in answer["items"]]
            # one order already read and one not read yet change while the read goes on
            unread = next(i for i in reversed(order_ids) if i not in read)
            for order_id in (read[0], unread):
                real_request(self, "POST", f"V1/orders/{order_id}/hold")
                changed.append(order_id)
        return answer

    monkeypatch.setattr(MagentoClient, "request", request)
    run = run_tap(oauth_config(shop, page_size=3))
    records = run.records("orders")
    versions = [(r["entity_id"], r["updated_at"]) for r in records]
    assert len(versions) == len(set(versions))  # no version twice
    after = {o["entity_id"]: o for o in shop.admin("GET", "/_emulator/dump")["orders"]}
    last_seen = {}
    for record in records:
        last_seen[record["entity_id"]] = record
    assert set(last_seen) == set(after)  # none lost
    for order_id in changed:
        assert last_seen[order_id]["status"] == "holded"  # the version after the change
    assert sum(1 for r in records if r["entity_id"] not in changed) == len(after) - len(changed)


def test_kill_9_mid_stream_resumes_without_loss(shop, tmp_path):
    place_orders(shop, 40)
    expected = {o["increment_id"] for o in shop.admin("GET", "/_emulator/dump")["orders"]}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(oauth_config(shop, page_size=5)))
    catalog = tmp_path / "catalog.json"
    discovered = subprocess.run([TAP, "--config", str(config), "--discover"],
                                capture_output=True, check=True).stdout  # fmt: skip
    entries = json.loads(discovered)
    for entry in entries["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == "orders"
    catalog.write_text(json.dumps(entries))
    # Every answer after the fourth orders page takes long: the tap is killed inside the stream.
    shop.admin(
        "POST",
        "/_emulator/faults",
        {"kind": "slow", "path": "/V1/orders", "after": 4, "count": 100, "delay": 2},
    )
    process = subprocess.Popen(
        [TAP, "--config", str(config), "--catalog", str(catalog)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    output = b""
    deadline = time.monotonic() + 60
    while output.count(b'"type":"STATE"') < 3 and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            output += os.read(process.stdout.fileno(), 65536)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    shop.admin("DELETE", "/_emulator/faults")
    complete = output[: output.rfind(b"\n") + 1]
    killed = parse_messages(complete)
    states = [m["value"] for m in killed if m["type"] == "STATE"]
    read_before = [m["record"]["increment_id"] for m in killed if m["type"] == "RECORD"]
    assert 0 < len(read_before) < len(expected)  # it really stopped inside the stream
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(states[-1]))
    resumed = subprocess.run(
        [TAP, "--config", str(config), "--catalog", str(catalog), "--state", str(state_file)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    read_after = [m["record"]["increment_id"] for m in parse_messages(resumed)
                  if m["type"] == "RECORD"]  # fmt: skip
    assert set(read_before) | set(read_after) == expected  # nothing lost
    last_state = max(n for n, m in enumerate(killed) if m["type"] == "STATE")
    acknowledged = {
        m["record"]["increment_id"] for m in killed[:last_state] if m["type"] == "RECORD"
    }
    assert acknowledged
    assert not set(read_after) & acknowledged  # what the last STATE covers is not read again
    assert len(read_after) == len(set(read_after))
