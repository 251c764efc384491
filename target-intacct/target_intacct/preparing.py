"""An input record made ready to write: the fields Intacct takes, with defaults, checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from target_intacct.base import DELETED_AT
from target_intacct.objects import WriteSpec
from target_intacct.records import (
    Item,
    RecordError,
    check_xml_text,
    first,
    intacct_value,
    is_blank,
    lookup,
    record_lines,
    writable_fields,
)
from target_intacct.settings import StreamSettings


class RecordPreparer:
    """Turns records into `Item`s for one stream's `WriteSpec` row and settings.

    Kept apart from the sink so what a record becomes can be read (and tested) without the
    lookups and requests around it.
    """

    def __init__(self, spec: WriteSpec, settings: StreamSettings) -> None:
        self.spec = spec
        self.settings = settings

    def written_elsewhere(self, record: Mapping[str, Any]) -> bool:
        """Records of `skip_when` are written by another stream (and skipped here)."""
        return any(lookup(record, k) == v for k, v in self.spec.skip_when.items())

    def prepare(self, record: dict[str, Any], source_key: Any) -> Item:
        """The item to plan a write for; raises `RecordError` naming the field at fault."""
        item = Item(
            record=record,
            source_key=source_key,
            deleted=not is_blank(record.get(DELETED_AT)),
        )
        match_field = self.settings.match_field
        if match_field:
            value = lookup(record, match_field)
            item.match_value = None if is_blank(value) else str(value)
        if item.deleted:
            return item
        if self.written_elsewhere(record):
            item.skipped = True
            return item
        lines_spec = self.spec.lines
        skip = set(lines_spec.record_fields) if lines_spec else set()
        fields = {
            name: intacct_value(value)
            for name, value in writable_fields(self.spec, record, skip).items()
            if value is not None
        }
        for setting, target_field in self.spec.defaults.items():
            default = self.settings.defaults.get(setting)
            if default is not None and is_blank(fields.get(target_field)):
                fields[target_field] = default
        for name, value in fields.items():
            check_xml_text(value, name)
        item.fields = fields
        if lines_spec:
            source_field, lines = record_lines(lines_spec, record)
            item.lines = [self._prepare_line(line, source_field, n) for n, line in enumerate(lines)]
        return item

    def check_required(self, item: Item) -> None:
        """A create needs the object's required fields, from the record or its defaults."""
        for name in self.spec.required:
            if is_blank(item.fields.get(name)) and is_blank(lookup(item.record, name)):
                raise RecordError(name, "is required to create a " + self.spec.object)

    def _prepare_line(self, line: Mapping[str, Any], source_field: str, index: int) -> dict:
        lines_spec = self.spec.lines
        assert lines_spec is not None
        where = f"{source_field}[{index}]"
        if lines_spec.element:  # generic: every writable line field passes through
            prepared = {
                name: intacct_value(value)
                for name, value in line.items()
                if value is not None
                and not name.startswith("_sdc_")
                and name not in lines_spec.read_only
                and name != "RECORDNO"
                and not self.spec.is_read_only(name)
            }
        else:
            prepared = {}
            for target_field, sources in lines_spec.fields.items():
                value = first(line, sources)
                if value is not None:
                    prepared[target_field] = value
        for setting, target_field in self.settings.line_defaults(self.spec).items():
            if is_blank(prepared.get(target_field)):
                prepared[target_field] = self.settings.defaults[setting]
        for name, value in prepared.items():
            check_xml_text(value, f"{where}.{name}")
        prepared["_where"] = where
        return prepared
