"""The XML `query` function as a REST query-service request, and its answer as XML rows.

The filter tree (`functions.Filter`, as the tap and the target build it) becomes Sage's list of
single-operator filters plus a `filterExpression` over their positions; `orderby` becomes
`orderBy`, `pagesize` becomes `size` (at most 4000), `offset` becomes the 1-based `start`.
The tap pages by keyset (`WHENMODIFIED, RECORDNO` greater than the last row), so `start` stays 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from intacct_api.functions import REST_QUERY_MAX_PAGE_SIZE
from intacct_api.rest.mapping import ISO, FieldType, ObjectMap, Rendition

QUERY_PATH = "/services/core/query"

COMPARISONS = {
    "equalto": "$eq", "notequalto": "$ne", "lessthan": "$lt", "lessthanorequalto": "$lte",
    "greaterthan": "$gt", "greaterthanorequalto": "$gte",
}  # fmt: skip
LISTS = {"in": "$in", "notin": "$notIn", "between": "$between"}


class UntranslatableError(ValueError):
    """A query the REST query service cannot express (the message says which part)."""


@dataclass
class Translation:
    """A REST query body and how to turn its rows back into XML rows."""

    body: dict[str, Any]
    select: list[tuple[str, str]]  # (XML field, REST field) in request order


def translate(
    element: etree._Element,
    mapping: ObjectMap,
    kinds: Mapping[str, FieldType],
    custom: frozenset[str],
    rendition: Rendition = ISO,
) -> Translation:
    """The REST query of a `<query>` element (raises UntranslatableError)."""

    def rest(xml_field: str) -> str:
        name = mapping.rest_name(xml_field.strip().upper(), custom) or mapping.rest_name(
            xml_field.strip(), custom
        )
        if name is None or name not in kinds:
            raise UntranslatableError(f"field {xml_field} of {mapping.xml} has no REST name")
        return name

    select = [
        (xml, rest(xml))
        for xml in ((f.text or "").strip() for f in element.iterfind("select/field"))
    ]
    if not select:
        raise UntranslatableError("query needs fields")
    body: dict[str, Any] = {"object": mapping.path, "fields": [name for _, name in select]}
    filter_element = element.find("filter")
    if filter_element is not None and len(filter_element):
        filters: list[dict[str, Any]] = []
        expression = _condition(filter_element[0], filters, (mapping, kinds, rendition), rest)
        body["filters"] = filters
        if len(filters) > 1:
            body["filterExpression"] = expression
    orders = [
        {
            rest(order.findtext("field") or ""): "desc"
            if order.find("descending") is not None
            else "asc"
        }
        for order in element.iterfind("orderby/order")
    ]
    if orders:
        body["orderBy"] = orders
    size = int(element.findtext("pagesize") or 100)
    body["size"] = min(size, REST_QUERY_MAX_PAGE_SIZE)
    offset = int(element.findtext("offset") or 0)
    body["start"] = offset + 1
    options = element.find("options")
    parameters: dict[str, Any] = {}
    if options is not None and (options.findtext("showprivate") or "").lower() == "true":
        parameters["includePrivate"] = True
    if options is not None and (options.findtext("caseinsensitive") or "").lower() == "true":
        parameters["caseSensitiveComparison"] = False
    if parameters:
        body["filterParameters"] = parameters
    return Translation(body, select)


def _condition(
    node: etree._Element,
    filters: list[dict[str, Any]],
    context: tuple[ObjectMap, Mapping[str, FieldType], Rendition],
    rest: Any,
) -> str:
    """Append the node's filters; answer its part of the filterExpression."""
    mapping, kinds, rendition = context
    tag = str(node.tag)
    if tag in ("and", "or"):
        parts = [_condition(child, filters, context, rest) for child in node]
        return "(" + f" {tag} ".join(parts) + ")"
    xml_field = (node.findtext("field") or "").strip()
    name = rest(xml_field)
    kind = kinds[name]
    texts = [v.text or "" for v in node.iterfind("value")]

    def value(text: str) -> Any:
        return mapping.to_rest_value(xml_field.upper(), text, kind, rendition)

    if tag in COMPARISONS:
        filters.append({COMPARISONS[tag]: {name: value(texts[0])}})
    elif tag in LISTS:
        filters.append({LISTS[tag]: {name: [value(t) for t in texts]}})
    elif tag in ("isnull", "isnotnull"):
        filters.append({"$eq" if tag == "isnull" else "$ne": {name: None}})
    elif tag in ("like", "notlike"):
        filters.append(_like(name, texts[0], negated=tag == "notlike"))
    else:
        raise UntranslatableError(f"filter <{tag}> has no REST equivalent")
    return str(len(filters))


def _like(name: str, pattern: str, *, negated: bool) -> dict[str, Any]:
    """`like` patterns the REST operators express: `x%`, `%x`, `%x%` (no inner wildcards)."""
    core = pattern.strip("%")
    if "%" in core or "_" in core or not core:
        raise UntranslatableError(f"like '{pattern}' has no REST equivalent")
    starts, ends = pattern.endswith("%"), pattern.startswith("%")
    operator = "contains" if starts and ends else "startsWith" if starts else "endsWith"
    if not starts and not ends:
        return {"$ne" if negated else "$eq": {name: core}}
    prefix = "not" if negated else ""
    operator = prefix + operator[0].upper() + operator[1:] if negated else operator
    return {f"${operator}": {name: core}}


def xml_rows(
    rows: list[Mapping[str, Any]],
    translation: Translation,
    mapping: ObjectMap,
    kinds: Mapping[str, FieldType],
    rendition: Rendition = ISO,
) -> list[dict[str, Any]]:
    """REST rows (keyed by the REST names asked for) as the XML gateway's rows of text."""
    plan = [
        (xml, name, xml.upper(), kinds.get(name, FieldType())) for xml, name in translation.select
    ]
    return [
        {
            xml: mapping.to_xml_text(upper, row.get(name), kind, rendition)
            for xml, name, upper, kind in plan
        }
        for row in rows
    ]
