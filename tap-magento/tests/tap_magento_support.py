"""Test support: tap runs captured in-process, configs for each way in, more storefront orders."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import sys
import typing as t
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from connector_emulators import demo_data
from tap_magento.tap import TapMagento

TAP = str(Path(sys.executable).with_name("tap-magento"))


@dataclass
class Run:
    """The Singer messages of one tap run."""

    messages: list[dict[str, t.Any]] = field(default_factory=list)

    def records(self, stream: str) -> list[dict[str, t.Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    @property
    def states(self) -> list[dict[str, t.Any]]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def state(self) -> dict[str, t.Any]:
        return self.states[-1]


def parse_messages(raw: bytes | str) -> list[dict[str, t.Any]]:
    """Singer lines, numbers with a fraction as `Decimal` (as a target reads them)."""
    return [json.loads(line, parse_float=Decimal) for line in raw.splitlines() if line.strip()]


def run_tap(config: dict[str, t.Any], state: dict[str, t.Any] | None = None) -> Run:
    """A full sync in-process, over HTTP against the emulator."""
    output = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(output):
        TapMagento(config=config, state=copy.deepcopy(state or {})).sync_all()
    return Run(parse_messages(output.buffer.getvalue()))  # type: ignore[attr-defined]


def oauth_config(shop: t.Any, **extra: t.Any) -> dict[str, t.Any]:
    integration = shop.integration
    return {
        "base_url": shop.base_url,
        "consumer_key": integration.consumer_key,
        "consumer_secret": integration.consumer_secret,
        "access_token": integration.access_token,
        "access_token_secret": integration.access_token_secret,
        "max_retries": 3,
        **extra,
    }


def admin_config(shop: t.Any, **extra: t.Any) -> dict[str, t.Any]:
    return {
        "base_url": shop.base_url,
        "username": demo_data.MAGENTO_ADMIN_USERNAME,
        "password": demo_data.MAGENTO_ADMIN_PASSWORD,
        **extra,
    }


def place_orders(shop: t.Any, count: int, start: int = 900) -> list[dict[str, t.Any]]:
    """More storefront orders (placed now), each for two SKUs."""
    return [
        shop.admin(
            "POST",
            "/_emulator/orders",
            {
                "increment_id": f"{start + n:09d}",
                "customer_email": f"buyer{n}@example.com",
                "items": [
                    {"sku": "HAMMER-1", "qty": 1, "price": "19.95"},
                    {"sku": "SCREW-100", "qty": n + 1, "price": "7.49"},
                ],
                "shipping_amount": "5.00",
            },
        )
        for n in range(count)
    ]
