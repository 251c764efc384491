"""Every master-data test of `test_master_data.py` again, over the REST API alone.

Customers, contacts and items (create, upsert by each match field, update, every delete
behaviour, rejects, ID map) written through REST must end as they do over XML.
"""

from __future__ import annotations

import pytest
from target_intacct_helpers import rest_config
from test_master_data import *  # noqa: F403 - the same tests, collected here with the REST config

pytestmark = pytest.mark.usefixtures("rest_journal")
REST_WRITES = {("POST", "customer"), ("PATCH", "customer"), ("POST", "item")}


@pytest.fixture
def config(emulator, company, tmp_path):
    return rest_config(emulator, company, tmp_path)
