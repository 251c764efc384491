"""Hostile and bad input fed to the real `target-intacct` and `target-magento` commands.

Every case is one run on its own input (next to good records that must land anyway). A bad
record must end in the reject file (or, for Magento invoices, the pending file) with a message
naming the record and the field; text full of markup and unicode must land unchanged; malformed
Singer streams must stop the run with a message that says what is wrong. The table "bad input"
lists every case and how it ended; the cases are in bad_input_cases.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import local_stack
import pytest
from bad_input_cases import CASES, Case
from resilience_support import (
    CUSTOM_FIELDS,
    intacct_config,
    magento_config,
    report,
    run_all,
    tail,
)

TABLE = "bad input (one target run per case)"
COLUMNS = ("target", "case", "ended", "message")

INTACCT_OBJECTS = {  # stream → object and the field holding the key the cases use
    "customers": ("CUSTOMER", "CUSTOMERID"),
    "journal_entries": ("GLBATCH", "BATCH_TITLE"),
    "ar_invoices": ("ARINVOICE", "RECORDID"),
}


@dataclass
class Ended:
    """How one run ended: exit code, its log, the reject and pending files, what landed."""

    case: Case
    returncode: int
    log: str
    rejects: list[dict[str, Any]]
    pending: dict[str, Any]
    landed: Callable[[str, str], dict[str, Any] | None]

    def reject_of(self, stream: str, key: str) -> dict[str, Any] | None:
        for reject in self.rejects:
            named = json.dumps([reject.get("key"), reject.get("record")], ensure_ascii=False)
            if reject.get("stream") == stream and key in named:
                return reject
        return None

    def summary(self) -> tuple[str, str]:
        if self.returncode != 0:
            errors = [line for line in self.log.splitlines() if "ERROR" in line or "rror" in line]
            return "failed run", (errors or self.log.splitlines() or [""])[-1].strip()
        if self.case.bad and (reject := self.reject_of(*self.case.bad[:2])):
            return "rejected", message_of(reject)
        if reasons := self.pending_reasons():
            return "pending", reasons[0]
        return "loaded", ""

    def pending_reasons(self) -> list[str]:
        """Why records wait in the pending file: target-magento's invoices without their order,
        target-intacct's records naming one not in Intacct yet."""
        invoices = self.pending.get("invoices", {}).values()
        refused = (
            kept for entry in self.pending.get("streams", {}).values() for kept in entry["refused"]
        )
        return [str(item.get("reason", "")) for item in (*invoices, *refused)]


def message_of(reject: dict[str, Any]) -> str:
    texts = (reject.get(k) for k in ("message", "reason", "magento_message"))
    return "; ".join(str(text) for text in texts if text)


def run_case(case: Case, index: int, emulators: Any, workdir: Path) -> Ended:
    intacct, magento = emulators
    folder = workdir / f"case-{index}"
    folder.mkdir(parents=True)
    company = f"bad{index}"
    if case.target == "target-intacct":
        intacct.post_json(f"/_emulator/companies/{company}", {"custom_fields": CUSTOM_FIELDS})
        config = intacct_config(f"{intacct.url}/ia/xml/xmlgw.phtml", company) | {
            "reject_file": str(folder / "rejects.jsonl"),
            "id_map_file": str(folder / "id-map.json"),
            "pending_file": str(folder / "pending.json"),
        }
    else:
        config = magento_config(magento.url, folder)
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    text = "".join(
        (m if isinstance(m, str) else json.dumps(m, ensure_ascii=False)) + "\n"
        for m in case.messages
    )
    completed = subprocess.run(
        [str(local_stack.VENV_BIN / case.target), "--config", str(config_path)],
        input=text,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pending_path = folder / "pending.json"

    def landed(stream: str, key: str) -> dict[str, Any] | None:
        if case.target == "target-intacct":
            object_name, field_name = INTACCT_OBJECTS[stream]
            rows = intacct.get_json(f"/_emulator/records/{company}/{object_name}")["records"]
            return next((r for r in rows if r[field_name] == key), None)
        dump = magento.get_json("/_emulator/dump")
        if stream == "customers":
            found = next((c for c in dump["customers"] if c["email"] == key), None)
            if found and found.get("addresses"):
                found = {**found["addresses"][0], **found}
            return found
        return next((p for p in dump["products"] if p["sku"] == key), None)

    return Ended(
        case,
        completed.returncode,
        completed.stdout + completed.stderr,
        local_stack.read_jsonl(folder / "rejects.jsonl"),
        local_stack.read_json(pending_path) if pending_path.exists() else {},
        landed,
    )


@pytest.fixture(scope="module")
def endings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Ended]]:
    workdir = tmp_path_factory.mktemp("bad-input")
    with local_stack.emulators() as emulators:
        results = run_all(
            list(enumerate(CASES)),
            lambda indexed, _stack: run_case(indexed[1], indexed[0], emulators, workdir),
            workdir / "unused",
            stacks=False,
        )
        for ended in results:
            how, message = ended.summary()
            report(TABLE, COLUMNS, (ended.case.target, ended.case.name, how, message[:160]))
        yield results  # the tests read the shops


@pytest.mark.parametrize(
    "index",
    [pytest.param(index, id=f"{case.target}-{case.name}") for index, case in enumerate(CASES)],
)
def test_bad_input_ends_as_expected(endings: list[Ended], index: int) -> None:
    ended = endings[index]
    case = ended.case
    if case.expect == "failed":
        assert ended.returncode != 0, "a malformed stream was accepted"
        assert case.hint in ended.log.lower(), tail(ended.log)
        return
    assert ended.returncode == 0, tail(ended.log)
    if case.expect == "pending":
        assert case.bad is not None
        words = case.bad[2]
        reasons = ended.pending_reasons()
        assert any(word in reason for reason in reasons for word in words), ended.pending
        if case.good:
            assert ended.landed(*case.good) is not None, case.good
        return
    if case.good:
        row = ended.landed(*case.good)
        assert row is not None, f"{case.good} did not land; rejects: {ended.rejects}"
        if case.expect == "loaded":
            for name, value in case.exact.items():
                assert row.get(name) == value, (name, row.get(name))
    if case.bad is None:
        assert ended.rejects == [], ended.rejects
        return
    stream, key, words = case.bad
    reject = ended.reject_of(stream, key)
    if reject is None and case.expect == "rejected or loaded intact":
        row = ended.landed(stream, key)
        assert row is not None, f"{key} neither rejected nor loaded"
        for name, value in case.exact.items():
            assert row.get(name) == value, f"{name} was altered"
        return
    assert reject is not None, f"no reject for {stream} {key}: {ended.rejects}\n{tail(ended.log)}"
    assert reject.get("field") == words[0] or any(w in message_of(reject) for w in words), reject
