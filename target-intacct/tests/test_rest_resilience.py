"""Every test of `test_resilience*.py` again over REST, with the XML credentials beside.

Pending headers and lines, references later in the input, entities, unchanged re-runs and
the one-line failures hold over REST as over XML.
"""

from __future__ import annotations

import pytest
from target_intacct_helpers import rest_config
from test_resilience import *  # noqa: F403 - the same tests, collected here with the REST config
from test_resilience_pending_lines import *  # noqa: F403
from test_resilience_references import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("rest_journal")
REST_WRITES = {("POST", "item"), ("POST", "product-line"), ("PATCH", "customer")}


@pytest.fixture
def config(emulator, company, tmp_path):
    return rest_config(emulator, company, tmp_path, xml=True)


del test_wrong_password_with_entities_fails_the_run  # noqa: F821 - XML's user password; over REST:


def test_wrong_client_secret_with_entities_fails_the_run(emulator, config, tmp_path):
    config |= {"entity_field": "MEGAENTITYID", "client_secret": "not-the-secret"}
    records = [{"CUSTOMERID": "L-2", "NAME": "Login", "MEGAENTITYID": "US"}]
    done = run_cli(config, stream_messages("customers", records), tmp_path, debug=False)  # noqa: F405
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "client_id and client_secret" in errors[0]
    assert not Path(config["reject_file"]).exists() or read_jsonl(config["reject_file"]) == []  # noqa: F405
    assert "not-the-secret" not in done.stdout + done.stderr
