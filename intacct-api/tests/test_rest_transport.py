"""The REST client and the XML functions over REST, against the emulator over real HTTP.

Every REST exchange of the module is checked against the reduced OpenAPI definition at the end.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from intacct_api import functions as fn
from intacct_api.client import IntacctClient
from intacct_api.errors import AmbiguousWriteError, AuthenticationError
from intacct_api.rest.client import RestClient
from intacct_api.rest.oauth import OAuthCredentials
from intacct_api.rest.transport import RestTransport

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))
import intacct_rest_openapi

CLIENT = OAuthCredentials("demo_client_id.app.sage.com", "demo_client_secret", "demo", "demo_user")
FAST = {"backoff_factor": 0.01, "backoff_max": 2.0, "max_tries": 4, "timeout": (2.0, 10.0)}
FIELDS = [
    "RECORDNO",
    "CUSTOMERID",
    "NAME",
    "STATUS",
    "DISPLAYCONTACT.EMAIL1",
    "WHENMODIFIED",
    "CREDITLIMIT",
    "TOTALDUE",
    "ONHOLD",
    "LOYALTY_TIER",
    "LOYALTY_POINTS",
    "LAST_REVIEW_DATE",
    "MEGAENTITYID",
]


@pytest.fixture(scope="module")
def journaled(emulator: Any) -> Iterator[Any]:
    with intacct_rest_openapi.checked(emulator):
        yield emulator


@pytest.fixture
def rest_url(journaled: Any, gateway: Any) -> str:
    return journaled.base_url + "/ia/api/v1"


@pytest.fixture
def make_transport(
    rest_url: str, make_client: Callable[..., IntacctClient]
) -> Iterator[Callable[..., RestTransport]]:
    made: list[RestTransport] = []

    def make(credentials: OAuthCredentials = CLIENT, fallback: bool = False, **options: Any):
        client = RestClient(credentials, rest_url, **(FAST | options))
        transport = RestTransport(client, make_client() if fallback else None)
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.close()


def customer(new_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "CUSTOMERID": new_id,
        "NAME": f"Rest {new_id}",
        "STATUS": "active",
        "DISPLAYCONTACT": {"PRINTAS": new_id, "EMAIL1": f"{new_id.lower()}@x.example"},
        **extra,
    }


def tokens_of(rest_url: str) -> dict[str, Any]:
    """A token answer of the client-credentials grant (its refresh token for the tests)."""
    seed = RestClient(CLIENT, rest_url, **FAST)
    form = {"grant_type": "client_credentials", "client_id": CLIENT.client_id,
            "client_secret": CLIENT.client_secret, "username": CLIENT.username}  # fmt: skip
    try:
        return seed._token_request("/oauth2/token", form)[1]
    finally:
        seed.close()


FILTERS = [
    None,
    fn.eq("STATUS", "active"),
    fn.ne("STATUS", "active"),
    fn.ge("WHENMODIFIED", "2026-10-01 08:00:17"),
    fn.or_(
        fn.gt("WHENMODIFIED", "2026-10-01 08:00:16"),
        fn.and_(fn.eq("WHENMODIFIED", "2026-10-01 08:00:16"), fn.gt("RECORDNO", 2)),
    ),
    fn.in_("CUSTOMERID", ["C-1001", "C-1003", "C-1005"]),
    fn.and_(fn.like("CUSTOMERID", "C-10%"), fn.is_null("DISPLAYCONTACT.EMAIL1")),
    fn.is_not_null("LOYALTY_TIER"),
    fn.between("RECORDNO", 2, 6),
]


@pytest.mark.parametrize("filter_", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_query_over_rest_answers_what_xml_answers(make_transport, client, filter_):
    """Same function, both transports: the same rows (dates follow each one's rendering)."""
    order = [("WHENMODIFIED", True), ("RECORDNO", True)]
    xml = client.call(fn.query("CUSTOMER", FIELDS, filter=filter_, order_by=order)).records()
    rest = make_transport().call(fn.query("CUSTOMER", FIELDS, filter=filter_, order_by=order))

    def comparable(row: dict[str, Any], date_of: Callable[[str], str]) -> dict[str, Any]:
        out = dict(row)
        out["LAST_REVIEW_DATE"] = row["LAST_REVIEW_DATE"] and date_of(row["LAST_REVIEW_DATE"])
        out["WHENMODIFIED"] = (
            row["WHENMODIFIED"] and date_of(row["WHENMODIFIED"][:10]) + row["WHENMODIFIED"][10:]
        )
        out["CREDITLIMIT"] = row["CREDITLIMIT"] and float(row["CREDITLIMIT"])
        return out

    def us(iso: str) -> str:  # the emulator's demo user reads MM/DD/YYYY
        return f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}"

    assert [comparable(r, us) for r in rest.records()] == [comparable(r, str) for r in xml]
    assert rest.total_count == len(xml) and rest.num_remaining == 0


