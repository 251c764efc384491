"""Generic functions: reads, lookup/inspect, create/update/delete.

readByQuery, readMore, query, read, readByName, lookup, inspect, create, update, delete, and the
legacy `delete_<object>` by ID attribute.

Each function takes the request context and its XML element and returns the inner XML of its
`<result>` (`<data>` or nothing), or raises `FunctionError`.
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

from . import rules
from .objects import OBJECTS, OBJECTS_BY_NAME, FieldDef, ObjectDef
from .querying import Compiler, Node, QueryError, parse_filter, parse_query_string
from .records import Ctx, FunctionError, Writer, could_not
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


# -- lookup / inspect -----------------------------------------------------------------------
def _bool(value: bool) -> str:
    return "true" if value else "false"


def lookup(call: Call, el: etree._Element) -> str:
    """`lookup`: the object's fields and relationships, custom fields included."""
    obj = resolve_object(call, child_text(el, "object"))
    docparid = child_text(el, "docparid")
    out = [f'<Type Name="{obj.name}" DocumentType="{esc(docparid)}"><Fields>']
    for fdef in call.ctx.store.fields(call.ctx.company, obj):
        valid = ""
        if fdef.valid:
            valid = (
                "<VALIDVALUES>"
                + "".join(f"<VALIDVALUE>{esc(v)}</VALIDVALUE>" for v in fdef.valid)
                + "</VALIDVALUES>"
            )
        out.append(
            f"<Field><ID>{fdef.name}</ID><LABEL>{esc(fdef.display_label)}</LABEL>"
            f"<DESCRIPTION>{esc(fdef.display_label)}</DESCRIPTION>"
            f"<REQUIRED>{_bool(fdef.required)}</REQUIRED>"
            f"<READONLY>{_bool(fdef.readonly)}</READONLY><DATATYPE>{fdef.datatype}</DATATYPE>"
            f"{valid}<ISCUSTOM>{_bool(fdef.custom)}</ISCUSTOM></Field>"
        )
    out.append("</Fields><Relationships>")
    relations = [(f.name, f.ref) for f in obj.fields if f.ref]
    if obj.parent:
        relations.append((obj.parent_field or obj.parent, obj.parent))
    for path, target in relations:
        out.append(
            f"<Relationship><OBJECTPATH>{path}</OBJECTPATH><OBJECTNAME>{target}</OBJECTNAME>"
            f"<LABEL>{esc(OBJECTS_BY_NAME[str(target)].label)}</LABEL>"
            f"<RELATIONSHIPTYPE>MANY2ONE</RELATIONSHIPTYPE><RELATEDBY>{path}</RELATEDBY>"
            "</Relationship>"
        )
    out.append("</Relationships></Type>")
    return f'<data listtype="All" count="1">{"".join(out)}</data>'


DATA_NAMES = {
    "TEXT": "Pt_FieldString",
    "INTEGER": "Pt_FieldInt",
    "DECIMAL": "Pt_FieldDouble",
    "CURRENCY": "Pt_FieldDouble",
    "PERCENT": "Pt_FieldDouble",
    "BOOLEAN": "Pt_FieldBoolean",
    "DATE": "Pt_FieldDate",
    "TIMESTAMP": "Pt_FieldDateTime",
}


