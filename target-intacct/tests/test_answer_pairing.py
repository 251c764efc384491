"""Answers whose results do not line up with the writes sent, through the `target-intacct` command.

A proxy of the test's own stands between the command and the emulator and rewrites the write
answers: results in reverse order (each still naming its write), one result left out, one result
twice, one result for a write never sent. Reordered results must still be concluded each for its
own record; the others stop the run with one line, before STATE moves, and a re-run without the
proxy lands every record once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from connector_emulators.proxy import ForwardingProxy
from connector_runtime.progress import read_table
from lxml import etree
from target_intacct_helpers import (
    config_over,
    mapped,
    read_jsonl,
    record_nos,
    run_target,
    stored,
    stream_messages,
)
from target_resilience_support import state_lines
from test_secrets_and_cli import run_cli

WRITES = ("create", "update", "delete")
Rewrite = Callable[[list[Any]], list[Any]]


def reverse(results: list[Any]) -> list[Any]:
    return results[::-1]


def drop_last(results: list[Any]) -> list[Any]:
    return results[:-1]


def repeat_first(results: list[Any]) -> list[Any]:
    """The first result twice, in place of the last (as many results as writes)."""
    return [*results[:-1], copy.deepcopy(results[0])]


def add_unknown(results: list[Any]) -> list[Any]:
    """One result more, for a write that was never sent (a control id of no request's)."""
    extra = copy.deepcopy(results[0])
    if isinstance(extra, dict):  # REST: an entry naming another record
        extra.update({"key": "999999", "id": "NEVER-SENT"})
    else:
        extra.find("controlid").text = "never-sent-control-id"
    return [*results, extra]


class RewritingProxy(ForwardingProxy):
    """Forwards every request to the emulator; the results of write answers go through `rewrite`.

    XML: the `<result>` elements of an answer holding writes; REST: the entries of a batch
    create's or update's `ia::result`.
    """

    def __init__(self, upstream: str, rewrite: Rewrite) -> None:
        super().__init__(upstream)
        self.rewrite = rewrite
        self.rewritten = 0

    def answer(self, method: str, path: str, payload: bytes) -> bytes:
        if "xmlgw.phtml" in path:
            return self._xml(payload)
        if method in ("POST", "PATCH") and "/objects/" in path:
            return self._rest(payload)
        return payload

    def _xml(self, payload: bytes) -> bytes:
        root = etree.fromstring(payload)
        operation = root.find("operation")
        results = [] if operation is None else operation.findall("result")
        if not any(r.findtext("function") in WRITES for r in results):
            return payload
        assert operation is not None
        for result in results:
            operation.remove(result)
        for result in self.rewrite(results):
            operation.append(result)
        self.rewritten += 1
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _rest(self, payload: bytes) -> bytes:
        body = json.loads(payload)
        entries = body.get("ia::result") if isinstance(body, dict) else None
        if not isinstance(entries, list) or not entries:
            return payload
        body["ia::result"] = self.rewrite(entries)
        self.rewritten += 1
        return json.dumps(body).encode()


@contextmanager
def behind_proxy(config: dict[str, Any], emulator, rewrite: Rewrite) -> Iterator[dict[str, Any]]:
    """The config with every Intacct address pointing at a rewriting proxy."""
    with RewritingProxy(emulator.base_url, rewrite) as proxy:
        proxied = {**config}
        for name in ("api_url", "rest_url"):
            if name in proxied:
                proxied[name] = proxied[name].replace(emulator.base_url, proxy.url)
        yield proxied
        assert proxy.rewritten, "no write answer went through the proxy"


CUSTOMERS = [
    {"CUSTOMERID": "P-1", "NAME": "First"},
    {"CUSTOMERID": "P-2", "NAME": "Taken"},  # refused by Intacct: the ID exists (insert mode)
    {"CUSTOMERID": "P-3", "NAME": "Third"},
    {"CUSTOMERID": "P-4", "NAME": "Fourth"},
]
GOOD = ("P-1", "P-3", "P-4")
STATE = {"type": "STATE", "value": {"bookmarks": {"customers": {"n": 4}}}}


def messages(records: list[dict]) -> list[dict]:
    return [*stream_messages("customers", records, ["CUSTOMERID"]), STATE]


@pytest.mark.parametrize("transport", ["xml", "rest"])
def test_reordered_results_are_concluded_each_for_its_own_record(
    emulator, company, tmp_path, transport
):
    config = config_over(transport, emulator, company, tmp_path)
    config["streams"] = {"customers": {"sync_mode": "insert"}}
    run_target(config, stream_messages("customers", [{"CUSTOMERID": "P-2", "NAME": "Earlier"}]))
    (tmp_path / "ids.jsonl").unlink()
    earlier = record_nos(emulator, company)
    with behind_proxy(config, emulator, reverse) as proxied:
        done = run_cli(proxied, messages(CUSTOMERS), tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(record_nos(emulator, company)) == ["P-1", "P-2", "P-3", "P-4"]
    assert record_nos(emulator, company)["P-2"] == earlier["P-2"]
    ids = mapped(tmp_path / "ids.jsonl")
    assert ids == {k: v for k, v in record_nos(emulator, company).items() if k in GOOD}
    [reject] = read_jsonl(tmp_path / "rejects.jsonl")
    assert reject["key"] == {"CUSTOMERID": "P-2"}
    assert "already exists" in reject["message"]
    assert read_table(done.stderr.splitlines(), "Summary:")["customers"]["created"] == "3"
    assert state_lines(done.stdout) == [STATE["value"]]


@pytest.mark.parametrize("transport", ["xml", "rest"])
@pytest.mark.parametrize("rewrite", [drop_last, repeat_first, add_unknown])
def test_results_that_do_not_match_the_writes_stop_the_run(
    emulator, company, tmp_path, transport, rewrite
):
    config = config_over(transport, emulator, company, tmp_path)
    records = [r for r in CUSTOMERS if r["CUSTOMERID"] in GOOD]
    with behind_proxy(config, emulator, rewrite) as proxied:
        done = run_cli(proxied, messages(records), tmp_path, debug=False)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if " ERROR " in f" {line} "]
    assert len(errors) == 1, done.stderr[-3000:]
    assert "does not match" in errors[0]
    assert state_lines(done.stdout) == []  # STATE never moved past the records
    assert read_jsonl(tmp_path / "ids.jsonl") == []  # nothing concluded from that answer

    again = run_cli(config, messages(records), tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert sorted(record_nos(emulator, company)) == list(GOOD)  # each exactly once
    assert len(stored(emulator, company, "CUSTOMER")) == 3
    assert mapped(tmp_path / "ids.jsonl") == record_nos(emulator, company)
    assert state_lines(again.stdout) == [STATE["value"]]
