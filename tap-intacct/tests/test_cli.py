"""The command line: settings, login failures, the catalog path, and singer-check-tap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tap_intacct.objects import OBJECTS

TAP = [sys.executable, "-m", "tap_intacct"]


def write_config(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TAP, *args], check=False, capture_output=True, text=True, timeout=timeout
    )


def test_about_lists_every_setting_and_marks_secrets():
    about = json.loads(run_cli("--about", "--format", "json").stdout)
    settings = about["settings"]["properties"]
    for name in ("sender_id", "sender_password", "company_id", "user_id", "user_password",
                 "api_url", "start_date", "entity_ids", "timezone", "page_size",
                 "lookback_seconds", "extra_objects", "verify_tls", "request_timeout",
                 "max_retries", "transport", "rest_url", "client_id", "client_secret",
                 "oauth_grant", "refresh_token", "token_file"):  # fmt: skip
        assert name in settings, name
    for secret in ("sender_password", "user_password", "client_secret", "refresh_token"):
        assert settings[secret].get("secret") is True, secret
    assert settings["api_url"]["default"] == "https://api.intacct.com/ia/xml/xmlgw.phtml"
    assert settings["rest_url"]["default"] == "https://api.intacct.com/ia/api/v1"
    assert settings["transport"]["default"] == "xml"
    assert settings["page_size"]["maximum"] == 4000  # REST's; XML's 2000 is checked at start


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [("sender_password", "sender_password"), ("user_password", "user_password")],
)
def test_wrong_password_gives_one_clear_line(tmp_path, config, wrong, hint):
    secret = "not-the-password-xyz"
    path = write_config(tmp_path, {**config, wrong: secret})
    for mode in (["--discover"], []):
        result = run_cli("--config", str(path), *mode)
        assert result.returncode != 0
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if "ERROR" in line or hint in line]
        assert len(errors) == 1, result.stderr
        assert hint in errors[0]
        assert secret not in result.stderr


def test_a_two_digit_year_preference_is_refused_with_what_to_change(
    tmp_path, emulator, config, demo_catalog
):
    """MM/DD/YY cannot be read back exactly (which century?): the tap says what to change."""
    emulator.admin("POST", "/_emulator/companies/demo", {"dateformat": "/mdy"})
    try:
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(demo_catalog))
        path = write_config(tmp_path, config)
        result = run_cli("--config", str(path), "--catalog", str(catalog))
    finally:
        emulator.admin("POST", "/_emulator/companies/demo", {"dateformat": "/mdY"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert "two-digit year" in errors[0] and "user's preferences" in errors[0]
    assert '"type":"RECORD"' not in result.stdout.replace(" ", "")


def lookups(emulator: Any) -> int:
    stats = emulator.admin("GET", "/_emulator/stats", None)
    return int(stats["functions"].get("lookup", 0))


def test_a_given_catalog_is_used_without_lookup_calls(emulator, config, demo_catalog, run_tap):
    before = lookups(emulator)
    run = run_tap(config, catalog=demo_catalog)
    assert lookups(emulator) == before
    assert run.records("customers")


def test_discovery_asks_lookup_once_per_object(emulator, config):
    from tap_intacct.tap import TapIntacct

    before = lookups(emulator)
    assert TapIntacct(config=config).catalog_dict["streams"]
    objects = [spec for spec in OBJECTS if not spec.function]  # reports declare their fields
    assert lookups(emulator) - before == len(objects)


def singer_tools_venv() -> Path:
    """A virtualenv with singer-tools (it pins old jsonschema, so never in the project's venv)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = home / "tap-intacct-tests" / "singer-tools-venv"
    checker = target / "bin" / "singer-check-tap"
    if checker.exists():
        return target
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    install = subprocess.run(
        [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "singer-tools",
         "setuptools<81"],
        check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if install.returncode != 0 or not checker.exists():
        pytest.skip(
            f"pip could not install singer-tools from the registry: {install.stderr[-400:]}"
        )
    return target


def check_with_singer_tools(checker: Path, config: Path, state: Path | None = None) -> str:
    """Pipe one tap run into `singer-check-tap` (stdin mode: its `--tap` mode reads the tap's
    output on a thread it never joins, so it can report before reading anything)."""
    args = [str(Path(sys.executable).with_name("tap-intacct")), "--config", str(config)]
    if state is not None:
        args += ["--state", str(state)]
    tap = subprocess.run(args, check=False, capture_output=True, timeout=300)
    assert tap.returncode == 0, tap.stderr[-2000:]
    result = subprocess.run(  # in the test's folder: the checker writes a data folder there
        [str(checker)], check=False, input=tap.stdout, capture_output=True, timeout=300,
        cwd=config.parent,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    return tap.stdout.decode()


def test_singer_check_tap_accepts_the_output(tmp_path, emulator, config):
    checker = singer_tools_venv() / "bin" / "singer-check-tap"
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    path = write_config(tmp_path, {**config, "start_date": "2000-01-01T00:00:00Z"})
    first = check_with_singer_tools(checker, path)
    assert '"stream":"customers"' in first
    states = [json.loads(line)["value"] for line in first.splitlines() if '"type":"STATE"' in line]
    state = tmp_path / "state.json"
    state.write_text(json.dumps(states[-1]))
    again = check_with_singer_tools(checker, path, state)
    reports = {spec.stream for spec in OBJECTS if spec.function}  # full table every run
    records = [json.loads(line) for line in again.splitlines() if '"type":"RECORD"' in line]
    assert {m["stream"] for m in records} == reports


def messages_of(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_test_mode_reads_one_record_per_stream_without_errors(tmp_path, reset, config):
    path = write_config(tmp_path, {**config, "start_date": "2000-01-01T00:00:00Z"})
    result = run_cli("--config", str(path), "--test")
    assert result.returncode == 0, result.stderr[-2000:]
    assert " ERROR " not in result.stderr and "Traceback" not in result.stderr
    records = [m for m in messages_of(result.stdout) if m["type"] == "RECORD"]
    per_stream = Counter(m["stream"] for m in records)
    assert set(per_stream.values()) == {1}
    assert {"customers", "sales_orders", "trial_balances"} <= set(per_stream)

    schema_only = run_cli("--config", str(path), "--test=schema")
    assert schema_only.returncode == 0, schema_only.stderr[-2000:]
    assert {m["type"] for m in messages_of(schema_only.stdout)} == {"SCHEMA"}


def test_discovery_output_is_sorted_and_repeatable(tmp_path, reset, config):
    path = write_config(tmp_path, config)
    first, second = (run_cli("--config", str(path), "--discover") for _ in range(2))
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stdout == second.stdout
    names = [s["tap_stream_id"] for s in json.loads(first.stdout)["streams"]]
    assert names == sorted(names)


STATE_KEYS = {
    "replication_key", "replication_key_value", "replication_key_recordno",
    "deletes_bookmark", "deletes_bookmark_recordno",
}  # fmt: skip


def test_secrets_and_session_ids_are_nowhere_in_output_state_or_debug_logs(tmp_path, reset, config):
    sessions_before = set(reset.gateway.sessions)
    path = write_config(tmp_path, {**config, "entity_ids": ["US", "EU"]})
    env = {**os.environ, "TAP_INTACCT_LOGLEVEL": "DEBUG"}
    result = subprocess.run(
        [*TAP, "--config", str(path)], check=False, capture_output=True, text=True,
        timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert " DEBUG " in result.stderr and "getAPISession" in result.stderr  # requests logged
    sessions = set(reset.gateway.sessions) - sessions_before
    assert len(sessions) >= 3  # top level (discovery) and one per entity
    for secret in (config["sender_password"], config["user_password"], *sessions):
        assert secret not in result.stdout
        assert secret not in result.stderr
    states = [m["value"] for m in messages_of(result.stdout) if m["type"] == "STATE"]
    for stream, bookmark in states[-1]["bookmarks"].items():
        for partition in bookmark.get("partitions", []):
            assert set(partition) - {"context"} <= STATE_KEYS, stream
            assert partition["context"] in ({"entity_id": "US"}, {"entity_id": "EU"})
        assert set(bookmark) - {"partitions"} <= STATE_KEYS, stream


def test_records_are_buffered_when_python_is_told_not_to_buffer(tmp_path, reset, config):
    """Under `python -u` stdout's bytes layer is raw: records still leave in large writes."""
    code = "from tap_intacct.output import singer_stdout; print(type(singer_stdout()).__name__)"
    kind = subprocess.run([sys.executable, "-u", "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    assert kind.stdout.strip() == "BufferedWriter"
    path = write_config(tmp_path, config)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run([*TAP, "--config", str(path)], check=False, capture_output=True,
                            text=True, timeout=300, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    messages = messages_of(result.stdout)
    assert messages[-1]["type"] == "STATE"
    buffered_env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    usual = subprocess.run([*TAP, "--config", str(path)], check=True, capture_output=True,
                           text=True, timeout=300, env=buffered_env)  # fmt: skip
    records = [m for m in messages if m["type"] == "RECORD"]
    assert records and len(records) == sum(m["type"] == "RECORD" for m in messages_of(usual.stdout))
