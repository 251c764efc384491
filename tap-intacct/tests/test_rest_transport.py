"""tap-intacct over Sage's REST API: the same records as over XML, incremental, resumable.

Both transports read one emulator company (the REST API and the XML gateway share its store).
Every REST exchange of the module is checked against the reduced OpenAPI definition at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from intacct_api.rest.mapping import object_maps
from tap_intacct.objects import OBJECTS
from tap_intacct.tap import TapIntacct

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "openapi"))
import intacct_rest_openapi

CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}
REST_STREAMS = sorted(
    spec.stream
    for spec in OBJECTS
    if spec.object in object_maps() and not spec.docparid and not spec.function
)


@pytest.fixture(scope="module", autouse=True)
def journaled(emulator: Any) -> Any:
    with intacct_rest_openapi.checked(emulator):
        yield emulator


@pytest.fixture
def rest_config(emulator: Any) -> dict[str, Any]:
    """REST alone: no XML credentials."""
    return {
        "transport": "rest", "company_id": "demo", "user_id": "demo_user", **CLIENT,
        "rest_url": emulator.base_url + "/ia/api/v1",
    }  # fmt: skip


@pytest.fixture(scope="module")
def rest_catalog(emulator: Any) -> dict[str, Any]:
    config = {"transport": "rest", "company_id": "demo", "user_id": "demo_user", **CLIENT,
              "rest_url": emulator.base_url + "/ia/api/v1"}  # fmt: skip
    return TapIntacct(config=config).catalog_dict


def schema_of(catalog: dict[str, Any], stream: str) -> dict[str, Any]:
    entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == stream)
    return entry["schema"]["properties"]


def by_key(records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["RECORDNO"]: r for r in records if "_sdc_deleted_at" not in r}


def test_rest_serves_every_mapped_stream_and_skips_the_rest(rest_catalog, demo_catalog):
    discovered = {s["tap_stream_id"] for s in rest_catalog["streams"]}
    assert discovered == set(REST_STREAMS)
    assert len(REST_STREAMS) == 15


def test_rest_schemas_are_the_xml_schemas_of_the_mapped_fields(rest_catalog, demo_catalog):
    for stream in REST_STREAMS:
        rest, xml = schema_of(rest_catalog, stream), schema_of(demo_catalog, stream)
        assert set(rest) <= set(xml), (stream, set(rest) - set(xml))
        for name, prop in rest.items():
            assert prop == xml[name], (stream, name, prop, xml[name])
        assert "RECORDNO" in rest and "WHENMODIFIED" in rest


def test_xml_and_rest_runs_emit_the_same_records(
    reset, config, rest_config, rest_catalog, demo_catalog, run_tap, select
):
    xml_run = run_tap(config, catalog=select(demo_catalog, *REST_STREAMS))
    rest_run = run_tap(rest_config, catalog=select(rest_catalog, *REST_STREAMS))
    for stream in REST_STREAMS:
        fields = set(schema_of(rest_catalog, stream)) - {"_sdc_deleted_at"}
        xml = {k: {f: r.get(f) for f in fields} for k, r in by_key(xml_run.records(stream)).items()}
        rest = by_key(rest_run.records(stream))
        assert rest, stream
        assert rest == xml, stream
    assert rest_run.state["bookmarks"]["customers"]["replication_key_recordno"]


def test_second_rest_run_emits_only_what_changed(reset, rest_config, rest_catalog, run_tap, select):
    catalog = select(rest_catalog, "customers")
    first = run_tap(rest_config, catalog=catalog)
    keys = sorted(r["RECORDNO"] for r in first.records("customers"))
    reset.admin("POST", "/_emulator/clock", {"advance_seconds": 2})
    reset.admin("POST", "/_emulator/records/demo/CUSTOMER/touch", {"keys": keys[1:3]})
    second = run_tap(rest_config, catalog=catalog, state=first.state)
    assert sorted(r["RECORDNO"] for r in second.records("customers")) == keys[1:3]
    assert run_tap(rest_config, catalog=catalog, state=second.state).records("customers") == []


def test_rows_changed_during_a_rest_read_are_neither_lost_nor_duplicated(
    reset, rest_config, rest_catalog, select
):
    # each page asked for once the one before is read, so the edit falls between two requests
    tap = TapIntacct(
        config={**rest_config, "page_size": 3, "max_concurrency": 1, "pipeline_pages": False},
        catalog=select(rest_catalog, "customers"),
    )
    stream = tap.streams["customers"]
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        records = stream.get_records(None)
        first_page = [next(records) for _ in range(3)]
        everything = sorted(r["RECORDNO"] for r in reset.records("demo", "CUSTOMER"))
        read_already, not_read_yet = first_page[0]["RECORDNO"], int(everything[-1])
        reset.admin("POST", "/_emulator/clock", {"advance_seconds": 2})
        reset.admin("POST", "/_emulator/records/demo/CUSTOMER/touch",
                    {"keys": [read_already, not_read_yet]})  # fmt: skip
        rest = list(records)
    counts = Counter(r["RECORDNO"] for r in first_page + rest)
    assert set(counts) == {int(k) for k in everything}
    assert counts[read_already] == 2 and counts[not_read_yet] == 1


def test_rest_pages_are_the_largest_sage_allows(reset, rest_config, rest_catalog, run_tap, select):
    seen = len(reset.rest.journal)
    run_tap(rest_config, catalog=select(rest_catalog, "customers"))
    sizes = [
        json.loads(e.request_body)["size"]
        for e in reset.rest.journal[seen:]
        if e.path.endswith("/services/core/query")
    ]
    assert sizes and set(sizes) == {4000}


def test_with_xml_credentials_every_stream_and_deletes_are_read(
    reset, config, rest_config, client, demo_catalog, run_tap, select
):
    from intacct_api import functions

    created = client.call(functions.create("CUSTOMER", {"CUSTOMERID": "GONE-1", "NAME": "Gone"}))
    key = created.records()[0]["RECORDNO"]
    client.call(functions.delete("CUSTOMER", key))
    mixed = {**config, **rest_config}
    streams = [s["tap_stream_id"] for s in demo_catalog["streams"]]
    catalog = TapIntacct(config=mixed).catalog_dict
    assert {s["tap_stream_id"] for s in catalog["streams"]} == set(streams)
    run = run_tap(mixed, catalog=select(catalog, "customers", "sales_orders", "audit_history"))
    deleted = [r for r in run.records("customers") if r.get("_sdc_deleted_at")]
    assert [r["RECORDNO"] for r in deleted] == [int(key)]
    assert run.records("sales_orders") and run.records("audit_history")


def test_killed_rest_run_resumes_without_loss(reset, rest_config, rest_catalog, tmp_path, select):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**rest_config, "page_size": 2}))
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(select(rest_catalog, "customers")))
    reset.admin("POST", "/_emulator/faults", {"kind": "slow", "function": "rest.query",
                                              "delay": 0.3, "count": 100})  # fmt: skip
    command = [
        sys.executable,
        "-m",
        "tap_intacct",
        "--config",
        str(config),
        "--catalog",
        str(catalog),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env={**os.environ})
    lines: list[dict[str, Any]] = []
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(json.loads(line))
        if sum(1 for m in lines if m["type"] == "STATE") == 2:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    reset.admin("DELETE", "/_emulator/faults")
    state = [m["value"] for m in lines if m["type"] == "STATE"][-1]
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(state))
    resumed = subprocess.run(
        [*command, "--state", str(state_file)], capture_output=True, check=True, timeout=120
    )
    after = [json.loads(x) for x in resumed.stdout.splitlines() if x.strip()]
    emitted = [m["record"]["RECORDNO"] for m in lines + after if m["type"] == "RECORD"]
    expected = {int(r["RECORDNO"]) for r in reset.records("demo", "CUSTOMER")}
    assert set(emitted) == expected  # nothing lost
    before_kill = [m["record"]["RECORDNO"] for m in lines if m["type"] == "RECORD"]
    repeated = [k for k, n in Counter(emitted).items() if n > 1]
    assert set(repeated) <= set(before_kill[-2:])  # only what followed the last STATE


def test_no_token_or_secret_in_output_state_or_debug_logs(emulator, rest_config, tmp_path):
    """A refresh-token run at DEBUG: neither tokens nor the client secret leave the process."""
    import requests

    rest_url = rest_config["rest_url"]
    first = requests.post(rest_url + "/oauth2/token", timeout=10, data={
        "grant_type": "client_credentials", **CLIENT, "username": "demo_user@demo",
    }).json()  # fmt: skip
    token_file = tmp_path / "token.json"
    settings = {**rest_config, "oauth_grant": "refresh_token", "token_file": str(token_file),
                "refresh_token": first["refresh_token"]}  # fmt: skip
    settings.pop("user_id")
    config = tmp_path / "config.json"
    config.write_text(json.dumps(settings))
    env = {**os.environ, "TAP_INTACCT_LOGLEVEL": "DEBUG"}
    result = subprocess.run(
        [sys.executable, "-m", "tap_intacct", "--config", str(config)], check=False,
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert " DEBUG " in result.stderr and "/services/core/query" in result.stderr
    assert '"type":"STATE"' in result.stdout.replace(" ", "")
    saved = json.loads(token_file.read_text())
    tokens = emulator.rest.tokens
    held = {settings["client_secret"], first["refresh_token"], first["access_token"],
            *saved.values(), *tokens.access, *tokens.refresh}  # fmt: skip
    for secret in (s for s in held if isinstance(s, str) and len(s) >= 12):
        assert secret not in result.stdout and secret not in result.stderr
