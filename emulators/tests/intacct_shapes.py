"""Sage's answer shapes for the coverage tests: element paths of the shared fixtures."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

SHARED = Path(__file__).resolve().parents[3] / "shared" / "intacct"
FIXTURES = SHARED / "fixtures"


def fixture_result(name: str) -> etree._Element:
    """The `<result>` of a fixture (or its root, for a bare `lookup` `<Type>` excerpt)."""
    root = etree.parse(str(FIXTURES / name)).getroot()
    result = root.find(".//result") if root.tag != "Type" else root
    assert result is not None
    return result


def shape(el: etree._Element, prefix: str = ".") -> set[str]:
    """The element paths under `el`, without text and repeated rows (a document's shape)."""
    out = {prefix}
    for child in el:
        if isinstance(child.tag, str):
            out |= shape(child, f"{prefix}/{child.tag}")
    return out
