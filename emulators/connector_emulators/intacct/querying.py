"""Filters of `readByQuery` (a query string) and `query` (a filter tree), compiled to SQL.

Both languages parse into the same small tree: `("and", [..])`, `("or", [..])`, `("not", node)`
and `("cmp", op, field, values)` with op one of eq ne lt le gt ge between in notin like notlike
isnull isnotnull. `Compiler` turns a tree into an SQL condition over the `records` table, using the
indexed columns for RECORDNO, the ID field, WHENMODIFIED, the owner link and the entity, and
`json_extract` for the other fields. Literals are converted to the stored form of the field's
data type (dates and timestamps typed in the user's date format and time zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from .objects import NUMERIC_TYPES, FieldDef, ObjectDef
from .store import INDEXED_COLUMNS, field_sql
from .values import BadValueError, Formatting, to_stored

Node = tuple[Any, ...]

COMPARISONS = {
    "equalto": "eq",
    "notequalto": "ne",
    "lessthan": "lt",
    "lessthanorequalto": "le",
    "greaterthan": "gt",
    "greaterthanorequalto": "ge",
    "between": "between",
    "in": "in",
    "notin": "notin",
    "like": "like",
    "notlike": "notlike",
    "isnull": "isnull",
    "isnotnull": "isnotnull",
}
SQL_OPS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
TEXT_OPS = {"=": "eq", "!=": "ne", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
NO_CODE = "\x00"  # prefix of a readByQuery literal that is no stored code: matches no row


class QueryError(Exception):
    """A query that cannot be run; the message says why."""


# -- readByQuery strings ----------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:\\.|[^'\\])*')
      | (?P<op><=|>=|<>|!=|=|<|>)
      | (?P<punct>[(),])
      | (?P<num>-?\d+(?:\.\d+)?(?![\w.]))
      | (?P<word>[A-Za-z_][\w.]*)
    )""",
    re.VERBOSE,
)
KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL"}


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split a readByQuery string into (kind, value) tokens."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(f"unexpected text at position {pos + 1}: {text[pos : pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "word" and value.upper() in KEYWORDS:
            kind, value = "kw", value.upper()
        tokens.append((kind, value))
    return tokens


class _Parser:
    """Recursive descent over readByQuery tokens."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        tok = self.peek()
        if tok[0] != kind or (value is not None and tok[1] != value):
            expected = value or kind
            raise QueryError(f"expected {expected} but found {tok[1] or 'end of query'!r}")
        self.pos += 1
        return tok[1]

    def accept(self, kind: str, value: str) -> bool:
        if self.peek() == (kind, value):
            self.pos += 1
            return True
        return False

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek()[0] != "end":
            raise QueryError(f"unexpected {self.peek()[1]!r}")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.accept("kw", "OR"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.accept("kw", "AND"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def not_expr(self) -> Node:
        if self.accept("kw", "NOT"):
            return ("not", self.not_expr())
        if self.accept("punct", "("):
            node = self.or_expr()
            self.take("punct", ")")
            return node
        return self.comparison()

    def literal(self) -> str:
        kind, value = self.peek()
        if kind in ("str", "num"):
            self.pos += 1
            return value
        raise QueryError(f"expected a value but found {value or 'end of query'!r}")

    def comparison(self) -> Node:
        field_name = self.take("word").upper()
        kind, value = self.peek()
        if kind == "op":
            self.pos += 1
            return ("cmp", TEXT_OPS[value], field_name, [self.literal()])
        negate = self.accept("kw", "NOT")
        if self.accept("kw", "IN"):
            self.take("punct", "(")
            values = [self.literal()]
            while self.accept("punct", ","):
                values.append(self.literal())
            self.take("punct", ")")
            return ("cmp", "notin" if negate else "in", field_name, values)
        if self.accept("kw", "LIKE"):
            return ("cmp", "notlike" if negate else "like", field_name, [self.literal()])
        if not negate and self.accept("kw", "IS"):
            is_not = self.accept("kw", "NOT")
            self.take("kw", "NULL")
            return ("cmp", "isnotnull" if is_not else "isnull", field_name, [])
        raise QueryError(f"expected an operator after {field_name} but found {value!r}")


def parse_query_string(text: str) -> Node | None:
    """Parse a readByQuery `<query>`; empty means every record."""
    tokens = tokenize(text or "")
    return _Parser(tokens).parse() if tokens else None


# -- query filter trees ---------------------------------------------------------------------
def parse_filter(element: etree._Element) -> Node:
    """Parse the single operator inside `<filter>` (or nested inside and/or)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    children = [c for c in element if isinstance(c.tag, str)]
    if tag in ("and", "or"):
        if len(children) < 2:
            raise QueryError(f"<{tag}> needs at least two conditions")
        return (tag, [parse_filter(c) for c in children])
    op = COMPARISONS.get(tag)
    if op is None:
        raise QueryError(f"unknown filter operator <{tag}>")
    field_el = element.find("field")
    name = (field_el.text or "").strip() if field_el is not None else ""
    if not name:
        raise QueryError(f"<{tag}> needs a <field>")
    values = [v.text or "" for v in element.findall("value")]
    expected = {"isnull": (0, 0), "isnotnull": (0, 0), "between": (2, 2)}.get(op)
    low, high = expected or ((1, 1000) if op in ("in", "notin") else (1, 1))
    if not low <= len(values) <= high:
        raise QueryError(f"<{tag}> on {name} needs {low}..{high} <value>")
    return ("cmp", op, name.upper(), values)


# -- compilation ----------------------------------------------------------------------------
@dataclass
class Compiler:
    """Compile filter trees and sort orders of one object to SQL."""

    obj: ObjectDef
    fields: dict[str, FieldDef]
    fmt: Formatting
    caseinsensitive: bool = False
    legacy: bool = False  # readByQuery: enum words (Create/Modify...) mean their codes

    def field(self, name: str) -> FieldDef:
        fdef = self.fields.get(name.upper())
        if fdef is None:
            raise QueryError(f"unknown field {name} on object {self.obj.name}")
        return fdef

    def column(self, fdef: FieldDef) -> str:
        """The SQL expression of a field, comparable in its data type."""
        expr = self.stored(fdef)
        if fdef.datatype in NUMERIC_TYPES and fdef.datatype != "INTEGER":
            return f"CAST({expr} AS REAL)"
        return expr

    def stored(self, fdef: FieldDef) -> str:
        """The SQL expression of a field's stored value."""
        name = fdef.name
        if name == "RECORDNO":
            return "recordno"
        if name == self.obj.stamp_field:
            return "whenmodified"
        if name == self.obj.id_field and fdef.datatype == "TEXT":
            return "idval"
        if name == self.obj.parent_field:
            return "parent"
        if name == "MEGAENTITYID":
            return "location"
        return field_sql(self.obj.name, name)

    def value(self, fdef: FieldDef, text: str) -> Any:
        if self.legacy and fdef.query_codes:
            # The stored code is compared: 'T' means active, and no code equals 'active'.
            return dict(fdef.query_codes).get(text.strip(), NO_CODE + text)
        if self.legacy:
            text = {word: code for code, word in fdef.legacy_words}.get(text, text)
        try:
            stored = to_stored(fdef, text, self.fmt)
        except BadValueError as exc:
            raise QueryError(f"{fdef.name}: {exc}") from exc
        if stored is not None and fdef.datatype in NUMERIC_TYPES:
            return float(Decimal(str(stored))) if fdef.datatype != "INTEGER" else stored
        return stored

    def compile(self, node: Node | None) -> tuple[str, list[Any]]:
        if node is None:
            return "1", []
        params: list[Any] = []
        return self._compile(node, params), params

    def _compile(self, node: Node, params: list[Any]) -> str:
        kind = node[0]
        if kind in ("and", "or"):
            keyset = self._keyset(node, params) if kind == "or" else None
            if keyset:
                return keyset
            joiner = " AND " if kind == "and" else " OR "
            return "(" + joiner.join(self._compile(n, params) for n in node[1]) + ")"
        if kind == "not":
            return f"(NOT COALESCE({self._compile(node[1], params)}, 0))"
        _, op, name, values = node
        fdef = self.field(name)
        col = self.column(fdef)
        text_like = fdef.datatype == "TEXT"
        fold = self.caseinsensitive and text_like
        if fold:
            col = f"lower({col})"
        if op in ("isnull", "isnotnull"):
            return f"({col} IS {'NOT ' if op == 'isnotnull' else ''}NULL)"
        if op in ("like", "notlike"):
            params.append(values[0].lower() if fold else values[0])
            return f"({col} {'NOT ' if op == 'notlike' else ''}LIKE ?)"
        converted = [self.value(fdef, v) for v in values]
        if fold:
            converted = [v.lower() if isinstance(v, str) else v for v in converted]
        if any(v is None for v in converted):
            raise QueryError(f"empty value for {name}; use IS NULL")
        if op == "between":
            params.extend(converted)
            return f"({col} BETWEEN ? AND ?)"
        if op in ("in", "notin"):
            params.extend(converted)
            marks = ", ".join("?" * len(converted))
            return f"({col} {'NOT ' if op == 'notin' else ''}IN ({marks}))"
        params.append(converted[0])
        return f"({col} {SQL_OPS[op]} ?)"

    @staticmethod
    def keyset_parts(node: Node) -> tuple[str, str, str, str] | None:
        """(A, x, B, y) when a node is `A > x OR (A = x AND B > y)`.

        That is the keyset-pagination condition after the last row (x, y) of a page ordered by A, B.
        """
        if node[0] != "or" or len(node[1]) != 2:
            return None
        first, second = node[1]
        if first[0] != "cmp" or first[1] != "gt" or second[0] != "and" or len(second[1]) != 2:
            return None
        eq, gt = second[1]
        if not (eq[0] == gt[0] == "cmp" and eq[1] == "eq" and gt[1] == "gt"):
            return None
        if eq[2] != first[2] or eq[3] != first[3] or gt[2] == first[2]:
            return None
        return first[2], first[3][0], gt[2], gt[3][0]

    def _keyset(self, node: Node, params: list[Any]) -> str | None:
        """The keyset condition as the row value `(A, B) > (x, y)`.

        The index on (WHENMODIFIED, RECORDNO) serves that in order; other shapes compile as written.
        """
        parts = self.keyset_parts(node)
        if parts is None or self.caseinsensitive:
            return None
        a, b = self.field(parts[0]), self.field(parts[2])
        col_a, col_b = self.column(a), self.column(b)
        if "json_extract" in col_a + col_b:
            return None
        params.extend([self.value(a, parts[1]), self.value(b, parts[3])])
        return f"(({col_a}, {col_b}) > (?, ?))"

    def pinned(self, node: Node | None) -> bool:
        """Whether the filter holds `=` or `in` on an indexed field (alone or ANDed).

        Those few rows are best found by that index and then sorted, but for `ORDER BY ...
        LIMIT` SQLite prefers walking an index in the sort order and filtering every row.
        """
        if node is None:
            return False
        if node[0] == "and":
            return any(self.pinned(n) for n in node[1])
        if node[0] != "cmp" or node[1] not in ("eq", "in"):
            return False
        fdef = self.fields.get(str(node[2]).upper())
        if fdef is None or (self.caseinsensitive and fdef.datatype == "TEXT"):
            return False
        return self.column(fdef) in INDEXED_COLUMNS[self.obj.name]

    def order_by(self, orders: list[tuple[str, bool]], pinned: bool = False) -> str:
        """ORDER BY terms, RECORDNO last; `pinned` (see above) keeps them from choosing the index.

        A unary `+` leaves a value as it is but is no column an index could give in order.
        """
        plus = "+" if pinned else ""
        terms = []
        for name, ascending in orders:
            col = self.column(self.field(name))
            terms.append(f"{plus}{col} {'ASC' if ascending else 'DESC'}")
        if not any(name.upper() == "RECORDNO" for name, _ in orders):
            terms.append(f"{plus}recordno ASC")
        return ", ".join(terms)
