"""target-intacct over REST: batches of 500, lost answers, 409s, rate limits, OAuth, secrets.

The command-line tests run `target-intacct` as a subprocess at DEBUG, as a scheduler would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from target_intacct_helpers import (
    read_jsonl,
    rest_config,
    rest_token,
    run_target,
    stored,
    stream_messages,
    summary,
)
from test_secrets_and_cli import run_cli

pytestmark = pytest.mark.usefixtures("rest_journal")


def customers(count: int, prefix: str = "B") -> list[dict]:
    return [
        {"RECORDNO": n, "CUSTOMERID": f"{prefix}-{n:05d}", "NAME": f"Batch {n}", "STATUS": "active",
         "DISPLAYCONTACT.EMAIL1": f"b{n}@x.example", "WHENMODIFIED": "2026-10-01T10:00:00+00:00"}
        for n in range(1, count + 1)
    ]  # fmt: skip


def creates_sent(emulator, since: int) -> list[int]:
    """Records per REST create request since journal position `since`."""
    return [
        len(json.loads(e.request_body))
        for e in emulator.rest.journal[since:]
        if e.method == "POST" and e.path.endswith("/objects/accounts-receivable/customer")
    ]


def test_1200_customers_go_in_batches_of_500(emulator, company, tmp_path):
    since = len(emulator.rest.journal)
    target = run_target(rest_config(emulator, company, tmp_path),
                        stream_messages("customers", customers(1200), ["RECORDNO"]))  # fmt: skip
    assert summary(target, "customers")["created"] == 1200
    assert len(stored(emulator, company, "CUSTOMER")) == 1200
    assert sorted(creates_sent(emulator, since)) == [200, 500, 500]
    ids = read_jsonl(tmp_path / "ids.jsonl")
    assert len(ids) == 1200 and all(i["RECORDNO"] for i in ids)


def test_a_lost_answer_is_resent_and_lands_once(emulator, company, tmp_path):
    emulator.admin("POST", "/_emulator/faults", {"kind": "drop_connection", "when": "after",
                                                 "function": "rest.create"})  # fmt: skip
    try:
        target = run_target(rest_config(emulator, company, tmp_path),
                            stream_messages("customers", customers(30), ["RECORDNO"]))  # fmt: skip
    finally:
        emulator.admin("DELETE", "/_emulator/faults")
    rows = stored(emulator, company, "CUSTOMER")
    assert len(rows) == 30 and len({r["CUSTOMERID"] for r in rows}) == 30
    assert summary(target, "customers")["created"] == 30
    assert read_jsonl(tmp_path / "rejects.jsonl") == []


def keys_sent(emulator, since: int) -> list[str]:
    """Idempotency-Keys of the REST customer creates since journal position `since`."""
    return [
        e.idempotency_key
        for e in emulator.rest.journal[since:]
        if e.method == "POST" and e.path.endswith("/customer") and e.idempotency_key
    ]


def post_with_key(emulator, company: str, key: str, body: list[dict]) -> int:
    """Another client of `company` using `key` first, with its own body; its status."""
    rest_url = emulator.base_url + "/ia/api/v1"
    token = rest_token(emulator, company)["access_token"]
    answer = requests.post(
        rest_url + "/objects/accounts-receivable/customer", json=body, timeout=10,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )  # fmt: skip
    return answer.status_code


@pytest.mark.parametrize("there", [False, True], ids=["records-not-there", "records-there"])
def test_a_409_on_a_reused_key_is_handled(emulator, company, tmp_path, there):
    """The batch's key was used with another body: what is there is read back, the rest lands."""
    records = customers(5, prefix="K")
    messages = stream_messages("customers", records, ["RECORDNO"])
    insert = {"streams": {"customers": {"sync_mode": "insert"}}}
    since = len(emulator.rest.journal)
    run_target(rest_config(emulator, company, tmp_path / "a", **insert), messages)
    (key,) = keys_sent(emulator, since)
    other = f"{company}_b"
    body = [{"id": r["CUSTOMERID"], "name": "Written by another client"} for r in records]
    if not there:
        body = [{"id": "OTHER-1", "name": "Written by another client"}]
    assert post_with_key(emulator, other, key, body) == 201
    since = len(emulator.rest.journal)
    target = run_target(rest_config(emulator, other, tmp_path / "b", **insert), messages)
    statuses = [e.status for e in emulator.rest.journal[since:]
                if e.method == "POST" and e.path.endswith("/customer")]  # fmt: skip
    assert statuses == ([409] if there else [409, 201])
    rows = stored(emulator, other, "CUSTOMER")
    ids = sorted(r["CUSTOMERID"] for r in rows)
    assert ids == sorted([r["CUSTOMERID"] for r in records] + ([] if there else ["OTHER-1"]))
    assert read_jsonl(tmp_path / "b" / "rejects.jsonl") == []
    assert summary(target, "customers")["created"] == 5
    by_id = {r["CUSTOMERID"]: r["RECORDNO"] for r in rows}
    mapped = read_jsonl(tmp_path / "b" / "ids.jsonl")
    assert sorted((m["ID"], str(m["RECORDNO"])) for m in mapped) == sorted(
        (r["CUSTOMERID"], str(by_id[r["CUSTOMERID"]])) for r in records
    )


