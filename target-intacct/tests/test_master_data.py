"""Customers, contacts and items: create, upsert by each match field, update, deletes."""

from __future__ import annotations

from decimal import Decimal

from target_intacct_helpers import (
    read_jsonl,
    run_target,
    stored,
    stream_messages,
    summary,
)

CUSTOMERS = [
    {
        "RECORDNO": 71,
        "CUSTOMERID": "C-1",
        "NAME": "Acme <Hardware> & Sons",
        "STATUS": "active",
        "DISPLAYCONTACT.EMAIL1": "ap@acme.example",
        "DISPLAYCONTACT.MAILADDRESS.CITY": "Springfield",
        "CREDITLIMIT": Decimal("5000.10"),
        "TOTALDUE": Decimal("12.00"),
        "WHENMODIFIED": "2026-10-01T10:00:00+00:00",
    },
    {
        "RECORDNO": 72,
        "CUSTOMERID": "C-2",
        "NAME": "Müller Gärten GmbH",
        "STATUS": "active",
        "DISPLAYCONTACT.EMAIL1": "jm@mueller.example",
        "DISPLAYCONTACT.MAILADDRESS.CITY": "München",
        "CREDITLIMIT": Decimal("0.01"),
        "TOTALDUE": Decimal("0"),
        "WHENMODIFIED": "2026-10-01T10:00:00+00:00",
    },
]


def by_id(rows, field):
    return {row[field]: row for row in rows}


def assert_written(row, record):
    """Every writable field the target sent is stored as sent (read-only ones are Intacct's)."""
    for name, value in record.items():
        if name in ("RECORDNO", "TOTALDUE", "WHENMODIFIED", "WHENCREATED") or name.startswith(
            "_sdc"
        ):
            continue
        assert str(row.get(name)) == str(value), name


def test_customers_created_equal_to_input(emulator, company, config):
    target = run_target(config, stream_messages("customers", CUSTOMERS, ["RECORDNO"]))
    rows = by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")
    assert set(rows) == {"C-1", "C-2"}
    for record in CUSTOMERS:
        assert_written(rows[record["CUSTOMERID"]], record)
    # read-only fields were not copied over
    assert Decimal(rows["C-1"]["TOTALDUE"] or 0) == 0
    assert summary(target, "customers")["created"] == 2
    ids = read_jsonl(config["id_map_file"])
    assert {(i["source_key"]["RECORDNO"], i["ID"]) for i in ids} == {(71, "C-1"), (72, "C-2")}
    assert all(i["RECORDNO"] for i in ids)


def test_upsert_by_customerid_updates_and_creates(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS))
    changed = [
        dict(CUSTOMERS[0], NAME="Acme Renamed", WHENMODIFIED="2026-10-02T00:00:00Z"),
        {"CUSTOMERID": "C-3", "NAME": "New One"},
    ]
    target = run_target(config, stream_messages("customers", changed))
    rows = by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")
    assert len(rows) == 3
    assert rows["C-1"]["NAME"] == "Acme Renamed"
    assert summary(target, "customers") == {"updated": 1, "created": 1}


def test_upsert_by_name(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS))
    config["streams"] = {"customers": {"match_field": "NAME"}}
    record = {"NAME": "Müller Gärten GmbH", "CUSTOMERID": "C-2", "COMMENTS": "matched by name"}
    target = run_target(config, stream_messages("customers", [record]))
    rows = by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")
    assert len(rows) == 2
    assert rows["C-2"]["COMMENTS"] == "matched by name"
    assert summary(target, "customers") == {"updated": 1}


def test_upsert_by_email_keeps_existing_id(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS))
    config["streams"] = {"customers": {"match_field": "DISPLAYCONTACT.EMAIL1"}}
    record = {
        "DISPLAYCONTACT.EMAIL1": "ap@acme.example",
        "CUSTOMERID": "OTHER-ID",
        "NAME": "Acme by mail",
    }
    run_target(config, stream_messages("customers", [record]))
    rows = by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")
    assert set(rows) == {"C-1", "C-2"}
    assert rows["C-1"]["NAME"] == "Acme by mail"


