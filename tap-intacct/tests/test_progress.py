"""What the command prints while it reads: rows of the total, share, rate and time left; and
one summary table at the end listing every stream, over XML and REST."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from intacct_api import functions

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from progress_lines import check_summary, run_command, shares

TAP = [sys.executable, "-m", "tap_intacct"]
CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}


def check(records: Counter[str], deletes: Counter[str], stderr: str, customers: int) -> None:
    lines = shares(stderr, "customers")
    pages = -(-customers // 3)
    assert [done for done, *_ in lines] == [min(3 * n, customers) for n in range(1, pages + 1)]
    assert [page for *_, page in lines] == list(range(1, pages + 1))
    assert {total for _, total, _, _ in lines} == {customers}
    assert [percent for _, _, percent, _ in lines] == [
        100 * done // customers for done, *_ in lines
    ]
    assert lines[-1][2] == 100
    check_summary(records, deletes, stderr)


def test_xml_run_prints_shares_of_the_total_and_one_table_of_every_stream(
    tmp_path, reset, config, client, api_rows
):
    client.call(functions.create("CUSTOMER", [{"CUSTOMERID": "GONE-1", "NAME": "Soon gone"}]))
    gone = next(r["RECORDNO"] for r in api_rows("CUSTOMER") if r["CUSTOMERID"] == "GONE-1")
    client.call(functions.delete("CUSTOMER", [int(gone)]))
    customers = len(api_rows("CUSTOMER"))
    assert customers >= 7  # several pages of 3
    records, deletes, stderr = run_command(TAP, {**config, "page_size": 3}, tmp_path)
    assert records["customers"] == customers and deletes["customers"] == 1
    assert {"trial_balances", "sales_order_lines"} <= set(records)
    check(records, deletes, stderr, customers)
    # reports: no total to tell
    assert re.search(r"\| trial_balances: [\d,]+ records, ", stderr)


def test_rest_run_prints_shares_of_the_total_and_one_table_of_every_stream(
    tmp_path, reset, emulator, api_rows
):
    config = {
        "transport": "rest", "company_id": "demo", "user_id": "demo_user", **CLIENT,
        "rest_url": emulator.base_url + "/ia/api/v1",
    }  # fmt: skip
    customers = len(api_rows("CUSTOMER"))
    records, deletes, stderr = run_command(TAP, {**config, "page_size": 3}, tmp_path)
    assert records["customers"] == customers
    assert len(records) >= 10
    check(records, deletes, stderr, customers)