def test_keyset_pages_over_rest(make_transport):
    transport = make_transport()
    order = [("WHENMODIFIED", True), ("RECORDNO", True)]
    seen, filter_ = [], None
    while True:
        page = transport.call(
            fn.query(
                "CUSTOMER",
                ["RECORDNO", "WHENMODIFIED"],
                filter=filter_,
                order_by=order,
                page_size=3,
            )
        )
        rows = page.records()
        seen += [r["RECORDNO"] for r in rows]
        if not page.num_remaining:
            break
        last = rows[-1]
        filter_ = fn.or_(
            fn.gt("WHENMODIFIED", last["WHENMODIFIED"]),
            fn.and_(
                fn.eq("WHENMODIFIED", last["WHENMODIFIED"]), fn.gt("RECORDNO", last["RECORDNO"])
            ),
        )
    everything = transport.call(fn.query("CUSTOMER", ["RECORDNO"], order_by=order, page_size=4000))
    assert seen == [r["RECORDNO"] for r in everything.records()] and len(set(seen)) == len(seen)


def test_lookup_from_the_model(make_transport):
    declared = dict(fn.lookup_fields(make_transport().call(fn.lookup("CUSTOMER")).records()))
    assert declared["RECORDNO"] == "INTEGER" and declared["WHENMODIFIED"] == "TIMESTAMP"
    assert declared["TOTALDUE"] == "CURRENCY" and declared["ONHOLD"] == "BOOLEAN"
    assert declared["LAST_REVIEW_DATE"] == "DATE" and declared["LOYALTY_POINTS"] == "INTEGER"
    assert declared["DISPLAYCONTACT.MAILADDRESS.CITY"] == "TEXT"


def test_writes_batch_into_one_request_with_results_per_function(make_transport, client, new_id):
    transport = make_transport()
    transport.login()
    one, two = new_id("C"), new_id("C")
    before = transport.request_count
    results = transport.execute(
        [
            fn.create("CUSTOMER", customer(one)),
            fn.create("CUSTOMER", customer("C-1001")),  # exists already
            fn.create("CUSTOMER", customer(two, CREDITLIMIT="250.75")),
        ]
    )
    assert transport.request_count - before == 2  # the model, then one batch
    assert [r.status for r in results] == ["success", "failure", "success"]
    assert "already exists" in str(results[1].errors[0])
    assert results[0].records()[0]["CUSTOMERID"] == one
    stored = client.call(
        fn.query(
            "CUSTOMER",
            ["CUSTOMERID", "CREDITLIMIT", "DISPLAYCONTACT.EMAIL1"],
            filter=fn.in_("CUSTOMERID", [one, two]),
        )
    ).records()
    assert {r["CUSTOMERID"]: r["CREDITLIMIT"] for r in stored} == {one: None, two: "250.75"}
    key = results[2].records()[0]["RECORDNO"]
    updated = transport.execute(
        [
            fn.update("CUSTOMER", {"RECORDNO": key, "NAME": "Renamed"}),
            fn.update("CUSTOMER", {"CUSTOMERID": one, "DISPLAYCONTACT": {"EMAIL1": ""}}),
        ]
    )
    assert [r.status for r in updated] == ["success", "success"]
    rows = {
        r["CUSTOMERID"]: r
        for r in client.call(
            fn.query(
                "CUSTOMER",
                ["CUSTOMERID", "NAME", "DISPLAYCONTACT.EMAIL1"],
                filter=fn.in_("CUSTOMERID", [one, two]),
            )
        ).records()
    }
    assert rows[two]["NAME"] == "Renamed" and rows[one]["DISPLAYCONTACT.EMAIL1"] is None
    assert transport.call(fn.delete("CUSTOMER", key)).ok
    assert not client.call(
        fn.query("CUSTOMER", ["RECORDNO"], filter=fn.eq("CUSTOMERID", two))
    ).records()


