"""The objects peers extract, GLDETAIL as the view of posted lines, and the balance reports.

Expected balances are summed here from the GLENTRY/GLBATCH dumps, apart from the emulator's code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

NEW_OBJECTS = [
    ("APBILLITEM", None), ("APPYMT", None), ("APPYMTDETAIL", None), ("APADJUSTMENT", None),
    ("APADJUSTMENTITEM", None), ("PROVIDERBANKACCOUNT", None), ("CHECKINGACCOUNT", None),
    ("SAVINGSACCOUNT", None), ("CREDITCARD", None), ("CLASS", None), ("PROJECT", None),
    ("TASK", None), ("GLDETAIL", None), ("GLBUDGETHEADER", None), ("GLBUDGETITEM", None),
    ("PODOCUMENT", "Purchase Order"), ("PODOCUMENTENTRY", "Purchase Order"), ("EMPLOYEE", None),
    ("LOCATIONENTITY", None), ("WAREHOUSE", None), ("AFFILIATEENTITY", None),
    ("FIXEDASSET", None), ("ARADJUSTMENTITEM", None), ("AUDITHISTORY", None), ("CHANNEL", None),
]  # fmt: skip
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
ZERO = Decimal(0)


def us_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()  # noqa: DTZ007 - a plain date


def period_xml(start: date, end: date) -> str:
    return "".join(
        f"<{tag}><year>{d.year}</year><month>{d.month:02d}</month><day>{d.day:02d}</day></{tag}>"
        for tag, d in (("startdate", start), ("enddate", end))
    )


def expected(gw, start: date, end: date, dims=lambda entry: (), entity: str | None = None):
    """{(account, *dims): (start, debits, credits)} from the dumps; all-zero rows left out."""
    posted = {
        b["RECORDNO"]
        for b in gw.records("GLBATCH")
        if b["STATE"] == "Posted" and entity in (None, b["MEGAENTITYID"])
    }
    sums: dict[tuple[str, ...], list[Decimal]] = {}
    for entry in gw.records("GLENTRY"):
        day = us_date(entry["ENTRY_DATE"])
        if entry["BATCHNO"] not in posted or day > end:
            continue
        signed = Decimal(entry["AMOUNT"]) * int(entry["TR_TYPE"])
        row = sums.setdefault((entry["ACCOUNTNO"], *dims(entry)), [ZERO, ZERO, ZERO])
        if day < start:
            row[0] += signed
        elif signed > 0:
            row[1] += signed
        else:
            row[2] -= signed
    return {key: tuple(v) for key, v in sums.items() if any(v)}


def report(gw, body: str, tag: str, dims: tuple[str, ...] = (), **kwargs):
    data = gw.ok(body, **kwargs).find("data")
    assert data.get("listtype") == tag and int(data.get("count")) == len(data)
    rows = {}
    for row in gw.rows(data):
        assert Decimal(row["endbalance"]) == (
            Decimal(row["startbalance"]) + Decimal(row["debits"]) - Decimal(row["credits"])
        )
        assert (row["adjdebits"], row["adjcredits"], row["reportingbook"]) == (
            "0.00", "0.00", "ACCRUAL",
        )  # fmt: skip
        key = (row["glaccountno"], *(row[d] for d in dims))
        rows[key] = (Decimal(row["startbalance"]), Decimal(row["debits"]), Decimal(row["credits"]))
    return rows, gw.rows(data)


@pytest.mark.parametrize(("obj", "docparid"), NEW_OBJECTS, ids=[o for o, _ in NEW_OBJECTS])
def test_every_object_answers_every_read_function(gw, obj, docparid):
    dump = gw.records(obj)
    if docparid:
        dump = [r for r in dump if r["DOCPARID"] == docparid]
    assert dump, f"the demo company has {obj} rows"
    docpar = f"<docparid>{docparid}</docparid>" if docparid else ""
    lookup = gw.ok(f"<lookup><object>{obj}</object>{docpar}</lookup>")
    fields = [f.findtext("ID") for f in lookup.iter("Field")]
    assert "RECORDNO" in fields
    queried = gw.query(obj, fields, extra=f"{docpar}<pagesize>2000</pagesize>")
    assert gw.rows(queried) == [{f: r[f] for f in fields} for r in dump]
    legacy = gw.rbq(obj, "", pagesize=1000) if not docparid else None
    if legacy is not None:
        assert int(legacy.get("totalcount")) == len(dump)
    read = gw.ok(f"<read><object>{obj}</object><keys>{dump[0]['RECORDNO']}</keys>"
                 f"<fields>*</fields>{docpar}</read>").find("data")  # fmt: skip
    assert read[0].findtext("RECORDNO") == dump[0]["RECORDNO"]


def test_gldetail_is_the_view_of_posted_lines(gw):
    posted = {b["RECORDNO"] for b in gw.records("GLBATCH") if b["STATE"] == "Posted"}
    lines = [e for e in gw.records("GLENTRY") if e["BATCHNO"] in posted]
    assert len(posted) < len(gw.records("GLBATCH"))  # the demo has a draft entry
    details = gw.records("GLDETAIL")
    assert [(d["RECORDNO"], d["ACCOUNTNO"], d["AMOUNT"]) for d in details] == [
        (e["RECORDNO"], e["ACCOUNTNO"], e["AMOUNT"]) for e in lines
    ]
    for detail in details:
        debit = detail["TR_TYPE"] == "1"
        assert (detail["DEBITAMOUNT"] if debit else detail["CREDITAMOUNT"]) == detail["AMOUNT"]
    created = gw.ok(
        "<create><GLBATCH><JOURNAL>GJ</JOURNAL><BATCH_DATE>11/05/2026</BATCH_DATE>"
        "<BATCH_TITLE>Stamps</BATCH_TITLE><ENTRIES><GLENTRY><ACCOUNTNO>6000</ACCOUNTNO>"
        "<TR_TYPE>1</TR_TYPE><TRX_AMOUNT>7.50</TRX_AMOUNT></GLENTRY><GLENTRY><ACCOUNTNO>1000"
        "</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>7.50</TRX_AMOUNT></GLENTRY></ENTRIES>"
        "</GLBATCH></create>"
    ).findtext("data/glbatch/RECORDNO")
    new = [d for d in gw.records("GLDETAIL") if d["BATCHNO"] == created]
    assert [(d["ACCOUNTNO"], d["DEBITAMOUNT"], d["CREDITAMOUNT"]) for d in new] == [
        ("6000", "7.50", "0.00"), ("1000", "0.00", "7.50"),
    ]  # fmt: skip
    gw.ok(f"<update><GLBATCH><RECORDNO>{created}</RECORDNO><STATE>Draft</STATE></GLBATCH></update>")
    assert not [d for d in gw.records("GLDETAIL") if d["BATCHNO"] == created]
    gw.ok(
        f"<update><GLBATCH><RECORDNO>{created}</RECORDNO><STATE>Posted</STATE></GLBATCH></update>"
    )
    assert len([d for d in gw.records("GLDETAIL") if d["BATCHNO"] == created]) == 2
    gw.ok(f"<delete><object>GLBATCH</object><keys>{created}</keys></delete>")
    assert len(gw.records("GLDETAIL")) == len(details)


@pytest.mark.parametrize(
    "period",
    [(date(2026, 9, 1), date(2026, 9, 30)), OCTOBER, (date(2026, 10, 15), date(2026, 11, 30))],
    ids=["september", "october", "mid-october-to-november"],
)
def test_trial_balance_is_the_sum_of_posted_lines(gw, period):
    rows, _ = report(gw, f"<get_trialbalance>{period_xml(*period)}</get_trialbalance>",
                     "trialbalance")  # fmt: skip
    assert rows == expected(gw, *period)
    assert rows, "the period has activity or balances"


def test_trial_balance_detail_and_filters(gw):
    by_both = lambda e: (e["LOCATION"], e["DEPARTMENT"])  # noqa: E731
    rows, raw = report(
        gw, f"<get_trialbalance>{period_xml(*OCTOBER)}<showdeptdetail>true</showdeptdetail>"
        "<showlocdetail>true</showlocdetail></get_trialbalance>",
        "trialbalance", ("locationid", "departmentid"),
    )  # fmt: skip
    assert rows == expected(gw, *OCTOBER, by_both)
    assert list(raw[0])[-2:] == ["locationid", "departmentid"]
    eu, _ = report(
        gw, f"<get_trialbalance>{period_xml(*OCTOBER)}<locationid>EU</locationid>"
        "</get_trialbalance>", "trialbalance",
    )  # fmt: skip
    everything = expected(gw, *OCTOBER, lambda e: (e["LOCATION"],))
    assert eu == {(a,): v for (a, loc), v in everything.items() if loc == "EU"}
    named, _ = report(
        gw, "<get_trialbalance><reportingperiodname>Month Ended October 2026"
        "</reportingperiodname></get_trialbalance>", "trialbalance",
    )  # fmt: skip
    assert named == expected(gw, *OCTOBER)


def test_trial_balance_of_an_entity_session(gw):
    rows, raw = report(
        gw, f"<get_trialbalance>{period_xml(*OCTOBER)}</get_trialbalance>", "trialbalance",
        auth=gw.login(location="EU"),
    )  # fmt: skip
    assert rows == expected(gw, *OCTOBER, entity="EU")
    assert {r["currency"] for r in raw} == {"EUR"}


def test_account_balances_by_dimension_combination(gw):
    dims = ("locationid", "departmentid")
    by_both = lambda e: (e["LOCATION"], e["DEPARTMENT"])  # noqa: E731
    rows, _ = report(
        gw, f"<get_accountbalances>{period_xml(*OCTOBER)}</get_accountbalances>",
        "accountbalance", dims,
    )  # fmt: skip
    assert rows == expected(gw, *OCTOBER, by_both)
    ranged, _ = report(
        gw, f"<get_accountbalances>{period_xml(*OCTOBER)}<startaccountno>6000</startaccountno>"
        "<endaccountno>6999</endaccountno></get_accountbalances>", "accountbalance", dims,
    )  # fmt: skip
    assert ranged == {k: v for k, v in rows.items() if "6000" <= k[0] <= "6999"}
    single, _ = report(
        gw, f"<get_accountbalances>{period_xml(*OCTOBER)}<glaccountno>1000</glaccountno>"
        "<showzerobalances>true</showzerobalances></get_accountbalances>", "accountbalance", dims,
    )  # fmt: skip
    assert single == {k: v for k, v in rows.items() if k[0] == "1000"}
    zeros, _ = report(
        gw, f"<get_accountbalances>{period_xml(*OCTOBER)}<showzerobalances>true"
        "</showzerobalances></get_accountbalances>", "accountbalance", dims,
    )  # fmt: skip
    accounts = {a["ACCOUNTNO"] for a in gw.records("GLACCOUNT")}
    assert {k[0] for k in zeros} == accounts and set(rows) <= set(zeros)


@pytest.mark.parametrize(
    ("body", "errorno", "phrase"),
    [
        ("<get_trialbalance><startdate><year>2026</year><month>10</month><day>1</day></startdate>"
         "</get_trialbalance>", "BL03000018", "<enddate> is missing"),
        ("<get_trialbalance><reportingperiodname>Fiscal 99</reportingperiodname>"
         "</get_trialbalance>", "BL01001973", "Reporting period 'Fiscal 99' does not exist"),
        (f"<get_accountbalances>{period_xml(*OCTOBER)}<locationid>MARS</locationid>"
         "</get_accountbalances>", "BL03000017", "Invalid Location 'MARS'"),
        (f"<get_trialbalance>{period_xml(*OCTOBER)}<reportingbook>CASH</reportingbook>"
         "</get_trialbalance>", "BL01001973", "Reporting book 'CASH' is not enabled"),
    ],
)  # fmt: skip
def test_balance_report_errors(gw, body, errorno, phrase):
    (got_no, text), *_ = gw.errors(gw.fail(body))
    assert got_no == errorno and phrase in text


def test_balances_need_the_general_ledger(gw):
    gw.emulator.admin("POST", "/_emulator/companies/demo", {"unsubscribed": ["GLBATCH"]})
    failure = gw.fail(f"<get_accountbalances>{period_xml(*OCTOBER)}</get_accountbalances>")
    (errorno, text), *_ = gw.errors(failure)
    assert errorno == "BL03000150" and "get_accountbalances" in text
