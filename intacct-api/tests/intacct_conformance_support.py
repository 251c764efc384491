"""What the offline conformance tests share: the SDK's fixtures, their canonical form, requests.

The fixtures live in ../shared (not part of the repository); the tests skip when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from intacct_api.envelope import Control, SessionAuth, build_request
from lxml import etree

SHARED = Path(__file__).resolve().parents[3] / "shared" / "intacct"
FIXTURES = SHARED / "fixtures"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared reference not present")


def load(name: str) -> etree._Element:
    matches = sorted(FIXTURES.glob(f"{name}*.xml"))
    assert len(matches) == 1, name
    return etree.parse(str(matches[0])).getroot()


def body(name: str) -> bytes:
    return next(FIXTURES.glob(f"{name}*.xml")).read_bytes()


def canonical(element: etree._Element, unordered: bool = False) -> tuple:
    """Tag, attributes, stripped text and children; whitespace-only text counts as empty."""
    children = [canonical(c) for c in element if isinstance(c.tag, str)]
    if unordered:
        children.sort()
    return (element.tag, sorted(element.attrib.items()), (element.text or "").strip(), children)


CONTROL = Control("testsenderid", "pass123!", control_id="unittest")


def request_root(functions, auth=None, **kwargs) -> etree._Element:
    raw = build_request(CONTROL, auth or SessionAuth("testsession.."), functions, **kwargs)
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return etree.fromstring(raw)
