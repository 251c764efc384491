"""Generated gateway answers through the client over HTTP: each is either read (results in the
order sent, rows readable) or refused with one of intacct_api's own errors, never another."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intacct_api import functions as fn
from intacct_api.client import Credentials, IntacctClient
from intacct_api.errors import FunctionError, IntacctError
from lxml import etree

SENT = ("first", "second")
LOGIN = (
    b"<response><control><status>success</status></control><operation><authentication>"
    b"<status>success</status><userid>u</userid><companyid>c</companyid></authentication>"
    b"<result><status>success</status><function>getAPISession</function>"
    b"<controlid>sessionProvider</controlid><data><api><sessionid>s-1</sessionid>"
    b"<endpoint>ENDPOINT</endpoint></api></data></result></operation></response>"
)
# Text an XML document can carry (no controls, no lone surrogates), odd scripts included.
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=10)
NUMBERISH = st.one_of(st.integers(-5, 10**6).map(str), TEXT, st.just(""))
STATUS = st.sampled_from(["success", "failure", "aborted", "", "Success"]) | TEXT
DATA_ATTRIBUTES = ("listtype", "count", "totalcount", "numremaining", "offset", "resultId")
TAGS = st.sampled_from(["customer", "CUSTOMERID", "NAME", "a", "ENTRIES", "glentry"])


class Answer:
    status = 200
    body = b""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if b"<getAPISession" in request:
            endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/ia".encode()
            status, body = 200, LOGIN.replace(b"ENDPOINT", endpoint)
        else:
            status, body = Answer.status, Answer.body
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def client() -> Iterator[IntacctClient]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    credentials = Credentials("sender", "sender-pw", "company", "user", "user-pw")
    url = f"http://127.0.0.1:{server.server_address[1]}/ia"
    with IntacctClient(credentials, url, max_tries=1, timeout=(2.0, 5.0)) as connection:
        yield connection
    server.shutdown()
    server.server_close()


def element(tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    node = etree.Element(tag, {k: v for k, v in attributes.items() if v is not None})
    node.text = text
    return node


@st.composite
def errors(draw: st.DrawFn) -> etree._Element:
    message = element("errormessage")
    for _ in range(draw(st.integers(0, 2))):
        error = element("error")
        for tag in draw(st.lists(st.sampled_from(["errorno", "description", "description2",
                                                  "correction"]), unique=True)):  # fmt: skip
            error.append(element(tag, draw(TEXT)))
        message.append(error)
    return message


@st.composite
def rows(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    row = element(draw(TAGS), draw(st.none() | TEXT))
    if depth < 2:
        for _ in range(draw(st.integers(0, 3))):
            row.append(draw(rows(depth + 1)))
    return row


@st.composite
def results(draw: st.DrawFn) -> etree._Element:
    result = element("result")
    for tag, value in (("status", STATUS), ("function", TEXT),
                       ("controlid", st.sampled_from([*SENT, "other", ""]))):  # fmt: skip
        if draw(st.integers(0, 5)):
            result.append(element(tag, draw(value)))
    if draw(st.booleans()):
        result.append(draw(errors()))
    if draw(st.booleans()):
        attributes = {name: draw(st.none() | NUMBERISH) for name in DATA_ATTRIBUTES}
        data = element("data", **attributes)
        for _ in range(draw(st.integers(0, 3))):
            data.append(draw(rows()))
        result.append(data)
    if draw(st.booleans()):
        result.append(element("key", draw(TEXT)))
    return result


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    root = element(draw(st.sampled_from(["response"] * 6 + ["html", "error"])))
    if draw(st.integers(0, 6)):
        control = element("control")
        control.append(element("status", draw(STATUS)))
        if draw(st.booleans()):
            control.append(element("controlid", draw(TEXT)))
        root.append(control)
    if draw(st.integers(0, 3)) == 0:
        root.append(draw(errors()))
    if draw(st.integers(0, 6)):
        operation = element("operation")
        if draw(st.booleans()):
            auth = element("authentication")
            auth.append(element("status", draw(STATUS)))
            for tag in ("sessiontimestamp", "sessiontimeout"):
                if draw(st.booleans()):
                    auth.append(element(tag, draw(TEXT | st.just("2026-01-01T00:00:00+00:00"))))
            operation.append(auth)
        if draw(st.integers(0, 3)) == 0:
            operation.append(draw(errors()))
        for result in draw(st.lists(results(), max_size=4)):
            operation.append(result)
        root.append(operation)
    body = etree.tostring(root, xml_declaration=draw(st.booleans()), encoding="UTF-8")
    cut = draw(st.none() | st.integers(0, len(body)))
    return body if cut is None else body[:cut]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.sampled_from([200, 200, 200, 400, 500, 503]))
def test_an_answer_is_read_or_refused_with_an_intacct_error(client, body, status):
    Answer.status, Answer.body = status, body
    sent = [fn.read("CUSTOMER", ["1"], control_id=SENT[0]),
            fn.read("CUSTOMER", ["2"], control_id=SENT[1])]  # fmt: skip
    try:
        answered = client.execute(sent)
    except IntacctError as error:
        assert str(error)
        return
    assert [result.control_id for result in answered] == list(SENT)
    for result in answered:
        assert isinstance(result.records(), list)
        try:
            result.raise_for_status()
        except FunctionError as error:
            assert not result.ok and str(error)
