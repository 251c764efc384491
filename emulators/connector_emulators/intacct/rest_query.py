"""The REST query service (`POST /services/core/query`) over the emulator's store.

Filters are Sage's single-operator objects (`{"$gte": {"audit.modifiedDateTime": "..."}}`), joined
by `filterExpression` over their 1-based positions (`"1 and (2 or 3)"`, default: all `and`); they
compile through the same SQL compiler as the XML `query`, on the fields' XML names. `start` is
1-based, `size` at most 4000 (default 100); `ia::meta` gives `totalCount, start, pageSize, next,
previous`.
"""

from __future__ import annotations

import re
from typing import Any

from .functions import PAGE_DECODER, Call, count, scope_sql
from .objects import FieldDef
from .querying import Compiler, Node, QueryError
from .rest_objects import BY_PATH, RestObject
from .rest_values import REST_FORMATTING, Render, renderer, request_text

MAX_SIZE = 4000
DEFAULT_SIZE = 100
COMPARE = {"$eq": "eq", "$ne": "ne", "$lt": "lt", "$lte": "le", "$gt": "gt", "$gte": "ge"}
LIKE = {
    "$contains": ("like", "%{}%"), "$notContains": ("notlike", "%{}%"),
    "$startsWith": ("like", "{}%"), "$notStartsWith": ("notlike", "{}%"),
    "$endsWith": ("like", "%{}"), "$notEndsWith": ("notlike", "%{}"),
}  # fmt: skip
_EXPRESSION = re.compile(r"\s*(?:(\d+)|(and|or)\b|(\()|(\)))", re.IGNORECASE)


class BadQueryError(Exception):
    """A query Sage would refuse with 400; `target` names the offending part."""

    def __init__(self, message: str, target: str = "") -> None:
        super().__init__(message)
        self.target = target


def rest_object(path: str) -> RestObject:
    """The row of a REST object path (`accounts-receivable/customer`)."""
    row = BY_PATH.get(path)
    if row is None:
        raise BadQueryError(f"{path} is not a valid object", "/object")
    return row


def field_of(row: RestObject, fields: dict[str, FieldDef], rest: str) -> FieldDef:
    """The emulator's field behind a REST field name."""
    xml = row.xml_name(rest, fields)
    if xml is None or xml not in fields:
        raise BadQueryError(f"{rest} is not a valid field", f"/{rest}")
    return fields[xml]


def condition(row: RestObject, fields: dict[str, FieldDef], item: Any) -> Node:
    """One filter object → a compiler node on the XML field."""
    if not isinstance(item, dict) or len(item) != 1:
        raise BadQueryError("each filter holds exactly one operator", "/filters")
    ((operator, operand),) = item.items()
    if not isinstance(operand, dict) or len(operand) != 1:
        raise BadQueryError(f"{operator} takes one field", "/filters")
    ((rest, value),) = operand.items()
    fdef = field_of(row, fields, rest)
    name = fdef.name
    if operator in ("$eq", "$ne") and value is None:
        return ("cmp", "isnull" if operator == "$eq" else "isnotnull", name, [])
    if operator in COMPARE:
        return ("cmp", COMPARE[operator], name, [request_text(row, fdef, value)])
    if operator in ("$in", "$notIn"):
        if not isinstance(value, list) or not value:
            raise BadQueryError(f"{operator} takes a list of values", "/filters")
        op = "in" if operator == "$in" else "notin"
        return ("cmp", op, name, [request_text(row, fdef, v) for v in value])
    if operator in ("$between", "$notBetween"):
        if not isinstance(value, list) or len(value) != 2:
            raise BadQueryError(f"{operator} takes two values", "/filters")
        node = ("cmp", "between", name, [request_text(row, fdef, v) for v in value])
        return node if operator == "$between" else ("not", node)
    if operator in LIKE:
        if fdef.datatype in ("DATE", "TIMESTAMP"):
            raise BadQueryError(f"{operator} cannot be used on date field {rest}", "/filters")
        op, pattern = LIKE[operator]
        return ("cmp", op, name, [pattern.format(request_text(row, fdef, value))])
    raise BadQueryError(f"{operator} is not a supported filter operator", "/filters")


def combine(nodes: list[Node], expression: str | None) -> Node | None:
    """Join filters by `filterExpression` (1-based positions, and/or, parentheses)."""
    if not nodes:
        return None
    if not expression:
        return nodes[0] if len(nodes) == 1 else ("and", nodes)
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression.rstrip()):
        match = _EXPRESSION.match(expression, pos)
        if match is None:
            raise BadQueryError(
                f"filterExpression '{expression}' is not valid", "/filterExpression"
            )
        number, word, opening, closing = match.groups()
        kind = "n" if number else "w" if word else "(" if opening else ")"
        tokens.append((kind, (number or word or opening or closing).lower()))
        pos = match.end()
    parser = _Expression(tokens, nodes, expression)
    node = parser.or_expr()
    if parser.pos != len(tokens):
        raise BadQueryError(f"filterExpression '{expression}' is not valid", "/filterExpression")
    return node


