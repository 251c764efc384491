"""The latency model: answers wait per request, per row read and per record written.

Timings are lower bounds only (the emulator never answers early), with a generous upper bound
that still tells a per-row cost from a per-request one.
"""

from __future__ import annotations

import threading
import time

import pytest
from connector_emulators.intacct.server import AdminError
from lxml import etree

QUERY = (
    "<query><object>CUSTOMER</object><select><field>RECORDNO</field></select>"
    "<pagesize>{}</pagesize></query>"
)
CREATE_CLASSES = "<create>{}</create>"
CLASS = "<CLASS><CLASSID>{}</CLASSID><NAME>x</NAME></CLASS>"


def timed(gw, functions: str) -> tuple[float, etree._Element]:
    started = time.perf_counter()
    answer = gw.send(functions)
    return time.perf_counter() - started, answer


def set_latency(gw, **settings: float) -> dict:
    return gw.emulator.admin("POST", "/_emulator/config", settings)


def test_config_reports_and_reset_restores_the_latency(gw):
    config = set_latency(gw, latency_base=0.2, latency_per_row=0.001)
    assert config == {
        "session_timeout": 3600.0, "resultid_ttl": 1800.0, "token_lifetime": 43200.0,
        "latency_base": 0.2, "latency_per_row": 0.001, "latency_per_record": 0.0,
    }  # fmt: skip
    gw.emulator.admin("POST", "/_emulator/reset", {})
    assert gw.emulator.admin("GET", "/_emulator/config")["latency_base"] == 0.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"latency_bsae": 1}, "unknown config setting 'latency_bsae'"),
        ({"latency_base": -1}, "latency_base must be a number of seconds"),
        ({"latency_per_row": "fast"}, "latency_per_row must be a number of seconds"),
    ],
)
def test_bad_latency_settings_are_refused_and_change_nothing(gw, body, message):
    with pytest.raises(AdminError) as refused:
        gw.emulator.admin("POST", "/_emulator/config", {"session_timeout": 5, **body})
    assert refused.value.status == 400 and message in str(refused.value)
    assert gw.emulator.admin("GET", "/_emulator/config")["session_timeout"] == 3600.0


def test_a_read_waits_per_request_and_per_row(gw):
    set_latency(gw, latency_base=0.2, latency_per_row=0.05)
    few, answer = timed(gw, f'<function controlid="q">{QUERY.format(1)}</function>')
    assert answer.find("operation/result/data").get("count") == "1"
    many, answer = timed(gw, f'<function controlid="q">{QUERY.format(10)}</function>')
    assert answer.find("operation/result/data").get("count") == "10"
    assert 0.25 <= few < 0.6  # 0.2 + 1 row x 0.05
    assert 0.7 <= many < 1.2  # 0.2 + 10 rows x 0.05


def test_a_write_waits_per_record_written(gw):
    set_latency(gw, latency_base=0.1, latency_per_record=0.1, latency_per_row=5.0)
    classes = "".join(CLASS.format(f"LAT-{n}") for n in range(5))
    elapsed, answer = timed(
        gw, f'<function controlid="c">{CREATE_CLASSES.format(classes)}</function>'
    )
    assert answer.findtext("operation/result/status") == "success"
    assert 0.6 <= elapsed < 1.0  # 0.1 + 5 records x 0.1; the written rows' answer is no read


def test_a_failed_function_costs_only_the_base(gw):
    set_latency(gw, latency_base=0.1, latency_per_record=1.0)
    duplicate = CREATE_CLASSES.format(CLASS.format("LAT-DUP"))
    gw.send(f'<function controlid="a">{duplicate}</function>')
    elapsed, answer = timed(gw, f'<function controlid="b">{duplicate}</function>')
    assert answer.findtext("operation/result/status") == "failure"
    assert 0.1 <= elapsed < 0.9


def test_waiting_answers_count_against_the_concurrency_limit(gw):
    """A request held by the latency model still runs for the company's concurrency limit."""
    set_latency(gw, latency_base=1.0)
    gw.emulator.admin("POST", "/_emulator/faults", {"kind": "concurrency", "count": 1})
    first: dict[str, etree._Element] = {}
    worker = threading.Thread(
        target=lambda: first.update(answer=gw.send('<function controlid="a"><lookup><object>'
                                                   "CLASS</object></lookup></function>"))
    )  # fmt: skip
    worker.start()
    time.sleep(0.3)
    refused = gw.send('<function controlid="b"><lookup><object>CLASS</object></lookup></function>')
    worker.join()
    assert gw.errors(refused)[0][0] == "XL03000012"
    assert first["answer"].findtext("operation/result/status") == "success"


def test_journal_lines_seed_two_lines_per_entry(gw):
    gw.emulator.admin("POST", "/_emulator/reset", {"seed": None, "journal_lines": 10})
    lines = gw.records("GLENTRY")
    entries = gw.records("GLBATCH")
    assert len(lines) == 10 and len(entries) == 5
    by_batch: dict[str, list[dict]] = {}
    for line in lines:
        by_batch.setdefault(line["BATCHNO"], []).append(line)
    for entry in entries:
        pair = by_batch[entry["RECORDNO"]]
        assert [line["LINE_NO"] for line in pair] == ["1", "2"]
        assert [line["TR_TYPE"] for line in pair] == ["1", "-1"]
        assert pair[0]["AMOUNT"] == pair[1]["AMOUNT"]
        assert {line["WHENMODIFIED"] for line in pair} == {entry["WHENMODIFIED"]}
    gw.emulator.admin("POST", "/_emulator/reset", {})
