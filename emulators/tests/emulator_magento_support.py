"""Helpers of the Magento emulator tests (their fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

import requests
from connector_emulators import demo_data
from connector_emulators.magento.server import MagentoEmulator

ADMIN = {"username": "admin", "password": "admin123"}
# The demo seed's orders: those of Intacct's sales orders that the shop holds, and the web orders.
DEMO_ORDER_COUNT = sum(o.in_magento for o in demo_data.SALES_ORDERS) + len(demo_data.WEB_ORDERS)


def admin_session(shop: MagentoEmulator, base: str, seed: str = "demo") -> requests.Session:
    """Reset the shop to `seed`; a session with an admin bearer token, `base` as `.base`."""
    shop.admin("POST", "/_emulator/reset", {"seed": seed})
    session = requests.Session()
    token = session.post(f"{shop.base_url}/rest/V1/integration/admin/token", json=ADMIN).json()
    session.headers["Authorization"] = f"Bearer {token}"
    session.base = base  # type: ignore[attr-defined]
    return session


def criteria(*groups: list[tuple[str, Any, str]], **extra: Any) -> dict[str, str]:
    """searchCriteria query parameters: groups of (field, value, condition) filters."""
    params: dict[str, str] = {}
    for g, group in enumerate(groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            params[f"{prefix}[field]"] = field
            params[f"{prefix}[value]"] = str(value)
            params[f"{prefix}[condition_type]"] = condition
    for key, value in extra.items():
        params[f"searchCriteria[{key}]"] = str(value)
    return params


def url(api: requests.Session, path: str, store: str | None = "default") -> str:
    """`path` under a store code's REST prefix (None: bare `/rest`) of the session's shop."""
    root = api.base.split("/rest", 1)[0]  # type: ignore[attr-defined]
    prefix = f"/rest/{store}" if store else "/rest"
    return f"{root}{prefix}{path}"