def inspect(call: Call, el: etree._Element) -> str:
    """`inspect`: field names (detail 0), details (1) or the list of objects (`*`)."""
    name = child_text(el, "object")
    detail = el.get("detail", "0") == "1"
    if name == "*":
        listed = [o for o in OBJECTS if o.name not in call.unsubscribed]
        items = "".join(f'<Type typename="{o.name}">{esc(o.label)}</Type>' for o in listed)
        return f'<data listtype="All" count="{len(listed)}">{items}</data>'
    obj = resolve_object(call, name)
    fields = call.ctx.store.fields(call.ctx.company, obj)
    if not detail:
        inner = "".join(f"<Field>{f.name}</Field>" for f in fields)
        body = f'<Type Name="{obj.name}"><Fields>{inner}</Fields></Type>'
        return f'<data listtype="All" count="1">{body}</data>'
    out = [
        f'<Type Name="{obj.name}"><Attributes><SingularName>{esc(obj.label)}</SingularName>'
        f"<PluralName>{esc(obj.label)}s</PluralName><Description>{esc(obj.label)}</Description>"
        "</Attributes><Fields>"
    ]
    out.extend(
        f"<Field><Name>{fdef.name}</Name><GroupName></GroupName>"
        f"<dataName>{DATA_NAMES.get(fdef.datatype, 'Pt_FieldString')}</dataName>"
        f"<externalDataName>{fdef.datatype.lower()}</externalDataName>"
        f"<isRequired>{_bool(fdef.required)}</isRequired>"
        f"<isReadOnly>{_bool(fdef.readonly)}</isReadOnly><maxLength></maxLength>"
        f"<DisplayLabel>{esc(fdef.display_label)}</DisplayLabel>"
        f"<Description>{esc(fdef.display_label)}</Description><id></id>"
        f"<relationship>{_bool(bool(fdef.ref))}</relationship>"
        f"<relatedObject>{fdef.ref or ''}</relatedObject></Field>"
        for fdef in fields
    )
    out.append("</Fields></Type>")
    return f'<data listtype="All" count="1">{"".join(out)}</data>'


# -- generic create / update / delete -------------------------------------------------------
def flatten(
    obj: ObjectDef, el: etree._Element, known: set[str], prefix: str = ""
) -> tuple[dict[str, str], list[etree._Element] | None]:
    """An object element → ({dotted field: text}, line elements or None)."""
    raw: dict[str, str] = {}
    lines: list[etree._Element] | None = None
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = prefix + child.tag.upper()
        if not prefix and obj.lines and child.tag.upper() == obj.lines[0]:
            lines = [c for c in child if isinstance(c.tag, str) and c.tag.upper() == obj.lines[1]]
            continue
        if len(child):
            nested, _ = flatten(obj, child, known, name + ".")
            raw.update(nested)
        elif (child.text or "").strip() or name in known:
            raw[name] = child.text or ""
        elif not any(k.startswith(name + ".") for k in known):
            raw[name] = ""  # an empty unknown element is still an unknown field
    return raw, lines


def _convert_lines(
    call: Call, obj: ObjectDef, elements: list[etree._Element] | None, label: str, action: str
) -> list[Record] | None:
    if elements is None or not obj.lines:
        return None
    line_obj = OBJECTS_BY_NAME[obj.lines[2]]
    known = {f.name for f in call.ctx.store.fields(call.ctx.company, line_obj)}
    out = []
    for number, line_el in enumerate(elements, start=1):
        raw, _ = flatten(line_obj, line_el, known)
        line_label = f"{label} line {number}"
        try:
            line = call.writer.convert(line_obj, raw, action=action, label=line_label)
            call.writer.check_required(line_obj, line, label=line_label, action=action)
            call.writer.check_refs(line_obj, line, label=line_label, action=action)
        except FunctionError as exc:
            exc.errors[-1] = Err("BL01001973", "", f"Could not {action} {obj.label} record!", "")
            raise
        out.append(line)
    return out


def _object_elements(call: Call, el: etree._Element) -> list[tuple[ObjectDef, etree._Element]]:
    out = []
    for child in el:
        if isinstance(child.tag, str):
            obj = resolve_object(call, child.tag, reading=False)
            if obj.parent:
                owner = OBJECTS_BY_NAME[obj.parent]
                where = f"{owner.name}/{owner.lines[0]}" if owner.lines else owner.name
                raise could_not(obj, f"{obj.name} lines are written inside {where}.", call.function)
            if not obj.generic_write:
                raise could_not(
                    obj,
                    f"{obj.name} cannot be written with the generic "
                    f"{call.function} function; use its legacy function.",
                    call.function,
                )
            out.append((obj, child))
    if not out:
        raise FunctionError([Err("BL01001973", "", f"{call.function} needs an object element.")])
    return out


