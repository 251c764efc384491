"""Builders for the functions of a request's `<content>`, one `Function` each.

Every builder takes `control_id=` (default: a fresh uuid); the control id identifies the result in
the response and, with `unique_id=True`, lets Intacct refuse a repeated write.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from intacct_api import legacy
from intacct_api.xml import add_child, format_value, to_element

READ_FUNCTIONS = frozenset(
    {"readByQuery", "readMore", "query", "read", "readByName", "readRelated", "lookup", "inspect",
     "getAPISession", "get_trialbalance", "get_accountbalances", "readUserFormatting"}
)  # fmt: skip
READ_BY_QUERY_MAX_PAGE_SIZE = 1000
QUERY_MAX_PAGE_SIZE = 2000  # the XML gateway's largest `query` page
REST_QUERY_MAX_PAGE_SIZE = 4000  # the REST query service's (`intacct_api.rest.transport`)
READ_MAX_KEYS = 100
IN_MAX_VALUES = 1000


def new_control_id() -> str:
    """A fresh random control id."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Function:
    """One function: its name (the element tag), the element, and its control id."""

    name: str
    element: etree._Element
    control_id: str

    @property
    def is_read(self) -> bool:
        """True when the function cannot change data, so repeating it is always safe."""
        return self.name in READ_FUNCTIONS

    def to_xml(self) -> etree._Element:
        wrapper = etree.Element("function", controlid=self.control_id)
        wrapper.append(copy.deepcopy(self.element))
        return wrapper


def _function(element: etree._Element, control_id: str | None) -> Function:
    control_id = new_control_id() if control_id is None else control_id
    if not 1 <= len(control_id) <= 256:
        raise ValueError("control_id must be 1 to 256 characters long")
    return Function(str(element.tag), element, control_id)


def _element(tag: str, *children: tuple[str, Any]) -> etree._Element:
    element = etree.Element(tag)
    for name, value in children:
        add_child(element, name, value)
    return element


def _keys(keys: str | int | Iterable[str | int], limit: int | None = None) -> str:
    if isinstance(keys, str | int):
        return str(keys)
    values = [format_value(k) for k in keys]
    if limit is not None and len(values) > limit:
        raise ValueError(f"at most {limit} keys per call, got {len(values)}")
    return ",".join(values)


def _fields(fields: str | Sequence[str]) -> str:
    return fields if isinstance(fields, str) else ",".join(fields)


# --- session -------------------------------------------------------------------------------


def get_api_session(location_id: str | None = None, *, control_id: str | None = None) -> Function:
    """`getAPISession`, optionally for an entity (`location_id`; "" returns to the top level)."""
    element = etree.Element("getAPISession")
    if location_id is not None:
        etree.SubElement(element, "locationid").text = location_id or None
    return _function(element, control_id)


# --- reads ---------------------------------------------------------------------------------


def read_by_query(
    object: str,  # noqa: A002 - Intacct's parameter name
    query: str = "",
    *,
    fields: str | Sequence[str] = "*",
    page_size: int = READ_BY_QUERY_MAX_PAGE_SIZE,
    docparid: str | None = None,
    return_format: str = "xml",
    control_id: str | None = None,
) -> Function:
    """`readByQuery` with a legacy query string ("" = every row); page through with `read_more`."""
    if not 1 <= page_size <= READ_BY_QUERY_MAX_PAGE_SIZE:
        raise ValueError(f"readByQuery page_size must be 1..{READ_BY_QUERY_MAX_PAGE_SIZE}")
    element = _element(
        "readByQuery",
        ("object", object),
        ("query", query),
        ("fields", _fields(fields)),
        ("pagesize", page_size),
        ("returnFormat", return_format),
        ("docparid", docparid),
    )
    return _function(element, control_id)


