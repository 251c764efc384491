"""Hostile and bad input fed to the real `target-intacct` and `target-magento` commands.

Every case is one run on its own input (next to good records that must land anyway). A bad
record must end in the reject file (or, for Magento invoices, the pending file) with a message
naming the record and the field; text full of markup and unicode must land unchanged; malformed
Singer streams must stop the run with a message that says what is wrong. The table "bad input"
lists every case and how it ended.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import local_stack
import pytest
from resilience_support import (
    CUSTOM_FIELDS,
    intacct_config,
    magento_config,
    report,
    run_all,
    tail,
)
from singer_rejects.lines import INPUT_STREAM

HOSTILE = "Ünïcødé & <b>bold</b> 'single' \"double\" ✓ 日本語 😀 ]]> &amp;"
TABLE = "bad input (one target run per case)"
COLUMNS = ("target", "case", "ended", "message")


def schema(stream: str, properties: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": properties},
        "key_properties": keys,
    }


def record(stream: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": row}


TEXT = {"type": ["string", "null"]}
NUMBER = {"type": ["number", "null"]}
INTEGER = {"type": ["integer", "null"]}
LINES = {"type": ["array", "null"], "items": {"type": "object"}}

# --- target-intacct ---------------------------------------------------------------------------

CUSTOMER_SCHEMA = schema(
    "customers",
    {
        "CUSTOMERID": TEXT,
        "NAME": TEXT,
        "CREDITLIMIT": NUMBER,
        "COMMENTS": TEXT,
        "DISPLAYCONTACT.PRINTAS": TEXT,
        "DISPLAYCONTACT.FIRSTNAME": TEXT,
        "DISPLAYCONTACT.LASTNAME": TEXT,
        "DISPLAYCONTACT.EMAIL1": TEXT,
        "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": TEXT,
        "DISPLAYCONTACT.MAILADDRESS.CITY": TEXT,
    },
    ["CUSTOMERID"],
)
GOOD_CUSTOMER = {"CUSTOMERID": "GOOD-1", "NAME": "Good Customer Ltd"}
ACCOUNTS = [
    schema("gl_accounts", {"ACCOUNTNO": TEXT, "TITLE": TEXT}, ["ACCOUNTNO"]),
    record("gl_accounts", {"ACCOUNTNO": "1000", "TITLE": "Bank"}),
    record("gl_accounts", {"ACCOUNTNO": "4000", "TITLE": "Sales"}),
]
JOURNAL_SCHEMA = schema(
    "journal_entries",
    {"BATCH_TITLE": TEXT, "JOURNAL": TEXT, "BATCH_DATE": TEXT, "ENTRIES": LINES},
    ["BATCH_TITLE"],
)
INVOICE_SCHEMA = schema(
    "ar_invoices",
    {"RECORDID": TEXT, "CUSTOMERID": TEXT, "WHENCREATED": TEXT, "ARINVOICEITEMS": LINES},
    ["RECORDID"],
)


def journal(title: str, *amounts: float) -> dict[str, Any]:
    return record(
        "journal_entries",
        {
            "BATCH_TITLE": title,
            "JOURNAL": "GJ",
            "BATCH_DATE": "2026-11-01",
            "ENTRIES": [
                {"ACCOUNTNO": "1000" if n % 2 else "4000", "AMOUNT": amount}
                for n, amount in enumerate(amounts)
            ],
        },
    )


def invoice(number: str, customer: str) -> dict[str, Any]:
    return record(
        "ar_invoices",
        {
            "RECORDID": number,
            "CUSTOMERID": customer,
            "WHENCREATED": "2026-11-01",
            "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": 12.5}],
        },
    )


@dataclass(frozen=True)
class Case:
    """One input; `bad` names the record (stream, key) and field expected in the message."""

    target: str
    name: str
    messages: list[Any]  # dicts, or raw lines (str) for malformed input
    # stream, key value, and the words one of which the message must hold (the field first)
    bad: tuple[str, str, tuple[str, ...]] | None = None
    good: tuple[str, str] | None = None  # stream, key value that must land
    expect: str = "rejected"  # "rejected", "loaded", "pending" or "failed"
    hint: str = ""  # for a failed run: words its message must hold
    exact: dict[str, Any] = field(default_factory=dict)  # fields that must land unchanged


HOSTILE_CUSTOMER = {
    "CUSTOMERID": "HOSTILE-1",
    "NAME": HOSTILE,
    "COMMENTS": HOSTILE + " <!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]> &e;",
    "DISPLAYCONTACT.PRINTAS": HOSTILE,
    "DISPLAYCONTACT.FIRSTNAME": "Zoë & <Ann>",
    "DISPLAYCONTACT.LASTNAME": 'O\'Brien "Jr"',
    "DISPLAYCONTACT.EMAIL1": "zoe.obrien@example.com",
    "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": "1 <Main> & 'High' St",
    "DISPLAYCONTACT.MAILADDRESS.CITY": "Škofja Loka",
}
GOOD = record("customers", GOOD_CUSTOMER)

INTACCT_CASES = [
    Case(
        "target-intacct",
        "missing required field",
        [CUSTOMER_SCHEMA, record("customers", {"CUSTOMERID": "BAD-1"}), GOOD],
        bad=("customers", "BAD-1", ("NAME",)),
        good=("customers", "GOOD-1"),
    ),
    Case(
        "target-intacct",
        "wrong type (text in a number field)",
        [
            CUSTOMER_SCHEMA,
            record("customers", {**GOOD_CUSTOMER, "CUSTOMERID": "BAD-2", "CREDITLIMIT": "lots"}),
            GOOD,
        ],
        bad=("customers", "BAD-2", ("CREDITLIMIT",)),
        good=("customers", "GOOD-1"),
    ),
    Case(
        "target-intacct",
        "over-long string (NAME of 5,000 characters)",
        [CUSTOMER_SCHEMA, record("customers", {"CUSTOMERID": "LONG-1", "NAME": "N" * 5000}), GOOD],
        bad=("customers", "LONG-1", ("NAME",)),
        good=("customers", "GOOD-1"),
        expect="rejected or loaded intact",
        exact={"NAME": "N" * 5000},
    ),
    Case(
        "target-intacct",
        "& < > ' \" and unicode in every text field",
        [CUSTOMER_SCHEMA, record("customers", HOSTILE_CUSTOMER), GOOD],
        good=("customers", "HOSTILE-1"),
        expect="loaded",
        exact={k: v for k, v in HOSTILE_CUSTOMER.items() if k != "CUSTOMERID"},
    ),
    Case(
        "target-intacct",
        "control character XML cannot carry",
        [CUSTOMER_SCHEMA, record("customers", {"CUSTOMERID": "CTRL-1", "NAME": "bell\x07"}), GOOD],
        bad=("customers", "CTRL-1", ("NAME",)),
        good=("customers", "GOOD-1"),
    ),
    Case(
        "target-intacct",
        "unbalanced journal entry",
        [
            *ACCOUNTS,
            JOURNAL_SCHEMA,
            journal("Unbalanced", 100.00, -99.75),
            journal("Balanced", 100.00, -100.00),
        ],
        bad=("journal_entries", "Unbalanced", ("ENTRIES",)),
        good=("journal_entries", "Balanced"),
    ),
    Case(
        "target-intacct",
        "invoice for an unknown customer",
        [
            *ACCOUNTS,
            CUSTOMER_SCHEMA,
            GOOD,
            INVOICE_SCHEMA,
            invoice("INV-BAD", "NO-SUCH-CUSTOMER"),
            invoice("INV-GOOD", "GOOD-1"),
        ],
        bad=("ar_invoices", "INV-BAD", ("CUSTOMERID", "NO-SUCH-CUSTOMER")),
        good=("ar_invoices", "INV-GOOD"),
        expect="pending",  # the customer may come in a later run; tried again each run
    ),
]

# --- target-magento ---------------------------------------------------------------------------

MAGENTO_CUSTOMER_SCHEMA = schema(
    "customers",
    dict.fromkeys(
        (
            "CUSTOMERID",
            "NAME",
            "STATUS",
            "DISPLAYCONTACT.FIRSTNAME",
            "DISPLAYCONTACT.LASTNAME",
            "DISPLAYCONTACT.EMAIL1",
            "DISPLAYCONTACT.PHONE1",
            "DISPLAYCONTACT.MAILADDRESS.ADDRESS1",
            "DISPLAYCONTACT.MAILADDRESS.CITY",
            "DISPLAYCONTACT.MAILADDRESS.ZIP",
            "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE",
        ),
        TEXT,
    )
    | {"RECORDNO": {"type": ["integer", "null"]}},
    ["RECORDNO"],
)


def shopper(number: int, email: str, **changes: Any) -> dict[str, Any]:
    return record(
        "customers",
        {
            "RECORDNO": number,
            "CUSTOMERID": f"M-{number}",
            "NAME": f"Shopper {number}",
            "STATUS": "active",
            "DISPLAYCONTACT.FIRSTNAME": "Sam",
            "DISPLAYCONTACT.LASTNAME": f"Shopper{number}",
            "DISPLAYCONTACT.EMAIL1": email,
            "DISPLAYCONTACT.PHONE1": "+44 20 7946 0000",
            "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": "1 Shop Street",
            "DISPLAYCONTACT.MAILADDRESS.CITY": "London",
            "DISPLAYCONTACT.MAILADDRESS.ZIP": "EC1A 1BB",
            "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": "GB",
            **changes,
        },
    )


ITEM_SCHEMA = schema(
    "items",
    {
        "RECORDNO": {"type": ["integer", "null"]},
        "ITEMID": TEXT,
        "NAME": TEXT,
        "STATUS": TEXT,
        "ITEMTYPE": TEXT,
        "BASEPRICE": NUMBER,
    },
    ["RECORDNO"],
)
SALES_INVOICE_SCHEMA = schema(
    "sales_invoices",
    {
        "RECORDNO": {"type": ["integer", "null"]},
        "DOCID": TEXT,
        "DOCPARID": TEXT,
        "PONUMBER": TEXT,
        "CUSTVENDID": TEXT,
    },
    ["RECORDNO"],
)


INVOICE_LINE_SCHEMA = schema(
    "sales_invoice_lines",
    {
        "RECORDNO": INTEGER,
        "DOCHDRNO": INTEGER,
        "LINE_NO": INTEGER,
        "ITEMID": TEXT,
        "QUANTITY": NUMBER,
    },
    ["RECORDNO"],
)


def item(number: int, sku: str, price: Any = 9.99) -> dict[str, Any]:
    return record(
        "items",
        {
            "RECORDNO": number,
            "ITEMID": sku,
            "NAME": f"Item {sku}"[:80],
            "STATUS": "active",
            "ITEMTYPE": "Inventory",
            "BASEPRICE": price,
        },
    )


GOOD_SHOPPER = shopper(1, "good.shopper@example.com")
MAGENTO_HOSTILE = {  # Magento allows letters, spaces, ' - . in names; anything in addresses
    "DISPLAYCONTACT.FIRSTNAME": "Zoë-Ånn",
    "DISPLAYCONTACT.LASTNAME": "O'Brien Jr.",
    "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": HOSTILE,
    "DISPLAYCONTACT.MAILADDRESS.CITY": "Škofja Loka 日本",
}
MAGENTO_CASES = [
    Case(
        "target-magento",
        "duplicate email",
        [MAGENTO_CUSTOMER_SCHEMA, GOOD_SHOPPER, shopper(2, "good.shopper@example.com")],
        bad=("customers", "M-2", ("DISPLAYCONTACT.EMAIL1",)),
        good=("customers", "good.shopper@example.com"),
    ),
    Case(
        "target-magento",
        "missing postcode",
        [
            MAGENTO_CUSTOMER_SCHEMA,
            shopper(3, "no.zip@example.com", **{"DISPLAYCONTACT.MAILADDRESS.ZIP": None}),
            GOOD_SHOPPER,
        ],
        bad=("customers", "M-3", ("DISPLAYCONTACT.MAILADDRESS.ZIP",)),
        good=("customers", "good.shopper@example.com"),
    ),
    Case(
        "target-magento",
        "missing required field (email)",
        [MAGENTO_CUSTOMER_SCHEMA, shopper(4, None), GOOD_SHOPPER],
        bad=("customers", "M-4", ("DISPLAYCONTACT.EMAIL1",)),
        good=("customers", "good.shopper@example.com"),
    ),
    Case(
        "target-magento",
        "& < > ' \" and unicode in every text field",
        [MAGENTO_CUSTOMER_SCHEMA, shopper(5, "hostile@example.com", **MAGENTO_HOSTILE)],
        good=("customers", "hostile@example.com"),
        expect="loaded",
        exact={
            "firstname": "Zoë-Ånn",
            "lastname": "O'Brien Jr.",
            "street": [HOSTILE],
            "city": "Škofja Loka 日本",
        },
    ),
    Case(
        "target-magento",
        "markup in a name (Magento refuses it)",
        [
            MAGENTO_CUSTOMER_SCHEMA,
            shopper(6, "markup@example.com", **{"DISPLAYCONTACT.FIRSTNAME": "<b>Zoë</b> & Co"}),
            GOOD_SHOPPER,
        ],
        bad=("customers", "M-6", ("DISPLAYCONTACT.FIRSTNAME", "First Name")),
        good=("customers", "good.shopper@example.com"),
    ),
    Case(
        "target-magento",
        "wrong type (text price)",
        [ITEM_SCHEMA, item(1, "BADPRICE-1", "cheap"), item(2, "GOODITEM-1")],
        bad=("items", "BADPRICE-1", ("BASEPRICE",)),
        good=("items", "GOODITEM-1"),
    ),
    Case(
        "target-magento",
        "over-long SKU (65 characters)",
        [ITEM_SCHEMA, item(1, "S" * 65), item(2, "GOODITEM-2")],
        bad=("items", "S" * 65, ("ITEMID",)),
        good=("items", "GOODITEM-2"),
    ),
    Case(
        "target-magento",
        "invoice for an unknown order",
        [
            SALES_INVOICE_SCHEMA,
            record(
                "sales_invoices",
                {
                    "RECORDNO": 900,
                    "DOCID": "Sales Invoice-INV-9000",
                    "DOCPARID": "Sales Invoice",
                    "PONUMBER": "999999999",
                    "CUSTVENDID": "C-1001",
                },
            ),
            INVOICE_LINE_SCHEMA,
            record(
                "sales_invoice_lines",
                {
                    "RECORDNO": 901,
                    "DOCHDRNO": 900,
                    "LINE_NO": 1,
                    "ITEMID": "SCREW-100",
                    "QUANTITY": 2,
                },
            ),
        ],
        bad=("sales_invoices", "900", ("PONUMBER", "999999999")),
        expect="pending",
    ),
]

# --- malformed Singer streams, for both targets -------------------------------------------------


def malformed_cases(target: str) -> list[Case]:
    customer_schema = CUSTOMER_SCHEMA if target == "target-intacct" else MAGENTO_CUSTOMER_SCHEMA
    good = GOOD if target == "target-intacct" else GOOD_SHOPPER
    changed = json.loads(json.dumps(customer_schema))
    changed["schema"]["properties"]["EXTRA_FIELD_ADDED_LATER"] = TEXT
    later = json.loads(json.dumps(good))
    later["record"] |= {"EXTRA_FIELD_ADDED_LATER": "x"}
    if target == "target-intacct":
        later["record"]["CUSTOMERID"] = "GOOD-2"
        changed["schema"]["properties"].pop("EXTRA_FIELD_ADDED_LATER")
        changed["schema"]["properties"]["DISPLAYCONTACT.PHONE1"] = TEXT
        later["record"] = {"CUSTOMERID": "GOOD-2", "NAME": "Later", "DISPLAYCONTACT.PHONE1": "1"}
        later_key = "GOOD-2"
    else:
        later["record"] |= {"RECORDNO": 2, "CUSTOMERID": "M-2"}
        later["record"]["DISPLAYCONTACT.EMAIL1"] = "later@example.com"
        later_key = "later@example.com"
    if target == "target-intacct":
        after_bad, after_key = (
            record("customers", {"CUSTOMERID": "GOOD-3", "NAME": "After"}),
            "GOOD-3",
        )
    else:
        after_key = "after.bad.line@example.com"
        after_bad = shopper(3, after_key)
    return [
        Case(  # the line is rejected with its number; the records around it land
            target,
            "bad JSON line",
            [customer_schema, good, '{"type": "RECORD", "stream": ', after_bad],
            bad=(INPUT_STREAM, "", ("input line 3", "truncated")),
            good=("customers", after_key),
        ),
        Case(
            target, "RECORD before SCHEMA", [good, customer_schema], expect="failed", hint="schema"
        ),
        Case(
            target,
            "schema change mid-stream",
            [customer_schema, good, changed, later],
            good=("customers", later_key),
            expect="loaded",
            exact={},
        ),
    ]


CASES = [
    *INTACCT_CASES,
    *MAGENTO_CASES,
    *malformed_cases("target-intacct"),
    *malformed_cases("target-magento"),
]

INTACCT_OBJECTS = {  # stream → object and the field holding the key the cases use
    "customers": ("CUSTOMER", "CUSTOMERID"),
    "journal_entries": ("GLBATCH", "BATCH_TITLE"),
    "ar_invoices": ("ARINVOICE", "RECORDID"),
}


@dataclass
class Ended:
    """How one run ended: exit code, its log, the reject and pending files, what landed."""

    case: Case
    returncode: int
    log: str
    rejects: list[dict[str, Any]]
    pending: dict[str, Any]
    landed: Callable[[str, str], dict[str, Any] | None]

    def reject_of(self, stream: str, key: str) -> dict[str, Any] | None:
        for reject in self.rejects:
            named = json.dumps([reject.get("key"), reject.get("record")], ensure_ascii=False)
            if reject.get("stream") == stream and key in named:
                return reject
        return None

    def summary(self) -> tuple[str, str]:
        if self.returncode != 0:
            errors = [line for line in self.log.splitlines() if "ERROR" in line or "rror" in line]
            return "failed run", (errors or self.log.splitlines() or [""])[-1].strip()
        if self.case.bad and (reject := self.reject_of(*self.case.bad[:2])):
            return "rejected", message_of(reject)
        if reasons := self.pending_reasons():
            return "pending", reasons[0]
        return "loaded", ""

    def pending_reasons(self) -> list[str]:
        """Why records wait in the pending file: target-magento's invoices without their order,
        target-intacct's records naming one not in Intacct yet."""
        invoices = self.pending.get("invoices", {}).values()
        refused = (
            kept for entry in self.pending.get("streams", {}).values() for kept in entry["refused"]
        )
        return [str(item.get("reason", "")) for item in (*invoices, *refused)]


