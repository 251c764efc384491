"""Every master-data test of `test_master_data.py` again, over the REST API alone.

Customers, contacts and items (create, upsert by each match field, update, every delete
behaviour, rejects, ID map) written through REST must end as they do over XML.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from target_intacct_helpers import rest_config
from test_master_data import *  # noqa: F403 - the same tests, collected here with the REST config

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))
import intacct_rest_openapi


@pytest.fixture(scope="module", autouse=True)
def journaled(emulator):
    with intacct_rest_openapi.checked(emulator):
        yield emulator
        written = {(e.method, e.path.rsplit("/", 1)[-1]) for e in emulator.rest.journal}
        assert {("POST", "customer"), ("PATCH", "customer"), ("POST", "item")} <= written


@pytest.fixture
def config(emulator, company, tmp_path):
    return rest_config(emulator, company, tmp_path)
