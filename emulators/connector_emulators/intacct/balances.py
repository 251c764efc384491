"""Legacy balance reports, `get_trialbalance` and `get_accountbalances`, computed from the ledger.

Balances are sums of the lines (GLENTRY) of posted journal entries (GLBATCH) the session may see,
signed debit-positive: `startbalance` is everything before the first day, `debits`/`credits` the
period's activity, `endbalance = startbalance + debits - credits`. Adjustment books are not kept,
so `adjdebits`/`adjcredits` are 0.00. A trial balance has a row per account (split by department
and/or location with `showdeptdetail`/`showlocdetail`); account balances have a row per account,
location and department combination, as Intacct lists them "with all dimension combinations".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from .functions import Call, child_text
from .objects import OBJECTS_BY_NAME, ObjectDef
from .records import FunctionError
from .store import Record
from .values import money
from .xmlout import Err, data_attrs, esc

GLBATCH = OBJECTS_BY_NAME["GLBATCH"]
GLENTRY = OBJECTS_BY_NAME["GLENTRY"]
GLACCOUNT = OBJECTS_BY_NAME["GLACCOUNT"]
LOCATION = OBJECTS_BY_NAME["LOCATION"]
DEPARTMENT = OBJECTS_BY_NAME["DEPARTMENT"]
GL_OBJECTS = ("GLACCOUNT", "GLBATCH", "GLENTRY")
REPORTING_BOOK = "ACCRUAL"
BASE_CURRENCY = "USD"
PERIOD_NAME = re.compile(r"Month Ended ([A-Za-z]+) (\d{4})")
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
ZERO = Decimal("0")


def _error(message: str, errorno: str = "BL01001973") -> FunctionError:
    return FunctionError([Err(errorno, "", message, "")])


def _date(el: etree._Element, tag: str) -> date:
    found = el.find(tag)
    if found is None:
        raise _error(f"Required element <{tag}> is missing.", "BL03000018")
    try:
        return date(
            int(child_text(found, "year")),
            int(child_text(found, "month")),
            int(child_text(found, "day")),
        )
    except ValueError as exc:
        raise _error(f"<{tag}> is not a valid year/month/day date.") from exc


def _period(el: etree._Element) -> tuple[date, date]:
    """`reportingperiodname` ("Month Ended October 2026") or `startdate` + `enddate`."""
    name = child_text(el, "reportingperiodname")
    if name:
        match = PERIOD_NAME.fullmatch(name.strip())
        if not match or match[1] not in MONTHS:
            raise _error(f"Reporting period '{name}' does not exist.")
        year, month = int(match[2]), MONTHS[match[1]]
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    start, end = _date(el, "startdate"), _date(el, "enddate")
    if end < start:
        raise _error("The end date is before the start date.")
    return start, end


def _flag(el: etree._Element, tag: str, default: bool) -> bool:
    text = child_text(el, tag).strip().lower()
    return default if not text else text in ("true", "t", "1")


@dataclass
class Balance:
    """One row: an account (and dimension values) with its sums."""

    account: str
    location: str = ""
    department: str = ""
    start: Decimal = ZERO
    debits: Decimal = ZERO
    credits: Decimal = ZERO

    @property
    def end(self) -> Decimal:
        return self.start + self.debits - self.credits

    def is_zero(self) -> bool:
        return not (self.start or self.debits or self.credits)


class Ledger:
    """The posted lines a session sees, with the dimension filters of one request."""

    def __init__(self, call: Call, el: etree._Element) -> None:
        unsubscribed = [name for name in GL_OBJECTS if name in call.unsubscribed]
        if unsubscribed:
            raise FunctionError(
                [
                    Err(
                        "BL03000150",
                        "",
                        f"Your company is not subscribed to the application that owns "
                        f"{call.function} ({unsubscribed[0]}).",
                        "Subscribe to the application, or ask your administrator.",
                    )
                ]
            )
        self.call = call
        self.start, self.end = _period(el)
        book = child_text(el, "reportingbook") or REPORTING_BOOK
        if book != REPORTING_BOOK:
            raise _error(f"Reporting book '{book}' is not enabled for this company.")
        self.book = book
        self.locations = self._subtree(el, "locationid", "loc_subs", LOCATION, "LOCATIONID")
        self.departments = self._subtree(
            el, "departmentid", "dept_subs", DEPARTMENT, "DEPARTMENTID"
        )
        self.show_zero = _flag(el, "showzerobalances", False)

    def _subtree(
        self, el: etree._Element, tag: str, subs_tag: str, obj: ObjectDef, id_field: str
    ) -> set[str] | None:
        """The ids a dimension filter keeps: the value and (by default) its children."""
        value = child_text(el, tag).strip()
        if not value:
            return None
        store, company = self.call.ctx.store, self.call.ctx.company
        if store.get_by_id(company, obj, value) is None:
            raise _error(f"Invalid {obj.label} '{value}' in <{tag}>.", "BL03000017")
        kept = {value}
        if _flag(el, subs_tag, True):
            children: dict[str, list[str]] = {}
            for rec in store.find(company, obj, "1 = 1", []):
                children.setdefault(rec.get("PARENTID") or "", []).append(rec[id_field])
            todo = [value]
            while todo:
                for child in children.get(todo.pop(), []):
                    if child not in kept:
                        kept.add(child)
                        todo.append(child)
        return kept

    def lines(self) -> Iterable[Record]:
        """GLENTRY rows of posted, visible journal entries up to the period's end."""
        store, company, writer = self.call.ctx.store, self.call.ctx.company, self.call.writer
        posted = {
            batch["RECORDNO"]
            for batch in store.find(company, GLBATCH, "1 = 1", [])
            if batch.get("STATE") == "Posted" and writer.visible(GLBATCH, batch)
        }
        end = self.end.isoformat()
        for line in store.find(company, GLENTRY, "1 = 1", []):
            if line.get("BATCHNO") not in posted or (line.get("ENTRY_DATE") or "") > end:
                continue
            if self.locations is not None and line.get("LOCATION") not in self.locations:
                continue
            if self.departments is not None and line.get("DEPARTMENT") not in self.departments:
                continue
            yield line

    def balances(
        self, group: Callable[[Record], tuple[str, str]], accounts: Callable[[str], bool]
    ) -> list[Balance]:
        """Rows keyed by account and `group(line)` = (location, department)."""
        rows: dict[tuple[str, str, str], Balance] = {}
        start = self.start.isoformat()
        for line in self.lines():
            account = line["ACCOUNTNO"]
            if not accounts(account):
                continue
            location, department = group(line)
            key = (account, location, department)
            row = rows.setdefault(key, Balance(account, location, department))
            amount = Decimal(str(line.get("AMOUNT") or "0"))
            debit = int(line.get("TR_TYPE") or 1) == 1
            if (line.get("ENTRY_DATE") or "") < start:
                row.start += amount if debit else -amount
            elif debit:
                row.debits += amount
            else:
                row.credits += amount
        if self.show_zero:
            store, company = self.call.ctx.store, self.call.ctx.company
            known = {account for account, _, _ in rows}
            for rec in store.find(company, GLACCOUNT, "1 = 1", []):
                if rec["ACCOUNTNO"] not in known and accounts(rec["ACCOUNTNO"]):
                    rows[(rec["ACCOUNTNO"], "", "")] = Balance(rec["ACCOUNTNO"])
        kept = [row for row in rows.values() if self.show_zero or not row.is_zero()]
        return sorted(kept, key=lambda row: (row.account, row.location, row.department))

    @property
    def currency(self) -> str:
        location = self.call.ctx.location
        if location:
            rec = self.call.ctx.store.get_by_id(self.call.ctx.company, LOCATION, location)
            if rec and rec.get("CURRENCY"):
                return str(rec["CURRENCY"])
        return BASE_CURRENCY

    def render(self, tag: str, rows: list[Balance], dimensions: tuple[str, ...]) -> str:
        currency = self.currency
        out = [f"<data{data_attrs(listtype=tag, count=len(rows))}>"]
        for row in rows:
            values = {
                "glaccountno": row.account,
                "startbalance": money(row.start),
                "debits": money(row.debits),
                "credits": money(row.credits),
                "adjdebits": money(ZERO),
                "adjcredits": money(ZERO),
                "endbalance": money(row.end),
                "reportingbook": self.book,
                "currency": currency,
                "locationid": row.location,
                "departmentid": row.department,
            }
            shown = [*list(values)[:9], *dimensions]
            out.append(
                f"<{tag}>"
                + "".join(f"<{name}>{esc(values[name])}</{name}>" for name in shown)
                + f"</{tag}>"
            )
        out.append("</data>")
        return "".join(out)


