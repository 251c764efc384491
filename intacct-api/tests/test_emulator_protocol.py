"""The protocol over real HTTP against the Intacct emulator: sessions, every builder, failures."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from intacct_api import functions as fn
from intacct_api.envelope import flatten_record
from intacct_api.errors import (
    AuthenticationError,
    ControlError,
    FunctionError,
    InvalidSessionError,
)

OBJECTS = (
    "CUSTOMER", "CONTACT", "ITEM", "PRODUCTLINE", "ARINVOICE", "ARPYMT", "ARADJUSTMENT",
    "DEPOSIT", "SODOCUMENT", "GLACCOUNT", "GLBATCH", "LOCATION", "DEPARTMENT", "VENDOR",
    "APBILL", "AUDITHISTORY",
)  # fmt: skip
NAME_FIELDS = {
    "CUSTOMER": ("CUSTOMERID", "C-1001"),
    "ITEM": ("ITEMID", "SCREW-100"),
    "PRODUCTLINE": ("PRODUCTLINEID", "HW"),
    "GLACCOUNT": ("ACCOUNTNO", "1000"),
    "LOCATION": ("LOCATIONID", "US"),
    "DEPARTMENT": ("DEPARTMENTID", "SALES"),
    "VENDOR": ("VENDORID", "V-2001"),
    "SODOCUMENT": ("DOCID", "Sales Order-SO-0001"),
}


# --- sessions ------------------------------------------------------------------------------


def test_login_then_session_endpoint(gateway, client):
    before = gateway.admin("GET", "/_emulator/stats")["endpoints"]
    client.call(fn.read_by_query("LOCATION"))
    after = gateway.admin("GET", "/_emulator/stats")["endpoints"]
    assert client.endpoint is not None
    assert client.endpoint != gateway.url
    assert client.endpoint.startswith(gateway.url)
    assert after.get("initial", 0) - before.get("initial", 0) == 1  # the login
    assert after.get("session", 0) - before.get("session", 0) == 1  # the read
    assert (client.request_count, client.login_count) == (2, 1)
    assert client.function_counts == {"getAPISession": 1, "readByQuery": 1}


def test_entity_session_sees_its_entity(demo, make_client):
    top = make_client()
    entity = make_client(replace(demo, entity_id="US"))
    fields = ["RECORDNO", "CUSTOMERID", "MEGAENTITYID"]
    everyone = top.call(fn.query("CUSTOMER", fields, page_size=2000)).records()
    in_us = entity.call(fn.query("CUSTOMER", fields, page_size=2000)).records()
    assert 0 < len(in_us) < len(everyone)
    assert {r["MEGAENTITYID"] for r in in_us} <= {"US", None}


def test_unknown_entity_is_an_authentication_error(demo, make_client):
    client = make_client(replace(demo, entity_id="MARS"))
    with pytest.raises(AuthenticationError, match="MARS"):
        client.call(fn.lookup("CUSTOMER"))


@pytest.mark.parametrize(
    ("change", "error_class", "phrase"),
    [
        ({"sender_password": "wrong-sender-pw"}, ControlError, "fix sender_id/sender_password"),
        ({"sender_id": "nobody"}, ControlError, "Intacct rejected the sender ID/password"),
        ({"user_password": "wrong-user-pw"}, AuthenticationError, "fix user_id/user_password"),
        ({"user_id": "nobody"}, AuthenticationError, "Sign-in information is incorrect"),
    ],
)
def test_wrong_credentials(demo, make_client, caplog, change, error_class, phrase):
    caplog.set_level(logging.DEBUG, logger="intacct_api")
    credentials = replace(demo, **change)
    client = make_client(credentials)
    with pytest.raises(error_class) as caught:
        client.call(fn.lookup("CUSTOMER"))
    assert type(caught.value) is error_class
    assert phrase in str(caught.value)
    assert client.request_count == 1  # not retried
    for secret in (credentials.sender_password, credentials.user_password):
        assert secret not in str(caught.value)
        assert secret not in caplog.text


def test_logs_never_hold_secrets(demo, client, caplog):
    caplog.set_level(logging.DEBUG, logger="intacct_api")
    client.call(fn.read_by_query("DEPARTMENT"))
    session_id = client._session.session_id
    text = caplog.text
    assert "<password>***</password>" in text
    assert "<sessionid>***</sessionid>" in text
    for secret in (demo.sender_password, demo.user_password, session_id):
        assert secret not in text


def test_session_expiry_relogs_in_once(gateway, client, served):
    client.call(fn.read_by_query("DEPARTMENT"))
    gateway.admin(
        "POST", "/_emulator/faults", {"kind": "session_expiry", "function": "readByQuery"}
    )
    before = served()
    result = client.call(fn.read_by_query("DEPARTMENT"))
    assert result.count == 3
    assert client.login_count == 2
    assert served() - before == 3  # refused read, login, repeated read


def test_session_expiry_twice_raises(gateway, client):
    client.login()
    gateway.admin(
        "POST",
        "/_emulator/faults",
        {"kind": "session_expiry", "function": "readByQuery", "count": 2},
    )
    with pytest.raises(InvalidSessionError) as caught:
        client.call(fn.read_by_query("DEPARTMENT"))
    assert client.login_count == 2
    assert "Invalid session ***" in str(caught.value)  # the emulator echoes 4 characters of it


def test_session_refreshed_before_timeout(gateway, make_client, served):
    gateway.admin("POST", "/_emulator/config", {"session_timeout": 4})
    client = make_client(session_refresh_margin=120)
    client.call(fn.read_by_query("DEPARTMENT"))
    assert 0 < client.session_expires_in <= 4
    first_session = client._session.session_id
    time.sleep(2.2)  # past lifetime - margin (margin capped at half the 4 s lifetime)
    before = served()
    client.call(fn.read_by_query("DEPARTMENT"))
    assert client.login_count == 2
    assert client._session.session_id != first_session
    assert served() - before == 2  # a login then the read: no refused request


def test_session_lifetime_slides(gateway, make_client):
    gateway.admin("POST", "/_emulator/config", {"session_timeout": 6})
    client = make_client(session_refresh_margin=1)
    client.call(fn.read_by_query("DEPARTMENT"))
    time.sleep(1.5)
    left = client.session_expires_in
    client.call(fn.read_by_query("DEPARTMENT"))
    assert client.session_expires_in > left + 1  # renewed by the second call
    assert client.login_count == 1


# --- reads, every object -------------------------------------------------------------------


@pytest.mark.parametrize("object_name", OBJECTS)
def test_read_builders(client, object_name):
    key = "RECORDNO"
    stamp = "ACCESSTIME" if object_name == "AUDITHISTORY" else "WHENMODIFIED"
    everything = client.call(
        fn.query(object_name, [key, stamp], order_by=[(key, True)], page_size=2000)
    )
    keys = [row[key] for row in everything.records()]
    assert keys and len(keys) == everything.total_count == everything.count
    assert keys == sorted(keys, key=int)

    page_size = max(2, len(keys) // 3)
    page = client.call(fn.read_by_query(object_name, fields=[key], page_size=page_size))
    paged = [row[key] for row in page.records()]
    while page.num_remaining:
        page = client.call(fn.read_more(page.result_id))
        paged += [row[key] for row in page.records()]
    assert sorted(paged, key=int) == keys

    read = client.call(fn.read(object_name, keys[:3]))
    assert [r["RECORDNO"] for r in read.records()] == keys[:3]
    assert read.listtype == object_name

    fields = client.call(fn.lookup(object_name)).records()[0]["Fields"]["Field"]
    assert key in {f["ID"] for f in fields}
    inspected = client.call(fn.inspect(object_name, detail=True)).records()
    assert inspected


@pytest.mark.parametrize("object_name", sorted(NAME_FIELDS))
def test_read_by_name(client, object_name):
    field, value = NAME_FIELDS[object_name]
    (record,) = client.call(fn.read_by_name(object_name, value)).records()
    assert record[field] == value


def test_query_filters_match_python_filtering(client):
    fields = [
        "RECORDNO",
        "CUSTOMERID",
        "NAME",
        "STATUS",
        "CREDITLIMIT",
        "DISPLAYCONTACT.MAILADDRESS.ZIP",
    ]
    rows = client.call(
        fn.query("CUSTOMER", fields, filter=fn.like("CUSTOMERID", "C-10%"), order_by=["RECORDNO"])
    ).records()
    assert len(rows) == 10

    def ids(filter_, **options):
        demo_only = fn.and_(fn.like("CUSTOMERID", "C-10%"), filter_)
        result = client.call(
            fn.query(
                "CUSTOMER", ["CUSTOMERID"], filter=demo_only, order_by=["CUSTOMERID"], **options
            )
        )
        return [r["CUSTOMERID"] for r in result.records()]

    def expect(predicate):
        return sorted(r["CUSTOMERID"] for r in rows if predicate(r))

    assert ids(fn.eq("STATUS", "inactive")) == expect(lambda r: r["STATUS"] == "inactive")
    assert ids(fn.ne("STATUS", "inactive")) == expect(lambda r: r["STATUS"] != "inactive")
    assert ids(fn.in_("CUSTOMERID", ["C-1001", "C-1004", "C-9999"])) == ["C-1001", "C-1004"]
    assert ids(fn.not_in("CUSTOMERID", ["C-1001"])) == expect(lambda r: r["CUSTOMERID"] != "C-1001")
    assert ids(fn.like("NAME", "Acme%")) == expect(lambda r: r["NAME"].startswith("Acme"))
    assert ids(fn.not_like("NAME", "Acme%")) == expect(lambda r: not r["NAME"].startswith("Acme"))
    zip_field = "DISPLAYCONTACT.MAILADDRESS.ZIP"
    assert ids(fn.is_null(zip_field)) == expect(lambda r: r[zip_field] is None)
    assert ids(fn.is_not_null(zip_field)) == expect(lambda r: r[zip_field] is not None)
    limit = Decimal("1000")
    assert ids(fn.gt("CREDITLIMIT", limit)) == expect(
        lambda r: r["CREDITLIMIT"] is not None and Decimal(r["CREDITLIMIT"]) > limit
    )
    assert ids(fn.between("RECORDNO", 2, 4)) == expect(lambda r: 2 <= int(r["RECORDNO"]) <= 4)
    assert ids(fn.or_(fn.lt("RECORDNO", 2), fn.ge("RECORDNO", 9))) == expect(
        lambda r: int(r["RECORDNO"]) < 2 or int(r["RECORDNO"]) >= 9
    )
    assert ids(fn.like("NAME", "acme%"), case_insensitive=True) == expect(
        lambda r: r["NAME"].lower().startswith("acme")
    )


def test_query_offset_pages_and_descending_order(client):
    def page(offset):
        return client.call(
            fn.query("CUSTOMER", ["RECORDNO"], order_by=[("RECORDNO", False)], page_size=3,
                     offset=offset)
        )  # fmt: skip

    first = page(0)
    pages = [first]
    while pages[-1].num_remaining:
        pages.append(page(pages[-1].offset + pages[-1].count))
    keys = [int(r["RECORDNO"]) for p in pages for r in p.records()]
    assert keys == sorted(keys, reverse=True)
    assert len(keys) == first.total_count


def test_timestamps_in_company_zone(demo, gateway, make_client, new_id):
    company = new_id("tz").lower()
    credentials = replace(demo, company_id=company)
    make_client(credentials).login()  # creates the empty company
    gateway.admin("POST", f"/_emulator/companies/{company}", {"timezone": "America/New_York"})
    client = make_client(credentials, timezone="America/New_York")
    client.call(fn.create("DEPARTMENT", {"DEPARTMENTID": "D1", "TITLE": "One"}))
    server_now = datetime.fromisoformat(gateway.admin("GET", "/_emulator/clock")["now"])
    (row,) = client.call(fn.query("DEPARTMENT", ["WHENMODIFIED"])).records()
    modified = client.parse_datetime(row["WHENMODIFIED"])
    assert abs(modified - server_now) < timedelta(seconds=30)
    since = client.format_datetime(modified - timedelta(seconds=1))
    assert (
        client.call(fn.query("DEPARTMENT", ["RECORDNO"], filter=fn.ge("WHENMODIFIED", since))).count
        == 1
    )
    later = client.format_datetime(modified + timedelta(hours=1))
    assert (
        client.call(fn.query("DEPARTMENT", ["RECORDNO"], filter=fn.ge("WHENMODIFIED", later))).count
        == 0
    )


# --- writes --------------------------------------------------------------------------------


def test_generic_create_update_delete_customer(client, new_id):
    customer_id = new_id("C")
    created = client.call(
        fn.create(
            "CUSTOMER",
            {
                "CUSTOMERID": customer_id,
                "NAME": "Zoë & Søn <Test>",
                "DISPLAYCONTACT.PRINTAS": "Zoë & Søn",
                "DISPLAYCONTACT.EMAIL1": "zoe@example.com",
                "DISPLAYCONTACT.MAILADDRESS": {"CITY": "Oslo", "COUNTRY": "Norway"},
                "CREDITLIMIT": Decimal("1234.50"),
                "ONHOLD": False,
                "COMMENTS": None,
            },
        )
    )
    (key,) = created.records()
    assert key["CUSTOMERID"] == customer_id
    (record,) = client.call(fn.read_by_name("CUSTOMER", customer_id)).records()
    flat = flatten_record(record)
    assert flat["NAME"] == "Zoë & Søn <Test>"
    assert flat["DISPLAYCONTACT.EMAIL1"] == "zoe@example.com"
    assert flat["DISPLAYCONTACT.MAILADDRESS.CITY"] == "Oslo"
    assert Decimal(flat["CREDITLIMIT"]) == Decimal("1234.50")

    client.call(
        fn.update(
            "CUSTOMER", {"CUSTOMERID": customer_id, "DISPLAYCONTACT.EMAIL1": "new@example.com"}
        )
    )
    (record,) = client.call(fn.read("CUSTOMER", key["RECORDNO"])).records()
    assert flatten_record(record)["DISPLAYCONTACT.EMAIL1"] == "new@example.com"

    client.call(fn.delete("CUSTOMER", key["RECORDNO"]))
    assert client.call(fn.read_by_query("CUSTOMER", f"CUSTOMERID = '{customer_id}'")).count == 0


MASTER_DATA = {
    "PRODUCTLINE": ("PRODUCTLINEID", {"DESCRIPTION": "Line"}, "DESCRIPTION"),
    "GLACCOUNT": ("ACCOUNTNO", {"TITLE": "Account", "ACCOUNTTYPE": "incomestatement"}, "TITLE"),
    "LOCATION": ("LOCATIONID", {"NAME": "Place", "PARENTID": "US"}, "NAME"),
    "DEPARTMENT": ("DEPARTMENTID", {"TITLE": "Team"}, "TITLE"),
    "VENDOR": ("VENDORID", {"NAME": "Supplier", "DISPLAYCONTACT.PRINTAS": "Supplier"}, "NAME"),
    "CONTACT": ("CONTACTNAME", {"PRINTAS": "Person"}, "PRINTAS"),
}


@pytest.mark.parametrize("object_name", sorted(MASTER_DATA))
def test_generic_write_cycle(client, new_id, object_name):
    id_field, fields, changed = MASTER_DATA[object_name]
    record_id = new_id("T")
    (created,) = client.call(fn.create(object_name, {id_field: record_id, **fields})).records()
    assert created[id_field] == record_id
    client.call(fn.update(object_name, {id_field: record_id, changed: "Renamed"}))
    (record,) = client.call(fn.read_by_name(object_name, record_id)).records()
    assert record[changed] == "Renamed"
    client.call(fn.delete(object_name, created["RECORDNO"]))
    assert client.call(fn.read(object_name, created["RECORDNO"])).records() == []


def test_generic_ar_payment(client):
    (invoice,) = client.call(
        fn.query("ARINVOICE", ["RECORDNO", "TOTALDUE"], filter=fn.eq("RECORDID", "AR-1003"))
    ).records()
    (payment,) = client.call(
        fn.create("ARPYMT", {
            "FINANCIALENTITY": "BOA", "PAYMENTMETHOD": "Cash", "CUSTOMERID": "C-1010",
            "RECEIPTDATE": date(2026, 10, 26), "CURRENCY": "USD",
            "ARPYMTDETAILS": {"ARPYMTDETAIL": [
                {"RECORDKEY": invoice["RECORDNO"], "TRX_PAYMENTAMOUNT": Decimal("0.01")},
            ]},
        })
    ).records()  # fmt: skip
    (read,) = client.call(fn.read("ARPYMT", payment["RECORDNO"])).records()
    assert (read["CUSTOMERID"], Decimal(read["TOTALENTERED"])) == ("C-1010", Decimal("0.01"))
    (after,) = client.call(fn.read("ARINVOICE", invoice["RECORDNO"])).records()
    assert Decimal(after["TOTALDUE"]) == Decimal(invoice["TOTALDUE"]) - Decimal("0.01")


def test_generic_creates_of_contact_item_and_journal_entry(client, new_id):
    contact, item = new_id("Contact"), new_id("ITEM")
    results = client.execute(
        [
            fn.create("CONTACT", {"CONTACTNAME": contact, "PRINTAS": "Printed"}),
            fn.create("ITEM", {"ITEMID": item, "NAME": "Widget", "ITEMTYPE": "Inventory",
                               "PRODUCTLINEID": "HW", "BASEPRICE": Decimal("9.99")}),
            fn.create("GLBATCH", {
                "JOURNAL": "GJ", "BATCH_DATE": date(2026, 10, 20), "BATCH_TITLE": contact,
                "ENTRIES": {"GLENTRY": [
                    {"ACCOUNTNO": "6000", "TR_TYPE": 1, "TRX_AMOUNT": Decimal("10.25"),
                     "LOCATION": "US", "DEPARTMENT": "ADMIN"},
                    {"ACCOUNTNO": "1000", "TR_TYPE": -1, "TRX_AMOUNT": Decimal("10.25"),
                     "LOCATION": "US", "DEPARTMENT": "ADMIN"},
                ]},
            }),
        ]
    )  # fmt: skip
    for result in results:
        result.raise_for_status()
    batch_key = results[2].records()[0]["RECORDNO"]
    (batch,) = client.call(fn.read("GLBATCH", batch_key)).records()
    assert batch["BATCH_TITLE"] == contact
    assert batch["BATCH_DATE"] == "10/20/2026"
    client.call(fn.delete("GLBATCH", batch_key))
    assert client.call(fn.read_by_name("CONTACT", contact)).records()[0]["PRINTAS"] == "Printed"
    assert client.call(fn.read_by_name("ITEM", item)).records()[0]["BASEPRICE"] == "9.99"


def test_legacy_receivables_cycle(client, new_id):
    invoice_no = new_id("INV")
    invoice_key = client.call(
        fn.create_invoice({
            "customerid": "C-1004", "datecreated": date(2026, 10, 20), "termname": "N30",
            "invoiceno": invoice_no, "description": "two lines",
            "invoiceitems": {"lineitem": [
                {"glaccountno": "4000", "amount": Decimal("100.10"), "memo": "first"},
                {"glaccountno": "4000", "amount": Decimal("0.15"), "memo": "second"},
            ]},
        })
    ).key  # fmt: skip
    assert invoice_key
    (invoice,) = client.call(fn.read("ARINVOICE", invoice_key)).records()
    assert (invoice["RECORDID"], Decimal(invoice["TOTALENTERED"])) == (
        invoice_no,
        Decimal("100.25"),
    )

    client.call(fn.update_invoice(invoice_key, {"description": "updated"}))
    assert client.call(fn.read("ARINVOICE", invoice_key)).records()[0]["DESCRIPTION"] == "updated"

    payment_key = client.call(
        fn.create_arpayment({
            "customerid": "C-1004", "paymentamount": Decimal("60.00"), "bankaccountid": "BOA",
            "datereceived": date(2026, 10, 21), "paymentmethod": "Cash",
            "arpaymentitem": [{"invoicekey": invoice_key, "amount": Decimal("60.00")}],
        })
    ).key  # fmt: skip
    assert payment_key
    advance_key = client.call(
        fn.create_arpayment({
            "customerid": "C-1004", "paymentamount": Decimal("40.25"), "undepfundsacct": "1100",
            "datereceived": date(2026, 10, 22), "paymentmethod": "Cash",
        })
    ).key  # fmt: skip
    client.call(
        fn.apply_arpayment({
            "arpaymentkey": advance_key, "paymentdate": date(2026, 10, 22),
            "arpaymentitems": {"arpaymentitem": [{"invoicekey": invoice_key, "amount": "40.25"}]},
        })
    )  # fmt: skip
    (paid,) = client.call(fn.read("ARINVOICE", invoice_key)).records()
    assert Decimal(paid["TOTALDUE"]) == 0

    deposit_key = client.call(
        fn.record_deposit({
            "bankaccountid": "BOA", "depositdate": date(2026, 10, 23), "depositid": new_id("DEP"),
            "receiptkeys": {"receiptkey": [advance_key]},
        })
    ).key  # fmt: skip
    assert deposit_key

    adjustment_key = client.call(
        fn.create_aradjustment({
            "customerid": "C-1004", "datecreated": date(2026, 10, 24),
            "adjustmentno": new_id("ADJ"),
            "aradjustmentitems": {"lineitem": [{"glaccountno": "4000", "amount": "-5.00"}]},
        })
    ).key  # fmt: skip
    (adjustment,) = client.call(fn.read("ARADJUSTMENT", adjustment_key)).records()
    assert Decimal(adjustment["TOTALENTERED"]) == Decimal("-5.00")

    spare = client.call(
        fn.create_invoice({
            "customerid": "C-1001", "datecreated": "2026-10-25", "termname": "N30",
            "invoiceitems": {"lineitem": {"glaccountno": "4000", "amount": 1}},
        })
    ).key  # fmt: skip
    assert client.call(fn.read("ARINVOICE", spare)).records()
    client.call(fn.delete_invoice(spare))
    assert client.call(fn.read("ARINVOICE", spare)).records() == []


def test_legacy_sales_documents(client, new_id):
    doc_no = new_id("SI")
    doc_id = client.call(
        fn.create_sotransaction({
            "transactiontype": "Sales Invoice", "datecreated": date(2026, 10, 20),
            "customerid": "C-1001", "documentno": doc_no, "termname": "N30",
            "sotransitems": {"sotransitem": [
                {"itemid": "SCREW-100", "quantity": 2, "price": Decimal("7.49")},
                {"itemid": "HAMMER-1", "quantity": Decimal("1"), "price": Decimal("19.95")},
            ]},
        })
    ).key  # fmt: skip
    assert doc_id == f"Sales Invoice-{doc_no}"
    (document,) = client.call(fn.read_by_name("SODOCUMENT", doc_id)).records()
    assert Decimal(document["TOTAL"]) == Decimal("34.93")

    client.call(fn.update_sotransaction(doc_id, {"message": "thanks"}))
    (document,) = client.call(fn.read_by_name("SODOCUMENT", doc_id)).records()
    assert document["MESSAGE"] == "thanks"

    client.call(fn.delete_sotransaction(doc_id))
    assert client.call(fn.read_by_query("SODOCUMENT", f"DOCID = '{doc_id}'")).count == 0


def test_transaction_rolls_back_every_function(client, new_id):
    first, second = new_id("C"), new_id("C")
    results = client.execute(
        [
            fn.create("CUSTOMER", {"CUSTOMERID": first, "NAME": "Rolled back"}),
            fn.create("CUSTOMER", {"CUSTOMERID": "C-1001", "NAME": "Duplicate"}),
            fn.create("CUSTOMER", {"CUSTOMERID": second, "NAME": "Never"}),
        ],
        transaction=True,
    )
    assert [r.status for r in results] == ["aborted", "failure", "aborted"]
    assert "XL03000009" in [e.errorno for e in results[1].errors]
    query = f"CUSTOMERID IN ('{first}', '{second}')"
    assert client.call(fn.read_by_query("CUSTOMER", query)).count == 0

    results = client.execute(
        [
            fn.create("CUSTOMER", {"CUSTOMERID": first, "NAME": "Kept"}),
            fn.create("CUSTOMER", {"CUSTOMERID": "C-1001", "NAME": "Duplicate"}),
        ]
    )
    assert [r.status for r in results] == ["success", "failure"]
    assert client.call(fn.read_by_query("CUSTOMER", query)).count == 1


def test_unique_id_refuses_a_repeated_write(client, new_id):
    customer_id = new_id("C")
    function = fn.create(
        "CUSTOMER", {"CUSTOMERID": customer_id, "NAME": "Once"}, control_id=new_id("ctl")
    )
    (first,) = client.execute([function], unique_id=True)
    (again,) = client.execute([function], unique_id=True)
    assert (first.status, again.status) == ("success", "failure")
    assert client.call(fn.read_by_query("CUSTOMER", f"CUSTOMERID = '{customer_id}'")).count == 1


@pytest.mark.parametrize(
    ("function", "errorno", "phrase"),
    [
        (fn.read_by_query("NOSUCHOBJECT"), "Query Failed", "NOSUCHOBJECT"),
        (fn.read_more("no-such-result-id"), None, "invalid or expired resultId"),
        (
            fn.create("CUSTOMER", {"CUSTOMERID": "C-1001", "NAME": "Dup"}),
            "BL34000061",
            "already exists",
        ),
        (fn.read_by_query("CUSTOMER", "NOSUCHFIELD = 'x'"), None, "NOSUCHFIELD"),
        (fn.delete("CUSTOMER", 999999), None, "999999"),
    ],
    ids=["unknown-object", "bad-result-id", "duplicate", "bad-query", "delete-missing"],
)
def test_function_failures(client, function, errorno, phrase):
    with pytest.raises(FunctionError) as caught:
        client.call(function)
    error = caught.value
    assert error.result.control_id == function.control_id
    assert phrase in str(error)
    if errorno is not None:
        assert error.errorno == errorno
    assert client.request_count == 2  # login + the call: never retried


def test_parse_datetime_of_utc_company(client):
    (row,) = client.call(fn.read_by_name("CUSTOMER", "C-1001")).records()
    moment = client.parse_datetime(row["WHENMODIFIED"])
    assert moment.tzinfo is UTC
    assert client.format_datetime(moment) == row["WHENMODIFIED"]


def test_readme_example_runs(gateway, client, capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    example, pointed = re.subn(
        r'"http://127\.0\.0\.1:\d+/ia/xml/xmlgw\.phtml"', repr(gateway.url), example
    )
    assert pointed == 1, "the example must name the local emulator's gateway once"
    exec(compile(example, "README.md", "exec"), {})  # our own documentation
    printed = capsys.readouterr().out.splitlines()
    assert printed and all(line.startswith("C-") for line in printed)
    (customer,) = client.call(fn.read_by_name("CUSTOMER", "C-9")).records()
    assert flatten_record(customer)["DISPLAYCONTACT.EMAIL1"] == "nine@example.com"
    invoices = client.call(
        fn.query("ARINVOICE", ["TOTALENTERED"], filter=fn.eq("CUSTOMERID", "C-9"))
    )
    assert [r["TOTALENTERED"] for r in invoices.records()] == ["10.50"]
