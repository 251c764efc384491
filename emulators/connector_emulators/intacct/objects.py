"""The one table of Intacct objects the emulator serves, read once from `objects.json`.

Every object is a row of the data file, loaded into `OBJECTS`: its fields (data type, required,
read-only, valid values, referenced object), its ID field, its owner object and link field for
line objects, the element names of its lines inside a create/update, whether it carries
WHENMODIFIED and belongs to an entity, and its REST path. Adding an object is adding a row of
data; behaviour beyond plain storage lives in `rules.py`.
Nested elements of a create (DISPLAYCONTACT/MAILADDRESS/CITY) are fields with dotted names
(`DISPLAYCONTACT.MAILADDRESS.CITY`), which is also how `query` and `lookup` expose them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

DATATYPES = ("TEXT", "INTEGER", "DECIMAL", "CURRENCY", "PERCENT", "BOOLEAN", "DATE", "TIMESTAMP")
NUMERIC_TYPES = frozenset({"INTEGER", "DECIMAL", "CURRENCY", "PERCENT"})


@dataclass(frozen=True)
class FieldDef:
    """One field of an object as `lookup` describes it."""

    name: str
    datatype: str = "TEXT"
    required: bool = False
    readonly: bool = False
    valid: tuple[str, ...] = ()
    ref: str | None = None  # object whose ID field this field holds
    label: str = ""
    custom: bool = False
    # readByQuery renders some enums with words instead of the codes `query` shows.
    legacy_words: tuple[tuple[str, str], ...] = ()
    # readByQuery filters compare the stored code (`STATUS = 'T'`), not the value rows show.
    query_codes: tuple[tuple[str, str], ...] = ()
    # A read-only copy Sage fills from a related record: (field holding the related record's key,
    # related object, its key field (RECORDNO or its ID field), field copied), as PARENTNAME is
    # the NAME of the customer in PARENTID.
    via: tuple[str, str, str, str] | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace(".", " ").replace("_", " ").title()


@dataclass(frozen=True)
class ObjectDef:
    """One Intacct object (a row of the table)."""

    name: str
    label: str
    module: str
    fields: tuple[FieldDef, ...]
    id_field: str | None = None
    parent: str | None = None  # owner object of a line object
    parent_field: str | None = None  # field of a line holding the owner's RECORDNO
    lines: tuple[str, str, str] | None = None  # (container element, line element, line object)
    whenmodified: bool = True
    scoped: bool = True  # belongs to an entity (LOCATION) when created in one
    shared: bool = False  # master data: entity sessions also see top-level records
    created_stamp: str | None = "WHENCREATED"  # audit timestamp field set on create
    generic_write: bool = True  # generic create/update allowed (others use legacy functions)
    deletable: bool = True  # generic delete allowed (lines go with their owner)
    id_prefix: str | None = None  # auto-numbering when a create leaves the ID field empty
    docpar: bool = False  # has document types (docparid)
    rest_path: str | None = None  # the object's path under Sage's REST API (v1), where one exists
    # Its DTD 3.0 `delete_<name>` function: (function, attribute, RECORDNO or the ID field the
    # attribute matches), as `<delete_glaccount glaccountno="1000"/>`, `<delete_bill key="7"/>`.
    legacy_delete: tuple[str, str, str] | None = None

    @property
    def field_map(self) -> dict[str, FieldDef]:
        return {f.name: f for f in self.fields}

    @cached_property
    def derived(self) -> tuple[FieldDef, ...]:
        """The fields copied from related records on every write."""
        return tuple(fdef for fdef in self.fields if fdef.via)

    @property
    def stamp_field(self) -> str:
        """The timestamp kept in the indexed `whenmodified` column."""
        return "WHENMODIFIED" if self.whenmodified else "ACCESSTIME"


CATALOGUE = Path(__file__).with_name("objects.json")


FIELD_KEYS = frozenset(
    {"name", "type", "required", "readonly", "valid", "ref", "label", "legacy_words", "query_codes"}
    | {"via"}
)


def _field(row: dict[str, Any]) -> FieldDef:
    unknown = set(row) - FIELD_KEYS
    if unknown or row.get("type", "TEXT") not in DATATYPES:
        raise ValueError(f"field {row.get('name')}: unknown keys {sorted(unknown)} or bad type")
    return FieldDef(
        row["name"],
        row.get("type", "TEXT"),
        row.get("required", False),
        row.get("readonly", False),
        tuple(row.get("valid", ())),
        row.get("ref"),
        row.get("label", ""),
        False,
        tuple(row.get("legacy_words", {}).items()),
        tuple(row.get("query_codes", {}).items()),
        tuple(row["via"]) if "via" in row else None,
    )


def _object(row: dict[str, Any]) -> ObjectDef:
    head = {k: v for k, v in row.items() if k != "fields"}
    for key in ("lines", "legacy_delete"):
        if key in head:
            head[key] = tuple(head[key])
    return ObjectDef(fields=tuple(_field(f) for f in row["fields"]), **head)


def load(path: Path = CATALOGUE) -> tuple[ObjectDef, ...]:
    """The object rows of a catalogue file; a row naming an unknown key or object fails here."""
    objects = []
    for row in json.loads(path.read_text(encoding="utf-8"))["objects"]:
        try:
            objects.append(_object(row))
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"{path.name}: object {row.get('name')}: {exc}") from exc
    names = {o.name for o in objects}
    for obj in objects:
        linked = [obj.parent, obj.lines[2] if obj.lines else None]
        linked += [fdef.ref for fdef in obj.fields]
        linked += [fdef.via[1] for fdef in obj.derived if fdef.via]
        missing = sorted({name for name in linked if name and name not in names})
        if missing:
            raise ValueError(f"{path.name}: object {obj.name} names unknown objects {missing}")
    by_name = {o.name: o for o in objects}
    for obj in objects:
        for fdef in obj.derived:
            source, target, key, _ = fdef.via or ("", "", "", "")
            if source not in obj.field_map or key not in ("RECORDNO", by_name[target].id_field):
                raise ValueError(f"{path.name}: {obj.name}.{fdef.name}: bad via {fdef.via}")
        if obj.legacy_delete and obj.legacy_delete[2] not in ("RECORDNO", obj.id_field):
            raise ValueError(f"{path.name}: {obj.name}: bad legacy_delete {obj.legacy_delete}")
    return tuple(objects)


OBJECTS: tuple[ObjectDef, ...] = load()
OBJECTS_BY_NAME: dict[str, ObjectDef] = {o.name: o for o in OBJECTS}
LINE_OBJECTS: dict[str, ObjectDef] = {o.parent: o for o in OBJECTS if o.parent}


@dataclass
class CustomField:
    """A custom field a company defined on an object (lookup shows ISCUSTOM true)."""

    object: str
    name: str
    datatype: str = "TEXT"
    label: str = ""
    valid: tuple[str, ...] = field(default_factory=tuple)

    def as_field(self) -> FieldDef:
        return FieldDef(self.name, self.datatype, False, False, self.valid, None, self.label, True)