def test_update_of_missing_record_is_rejected(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS[:1]))
    config["streams"] = {"customers": {"sync_mode": "update"}}
    records = [{"CUSTOMERID": "X", "NAME": "Nobody"}, dict(CUSTOMERS[0], NAME="Still here")]
    target = run_target(config, stream_messages("customers", records))
    rejects = read_jsonl(config["reject_file"])
    assert len(rejects) == 1
    assert "no CUSTOMER with CUSTOMERID='X'" in rejects[0]["message"]
    assert rejects[0]["field"] == "CUSTOMERID"
    assert rejects[0]["record"]["NAME"] == "Nobody"
    rows = by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")
    assert set(rows) == {"C-1"} and rows["C-1"]["NAME"] == "Still here"
    assert summary(target, "customers") == {"rejected": 1, "updated": 1}


def test_insert_duplicate_id_rejected_rest_written(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS[:1]))
    config["streams"] = {"customers": {"sync_mode": "insert"}}
    records = [{"CUSTOMERID": "C-1", "NAME": "Clash"}, {"CUSTOMERID": "C-9", "NAME": "Fine"}]
    target = run_target(config, stream_messages("customers", records))
    rejects = read_jsonl(config["reject_file"])
    assert [r["record"]["NAME"] for r in rejects] == ["Clash"]
    assert rejects[0]["errorno"]
    assert set(by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")) == {"C-1", "C-9"}
    assert summary(target, "customers") == {"rejected": 1, "created": 1}


def test_missing_required_field_rejected_locally(emulator, company, config):
    records = [{"CUSTOMERID": "C-5"}, {"CUSTOMERID": "C-6", "NAME": "Ok"}]
    run_target(config, stream_messages("customers", records))
    rejects = read_jsonl(config["reject_file"])
    assert len(rejects) == 1 and rejects[0]["field"] == "NAME" and rejects[0]["errorno"] is None
    assert set(by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")) == {"C-6"}


def deleted(record):
    return {**record, "_sdc_deleted_at": "2026-10-05T00:00:00+00:00"}


def test_delete_behaviour_do_nothing(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS))
    target = run_target(config, stream_messages("customers", [deleted(CUSTOMERS[0])]))
    assert len(stored(emulator, company, "CUSTOMER")) == 2
    assert summary(target, "customers") == {"skipped": 1}


def test_delete_behaviour_delete(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS))
    config["streams"] = {"customers": {"delete_behavior": "delete"}}
    target = run_target(config, stream_messages("customers", [deleted(CUSTOMERS[0])]))
    assert set(by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")) == {"C-2"}
    assert summary(target, "customers") == {"deleted": 1}


def test_delete_behaviour_clear(emulator, company, config):
    run_target(config, stream_messages("customers", CUSTOMERS))
    config["streams"] = {"customers": {"delete_behavior": "clear"}}
    target = run_target(config, stream_messages("customers", [deleted(CUSTOMERS[0])]))
    rows = by_id(stored(emulator, company, "CUSTOMER"), "CUSTOMERID")
    assert set(rows) == {"C-1", "C-2"}
    cleared = rows["C-1"]
    assert cleared["NAME"] == CUSTOMERS[0]["NAME"]  # required: kept
    assert not cleared.get("DISPLAYCONTACT.EMAIL1")
    assert not cleared.get("DISPLAYCONTACT.MAILADDRESS.CITY")
    assert rows["C-2"]["DISPLAYCONTACT.EMAIL1"] == "jm@mueller.example"
    assert summary(target, "customers") == {"updated": 1}


CONTACTS = [
    {
        "CONTACTNAME": "Ada Acme",
        "PRINTAS": "Ada Acme",
        "EMAIL1": "ada@acme.example",
        "MAILADDRESS.CITY": "Springfield",
        "RECORDNO": 5,
    },
    {"CONTACTNAME": "Seán O'Brien", "PRINTAS": "Seán <O'Brien>", "PHONE1": "+353 1 555"},
]
ITEMS = [
    {
        "ITEMID": "SCREW-100",
        "NAME": "Wood screw",
        "ITEMTYPE": "Inventory",
        "BASEPRICE": Decimal("7.49"),
        "SHIP_WEIGHT": Decimal("0.45"),
    },
    {
        "ITEMID": "INSTALL-HR",
        "NAME": "Installation",
        "ITEMTYPE": "Non-Inventory",
        "BASEPRICE": Decimal("65.00"),
    },
]


def test_contacts_create_and_upsert(emulator, company, config):
    run_target(config, stream_messages("contacts", CONTACTS))
    rows = by_id(stored(emulator, company, "CONTACT"), "CONTACTNAME")
    for record in CONTACTS:
        assert_written(rows[record["CONTACTNAME"]], record)
    target = run_target(config, stream_messages("contacts", [dict(CONTACTS[1], PHONE1="999")]))
    rows = by_id(stored(emulator, company, "CONTACT"), "CONTACTNAME")
    assert len(rows) == 2 and rows["Seán O'Brien"]["PHONE1"] == "999"
    assert summary(target, "contacts") == {"updated": 1}


def test_items_create_and_upsert(emulator, company, config):
    run_target(config, stream_messages("items", ITEMS))
    rows = by_id(stored(emulator, company, "ITEM"), "ITEMID")
    for record in ITEMS:
        row = rows[record["ITEMID"]]
        assert row["NAME"] == record["NAME"] and row["ITEMTYPE"] == record["ITEMTYPE"]
        assert Decimal(row["BASEPRICE"]) == record["BASEPRICE"]
    run_target(config, stream_messages("items", [dict(ITEMS[0], BASEPRICE=Decimal("8.01"))]))
    rows = by_id(stored(emulator, company, "ITEM"), "ITEMID")
    assert len(rows) == 2 and Decimal(rows["SCREW-100"]["BASEPRICE"]) == Decimal("8.01")


def test_value_set_back_in_a_later_run_is_written(emulator, company, config):
    """Updates are not refused as already executed when a later run repeats an earlier value."""
    record = {"CUSTOMERID": "C-7", "NAME": "First"}
    run_target(config, stream_messages("customers", [record]))
    for name in ("Second", "First", "Second"):
        run_target(config, stream_messages("customers", [dict(record, NAME=name)]))
        [row] = stored(emulator, company, "CUSTOMER")
        assert row["NAME"] == name


def test_dates_are_written_in_the_users_date_format(emulator, company, config):
    """Intacct reads dates in the API user's format: 2 October must not become 10 February."""
    custom = [{"object": "CUSTOMER", "name": "LAST_REVIEW_DATE", "datatype": "DATE"}]
    emulator.admin(
        "POST",
        f"/_emulator/companies/{company}",
        {"custom_fields": custom, "dateformat": ".dmY", "timezone": "+01:00"},
    )
    config.pop("timezone", None)
    customer = {"CUSTOMERID": "D-1", "NAME": "Dated", "LAST_REVIEW_DATE": "2026-10-02"}
    [schema, record] = stream_messages("customers", [customer])
    date_type = {"type": ["string", "null"], "format": "date"}  # the SDK hands over a `date`
    schema["schema"]["properties"]["LAST_REVIEW_DATE"] = date_type
    messages = [schema, record]
    target = run_target(config, messages)
    [row] = stored(emulator, company, "CUSTOMER")
    assert row["LAST_REVIEW_DATE"] == "02.10.2026"
    assert summary(target, "customers") == {"created": 1}
    target = run_target(config, messages)  # what Intacct holds is recognised as the same
    assert summary(target, "customers") == {"unchanged": 1}


def test_a_nested_contact_held_by_intacct_counts_as_unchanged(emulator, company, config):
    """`DISPLAYCONTACT: {...}` (a warehouse's JSON shape) compares as the dotted fields it means."""
    nested = {
        "CUSTOMERID": "N-1",
        "NAME": "Nested Contact Ltd",
        "DISPLAYCONTACT": {"EMAIL1": "ap@nested.example", "MAILADDRESS": {"CITY": "Leeds"}},
    }
    messages = stream_messages("customers", [nested], ["CUSTOMERID"])
    assert summary(run_target(config, messages), "customers") == {"created": 1}
    assert summary(run_target(config, messages), "customers") == {"unchanged": 1}
    contact = {"EMAIL1": "ap@nested.example", "MAILADDRESS": {"CITY": "York"}}
    moved = dict(nested, DISPLAYCONTACT=contact)
    target = run_target(config, stream_messages("customers", [moved], ["CUSTOMERID"]))
    assert summary(target, "customers") == {"updated": 1}
    [row] = stored(emulator, company, "CUSTOMER")
    assert row["DISPLAYCONTACT.MAILADDRESS.CITY"] == "York"
