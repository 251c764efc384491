"""Injected faults: what is retried, what is not, and when a write becomes ambiguous."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest
from intacct_api import functions as fn
from intacct_api.client import Credentials, IntacctClient
from intacct_api.errors import (
    AmbiguousWriteError,
    ConcurrencyLimitError,
    FunctionError,
    RateLimitError,
    ServiceUnavailableError,
)


def arm(gateway, kind: str, **options) -> None:
    gateway.admin("POST", "/_emulator/faults", {"kind": kind, **options})


def fired(gateway, kind: str) -> int:
    return int(gateway.admin("GET", "/_emulator/stats")["faults"].get(kind, 0))


def exists(client, customer_id: str) -> bool:
    return client.call(fn.read_by_query("CUSTOMER", f"CUSTOMERID = '{customer_id}'")).count == 1


def new_customer(customer_id: str) -> fn.Function:
    return fn.create("CUSTOMER", {"CUSTOMERID": customer_id, "NAME": f"Fault test {customer_id}"})


@pytest.mark.parametrize("kind", ["http_429", "http_502", "http_503"])
def test_gateway_refusals_are_retried_for_reads(gateway, client, served, kind):
    client.login()
    arm(gateway, kind, count=2, function="readByQuery")
    before = served()
    assert client.call(fn.read_by_query("DEPARTMENT")).count == 3
    assert served() - before == 3
    assert fired(gateway, kind) >= 2


@pytest.mark.parametrize("kind", ["http_429", "http_502", "http_503"])
def test_gateway_refusals_are_retried_for_writes(gateway, client, served, new_id, kind):
    customer_id = new_id("C")
    client.login()
    arm(gateway, kind, count=2, function="create")
    before = served()
    client.call(new_customer(customer_id))
    assert served() - before == 3
    assert exists(client, customer_id)


def test_retries_stop_at_max_tries(gateway, make_client, served):
    client = make_client(max_tries=3)
    client.login()
    arm(gateway, "http_503", count=10, function="readByQuery")
    before = served()
    with pytest.raises(ServiceUnavailableError, match="HTTP 503") as caught:
        client.call(fn.read_by_query("DEPARTMENT"))
    assert caught.value.status_code == 503
    assert served() - before == 3


def test_retries_stop_at_max_time(gateway, make_client):
    client = make_client(max_tries=100, max_time=1.0, backoff_factor=0.2, backoff_max=0.4)
    client.login()
    arm(gateway, "http_502", count=1000, function="readByQuery")
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError, match="HTTP 502"):
        client.call(fn.read_by_query("DEPARTMENT"))
    assert time.monotonic() - started < 3.0
    assert 2 < client.request_count < 100


def test_retry_after_is_honoured(gateway, make_client):
    client = make_client(backoff_factor=0.01, backoff_max=5)
    client.login()
    arm(gateway, "http_429", count=1, function="lookup")  # the emulator sends Retry-After: 1
    started = time.monotonic()
    client.call(fn.lookup("DEPARTMENT"))
    assert time.monotonic() - started >= 1.0


def test_rate_limit_error_names_the_gateway_code(gateway, make_client):
    client = make_client(max_tries=2)
    client.login()
    arm(gateway, "http_429", count=5, function="lookup")
    with pytest.raises(RateLimitError, match="GW-0010") as caught:
        client.call(fn.lookup("CUSTOMER"))
    assert caught.value.status_code == 429


@pytest.mark.parametrize("kind", ["http_524", "drop_connection"])
def test_cut_off_reads_are_retried(gateway, client, served, kind):
    client.login()
    arm(gateway, kind, count=1, function="query")
    before = served()
    result = client.call(fn.query("DEPARTMENT", ["RECORDNO"]))
    assert result.count == 3
    assert served() - before == 2


@pytest.mark.parametrize("kind", ["http_524", "drop_connection"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_cut_off_writes_are_ambiguous(gateway, client, served, new_id, kind, when):
    customer_id = new_id("C")
    client.login()
    arm(gateway, kind, count=1, function="create", when=when)
    before = served()
    function = new_customer(customer_id)
    with pytest.raises(AmbiguousWriteError) as caught:
        client.call(function)
    assert served() - before == 1  # never repeated blindly
    assert caught.value.control_ids == (function.control_id,)
    assert "read the records back" in str(caught.value)
    # The caller reads back by natural key: the write ran only when the cut came after it.
    assert exists(client, customer_id) == (when == "after")


def test_ambiguous_write_is_resolved_with_unique_id(gateway, client, new_id):
    customer_id = new_id("C")
    function = fn.create(
        "CUSTOMER", {"CUSTOMERID": customer_id, "NAME": "Once"}, control_id=new_id("ctl")
    )
    client.login()
    arm(gateway, "http_524", count=1, function="create", when="after")
    with pytest.raises(AmbiguousWriteError):
        client.execute([function], unique_id=True)
    (again,) = client.execute([function], unique_id=True)  # same control id: refused, not doubled
    assert again.status == "failure"
    assert client.call(fn.read_by_query("CUSTOMER", f"CUSTOMERID = '{customer_id}'")).count == 1


def test_read_time_out_is_retried_and_write_time_out_is_ambiguous(
    gateway, make_client, new_id, served
):
    client = make_client(timeout=(2.0, 1.0))
    client.login()
    arm(gateway, "slow", count=1, function="readByQuery", delay=2.0)
    before = served()
    assert client.call(fn.read_by_query("DEPARTMENT")).count == 3
    assert served() - before == 2

    customer_id = new_id("C")
    arm(gateway, "slow", count=1, function="create", delay=2.0)
    before = served()
    with pytest.raises(AmbiguousWriteError, match="time-out"):
        client.call(new_customer(customer_id))
    assert served() - before == 1


def test_concurrency_refusal_is_retried_until_a_slot_frees(
    gateway, make_client, served, demo, new_id
):
    company = new_id("busy").lower()  # its own company: no other test's requests count
    credentials = replace(demo, company_id=company)
    slow_client, client = (
        make_client(credentials),
        make_client(credentials, max_tries=12, backoff_factor=0.1, backoff_max=0.5),
    )
    slow_client.login()
    client.login()
    arm(gateway, "concurrency", count=1, company=company)
    arm(gateway, "slow", count=1, function="lookup", company=company, delay=0.5)
    slow_before, errors = fired(gateway, "slow"), []

    def slow_call() -> None:
        try:
            slow_client.call(fn.lookup("CUSTOMER"))
        except Exception as exc:
            errors.append(exc)

    worker = threading.Thread(target=slow_call)
    worker.start()
    try:
        while fired(gateway, "slow") == slow_before:  # the slow request now holds the slot
            threading.Event().wait(0.02)
        refused_before, before = fired(gateway, "concurrency"), served()
        assert client.call(fn.lookup("DEPARTMENT")).ok
        assert fired(gateway, "concurrency") > refused_before
        assert served() - before >= 2  # refused at least once, then let through
    finally:
        worker.join()
    assert errors == []


def test_concurrency_refusals_are_not_tries(gateway, make_client, served):
    """Refused for concurrency longer than max_tries would allow: still answered, never failed."""
    client = make_client(max_tries=2)
    client.login()
    arm(gateway, "concurrency", count=0, company="demo")
    opened = threading.Timer(1.0, lambda: gateway.admin("DELETE", "/_emulator/faults"))
    opened.start()
    before = served()
    try:
        assert client.call(fn.read_by_query("DEPARTMENT")).count == 3
    finally:
        opened.cancel()
    assert served() - before > 2
    assert client.slots.limit == 1 and client.slots.refusals == served() - before - 1


def test_concurrency_refusal_gives_up_after_max_concurrency_wait(gateway, make_client):
    client = make_client(max_tries=3, max_concurrency_wait=0.5)
    client.login()
    arm(gateway, "concurrency", count=0, company="demo")
    started = time.monotonic()
    with pytest.raises(ConcurrencyLimitError, match="too many operations"):
        client.call(fn.read_by_query("DEPARTMENT"))
    assert time.monotonic() - started >= 0.5


def test_expired_result_id_is_a_function_error(gateway, client, served):
    page = client.call(fn.read_by_query("CUSTOMER", fields="RECORDNO", page_size=2))
    assert page.num_remaining and page.result_id
    arm(gateway, "resultid_expiry", count=1, function="readMore")
    before = served()
    with pytest.raises(FunctionError, match="resultId"):
        client.call(fn.read_more(page.result_id))
    assert served() - before == 1


def test_connection_refused_is_retried_for_writes_too(new_id):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    credentials = Credentials("s", "sp", "c", "u", "up")
    client = IntacctClient(
        credentials, f"http://127.0.0.1:{port}/ia/xml/xmlgw.phtml", max_tries=3, backoff_factor=0.01
    )
    with client, pytest.raises(ServiceUnavailableError, match="could not connect"):
        client.call(new_customer(new_id("C")))
    assert client.request_count == 3  # the login, tried three times: nothing was ever sent
