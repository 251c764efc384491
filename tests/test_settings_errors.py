"""Missing or wrong settings, through the plugins' real commands: one line naming each setting
at fault (never a secret's value), exit status 1, no traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import local_stack
import plugin_definitions
import pytest

TAPS = ("tap-intacct", "tap-magento")
TARGETS = ("target-intacct", "target-magento")
SCHEMA = {
    "type": "SCHEMA",
    "stream": "widgets",
    "schema": {"properties": {"id": {"type": "string"}}},
}
INTACCT = {
    "sender_id": "demo_sender",
    "sender_password": "demo_sender_password",
    "company_id": "demo",
    "user_id": "demo_user",
    "user_password": "demo_user_password",
    "api_url": "http://127.0.0.1:9/ia/xml/xmlgw.phtml",  # nothing listens: no request may go out
}
MAGENTO = {"base_url": "http://127.0.0.1:9", "access_token": "t0ken-n0t-sh0wn"}
ERROR_LINE = re.compile(r"^\S+ \S+ \| ERROR +\| \S+ +\| (.*)$", re.MULTILINE)


def plugin(name: str, config: dict[str, Any], tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run a plugin's command (a target reads one SCHEMA message); exit status and stderr."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    args = args or (("--discover",) if name in TAPS else ())
    env = {k: v for k, v in os.environ.items() if "INTACCT" not in k and "MAGENTO" not in k}
    completed = subprocess.run(
        [str(local_stack.VENV_BIN / name), "--config", str(path), *args],
        input=json.dumps(SCHEMA | {"key_properties": ["id"]}) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    return completed.returncode, completed.stderr


def one_error(status: int, stderr: str) -> str:
    """The one ERROR line of a failed start (and that there is no traceback)."""
    assert status == 1, stderr
    assert "Traceback" not in stderr, stderr
    errors = ERROR_LINE.findall(stderr)
    assert len(errors) == 1, stderr
    return str(errors[0])


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("tap-intacct", "sender_id, sender_password, company_id, user_id, user_password"),
        ("target-intacct", "sender_id, sender_password, company_id, user_id, user_password"),
        ("tap-magento", "base_url is required; No Magento credentials: set access_token"),
        ("target-magento", "base_url is required; No Magento credentials: set access_token"),
    ],
)
def test_empty_config_names_every_missing_setting_in_one_line(
    name: str, named: str, tmp_path: Path
) -> None:
    args = ("--discover",) if name == "tap-intacct" else ()
    if name == "tap-magento":
        args = ("--test",)  # its catalog is fixed: discovery needs no settings
    line = one_error(*plugin(name, {}, tmp_path, *args))
    assert line.startswith("Settings: ") and named in line, line


WRONG = [
    ({"page_size": "abc"}, "page_size must be integer, got 'abc'"),
    ({"max_concurrency": 0}, "max_concurrency must be at least 1, got 0"),
    ({"transport": "soap"}, "transport must be one of xml, rest, got 'soap'"),
    ({"verify_tls": "maybe"}, "verify_tls must be boolean, got 'maybe'"),
    ({"start_date": "yesterday"}, "start_date must be an ISO 8601 date-time"),
    ({"entity_ids": "US"}, "entity_ids must be array, got 'US'"),
]


@pytest.mark.parametrize(("change", "message"), WRONG, ids=[next(iter(c)) for c, _ in WRONG])
@pytest.mark.parametrize("args", [("--discover",), ()], ids=["discover", "sync"])
def test_tap_intacct_names_a_wrong_setting_before_any_request(
    change: dict[str, Any], message: str, args: tuple[str, ...], tmp_path: Path
) -> None:
    line = one_error(*plugin("tap-intacct", INTACCT | change, tmp_path, *args))
    assert message in line, line


@pytest.mark.parametrize(
    ("name", "config", "message"),
    [
        ("target-intacct", INTACCT | {"max_concurrency": 0}, "max_concurrency must be at least 1"),
        (
            "target-intacct",
            INTACCT | {"validate_records": "no"},
            "validate_records must be boolean",
        ),
        (
            "target-intacct",
            INTACCT | {"streams": {"customers": {"sync_mode": "merge"}}},
            "streams.customers.sync_mode must be one of insert, update, upsert, got 'merge'",
        ),
        ("target-intacct", INTACCT | {"streams": {"widgets": {}}}, "set streams.widgets.sink"),
        (
            "target-intacct",
            INTACCT | {"records_per_lookup": 5000},
            "records_per_lookup must be at most 1000, got 5000",
        ),
        ("tap-magento", MAGENTO | {"page_size": 500}, "page_size must be at most 300, got 500"),
        ("tap-magento", MAGENTO | {"request_timeout": 0}, "request_timeout must be more than 0"),
        ("target-magento", MAGENTO | {"max_concurrency": 0}, "max_concurrency must be at least 1"),
        ("tap-magento", MAGENTO | {"start_date": "2024-13-01"}, "start_date must be an ISO 8601"),
        ("target-magento", MAGENTO | {"website_id": "one"}, "website_id must be integer"),
        (
            "target-magento",
            MAGENTO | {"stream_names": {"vendors": "v"}},
            "stream_names has unknown roles ['vendors']",
        ),
    ],
)
def test_wrong_setting_is_one_line_naming_it(
    name: str, config: dict[str, Any], message: str, tmp_path: Path
) -> None:
    line = one_error(*plugin(name, config, tmp_path, *(("--test",) if name in TAPS else ())))
    assert message in line, line


@pytest.mark.parametrize("name", ["tap-intacct", "target-intacct"])
def test_a_wrong_typed_secret_is_named_but_never_shown(name: str, tmp_path: Path) -> None:
    config = INTACCT | {"user_password": 98765431, "sender_password": ["s3cr3t-l1st"]}
    line = one_error(*plugin(name, config, tmp_path, *(("--test",) if name in TAPS else ())))
    assert "sender_password must be string" in line and "user_password must be string" in line
    assert "98765431" not in line and "s3cr3t" not in line


def test_unknown_stream_in_the_input_is_one_line(tmp_path: Path) -> None:
    """A stream no Intacct object matches (not in `streams`): named with the setting to add."""
    line = one_error(*plugin("target-intacct", INTACCT, tmp_path))
    assert "stream 'widgets' has no Intacct sink; set streams.widgets.sink" in line, line


@pytest.mark.parametrize("name", [*TAPS, *TARGETS])
def test_a_config_file_that_is_not_there_is_a_usage_error(name: str, tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(local_stack.VENV_BIN / name), "--config", "{}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "Invalid value for '--config': File at '{}' was not found" in completed.stderr


@pytest.fixture(scope="module")
def intacct_emulator() -> Iterator[local_stack.Emulator]:
    with local_stack.emulator("intacct-emulator") as running:
        yield running


def test_refused_login_names_the_settings_the_tap_has(
    intacct_emulator: local_stack.Emulator, tmp_path: Path
) -> None:
    """The tap's setting is entity_ids; the message names the entity, not a setting it lacks."""
    config = INTACCT | {
        "api_url": f"{intacct_emulator.url}/ia/xml/xmlgw.phtml",
        "user_password": "wrong-password",
        "entity_ids": ["US"],
    }
    line = one_error(*plugin("tap-intacct", config, tmp_path))
    assert "fix user_id/user_password/company_id" in line, line
    assert "entity_id)" not in line and "wrong-password" not in line, line


