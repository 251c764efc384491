"""searchCriteria: PHP-style query parsing, SQL translation and Magento's response echo.

Filters inside one group are ORed, groups are ANDed; `eq` is the default condition. Text compares
case-insensitively like MySQL's `utf8_general_ci` columns. Without `pageSize` the whole result set
is answered (Magento's input limits are off by default); a page past the end answers no items with
the true `total_count`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from .errors import input_error, required
from .fields import convert

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 300
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_BRACKETS = re.compile(r"\[([^\]]*)\]")


@dataclass(frozen=True)
class Fields:
    """How a table's documents are searched: numeric fields, aliases and extra SQL columns."""

    numeric: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    boolean: frozenset[str] = frozenset()
    # filter field → (list field, key inside each element): `category_id` of products
    members: dict[str, tuple[str, str]] = field(default_factory=dict)


def parse_php_query(query: str) -> dict[str, Any]:
    """Parse `a[b][0][c]=v` pairs into nested dicts the way PHP fills `$_GET`."""
    result: dict[str, Any] = {}
    for raw_key, value in parse_qsl(query, keep_blank_values=True):
        head, _, rest = raw_key.partition("[")
        keys = [head] + (_BRACKETS.findall("[" + rest) if rest else [])
        node = result
        for position, raw in enumerate(keys):
            key = raw or str(len(node))
            if position == len(keys) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = {}
                    node[key] = child
                node = child
    return result


def parse_criteria(query: dict[str, Any], *, mandatory: bool) -> dict[str, Any]:
    """The `searchCriteria` parameter, converted; absent means "everything" unless mandatory."""
    raw = query.get("searchCriteria", query.get("search_criteria"))
    if raw is None and mandatory:
        raise required("searchCriteria")
    if not isinstance(raw, dict):
        return {}
    criteria: dict[str, Any] = convert(raw, "search_criteria", "searchCriteria")
    return criteria


def apply_limits(criteria: dict[str, Any]) -> None:
    """Magento's optional web API input limits: default page size 20, at most 300."""
    if not criteria.get("page_size"):
        criteria["page_size"] = DEFAULT_PAGE_SIZE
    if criteria["page_size"] > MAX_PAGE_SIZE:
        raise input_error("Maximum SearchCriteria pageSize is %max", {"max": MAX_PAGE_SIZE})


def echo(criteria: dict[str, Any]) -> dict[str, Any]:
    """The `search_criteria` object Magento answers next to the items."""
    groups = [
        {
            "filters": [
                {
                    "field": f.get("field"),
                    "value": f.get("value"),
                    "condition_type": f.get("condition_type") or "eq",
                }
                for f in group.get("filters") or []
            ]
        }
        for group in criteria.get("filter_groups") or []
    ]
    result: dict[str, Any] = {"filter_groups": groups}
    if criteria.get("sort_orders"):
        result["sort_orders"] = [
            {"field": s.get("field"), "direction": (s.get("direction") or "ASC").upper()}
            for s in criteria["sort_orders"]
        ]
    for key in ("page_size", "current_page"):
        if criteria.get(key) is not None:
            result[key] = criteria[key]
    return result


def column(name: str) -> str:
    """The SQL expression of a document field (it matches the expression indexes)."""
    return f"json_extract(doc, '$.{name}')"


def where_clause(criteria: dict[str, Any], spec: Fields) -> tuple[str, list[Any]]:
    """SQL WHERE text and parameters for the filter groups."""
    clauses: list[str] = []
    params: list[Any] = []
    for group in criteria.get("filter_groups") or []:
        ors: list[str] = []
        for item in group.get("filters") or []:
            sql, values = _condition(item, spec)
            ors.append(sql)
            params.extend(values)
        if ors:
            clauses.append("(" + " OR ".join(ors) + ")")
    return (" AND ".join(clauses) or "1=1"), params


def order_clause(criteria: dict[str, Any], spec: Fields) -> str:
    """SQL ORDER BY text for the sort orders (then by id, for stable pages)."""
    orders: list[str] = []
    for sort in criteria.get("sort_orders") or []:
        name = spec.aliases.get(str(sort.get("field")), str(sort.get("field")))
        if not _FIELD_NAME.match(name):
            continue
        direction = "DESC" if str(sort.get("direction") or "").upper() == "DESC" else "ASC"
        collate = "" if name in spec.numeric else " COLLATE NOCASE"
        orders.append(f"{column(name)}{collate} {direction}")
    orders.append("id ASC")
    return ", ".join(orders)


def page(criteria: dict[str, Any]) -> tuple[int | None, int]:
    """LIMIT and OFFSET for the page; no page size means no limit."""
    size = criteria.get("page_size")
    if not size or size <= 0:
        return None, 0
    current = max(int(criteria.get("current_page") or 1), 1)
    return int(size), (current - 1) * int(size)


def _condition(item: dict[str, Any], spec: Fields) -> tuple[str, list[Any]]:
    name = str(item.get("field") or "")
    name = spec.aliases.get(name, name)
    if not _FIELD_NAME.match(name):
        return "0", []
    condition = (item.get("condition_type") or "eq").lower()
    value = item.get("value")
    if name in spec.members:
        return _member_condition(spec.members[name], condition, value)
    col = column(name)
    numeric = name in spec.numeric or name in spec.boolean
    collate = "" if numeric else " COLLATE NOCASE"

    def typed(raw: Any) -> Any:
        if name in spec.boolean:
            return 1 if str(raw).strip().lower() in {"1", "true"} else 0
        if numeric:
            try:
                return float(raw)
            except (TypeError, ValueError):
                return raw
        return "" if raw is None else str(raw)

    binary = {"eq": "=", "neq": "!=", "gt": ">", "gteq": ">=", "moreq": ">=", "lt": "<"}
    binary |= {"lteq": "<=", "from": ">=", "to": "<="}
    if condition in binary:
        return f"{col} {binary[condition]} ?{collate}", [typed(value)]
    if condition in {"like", "nlike"}:
        negate = "NOT " if condition == "nlike" else ""
        return f"{col} {negate}LIKE ?", [str(value)]
    if condition in {"in", "nin"}:
        values = [typed(v.strip()) for v in str(value or "").split(",")]
        marks = ", ".join("?" for _ in values)
        negate = "NOT " if condition == "nin" else ""
        return f"{col}{collate} {negate}IN ({marks})", values
    if condition == "null":
        return f"{col} IS NULL", []
    if condition == "notnull":
        return f"{col} IS NOT NULL", []
    if condition in {"finset", "nfinset"}:
        negate = "NOT " if condition == "nfinset" else ""
        return f"({negate}(',' || {col} || ',') LIKE ('%,' || ? || ',%'))", [str(value)]
    return f"{col} = ?{collate}", [typed(value)]


def _member_condition(member: tuple[str, str], condition: str, value: Any) -> tuple[str, list[Any]]:
    """Whether any element of a list field has the key among the values (eq/in, neq/nin)."""
    list_field, key = member
    values = [v.strip() for v in str(value or "").split(",")]
    marks = ", ".join("?" for _ in values)
    negate = "NOT " if condition in {"neq", "nin"} else ""
    # The list field and key are declared constants (`Fields.members`); values are bound.
    exists = (
        f"{negate}EXISTS (SELECT 1 FROM json_each(doc, '$.{list_field}') "  # noqa: S608
        f"WHERE CAST(json_extract(json_each.value, '$.{key}') AS TEXT) IN ({marks}))"
    )
    return exists, values