def message_of(reject: dict[str, Any]) -> str:
    texts = (reject.get(k) for k in ("message", "reason", "magento_message"))
    return "; ".join(str(text) for text in texts if text)


def run_case(case: Case, index: int, emulators: Any, workdir: Path) -> Ended:
    intacct, magento = emulators
    folder = workdir / f"case-{index}"
    folder.mkdir(parents=True)
    company = f"bad{index}"
    if case.target == "target-intacct":
        intacct.post_json(f"/_emulator/companies/{company}", {"custom_fields": CUSTOM_FIELDS})
        config = intacct_config(f"{intacct.url}/ia/xml/xmlgw.phtml", company) | {
            "reject_file": str(folder / "rejects.jsonl"),
            "id_map_file": str(folder / "id-map.json"),
            "pending_file": str(folder / "pending.json"),
        }
    else:
        config = magento_config(magento.url, folder)
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    text = "".join(
        (m if isinstance(m, str) else json.dumps(m, ensure_ascii=False)) + "\n"
        for m in case.messages
    )
    completed = subprocess.run(
        [str(local_stack.VENV_BIN / case.target), "--config", str(config_path)],
        input=text,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pending_path = folder / "pending.json"

    def landed(stream: str, key: str) -> dict[str, Any] | None:
        if case.target == "target-intacct":
            object_name, field_name = INTACCT_OBJECTS[stream]
            rows = intacct.get_json(f"/_emulator/records/{company}/{object_name}")["records"]
            return next((r for r in rows if r[field_name] == key), None)
        dump = magento.get_json("/_emulator/dump")
        if stream == "customers":
            found = next((c for c in dump["customers"] if c["email"] == key), None)
            if found and found.get("addresses"):
                found = {**found["addresses"][0], **found}
            return found
        return next((p for p in dump["products"] if p["sku"] == key), None)

    return Ended(
        case,
        completed.returncode,
        completed.stdout + completed.stderr,
        local_stack.read_jsonl(folder / "rejects.jsonl"),
        local_stack.read_json(pending_path) if pending_path.exists() else {},
        landed,
    )


@pytest.fixture(scope="module")
def endings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Ended]]:
    workdir = tmp_path_factory.mktemp("bad-input")
    with local_stack.emulators() as emulators:
        results = run_all(
            list(enumerate(CASES)),
            lambda indexed, _stack: run_case(indexed[1], indexed[0], emulators, workdir),
            workdir / "unused",
            stacks=False,
        )
        for ended in results:
            how, message = ended.summary()
            report(TABLE, COLUMNS, (ended.case.target, ended.case.name, how, message[:160]))
        yield results  # the tests read the shops