def meltano_without_credentials(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: "" for k in os.environ if "INTACCT" in k or "MAGENTO" in k}
    return local_stack.meltano("--environment=dev", *args, env=env, check=False, timeout=600)


def test_meltano_select_list_without_credentials(tmp_path: Path) -> None:
    """tap-intacct needs a login to discover: the tap's one line says which settings; tap-magento's
    catalog is fixed, so its streams are listed with no credentials at all."""
    local_stack.meltano("install", "extractor", "tap-intacct", "tap-magento", timeout=900)
    intacct = meltano_without_credentials("select", "tap-intacct", "--list")
    output = intacct.stdout + intacct.stderr
    assert intacct.returncode != 0, output
    tap_lines = [line for line in output.splitlines() if " tap-intacct " in line]
    assert any(
        "Settings: transport xml: the XML gateway needs sender_id, sender_password, company_id, "
        "user_id, user_password" in line
        for line in tap_lines
    ), output[-3000:]
    assert "KeyError" not in output and 'File "' not in "\n".join(tap_lines), output[-3000:]

    magento = meltano_without_credentials("select", "tap-magento", "--list", "--all")
    assert magento.returncode == 0, (magento.stdout + magento.stderr)[-3000:]
    assert "orders.increment_id" in magento.stdout, magento.stdout[-3000:]


