"""Well-formed answers a client must not trust: "try again later" in a 200 body, error statuses
after login, results out of order, and results that do not match the request."""

from __future__ import annotations

import pytest
from hostile_server_support import HTML, Scenario, client_for, serve
from intacct_api import functions as fn
from intacct_api.errors import (
    AmbiguousWriteError,
    ControlError,
    GatewayError,
    ResultMismatchError,
)


def result_xml(function: str, status: str, error: str = "") -> str:
    errors = (
        f"<errormessage><error><errorno>X</errorno><description></description>"
        f"<description2>{error}</description2><correction></correction></error></errormessage>"
        if error
        else ""
    )
    data = '<data listtype="objects" count="1"><customer><RECORDNO>1</RECORDNO></customer></data>'
    return (
        f"<result><status>{status}</status><function>{function}</function>"
        f"<controlid>{function}</controlid>{data if status == 'success' else errors}</result>"
    )


def answer(*results: str, control_error: str = "") -> Scenario:
    if control_error:
        body = (
            "<response><control><status>failure</status></control><errormessage><error>"
            f"<errorno>X</errorno><description2>{control_error}</description2></error>"
            "</errormessage></response>"
        )
    else:
        body = (
            "<response><control><status>success</status></control><operation><authentication>"
            f"<status>success</status></authentication>{''.join(results)}</operation></response>"
        )
    return Scenario(200, "text/xml", body.encode())


OFFLINE = "The Service is Temporarily Off-line. Please Try Again Later"


@pytest.mark.parametrize(
    ("name", "answers", "functions", "tries", "statuses"),
    [
        (
            "read-offline",
            [answer(result_xml("read", "failure", OFFLINE)), answer(result_xml("read", "success"))],
            [fn.read("CUSTOMER", 1, control_id="read")],
            2,
            ["success"],
        ),
        (
            "control-rate-limit",
            [
                answer(control_error="API rate limit exceeded"),
                answer(result_xml("create", "success")),
            ],
            [fn.create("CUSTOMER", {"NAME": "x"}, control_id="create")],
            2,
            ["success"],
        ),
        (
            "write-nothing-ran",
            [
                answer(result_xml("create", "failure", "Please Try Again Later")),
                answer(result_xml("create", "success")),
            ],
            [fn.create("CUSTOMER", {"NAME": "x"}, control_id="create")],
            2,
            ["success"],
        ),
        (
            "write-partly-ran",
            [
                answer(
                    result_xml("create", "success"),
                    result_xml("update", "failure", "API rate limit exceeded"),
                ),
                answer(result_xml("create", "success"), result_xml("update", "success")),
            ],
            [
                fn.create("CUSTOMER", {"NAME": "x"}, control_id="create"),
                fn.update("CUSTOMER", {"RECORDNO": 1}, control_id="update"),
            ],
            1,
            ["success", "failure"],
        ),
    ],
)
def test_try_again_later_in_a_200_body(server, name, answers, functions, tries, statuses):
    """Retried only when no write of the request ran."""
    serve(name, answers)
    with client_for(f"{server}/login-ok/{name}", max_tries=3) as client:
        results = client.execute(functions)
        assert [r.status for r in results] == statuses
        assert client.request_count == 1 + tries  # the login, then the tries


GATEWAY_401 = b"""<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status>
</control><errormessage><error><errorno>XMLGW_JPP0002</errorno><description>Sign-in information
is incorrect. Please check your request.</description></error></errormessage></response>"""
GATEWAY_400 = GATEWAY_401.replace(b"XMLGW_JPP0002", b"GW-0011").replace(
    b"Sign-in information\nis incorrect. Please check your request.",
    b"Invalid Request [Request ID: 1]",
)
PARSE_FAILURE = b"""<response><control><status>failure</status></control><errormessage><error>
<errorno>XL03000003</errorno><description2>XML Parse schema error</description2></error>
</errormessage></response>"""


@pytest.mark.parametrize(
    ("name", "scenario", "function", "error_class", "status"),
    [
        ("http-401", Scenario(401, "text/xml", GATEWAY_401), fn.lookup("X"), GatewayError, 401),
        (
            "http-400",
            Scenario(400, "application/xml", GATEWAY_400),
            fn.lookup("X"),
            GatewayError,
            400,
        ),
        (
            "write-500-xml",
            Scenario(500, "text/xml", PARSE_FAILURE),
            fn.create("CUSTOMER", {"NAME": "x"}),
            ControlError,
            500,
        ),
        (
            "write-500-html",
            Scenario(500, "text/html", HTML),
            fn.create("CUSTOMER", {"NAME": "x"}),
            AmbiguousWriteError,
            500,
        ),
    ],
)
def test_error_statuses_after_login(server, name, scenario, function, error_class, status):
    """A definite XML answer is typed whatever the status; a write cut by a 5xx is ambiguous."""
    serve(name, scenario)
    with client_for(f"{server}/login-ok/{name}") as client, pytest.raises(error_class) as caught:
        client.call(function)
    assert type(caught.value) is error_class
    assert caught.value.status_code == status
    assert f"HTTP {status}" in str(caught.value) or error_class is ControlError
    assert client.request_count == 2  # the login and one attempt: none of these is retried


def test_results_are_paired_by_control_id_not_by_position(server):
    """A gateway answering in another order still gives each function its own result."""
    serve(
        "reordered",
        answer(
            result_xml("update", "failure", "No such customer"), result_xml("create", "success")
        ),
    )
    functions = [
        fn.create("CUSTOMER", {"NAME": "x"}, control_id="create"),
        fn.update("CUSTOMER", {"RECORDNO": 1}, control_id="update"),
    ]
    with client_for(f"{server}/login-ok/reordered") as client:
        created, updated = client.execute(functions)
    assert (created.control_id, created.status) == ("create", "success")
    assert (updated.control_id, updated.status) == ("update", "failure")


@pytest.mark.parametrize(
    ("name", "results", "words"),
    [
        (
            "one-result-short",
            [result_xml("create", "success")],
            "no result for control id(s) 'update'",
        ),
        (
            "unknown-control-id",
            [result_xml("create", "success"), result_xml("other", "success")],
            "not sent 'other'",
        ),
        (
            "control-id-twice",
            [result_xml("create", "success"), result_xml("create", "failure", "x")],
            "more than one result for 'create'",
        ),
    ],
)
def test_results_that_do_not_match_the_request_conclude_nothing(server, name, results, words):
    serve(name, answer(*results))
    functions = [
        fn.create("CUSTOMER", {"NAME": "x"}, control_id="create"),
        fn.update("CUSTOMER", {"RECORDNO": 1}, control_id="update"),
    ]
    with client_for(f"{server}/login-ok/{name}") as client:
        with pytest.raises(ResultMismatchError) as caught:
            client.execute(functions)
        assert client.request_count == 2  # the login and one attempt: never re-posted
    assert words in str(caught.value)
    assert "may have run" in str(caught.value)
    assert caught.value.control_ids == ("create", "update")
