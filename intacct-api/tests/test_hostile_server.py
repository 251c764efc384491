"""A hostile or broken server: entities, bombs, huge and wrong bodies are refused safely."""

from __future__ import annotations

import gzip
import logging
import shutil
import ssl
import subprocess
import threading
import time
import tracemalloc
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from intacct_api import functions as fn
from intacct_api.client import Credentials, IntacctClient
from intacct_api.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    ControlError,
    GatewayError,
    ResultMismatchError,
    ServiceUnavailableError,
)
from intacct_api.xml import UnsafeXMLError, parse_xml

SESSION = "hostile-session-0123456789"
MARKER = "TOP-SECRET-MARKER-7f3a"

LOGIN_OK = f"""<?xml version="1.0" encoding="UTF-8"?>
<response><control><status>success</status><senderid>s</senderid><controlid>c</controlid>
<uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication>
<status>success</status><userid>u</userid><companyid>c</companyid>
<sessiontimestamp>2026-01-01T00:00:00+00:00</sessiontimestamp>
<sessiontimeout>2026-01-01T01:00:00+00:00</sessiontimeout></authentication><result>
<status>success</status><function>getAPISession</function><controlid>sessionProvider</controlid>
<data><api><sessionid>{SESSION}</sessionid><endpoint>ENDPOINT</endpoint></api></data></result>
</operation></response>"""

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n<response><control><status>success</status></control>&lol9;</response>"
).encode()


def external_entity(path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://{path}">]>\n'
        "<response><control><status>failure</status></control><errormessage><error>"
        "<errorno>X</errorno><description>&x;</description></error></errormessage></response>"
    ).encode()


