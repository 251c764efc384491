"""Fixtures: the Magento emulator with the `shop` seed, one per session, reset per test."""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import pytest
from connector_emulators.magento.server import serve_in_thread

# The tests import their helpers from the module beside this file.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def emulator() -> t.Iterator[t.Any]:
    with serve_in_thread(port=0, seed="shop") as handle:
        yield handle


@pytest.fixture
def shop(emulator: t.Any) -> t.Any:
    """The storefront as seeded, no faults, fresh statistics."""
    emulator.admin("POST", "/_emulator/reset", {"seed": "shop"})
    emulator.admin("DELETE", "/_emulator/faults")
    emulator.admin("POST", "/_emulator/config", {"integration_bearer": False})
    emulator.admin("POST", "/_emulator/stats/reset", {})
    return emulator
