"""A hostile or broken server's bodies: entities, bombs, huge and broken answers are refused
safely, and a write whose answer cannot be read is reported as possibly run.

Wrong answers in well-formed XML are in test_hostile_server_answers.py; TLS, sessions and slow
answers in test_hostile_server_connection.py."""

from __future__ import annotations

import gzip
import logging
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server_support import HTML, Handler, Scenario, client_for, serve
from intacct_api import functions as fn
from intacct_api.errors import AmbiguousWriteError, GatewayError, ServiceUnavailableError
from intacct_api.xml import UnsafeXMLError, parse_xml

MARKER = "TOP-SECRET-MARKER-7f3a"

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
