"""What every endpoint handler receives, and small shared helpers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import search
from .errors import no_such_entity, required
from .fields import Type, convert, param
from .store import Store

ADMIN_STORE_ID = 0
DEFAULT_STORE_ID = 1
DEFAULT_WEBSITE_ID = 1
STORE_CODES = {"default": DEFAULT_STORE_ID, "all": ADMIN_STORE_ID}


@dataclass
class Call:
    """One API call: path parameters, parsed query, JSON body and the store scope."""

    store: Store
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    store_id: int = DEFAULT_STORE_ID
    input_limits: bool = False
    base_url: str = "http://127.0.0.1"
    template: str = ""

    def search(
        self,
        table: str,
        spec: search.Fields,
        render: Callable[[dict[str, Any]], Any],
        scope: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A `getList` answer: `{items, search_criteria, total_count}` (searchCriteria required).

        `scope` fields are ANDed to the caller's filters unseen, as a repository's own
        collection filter is (the entity type of an attribute list).
        """
        criteria = search.parse_criteria(self.query, mandatory=True)
        if self.input_limits:
            search.apply_limits(criteria)
        echoed = search.echo(criteria)
        groups = [{"filters": [{"field": k, "value": v}]} for k, v in (scope or {}).items()]
        criteria = criteria | {"filter_groups": [*(criteria.get("filter_groups") or []), *groups]}
        rows, total = self.store.search(table, criteria, spec)
        return {
            "items": [render(row) for row in rows],
            "search_criteria": echoed,
            "total_count": total,
        }

    def body_param(self, name: str, interface: Type, *, mandatory: bool = True) -> Any:
        """A body parameter converted to its data interface (missing → Magento's 400)."""
        body = self.body if isinstance(self.body, dict) else {}
        value = param(body, name)
        if value is None:
            if mandatory:
                raise required(name)
            return None
        return convert(value, interface, name)


def get_entity(store: Store, table: str, key: Any, field_name: str) -> dict[str, Any]:
    """A stored row, or the repository's 404 "No such entity with `field_name` = `key`"."""
    row = store.get(table, key)
    if row is None:
        raise no_such_entity(field_name, key)
    return row


def now() -> str:
    """Magento's timestamp format (UTC, no zone)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


_TRANSLIT = {"&": " and ", "@": " at ", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l"}


def format_url_key(text: str) -> str:
    """Magento's `formatUrlKey`: transliterate, lowercase, non-alphanumerics become dashes."""
    for source, target in _TRANSLIT.items():
        text = text.replace(source, target).replace(source.upper(), target)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def parse_fields(spec: str) -> dict[str, Any]:
    """`items[id,sku],total_count` → `{"items": {"id": {}, "sku": {}}, "total_count": {}}`."""
    root: dict[str, Any] = {}
    stack = [root]
    name = ""
    for char in spec + ",":
        if char in ",[]":
            if name.strip():
                stack[-1][name.strip()] = {}
            if char == "[" and name.strip():
                stack.append(stack[-1][name.strip()])
            elif char == "]" and len(stack) > 1:
                stack.pop()
            name = ""
        else:
            name += char
    return root


def filter_fields(data: Any, wanted: dict[str, Any]) -> Any:
    """Magento's `?fields=` partial response: keep only the named keys, level by level."""
    if not wanted:
        return data
    if isinstance(data, list):
        return [filter_fields(item, wanted) for item in data]
    if isinstance(data, dict):
        return {k: filter_fields(v, wanted[k]) for k, v in data.items() if k in wanted}
    return data