def test_a_field_without_rest_name_fails_its_function_only(make_transport, new_id):
    one = new_id("C")
    results = make_transport().execute(
        [
            fn.create("CUSTOMER", customer(new_id("C"), HIDEDISPLAYCONTACT="true")),
            fn.create("CUSTOMER", customer(one)),
        ]
    )
    assert [r.status for r in results] == ["failure", "success"]
    assert "HIDEDISPLAYCONTACT has no REST name" in str(results[0].errors[0])


def test_lost_answer_is_resent_with_the_same_key_and_lands_once(
    make_transport, client, gateway, new_id
):
    gateway.admin(
        "POST",
        "/_emulator/faults",
        {"kind": "drop_connection", "function": "rest.create", "when": "after"},
    )
    one = new_id("C")
    result = make_transport().call(fn.create("CUSTOMER", customer(one)))
    assert result.ok
    rows = client.call(
        fn.query("CUSTOMER", ["RECORDNO"], filter=fn.eq("CUSTOMERID", one))
    ).records()
    assert len(rows) == 1 and rows[0]["RECORDNO"] == result.records()[0]["RECORDNO"]


def test_unkeyed_write_cut_off_is_ambiguous(make_transport, gateway, new_id):
    gateway.admin(
        "POST",
        "/_emulator/faults",
        {"kind": "drop_connection", "function": "rest.create", "when": "after"},
    )
    rest = make_transport().rest
    with pytest.raises(AmbiguousWriteError):
        rest.send(
            "POST",
            "/objects/accounts-receivable/customer",
            body={"id": new_id("C"), "name": "x", "contacts": {"default": {"printAs": "x"}}},
        )


def test_rate_limit_waits_retry_after(make_transport, gateway):
    transport = make_transport()
    transport.login()
    gateway.admin(
        "POST", "/_emulator/faults", {"kind": "http_429", "function": "rest.query", "delay": 1}
    )
    started = time.monotonic()
    assert transport.call(fn.query("CUSTOMER", ["RECORDNO"])).ok
    assert time.monotonic() - started >= 1.0


def test_401_mid_run_gets_a_new_token_and_goes_on(make_transport, gateway):
    transport = make_transport()
    assert transport.call(fn.query("CUSTOMER", ["RECORDNO"])).ok
    gateway.admin("POST", "/_emulator/faults", {"kind": "token_expiry", "function": "rest.query"})
    assert transport.call(fn.query("CUSTOMER", ["RECORDNO"])).ok
    assert transport.rest.tokens.grants == 2


def test_refresh_token_rotates_into_the_token_file(make_transport, rest_url, tmp_path):
    first = tokens_of(rest_url)
    token_file = tmp_path / "state" / "intacct-token.json"
    refreshing = OAuthCredentials(
        CLIENT.client_id,
        CLIENT.client_secret,
        "demo",
        grant="refresh_token",
        refresh_token=first["refresh_token"],
        token_file=str(token_file),
    )
    assert make_transport(refreshing).call(fn.query("CUSTOMER", ["RECORDNO"])).ok
    saved = token_file.read_text()
    assert first["refresh_token"] not in saved and "refresh_token" in saved
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    # the next run starts from the file (the configured token is spent)
    assert make_transport(refreshing).call(fn.query("CUSTOMER", ["RECORDNO"])).ok
    assert token_file.read_text() != saved


