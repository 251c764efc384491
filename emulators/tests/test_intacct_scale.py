"""Work per request stays flat as a company grows, and a reset gives the memory back.

SQLite's progress handler counts the virtual-machine steps that a request costs. The same
writes and lookups cost about as much in a company with thousands of customers and invoices as
in a nearly empty one: ID, reference, document number and line lookups go through indexes
instead of visiting every record of the object.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connector_emulators.intacct.server import IntacctEmulator

COMPANY = "growth"
GROWN = 3000  # customers and invoices added between the two measurements
BATCH = 100
STEP = 1  # count every VM instruction


@contextmanager
def vm_steps(emulator: IntacctEmulator) -> Iterator[list[int]]:
    """Counts the SQLite instructions run inside the block."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    conn = emulator.store.conn
    conn.set_progress_handler(tick, STEP)
    try:
        yield steps
    finally:
        conn.set_progress_handler(None, STEP)


def customer(key: str) -> str:
    return (
        f"<create><CUSTOMER><CUSTOMERID>{key}</CUSTOMERID><NAME>Customer {key}</NAME>"
        f"<DISPLAYCONTACT><EMAIL1>{key}@growth.example</EMAIL1></DISPLAYCONTACT>"
        "</CUSTOMER></create>"
    )


def invoice(number: str, customer_id: str) -> str:
    return (
        f"<create_invoice><customerid>{customer_id}</customerid><datecreated><year>2026</year>"
        f"<month>10</month><day>1</day></datecreated><invoiceno>{number}</invoiceno>"
        "<invoiceitems><lineitem><glaccountno>4000</glaccountno><amount>100.10</amount>"
        "</lineitem><lineitem><glaccountno>4000</glaccountno><amount>0.05</amount></lineitem>"
        "</invoiceitems></create_invoice>"
    )


def send_batch(gw, functions: list[str]) -> None:
    body = "".join(f'<function controlid="f{n}">{f}</function>' for n, f in enumerate(functions))
    root = gw.send(body, auth=gw.login(COMPANY))
    assert [r.findtext("status") for r in root.iter("result")] == ["success"] * len(functions)


def costs(gw, tag: str) -> dict[str, int]:
    """VM steps of each single-function request, for records named after `tag`."""
    calls = {
        "create customer": customer(f"M-{tag}"),
        "create invoice": invoice(f"INV-{tag}", f"M-{tag}"),
        "update customer": f"<update><CUSTOMER><CUSTOMERID>M-{tag}</CUSTOMERID>"
        "<NAME>Renamed</NAME></CUSTOMER></update>",
        "query by id": "<query><object>CUSTOMER</object><select><field>RECORDNO</field>"
        f"</select><filter><in><field>CUSTOMERID</field><value>M-{tag}</value>"
        "<value>G-000001</value></in></filter></query>",
        "query by number": "<query><object>ARINVOICE</object><select><field>RECORDNO</field>"
        f"</select><filter><in><field>RECORDID</field><value>INV-{tag}</value>"
        "<value>GI-000001</value></in></filter></query>",
        "readByQuery by customer": "<readByQuery><object>ARINVOICE</object>"
        f"<query>CUSTOMERID = 'M-{tag}'</query><fields>RECORDNO</fields>"
        "<pagesize>10</pagesize></readByQuery>",
        "create unused customer": customer(f"U-{tag}"),
        "delete customer": f'<delete_customer customerid="U-{tag}"/>',
    }
    out = {}
    for name, function in calls.items():
        with vm_steps(gw.emulator) as steps:
            gw.ok(function, auth=gw.login(COMPANY))
        out[name] = steps[0]
    return out


def test_requests_cost_the_same_in_a_large_company(gw):
    gw.ok(
        "<create><GLACCOUNT><ACCOUNTNO>4000</ACCOUNTNO><TITLE>Sales</TITLE></GLACCOUNT></create>",
        auth=gw.login(COMPANY),
    )
    small = costs(gw, "small")
    for first in range(0, GROWN, BATCH):
        send_batch(gw, [customer(f"G-{n:06d}") for n in range(first, first + BATCH)])
    for first in range(0, GROWN, BATCH):
        send_batch(gw, [invoice(f"GI-{n:06d}", f"G-{n:06d}") for n in range(first, first + BATCH)])
    large = costs(gw, "large")
    grown = {name: (small[name], steps) for name, steps in large.items()}
    assert all(after <= before * 1.25 + 50 for before, after in grown.values()), grown


