"""Legacy (DTD 3.0) creates that map element by element onto an object's fields.

`create_bill`, `create_apadjustment`, `create_potransaction`, `create_ictransaction`,
`create_expensereport`, `record_otherreceipt`, `record_cctransaction`,
`create_customerchargecard`, `create_supdoc` and `create_supdocfolder` take
their elements in the order of Sage's XSD; each is one row of `LEGACY_CREATES` (element → field,
for the header and for each line), then goes through the same checks and business rules as a
generic `create` of the object, so both ways in store the same record.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from .functions import Call, child_text, resolve_object
from .generic_writes import store_new
from .legacy import due_date, key_result, legacy_date
from .objects import OBJECTS_BY_NAME, ObjectDef
from .records import could_not
from .store import Record
from .values import date_renderer

_DIMENSIONS = (
    ("locationid", "LOCATIONID"),
    ("departmentid", "DEPARTMENTID"),
    ("projectid", "PROJECTID"),
    ("customerid", "CUSTOMERID"),
    ("vendorid", "VENDORID"),
    ("employeeid", "EMPLOYEEID"),
    ("itemid", "ITEMID"),
    ("classid", "CLASSID"),
    ("contractid", "CONTRACTID"),
    ("warehouseid", "WAREHOUSEID"),
)
_AP_LINE = (
    ("glaccountno", "ACCOUNTNO"),
    ("amount", "TRX_AMOUNT"),
    ("memo", "ENTRYDESCRIPTION"),
    ("locationid", "LOCATIONID"),
    ("departmentid", "DEPARTMENTID"),
)


@dataclass(frozen=True)
class LegacyCreate:
    """One legacy create function: the object it writes and its element → field maps."""

    object: str
    header: tuple[tuple[str, str], ...]
    lines: str = ""  # path of the line elements ("" when the object has none)
    line_fields: tuple[tuple[str, str], ...] = ()
    answer: str = "RECORDNO"  # the field `<key>` answers
    state: tuple[str, str] | None = None  # (element giving the state, state when absent)


LEGACY_CREATES: dict[str, LegacyCreate] = {
    "create_bill": LegacyCreate(
        "APBILL",
        (
            ("vendorid", "VENDORID"),
            ("datecreated", "WHENCREATED"),
            ("dateposted", "WHENPOSTED"),
            ("datedue", "WHENDUE"),
            ("termname", "TERMNAME"),
            ("action", "ACTION"),
            ("billno", "RECORDID"),
            ("ponumber", "DOCNUMBER"),
            ("description", "DESCRIPTION"),
            ("currency", "CURRENCY"),
        ),
        "billitems/lineitem",
        _AP_LINE,
    ),
    "create_apadjustment": LegacyCreate(
        "APADJUSTMENT",
        (
            ("vendorid", "VENDORID"),
            ("datecreated", "WHENCREATED"),
            ("adjustmentno", "RECORDID"),
            ("description", "DESCRIPTION"),
        ),
        "apadjustmentitems/lineitem",
        _AP_LINE[:3],
        state=("action", "Posted"),
    ),
    "create_potransaction": LegacyCreate(
        "PODOCUMENT",
        (
            ("transactiontype", "DOCPARID"),
            ("datecreated", "WHENCREATED"),
            ("vendorid", "CUSTVENDID"),
            ("documentno", "DOCNO"),
            ("referenceno", "PONUMBER"),
            ("vendordocno", "VENDORDOCNO"),
            ("termname", "TERMNAME"),
            ("datedue", "WHENDUE"),
            ("message", "MESSAGE"),
            ("shippingmethod", "SHIPVIA"),
            ("state", "STATE"),
        ),
        "potransitems/potransitem",
        (("itemid", "ITEMID"), ("quantity", "QUANTITY"), ("price", "PRICE")),
        answer="DOCID",
    ),
    "create_ictransaction": LegacyCreate(
        "INVDOCUMENT",
        (
            ("transactiontype", "DOCPARID"),
            ("datecreated", "WHENCREATED"),
            ("createdfrom", "CREATEDFROM"),
            ("documentno", "DOCNO"),
            ("referenceno", "PONUMBER"),
            ("message", "MESSAGE"),
            ("state", "STATE"),
        ),
        "ictransitems/ictransitem",
        (
            ("itemid", "ITEMID"),
            ("warehouseid", "WAREHOUSEID"),
            ("quantity", "QUANTITY"),
            ("unit", "UNIT"),
            ("cost", "COST"),
            ("locationid", "LOCATIONID"),
            ("departmentid", "DEPARTMENTID"),
        ),
        answer="DOCID",
    ),
    "create_expensereport": LegacyCreate(
        "EEXPENSES",
        (
            ("employeeid", "EMPLOYEEID"),
            ("datecreated", "WHENCREATED"),
            ("dateposted", "WHENPOSTED"),
            ("expensereportno", "RECORDID"),
            ("description", "DESCRIPTION"),
            ("memo", "MEMO"),
            ("basecurr", "BASECURR"),
            ("currency", "CURRENCY"),
            ("supdocid", "SUPDOCID"),
        ),
        "expenses/expense",
        (
            ("expensetype", "EXPENSETYPE"),
            ("glaccountno", "ACCOUNTNO"),
            ("amount", "TRX_AMOUNT"),
            ("expensedate", "ENTRYDATE"),
            ("paidfor", "PAIDFOR"),
            ("billable", "BILLABLE"),
            *_DIMENSIONS,
        ),
        state=("state", "Submitted"),
    ),
    "record_otherreceipt": LegacyCreate(
        "OTHERRECEIPTS",
        (
            ("paymentdate", "PAYMENTDATE"),
            ("payee", "PAYEE"),
            ("receiveddate", "RECEIPTDATE"),
            ("paymentmethod", "PAYMETHOD"),
            ("undepglaccountno", "UNDEPOSITEDACCOUNTNO"),
            ("bankaccountid", "FINANCIALENTITY"),
            ("refid", "DOCNUMBER"),
            ("description", "DESCRIPTION"),
            ("supdocid", "SUPDOCID"),
            ("currency", "CURRENCY"),
        ),
        "receiptitems/lineitem",
        (
            ("glaccountno", "ACCOUNTNO"),
            ("amount", "TRX_AMOUNT"),
            ("memo", "DESCRIPTION"),
            *_DIMENSIONS,
        ),
        state=("", "Posted"),
    ),
    "record_cctransaction": LegacyCreate(
        "CCTRANSACTION",
        (
            ("chargecardid", "FINANCIALENTITY"),
            ("paymentdate", "WHENCREATED"),
            ("referenceno", "RECORDID"),
            ("payee", "PAYEE"),
            ("description", "DESCRIPTION"),
            ("supdocid", "SUPDOCID"),
            ("currency", "CURRENCY"),
        ),
        "ccpayitems/ccpayitem",
        (
            ("glaccountno", "ACCOUNTNO"),
            ("description", "DESCRIPTION"),
            ("paymentamount", "TRX_AMOUNT"),
            *_DIMENSIONS,
        ),
        state=("", "Posted"),
    ),
    "create_customerchargecard": LegacyCreate(
        "CUSTOMERCHARGECARD",
        (
            ("customerid", "CUSTOMERID"),
            ("cardnum", "CARDID"),
            ("cardtype", "CARDTYPE"),
            ("exp_month", "EXP_MONTH"),
            ("exp_year", "EXP_YEAR"),
            ("description", "DESCRIPTION"),
            ("status", "STATUS"),
            ("defaultcard", "DEFAULTCARD"),
        ),
    ),
    "create_supdoc": LegacyCreate(
        "SUPDOC",
        (
            ("supdocid", "SUPDOCID"),
            ("supdocname", "SUPDOCNAME"),
            ("supdocfoldername", "FOLDER"),
            ("supdocdescription", "DESCRIPTION"),
        ),
        answer="SUPDOCID",
    ),
    "create_supdocfolder": LegacyCreate(
        "SUPDOCFOLDER",
        (
            ("supdocfoldername", "NAME"),
            ("supdocfolderdescription", "DESCRIPTION"),
            ("supdocparentfoldername", "PARENTFOLDERNAME"),
        ),
        answer="NAME",
    ),
}


def mapped_text(
    call: Call, obj: ObjectDef, el: etree._Element, tags: tuple[tuple[str, str], ...]
) -> dict[str, str]:
    """The mapped elements as request text (dates in the user's format, as `create` takes)."""
    render = date_renderer(call.ctx.fmt.dateformat)
    raw: dict[str, str] = {}
    for tag, name in tags:
        found = el.find(tag)
        if found is None:
            continue
        if len(found):  # <year><month><day>
            raw[name] = render(legacy_date(obj, el, tag) or "")
        else:
            raw[name] = (found.text or "").strip()
    return raw


def _state(spec: LegacyCreate, el: etree._Element) -> str:
    element, default = spec.state or ("", "")
    text = child_text(el, element) if element else ""
    if text == "Draft" or (element == "state" and text):
        return text
    return default


def _check_attachments(obj: ObjectDef, el: etree._Element) -> None:
    """Each `<attachment>` names its file and carries base64 data (checked, not kept)."""
    for number, attachment in enumerate(el.findall("attachments/attachment"), start=1):
        if not child_text(attachment, "attachmentname"):
            raise could_not(obj, f"attachment {number}: <attachmentname> is missing.")
        try:
            base64.b64decode(child_text(attachment, "attachmentdata"), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise could_not(obj, f"attachment {number}: <attachmentdata> is not base64.") from exc


def create_document(call: Call, el: etree._Element) -> str:
    """A `LEGACY_CREATES` function: the header, its lines, then the object's create rules."""
    spec = LEGACY_CREATES[str(el.tag)]
    obj = resolve_object(call, spec.object, reading=False)
    writer = call.writer
    rec = writer.convert(
        obj, mapped_text(call, obj, el, spec.header), action="create", label=obj.name
    )
    lines: list[Record] | None = None
    if obj.lines:
        line_obj = OBJECTS_BY_NAME[obj.lines[2]]
        items = el.findall(spec.lines)
        if not items:
            raise could_not(obj, f"<{spec.lines}> needs at least one line.", errorno="BL03000018")
        lines = []
        for number, item in enumerate(items, start=1):
            label = f"line {number}"
            if child_text(item, "accountlabel"):
                raise could_not(obj, f"{label}: account labels are not enabled; use glaccountno.")
            raw = mapped_text(call, line_obj, item, spec.line_fields)
            line = writer.convert(line_obj, raw, action="create", label=label)
            writer.check_required(line_obj, line, label=label, action="create")
            writer.check_refs(line_obj, line, label=label, action="create")
            lines.append(line)
    if spec.state:
        rec["STATE"] = _state(spec, el)
    if "WHENDUE" in obj.field_map and not rec.get("WHENDUE") and rec.get("WHENCREATED"):
        rec["WHENDUE"] = due_date(str(rec["WHENCREATED"]), rec.get("TERMNAME"), None)
    _check_attachments(obj, el)
    writer.check_required(obj, rec, label=obj.name, action="create")
    writer.check_refs(obj, rec, label=obj.name, action="create")
    stored = store_new(writer, obj, rec, lines)
    return key_result(stored[spec.answer])
