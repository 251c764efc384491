"""Every test of `test_web_orders.py` again over REST, with the XML credentials beside.

The customers web orders create go through the REST API; the sales orders are Order Entry's
legacy functions, written over XML in the same run.
"""

from __future__ import annotations

import intacct_rest_openapi
import pytest
from target_intacct_helpers import rest_config
from test_web_orders import *  # noqa: F403 - the same tests, collected here with the REST config


@pytest.fixture(scope="module", autouse=True)
def journaled(emulators):
    with intacct_rest_openapi.checked(emulators[0]) as intacct:
        yield
        written = {(e.method, e.path.rsplit("/", 1)[-1]) for e in intacct.rest.journal}
        assert ("POST", "customer") in written


@pytest.fixture
def config(intacct, tmp_path):
    return rest_config(intacct, "demo", tmp_path, xml=True,
                       web_orders={"currencies": ["USD", "EUR"]})  # fmt: skip
