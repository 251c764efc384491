"""Generic reads: readByQuery, readMore, query (with aggregates), read and readByName.

The request context (`Call`) and the object and field resolution shared by every generic function
live here too. Each function takes the request context and its XML element and returns the inner
XML of its `<result>` (`<data>` or nothing), or raises `FunctionError`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
from lxml import etree

from .objects import OBJECTS_BY_NAME, FieldDef, ObjectDef
from .querying import Compiler, Node, QueryError, parse_filter, parse_query_string
from .records import Ctx, FunctionError, Writer
from .store import HIGH, LOW, Record, field_sql, stamp_key
from .values import Formatting, money
from .xmlout import Err, RowRenderer, data_attrs, esc, text_converter

PAGE_DECODER = msgspec.json.Decoder()
READ_PAGE_MAX = 1000
QUERY_PAGE_MAX = 2000


def child_text(el: etree._Element, tag: str, default: str = "") -> str:
    """Stripped text of a child element, or `default` when it is missing."""
    found = el.find(tag)
    return (found.text or "").strip() if found is not None else default


def query_error(message: str) -> FunctionError:
    """The error of a `query` that cannot run; the message says why."""
    return FunctionError([Err("DL02000001", "Error", message, "")])


def readbyquery_error(detail: str) -> FunctionError:
    """The gateway's generic readByQuery error (fixture err_12); the detail goes to correction."""
    return FunctionError(
        [Err("DL02000001", "Error", "There was an error processing the request.", detail)]
    )


@dataclass
class Cursor:
    """A readByQuery result set being read with readMore."""

    company: str
    obj: ObjectDef
    fields: list[FieldDef]
    where: str
    params: list[Any]
    total: int
    pagesize: int
    delivered: int = 0
    last_recordno: int = 0
    expires: datetime | None = None
    order: str = "recordno"  # "+recordno" for a pinned filter (Compiler.pinned)


@dataclass
class Cursors:
    """readMore result ids, kept in memory with a time to live."""

    ttl_seconds: float
    items: dict[str, Cursor] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, cursor: Cursor, now: datetime) -> str:
        result_id = secrets.token_hex(16)
        cursor.expires = now + timedelta(seconds=self.ttl_seconds)
        with self.lock:
            self.items[result_id] = cursor
        return result_id

    def get(self, result_id: str, company: str, now: datetime) -> Cursor | None:
        with self.lock:
            cursor = self.items.get(result_id)
            if cursor is None or cursor.company != company:
                return None
            if cursor.expires is not None and now > cursor.expires:
                del self.items[result_id]
                return None
            cursor.expires = now + timedelta(seconds=self.ttl_seconds)
            return cursor

    def latest(self, company: str, object_name: str) -> str:
        """The newest open result id of an object (readMore by `<object>`)."""
        with self.lock:
            open_ids = [
                k
                for k, c in self.items.items()
                if c.company == company and c.obj.name == object_name.upper()
            ]
        return open_ids[-1] if open_ids else ""

    def drop(self, result_id: str) -> None:
        with self.lock:
            self.items.pop(result_id, None)

    def expire(self, company: str | None = None) -> None:
        with self.lock:
            for key in [k for k, c in self.items.items() if company in (None, c.company)]:
                del self.items[key]


@dataclass
class Call:
    """One function call: its context, writer, readMore cursors and function name."""

    ctx: Ctx
    writer: Writer
    cursors: Cursors
    function: str
    unsubscribed: frozenset[str] = frozenset()


# -- helpers -------------------------------------------------------------------------------
def resolve_object(call: Call, name: str, *, reading: bool = True) -> ObjectDef:
    """The object named in a request; unknown or unsubscribed objects fail."""
    obj = OBJECTS_BY_NAME.get(name.strip().upper())
    if obj is None or not name.strip():
        errorno = "Query Failed" if reading else "BL01001973"
        raise FunctionError([Err(errorno, "", f"Object definition {name} not found", "")])
    if obj.name in call.unsubscribed or (obj.parent and obj.parent in call.unsubscribed):
        raise FunctionError(
            [
                Err(
                    "BL03000150",
                    "",
                    f"Your company is not subscribed to the application that owns {obj.name}.",
                    "Subscribe to the application, or ask your administrator.",
                )
            ]
        )
    return obj