def test_revoked_refresh_token_stops_with_what_to_do(make_transport, rest_url, gateway, caplog):
    first = tokens_of(rest_url)
    gateway.admin("POST", "/_emulator/rest/revoke", {"company": "demo"})
    refreshing = OAuthCredentials(
        CLIENT.client_id,
        CLIENT.client_secret,
        "demo",
        grant="refresh_token",
        refresh_token=first["refresh_token"],
    )
    with (
        caplog.at_level(logging.DEBUG, logger="intacct_api"),
        pytest.raises(AuthenticationError) as caught,
    ):
        make_transport(refreshing).call(fn.query("CUSTOMER", ["RECORDNO"]))
    message = str(caught.value)
    assert "\n" not in message and "REST-2102" in message and "authorize the client" in message
    for secret in (first["refresh_token"], first["access_token"], CLIENT.client_secret):
        assert secret not in message and secret not in caplog.text


def test_debug_logs_hold_no_secret(make_transport, caplog, new_id):
    with caplog.at_level(logging.DEBUG, logger="intacct_api"):
        transport = make_transport()
        transport.call(fn.create("CUSTOMER", customer(new_id("C"))))
        tokens = transport.rest.tokens
        held = [tokens._token.access, tokens._refresh, CLIENT.client_secret]  # type: ignore[union-attr]
    assert "POST" in caplog.text and "Bearer" not in caplog.text
    for secret in filter(None, held):
        assert secret not in caplog.text
    assert "client_secret" not in repr(CLIENT) and CLIENT.client_secret not in repr(CLIENT)


def test_entity_requests_see_the_entity(make_transport, client):
    rows = client.call(fn.query("CUSTOMER", ["MEGAENTITYID"], page_size=2000)).records()
    entity = sorted({r["MEGAENTITYID"] for r in rows} - {None})[0]
    scoped = (
        make_transport(CLIENT.for_entity(entity))
        .call(fn.query("CUSTOMER", ["MEGAENTITYID"], page_size=2000))
        .records()
    )
    assert {r["MEGAENTITYID"] for r in scoped} <= {entity, None} and len(scoped) < len(rows)


def test_what_rest_cannot_do_goes_to_xml_or_fails_clearly(make_transport):
    functions = [
        fn.query("AUDITHISTORY", ["RECORDNO"], page_size=1),
        fn.read_user_formatting("demo_user"),
    ]
    alone = make_transport().execute(functions)
    assert not alone[0].ok and "not found over the REST API" in str(alone[0].errors[0])
    mixed = make_transport(fallback=True).execute(functions)
    assert mixed[0].ok and mixed[0].records()
    assert alone[1].records()[0]["dateformat"] == "-Ymd"  # REST alone: ISO dates, UTC
    assert mixed[1].records()[0]["dateformat"] == "/mdY"  # the XML user's, for both


def test_with_an_xml_fallback_rest_values_read_like_xml_ones(make_transport, client):
    """One rendering for both transports: the tap parses rows of either the same way."""
    select = ["RECORDNO", "WHENMODIFIED", "LAST_REVIEW_DATE"]
    after = fn.ge("WHENMODIFIED", "10/01/2026 08:00:17")  # the XML user's MM/DD/YYYY
    xml = client.call(fn.query("CUSTOMER", select, filter=after, order_by=["RECORDNO"])).records()
    mixed = make_transport(fallback=True)
    rest = mixed.call(fn.query("CUSTOMER", select, filter=after, order_by=["RECORDNO"]))
    assert rest.records() == xml and xml
    assert mixed.fallback is not None and mixed.rest.request_count >= 2


def test_bad_client_secret_is_one_line(make_transport):
    wrong = OAuthCredentials(CLIENT.client_id, "not-the-secret", "demo", "demo_user")
    with pytest.raises(AuthenticationError) as caught:
        make_transport(wrong).call(fn.query("CUSTOMER", ["RECORDNO"]))
    assert "client_id and client_secret" in str(caught.value) and "not-the-secret" not in str(
        caught.value
    )


