"""Fixtures: the Magento emulator (one per session, reset per test) and the test harness."""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import pytest
from connector_emulators.magento.server import serve_in_thread

# The tests import their helpers from the module beside this file.
sys.path.insert(0, str(Path(__file__).parent))

from target_magento_support import Harness


@pytest.fixture(scope="session")
def emulator() -> t.Iterator[t.Any]:
    handle = serve_in_thread(port=0, seed="demo")
    yield handle
    handle.stop()


@pytest.fixture
def magento(emulator: t.Any) -> t.Any:
    """The session's emulator, reset to the demo shop for each test."""
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    emulator.admin("DELETE", "/_emulator/faults")
    emulator.admin("POST", "/_emulator/stats/reset", {})
    return emulator


@pytest.fixture
def harness(magento: t.Any, tmp_path: Path) -> Harness:
    return Harness(magento, tmp_path)