def scope_sql(call: Call, obj: ObjectDef) -> tuple[str, list[Any]]:
    """SQL limiting rows to what an entity session may see."""
    if not obj.scoped or call.ctx.location is None:
        return "", []
    if obj.shared:
        return " AND (location = ? OR location IS NULL)", [call.ctx.location]
    return " AND location = ?", [call.ctx.location]


def docpar_sql(obj: ObjectDef, docparid: str) -> tuple[str, list[Any]]:
    """SQL limiting document rows to one document type."""
    if not docparid or not obj.docpar:
        return "", []
    return f" AND {field_sql(obj.name, 'DOCPARID')} = ?", [docparid]


def select_fields(call: Call, obj: ObjectDef, names: list[str]) -> list[FieldDef]:
    """Requested fields in request order; `*` means all; unknown names raise QueryError."""
    all_fields = call.ctx.store.fields(call.ctx.company, obj)
    if not names or names == ["*"]:
        return list(all_fields)
    by_name = {f.name: f for f in all_fields}
    unknown = [n for n in names if n.upper() not in by_name]
    if unknown:
        raise QueryError(f"unknown field(s) {', '.join(unknown)} on object {obj.name}")
    return [by_name[n.upper()] for n in names]


def fetch_escaped(
    call: Call, obj: ObjectDef, where: str, params: list[Any], tail: str
) -> list[Record]:
    """Rows for rendering, with every text already XML-escaped.

    The page's JSON texts are joined into one array, escaped once and decoded in one call: far
    cheaper than escaping each value, and `&`, `<`, `>` never occur in JSON syntax.
    """
    sql = "SELECT data FROM records WHERE company = ? AND object = ? AND " + where + tail  # noqa: S608
    rows = call.ctx.store.conn.execute(sql, [call.ctx.company, obj.name, *params]).fetchall()
    page = "[" + ",".join(row[0] for row in rows) + "]"
    return PAGE_DECODER.decode(page.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def count(
    call: Call,
    obj: ObjectDef,
    where: str,
    params: list[Any],
    fast: tuple[Compiler, Node | None] | None = None,
) -> int:
    """Matching rows.

    `fast` (compiler and filter tree) allows the stamp counter for filters that are only a range
    on the object's timestamp.
    """
    if fast is not None:
        bounds = stamp_bounds(*fast)
        if bounds is not None:
            return call.ctx.store.counter.count(call.ctx.company, obj.name, *bounds)
    sql = "SELECT COUNT(*) FROM records WHERE company = ? AND object = ? AND " + where  # noqa: S608
    return int(
        call.ctx.store.conn.execute(sql, [call.ctx.company, obj.name, *params]).fetchone()[0]
    )


Bound = tuple[int, bool] | None
RANGE_OPS = {"gt": (True, False), "ge": (True, True), "lt": (False, False), "le": (False, True)}


def stamp_bounds(compiler: Compiler, tree: Node | None) -> tuple[Bound, Bound] | None:
    """Key bounds when the filter is only a range on the stamp column (None otherwise)."""
    stamp = compiler.obj.stamp_field
    if tree is None:
        return None, None
    try:
        if tree[0] == "cmp" and tree[2] == stamp and tree[1] in RANGE_OPS:
            lower, inclusive = RANGE_OPS[tree[1]]
            value = compiler.value(compiler.field(stamp), tree[3][0])
            key = stamp_key(value, LOW if inclusive == lower else HIGH)
            return ((key, inclusive), None) if lower else (None, (key, inclusive))
        if tree[0] == "cmp" and tree[2] == stamp and tree[1] == "between":
            low, high = (compiler.value(compiler.field(stamp), v) for v in tree[3])
            return (stamp_key(low, LOW), True), (stamp_key(high, HIGH), True)
        if compiler.keyset_parts(tree) is not None:
            field_a, value_a, field_b, value_b = compiler.keyset_parts(tree)  # type: ignore[misc]
            if field_a == stamp and field_b == "RECORDNO":
                key = stamp_key(
                    compiler.value(compiler.field(stamp), value_a),
                    int(compiler.value(compiler.field("RECORDNO"), value_b)),
                )
                return (key, False), None
    except (QueryError, ValueError, TypeError):
        return None
    return None


def page_size(text: str, default: int, maximum: int, error: Callable[[str], Exception]) -> int:
    """A checked `pagesize`."""
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise error(f"pagesize '{text}' is not a number") from None
    if not 1 <= value <= maximum:
        raise error(f"pagesize {value} is out of range: use 1 to {maximum}")
    return value


# -- readByQuery / readMore -----------------------------------------------------------------
def read_by_query(call: Call, el: etree._Element) -> str:
    """`readByQuery`: first page of a query-string search, in RECORDNO order."""
    obj = resolve_object(call, child_text(el, "object"))
    size = page_size(child_text(el, "pagesize"), 100, READ_PAGE_MAX, readbyquery_error)
    names = [n.strip() for n in child_text(el, "fields", "*").split(",") if n.strip()]
    compiler = Compiler(
        obj,
        {f.name: f for f in call.ctx.store.fields(call.ctx.company, obj)},
        call.ctx.fmt,
        legacy=True,
    )
    try:
        fields = select_fields(call, obj, names)
        tree: Node | None = parse_query_string(child_text(el, "query"))
        where, params = compiler.compile(tree)
    except QueryError as exc:
        raise readbyquery_error(str(exc)) from exc
    scope, scope_params = scope_sql(call, obj)
    docpar, docpar_params = docpar_sql(obj, child_text(el, "docparid"))
    where = f"({where}){scope}{docpar}"
    params = params + scope_params + docpar_params
    fast = (compiler, tree) if not scope and not docpar else None
    cursor = Cursor(
        call.ctx.company, obj, fields, where, params, count(call, obj, where, params, fast), size
    )
    cursor.order = "+recordno" if compiler.pinned(tree) else "recordno"
    return read_page(call, cursor, None)


def read_page(call: Call, cursor: Cursor, result_id: str | None) -> str:
    """Next page of a cursor; keeps the resultId while rows remain."""
    rows = fetch_escaped(
        call,
        cursor.obj,
        f"({cursor.where}) AND recordno > ?",
        [*cursor.params, cursor.last_recordno],
        f" ORDER BY {cursor.order} LIMIT {cursor.pagesize}",
    )
    cursor.delivered += len(rows)
    if rows:
        cursor.last_recordno = rows[-1]["RECORDNO"]
    remaining = max(cursor.total - cursor.delivered, 0) if len(rows) == cursor.pagesize else 0
    if remaining and result_id is None:
        result_id = call.cursors.add(cursor, call.ctx.now)
    elif not remaining and result_id:
        call.cursors.drop(result_id)
    tag = cursor.obj.name.lower()
    attrs = data_attrs(
        listtype=tag,
        count=len(rows),
        totalcount=cursor.total,
        numremaining=remaining,
        resultId=result_id or "",
    )
    body = RowRenderer(cursor.fields, call.ctx.fmt, legacy=True).flat(tag, rows, escaped=True)
    return f"<data{attrs}>{body}</data>" if rows else f"<data{attrs}/>"


def read_more(call: Call, el: etree._Element) -> str:
    """`readMore`: the next page of a readByQuery result, by resultId or by object."""
    result_id = child_text(el, "resultId") or call.cursors.latest(
        call.ctx.company, child_text(el, "object")
    )
    cursor = call.cursors.get(result_id, call.ctx.company, call.ctx.now) if result_id else None
    if cursor is None:
        shown = result_id or child_text(el, "object")
        raise FunctionError(
            [
                Err(
                    "readMore failed",
                    "",
                    f"Attempt to readMore with an invalid or expired resultId: {shown}",
                    "",
                )
            ]
        )
    return read_page(call, cursor, result_id)


# -- query ----------------------------------------------------------------------------------
def query(call: Call, el: etree._Element) -> str:
    """`query`: a filter tree with select, order, page size and offset."""
    obj = resolve_object(call, child_text(el, "object"))
    select = el.find("select")
    if select is None or not len(select):
        raise query_error("query needs a <select> with at least one <field>.")
    aggregates = [
        (str(c.tag), (c.text or "").strip().upper())
        for c in select
        if isinstance(c.tag, str) and c.tag != "field"
    ]
    names = [(c.text or "").strip() for c in select if c.tag == "field"]
    if "*" in names:
        raise query_error("query does not support '*' in <select>; list the fields.")
    size = page_size(child_text(el, "pagesize"), 100, QUERY_PAGE_MAX, query_error)
    try:
        offset = int(child_text(el, "offset") or 0)
    except ValueError:
        raise query_error(f"offset '{child_text(el, 'offset')}' is not a number") from None
    if offset < 0:
        raise query_error("offset must be 0 or more")
    options = el.find("options")
    folding = options is not None and child_text(options, "caseinsensitive").lower() == "true"
    fields_map = {f.name: f for f in call.ctx.store.fields(call.ctx.company, obj)}
    compiler = Compiler(obj, fields_map, call.ctx.fmt, caseinsensitive=folding)
    try:
        fields = select_fields(call, obj, names) if names else []
        bad = [
            f"{fn}({name})"
            for fn, name in aggregates
            if fn not in AGGREGATES or (name not in fields_map)
        ]
        if bad:
            raise QueryError(f"invalid aggregate(s) {', '.join(bad)}")
        filter_el = el.find("filter")
        ops = [c for c in filter_el if isinstance(c.tag, str)] if filter_el is not None else []
        if len(ops) > 1:
            raise QueryError("<filter> takes one operator; combine conditions with <and>/<or>")
        tree = parse_filter(ops[0]) if ops else None
        where, params = compiler.compile(tree)
        orders = [
            (child_text(order, "field"), order.find("descending") is None)
            for order in el.findall("orderby/order")
        ]
        order_sql = compiler.order_by(orders, compiler.pinned(tree))
    except QueryError as exc:
        raise query_error(f"Query on {obj.name}: {exc}.") from exc
    scope, scope_params = scope_sql(call, obj)
    docpar, docpar_params = docpar_sql(obj, child_text(el, "docparid"))
    where = f"({where}){scope}{docpar}"
    params = params + scope_params + docpar_params
    if aggregates:
        groups = [(f, compiler.stored(f)) for f in fields]
        group_order = [
            compiler.stored(fields_map[n.upper()]) + (" ASC" if asc else " DESC")
            for n, asc in orders
            if n.upper() in {f.name for f in fields}
        ]
        return aggregate_page(
            call,
            obj=obj,
            compiler=compiler,
            groups=groups,
            aggregates=aggregates,
            where=where,
            params=params,
            order_sql=", ".join(group_order + [g for _, g in groups]),
            size=size,
            offset=offset,
        )
    fast = (compiler, tree) if not scope and not docpar and not folding else None
    total = count(call, obj, where, params, fast)
    rows = fetch_escaped(
        call, obj, where, params, f" ORDER BY {order_sql} LIMIT {size} OFFSET {offset}"
    )
    body = RowRenderer(fields, call.ctx.fmt).flat(obj.name, rows, escaped=True)
    return _query_data(obj, total, offset, len(rows), body)


def _query_data(obj: ObjectDef, total: int, offset: int, count: int, body: str) -> str:
    """A `query` page: `<data>` with the page's place in the result, self-closed when empty."""
    attrs = data_attrs(
        listtype=obj.name,
        totalcount=total,
        offset=offset,
        count=count,
        numremaining=max(total - offset - count, 0),
    )
    return f"<data{attrs}>{body}</data>" if count else f"<data{attrs}/>"


AGGREGATES = {"count": "COUNT", "sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX"}


def aggregate_page(
    call: Call,
    *,
    obj: ObjectDef,
    compiler: Compiler,
    groups: list[tuple[FieldDef, str]],
    aggregates: list[tuple[str, str]],
    where: str,
    params: list[Any],
    order_sql: str,
    size: int,
    offset: int,
) -> str:
    """A `query` with count/sum/avg/min/max, grouped by the plain fields selected."""
    measures = [(fn, compiler.field(name)) for fn, name in aggregates]
    columns = [expr for _, expr in groups] + [
        f"{AGGREGATES[fn]}({compiler.column(fdef)})" for fn, fdef in measures
    ]
    base = f"FROM records WHERE company = ? AND object = ? AND {where}"
    group_sql = f" GROUP BY {', '.join(expr for _, expr in groups)}" if groups else ""
    conn, args = call.ctx.store.conn, [call.ctx.company, obj.name, *params]
    total = 1  # one row of totals without grouping
    if groups:
        count_sql = f"SELECT COUNT(*) FROM (SELECT 1 {base}{group_sql})"  # noqa: S608
        total = conn.execute(count_sql, args).fetchone()[0]
    order = f" ORDER BY {order_sql}" if order_sql else ""
    rows = conn.execute(
        f"SELECT {', '.join(columns)} {base}{group_sql}{order} LIMIT {size} OFFSET {offset}",
        args,
    ).fetchall()
    tags = [f.name for f, _ in groups] + [f"{fn.upper()}.{f.name}" for fn, f in measures]
    converters = [text_converter(f, call.ctx.fmt) for f, _ in groups] + [
        _aggregate_text(fn, f, call.ctx.fmt) for fn, f in measures
    ]
    body = "".join(
        f"<{obj.name}>"
        + "".join(
            f"<{tag}>{'' if value is None else esc(conv(value))}</{tag}>"
            for tag, conv, value in zip(tags, converters, row, strict=True)
        )
        + f"</{obj.name}>"
        for row in rows
    )
    return _query_data(obj, total, offset, len(rows), body)


def _aggregate_text(function: str, fdef: FieldDef, fmt: Formatting) -> Callable[[Any], str]:
    """Text of an aggregate value: counts as integers, money with two decimals."""
    if function == "count":
        return lambda v: str(int(v))
    if fdef.datatype in ("DATE", "TIMESTAMP", "TEXT", "BOOLEAN") and function in ("min", "max"):
        return text_converter(fdef, fmt)
    if fdef.datatype == "CURRENCY" or function == "avg":
        return lambda v: money(Decimal(str(v)))
    return lambda v: format(Decimal(str(v)).normalize(), "f")


# -- read / readByName ----------------------------------------------------------------------
def _read(call: Call, el: etree._Element, by_name: bool) -> str:
    obj = resolve_object(call, child_text(el, "object"))
    names = [n.strip() for n in child_text(el, "fields", "*").split(",") if n.strip()]
    try:
        fields = select_fields(call, obj, names)
    except QueryError as exc:
        raise FunctionError(
            [Err(f"Invalid fields list {', '.join(names)}", "", str(exc), "")]
        ) from exc
    keys = [k.strip() for k in child_text(el, "keys").split(",") if k.strip()]
    docparid = child_text(el, "docparid")
    renderer = RowRenderer(fields, call.ctx.fmt)
    out = []
    for key in keys:
        rec = _find_by_key(call, obj, key, by_name)
        if rec is None or (docparid and obj.docpar and rec.get("DOCPARID") != docparid):
            continue
        out.append(
            renderer.nested(
                obj.name, rec, _lines_xml(call, obj, rec) if names in ([], ["*"]) else ""
            )
        )
    attrs = data_attrs(listtype=obj.name, count=len(out))
    return f"<data{attrs}>{''.join(out)}</data>" if out else f"<data{attrs}/>"


def _find_by_key(call: Call, obj: ObjectDef, key: str, by_name: bool) -> Record | None:
    if by_name and obj.id_field:
        rec = call.ctx.store.get_by_id(call.ctx.company, obj, key)
        return rec if rec is not None and call.writer.visible(obj, rec) else None
    try:
        return call.writer.get(obj, int(key))
    except ValueError:
        return None


def _lines_xml(call: Call, obj: ObjectDef, rec: Record) -> str:
    if not obj.lines:
        return ""
    container, _, line_name = obj.lines
    line_obj = OBJECTS_BY_NAME[line_name]
    lines = call.writer.lines_of(obj, rec)
    renderer = RowRenderer(list(call.ctx.store.fields(call.ctx.company, line_obj)), call.ctx.fmt)
    return f"<{container}>{renderer.flat(line_name.lower(), lines)}</{container}>"


def read(call: Call, el: etree._Element) -> str:
    """`read`: records by RECORDNO."""
    return _read(call, el, by_name=False)


def read_by_name(call: Call, el: etree._Element) -> str:
    """`readByName`: records by ID field."""
    return _read(call, el, by_name=True)
