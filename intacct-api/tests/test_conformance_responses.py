"""Offline conformance of response parsing: the SDK's response and error fixtures.

Sessions, paged reads, writes, several results in one response, request-level errors (and the
error class each maps to), function-level errors, rollbacks and lookup data.
"""

from __future__ import annotations

import pytest
from intacct_api.envelope import parse_response
from intacct_api.errors import (
    AuthenticationError,
    ControlError,
    FunctionError,
    GatewayError,
    InvalidSessionError,
)
from intacct_conformance_support import body, load, needs_fixtures
from lxml import etree

pytestmark = needs_fixtures


def test_get_api_session_responses():
    response = parse_response(body("resp_01")).raise_for_status()
    assert response.auth.session_timeout == "2015-12-07T15:57:08-08:00"
    api = response.results[0].records()[0]
    assert api == {
        "sessionid": "fAkESesSiOnId..",
        "endpoint": "https://unittest.intacct.com/ia/xml/xmlgw.phtml",
        "locationid": None,
    }
    entity = parse_response(body("resp_02"))
    assert entity.auth.location_id == "testentity"
    assert entity.results[0].records()[0]["locationid"] == "testentity"


def test_read_by_query_responses():
    result = parse_response(body("resp_03")).results[0].raise_for_status()
    assert (result.function, result.listtype, result.count, result.total_count) == (
        "readByQuery",
        "customer",
        1,
        1,
    )
    assert result.num_remaining == 0
    assert result.result_id is None
    assert result.records() == [{"CUSTOMERID": "C0001", "NAME": "Sage Intacct, Inc"}]

    paged = parse_response(body("resp_04")).results[0]
    assert (paged.num_remaining, paged.result_id) == (1, "myResultId")
    row = paged.records()[0]
    assert row["DESCRIPTION"] is None
    assert row["WHENMODIFIED"] == "07/24/2017 15:19:46"

    empty = parse_response(body("resp_05")).results[0]
    assert (empty.count, empty.total_count, empty.records()) == (0, 0, [])

    page1 = parse_response(body("resp_12")).results[0]
    page2 = parse_response(body("resp_13")).results[0]
    assert page1.result_id == page2.result_id == "7765623330Vqb8pMCoA4IAAEnuglgAAAAL5"
    assert (page1.num_remaining, page2.num_remaining) == (1, 0)
    assert [r["ACCOUNTNO"] for r in page1.records() + page2.records()] == ["1010", "1020"]


def test_read_and_write_responses():
    read = parse_response(body("resp_06")).results[0]
    assert (read.listtype, read.count) == ("CUSTOMER", 1)
    assert read.records() == [{"RECORDNO": "149", "CUSTOMERID": "10074", "STATUS": "active"}]
    key = parse_response(body("resp_07")).results[0]
    assert (key.function, key.key, key.records()) == ("create_class", "C1234", [])
    created = parse_response(body("resp_10")).results[0]
    assert created.records() == [
        {"RECORDNO": "5", "CLASSID": "UT01"},
        {"RECORDNO": "6", "CLASSID": "UT02"},
    ]
    deleted = parse_response(body("resp_11")).results[0].raise_for_status()
    assert (deleted.function, deleted.data, deleted.records()) == ("delete", None, [])
    updated = parse_response(body("resp_14")).results[0]
    assert (updated.listtype, updated.count) == ("objects", 2)


def test_multiple_results_and_acknowledgement():
    response = parse_response(body("resp_08"))
    assert [r.control_id for r in response.results] == ["testControlId", "test2", "test3"]
    assert response.result("test2").listtype == "vendor"
    assert response.result("test3").records()[0]["ACHENABLED"] == "true"
    ack = parse_response(body("resp_09")).raise_for_status()
    assert (ack.acknowledgement, ack.results, ack.auth) == ("success", [], None)