def _id_value(obj: ObjectDef, rec: Record) -> str:
    if not obj.id_field:
        return ""
    return f"<{obj.id_field}>{esc(str(rec.get(obj.id_field, '')))}</{obj.id_field}>"


def _written(written: list[tuple[ObjectDef, Record]]) -> str:
    items = "".join(
        f"<{tag}><RECORDNO>{r['RECORDNO']}</RECORDNO>{_id_value(o, r)}</{tag}>"
        for o, r in written
        for tag in [o.name.lower()]
    )
    return f'<data listtype="objects" count="{len(written)}">{items}</data>'


def _write_all(
    call: Call,
    el: etree._Element,
    write_one: Callable[[Call, ObjectDef, etree._Element, str], Record],
) -> str:
    """Write every object element of the call with `write_one`, or none (count 0 on error)."""
    try:
        written = []
        for number, (obj, obj_el) in enumerate(_object_elements(call, el), start=1):
            written.append((obj, write_one(call, obj, obj_el, f"{obj.name} #{number}")))
        return _written(written)
    except FunctionError as exc:
        exc.data = '<data listtype="objects" count="0"/>'
        raise


def _converted(
    call: Call, obj: ObjectDef, el: etree._Element, action: str, label: str
) -> tuple[Record, list[etree._Element] | None]:
    """An object element's header fields converted for `action`, and its line elements."""
    known = {f.name for f in call.ctx.store.fields(call.ctx.company, obj)}
    raw, line_els = flatten(obj, el, known)
    return call.writer.convert(obj, raw, action=action, label=label), line_els


def _checked_lines(
    call: Call,
    obj: ObjectDef,
    rec: Record,
    line_els: list[etree._Element] | None,
    *,
    label: str,
    action: str,
) -> list[Record] | None:
    """Check the header's required fields and references, then convert its lines."""
    call.writer.check_required(obj, rec, label=label, action=action)
    call.writer.check_refs(obj, rec, label=label, action=action)
    return _convert_lines(call, obj, line_els, label, action)


def create(call: Call, el: etree._Element) -> str:
    """Generic `create`: every object of the call, or none."""
    return _write_all(call, el, create_one)


def create_one(call: Call, obj: ObjectDef, el: etree._Element, label: str) -> Record:
    """Validate and store one object element with its lines."""
    writer = call.writer
    rec, line_els = _converted(call, obj, el, "create", label)
    rec.pop("RECORDNO", None)
    if obj.id_field and not rec.get(obj.id_field) and obj.id_prefix:
        number = call.ctx.store.next_value(call.ctx.company, "ID:" + obj.name)
        rec[obj.id_field] = f"{obj.id_prefix}{number:05d}"
    if obj.id_field:
        label = f"{obj.name} {rec.get(obj.id_field) or label}"
    lines = _checked_lines(call, obj, rec, line_els, label=label, action="create")
    if obj.lines and lines is None and obj.name in rules.PREPARE:
        lines = []
    rules.prepare(writer, obj, rec, lines)
    if obj.id_field and writer.exists(obj.name, str(rec.get(obj.id_field))):
        raise FunctionError(duplicate_errors(obj, str(rec[obj.id_field])))
    stored = writer.insert(obj, rec)
    rules.after_store(writer, obj, stored, lines)
    return stored


def duplicate_errors(obj: ObjectDef, value: str) -> list[Err]:
    """The gateway's errors for a duplicate ID (fixture err_08)."""
    return [
        Err(
            "BL34000061",
            "",
            f"Another {obj.label} with the given value(s) {value}  already exists",
            "Use a unique value instead.",
        ),
        Err("BL01001973", "", f"Could not create {obj.name.lower()} record!", ""),
        Err("BL01001973", "", f"Could not create {obj.label} record!", ""),
    ]


def update(call: Call, el: etree._Element) -> str:
    """Generic `update`: every object of the call, or none."""
    return _write_all(call, el, update_one)


