"""How each connector command ends when the server misbehaves, run as a user runs it.

The four commands (`tap-intacct`, `target-intacct`, `tap-magento`, `target-magento`) talk to a
proxy of this module's own. It forwards the first requests to an emulator (or none), then answers
every request badly: an answer that drips slowly without a length (each byte well within any read
time-out, the whole never), or HTTP 524. Each run must end within its deadline and retries, with
one error line naming what to change.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from connector_emulators.intacct.server import serve_in_thread

DRIP_BYTES = 50  # every DRIP_PAUSE seconds: 1 KB/s
DRIP_PAUSE = 0.05
DRIP_SECONDS = 600  # far longer than any bound below
DEADLINE = 1  # request_timeout of every run
TRIES = 2
BOUND = 40.0  # seconds: start-up, TRIES deadlines and the waits between them, on a busy machine
HUNG = 120.0  # a command still running then has hung

# Secrets of every configuration below: none may appear in any output.
SECRETS = {
    "sender_password": "sender-SECRET-4b1e",
    "user_password": "user-SECRET-9c2d",
    "client_secret": "client-SECRET-0f7a",
    "consumer_secret": "consumer-SECRET-5e8b",
    "access_token": "access-SECRET-2a6c",
    "access_token_secret": "token-SECRET-7d3f",
    "password": "admin-SECRET-1b9e",
}
REST_CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}


@dataclass
class Proxy:
    """Forwards the first `passthrough` requests to `upstream`; answers the rest with `answer`."""

    answer: str  # "drip" or "524"
    passthrough: int = 0
    upstream: str = ""
    seen: list[str] = field(default_factory=list)  # every request's path, in turn
    url: str = ""

    @property
    def answered_badly(self) -> int:
        return max(len(self.seen) - self.passthrough, 0)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        self.seen.append(handler.path)
        if len(self.seen) <= self.passthrough:
            self.forward(handler, body)
        elif self.answer == "drip":
            drip(handler)
        else:
            page = b"<html><body>error code: 524</body></html>"
            handler.send_response(524)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)

    def forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host",)}
        answer = requests.request(
            handler.command, self.upstream + handler.path, data=body, headers=headers, timeout=30
        )
        handler.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer.content)))
        handler.end_headers()
        handler.wfile.write(answer.content)


def drip(handler: BaseHTTPRequestHandler) -> None:
    """HTTP 200, chunked (no Content-Length), DRIP_BYTES every DRIP_PAUSE until the client hangs
    up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b" " * DRIP_BYTES
    ends = time.monotonic() + DRIP_SECONDS
    with contextlib.suppress(OSError):
        while time.monotonic() < ends:
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            handler.wfile.flush()
            time.sleep(DRIP_PAUSE)
    handler.close_connection = True


@contextlib.contextmanager
def serving(proxy: Proxy) -> Iterator[Proxy]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:
            proxy.handle(self)

        do_GET = do_PUT = do_DELETE = do_POST  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def intacct() -> Iterator[Any]:
    handle = serve_in_thread(port=0, seed="demo")
    yield handle
    handle.stop()


# --- the four commands and their settings -----------------------------------------------------


def intacct_xml(url: str, folder: Path) -> dict[str, Any]:
    return {
        "sender_id": "demo_sender",
        "sender_password": SECRETS["sender_password"],
        "company_id": "demo",
        "user_id": "demo_user",
        "user_password": SECRETS["user_password"],
        "api_url": url + "/ia/xml/xmlgw.phtml",
    }


def intacct_rest(url: str, folder: Path) -> dict[str, Any]:
    return {
        "transport": "rest",
        "company_id": "demo",
        "user_id": "demo_user",
        "client_id": "demo_client_id.app.sage.com",
        "client_secret": SECRETS["client_secret"],
        "rest_url": url + "/ia/api/v1",
    }


def intacct_rest_emulated(url: str, folder: Path) -> dict[str, Any]:
    """The emulator's own REST client (its token is forwarded), for a drip after the token."""
    return {**intacct_rest(url, folder), **REST_CLIENT}


def magento_oauth(url: str, folder: Path) -> dict[str, Any]:
    return {
        "base_url": url,
        "consumer_key": "consumer-key",
        "consumer_secret": SECRETS["consumer_secret"],
        "access_token": SECRETS["access_token"],
        "access_token_secret": SECRETS["access_token_secret"],
    }


def magento_admin(url: str, folder: Path) -> dict[str, Any]:
    return {"base_url": url, "username": "admin", "password": SECRETS["password"]}


TRY_SETTINGS = {
    "tap-intacct": {"max_retries": TRIES - 1},
    "target-intacct": {"max_tries": TRIES},
    "tap-magento": {"max_retries": TRIES},
    "target-magento": {"max_retries": TRIES},
}


def target_files(command: str, folder: Path) -> dict[str, str]:
    if command == "target-intacct":
        return {"reject_file": str(folder / "rejects.jsonl"), "pending_file": str(folder / "p")}
    if command == "target-magento":
        return {
            "reject_file": str(folder / "rejects.jsonl"),
            "id_map_file": str(folder / "id-map.json"),
            "pending_invoices_file": str(folder / "pending.json"),
        }
    return {}