def test_duplicates_are_still_refused_in_a_large_company(gw):
    """The indexed checks keep the gateway's answers."""
    gw.ok(
        "<create><GLACCOUNT><ACCOUNTNO>4000</ACCOUNTNO><TITLE>Sales</TITLE></GLACCOUNT></create>",
        auth=gw.login(COMPANY),
    )
    send_batch(gw, [customer(f"G-{n:06d}") for n in range(500)])
    send_batch(gw, [invoice(f"GI-{n:06d}", f"G-{n:06d}") for n in range(100)])
    duplicate = gw.fail(customer("G-000250"), auth=gw.login(COMPANY))
    assert gw.errors(duplicate)[0] == (
        "BL34000061",
        "Another Customer with the given value(s) G-000250  already exists",
    )
    taken = gw.fail(invoice("GI-000050", "G-000001"), auth=gw.login(COMPANY))
    assert gw.errors(taken)[0] == (
        "BL03002131",
        "A transaction with the number 'GI-000050' already exists.",
    )
    recordno = one_invoice_recordno(gw, "G-000007")
    in_use = gw.fail('<delete_customer customerid="G-000007"/>', auth=gw.login(COMPANY))
    assert gw.errors(in_use) == [
        (
            "BL01001973",
            f"Cannot delete customer 'G-000007': it is used by AR Invoice {recordno}.",
        )
    ]


def test_lookups_on_indexed_fields_keep_the_order_and_pages(gw):
    """`in` on an indexed field sorts the rows it finds: RECORDNO order, orderby, readMore."""
    wanted = [f"G-{n:06d}" for n in (40, 3, 17, 250, 8)]
    send_batch(gw, [customer(f"G-{n:06d}") for n in range(300)])
    values = "".join(f"<value>{v}</value>" for v in wanted)
    auth = gw.login(COMPANY)
    data = gw.query(
        "CUSTOMER", ["CUSTOMERID"], f"<in><field>CUSTOMERID</field>{values}</in>", auth=auth
    )
    assert [r["CUSTOMERID"] for r in gw.rows(data)] == sorted(wanted)
    data = gw.query(
        "CUSTOMER",
        ["CUSTOMERID"],
        f"<in><field>CUSTOMERID</field>{values}</in>",
        "<orderby><order><field>CUSTOMERID</field><descending/></order></orderby>"
        "<pagesize>2</pagesize><offset>1</offset>",
        auth=auth,
    )
    assert [r["CUSTOMERID"] for r in gw.rows(data)] == sorted(wanted, reverse=True)[1:3]
    quoted = ", ".join(f"'{v}'" for v in wanted)
    page = gw.rbq("CUSTOMER", f"CUSTOMERID IN ({quoted})", "CUSTOMERID", 2, auth=auth)
    seen = [row.findtext("CUSTOMERID") for row in page]
    while page.get("numremaining") != "0":
        more = f"<readMore><resultId>{page.get('resultId')}</resultId></readMore>"
        page = gw.ok(more, auth=auth).find("data")
        seen += [row.findtext("CUSTOMERID") for row in page]
    assert seen == sorted(wanted)


def one_invoice_recordno(gw, customer_id: str) -> str:
    data = gw.query(
        "ARINVOICE",
        ["RECORDNO"],
        f"<equalto><field>CUSTOMERID</field><value>{customer_id}</value></equalto>",
        auth=gw.login(COMPANY),
    )
    (row,) = gw.rows(data)
    return row["RECORDNO"]


def test_reset_releases_the_in_memory_database(gw):
    """A reset starts a new in-memory database instead of deleting rows page by page."""
    gw.emulator.admin("POST", "/_emulator/reset", {"seed": "demo", "records": 20_000})
    full = gw.emulator.store.conn.execute("PRAGMA page_count").fetchone()[0]
    gw.emulator.admin("POST", "/_emulator/reset", {"seed": "demo", "records": 0})
    emptied = gw.emulator.store.conn.execute("PRAGMA page_count").fetchone()[0]
    assert emptied * 10 < full
    assert len(gw.records("CUSTOMER")) < 100
    assert gw.rbq("CUSTOMER", "", "CUSTOMERID", 1).get("totalcount") == str(
        len(gw.records("CUSTOMER"))
    )