def update_one(call: Call, obj: ObjectDef, el: etree._Element, label: str) -> Record:
    """Apply one object element to the record keyed by RECORDNO or the ID field."""
    writer = call.writer
    changes, line_els = _converted(call, obj, el, "update", label)
    existing: Record | None = None
    if changes.get("RECORDNO") is not None:
        key_name, key = "RECORDNO", str(changes["RECORDNO"])
        existing = writer.get(obj, int(changes["RECORDNO"]))
    elif obj.id_field and changes.get(obj.id_field) is not None:
        key_name, key = obj.id_field, str(changes[obj.id_field])
        found = writer.by_id(obj.name, key)
        existing = found if found is not None and writer.visible(obj, found) else None
    else:
        raise could_not(
            obj,
            f"{label}: give RECORDNO or {obj.id_field or 'RECORDNO'} to update.",
            "update",
            "BL03000018",
        )
    if existing is None:
        raise FunctionError([Err(f"Cannot update non-existing {obj.name} with {key_name}={key}.")])
    rec = dict(existing)
    for name, value in changes.items():
        renamed = name == obj.id_field and key_name == "RECORDNO" and value != existing.get(name)
        if renamed and value is not None and writer.exists(obj.name, str(value)):
            raise FunctionError(duplicate_errors(obj, str(value)))
        rec[name] = value
    label = f"{obj.name} {key}"
    lines = _checked_lines(call, obj, rec, line_els, label=label, action="update")
    rules.prepare(writer, obj, rec, lines)
    stored = writer.save(obj, rec)
    rules.after_store(writer, obj, stored, lines)
    return stored


def not_found_to_delete(obj: ObjectDef, key: str) -> FunctionError:
    """The gateway's error for a delete whose key names no record the session may see."""
    return FunctionError(
        [Err("BL01001973", "", f"Cannot find {obj.name.lower()} with key '{key}' to delete.")]
    )


def delete(call: Call, el: etree._Element) -> str:
    """Generic `delete` by RECORDNO keys."""
    obj = resolve_object(call, child_text(el, "object"), reading=False)
    if not obj.deletable or obj.parent:
        raise could_not(obj, f"{obj.name} records cannot be deleted.", "delete")
    keys = [k.strip() for k in child_text(el, "keys").split(",") if k.strip()]
    if not keys:
        raise could_not(obj, "delete needs <keys> (RECORDNO values).", "delete", "BL03000018")
    for key in keys:
        rec = call.writer.get(obj, int(key)) if key.isdigit() else None
        if rec is None:
            raise not_found_to_delete(obj, key)
        delete_record(call.writer, obj, rec)
    return ""


def delete_record(writer: Writer, obj: ObjectDef, rec: Record) -> None:
    """Delete a record (and its lines) once the business rules allow it."""
    rules.before_delete(writer, obj, rec)
    writer.remove(obj, rec)
    rules.after_delete(writer, obj, rec)


def delete_by_id(call: Call, el: etree._Element) -> str:
    """Legacy `delete_<object> <idfield>="..."` (delete_customer customerid="C1234")."""
    name = str(el.tag).removeprefix("delete_").upper()
    obj = resolve_object(call, name, reading=False)
    if not obj.id_field:
        raise could_not(obj, f"{el.tag} is not supported.", "delete")
    key = el.get(obj.id_field.lower()) or ""
    rec = call.writer.by_id(obj.name, key)
    if rec is None or not call.writer.visible(obj, rec):
        raise not_found_to_delete(obj, key)
    delete_record(call.writer, obj, rec)
    return ""


GENERIC: dict[str, Callable[[Call, etree._Element], str]] = {
    "readByQuery": read_by_query,
    "readMore": read_more,
    "query": query,
    "read": read,
    "readByName": read_by_name,
    "lookup": lookup,
    "inspect": inspect,
    "create": create,
    "update": update,
    "delete": delete,
}
LEGACY_DELETES = {
    f"delete_{o.name.lower()}" for o in OBJECTS if o.id_field and o.generic_write and not o.parent
}