def read_more(
    result_id: str | None = None,
    *,
    object: str | None = None,  # noqa: A002 - Intacct's parameter name
    control_id: str | None = None,
) -> Function:
    """`readMore` by `resultId` (preferred) or by object name."""
    if (result_id is None) == (object is None):
        raise ValueError("read_more needs exactly one of result_id or object")
    if result_id is not None:
        return _function(_element("readMore", ("resultId", result_id)), control_id)
    return _function(_element("readMore", ("object", object)), control_id)


def _read_children(
    object_name: str,
    keys: str | int | Iterable[str | int],
    fields: str | Sequence[str],
    docparid: str | None,
    return_format: str,
) -> list[tuple[str, Any]]:
    """What `read` and `readByName` hold: the two differ only in their tag and what keys are."""
    return [
        ("object", object_name),
        ("keys", _keys(keys, READ_MAX_KEYS)),
        ("fields", _fields(fields)),
        ("returnFormat", return_format),
        ("docparid", docparid),
    ]


def read(
    object: str,  # noqa: A002 - Intacct's parameter name
    keys: str | int | Iterable[str | int],
    *,
    fields: str | Sequence[str] = "*",
    docparid: str | None = None,
    return_format: str = "xml",
    control_id: str | None = None,
) -> Function:
    """`read` by RECORDNO keys (at most 100)."""
    children = _read_children(object, keys, fields, docparid, return_format)
    return _function(_element("read", *children), control_id)


def read_by_name(
    object: str,  # noqa: A002 - Intacct's parameter name
    keys: str | Iterable[str],
    *,
    fields: str | Sequence[str] = "*",
    docparid: str | None = None,
    return_format: str = "xml",
    control_id: str | None = None,
) -> Function:
    """`readByName` by the object's name/ID field (CUSTOMERID, ITEMID, …)."""
    children = _read_children(object, keys, fields, docparid, return_format)
    return _function(_element("readByName", *children), control_id)


def lookup(
    object: str,  # noqa: A002 - Intacct's parameter name
    *,
    docparid: str | None = None,
    control_id: str | None = None,
) -> Function:
    """`lookup`: an object's fields, types, valid values and relationships."""
    return _function(_element("lookup", ("object", object), ("docparid", docparid)), control_id)


def read_user_formatting(
    user_id: str | None = None, *, key: str | int | None = None, control_id: str | None = None
) -> Function:
    """`readUserFormatting`: the date format, GMT offset and clock a user's answers follow.

    Name the user by login id or by RECORDNO (`key`).
    """
    if (user_id is None) == (key is None):
        raise ValueError("readUserFormatting needs exactly one of user_id and key")
    element = _element("readUserFormatting", ("key", key), ("userId", user_id))
    return _function(element, control_id)


