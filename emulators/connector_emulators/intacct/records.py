"""Writing records: validation of request fields, stamps, entity ownership and the audit trail.

Every write of every function goes through `Writer`, so WHENMODIFIED, RECORDNO numbering,
MEGAENTITY* fields and AUDITHISTORY rows are maintained in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .objects import OBJECTS_BY_NAME, FieldDef, ObjectDef
from .store import Record, Store
from .values import BadValueError, Formatting, stamp, to_stored
from .xmlout import Err

USER_RECORDNO = 1  # the demo user's RECORDNO (no USERINFO object): CREATEDBY, MODIFIEDBY
AUDIT = OBJECTS_BY_NAME["AUDITHISTORY"]
LOCATION = OBJECTS_BY_NAME["LOCATION"]


class FunctionError(Exception):
    """A function failed; `errors` go into its result, `data` (if any) precedes them.

    `kept`: part of the function's work stands (a multi-record `create` whose other records
    succeeded), so its writes are not undone.
    """

    def __init__(self, errors: list[Err], data: str = "", *, kept: bool = False) -> None:
        super().__init__("; ".join(e.description2 or e.errorno for e in errors))
        self.errors = errors
        self.data = data
        self.kept = kept


def could_not(obj: ObjectDef, message: str, action: str = "create", errorno: str = "BL01001973"):
    """A validation failure: the specific error, then the generic trailer."""
    return FunctionError(
        [
            Err(errorno, "", message, ""),
            Err("BL01001973", "", f"Could not {action} {obj.label} record!", ""),
        ]
    )


@dataclass
class Ctx:
    """Who is calling and when: one per request."""

    store: Store
    company: str
    fmt: Formatting
    userid: str
    location: str | None
    now: datetime

    @property
    def now_stamp(self) -> str:
        return stamp(self.now)


class Writer:
    """Record-level create/update/delete for one request context."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.store = ctx.store

    # -- input --------------------------------------------------------------------------------
    def fields(self, obj: ObjectDef) -> dict[str, FieldDef]:
        return {f.name: f for f in self.store.fields(self.ctx.company, obj)}

    def convert(
        self, obj: ObjectDef, raw: dict[str, str], *, action: str, label: str
    ) -> dict[str, Any]:
        """Request text → stored values, refusing unknown, read-only and ill-typed fields.

        A copy of a related record's field (`FieldDef.via`) is taken from that record on
        every write, so a value sent for it is passed over, not refused.
        """
        fields = self.fields(obj)
        out: dict[str, Any] = {}
        for name, text in raw.items():
            fdef = fields.get(name)
            if fdef is None:
                raise could_not(obj, f"{label}: unknown field {name} on {obj.name}.", action)
            if fdef.via:
                continue
            if fdef.readonly and name != "RECORDNO":
                raise could_not(obj, f"{label}: field {name} of {obj.name} is read-only.", action)
            try:
                value = to_stored(fdef, text, self.ctx.fmt)
            except BadValueError as exc:
                raise could_not(obj, f"{label}: field {name}: {exc}.", action) from exc
            if value is not None and fdef.valid and str(value) not in fdef.valid:
                allowed = ", ".join(fdef.valid)
                raise could_not(
                    obj,
                    f"{label}: field {name} has invalid value '{text}' (valid: {allowed}).",
                    action,
                )
            out[name] = value
        return out

    def check_required(self, obj: ObjectDef, rec: Record, *, label: str, action: str) -> None:
        for fdef in self.store.fields(self.ctx.company, obj):
            if fdef.required and rec.get(fdef.name) in (None, ""):
                raise could_not(
                    obj, f"{label}: required field {fdef.name} is missing.", action, "BL03000018"
                )

    def check_refs(self, obj: ObjectDef, rec: Record, *, label: str, action: str) -> None:
        for fdef in self.store.fields(self.ctx.company, obj):
            value = rec.get(fdef.name)
            if fdef.ref and value not in (None, "") and not self.exists(fdef.ref, str(value)):
                target = OBJECTS_BY_NAME[fdef.ref]
                raise could_not(
                    obj,
                    f"{label}: invalid {target.label} '{value}' in field {fdef.name}.",
                    action,
                    "BL03000017",
                )

    def exists(self, object_name: str, idval: str) -> bool:
        return self.by_id(object_name, idval) is not None

    def by_id(self, object_name: str, idval: str) -> Record | None:
        obj = OBJECTS_BY_NAME[object_name]
        if obj.id_field is None:
            return None
        return self.store.get_by_id(self.ctx.company, obj, idval)

    def get(self, obj: ObjectDef, recordno: int) -> Record | None:
        """A record the session may see (its entity's, or shared ones)."""
        rec = self.store.get(self.ctx.company, obj, recordno)
        if rec is None or not self.visible(obj, rec):
            return None
        return rec

    def visible(self, obj: ObjectDef, rec: Record) -> bool:
        owner = rec.get("MEGAENTITYID")
        if not obj.scoped or self.ctx.location is None or owner == self.ctx.location:
            return True
        return obj.shared and owner is None

    # -- writes -------------------------------------------------------------------------------
    def insert(self, obj: ObjectDef, rec: Record, *, location: str | None = None) -> Record:
        """Number, stamp and store a new record (values already validated)."""
        self.derive(obj, rec)
        rec = {k: v for k, v in rec.items() if v is not None}
        rec["RECORDNO"] = self.store.next_value(self.ctx.company, "REC:" + obj.name)
        now = self.ctx.now_stamp
        if obj.created_stamp:
            rec[obj.created_stamp] = now
        if obj.whenmodified:
            rec["WHENMODIFIED"] = now
            rec["CREATEDBY"] = rec["MODIFIEDBY"] = USER_RECORDNO
        self._own(obj, rec, location if location is not None else self.ctx.location)
        self.store.insert(self.ctx.company, obj, rec)
        if not obj.parent:
            self.audit(obj, rec, "C")
        return rec

    def _own(self, obj: ObjectDef, rec: Record, location: str | None) -> None:
        if not obj.scoped or not location:
            return
        entity = self.store.get_by_id(self.ctx.company, LOCATION, location)
        rec["MEGAENTITYID"] = location
        if entity:
            rec["MEGAENTITYKEY"] = entity["RECORDNO"]
            rec["MEGAENTITYNAME"] = entity.get("NAME")

    def save(self, obj: ObjectDef, rec: Record, *, audit: bool = True) -> Record:
        """Store a changed record, stamping WHENMODIFIED."""
        self.derive(obj, rec)
        rec = {k: v for k, v in rec.items() if v is not None}
        if obj.whenmodified:
            rec["WHENMODIFIED"] = self.ctx.now_stamp
            rec["MODIFIEDBY"] = USER_RECORDNO
        self.store.replace(self.ctx.company, obj, rec)
        if audit and not obj.parent:
            self.audit(obj, rec, "M")
        return rec

    def derive(self, obj: ObjectDef, rec: Record) -> None:
        """Fill the read-only copies of related records' fields (`FieldDef.via`)."""
        for fdef in obj.derived:
            source, target, key, taken = fdef.via or ("", "", "", "")
            value, related_obj = rec.get(source), OBJECTS_BY_NAME[target]
            related = None
            if key == "RECORDNO" and str(value).isdigit():
                related = self.store.get(self.ctx.company, related_obj, int(str(value)))
            elif key != "RECORDNO" and value not in (None, ""):
                related = self.store.get_by_id(self.ctx.company, related_obj, str(value))
            rec[fdef.name] = related.get(taken) if related else None

    def remove(self, obj: ObjectDef, rec: Record) -> None:
        for line_obj in self.line_objects(obj):
            for line in self.store.children(self.ctx.company, line_obj, rec["RECORDNO"]):
                self.store.delete(self.ctx.company, line_obj, line["RECORDNO"])
        self.store.delete(self.ctx.company, obj, rec["RECORDNO"])
        if not obj.parent:
            self.audit(obj, rec, "D")

    def replace_lines(self, obj: ObjectDef, parent: Record, lines: list[Record]) -> list[Record]:
        """Store `lines` as the owner's only lines, numbered from 1."""
        line_obj = OBJECTS_BY_NAME[obj.lines[2]] if obj.lines else None
        if line_obj is None:
            return []
        for old in self.store.children(self.ctx.company, line_obj, parent["RECORDNO"]):
            self.store.delete(self.ctx.company, line_obj, old["RECORDNO"])
        stored = []
        for number, values in enumerate(lines, start=1):
            line = dict(values)
            line[line_obj.parent_field or "RECORDKEY"] = parent["RECORDNO"]
            if "LINE_NO" in line_obj.field_map:
                line["LINE_NO"] = number
            stored.append(self.insert(line_obj, line, location=parent.get("MEGAENTITYID") or ""))
        return stored

    def lines_of(self, obj: ObjectDef, parent: Record) -> list[Record]:
        if not obj.lines:
            return []
        line_obj = OBJECTS_BY_NAME[obj.lines[2]]
        return self.store.children(self.ctx.company, line_obj, parent["RECORDNO"])

    @staticmethod
    def line_objects(obj: ObjectDef) -> list[ObjectDef]:
        return [OBJECTS_BY_NAME[obj.lines[2]]] if obj.lines else []

    def touch(self, obj: ObjectDef, rec: Record) -> Record:
        """Bump WHENMODIFIED (an edit made in the Intacct UI, or a line change)."""
        return self.save(obj, rec)

    def audit(self, obj: ObjectDef, rec: Record, mode: str) -> None:
        recordno = self.store.next_value(self.ctx.company, "REC:AUDITHISTORY")
        entry: Record = {
            "ID": str(recordno),
            "RECORDNO": recordno,
            "OBJECTTYPE": obj.name.lower(),
            "OBJECTKEY": str(rec["RECORDNO"]),
            "OBJECTDESC": str(rec.get(obj.id_field) or rec["RECORDNO"]) if obj.id_field else "",
            "ACCESSMODE": mode,
            "ACCESSTIME": self.ctx.now_stamp,
            "SOURCE": "api",
            "USERID": self.ctx.userid,
        }
        for key in ("MEGAENTITYID", "MEGAENTITYKEY", "MEGAENTITYNAME"):
            if rec.get(key) is not None:
                entry[key] = rec[key]
        self.store.insert(self.ctx.company, AUDIT, {k: v for k, v in entry.items() if v != ""})
