"""Fixtures for the emulator tests.

Intacct: a running emulator and a raw-XML client for it. Magento: a demo shop per test module and an
admin session on it (helpers in `emulator_magento_support.py`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import requests
from connector_emulators.intacct.server import IntacctEmulator, serve_in_thread
from connector_emulators.magento import server as magento_server
from lxml import etree

# The tests import their helpers from the modules beside this file and the OpenAPI checks.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))

import intacct_rest_openapi
from emulator_magento_support import admin_session
from magento_contract import SCHEMA_FILE, Watch

SENDER = ("demo_sender", "demo_sender_password")
USER = ("demo_user", "demo_user_password")


def login_xml(company: str = "demo", location: str | None = None, password: str = USER[1]) -> str:
    loc = "" if location is None else f"<locationid>{escape(location)}</locationid>"
    return (
        f"<login><userid>{USER[0]}</userid><companyid>{escape(company)}</companyid>"
        f"<password>{escape(password)}</password>{loc}</login>"
    )


class XmlClient:
    """Posts hand-written requests to the gateway and parses the responses with lxml."""

    def __init__(self, emulator: IntacctEmulator) -> None:
        self.emulator = emulator
        self.http = requests.Session()

    def envelope(
        self,
        functions: str,
        *,
        auth: str | None = None,
        sessionid: str | None = None,
        transaction: bool = False,
        uniqueid: bool = False,
        sender: tuple[str, str] = SENDER,
        controlid: str = "req-1",
    ) -> bytes:
        if sessionid is not None:
            auth = f"<sessionid>{escape(sessionid)}</sessionid>"
        auth = auth if auth is not None else login_xml()
        return (
            '<?xml version="1.0" encoding="UTF-8"?><request><control>'
            f"<senderid>{sender[0]}</senderid><password>{escape(sender[1])}</password>"
            f"<controlid>{controlid}</controlid><uniqueid>{str(uniqueid).lower()}</uniqueid>"
            "<dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>"
            f'<operation transaction="{str(transaction).lower()}"><authentication>{auth}'
            f"</authentication><content>{functions}</content></operation></request>"
        ).encode()

    def post(self, body: bytes, url: str | None = None) -> requests.Response:
        return self.http.post(
            url or self.emulator.url,
            data=body,
            headers={"Content-Type": "application/xml"},
            timeout=60,
        )

    def send(self, functions: str, *, url: str | None = None, **kwargs: Any) -> etree._Element:
        response = self.post(self.envelope(functions, **kwargs), url)
        assert response.status_code == 200, response.text
        return etree.fromstring(response.content)

    def call(self, function: str, controlid: str = "f1", **kwargs: Any) -> etree._Element:
        """One function; returns its `<result>`."""
        root = self.send(f'<function controlid="{controlid}">{function}</function>', **kwargs)
        result = root.find("operation/result")
        assert result is not None, etree.tostring(root).decode()
        return result

    def ok(self, function: str, **kwargs: Any) -> etree._Element:
        result = self.call(function, **kwargs)
        assert result.findtext("status") == "success", etree.tostring(result).decode()
        return result

    def fail(self, function: str, **kwargs: Any) -> etree._Element:
        result = self.call(function, **kwargs)
        assert result.findtext("status") == "failure", etree.tostring(result).decode()
        return result

    def session(self, company: str = "demo", location: str | None = None) -> tuple[str, str]:
        """Log in with getAPISession; returns (sessionid, endpoint)."""
        result = self.ok("<getAPISession/>", auth=login_xml(company, location))
        return result.findtext("data/api/sessionid"), result.findtext("data/api/endpoint")

    def query(
        self, obj: str, fields: list[str], filter_xml: str = "", extra: str = "", **kwargs: Any
    ) -> etree._Element:
        select = "".join(f"<field>{f}</field>" for f in fields)
        filt = f"<filter>{filter_xml}</filter>" if filter_xml else ""
        return self.ok(
            f"<query><object>{obj}</object><select>{select}</select>{filt}{extra}</query>", **kwargs
        ).find("data")

    def rbq(
        self, obj: str, query: str, fields: str = "*", pagesize: int = 100, **kwargs: Any
    ) -> etree._Element:
        return self.ok(
            f"<readByQuery><object>{obj}</object><query>{escape(query)}</query>"
            f"<fields>{fields}</fields><pagesize>{pagesize}</pagesize>"
            "</readByQuery>",
            **kwargs,
        ).find("data")

    def records(self, obj: str, company: str = "demo") -> list[dict[str, str]]:
        return self.emulator.admin("GET", f"/_emulator/records/{company}/{obj}")["records"]

    login = staticmethod(login_xml)

    @staticmethod
    def errors(element: etree._Element) -> list[tuple[str | None, str | None]]:
        """(errorno, description2) of every error under an element."""
        return [(e.findtext("errorno"), e.findtext("description2")) for e in element.iter("error")]

    @staticmethod
    def rows(data: etree._Element) -> list[dict[str, str]]:
        return [{c.tag: c.text or "" for c in row} for row in data]


@pytest.fixture(scope="module")
def rest_emulator() -> Iterator[IntacctEmulator]:
    """A demo company whose REST exchanges all keep to the reduced OpenAPI definition."""
    server = serve_in_thread(port=0, seed="demo")
    try:
        with intacct_rest_openapi.checked(server):
            yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def intacct_server() -> Iterator[IntacctEmulator]:
    emulator = serve_in_thread(port=0)
    yield emulator
    emulator.stop()


@pytest.fixture
def intacct(intacct_server: IntacctEmulator) -> IntacctEmulator:
    """The shared emulator, reset to the demo seed before each test."""
    intacct_server.admin("POST", "/_emulator/reset", {"seed": "demo"})
    return intacct_server


@pytest.fixture
def gw(intacct: IntacctEmulator) -> XmlClient:
    return XmlClient(intacct)


# ---------------------------------------------------------------- Magento


@pytest.fixture(scope="session")
def magento_watch() -> Iterator[Watch]:
    """Every Magento emulator answer of the session, checked against Adobe's 2.4.8 schema."""
    watch = Watch()
    watch.install()
    yield watch
    watch.uninstall()


@pytest.fixture(autouse=True)
def magento_answers_keep_to_the_schema(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test fails when any Magento answer it caused strays from the schema."""
    if not SCHEMA_FILE.exists() or "magento" not in request.node.path.name:
        yield
        return
    watch: Watch = request.getfixturevalue("magento_watch")
    watch.take()
    yield
    problems = watch.take()
    assert not problems, "answers outside Adobe's 2.4.8 schema:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def shop() -> Iterator[magento_server.MagentoEmulator]:
    """A Magento emulator with the demo seed, one per test module."""
    with magento_server.serve_in_thread(port=0, seed="demo") as running:
        yield running


@pytest.fixture
def api(shop: magento_server.MagentoEmulator) -> requests.Session:
    """An admin session on a freshly seeded shop; `api.base` is the default store's REST URL."""
    return admin_session(shop, f"{shop.base_url}/rest/default")