def lookup_fields(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """`(field, datatype)` pairs of a `lookup` answer's rows (`<Type><Fields><Field>…`)."""
    pairs: list[tuple[str, str]] = []
    for row in rows:
        declared = (row.get("Fields") or {}).get("Field") or []
        pairs.extend(
            (str(field["ID"]), str(field.get("DATATYPE") or "TEXT"))
            for field in (declared if isinstance(declared, list) else [declared])
        )
    return pairs


def inspect(
    object: str,  # noqa: A002 - Intacct's parameter name
    *,
    detail: bool = False,
    control_id: str | None = None,
) -> Function:
    """Legacy `inspect` (`object="*"` lists every object)."""
    element = _element("inspect", ("object", object))
    if detail:
        element.set("detail", "1")
    return _function(element, control_id)


# --- query ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """A node of a `query` filter: an operator with a field and values, or `and`/`or` children."""

    operator: str
    field: str | None = None
    values: tuple[Any, ...] = ()
    children: tuple[Filter, ...] = ()

    def to_xml(self) -> etree._Element:
        element = etree.Element(self.operator)
        if self.children:
            for child in self.children:
                element.append(child.to_xml())
            return element
        add_child(element, "field", self.field)
        for value in self.values:
            etree.SubElement(element, "value").text = format_value(value)
        return element


def _compare(operator: str, field: str, *values: Any) -> Filter:
    if any(v is None for v in values):
        raise ValueError(f"{operator} on {field}: use is_null/is_not_null to compare with null")
    return Filter(operator, field, values)


def _comparison(operator: str) -> Callable[[str, Any], Filter]:
    def build(field: str, value: Any) -> Filter:
        return _compare(operator, field, value)

    build.__doc__ = f"`<{operator}>`: compare a field with one value."
    return build


eq = _comparison("equalto")
ne = _comparison("notequalto")
lt = _comparison("lessthan")
le = _comparison("lessthanorequalto")
gt = _comparison("greaterthan")
ge = _comparison("greaterthanorequalto")
like = _comparison("like")
not_like = _comparison("notlike")


def between(field: str, low: Any, high: Any) -> Filter:
    """`<between>`: low first, both bounds included."""
    return _compare("between", field, low, high)


def _membership(operator: str, field: str, values: Iterable[Any]) -> Filter:
    values = tuple(values)
    if not 1 <= len(values) <= IN_MAX_VALUES:
        raise ValueError(
            f"{operator} on {field} needs 1..{IN_MAX_VALUES} values, got {len(values)}"
        )
    return _compare(operator, field, *values)


def in_(field: str, values: Iterable[Any]) -> Filter:
    """`<in>`: 1 to 1000 values."""
    return _membership("in", field, values)


def not_in(field: str, values: Iterable[Any]) -> Filter:
    """`<notin>`: 1 to 1000 values."""
    return _membership("notin", field, values)


def is_null(field: str) -> Filter:
    """`<isnull>`."""
    return Filter("isnull", field)


def is_not_null(field: str) -> Filter:
    """`<isnotnull>`."""
    return Filter("isnotnull", field)


def _logical(operator: str, filters: Sequence[Filter]) -> Filter:
    if len(filters) < 2:
        raise ValueError(f"{operator} needs at least two filters")
    return Filter(operator, children=tuple(filters))


def and_(*filters: Filter) -> Filter:
    """`<and>` of two or more filters."""
    return _logical("and", filters)


def or_(*filters: Filter) -> Filter:
    """`<or>` of two or more filters."""
    return _logical("or", filters)


AGGREGATES = frozenset({"count", "avg", "min", "max", "sum"})


def query(
    object: str,  # noqa: A002 - Intacct's parameter name
    select: Sequence[str | tuple[str, str]],
    *,
    filter: Filter | None = None,  # noqa: A002 - Intacct's parameter name
    order_by: Sequence[str | tuple[str, bool]] = (),
    page_size: int | None = None,
    offset: int | None = None,
    docparid: str | None = None,
    case_insensitive: bool | None = None,
    show_private: bool | None = None,
    control_id: str | None = None,
) -> Function:
    """The structured `query` function.

    `select` holds field names or `(aggregate, field)` pairs (`("count", "RECORDNO")`);
    `order_by` holds field names (ascending) or `(field, ascending)` pairs. Results have no
    defined order unless `order_by` is given. Pages hold at most 2000 rows on the XML gateway
    (QUERY_MAX_PAGE_SIZE), 4000 over REST.
    """
    if not select:
        raise ValueError("query needs at least one selected field")
    if page_size is not None and not 1 <= page_size <= REST_QUERY_MAX_PAGE_SIZE:
        raise ValueError(f"query page_size must be 1..{REST_QUERY_MAX_PAGE_SIZE}")
    if offset is not None and offset < 0:
        raise ValueError("query offset must be >= 0")
    element = etree.Element("query")
    select_element = etree.SubElement(element, "select")
    for item in select:
        tag, name = ("field", item) if isinstance(item, str) else item
        if tag != "field" and tag not in AGGREGATES:
            raise ValueError(f"unknown aggregate {tag!r} (use one of {sorted(AGGREGATES)})")
        etree.SubElement(select_element, tag).text = name
    add_child(element, "object", object)
    add_child(element, "docparid", docparid)
    if filter is not None:
        etree.SubElement(element, "filter").append(filter.to_xml())
    if order_by:
        orders = etree.SubElement(element, "orderby")
        for order_item in order_by:
            field_name, ascending = (
                (order_item, True) if isinstance(order_item, str) else order_item
            )
            order = etree.SubElement(orders, "order")
            etree.SubElement(order, "field").text = field_name
            etree.SubElement(order, "ascending" if ascending else "descending")
    if case_insensitive is not None or show_private is not None:
        options = etree.SubElement(element, "options")
        add_child(options, "caseinsensitive", case_insensitive)
        add_child(options, "showprivate", show_private)
    add_child(element, "pagesize", page_size)
    add_child(element, "offset", offset)
    return _function(element, control_id)


# --- generic writes ------------------------------------------------------------------------


def _records(
    name: str,
    object: str,  # noqa: A002 - Intacct's parameter name
    records: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    control_id: str | None,
) -> Function:
    element = etree.Element(name)
    for record in [records] if isinstance(records, Mapping) else records:
        element.append(to_element(object, record))
    if len(element) == 0:
        raise ValueError(f"{name} {object}: no records given")
    return _function(element, control_id)


def create(
    object: str,  # noqa: A002 - Intacct's parameter name
    records: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    control_id: str | None = None,
) -> Function:
    """Generic `create` of one or more records; keys may be dotted (`DISPLAYCONTACT.EMAIL1`)."""
    return _records("create", object, records, control_id)


def update(
    object: str,  # noqa: A002 - Intacct's parameter name
    records: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    control_id: str | None = None,
) -> Function:
    """Generic `update`; each record carries its key (RECORDNO or the object's ID field)."""
    return _records("update", object, records, control_id)


def delete(
    object: str,  # noqa: A002 - Intacct's parameter name
    keys: str | int | Iterable[str | int],
    *,
    control_id: str | None = None,
) -> Function:
    """Generic `delete` by RECORDNO keys."""
    return _function(_element("delete", ("object", object), ("keys", _keys(keys))), control_id)


# --- balance reports -----------------------------------------------------------------------


def _period(
    start_date: date | None, end_date: date | None, reporting_period_name: str | None
) -> list[tuple[str, Any]]:
    """`reportingperiodname`, or `startdate` + `enddate` as `<year>/<month>/<day>`."""
    if reporting_period_name is not None:
        if start_date is not None or end_date is not None:
            raise ValueError("give reporting_period_name or start_date/end_date, not both")
        return [("reportingperiodname", reporting_period_name)]
    if start_date is None or end_date is None:
        raise ValueError("give reporting_period_name, or both start_date and end_date")
    if end_date < start_date:
        raise ValueError(f"end_date {end_date} is before start_date {start_date}")
    return [
        (tag, {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"})
        for tag, day in (("startdate", start_date), ("enddate", end_date))
    ]


def get_trialbalance(
    start_date: date | None = None,
    end_date: date | None = None,
    *,
    reporting_period_name: str | None = None,
    show_zero_balances: bool | None = None,
    show_department_detail: bool | None = None,
    show_location_detail: bool | None = None,
    reporting_book: str | None = None,
    department_id: str | None = None,
    location_id: str | None = None,
    control_id: str | None = None,
) -> Function:
    """Legacy `get_trialbalance` for a period (dates, or a reporting period's name)."""
    return _function(
        _element(
            "get_trialbalance",
            *_period(start_date, end_date, reporting_period_name),
            ("showzerobalances", show_zero_balances),
            ("showdeptdetail", show_department_detail),
            ("showlocdetail", show_location_detail),
            ("reportingbook", reporting_book),
            ("departmentid", department_id),
            ("locationid", location_id),
        ),
        control_id,
    )


def get_accountbalances(
    start_date: date | None = None,
    end_date: date | None = None,
    *,
    reporting_period_name: str | None = None,
    gl_account_no: str | None = None,
    start_account_no: str | None = None,
    end_account_no: str | None = None,
    account_group_name: str | None = None,
    location_id: str | None = None,
    department_id: str | None = None,
    show_zero_balances: bool | None = None,
    reporting_book: str | None = None,
    control_id: str | None = None,
) -> Function:
    """Legacy `get_accountbalances`: one account, an account group, a range, or every account."""
    ranged = start_account_no is not None or end_account_no is not None
    if ranged and (start_account_no is None or end_account_no is None):
        raise ValueError("give both start_account_no and end_account_no")
    if sum((gl_account_no is not None, account_group_name is not None, ranged)) > 1:
        raise ValueError("give one of gl_account_no, account_group_name or an account range")
    return _function(
        _element(
            "get_accountbalances",
            *_period(start_date, end_date, reporting_period_name),
            ("glaccountno", gl_account_no),
            ("accountgroupname", account_group_name),
            ("startaccountno", start_account_no),
            ("endaccountno", end_account_no),
            ("locationid", location_id),
            ("departmentid", department_id),
            ("showzerobalances", show_zero_balances),
            ("reportingbook", reporting_book),
        ),
        control_id,
    )


# --- legacy functions ----------------------------------------------------------------------


def _legacy(
    name: str,
    fields: Mapping[str, Any],
    control_id: str | None,
    **attributes: Any,
) -> Function:
    return _function(legacy.render(name, fields, attributes), control_id)


def create_invoice(fields: Mapping[str, Any], *, control_id: str | None = None) -> Function:
    """Legacy `create_invoice` (AR invoice); returns the new RECORDNO as the result's `key`."""
    return _legacy("create_invoice", fields, control_id)


def update_invoice(
    key: str | int, fields: Mapping[str, Any], *, control_id: str | None = None
) -> Function:
    """Legacy `update_invoice` by RECORDNO key; `updatelineitem` lines use `line_num`."""
    return _legacy("update_invoice", fields, control_id, key=key)


def delete_invoice(key: str | int, *, control_id: str | None = None) -> Function:
    """Legacy `delete_invoice` by RECORDNO key."""
    return _legacy("delete_invoice", {}, control_id, key=key)


def create_arpayment(fields: Mapping[str, Any], *, control_id: str | None = None) -> Function:
    """Legacy `create_arpayment`; returns the payment key."""
    return _legacy("create_arpayment", fields, control_id)


def apply_arpayment(fields: Mapping[str, Any], *, control_id: str | None = None) -> Function:
    """Legacy `apply_arpayment`: apply an existing payment to invoices."""
    return _legacy("apply_arpayment", fields, control_id)


def create_aradjustment(fields: Mapping[str, Any], *, control_id: str | None = None) -> Function:
    """Legacy `create_aradjustment` (positive amounts debit, negative credit)."""
    return _legacy("create_aradjustment", fields, control_id)


def create_sotransaction(fields: Mapping[str, Any], *, control_id: str | None = None) -> Function:
    """Legacy `create_sotransaction`; the result's `key` is the DOCID ("Sales Invoice-INV1")."""
    return _legacy("create_sotransaction", fields, control_id)


def update_sotransaction(
    key: str, fields: Mapping[str, Any], *, control_id: str | None = None
) -> Function:
    """Legacy `update_sotransaction` by DOCID; `updatesotransitem` lines use 1-based `line_num`."""
    return _legacy("update_sotransaction", fields, control_id, key=key)


def delete_sotransaction(key: str, *, control_id: str | None = None) -> Function:
    """Legacy `delete_sotransaction` by DOCID ("Sales Invoice-INV1234")."""
    return _legacy("delete_sotransaction", {}, control_id, key=key)


def record_deposit(fields: Mapping[str, Any], *, control_id: str | None = None) -> Function:
    """Legacy `record_deposit` of undeposited receipts."""
    return _legacy("record_deposit", fields, control_id)


def delete_customer(customer_id: str, *, control_id: str | None = None) -> Function:
    """Legacy `delete_customer` by CUSTOMERID."""
    return _legacy("delete_customer", {}, control_id, customerid=customer_id)
