"""Input lines that are not readable Singer messages, through the `target-intacct` command: each
is rejected with its line number and reason, and the records around it are written."""

from __future__ import annotations

import json
from pathlib import Path

from connector_runtime.progress import read_table
from target_intacct_helpers import emulator_records, read_jsonl, run_command, stream_messages

GOOD = [{"CUSTOMERID": "U-1", "NAME": "Before Ltd"}, {"CUSTOMERID": "U-2", "NAME": "After Ltd"}]


def record_line(record_json: str) -> bytes:
    return b'{"type": "RECORD", "stream": "customers", "record": ' + record_json.encode() + b"}\n"


def test_bad_lines_are_rejected_by_number_and_the_rest_is_written(
    emulator, company, config, tmp_path
):
    schema, before, after = (json.dumps(m).encode() + b"\n" for m in stream_messages(
        "customers", GOOD, ["CUSTOMERID"]))  # fmt: skip
    bad = [
        record_line(r'{"CUSTOMERID": "U-SURROGATE", "NAME": "x\ud800y"}'),  # line 3
        record_line('{"CUSTOMERID": "U-LATIN1", "NAME": "M\xfcller"}').replace(
            "ü".encode(), b"\xfc"
        ),
        b'{"type": "RECORD", "stream": "customers", "record": {"CUSTOMERID": "U-CU\n',  # cut
        b"[1, 2]\n",
        b'{"stream": "customers", "record": {"CUSTOMERID": "U-NOTYPE"}}\n',
    ]
    done = run_command(config, schema + before + b"".join(bad) + after, tmp_path)
    logs = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0, logs[-3000:]
    written = sorted(r["CUSTOMERID"] for r in emulator_records(emulator, company, "CUSTOMER"))
    assert written == ["U-1", "U-2"]

    rejects = {r["line"]: r for r in read_jsonl(config["reject_file"])}
    assert sorted(rejects) == [3, 4, 5, 6, 7]
    surrogate = rejects[3]
    assert (surrogate["stream"], surrogate["key"], surrogate["field"]) == (
        "customers",
        {"CUSTOMERID": "U-SURROGATE"},
        "NAME",
    )
    assert surrogate["message"] == "input line 3: NAME holds a lone surrogate escape"
    assert surrogate["record"] == {"CUSTOMERID": "U-SURROGATE", "NAME": "x\\ud800y"}
    latin1 = rejects[4]
    assert (latin1["field"], latin1["key"]) == ("NAME", {"CUSTOMERID": "U-LATIN1"})
    assert latin1["message"] == "input line 4: NAME holds text that is not valid UTF-8"
    assert rejects[5]["message"] == "input line 5: ends before its JSON does (a truncated line)"
    assert rejects[5]["text"].startswith('{"type": "RECORD", "stream": "customers"')
    assert rejects[6]["message"] == "input line 6: is not a JSON object (a Singer message is one)"
    assert rejects[7]["message"] == "input line 7: has no message type"
    assert {r["stream"] for r in rejects.values()} == {"customers", "(input)"}
    assert "Rejected customers record" in logs and "input line 3: NAME holds" in logs
    # one table at the end: a stream a row, the run's total last
    assert logs.count("| Summary: 2 streams, 7 records") == 1
    summary = read_table(logs.splitlines(), "Summary:")
    assert list(summary) == ["(input)", "customers", "total"]
    assert (summary["customers"]["created"], summary["customers"]["rejected"]) == ("2", "3")
    assert (summary["(input)"]["created"], summary["(input)"]["rejected"]) == ("0", "2")
    assert (summary["total"]["created"], summary["total"]["rejected"]) == ("2", "5")
    assert "Traceback" not in logs


def test_a_file_given_with_input_is_read_the_same_way(emulator, company, config, tmp_path):
    schema, before, after = (json.dumps(m).encode() + b"\n" for m in stream_messages(
        "customers", GOOD, ["CUSTOMERID"]))  # fmt: skip
    source = tmp_path / "input.jsonl"
    source.write_bytes(schema + before + b"\xff\xfe not json\n" + after)
    done = run_command(config, b"", tmp_path, "--input", str(source))
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    written = sorted(r["CUSTOMERID"] for r in emulator_records(emulator, company, "CUSTOMER"))
    assert written == ["U-1", "U-2"]
    (reject,) = read_jsonl(Path(config["reject_file"]))
    assert reject["line"] == 3
    assert reject["message"] == "input line 3: is not valid UTF-8 (byte 1)"
    assert reject["text"] == "\\xff\\xfe not json"