def customer_input() -> str:
    """One Intacct customer, as tap-intacct writes it: what both targets take."""
    record = {
        "RECORDNO": 1,
        "CUSTOMERID": "C-1",
        "NAME": "Slow Answers Ltd",
        "STATUS": "active",
        "DISPLAYCONTACT.FIRSTNAME": "Ada",
        "DISPLAYCONTACT.LASTNAME": "Slow",
        "DISPLAYCONTACT.EMAIL1": "ada@example.com",
        "DISPLAYCONTACT.PHONE1": "+1 555 0100",
        "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": "1 Slow Lane",
        "DISPLAYCONTACT.MAILADDRESS.CITY": "Austin",
        "DISPLAYCONTACT.MAILADDRESS.STATE": "TX",
        "DISPLAYCONTACT.MAILADDRESS.ZIP": "78701",
        "DISPLAYCONTACT.MAILADDRESS.COUNTRY": "United States",
        "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": "US",
        "WHENMODIFIED": "2026-01-01T00:00:00Z",
    }
    properties = {
        name: {"type": ["null", "integer" if name == "RECORDNO" else "string"]} for name in record
    }
    schema = {
        "type": "SCHEMA",
        "stream": "customers",
        "key_properties": ["RECORDNO"],
        "schema": {"type": "object", "properties": properties},
    }
    messages = [schema, {"type": "RECORD", "stream": "customers", "record": record}]
    return "".join(json.dumps(m) + "\n" for m in messages)


@dataclass
class Ending:
    returncode: int
    seconds: float
    stderr: str
    stdout: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "ERROR" in line]


def run_command(
    command: str, config: dict[str, Any], folder: Path, *, debug: bool = False
) -> Ending:
    """One run of `command`, at the default log level (none set anywhere) or at DEBUG."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("LOGLEVEL")}
    if debug:
        env[f"{command.upper().replace('-', '_')}_LOGLEVEL"] = "DEBUG"
    settings = {**config, "request_timeout": DEADLINE, **TRY_SETTINGS[command]}
    settings |= target_files(command, folder)
    path = folder / "config.json"
    path.write_text(json.dumps(settings))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [str(Path(sys.executable).with_name(command)), "--config", str(path)],
            input="" if command.startswith("tap-") else customer_input(),
            capture_output=True,
            text=True,
            timeout=HUNG,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as hung:
        tail = (hung.stderr or b"")[-2000:]
        pytest.fail(f"{command} still ran after {HUNG:.0f} s (hung): {tail!r}")
    return Ending(done.returncode, time.monotonic() - started, done.stderr, done.stdout)


DRIP_CASES = [
    ("tap-intacct", intacct_xml, 0),
    ("tap-intacct", intacct_rest, 0),  # the OAuth token request drips
    ("target-intacct", intacct_xml, 0),
    ("target-intacct", intacct_rest_emulated, 1),  # the token comes, the next answer drips
    ("tap-magento", magento_oauth, 0),
    ("target-magento", magento_admin, 0),  # the admin token request drips
]


@pytest.mark.parametrize(
    ("command", "settings", "passthrough"),
    DRIP_CASES,
    ids=[f"{c}-{s.__name__}" for c, s, _ in DRIP_CASES],
)
def test_a_dripping_answer_ends_the_run_within_the_deadline(
    command, settings, passthrough, intacct, tmp_path
):
    """`request_timeout` bounds a whole request, however steadily the bytes of its answer come."""
    with serving(Proxy("drip", passthrough, intacct.base_url)) as proxy:
        ending = run_command(command, settings(proxy.url, tmp_path), tmp_path)
    assert ending.returncode != 0, ending.stderr[-3000:]
    assert ending.seconds < BOUND, ending.stderr[-3000:]
    [error] = ending.errors
    assert "request_timeout" in error and f"{DEADLINE} s" in error, ending.stderr[-3000:]
    assert "Traceback" not in ending.stderr
    assert proxy.answered_badly == TRIES, proxy.seen  # a request's tries, not tries of tries


FAILING_CASES = [
    ("tap-intacct", intacct_xml, 0),
    ("tap-intacct", intacct_rest_emulated, 1),  # the token comes, the next answers fail
    ("target-intacct", intacct_xml, 0),
    ("target-intacct", intacct_rest_emulated, 1),
    ("tap-magento", magento_oauth, 0),
    ("target-magento", magento_admin, 0),
]


def secrets_of(config: dict[str, Any]) -> list[str]:
    return [str(value) for name, value in config.items() if name in SECRETS]


@pytest.mark.parametrize(
    ("command", "settings", "passthrough"),
    FAILING_CASES,
    ids=[f"{c}-{s.__name__}" for c, s, _ in FAILING_CASES],
)
def test_a_server_failing_on_every_try_ends_with_one_line_and_the_traceback_only_at_debug(
    command, settings, passthrough, intacct, tmp_path
):
    """HTTP 524 on every try: one error line saying so at the default level, no traceback; the
    traceback with DEBUG on; no secret in either."""
    endings = {}
    for debug in (False, True):
        folder = tmp_path / f"debug-{debug}"
        folder.mkdir()
        with serving(Proxy("524", passthrough, intacct.base_url)) as proxy:
            config = settings(proxy.url, folder)
            endings[debug] = run_command(command, config, folder, debug=debug)
        assert proxy.answered_badly == TRIES, proxy.seen
    quiet, debug = endings[False], endings[True]
    for ending in (quiet, debug):
        assert ending.returncode == 1, ending.stderr[-3000:]
        assert ending.seconds < BOUND, ending.stderr[-3000:]
        assert len(ending.errors) == 1, ending.stderr[-3000:]
        assert "524" in ending.errors[0], ending.errors
        for secret in secrets_of(config):
            assert secret not in ending.stderr and secret not in ending.stdout, secret
    assert "Traceback" not in quiet.stderr, quiet.stderr[-3000:]
    assert " DEBUG " not in quiet.stderr
    assert "Traceback (most recent call last)" in debug.stderr, debug.stderr[-3000:]
