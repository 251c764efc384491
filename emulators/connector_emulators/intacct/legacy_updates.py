"""Legacy (DTD 3.0) updates of records a legacy create wrote, one row per function.

Each `update_*` names its record by an attribute (`key`, `recordno`) or by an element of its
body (`supdocid`), takes the header elements of its create counterpart (only those present
change), and goes through the same checks and business rules as a generic `update`. Line
changes (`updateccpayitems`, `updatepotransitems`) are refused with a message saying so: the
emulator changes headers only.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from . import rules
from .functions import Call, child_text, resolve_object
from .legacy import key_result
from .legacy_documents import LEGACY_CREATES, mapped_text
from .records import FunctionError, could_not
from .xmlout import Err


@dataclass(frozen=True)
class LegacyUpdate:
    """One legacy update: where its key is, the field it matches, the header it takes."""

    create: str  # the LEGACY_CREATES row whose header elements it takes
    key: str  # "@name" for an attribute, else the element carrying the key
    key_field: str  # RECORDNO or the object's ID field
    lines: str = ""  # the element of line changes, refused when present


LEGACY_UPDATES: dict[str, LegacyUpdate] = {
    "update_supdoc": LegacyUpdate("create_supdoc", "supdocid", "SUPDOCID"),
    "update_supdocfolder": LegacyUpdate("create_supdocfolder", "supdocfoldername", "NAME"),
    "update_customerchargecard": LegacyUpdate("create_customerchargecard", "@recordno", "RECORDNO"),
    "update_cctransaction": LegacyUpdate(
        "record_cctransaction", "@key", "RECORDNO", lines="updateccpayitems"
    ),
    "update_potransaction": LegacyUpdate(
        "create_potransaction",
        "@key",
        "DOCID",
        lines="updatepotransitems",
    ),
}


def update_document(call: Call, el: etree._Element) -> str:
    """A `LEGACY_UPDATES` function: the named record's header, then the update rules."""
    spec = LEGACY_UPDATES[str(el.tag)]
    create = LEGACY_CREATES[spec.create]
    obj = resolve_object(call, create.object, reading=False)
    writer = call.writer
    key = (el.get(spec.key[1:]) if spec.key.startswith("@") else child_text(el, spec.key)) or ""
    if not key:
        where = f"the {spec.key[1:]} attribute" if spec.key.startswith("@") else f"<{spec.key}>"
        raise could_not(obj, f"{el.tag} needs {where}.", "update", "BL03000018")
    if spec.key_field == "RECORDNO":
        existing = writer.get(obj, int(key)) if key.isdigit() else None
    else:
        found = writer.by_id(obj.name, key)
        existing = found if found is not None and writer.visible(obj, found) else None
    if existing is None:
        raise FunctionError(
            [Err(f"Cannot update non-existing {obj.name} with {spec.key_field}={key}.")]
        )
    if spec.lines and el.find(spec.lines) is not None:
        raise could_not(
            obj,
            f"<{spec.lines}>: line changes are not emulated; send header fields only.",
            "update",
        )
    tags = tuple((tag, name) for tag, name in create.header if name != spec.key_field)
    changes = writer.convert(obj, mapped_text(call, obj, el, tags), action="update", label=obj.name)
    rec = {**existing, **changes}
    rules.prepare(writer, obj, rec, None)
    stored = writer.save(obj, rec)
    rules.after_store(writer, obj, stored, None)
    return key_result(stored[create.answer])
