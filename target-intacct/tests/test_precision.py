"""Amounts finer than Intacct keeps, through the `target-intacct` command: the record is
rejected naming the field, where Intacct would have rounded it (the emulator shows it would)."""

from __future__ import annotations

from decimal import Decimal

import simplejson
from intacct_api import functions
from intacct_api.client import Credentials, IntacctClient
from target_intacct_helpers import (
    SENDER_ID,
    SENDER_PASSWORD,
    USER_ID,
    USER_PASSWORD,
    read_jsonl,
    run_command,
    stored,
    stream_messages,
)


def test_intacct_would_round_a_currency_field_so_a_finer_value_is_rejected(
    emulator, company, config, tmp_path
):
    # What Intacct does with it: a CURRENCY field (lookup's DATATYPE) keeps 2 places.
    client = IntacctClient(
        Credentials(SENDER_ID, SENDER_PASSWORD, company, USER_ID, USER_PASSWORD),
        api_url=emulator.url,
    )
    lookup = client.call(functions.lookup("CUSTOMER"))
    assert dict(functions.lookup_fields(lookup.records()))["CREDITLIMIT"] == "CURRENCY"
    shown = {"CUSTOMERID": "P-SHOWN", "NAME": "Shown", "CREDITLIMIT": "1000.12345"}
    client.call(functions.create("CUSTOMER", shown))
    assert {r["CUSTOMERID"]: r["CREDITLIMIT"] for r in stored(emulator, company, "CUSTOMER")} == {
        "P-SHOWN": "1000.12"
    }

    records = [
        {"CUSTOMERID": "P-FINE", "NAME": "Too fine", "CREDITLIMIT": Decimal("1000.12345")},
        {"CUSTOMERID": "P-FITS", "NAME": "Fits", "CREDITLIMIT": Decimal("2500.50")},
        {"CUSTOMERID": "P-ZEROS", "NAME": "Trailing zeros", "CREDITLIMIT": Decimal("7.1000")},
    ]
    messages = stream_messages("customers", records, ["CUSTOMERID"])
    stdin = "".join(simplejson.dumps(m, use_decimal=True) + "\n" for m in messages).encode()
    done = run_command(config, stdin, tmp_path)
    logs = done.stderr.decode()
    assert done.returncode == 0, logs[-3000:]

    (reject,) = read_jsonl(config["reject_file"])
    assert (reject["key"], reject["field"]) == ({"CUSTOMERID": "P-FINE"}, "CREDITLIMIT")
    assert reject["message"] == (
        "CREDITLIMIT: has 5 decimal places; Intacct keeps 2 for a CURRENCY field and would round it"
    )
    assert 'Rejected customers record {"CUSTOMERID": "P-FINE"}: CREDITLIMIT: has 5' in logs
    limits = {r["CUSTOMERID"]: r["CREDITLIMIT"] for r in stored(emulator, company, "CUSTOMER")}
    assert limits == {"P-SHOWN": "1000.12", "P-FITS": "2500.50", "P-ZEROS": "7.10"}