@pytest.mark.parametrize(
    "index",
    [pytest.param(index, id=f"{case.target}-{case.name}") for index, case in enumerate(CASES)],
)
def test_bad_input_ends_as_expected(endings: list[Ended], index: int) -> None:
    ended = endings[index]
    case = ended.case
    if case.expect == "failed":
        assert ended.returncode != 0, "a malformed stream was accepted"
        assert case.hint in ended.log.lower(), tail(ended.log)
        return
    assert ended.returncode == 0, tail(ended.log)
    if case.expect == "pending":
        assert case.bad is not None
        words = case.bad[2]
        reasons = ended.pending_reasons()
        assert any(word in reason for reason in reasons for word in words), ended.pending
        if case.good:
            assert ended.landed(*case.good) is not None, case.good
        return
    if case.good:
        row = ended.landed(*case.good)
        assert row is not None, f"{case.good} did not land; rejects: {ended.rejects}"
        if case.expect == "loaded":
            for name, value in case.exact.items():
                assert row.get(name) == value, (name, row.get(name))
    if case.bad is None:
        assert ended.rejects == [], ended.rejects
        return
    stream, key, words = case.bad
    reject = ended.reject_of(stream, key)
    if reject is None and case.expect == "rejected or loaded intact":
        row = ended.landed(stream, key)
        assert row is not None, f"{key} neither rejected nor loaded"
        for name, value in case.exact.items():
            assert row.get(name) == value, f"{name} was altered"
        return
    assert reject is not None, f"no reject for {stream} {key}: {ended.rejects}\n{tail(ended.log)}"
    assert reject.get("field") == words[0] or any(w in message_of(reject) for w in words), reject
