"""Generic `create`, `update` and `delete`, and the DTD 3.0 `delete_<object>` functions.

A multi-record `create` or `update` writes each object element in turn and keeps those that
succeed; `delete` takes a list of RECORDNO keys.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from . import rules
from .functions import Call, child_text, resolve_object
from .objects import OBJECTS, OBJECTS_BY_NAME, ObjectDef
from .records import FunctionError, Writer, could_not
from .store import Record
from .xmlout import Err, esc


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


def _object_elements(call: Call, el: etree._Element) -> list[etree._Element]:
    out = [child for child in el if isinstance(child.tag, str)]
    if not out:
        raise FunctionError([Err("BL01001973", "", f"{call.function} needs an object element.")])
    return out


def _writable(call: Call, element: etree._Element) -> ObjectDef:
    """The object an element of a `create` / `update` names, if the generic function writes it."""
    obj = resolve_object(call, str(element.tag), reading=False)
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
    return obj


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
    """Write every object element of the call in turn, as Intacct does.

    The records that succeed are kept and listed in `<data>`; each one that fails adds its
    errors and undoes only its own writes; the function fails if any record did.
    """
    written: list[tuple[ObjectDef, Record]] = []
    errors: list[Err] = []
    for number, element in enumerate(_object_elements(call, el), start=1):
        try:
            with call.ctx.store.savepoint():
                obj = _writable(call, element)
                written.append((obj, write_one(call, obj, element, f"{obj.name} #{number}")))
        except FunctionError as exc:
            errors.extend(exc.errors)
    if errors:
        raise FunctionError(errors, _written(written), kept=bool(written))
    return _written(written)


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
    """Generic `create`: each object of the call (those that succeed are kept)."""
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
    return store_new(writer, obj, rec, lines)


def store_new(writer: Writer, obj: ObjectDef, rec: Record, lines: list[Record] | None) -> Record:
    """Store a checked new record and its lines under the object's rules (IDs kept unique)."""
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
    """Generic `update`: each object of the call (those that succeed are kept)."""
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


def delete_by_key(call: Call, el: etree._Element) -> str:
    """A DTD 3.0 `delete_<object>` (`ObjectDef.legacy_delete`): `<delete_class key="C1"/>`."""
    obj = resolve_object(call, LEGACY_DELETES[str(el.tag)].name, reading=False)
    _, attribute, field = obj.legacy_delete or ("", "", "")
    key = el.get(attribute) or ""
    if not key:
        raise could_not(obj, f"{el.tag} needs the {attribute} attribute.", "delete", "BL03000018")
    if field == "RECORDNO":
        rec = call.writer.get(obj, int(key)) if key.isdigit() else None
    else:
        rec = call.writer.by_id(obj.name, key)
    if rec is None or not call.writer.visible(obj, rec):
        raise not_found_to_delete(obj, key)
    delete_record(call.writer, obj, rec)
    return ""


LEGACY_DELETES: dict[str, ObjectDef] = {o.legacy_delete[0]: o for o in OBJECTS if o.legacy_delete}