class _Expression:
    def __init__(self, tokens: list[tuple[str, str]], nodes: list[Node], text: str) -> None:
        self.tokens, self.nodes, self.text, self.pos = tokens, nodes, text, 0

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self._peek() == ("w", "or"):
            self.pos += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def and_expr(self) -> Node:
        parts = [self.atom()]
        while self._peek() == ("w", "and"):
            self.pos += 1
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def atom(self) -> Node:
        kind, value = self._peek()
        self.pos += 1
        if kind == "(":
            node = self.or_expr()
            if self._peek()[0] != ")":
                raise BadQueryError(
                    f"filterExpression '{self.text}' misses ')'", "/filterExpression"
                )
            self.pos += 1
            return node
        if kind == "n" and 1 <= int(value) <= len(self.nodes):
            return self.nodes[int(value) - 1]
        raise BadQueryError(
            f"filterExpression '{self.text}' names no filter at '{value}'", "/filterExpression"
        )


def run_query(call: Call, body: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows and `ia::meta` of one query request (raises BadQueryError)."""
    if not isinstance(body, dict):
        raise BadQueryError("a query is a JSON object", "/")
    row = rest_object(str(body.get("object", "")))
    requested = body.get("fields")
    if not isinstance(requested, list) or not requested:
        raise BadQueryError("fields is required: list the fields to return", "/fields")
    store, company = call.ctx.store, call.ctx.company
    fields = {f.name: f for f in store.fields(company, row.obj)}
    selected = [(str(name), field_of(row, fields, str(name))) for name in requested]
    filters = body.get("filters") or []
    if not isinstance(filters, list):
        raise BadQueryError("filters is a list of filter objects", "/filters")
    tree = combine([condition(row, fields, f) for f in filters], body.get("filterExpression"))
    parameters = body.get("filterParameters") or {}
    case_sensitive = parameters.get("caseSensitiveComparison", True) is not False
    compiler = Compiler(row.obj, fields, REST_FORMATTING, caseinsensitive=not case_sensitive)
    orders = []
    for item in body.get("orderBy") or []:
        if not isinstance(item, dict) or len(item) != 1:
            raise BadQueryError("each orderBy item is {field: asc|desc}", "/orderBy")
        ((rest, direction),) = item.items()
        if direction not in ("asc", "desc"):
            raise BadQueryError(f"orderBy direction '{direction}' is not asc or desc", "/orderBy")
        orders.append((field_of(row, fields, rest).name, direction == "asc"))
    start, size = _window(body)
    try:
        where, params = compiler.compile(tree)
        order_sql = compiler.order_by(orders, compiler.pinned(tree))
    except QueryError as exc:
        raise BadQueryError(str(exc), "/filters") from exc
    scope, scope_params = scope_sql(call, row.obj)
    where, params = f"({where}){scope}", params + scope_params
    total = count(call, row.obj, where, params, (compiler, tree) if not scope else None)
    sql = (
        "SELECT data FROM records WHERE company = ? AND object = ? AND "  # noqa: S608
        f"{where} ORDER BY {order_sql} LIMIT {size} OFFSET {start - 1}"
    )
    stored = store.conn.execute(sql, [company, row.obj.name, *params]).fetchall()
    records = PAGE_DECODER.decode("[" + ",".join(r[0] for r in stored) + "]")
    render: list[tuple[str, str, Render]] = [
        (rest, fdef.name, renderer(row, fdef, rest)) for rest, fdef in selected
    ]
    rows = [
        {rest: (None if (v := rec.get(xml)) is None else conv(v)) for rest, xml, conv in render}
        for rec in records
    ]
    end = start + len(rows)
    meta = {
        "totalCount": total,
        "start": start,
        "pageSize": size,
        "next": end if end <= total else None,
        "previous": max(start - size, 1) if start > 1 else None,
    }
    return rows, meta


def _window(body: dict[str, Any]) -> tuple[int, int]:
    start, size = body.get("start", 1), body.get("size", DEFAULT_SIZE)
    if not isinstance(start, int) or isinstance(start, bool) or start < 1:
        raise BadQueryError("start is the 1-based number of the first record", "/start")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_SIZE:
        raise BadQueryError(f"size must be 1 to {MAX_SIZE}", "/size")
    return start, size
