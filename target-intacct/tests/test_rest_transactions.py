"""Every test of `test_transactions.py` again, over REST with the XML credentials beside.

Invoices, adjustments, payments, journal entries and sales documents are written with XML's
legacy functions (REST maps no legacy object); the customers and items they name are written
over REST in the same run, so references resolve across the two transports.
"""

from __future__ import annotations

import pytest
from target_intacct_helpers import rest_config
from test_transactions import *  # noqa: F403 - the same tests, collected here with the REST config

pytestmark = pytest.mark.usefixtures("rest_journal")
REST_WRITES = {("POST", "customer"), ("POST", "item")}


@pytest.fixture
def config(emulator, company, tmp_path):
    return rest_config(emulator, company, tmp_path, xml=True)
