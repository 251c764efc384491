"""Requests in parallel through `ParallelRequests`, within the company's concurrency limit.

The emulator's latency model makes every answer wait, so overlapping requests show in wall time;
its concurrency fault refuses what goes over the limit, as Intacct does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from intacct_api import functions as fn
from intacct_api.concurrency import ParallelRequests, RequestSlots

LATENCY = 0.4


@pytest.fixture
def slow_gateway(gateway):
    gateway.admin("POST", "/_emulator/config", {"latency_base": LATENCY})
    yield gateway
    gateway.admin("POST", "/_emulator/config", {"latency_base": 0})


def departments(client, _: object = None) -> int:
    return client.call(fn.query("DEPARTMENT", ["RECORDNO"])).count


def test_requests_overlap_up_to_max_concurrency(slow_gateway, make_client, demo, new_id):
    company = new_id("par").lower()  # its own company: other tests' requests do not count
    parallel = ParallelRequests(4)
    client = make_client(replace(demo, company_id=company), slots=parallel.slots)
    client.login()
    try:
        counts = parallel.map(lambda n: departments(client, n), range(8))
    finally:
        parallel.close()
    assert counts == [0] * 8  # a new company has no departments; every answer came back
    assert parallel.slots.peak == 4 and parallel.slots.refusals == 0  # four at once, never five


def test_a_concurrency_refusal_lowers_the_parallelism_and_loses_nothing(
    slow_gateway, make_client, demo, new_id
):
    company = new_id("cap").lower()
    slow_gateway.admin("POST", "/_emulator/faults",
                       {"kind": "concurrency", "count": 2, "company": company})  # fmt: skip
    parallel = ParallelRequests(4)
    client = make_client(replace(demo, company_id=company), slots=parallel.slots, max_tries=1)
    client.login()
    try:
        counts = parallel.map(lambda n: departments(client, n), range(12))
    finally:
        parallel.close()
    assert counts == [0] * 12
    assert parallel.slots.refusals >= 1 and parallel.slots.limit <= 2
    assert client.request_count == 1 + 12 + parallel.slots.refusals  # login, answers, refusals


def test_map_raises_the_first_failure_after_every_item_finished():
    finished: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> int:
        time.sleep(0.05 * (n % 3))
        if n == 1:
            raise ValueError("item 1 failed")
        with lock:
            finished.append(n)
        return n

    parallel = ParallelRequests(3)
    try:
        with pytest.raises(ValueError, match="item 1 failed"):
            parallel.map(work, range(6))
        assert sorted(finished) == [0, 2, 3, 4, 5]
        assert parallel.map(work, [0, 2, 5, 4]) == [0, 2, 5, 4]  # results in the items' order
    finally:
        parallel.close()


def test_a_thread_inside_its_slot_does_not_wait_for_another():
    """A token request or fallback call made during an exchange runs in the same slot."""
    slots = RequestSlots(1)
    with slots.slot(), slots.slot():
        assert slots.in_flight == 1
    assert slots.in_flight == 0


def test_slots_hold_at_most_the_limit():
    slots = RequestSlots(2)
    inside, most = [0], [0]
    lock = threading.Lock()

    def hold() -> None:
        with slots.slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    workers = [threading.Thread(target=hold) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert most[0] == 2 and slots.peak == 2
    with pytest.raises(ValueError, match="max_concurrency must be 1 or more"):
        RequestSlots(0)