def get_trialbalance(call: Call, el: etree._Element) -> str:
    """A row per account; `showlocdetail`/`showdeptdetail` split it by location/department."""
    ledger = Ledger(call, el)
    by_location = _flag(el, "showlocdetail", False)
    by_department = _flag(el, "showdeptdetail", False)
    dimensions = (
        *(("locationid",) if by_location else ()),
        *(("departmentid",) if by_department else ()),
    )

    def group(line: Record) -> tuple[str, str]:
        return (
            (line.get("LOCATION") or "") if by_location else "",
            (line.get("DEPARTMENT") or "") if by_department else "",
        )

    return ledger.render("trialbalance", ledger.balances(group, lambda _: True), dimensions)


def get_accountbalances(call: Call, el: etree._Element) -> str:
    """A row per account, location and department; one account, a range, or all of them."""
    ledger = Ledger(call, el)
    single = child_text(el, "glaccountno").strip()
    low, high = child_text(el, "startaccountno").strip(), child_text(el, "endaccountno").strip()
    if child_text(el, "accountgroupname").strip():
        raise _error("Account groups are not kept by this company; use glaccountno or a range.")

    def accounts(account: str) -> bool:
        if single:
            return account == single
        return (not low or account >= low) and (not high or account <= high)

    def group(line: Record) -> tuple[str, str]:
        return line.get("LOCATION") or "", line.get("DEPARTMENT") or ""

    rows = ledger.balances(group, accounts)
    return ledger.render("accountbalance", rows, ("locationid", "departmentid"))


BALANCES: dict[str, Callable[[Call, etree._Element], str]] = {
    "get_trialbalance": get_trialbalance,
    "get_accountbalances": get_accountbalances,
}
