"""Shared fixtures: the Intacct emulator and clients, the XSDs, and a hostile server."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from intacct_api.client import Credentials, IntacctClient
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))
from hostile_server_support import run_server
from intacct_conformance_support import SHARED

DEMO = Credentials(
    sender_id="demo_sender",
    sender_password="demo_sender_password",
    company_id="demo",
    user_id="demo_user",
    user_password="demo_user_password",
)
FAST_RETRIES = {"backoff_factor": 0.01, "backoff_max": 0.2, "max_tries": 4, "timeout": (2.0, 10.0)}


@pytest.fixture
def demo() -> Credentials:
    """The emulator's documented demo credentials."""
    return DEMO


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from connector_emulators.intacct.server import serve_in_thread

    server = serve_in_thread(port=0, seed="demo")
    yield server
    server.stop()


@pytest.fixture
def gateway(emulator: Any) -> Iterator[Any]:
    """The emulator with no armed faults and default settings, before and after the test."""
    emulator.admin("DELETE", "/_emulator/faults")
    yield emulator
    emulator.admin("DELETE", "/_emulator/faults")
    emulator.admin("POST", "/_emulator/config", {"session_timeout": 3600, "resultid_ttl": 1800})


@pytest.fixture
def make_client(gateway: Any) -> Iterator[Callable[..., IntacctClient]]:
    clients: list[IntacctClient] = []

    def make(credentials: Credentials = DEMO, **options: Any) -> IntacctClient:
        client = IntacctClient(credentials, gateway.url, **(FAST_RETRIES | options))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., IntacctClient]) -> IntacctClient:
    return make_client()


@pytest.fixture
def served(emulator: Any) -> Callable[[], int]:
    """Requests the emulator's gateway received so far (faulted ones included)."""
    return lambda: int(emulator.admin("GET", "/_emulator/stats")["requests"])


@pytest.fixture
def new_id() -> Callable[[str], str]:
    """Fresh ids, so tests sharing the emulator never collide.

    The "T" keeps them out of the seeded ids' patterns (a bare hex part could start with "10"
    and match a test's ``C-10%`` filter on the demo customers).
    """
    return lambda prefix: f"{prefix}-T{uuid.uuid4().hex[:8].upper()}"


@pytest.fixture(scope="session")
def api_schema() -> etree.XMLSchema:
    """The 2019 XML API schema the SDK's requests validate against."""
    return etree.XMLSchema(etree.parse(str(SHARED / "schemas" / "intacct_dtd_v3.0_api.xsd")))


@pytest.fixture(scope="session")
def query_schema() -> etree.XMLSchema:
    """The schema of the `query` function, which the API schema leaves out."""
    return etree.XMLSchema(etree.parse(str(SHARED / "schemas" / "query_function_schema.xsd")))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A hostile server (hostile_server_support) on 127.0.0.1, over plain HTTP."""
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
    """The hostile server over TLS, with `certificate`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate)
    yield from run_server(context)
