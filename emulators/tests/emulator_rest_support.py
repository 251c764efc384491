"""Helpers of the REST emulator tests: the API's base URL and access tokens for the demo user."""

from __future__ import annotations

from typing import Any

import requests
from connector_emulators.intacct.rest_auth import CLIENT_ID, CLIENT_SECRET
from connector_emulators.intacct.server import IntacctEmulator


def api(emu: IntacctEmulator) -> str:
    return emu.base_url + "/ia/api/v1"


def token(emu: IntacctEmulator, username: str = "demo_user@demo", **extra: str) -> dict[str, Any]:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "username": username, **extra}  # fmt: skip
    response = requests.post(api(emu) + "/oauth2/token", data=form, timeout=10)
    return {"status": response.status_code, **response.json()}


def bearer(emu: IntacctEmulator, username: str = "demo_user@demo") -> dict[str, str]:
    return {"Authorization": "Bearer " + token(emu, username)["access_token"]}
