"""Every test of `test_faults.py` again over REST: a lost answer is re-sent under the same
Idempotency-Key (Intacct answers it with the first answer), so nothing is written twice."""

from __future__ import annotations

import pytest
from target_intacct_helpers import rest_config
from test_faults import *  # noqa: F403 - the same tests, collected here with the REST config

pytestmark = pytest.mark.usefixtures("rest_journal")
REST_WRITES = {("POST", "customer")}


@pytest.fixture
def create_function() -> str:
    return "rest.create"


@pytest.fixture
def config(emulator, company, tmp_path):
    return rest_config(emulator, company, tmp_path)
