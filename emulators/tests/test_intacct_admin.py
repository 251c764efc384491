"""Admin API, fault injection, statistics, clock, and the console script."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from connector_emulators.intacct.server import AdminError
from lxml import etree

READ = "<read><object>CUSTOMER</object><keys>1</keys></read>"
CREATE_CLASS = "<create><CLASS><CLASSID>{}</CLASSID><NAME>x</NAME></CLASS></create>"


def fault(gw, **spec):
    return gw.emulator.admin("POST", "/_emulator/faults", spec)


def post_function(gw, function, **kwargs):
    body = gw.envelope(f'<function controlid="f">{function}</function>', **kwargs)
    return gw.post(body)


def class_ids(gw):
    return {r["CLASSID"] for r in gw.records("CLASS")}


def test_http_429_then_recovers(gw):
    fault(gw, kind="http_429", count=2)
    for _ in range(2):
        response = post_function(gw, READ)
        assert response.status_code == 429 and response.headers["Retry-After"] == "1"
        root = etree.fromstring(response.content)
        assert root.findtext("control/status") == "failure"
        assert root.findtext("errormessage/error/errorno") == "GW-0010"
    assert post_function(gw, READ).status_code == 200
    assert gw.emulator.admin("GET", "/_emulator/stats")["faults"] == {"http_429": 2}


@pytest.mark.parametrize(
    ("kind", "status"), [("http_502", 502), ("http_503", 503), ("http_524", 524)]
)
def test_http_errors_before_processing_write_nothing(gw, kind, status):
    fault(gw, kind=kind)
    response = post_function(gw, CREATE_CLASS.format("F1"))
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert "F1" not in class_ids(gw)


def test_http_524_after_processing_is_the_ambiguous_write(gw):
    fault(gw, kind="http_524", when="after", function="create")
    assert post_function(gw, READ).status_code == 200  # other functions are not matched
    response = post_function(gw, CREATE_CLASS.format("AMBIG"))
    assert response.status_code == 524
    assert "AMBIG" in class_ids(gw)  # the write was committed


def test_drop_connection_before_and_after(gw):
    fault(gw, kind="drop_connection")
    with pytest.raises(requests.ConnectionError):
        requests.post(
            gw.emulator.url,
            data=gw.envelope(f'<function controlid="f">{CREATE_CLASS.format("D1")}</function>'),
            timeout=10,
        )
    assert "D1" not in class_ids(gw)
    fault(gw, kind="drop_connection", when="after")
    with pytest.raises(requests.ConnectionError):
        requests.post(
            gw.emulator.url,
            data=gw.envelope(f'<function controlid="f">{CREATE_CLASS.format("D2")}</function>'),
            timeout=10,
        )
    assert "D2" in class_ids(gw)


def test_after_count_function_and_company_filters(gw):
    fault(gw, kind="http_503", after=1, count=2, function="read", company="demo")
    other_company = gw.login("elsewhere")
    assert post_function(gw, READ, auth=other_company).status_code == 200
    statuses = [post_function(gw, READ).status_code for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    assert post_function(gw, READ, auth=other_company).status_code == 200
    assert gw.emulator.admin("GET", "/_emulator/faults")["faults"] == []


def test_fault_listing_clearing_and_validation(gw):
    fault(gw, kind="slow", delay=0.01, count=5)
    assert [f["kind"] for f in gw.emulator.admin("GET", "/_emulator/faults")["faults"]] == ["slow"]
    gw.emulator.admin("DELETE", "/_emulator/faults")
    assert gw.emulator.admin("GET", "/_emulator/faults")["faults"] == []
    with pytest.raises(AdminError) as error:
        fault(gw, kind="meteor")
    assert error.value.status == 400 and "meteor" in str(error.value)


def test_slow(gw):
    fault(gw, kind="slow", delay=0.3)
    started = time.perf_counter()
    assert post_function(gw, READ).status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert post_function(gw, READ).status_code == 200
    assert gw.emulator.admin("GET", "/_emulator/stats")["faults"] == {"slow": 1}  # once only


def test_session_expiry_fault(gw):
    sessionid, _ = gw.session()
    fault(gw, kind="session_expiry", function="read")
    root = gw.send(f'<function controlid="f">{READ}</function>', sessionid=sessionid)
    assert root.findtext("operation/authentication/status") == "failure"
    assert gw.errors(root)[0][1].startswith("Invalid session")
    fresh, _ = gw.session()
    assert (
        gw.send(f'<function controlid="f">{READ}</function>', sessionid=fresh).findtext(
            "operation/result/status"
        )
        == "success"
    )


def test_resultid_expiry_fault(gw):
    result_id = gw.rbq("AUDITHISTORY", "", "ID", 5).get("resultId")
    fault(gw, kind="resultid_expiry", function="readMore")
    result = gw.fail(f"<readMore><resultId>{result_id}</resultId></readMore>")
    assert gw.errors(result)[0][0] == "readMore failed"


def test_concurrency_limit(gw):
    fault(gw, kind="slow", delay=1.0, function="read")
    fault(gw, kind="concurrency", count=1)
    slow_result = {}

    def slow_call():
        slow_result["response"] = post_function(gw, READ)

    worker = threading.Thread(target=slow_call)
    worker.start()
    deadline = time.monotonic() + 10
    while not gw.emulator.admin("GET", "/_emulator/stats")["faults"].get("slow"):
        assert time.monotonic() < deadline, "the slow request never started"
        time.sleep(0.01)
    refused = etree.fromstring(post_function(gw, "<lookup><object>CLASS</object></lookup>").content)
    worker.join()
    assert refused.findtext("control/status") == "failure"
    assert gw.errors(refused) == [
        ("XL03000012", "There are too many operations running for this company (200024).")
    ]
    assert refused.findtext("errormessage/error/correction") == "Please try again later."
    assert slow_result["response"].status_code == 200
    assert gw.ok("<lookup><object>CLASS</object></lookup>").findtext("status") == "success"


def test_stats(gw):
    gw.emulator.admin("POST", "/_emulator/stats/reset")
    gw.send(
        '<function controlid="a">'
        + READ
        + '</function><function controlid="b">'
        + READ
        + '</function><function controlid="c"><lookup><object>ITEM</object></lookup>'
        "</function>"
    )
    gw.send(f'<function controlid="a">{READ}</function>', auth=gw.login("co-2"))
    stats = gw.emulator.admin("GET", "/_emulator/stats")
    assert stats["requests"] == 2
    assert stats["functions"] == {"read": 3, "lookup": 1}
    assert stats["companies"] == {"demo": 1, "co-2": 1}
    gw.emulator.admin("POST", "/_emulator/stats/reset")
    assert gw.emulator.admin("GET", "/_emulator/stats")["requests"] == 0


def test_clock_stamps_writes(gw):
    clock = gw.emulator.admin(
        "POST", "/_emulator/clock", {"now": "2027-01-02T03:04:05", "frozen": True}
    )
    assert clock == {"now": "2027-01-02T03:04:05+00:00", "frozen": True}
    gw.ok(CREATE_CLASS.format("CLK"))
    gw.emulator.admin("POST", "/_emulator/clock", {"advance_seconds": 90})
    gw.ok("<update><CLASS><CLASSID>CLK</CLASSID><NAME>y</NAME></CLASS></update>")
    record = next(r for r in gw.records("CLASS") if r["CLASSID"] == "CLK")
    assert (record["WHENCREATED"], record["WHENMODIFIED"]) == (
        "01/02/2027 03:04:05",
        "01/02/2027 03:05:35",
    )
    running = gw.emulator.admin("POST", "/_emulator/clock", {"frozen": False})
    assert running["frozen"] is False and running["now"].startswith("2027-01-02T03:05")


def test_config_and_companies(gw):
    config = gw.emulator.admin("POST", "/_emulator/config", {"session_timeout": 99})
    assert config["session_timeout"] == 99.0 and config["resultid_ttl"] == 1800.0
    company = gw.emulator.admin(
        "POST", "/_emulator/companies/new-co", {"timezone": "Europe/Berlin"}
    )
    assert company == {
        "id": "new-co",
        "timezone": "Europe/Berlin",
        "dateformat": "/mdY",
        "locale": "en_US",
        "clock": 24,
        "unsubscribed": [],
    }
    with pytest.raises(AdminError) as bad_zone:
        gw.emulator.admin("POST", "/_emulator/companies/new-co", {"timezone": "Mars/Olympus"})
    assert bad_zone.value.status == 400
    with pytest.raises(AdminError) as missing:
        gw.emulator.admin("GET", "/_emulator/companies/nobody")
    assert missing.value.status == 404
    gw.emulator.admin("POST", "/_emulator/reset", {})
    assert gw.emulator.admin("GET", "/_emulator/config")["session_timeout"] == 3600.0


def test_records_dump_and_touch(gw):
    dump = gw.emulator.admin("GET", "/_emulator/records/demo/item")
    assert dump["object"] == "ITEM" and dump["count"] == 11
    item = dump["records"][0]
    assert item["ITEMID"] == "SCREW-100" and item["BASEPRICE"] == "7.49"
    assert item["SHIP_WEIGHT"] == "0.45" and item["PRODUCTLINEID"] == "HW-FAST"
    gw.emulator.admin("POST", "/_emulator/clock", {"now": "2026-12-01T00:00:00Z", "frozen": True})
    touched = gw.emulator.admin("POST", "/_emulator/records/demo/ITEM/touch", {"keys": [1, 2]})
    assert touched == {"touched": [1, 2]}
    changed = gw.query(
        "ITEM",
        ["ITEMID"],
        "<greaterthanorequalto><field>WHENMODIFIED</field>"
        "<value>12/01/2026 00:00:00</value></greaterthanorequalto>",
    )
    assert [r.findtext("ITEMID") for r in changed] == ["SCREW-100", "SCREW-A4-50"]
    audit = [a for a in gw.records("AUDITHISTORY") if a["ACCESSTIME"] == "12/01/2026 00:00:00"]
    assert [(a["OBJECTTYPE"], a["OBJECTKEY"], a["ACCESSMODE"]) for a in audit] == [
        ("item", "1", "M"),
        ("item", "2", "M"),
    ]
    for path, status in (
        ("/_emulator/records/demo/NOPE", 404),
        ("/_emulator/records/nobody/ITEM", 404),
    ):
        with pytest.raises(AdminError) as error:
            gw.emulator.admin("GET", path)
        assert error.value.status == status
    with pytest.raises(AdminError):
        gw.emulator.admin("POST", "/_emulator/records/demo/ITEM/touch", {"keys": [999]})


def test_reset_with_synthetic_records(gw):
    gw.emulator.admin("POST", "/_emulator/reset", {"seed": "demo", "records": 2500})
    data = gw.query(
        "CUSTOMER",
        ["CUSTOMERID", "WHENMODIFIED", "MEGAENTITYID"],
        extra="<orderby><order><field>RECORDNO</field><descending/></order></orderby>"
        "<pagesize>4</pagesize>",
    )
    assert data.get("totalcount") == "2510"
    assert [r.findtext("CUSTOMERID") for r in data] == [
        "SYN-0002500",
        "SYN-0002499",
        "SYN-0002498",
        "SYN-0002497",
    ]
    assert [r.findtext("WHENMODIFIED") for r in data][1:] == ["10/20/2026 00:13:52"] * 3
    keyset = (
        "<or><greaterthan><field>WHENMODIFIED</field><value>10/20/2026 00:13:51</value>"
        "</greaterthan><and><equalto><field>WHENMODIFIED</field><value>10/20/2026 00:13:51"
        "</value></equalto><greaterthan><field>RECORDNO</field><value>2506</value>"
        "</greaterthan></and></or>"
    )
    after = gw.query("CUSTOMER", ["RECORDNO"], keyset)
    assert after.get("totalcount") == "4"
    assert [r.findtext("RECORDNO") for r in after] == ["2507", "2508", "2509", "2510"]
    gw.emulator.admin("POST", "/_emulator/reset", {"seed": None})
    assert gw.query("CUSTOMER", ["RECORDNO"]).get("totalcount") == "0"


def start_cli(*args):
    command = [
        str(Path(sys.executable).with_name("intacct-emulator")),
        "serve",
        "--port",
        "0",
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("Intacct emulator listening on http://127.0.0.1:"), line
    return process, line.rsplit(" ", 1)[1]


def test_console_script_with_database_file(tmp_path, gw):
    db = str(tmp_path / "intacct.sqlite")
    unique = (
        '<function controlid="once"><create><CLASS><CLASSID>DB1</CLASSID><NAME>x</NAME>'
        "</CLASS></create></function>"
    )
    process, url = start_cli("--db", db, "--records", "50")
    try:
        assert url.endswith("/ia/xml/xmlgw.phtml")
        response = gw.post(gw.envelope(unique, uniqueid=True), url)
        assert etree.fromstring(response.content).findtext("operation/result/status") == "success"
    finally:
        process.terminate()
        process.wait(timeout=10)
    process, url = start_cli("--db", db)
    try:
        root = etree.fromstring(gw.post(gw.envelope(unique, uniqueid=True), url).content)
        assert gw.errors(root)[0][0] == "XL03000011"  # remembered across restarts
        count = gw.post(
            gw.envelope(
                '<function controlid="q"><query><object>CUSTOMER</object>'
                "<select><field>RECORDNO</field></select></query></function>"
            ),
            url,
        )
        assert etree.fromstring(count.content).find(".//data").get("totalcount") == "60"
    finally:
        process.terminate()
        process.wait(timeout=10)