@pytest.mark.parametrize(
    ("name", "status_code", "error_class", "errorno", "phrases"),
    [
        ("err_01", None, AuthenticationError, "XL03000006", ["'fakeuser'", "fix user_id"]),
        ("err_02", None, ControlError, "XL03000006", ["transport policy"]),
        ("err_03", None, ControlError, "PL04000055", ["demo company and has expired"]),
        ("err_04", 401, GatewayError, "XMLGW_JPP0002", ["HTTP 401", "fix sender_id"]),
        ("err_13", None, InvalidSessionError, "XL03000006", ["invalid or expired"]),
        ("err_14", None, ControlError, "XL03000003", ["could not parse", "PROJECTID line 18"]),
        ("err_16", None, AuthenticationError, "XL03000006", ["Sign-in information is incorrect"]),
        ("doc_01", None, AuthenticationError, "XL03000006", ["Web Services authorizations"]),
        ("doc_04", 400, GatewayError, "GW-0011", ["HTTP 400", "check sender_id"]),
        (
            "doc_05",
            None,
            ControlError,
            "XL03000003",
            ["Support ID: p5rxS~YxEXrDEnVyr0F531W8X9bQAAACQ"],
        ),
    ],
)
def test_request_level_errors(name, status_code, error_class, errorno, phrases):
    response = parse_response(body(name), status_code=status_code)
    with pytest.raises(error_class) as caught:
        response.raise_for_status()
    assert type(caught.value) is error_class
    assert caught.value.errorno == errorno
    for phrase in phrases:
        assert phrase in str(caught.value)
    if status_code is not None:
        assert caught.value.status_code == status_code


def test_sender_credentials_message():
    raw = body("err_02").replace(
        b"test is not a valid transport policy.", b"Incorrect Intacct XML Partner ID or password."
    )
    with pytest.raises(ControlError) as caught:
        parse_response(raw).raise_for_status()
    assert str(caught.value).startswith("Intacct rejected the sender ID/password: ")
    assert str(caught.value).endswith("; fix sender_id/sender_password")


@pytest.mark.parametrize(
    ("name", "function", "status", "errornos", "phrase"),
    [
        ("err_05", "readByQuery", "failure", ["Query Failed"], "Object definition BADOBJECT"),
        ("err_07", "read", "failure", ["XXX"], "VENDOR2 not found"),
        (
            "err_08",
            "create",
            "failure",
            ["BL34000061", "BL01001973", "BL01001973"],
            "UT01  already",
        ),
        ("err_09", "delete", "failure", ["BL01001973"], "key 'UT01' to delete"),
        ("err_10", "readMore", "failure", ["readMore failed"], "invalid or expired resultId"),
        (
            "err_11",
            "update",
            "failure",
            ["Cannot update non-existing CLASS with CLASSID=UT99."],
            "",
        ),
        ("err_12", "readByQuery", "failure", ["DL02000001"], "error processing the request"),
        ("doc_02", "create", "failure", ["BL01001973", "BL01001973"], "'5000.11' already exists"),
    ],
)
def test_function_errors(name, function, status, errornos, phrase):
    response = parse_response(body(name)).raise_for_status()
    result = response.results[0]
    assert (result.function, result.status, result.ok) == (function, status, False)
    assert [e.errorno for e in result.errors] == errornos
    with pytest.raises(FunctionError) as caught:
        result.raise_for_status()
    assert caught.value.result is result
    assert phrase in str(caught.value)
    assert result.control_id in str(caught.value)


def test_support_id_is_url_decoded():
    error = parse_response(body("doc_02")).results[0].errors[0]
    assert error.support_id == "EsppO~ZEcj0DEGV_L5hm95Ec91twAAABA"
    assert error.description == "Duplicate account number"
    assert error.correction == "Enter unique account number"
    assert "%7E" not in error.description2


def test_transaction_rollback():
    results = parse_response(body("err_06")).results
    assert [r.status for r in results] == ["aborted", "failure"]
    with pytest.raises(FunctionError, match="was rolled back"):
        results[0].raise_for_status()
    assert [e.errorno for e in results[1].errors] == ["Get API Session Failed", "XL03000009"]


def test_lookup_data_keeps_attributes_and_lists():
    wrapped = (
        b"<response><control><status>success</status></control><operation><authentication>"
        b"<status>success</status></authentication><result><status>success</status>"
        b'<function>lookup</function><controlid>x</controlid><data listtype="All" count="1">'
        + etree.tostring(load("doc_06"))
        + b"</data></result></operation></response>"
    )
    (record,) = parse_response(wrapped).results[0].records()
    assert (record["@Name"], record["@DocumentType"]) == ("GLBATCH", "")
    fields = record["Fields"]["Field"]
    assert [f["ID"] for f in fields] == ["RECORDNO", "STATE"]
    assert len(fields[1]["VALIDVALUES"]["VALIDVALUE"]) == 8
    assert record["Relationships"]["Relationship"]["RELATEDBY"] == "JOURNAL"
