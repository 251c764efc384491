"""HTTPS: `verify_tls` against REQUESTS_CA_BUNDLE, and certificate failures that stop at once.

The emulator speaks plain HTTP, so each test starts its own emulator whose listening socket is
wrapped in TLS (stdlib `ssl`) with a self-signed certificate for 127.0.0.1 made by `openssl`.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
import requests
from connector_emulators import demo_data
from connector_emulators.magento.server import MagentoEmulator
from connector_emulators.tls import self_signed_certificate, serve_https
from magento_api import MagentoError, TransientError
from target_magento_support import Harness, stream_messages, summary

if t.TYPE_CHECKING:
    from pathlib import Path

LINES = [{"RECORDNO": 1, "PRODUCTLINEID": "TLS", "DESCRIPTION": "Over TLS"}]
# The emulator checks OAuth signatures against an http:// URL, so these tests use an admin token.
ADMIN = {
    "consumer_key": None,
    "consumer_secret": None,
    "access_token": None,
    "access_token_secret": None,
    "username": demo_data.MAGENTO_ADMIN_USERNAME,
    "password": demo_data.MAGENTO_ADMIN_PASSWORD,
}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("openssl is needed to make the test certificate")
    return made


@pytest.fixture
def https_shop(certificate: tuple[Path, Path], tmp_path: Path) -> t.Iterator[Harness]:
    """A demo-seeded emulator served over HTTPS only, with a harness whose base_url is https."""
    emulator = MagentoEmulator(0, seed="demo")
    serve_https(emulator.httpd, certificate)
    emulator.start()
    yield Harness(emulator, tmp_path)
    emulator.stop()


def https_url(harness: Harness) -> str:
    return f"https://127.0.0.1:{harness.magento.port}"


def categories_over_https(harness: Harness, certificate: Path) -> list[str]:
    url = f"{https_url(harness)}/_emulator/dump"
    return [
        c["name"]
        for c in requests.get(url, verify=str(certificate), timeout=10).json()["categories"]
    ]


def test_verify_tls_false_wins_over_requests_ca_bundle(https_shop, certificate, monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE override `Session.verify`; a per-request verify wins."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    target, _ = https_shop.run(
        stream_messages("product_lines", LINES),
        base_url=https_url(https_shop),
        **ADMIN,
        verify_tls=False,
    )
    assert summary(target)["product_lines"]["created"] == 1
    assert "Over TLS" in categories_over_https(https_shop, certificate[0])


def test_requests_ca_bundle_is_trusted_when_verifying(https_shop, certificate, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    target, _ = https_shop.run(
        stream_messages("product_lines", LINES), base_url=https_url(https_shop), **ADMIN
    )
    assert summary(target)["product_lines"]["created"] == 1


def test_an_untrusted_certificate_fails_at_once_and_says_why(https_shop, monkeypatch, caplog):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    caplog.set_level(logging.INFO)
    with pytest.raises(MagentoError) as failed:
        https_shop.run(
            stream_messages("product_lines", LINES),
            base_url=https_url(https_shop),
            **ADMIN,
            max_retries=5,
        )
    assert not isinstance(failed.value, TransientError)
    message = str(failed.value)
    assert "127.0.0.1" in message
    assert "certificate verify failed" in message
    assert "verify_tls" in message
    assert "REQUESTS_CA_BUNDLE" in message
    assert not [r for r in caplog.records if "Retrying" in r.getMessage()]
    assert demo_data.MAGENTO_ADMIN_PASSWORD not in message
