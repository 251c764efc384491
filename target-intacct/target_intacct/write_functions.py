"""Which Intacct function carries a planned write, and its control id.

The object's style (`WriteSpec.style`) picks the function: the generic `create` / `update` /
`delete`, or the legacy functions Intacct keeps for invoices, adjustments, sales transactions
and payments.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from intacct_api import functions

from target_intacct.objects import Style, WriteSpec
from target_intacct.records import Item, content_hash, is_blank, lookup
from target_intacct.settings import StreamSettings

if TYPE_CHECKING:
    from intacct_api.functions import Function


class WriteFunctions:
    """Functions and control ids for one stream's writes."""

    def __init__(
        self, spec: WriteSpec, settings: StreamSettings, stream_name: str, run_id: str
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.stream_name = stream_name
        self.run_id = run_id

    def control_id(self, action: str, item: Item, payload: Any) -> str:
        """Same record, same version, same action → same control id.

        A create keeps its control id across runs, so replaying an input never creates twice
        (its record is read back, and written again under a new control id, `again`, if it was
        deleted since). Updates and deletes are safe to repeat, so their ids are unique to the
        run: a later run that sets a field back to an earlier value is not refused as already
        executed.
        """
        version = lookup(item.record, "WHENMODIFIED")
        run = "" if action == "created" else self.run_id
        digest = content_hash(
            [self.stream_name, action, item.source_key, item.match_value, version, payload, run]
        )
        return f"{self.stream_name[:40]}-{action[0]}-{digest[:40]}"

    @staticmethod
    def again(function: Function) -> Function:
        """The same function under a new control id: another attempt, not a retry of one.

        For a create whose control id ran before but whose record Intacct does not have (it
        was deleted since), so the create runs instead of being refused as already executed.
        """
        prefix = function.control_id.rsplit("-", 1)[0]
        return replace(function, control_id=f"{prefix}-{uuid.uuid4().hex}")

    def natural_key(self, item: Item) -> Any:
        """The ID a new record will have in Intacct, where the record itself gives it."""
        if self.spec.style is Style.SALES_TRANSACTION:
            docid = lookup(item.record, "DOCID")
            if is_blank(docid) and not is_blank(item.fields.get("DOCNO")):
                return f"{item.fields.get('DOCPARID')}-{item.fields['DOCNO']}"
            return docid
        return item.fields.get(self.spec.id_field) if self.spec.id_field else None

    def write(self, action: str, payload: dict, row: dict | None, control_id: str) -> Function:
        """The create (no `row`) or update of `row` carrying `payload`."""
        style, obj = self.spec.style, self.spec.object
        if action == "created":
            if style is Style.INVOICE:
                return functions.create_invoice(payload, control_id=control_id)
            if style is Style.ADJUSTMENT:
                return functions.create_aradjustment(payload, control_id=control_id)
            if style is Style.SALES_TRANSACTION:
                return functions.create_sotransaction(payload, control_id=control_id)
            if style is Style.PAYMENT and self.settings.payment_function == "create_arpayment":
                return functions.create_arpayment(payload, control_id=control_id)
            return functions.create(obj, payload, control_id=control_id)
        assert row is not None
        if style is Style.INVOICE:
            return functions.update_invoice(row["RECORDNO"], payload, control_id=control_id)
        if style is Style.SALES_TRANSACTION:
            return functions.update_sotransaction(row["DOCID"], payload, control_id=control_id)
        return functions.update(obj, payload, control_id=control_id)

    def delete(self, item: Item, record_no: str, intacct_id: Any) -> Function:
        """The delete of an existing record, by the function its style takes."""
        control_id = self.control_id("delete", item, record_no)
        if self.spec.style is Style.SALES_TRANSACTION:
            return functions.delete_sotransaction(str(intacct_id), control_id=control_id)
        if self.spec.style is Style.INVOICE:
            return functions.delete_invoice(record_no, control_id=control_id)
        return functions.delete(self.spec.object, record_no, control_id=control_id)
