"""The XML ↔ REST field map: the connectors' table, the emulator's rows and the docs agree."""

from __future__ import annotations

import re
from pathlib import Path

from connector_emulators.intacct.rest_objects import ROWS
from intacct_api.rest.mapping import object_maps

PAGE = Path(__file__).resolve().parents[2] / "docs" / "rest-field-map.md"


def test_the_emulator_shows_objects_under_the_names_the_connectors_use():
    emulated = {row.xml: (row.path, row.to_rest) for row in ROWS}
    mapped = {name: (m.path, dict(m.fields)) for name, m in object_maps().items()}
    assert mapped == emulated
    for row in ROWS:
        values = object_maps()[row.xml].values
        assert {name: dict(pairs) for name, pairs in row.values} == values


def test_the_docs_page_lists_every_pair():
    text = PAGE.read_text()
    sections = dict(re.findall(r"^## `(\w+)` → `([^`]+)`", text, flags=re.M))
    assert sections == {name: m.path for name, m in object_maps().items()}
    listed = set(re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|$", text, flags=re.M))
    expected = {(x, r) for m in object_maps().values() for x, r in m.fields.items()}
    assert listed == expected
