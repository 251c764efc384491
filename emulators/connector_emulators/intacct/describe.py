"""`lookup`, `inspect` and `getDimensions`: the company's objects as Sage's gateway describes them.

`lookup` and `inspect` read the company's fields (custom fields included) and answer in the
shapes of Sage's published `lookup` and `inspect` excerpts.
"""

from __future__ import annotations

from lxml import etree

from .functions import Call, child_text, resolve_object
from .objects import OBJECTS, OBJECTS_BY_NAME
from .xmlout import esc


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


# The company's dimensions as `getDimensions` lists them: (object, posted to the General Ledger).
# The standard ones in Sage's order, then the user-defined CHANNEL.
DIMENSIONS = (
    ("DEPARTMENT", True),
    ("LOCATION", True),
    ("PROJECT", True),
    ("CUSTOMER", True),
    ("VENDOR", True),
    ("EMPLOYEE", False),
    ("ITEM", True),
    ("CLASS", True),
    ("CONTRACT", False),
    ("TASK", False),
    ("WAREHOUSE", False),
    ("CHANNEL", True),
)


def get_dimensions(call: Call, el: etree._Element) -> str:
    """`getDimensions`: the dimensions the company subscribes to, standard and user-defined."""
    rows = []
    for name, in_gl in DIMENSIONS:
        if name in call.unsubscribed:
            continue
        obj = OBJECTS_BY_NAME[name]
        label = obj.label.split(" (")[0]
        rows.append(
            f"<dimension><objectName>{name}</objectName><objectLabel>{esc(label)}"
            f"</objectLabel><termLabel>{esc(label)}</termLabel>"
            f"<userDefinedDimension>{_bool(obj.module == 'PT')}</userDefinedDimension>"
            f"<enabledInGL>{_bool(in_gl)}</enabledInGL></dimension>"
        )
    return f"<data><dimensions>{''.join(rows)}</dimensions></data>"
