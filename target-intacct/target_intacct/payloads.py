"""Request payloads per write style: generic fields, journal lines, payments, legacy AR and OE.

Each builder turns a prepared `Item` (and the existing row, for an update) into the dict a
function of `intacct_api.functions` takes, refusing with a `RecordError` what Intacct would.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from intacct_api.dates import DateStyle

from target_intacct.objects import Style, WriteSpec
from target_intacct.records import (
    Item,
    RecordError,
    as_date,
    as_decimal,
    as_money,
    first,
    is_blank,
    render_dates,
)
from target_intacct.settings import StreamSettings


class PayloadBuilder:
    """Builds the payload of one stream's writes, as its `WriteSpec` row says."""

    def __init__(self, spec: WriteSpec, settings: StreamSettings) -> None:
        self.spec = spec
        self.settings = settings

    def build(
        self, item: Item, row: dict | None, invoices: Mapping[str, dict], style: DateStyle
    ) -> dict:
        """The payload, its dates written in the API user's date format (`style`)."""
        builders = {
            Style.GENERIC: self._generic,
            Style.JOURNAL: self._journal,
            Style.PAYMENT: self._payment,
            Style.INVOICE: self._legacy_ar,
            Style.ADJUSTMENT: self._legacy_ar,
            Style.SALES_TRANSACTION: self._sales_transaction,
        }
        return render_dates(builders[self.spec.style](item, row, invoices), style)

    def _generic_lines(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        """Lines of a generic write: `{"ENTRIES": {"GLENTRY": [...]}}`."""
        assert self.spec.lines is not None and self.spec.lines.container and self.spec.lines.element
        return {self.spec.lines.container: {self.spec.lines.element: lines}}

    def _generic(self, item: Item, row: dict | None, _invoices: Mapping[str, dict]) -> dict:
        payload = dict(item.fields)
        if row is not None:
            payload[self.spec.update_key] = row.get(self.spec.update_key)
        return payload

    def _journal(self, item: Item, row: dict | None, _invoices: Mapping[str, dict]) -> dict:
        """GLBATCH with lines of signed amounts → TR_TYPE 1/-1 and absolute TRX_AMOUNT."""
        container = self.spec.line_field
        if len(item.lines) < 2:
            raise RecordError(
                container, f"a journal entry needs at least two lines, got {len(item.lines)}"
            )
        entries = []
        total = Decimal(0)
        for line in item.lines:
            entry = {
                k: v
                for k, v in line.items()
                if k not in ("_where", "TR_TYPE", "TRX_AMOUNT", "AMOUNT")
            }
            amount = self._signed_amount(line)
            total += amount
            entry["TR_TYPE"] = 1 if amount >= 0 else -1
            entry["TRX_AMOUNT"] = abs(amount)
            entries.append(entry)
        if total != 0:
            raise RecordError(
                container, f"debits and credits must balance; the lines sum to {total}"
            )
        payload = self._generic(item, row, {})
        if row is not None:
            payload["RECORDNO"] = row["RECORDNO"]
        payload.update(self._generic_lines(entries))
        return payload

    @staticmethod
    def _signed_amount(line: Mapping[str, Any]) -> Decimal:
        where = line["_where"]
        tr_type = line.get("TR_TYPE")
        if tr_type is None or tr_type == "":
            raw = first(line, ("AMOUNT", "TRX_AMOUNT"))
            if raw is None:
                raise RecordError(f"{where}.AMOUNT", "is required (signed: debit > 0, credit < 0)")
            return as_money(raw, f"{where}.AMOUNT")
        sign = as_decimal(tr_type, f"{where}.TR_TYPE")
        if sign not in (1, -1):
            raise RecordError(
                f"{where}.TR_TYPE", f"must be 1 (debit) or -1 (credit), got {tr_type!r}"
            )
        raw = first(line, ("TRX_AMOUNT", "AMOUNT"))
        if raw is None:
            raise RecordError(f"{where}.TRX_AMOUNT", "is required")
        return sign * abs(as_money(raw, f"{where}.TRX_AMOUNT"))

    def _payment(self, item: Item, _row: dict | None, invoices: Mapping[str, dict]) -> dict:
        """ARPYMT applied to invoices named by RECORDNO (RECORDKEY) or by number (INVOICENO)."""
        if not item.lines:
            raise RecordError(
                self.spec.line_field, "a payment needs at least one invoice to apply to"
            )
        details = []
        for line in item.lines:
            where = line["_where"]
            detail = {k: v for k, v in line.items() if k not in ("_where", "INVOICENO", "RECORDID")}
            if is_blank(detail.get("RECORDKEY")):
                number = first(line, ("INVOICENO", "RECORDID"))
                if is_blank(number):
                    raise RecordError(
                        f"{where}.RECORDKEY", "name the invoice by RECORDKEY or INVOICENO"
                    )
                invoice = invoices.get(f"RECORDID:{number}")
                if invoice is None:
                    raise RecordError(
                        f"{where}.INVOICENO", f"no ARINVOICE with RECORDID={str(number)!r}"
                    )
                detail["RECORDKEY"] = invoice["RECORDNO"]
            else:
                invoice = invoices.get(f"RECORDNO:{detail['RECORDKEY']}")
            if is_blank(detail.get("TRX_PAYMENTAMOUNT")):
                if invoice is None:
                    raise RecordError(
                        f"{where}.RECORDKEY", f"no ARINVOICE with RECORDNO={detail['RECORDKEY']!r}"
                    )
                detail["TRX_PAYMENTAMOUNT"] = invoice.get("TOTALDUE")
            if is_blank(detail.get("TRX_PAYMENTAMOUNT")):
                raise RecordError(f"{where}.TRX_PAYMENTAMOUNT", "is required")
            detail["TRX_PAYMENTAMOUNT"] = as_money(
                detail["TRX_PAYMENTAMOUNT"], f"{where}.TRX_PAYMENTAMOUNT"
            )
            details.append(detail)
        header = dict(item.fields)
        if is_blank(header.get("UNDEPOSITEDACCOUNTNO")) and is_blank(header.get("FINANCIALENTITY")):
            raise RecordError(
                "UNDEPOSITEDACCOUNTNO",
                "is required (or FINANCIALENTITY); set defaults.undeposited_funds_account",
            )
        if self.settings.payment_function == "create_arpayment":
            return {
                "customerid": header.get("CUSTOMERID"),
                "paymentamount": sum((d["TRX_PAYMENTAMOUNT"] for d in details), Decimal(0)),
                "bankaccountid": header.get("FINANCIALENTITY"),
                "undepfundsacct": header.get("UNDEPOSITEDACCOUNTNO"),
                "refid": header.get("DOCNUMBER"),
                "datereceived": as_date(header.get("RECEIPTDATE"), "RECEIPTDATE"),
                "paymentmethod": header.get("PAYMENTMETHOD"),
                "currency": header.get("CURRENCY"),
                "arpaymentitem": [
                    {"invoicekey": d["RECORDKEY"], "amount": d["TRX_PAYMENTAMOUNT"]}
                    for d in details
                ],
            }
        header.update(self._generic_lines(details))
        return header

    def _legacy_header(self, item: Item) -> dict:
        """Legacy lowercase fields from the header map; other writable fields are custom fields."""
        payload: dict[str, Any] = {}
        used: set[str] = set()
        for legacy_name, sources in self.spec.header.items():
            used.update(sources)
            value = first(item.fields, sources)
            if value is None:
                continue
            if legacy_name.startswith("date"):
                value = as_date(value, sources[0])
            payload[legacy_name] = value
        custom = [
            {"customfieldname": name, "customfieldvalue": value}
            for name, value in item.fields.items()
            if name not in used and name != self.spec.id_field and not is_blank(value)
        ]
        if custom:
            payload["customfields"] = {"customfield": custom}
        return payload

    def _legacy_lines(self, item: Item, *, amount: str | None) -> list[dict]:
        if not item.lines:
            raise RecordError(self.spec.line_field, f"a {self.spec.object} needs at least one line")
        lines = []
        for line in item.lines:
            prepared = {k: v for k, v in line.items() if k != "_where"}
            if amount is not None:
                if is_blank(prepared.get(amount)):
                    raise RecordError(f"{line['_where']}.AMOUNT", "is required")
                prepared[amount] = as_money(prepared[amount], f"{line['_where']}.AMOUNT")
            lines.append(prepared)
        return lines

    def _legacy_ar(self, item: Item, row: dict | None, _invoices: Mapping[str, dict]) -> dict:
        payload = self._legacy_header(item)
        if item.waits_for_lines and row is not None:  # header only: Intacct keeps its lines
            payload.pop("customerid", None)
            return payload
        lines = self._legacy_lines(item, amount="amount")
        for line in lines:
            if is_blank(line.get("glaccountno")):
                raise RecordError(
                    "ACCOUNTNO", "every line needs ACCOUNTNO; set defaults.item_gl_account"
                )
        if self.spec.style is Style.ADJUSTMENT:
            payload["aradjustmentitems"] = {"lineitem": lines}
        elif row is None:
            payload["invoiceitems"] = {"lineitem": lines}
        else:
            payload.pop("customerid", None)
            payload["updateinvoiceitems"] = {
                "updatelineitem": [dict(line, line_num=n) for n, line in enumerate(lines, 1)]
            }
        return payload

    def _sales_transaction(
        self, item: Item, row: dict | None, _invoices: Mapping[str, dict]
    ) -> dict:
        payload = self._legacy_header(item)
        header_only = item.waits_for_lines and row is not None  # Intacct keeps its lines
        lines = [] if header_only else self._legacy_lines(item, amount=None)
        line_field = self.spec.line_field
        for line in lines:
            for name in ("quantity", "price"):
                if name in line:
                    line[name] = as_decimal(line[name], f"{line_field}.{name.upper()}")
        if row is None:
            payload["sotransitems"] = {"sotransitem": lines}
            return payload
        for name in ("transactiontype", "createdfrom", "customerid", "documentno"):
            payload.pop(name, None)
        if lines:
            payload["updatesotransitems"] = {
                "updatesotransitem": [dict(line, line_num=n) for n, line in enumerate(lines, 1)]
            }
        return payload