def test_a_key_reused_for_records_that_are_there_reads_as_already_executed(
    make_transport, client, new_id
):
    """Intacct's 409 for a reused Idempotency-Key, the records there: "control id already ran"."""
    transport = make_transport()
    one = new_id("C")
    first = fn.create("CUSTOMER", customer(one), control_id=new_id("ctl"))
    assert transport.call(first).ok
    # the same function (control id), rendered otherwise: Intacct refuses the key with a 409
    changed = fn.create("CUSTOMER", customer(one, NAME="Renamed"), control_id=first.control_id)
    again = transport.execute([changed])[0]
    assert not again.ok
    text = str(again.errors[0]).lower()
    assert "control id" in text and "already" in text and "409" in text
    rows = client.call(fn.query("CUSTOMER", ["NAME"], filter=fn.eq("CUSTOMERID", one))).records()
    assert [r["NAME"] for r in rows] == [f"Rest {one}"]


def test_a_key_reused_for_records_not_there_sends_them_again_once(
    make_transport, client, gateway, new_id
):
    """After a 409, records the key did not write go again under a key naming their body."""
    transport = make_transport()
    first = fn.create("CUSTOMER", customer(new_id("C")), control_id=new_id("ctl"))
    assert transport.call(first).ok
    other = new_id("C")
    changed = fn.create("CUSTOMER", customer(other), control_id=first.control_id)
    # the answer of the re-send under the new key is lost too: it is sent again and lands once
    gateway.admin("POST", "/_emulator/faults", {"kind": "drop_connection", "when": "after",
                                                "function": "rest.create", "after": 1})  # fmt: skip
    since = len(gateway.rest.journal)
    result = transport.execute([changed])[0]
    assert result.ok and result.records()[0]["RECORDNO"]
    posts = [(e.status, e.idempotency_key) for e in gateway.rest.journal[since:]
             if e.method == "POST" and e.path.endswith("/customer")]  # fmt: skip
    statuses, keys = zip(*posts, strict=True)
    assert statuses == (409, 201) and keys[0] != keys[1]  # the dropped one is not journaled
    assert gateway.admin("GET", "/_emulator/faults")["faults"] == []  # it fired
    rows = client.call(fn.query("CUSTOMER", ["RECORDNO"], filter=fn.eq("CUSTOMERID", other)))
    assert [r["RECORDNO"] for r in rows.records()] == [result.records()[0]["RECORDNO"]]


def test_a_failed_write_sent_again_later_is_tried_again(make_transport, new_id):
    """Intacct replays a key's first answer, failures too: a later try gets a key of its own."""
    transport = make_transport()
    line, item = new_id("PL"), new_id("IT")
    create = fn.create("ITEM", {"ITEMID": item, "NAME": item, "ITEMTYPE": "Inventory",
                                "PRODUCTLINEID": line}, control_id=new_id("ctl"))  # fmt: skip
    first = transport.execute([create])[0]
    assert not first.ok and "BL03000017" in str(first.errors)
    assert transport.call(fn.create("PRODUCTLINE", {"PRODUCTLINEID": line})).ok
    again = transport.execute([create])[0]
    assert again.ok and again.records()[0]["RECORDNO"]


def test_batch_entries_are_paired_with_their_records_by_id_or_refused():
    """Entries come back by the record they name; what cannot be placed concludes nothing."""
    from intacct_api.errors import ResultMismatchError
    from intacct_api.rest.batches import paired

    records = [{"id": "A"}, {"id": "B"}, {"id": "C"}]
    error = {"ia::error": {"message": "refused"}, "ia::status": 422}
    reordered = [{"key": "3", "id": "C"}, error, {"key": "1", "id": "A"}]
    assert paired("create", records, reordered, []) == [reordered[2], error, reordered[0]]
    in_order = [error, {"key": "2", "id": "B"}, error]
    assert paired("create", records, in_order, []) == in_order
    for answer in (
        [{"id": "C"}, error, error],  # reordered, two errors: which is whose?
        [{"id": "A"}, {"id": "B"}],  # one left out
        [{"id": "A"}, {"id": "A"}, {"id": "C"}],  # one twice
        [{"id": "A"}, {"id": "B"}, {"id": "Z"}],  # one never sent
    ):
        with pytest.raises(ResultMismatchError, match="does not match the request"):
            paired("create", records, answer, ["c1"])
    # records without their ID (Intacct numbers them): entries in order
    assert paired("create", [{}, {}], [{"id": "X"}, {"id": "Y"}], []) == [{"id": "X"}, {"id": "Y"}]