class Scenario:
    """What the server answers: status, headers and body (bytes or chunks)."""

    def __init__(self, status: int, content_type: str | None, body, headers=None):
        self.status = status
        self.content_type = content_type
        self.body = body
        self.headers = headers or {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    scenarios: dict[str, Scenario | list[Scenario]] = {}
    hits: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = self.rfile.read(length)
        _, name, *rest = self.path.split("/")
        Handler.hits.append(name)
        if name == "login-ok" and b"<getAPISession" in request:
            scheme = getattr(self.server, "scheme", "http")
            endpoint = f"{scheme}://127.0.0.1:{self.server.server_address[1]}{self.path}"
            scenario = Scenario(200, "text/xml", LOGIN_OK.replace("ENDPOINT", endpoint).encode())
        else:
            scenario = Handler.scenarios[rest[0] if name == "login-ok" else name]
            if isinstance(scenario, list):  # answered in turn, the last one repeats
                scenario = scenario.pop(0) if len(scenario) > 1 else scenario[0]
        self.send_response(scenario.status)
        if scenario.content_type:
            self.send_header("Content-Type", scenario.content_type)
        for key, value in scenario.headers.items():
            self.send_header(key, value)
        if isinstance(scenario.body, bytes):
            self.send_header("Content-Length", str(len(scenario.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(scenario.body)
        else:
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for chunk in scenario.body():
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        self.close_connection = True


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # refused TLS handshakes are expected here


def run_server(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        httpd.scheme = "https"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from run_server()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (key and certificate in one PEM file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    pem = tmp_path_factory.mktemp("tls") / "server.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(pem), "-out", str(pem.with_suffix(".crt"))],
        check=True, capture_output=True,
    )  # fmt: skip
    pem.write_text(pem.read_text() + pem.with_suffix(".crt").read_text())
    return pem


@pytest.fixture(scope="module")
def tls_server(certificate) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate)
    yield from run_server(context)


def client_for(url: str, **kwargs) -> IntacctClient:
    credentials = Credentials("sender", "sender-pw-123", "company", "user", "user-pw-456")
    options = {"max_tries": 2, "backoff_factor": 0.01, "timeout": 5.0} | kwargs
    return IntacctClient(credentials, url, **options)


def serve(name: str, scenario: Scenario | list[Scenario]) -> None:
    Handler.scenarios[name] = scenario


def test_external_entity_is_not_resolved(server, tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER)
    serve("xxe", Scenario(200, "text/xml", external_entity(secret)))
    caplog.set_level(logging.DEBUG, logger="intacct_api")
    with client_for(f"{server}/xxe") as client, pytest.raises(GatewayError) as caught:
        client.call(fn.lookup("CUSTOMER"))
    assert "DOCTYPE" in str(caught.value)
    assert "HTTP 200" in str(caught.value)
    assert MARKER not in str(caught.value)
    assert MARKER not in caplog.text
    # Even past the prolog check, the parser itself neither reads files nor expands entities.
    with pytest.raises(UnsafeXMLError):
        parse_xml(external_entity(secret))


def test_billion_laughs_is_refused_with_bounded_memory(server):
    serve("laughs", Scenario(200, "application/xml", LAUGHS))
    tracemalloc.start()
    try:
        with client_for(f"{server}/laughs") as client, pytest.raises(GatewayError, match="DOCTYPE"):
            client.call(fn.lookup("CUSTOMER"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_doctype_after_comments_is_refused():
    body = b"<?xml version='1.0'?><!-- <a> --><!DOCTYPE response><response/>"
    with pytest.raises(UnsafeXMLError):
        parse_xml(body)


def huge_chunks() -> Iterator[bytes]:
    yield b"<response><control><status>success</status></control><pad>"
    for _ in range(400):  # 400 x 64 KiB = 25 MiB
        yield b"x" * 65536
    yield b"</pad></response>"


@pytest.mark.parametrize(
    ("name", "scenario"),
    [
        ("huge-chunked", Scenario(200, "text/xml", huge_chunks)),
        (
            "huge-declared",
            Scenario(200, "text/xml", b"<response>" + b" " * (3 * 1024 * 1024) + b"</response>"),
        ),
        (
            "gzip-bomb",
            Scenario(
                200,
                "text/xml",
                gzip.compress(b"<response>" + b" " * (50 * 1024 * 1024) + b"</response>", 9),
                {"Content-Encoding": "gzip"},
            ),
        ),
    ],
)
def test_huge_bodies_are_capped(server, name, scenario):
    serve(name, scenario)
    tracemalloc.start()
    try:
        with (
            client_for(f"{server}/{name}", max_response_bytes=1024 * 1024) as client,
            pytest.raises(GatewayError, match="limit") as caught,
        ):
            client.call(fn.lookup("CUSTOMER"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "HTTP 200" in str(caught.value)
    assert peak < 12 * 1024 * 1024


HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("name", "scenario", "error_class", "phrases"),
    [
        (
            "html-503",
            Scenario(503, "text/html", HTML),
            ServiceUnavailableError,
            ["HTTP 503", "text/html"],
        ),
        (
            "html-200",
            Scenario(200, "text/html", HTML),
            GatewayError,
            ["HTTP 200", "text/html", "Bad Gateway"],
        ),
        ("html-404", Scenario(404, "text/html; charset=utf-8", HTML), GatewayError, ["HTTP 404"]),
        (
            "json",
            Scenario(200, "application/json", b'{"error": "nope"}'),
            GatewayError,
            ["application/json"],
        ),
        (
            "truncated",
            Scenario(200, "text/xml", b"<response><control><status>succ"),
            GatewayError,
            ["not well-formed XML", "HTTP 200"],
        ),
        (
            "not-response",
            Scenario(200, "text/xml", b"<html><body/></html>"),
            GatewayError,
            ["root <html>"],
        ),
        ("empty", Scenario(200, "text/xml", b""), GatewayError, ["HTTP 200"]),
    ],
)
def test_broken_bodies_raise_clear_errors(server, name, scenario, error_class, phrases):
    serve(name, scenario)
    with client_for(f"{server}/{name}") as client, pytest.raises(error_class) as caught:
        client.call(fn.lookup("CUSTOMER"))
    for phrase in phrases:
        assert phrase in str(caught.value)
    assert "pw-" not in str(caught.value)


def test_oversized_answer_to_a_write_is_ambiguous(server):
    serve("write-huge", Scenario(200, "text/xml", huge_chunks))
    with client_for(f"{server}/login-ok/write-huge", max_response_bytes=1024 * 1024) as client:
        with pytest.raises(AmbiguousWriteError, match="limit"):
            client.call(fn.create("CUSTOMER", {"CUSTOMERID": "C1", "NAME": "One"}))
        assert client.request_count == 2


def test_unreadable_answer_to_a_write_is_ambiguous(server):
    serve("write-truncated", Scenario(200, "text/xml", b"<response><control>"))
    Handler.hits.clear()
    with client_for(f"{server}/login-ok/write-truncated") as client:
        with pytest.raises(AmbiguousWriteError, match="HTTP 200"):
            client.call(fn.create("CUSTOMER", {"CUSTOMERID": "C1", "NAME": "One"}))
        assert client.request_count == 2  # login + one write, not repeated
        with pytest.raises(GatewayError):
            client.call(fn.read("CUSTOMER", 1))


LOOKUP_OK = b"""<response><control><status>success</status></control><operation><authentication>
<status>success</status></authentication><result><status>success</status><function>lookup</function>
<controlid>c</controlid><data><Type Name="CUSTOMER"/></data></result></operation></response>"""


def test_tls_is_verified_unless_disabled(tls_server, certificate):
    serve("lookup-ok", Scenario(200, "text/xml", LOOKUP_OK))
    url = f"{tls_server}/login-ok/lookup-ok"
    with client_for(url) as client, pytest.raises(GatewayError, match="TLS"):
        client.call(fn.lookup("CUSTOMER"))
    with client_for(url, verify_tls=str(certificate.with_suffix(".crt"))) as client:
        assert client.call(fn.lookup("CUSTOMER", control_id="c")).ok
        assert client.endpoint.startswith("https://")
    with (
        warnings.catch_warnings(),
        client_for(url, verify_tls=False) as client,
    ):
        warnings.simplefilter("ignore")  # urllib3 warns about the unverified request
        assert client.call(fn.lookup("CUSTOMER", control_id="c")).ok


SESSION_REFUSED = b"""<response><control><status>success</status></control><operation>
<authentication><status>success</status><userid>u</userid><companyid>company</companyid>
</authentication><result><status>failure</status><function>getAPISession</function>
<controlid>sessionProvider</controlid><errormessage><error><errorno>XL03000006</errorno>
<description></description><description2>Entity 'MARS' does not exist.</description2>
<correction></correction></error></errormessage></result></operation></response>"""


def test_refused_session_is_an_authentication_error(server):
    serve("session-refused", Scenario(200, "text/xml", SESSION_REFUSED))
    with (
        client_for(f"{server}/session-refused") as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.call(fn.lookup("CUSTOMER"))
    assert "Intacct refused to open an API session for company 'company'" in str(caught.value)
    assert caught.value.errorno == "XL03000006"
    assert client.request_count == 1


def test_endpoint_downgrade_is_refused(server):
    serve(
        "downgrade",
        Scenario(200, "text/xml", LOGIN_OK.replace("ENDPOINT", "http://evil.example/x").encode()),
    )
    with client_for(f"{server}/downgrade") as client, pytest.raises(GatewayError, match="refusing"):
        client.call(fn.lookup("CUSTOMER"))


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


def drip(total: int, pause: float):
    """A body a byte at a time, `pause` seconds apart: every byte restarts a read time-out."""

    def chunks():
        yield b"<response>"
        for _ in range(total):
            time.sleep(pause)
            yield b" "

    return chunks


@pytest.mark.parametrize(
    ("function", "error_class", "tries"),
    [
        (fn.create("CUSTOMER", {"NAME": "x"}), AmbiguousWriteError, 1),
        (fn.lookup("CUSTOMER"), ServiceUnavailableError, 2),
    ],
)
def test_an_answer_dripping_slowly_is_cut_at_the_deadline(server, function, error_class, tries):
    """Each byte comes within the read time-out, but the whole answer must come by the deadline."""
    serve("drip", Scenario(200, "text/xml", drip(total=400, pause=0.05)))
    started = time.monotonic()
    with client_for(f"{server}/login-ok/drip", timeout=(1.0, 1.0), deadline=1.5) as client:
        with pytest.raises(error_class, match=r"deadline \(request_timeout\) of 1\.5 s"):
            client.call(function)
        assert client.request_count == 1 + tries  # a read is tried again, a write is not
    assert time.monotonic() - started < 1.5 * tries + 2.0  # the drip alone lasts 20 s a try


def test_the_deadline_also_cuts_a_dripping_answer_over_tls(tls_server, certificate):
    serve("drip-tls", Scenario(200, "text/xml", drip(total=400, pause=0.05)))
    started = time.monotonic()
    with (
        client_for(
            f"{tls_server}/login-ok/drip-tls",
            timeout=(1.0, 1.0),
            deadline=1.5,
            verify_tls=str(certificate.with_suffix(".crt")),
        ) as client,
        pytest.raises(AmbiguousWriteError, match=r"deadline \(request_timeout\) of 1\.5 s"),
    ):
        client.call(fn.create("CUSTOMER", {"NAME": "x"}))
    assert time.monotonic() - started < 3.5
