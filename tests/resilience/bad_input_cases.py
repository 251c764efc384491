"""The inputs test_bad_input.py feeds the targets, each with the ending it must have.

target-intacct's and target-magento's bad and hostile records (each next to a good one that must
land) and the malformed Singer streams both targets must refuse; `CASES` is all of them in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from singer_rejects.lines import INPUT_STREAM

HOSTILE = "Ünïcødé & <b>bold</b> 'single' \"double\" ✓ 日本語 😀 ]]> &amp;"


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
