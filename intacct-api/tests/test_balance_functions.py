"""The balance report builders: valid against the 3.0 XSD, in its element order, safe to retry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from intacct_api import functions as fn
from intacct_api.envelope import Control, SessionAuth, build_request
from lxml import etree

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "intacct" / "schemas"
pytestmark = pytest.mark.skipif(not SCHEMA.is_dir(), reason="../shared reference not present")


@pytest.fixture(scope="module")
def api_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA / "intacct_dtd_v3.0_api.xsd")))


def valid(api_schema: etree.XMLSchema, *functions: fn.Function) -> None:
    raw = build_request(Control("sender", "pw", control_id="c"), SessionAuth("s"), functions)
    root = etree.fromstring(raw)
    assert api_schema.validate(etree.ElementTree(root)), api_schema.error_log


OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.mark.parametrize(
    "function",
    [
        fn.get_trialbalance(*OCTOBER),
        fn.get_trialbalance(reporting_period_name="Month Ended October 2026"),
        fn.get_trialbalance(
            *OCTOBER, show_zero_balances=True, show_department_detail=True,
            show_location_detail=True, reporting_book="ACCRUAL", department_id="ADMIN",
            location_id="US",
        ),
        fn.get_accountbalances(*OCTOBER),
        fn.get_accountbalances(reporting_period_name="Month Ended October 2026",
                               gl_account_no="4000", show_zero_balances=False),
        fn.get_accountbalances(*OCTOBER, start_account_no="4000", end_account_no="4999",
                               location_id="US", department_id="ADMIN", reporting_book="ACCRUAL"),
        fn.get_accountbalances(*OCTOBER, account_group_name="Total Revenue"),
    ],
    ids=lambda f: etree.tostring(f.element).decode()[:60],
)  # fmt: skip
def test_balance_requests_validate_against_the_xsd(api_schema, function):
    valid(api_schema, function)
    assert function.is_read  # a report changes nothing: safe to repeat after a time-out


def test_xsd_refuses_out_of_order_elements(api_schema):
    """The schema check above can fail: the same elements in another order are refused."""
    function = fn.get_accountbalances(*OCTOBER, gl_account_no="4000", location_id="US")
    element = function.element
    element.append(element.find("glaccountno"))  # now after locationid
    with pytest.raises(AssertionError):
        valid(api_schema, function)


def test_documented_account_balance_request():
    """developer.intacct.com's "balances for a range of accounts for a date range" example."""
    function = fn.get_accountbalances(
        date(2016, 1, 1), date(2016, 1, 31), start_account_no="4000", end_account_no="4999",
        show_zero_balances=False,
    )  # fmt: skip
    assert etree.tostring(function.element).decode() == (
        "<get_accountbalances>"
        "<startdate><year>2016</year><month>01</month><day>01</day></startdate>"
        "<enddate><year>2016</year><month>01</month><day>31</day></enddate>"
        "<startaccountno>4000</startaccountno><endaccountno>4999</endaccountno>"
        "<showzerobalances>false</showzerobalances></get_accountbalances>"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (fn.get_trialbalance, "reporting_period_name, or both"),
        (lambda: fn.get_trialbalance(date(2026, 1, 1)), "both start_date and end_date"),
        (lambda: fn.get_trialbalance(date(2026, 2, 1), date(2026, 1, 31)), "before start_date"),
        (
            lambda: fn.get_trialbalance(*OCTOBER, reporting_period_name="Month Ended May 2026"),
            "not both",
        ),
        (lambda: fn.get_accountbalances(*OCTOBER, start_account_no="1"), "both start_account"),
        (
            lambda: fn.get_accountbalances(*OCTOBER, gl_account_no="1", account_group_name="G"),
            "one of gl_account_no",
        ),
    ],
)
def test_balance_builders_refuse_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
