"""Fixtures: an Intacct emulator on port 0, a fresh company per test, and a base config."""

from __future__ import annotations

import itertools
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from connector_emulators.intacct.server import serve_in_thread

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))

import intacct_rest_openapi
from target_intacct_helpers import base_config

_companies = itertools.count(1)


@pytest.fixture(scope="session")
def emulator():
    handle = serve_in_thread(port=0, seed="demo")
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def rest_journal(request, emulator):
    """Every REST exchange of the module checked against the reduced OpenAPI definition; the
    module's `REST_WRITES` (method, last path part) must be among them."""
    with intacct_rest_openapi.checked(emulator):
        yield emulator
        written = {(e.method, e.path.rsplit("/", 1)[-1]) for e in emulator.rest.journal}
        assert set(getattr(request.module, "REST_WRITES", ())) <= written


@pytest.fixture
def company() -> str:
    """An empty company of its own for each test (any id but `demo` starts empty)."""
    return f"target_test_{next(_companies)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def config(emulator, company, tmp_path) -> dict[str, Any]:
    return base_config(emulator, company, tmp_path)
