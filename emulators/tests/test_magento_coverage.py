"""The Magento emulator's whole route table walked over real HTTP, each answer held to the schema.

`magento_walk.jsonl` is a user's session against the `shop` seed, in order: every declared route
is called at least once (the test fails when a route has no call), each call answers the status
it names, and each answer keeps to Adobe's 2.4.8 schema. The test prints how many of the
schema's admin operations in the modelled areas the emulator serves, and lists those it does not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from connector_emulators.magento import routes
from emulator_magento_support import admin_session
from magento_contract import SCHEMA_FILE, admin_operations, check_answer

pytestmark = pytest.mark.skipif(not SCHEMA_FILE.exists(), reason="Magento OpenAPI file not present")

# One call a line: [method, path under /rest/all, query, body, expected status].
WALK = Path(__file__).with_name("magento_walk.jsonl")
CALLS = [json.loads(line) for line in WALK.read_text().splitlines() if line.strip()]


def _shape(template: str) -> str:
    """A template with its parameters blanked, so `:id` and `{id}` compare equal."""
    return "/".join(re.sub(r"^(:.*|\{.*\})$", "*", s) for s in template.strip("/").split("/"))


@pytest.fixture
def session(shop) -> requests.Session:
    return admin_session(shop, f"{shop.base_url}/rest/all", seed="shop")


def test_every_declared_route_answers_within_the_schema(shop, session):
    base = session.base  # type: ignore[attr-defined]
    called: set[tuple[str, str]] = set()
    wrong: list[str] = []
    for method, path, query, body, status in CALLS:
        answer = session.request(method, base + path, params=query, json=body, timeout=30)
        found = routes.find(method, path)
        if found:
            called.add((found[0].method, found[0].template))
        if answer.status_code != status:
            wrong.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        problem = check_answer(method, "/rest/all" + path, answer.status_code, answer.content)
        if problem:
            wrong.append(problem)
    declared = {(r.method, r.template) for r in routes.ROUTES}
    assert declared - called == set(), "routes the walk does not call"
    assert wrong == []


def test_the_route_table_is_the_schema_s_and_counts_what_it_serves():
    schema = {(method, _shape(template)): template for method, template in admin_operations()}
    declared = {(r.method, _shape(r.template)) for r in routes.ROUTES}
    assert declared - set(schema) == set(), "declared routes the 2.4.8 schema does not have"
    served = sorted(schema[key] + " " + key[0] for key in set(schema) & declared)
    missing = sorted(f"{key[0]} {schema[key]}" for key in set(schema) - declared)
    print(f"\nMagento admin operations in the modelled areas: {len(schema)}")
    print(f"served: {len(served)}, not served: {len(missing)}")
    for line in missing:
        print("  not served:", line)
    assert len(served) == len(declared)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert f"({len(served)} of the {len(schema)} served)" in readme, "README's count is stale"


def test_literal_routes_win_over_parameter_routes():
    for method, path, template in (
        ("GET", "/V1/orders/items", "/V1/orders/items"),
        ("GET", "/V1/orders/items/5", "/V1/orders/items/:id"),
        ("GET", "/V1/customers/search", "/V1/customers/search"),
        ("GET", "/V1/customerGroups/default", "/V1/customerGroups/default"),
        ("GET", "/V1/categories/list", "/V1/categories/list"),
    ):
        found = routes.find(method, path)
        assert found is not None and found[0].template == template, path
