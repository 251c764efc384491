"""Element order of the legacy (DTD 3.0, object-specific) functions, as data.

Intacct validates legacy functions against a strict sequence, so builders write a dict of
lowercase fields in the order below: the 2019 `api.xsd` order, plus the few elements the
current SDK writes that postdate it (`onhold`, `taxsolutionid`, `taxentries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree

from intacct_api.dates import parse_date
from intacct_api.xml import format_value


@dataclass(frozen=True)
class Shape:
    """Children of an element in schema order (None marks a text element) and its attributes."""

    children: Mapping[str, Shape | None]
    attributes: tuple[str, ...] = ()
    is_date: bool = field(default=False)


def shape(*children: str | tuple[str, Shape], attributes: tuple[str, ...] = ()) -> Shape:
    """A shape from child names (text elements) and `(name, shape)` pairs, in order."""
    entries: dict[str, Shape | None] = {}
    for child in children:
        name, sub = (child, None) if isinstance(child, str) else child
        entries[name] = sub
    return Shape(entries, attributes)


DATE = Shape({"year": None, "month": None, "day": None}, is_date=True)
CUSTOMFIELDS = shape(("customfield", shape("customfieldname", "customfieldvalue")))
MAILADDRESS = shape(
    "address1", "address2", "city", "state", "zip", "country", "isocountrycode", "latitude",
    "longitude",
)  # fmt: skip
CONTACT = shape(
    "contactname", "printas", "taxable", "companyname", "taxgroup", "prefix", "firstname",
    "lastname", "initial", "phone1", "phone2", "cellphone", "pager", "fax", "email1", "email2",
    "url1", "url2", "status", ("mailaddress", MAILADDRESS), "taxid",
)  # fmt: skip
CONTACT_REF = shape(("contact", CONTACT), "contactname")
CURRENCY = ("basecurr", "currency", ("exchratedate", DATE), "exchratetype", "exchrate")
DIMENSIONS = ("projectid", "customerid", "vendorid", "employeeid", "itemid", "classid",
              "contractid", "warehouseid")  # fmt: skip
TAXENTRIES = shape(("taxentry", shape("detailid", "trx_tax")))


def _ar_line(*, update: bool) -> Shape:
    paid = () if update else ("key", "totalpaid", "totaldue")
    return shape(
        "accountlabel", "glaccountno", "offsetglaccountno", "amount",
        *(() if update else ("allocationid",)),
        "memo", "locationid", "departmentid", "item1099", "form1099type", "form1099box",
        *paid, ("customfields", CUSTOMFIELDS), "revrectemplate", "defrevaccount",
        ("revrecstartdate", DATE), ("revrecenddate", DATE), *DIMENSIONS, "billable",
        ("taxentries", TAXENTRIES),
        attributes=("line_num",) if update else (),
    )  # fmt: skip


LINEITEM = _ar_line(update=False)
UPDATELINEITEM = _ar_line(update=True)
ARPAYMENTITEM = shape("invoicekey", "amount")
ITEMDETAILS = shape(
    ("itemdetail", shape("componentid", "quantity", "serialno", "lotno", "aisle", "row", "bin",
                         ("itemexpiration", DATE))),
)  # fmt: skip
KITSTATUS = shape("line_num", "invoiceprice", "deliverystatus", ("deliverydate", DATE),
                  "deferralstatus")  # fmt: skip
FULFILLMENTSTATUS = shape(
    "deliverystatus", ("deliverydate", DATE), "deferralstatus", ("kitstatus", KITSTATUS)
)


def _so_line(*, update: bool) -> Shape:
    return shape(
        "bundlenumber", "itemid", "itemdesc", "taxable", "warehouseid", "quantity", "unit",
        "linelevelsimpletaxtype", "discountpercent", "price",
        *(() if update else ("sourcelinekey",)),
        "discsurchargememo", "locationid", "departmentid", "memo", ("itemdetails", ITEMDETAILS),
        ("customfields", CUSTOMFIELDS), "revrectemplate", ("revrecstartdate", DATE),
        ("revrecenddate", DATE), "renewalmacro", "projectid", "customerid", "vendorid",
        "employeeid", "classid", "contractid", ("fulfillmentstatus", FULFILLMENTSTATUS), "taskno",
        "billingtemplate", "dropship", ("shipto", CONTACT_REF),
        attributes=("line_num",) if update else (),
    )  # fmt: skip


SUBTOTAL = shape(
    "description", "total", "absval", "percentval", "locationid", "departmentid", "projectid",
    "customerid", "vendorid", "employeeid", "classid", "itemid", "contractid",
    ("customfields", CUSTOMFIELDS),
)  # fmt: skip

LEGACY_FUNCTIONS: dict[str, Shape] = {
    "create_invoice": shape(
        "customerid", ("datecreated", DATE), ("dateposted", DATE), ("datedue", DATE), "termname",
        "batchkey", "action", "invoiceno", "ponumber", "onhold", "description", "externalid",
        ("billto", CONTACT_REF), ("shipto", CONTACT_REF), *CURRENCY, "nogl", "supdocid",
        "taxsolutionid", ("customfields", CUSTOMFIELDS),
        ("invoiceitems", shape(("lineitem", LINEITEM))),
    ),
    "update_invoice": shape(
        "customerid", ("datecreated", DATE), ("dateposted", DATE), ("datedue", DATE), "termname",
        "action", "invoiceno", "ponumber", "description", ("payto", CONTACT_REF),
        ("returnto", CONTACT_REF), "currency", ("exchratedate", DATE), "exchratetype", "exchrate",
        "supdocid", ("customfields", CUSTOMFIELDS),
        ("updateinvoiceitems", shape(("lineitem", LINEITEM), ("updatelineitem", UPDATELINEITEM))),
        attributes=("key", "set_nulls", "externalkey"),
    ),
    "delete_invoice": shape(attributes=("key", "externalkey")),
    "create_arpayment": shape(
        "customerid", "paymentamount", "translatedamount", "batchkey", "bankaccountid",
        "undepfundsacct", "refid", "overpaylocid", "overpaydeptid", ("datereceived", DATE),
        "paymentmethod", *CURRENCY, "cctype", "authcode", ("arpaymentitem", ARPAYMENTITEM),
        ("onlinecardpayment", shape("cardnum", ("expirydate", DATE), "cardtype", "securitycode",
                                    "usedefaultcard")),
        ("onlineachpayment", shape("bankname", "accounttype", "accountnumber", "routingnumber",
                                   "accountholder", "usedefaultaccount")),
    ),
    "apply_arpayment": shape(
        "arpaymentkey", ("paymentdate", DATE), "batchkey", "memo", "overpaylocid", "overpaydeptid",
        ("arpaymentitems", shape(("arpaymentitem", ARPAYMENTITEM))),
    ),
    "create_aradjustment": shape(
        "customerid", ("datecreated", DATE), ("dateposted", DATE), "batchkey", "adjustmentno",
        "action", "invoiceno", "description", "externalid", *CURRENCY, "nogl",
        ("aradjustmentitems", shape(("lineitem", LINEITEM))),
    ),
    "create_sotransaction": shape(
        "transactiontype", ("datecreated", DATE), ("dateposted", DATE), "createdfrom", "customerid",
        "documentno", ("origdocdate", DATE), "referenceno", "termname", ("datedue", DATE),
        "message", "shippingmethod", ("shipto", CONTACT_REF), ("billto", CONTACT_REF), "supdocid",
        "externalid", *CURRENCY, "vsoepricelist", ("customfields", CUSTOMFIELDS), "state",
        "projectid", ("sotransitems", shape(("sotransitem", _so_line(update=False)))),
        ("subtotals", shape(("subtotal", SUBTOTAL))),
    ),
    "update_sotransaction": shape(
        ("datecreated", DATE), ("dateposted", DATE), "referenceno", "termname", ("datedue", DATE),
        ("origdocdate", DATE), "message", "shippingmethod", ("shipto", CONTACT_REF),
        ("billto", CONTACT_REF), "supdocid", "externalid", *CURRENCY, "vsoepricelist",
        ("customfields", CUSTOMFIELDS), "state", "projectid",
        ("updatesotransitems", shape(("sotransitem", _so_line(update=False)),
                                     ("updatesotransitem", _so_line(update=True)))),
        ("updatesubtotals", shape(("updatesubtotal", SUBTOTAL))),
        attributes=("key", "set_nulls", "externalkey", "disablevalidation"),
    ),
    "delete_sotransaction": shape(attributes=("key", "external")),
    "record_deposit": shape(
        "bankaccountid", ("depositdate", DATE), "depositid",
        ("receiptkeys", shape("receiptkey")), "description", "supdocid",
        ("customfields", CUSTOMFIELDS),
    ),
    "delete_customer": shape(attributes=("customerid",)),
}  # fmt: skip


def render(name: str, fields: Mapping[str, Any], attributes: Mapping[str, Any]) -> etree._Element:
    """Build the legacy function element `name`; unknown fields raise naming their path.

    `attributes` (such as `key`) join the fields: a shape's attributes are read from its dict.
    """
    element = etree.Element(name)
    _fill(element, {**fields, **attributes}, LEGACY_FUNCTIONS[name], name)
    return element


def _fill(element: etree._Element, value: Any, spec: Shape, path: str) -> None:
    if spec.is_date:
        value = _date_parts(value, path)
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: expected a group of fields, got {type(value).__name__}")
    fields = {key.lower(): item for key, item in value.items()}
    unknown = [key for key in fields if key not in spec.children and key not in spec.attributes]
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {', '.join(map(repr, unknown))}")
    for attribute in spec.attributes:
        if fields.get(attribute) is not None:
            try:
                element.set(attribute, format_value(fields[attribute]))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}.{attribute}: {exc}") from None
    for tag, child_spec in spec.children.items():
        child_value = fields.get(tag)
        for item in child_value if isinstance(child_value, list | tuple) else [child_value]:
            if item is None:
                continue
            child = etree.SubElement(element, tag)
            if child_spec is not None:
                _fill(child, item, child_spec, f"{path}.{tag}")
                continue
            if isinstance(item, Mapping):
                raise ValueError(f"{path}.{tag}: expected a single value, got a group")
            try:
                child.text = format_value(item) or None
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}.{tag}: {exc}") from None


def _date_parts(value: Any, path: str) -> Any:
    """Dates may be given as `date`, ISO or `MM/DD/YYYY` text, or `{year, month, day}`."""
    if isinstance(value, str):
        try:
            parsed = parse_date(value)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        if parsed is None:
            raise ValueError(f"{path}: empty date")
        value = parsed
    if isinstance(value, date):
        return {
            "year": f"{value.year:04d}",
            "month": f"{value.month:02d}",
            "day": f"{value.day:02d}",
        }
    return value