def test_validate_records_false_from_the_environment_reaches_target_intacct(
    intacct_emulator: local_stack.Emulator, tmp_path: Path
) -> None:
    """`meltano invoke target-intacct` with TARGET_INTACCT_VALIDATE_RECORDS=false: a record
    breaking its stream's schema is written instead of rejected."""
    local_stack.meltano("install", "loader", "target-intacct", timeout=900)
    schema = {"properties": {"CUSTOMERID": {"type": "string"}, "NAME": {"type": "integer"}}}
    messages = [
        {
            "type": "SCHEMA",
            "stream": "customers",
            "schema": schema,
            "key_properties": ["CUSTOMERID"],
        },
        {"type": "RECORD", "stream": "customers", "record": {"CUSTOMERID": "VR-1", "NAME": "Ltd"}},
    ]

    def invoke(run: str, **env: str) -> list[dict[str, Any]]:
        variables = local_stack.project_env(intacct_emulator, None, tmp_path / run) | env
        completed = subprocess.run(
            [
                str(local_stack.VENV_BIN / "meltano"),
                "--environment=demo",
                "invoke",
                "target-intacct",
            ],
            input="".join(json.dumps(m) + "\n" for m in messages),
            cwd=local_stack.ROOT,
            env=local_stack.meltano_environment(variables),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert "Traceback" not in completed.stderr, completed.stderr[-3000:]
        stored = intacct_emulator.get_json("/_emulator/records/demo/CUSTOMER")["records"]
        return [r for r in stored if r.get("CUSTOMERID") == "VR-1"]

    assert invoke("validated") == []
    [rejected] = [
        json.loads(line) for line in (tmp_path / "validated" / "intacct-rejects.jsonl").open()
    ]
    assert rejected["field"] == "NAME" and "NAME must be integer" in rejected["message"]
    [written] = invoke("not-validated", TARGET_INTACCT_VALIDATE_RECORDS="false")
    assert written["NAME"] == "Ltd"


def wrong_value(prop: dict[str, Any]) -> Any:
    """A value of the wrong type for a setting, as a mistyped meltano.yml or JSON file gives it."""
    types = prop.get("type", "string")
    kind = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
    if prop.get("secret"):
        return 98765  # never to be shown
    if prop.get("enum"):
        return "no-such-choice"
    if prop.get("format") == "date-time":
        return "yesterday"
    return {"string": 12345, "integer": "many", "number": "slow", "boolean": "maybe"}.get(
        kind, "not-a-container"
    )


@pytest.mark.parametrize("name", [*TAPS, *TARGETS])
def test_every_setting_of_the_wrong_type_is_named_in_the_one_line(
    name: str, tmp_path: Path
) -> None:
    """Every setting `--about` lists, each given a value of the wrong type at once."""
    properties = plugin_definitions.about(name)["settings"]["properties"]
    config = {key: wrong_value(prop) for key, prop in properties.items()}
    line = one_error(*plugin(name, config, tmp_path, *(("--test",) if name in TAPS else ())))
    unnamed = [key for key in properties if not re.search(rf"(^|; |Settings: ){key} ", line)]
    assert unnamed == [], line
    assert "98765" not in line


def test_number_settings_from_the_environment_as_meltano_test_passes_them(tmp_path: Path) -> None:
    """`meltano test` runs `--config ENV`, where the SDK leaves number settings as text."""
    env = {
        **os.environ,
        "TAP_MAGENTO_BASE_URL": "http://127.0.0.1:9",
        "TAP_MAGENTO_ACCESS_TOKEN": "t0ken",
        "TAP_MAGENTO_REQUEST_TIMEOUT": "60",
        "TAP_MAGENTO_PROGRESS_SECONDS": "2.5",
    }
    command = [str(local_stack.VENV_BIN / "tap-magento"), "--config", "ENV", "--discover"]
    good = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert good.returncode == 0 and "Settings:" not in good.stderr, good.stderr
    env["TAP_MAGENTO_REQUEST_TIMEOUT"] = "slow"
    bad = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "Settings: request_timeout must be number, got 'slow'" in bad.stderr, bad.stderr
