"""Meltano asks tap-intacct for its catalog before every run (the project's plugins are editable
installs, which Meltano never caches): the tap answers from its discovery cache, so Intacct is
asked only when the catalog can have changed."""

from __future__ import annotations

import json
from typing import Any

import local_stack

JOB = "intacct-payments"  # every five minutes


def discovery_calls(intacct: local_stack.Emulator) -> tuple[int, int]:
    """(lookup functions, logins) the emulator answered since the last call; counters reset."""
    stats = intacct.get_json("/_emulator/stats")
    intacct.post_json("/_emulator/stats/reset")
    functions = stats["functions"]
    return int(functions.get("lookup", 0)), int(functions.get("getAPISession", 0))


def catalog_fields(project: local_stack.MeltanoProject, stream: str) -> set[str]:
    """The stream's fields in the catalog Meltano gets from discovery."""
    dumped = local_stack.meltano(
        "--environment=demo", "invoke", "--dump=catalog", "tap-intacct-payments", env=project.env
    )
    catalog: dict[str, Any] = json.loads(dumped.stdout)
    entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == stream)
    return set(entry["schema"]["properties"])


def test_meltano_runs_discover_once_until_the_catalog_changes(
    project: local_stack.MeltanoProject, intacct: local_stack.Emulator
) -> None:
    discovery_calls(intacct)
    project.run(JOB)
    lookups, logins = discovery_calls(intacct)
    assert lookups > 40 and logins == 2  # discovery's session, then the sync's

    second = project.run(JOB)
    assert discovery_calls(intacct) == (0, 1)  # the sync's login only
    assert any("objects from the cache" in str(e.get("event")) for e in second.events())

    # settings naming another object: that one object is asked for
    project.env["TAP_INTACCT_DIMENSION_OBJECTS"] = '["CHANNEL"]'
    project.run(JOB)
    assert discovery_calls(intacct) == (1, 2)
    project.run(JOB)
    assert discovery_calls(intacct) == (0, 1)

    # a custom field added in Intacct: seen once the entries are older than
    # discovery_cache_seconds; 0 asks at once and refreshes the cache for the next runs
    intacct.post_json("/_emulator/companies/demo", {"custom_fields": [
        {"object": "ARPYMT", "name": "CASH_DESK", "datatype": "TEXT"},
    ]})  # fmt: skip
    assert "CASH_DESK" not in catalog_fields(project, "ar_payments")
    assert discovery_calls(intacct)[0] == 0
    project.env["TAP_INTACCT_DISCOVERY_CACHE_SECONDS"] = "0"
    assert "CASH_DESK" in catalog_fields(project, "ar_payments")
    assert discovery_calls(intacct)[0] == lookups + 1
    del project.env["TAP_INTACCT_DISCOVERY_CACHE_SECONDS"]
    assert "CASH_DESK" in catalog_fields(project, "ar_payments")
    assert discovery_calls(intacct)[0] == 0