def test_rate_limits_are_waited_out(emulator, company, tmp_path):
    emulator.admin("POST", "/_emulator/faults", {"kind": "http_429", "function": "rest.create",
                                                 "count": 2})  # fmt: skip
    try:
        target = run_target(rest_config(emulator, company, tmp_path),
                            stream_messages("customers", customers(5), ["RECORDNO"]))  # fmt: skip
    finally:
        emulator.admin("DELETE", "/_emulator/faults")
    assert summary(target, "customers")["created"] == 5


def test_rest_alone_refuses_documents_with_what_to_do(emulator, company, tmp_path):
    invoice = {"RECORDNO": 1, "RECORDID": "INV-1", "CUSTOMERID": "C-1", "WHENCREATED": "2026-10-01",
               "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": "10.00"}]}  # fmt: skip
    settings = rest_config(emulator, company, tmp_path)
    run_target(settings, stream_messages("ar_invoices", [invoice], ["RECORDNO"]))
    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert rejects and "not found over the REST API" in json.dumps(rejects)


# --- OAuth: a token lost mid-run, a revoked refresh token, no secret out ----------------------


@pytest.fixture(autouse=True)
def no_faults(emulator):
    emulator.admin("DELETE", "/_emulator/faults")
    yield
    emulator.admin("DELETE", "/_emulator/faults")


def refreshing_config(emulator, company: str, tmp_path: Path) -> dict:
    first = rest_token(emulator, company)
    config = rest_config(emulator, company, tmp_path, oauth_grant="refresh_token",
                         refresh_token=first["refresh_token"],
                         token_file=str(tmp_path / "token.json"))  # fmt: skip
    config.pop("user_id")
    return config


def test_a_401_mid_run_gets_a_new_token_and_the_run_goes_on(emulator, company, tmp_path):
    # the access token expires after the first batch of 500 (batches go out in parallel: the
    # refused one is whichever the emulator answered second)
    emulator.admin("POST", "/_emulator/faults", {"kind": "token_expiry", "function": "rest.create",
                                                 "after": 1})  # fmt: skip
    since = len(emulator.rest.journal)
    target = run_target(refreshing_config(emulator, company, tmp_path),
                        stream_messages("customers", customers(1200, prefix="A")))  # fmt: skip
    creates = [e.status for e in emulator.rest.journal[since:]
               if e.method == "POST" and e.path.endswith("/customer")]  # fmt: skip
    assert sorted(creates) == [201, 201, 201, 401]
    assert summary(target, "customers")["created"] == 1200
    assert len(stored(emulator, company, "CUSTOMER")) == 1200
    assert read_jsonl(tmp_path / "rejects.jsonl") == []


def test_a_revoked_refresh_token_stops_with_one_line_saying_what_to_do(emulator, company, tmp_path):
    emulator.admin("POST", f"/_emulator/companies/{company}", {})
    config = refreshing_config(emulator, company, tmp_path)
    emulator.admin("POST", "/_emulator/rest/revoke", {"company": company})
    messages = stream_messages("customers", customers(2, prefix="A"))
    done = run_cli(config, messages, tmp_path, debug=False)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "authorize the client" in line]
    assert len(errors) == 1 and "Traceback" not in done.stderr
    assert "REST-2102" in errors[0] and "refresh_token" in errors[0]
    assert config["refresh_token"] not in done.stderr + done.stdout
    assert stored(emulator, company, "CUSTOMER") == []


def test_no_token_or_secret_in_debug_logs_state_or_files(emulator, company, tmp_path):
    config = refreshing_config(emulator, company, tmp_path)
    records = customers(3, prefix="A")
    records[1]["HIDEDISPLAYCONTACT"] = "true"  # no REST name: rejected over REST alone
    records[2]["COMMENTS"] = f"the secret is {config['client_secret']}"
    state = {"type": "STATE", "value": {"bookmarks": {"customers": {"n": 3}}}}
    done = run_cli(config, [*stream_messages("customers", records), state], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    logs = done.stdout + done.stderr
    # DEBUG really is on, and the requests are logged
    assert "DEBUG" in logs and "/objects/accounts-receivable/customer" in logs
    assert json.loads(done.stdout.strip().splitlines()[-1]) == state["value"]
    saved = json.loads(Path(config["token_file"]).read_text())
    tokens = emulator.rest.tokens
    held = {config["client_secret"], config["refresh_token"], *saved.values(),
            *tokens.access, *tokens.refresh}  # fmt: skip
    files = "".join(
        Path(config[name]).read_text()
        for name in ("reject_file", "id_map_file", "pending_file")
        if Path(config[name]).exists()
    )
    assert "HIDEDISPLAYCONTACT" in files and len(read_jsonl(config["reject_file"])) == 1
    for secret in (s for s in held if isinstance(s, str) and len(s) >= 12):
        assert secret not in logs and secret not in files
