"""The Magento emulator for the whole session, reset per test, and clients pointed at it."""

from __future__ import annotations

import typing as t

import pytest
from connector_emulators import demo_data
from connector_emulators.magento.server import serve_in_thread
from magento_api import AuthSettings, MagentoClient

FAST_RETRIES = {"max_tries": 3, "backoff_factor": 0.01, "timeout": 10.0}


@pytest.fixture(scope="session")
def running_shop() -> t.Iterator[t.Any]:
    with serve_in_thread(port=0, seed="demo") as handle:
        yield handle


@pytest.fixture
def shop(running_shop: t.Any) -> t.Any:
    """The demo shop as seeded, with no faults, default config and fresh statistics."""
    for path, body in (
        ("/_emulator/reset", {"seed": "demo"}),
        ("/_emulator/config", {"integration_bearer": False, "two_factor": False}),
        ("/_emulator/stats/reset", {}),
    ):
        running_shop.admin("POST", path, body)
    running_shop.admin("DELETE", "/_emulator/faults")
    return running_shop


def credentials(shop: t.Any, mode: str) -> AuthSettings:
    """Working credentials of each of the three ways in."""
    integration = shop.integration
    if mode == "oauth":
        return AuthSettings(
            consumer_key=integration.consumer_key,
            consumer_secret=integration.consumer_secret,
            access_token=integration.access_token,
            access_token_secret=integration.access_token_secret,
        )
    if mode == "bearer":
        return AuthSettings(access_token=integration.access_token)
    return AuthSettings(
        username=demo_data.MAGENTO_ADMIN_USERNAME, password=demo_data.MAGENTO_ADMIN_PASSWORD
    )


@pytest.fixture
def make_client(shop: t.Any) -> t.Iterator[t.Callable[..., MagentoClient]]:
    clients: list[MagentoClient] = []

    def make(auth: AuthSettings | str = "oauth", **options: t.Any) -> MagentoClient:
        settings = credentials(shop, auth) if isinstance(auth, str) else auth
        client = MagentoClient(shop.base_url, settings, **(FAST_RETRIES | options))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
