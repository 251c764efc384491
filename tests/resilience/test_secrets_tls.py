"""Secrets never leave the process, at DEBUG either; TLS certificates are verified by default.

The pipelines run through a small recording proxy in front of each emulator, which is how the
test learns the secrets the servers hand out (Intacct session ids, the Magento admin token) to
look for them. Everything the runs leave behind is searched: Meltano's output at
`--log-level=debug` with every plugin at DEBUG, the state, the reject files, ID maps and pending
invoices, and the Meltano system database.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import local_stack
import pytest
from connector_emulators.proxy import ForwardingProxy
from connector_emulators.tls import self_signed_certificate
from resilience_support import (
    COPY,
    SELECTION,
    Stack,
    arm,
    intacct_command_config,
    magento_config,
    report,
    stack,
    tail,
)

DEMO_SECRETS = ("demo_sender_password", "demo_user_password")
OAUTH_SETTINGS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
SECRETS_TABLE = "secrets (searched in logs at DEBUG, state, reject/id-map/pending files)"
SECRETS_COLUMNS = ("run", "secrets searched", "DEBUG lines", "places searched", "found")
TLS_TABLE = "TLS verification (self-signed https://127.0.0.1)"
TLS_COLUMNS = ("command", "verify_tls", "exit", "outcome")
DEBUG_ENV = {
    "LOGLEVEL": "DEBUG",
    "TAP_INTACCT_LOGLEVEL": "DEBUG",
    "TARGET_INTACCT_LOGLEVEL": "DEBUG",
    "TARGET_MAGENTO_LOGLEVEL": "DEBUG",
}
SESSION_ID = re.compile(rb"<sessionid>([^<]+)</sessionid>")


class RecordingProxy(ForwardingProxy):
    """Forwards every request to an upstream server and keeps the answers' bodies."""

    def __init__(self, upstream: str, tls: tuple[Path, Path] | None = None) -> None:
        super().__init__(upstream, tls)
        self.bodies: list[bytes] = []

    def answer(self, method: str, path: str, payload: bytes) -> bytes:
        self.bodies.append(payload)
        return payload

    def session_ids(self) -> set[str]:
        return {m.decode() for body in self.bodies for m in SESSION_ID.findall(body)}


def places(workdir: Path) -> list[Path]:
    """Every file a run left in its folder: rejects, ID maps, pending invoices, Meltano's db.

    `config.json` is the test's own input, which holds the secrets by design.
    """
    return [
        p
        for p in workdir.rglob("*")
        if p.is_file() and p.suffix in (".json", ".jsonl", ".db") and p.name != "config.json"
    ]


def leaks(secrets: set[str], texts: list[str], files: list[Path]) -> list[str]:
    found = [f"log/state: {s[:6]}…" for s in secrets for text in texts if s in text]
    for path in files:
        data = path.read_bytes()
        found += [f"{path.name}: {s[:6]}…" for s in secrets if s.encode() in data]
    return found


def debug_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if "debug" in line.lower()[:80])


def run_at_debug(env: dict[str, str], tap: str, target: str) -> tuple[str, str]:
    """`meltano run tap target` at DEBUG, which must succeed: its output and the state it left."""
    completed = local_stack.meltano(
        "--log-level=debug", "--environment=demo", "run", tap, target, env=env, check=False
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, tail(output)
    state_id = f"demo:{tap}-to-{target}"
    state = local_stack.meltano("--environment=demo", "state", "get", state_id, env=env).stdout
    return output, state


def assert_nothing_leaked(
    run: str, searched: str, secrets: set[str], folder: Path, output: str, *others: str
) -> None:
    """No secret in the run's output, the other texts (state) or the files left in `folder`."""
    files = places(folder)
    found = leaks(secrets, [output, *others], files)
    row = (run, searched, debug_lines(output), len(files) + 1 + len(others), len(found))
    report(SECRETS_TABLE, SECRETS_COLUMNS, row)
    assert found == []


@pytest.fixture(scope="module")
def running(installed_plugins: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with stack(tmp_path_factory.mktemp("secrets")) as shops:
        yield shops


def test_intacct_pipeline_at_debug_leaks_no_password_or_session_id(running: Stack) -> None:
    arm(running.intacct, kind="session_expiry", company=COPY, after=3)  # "Invalid session ab.."
    with RecordingProxy(running.intacct.url) as proxy:
        gateway = f"{proxy.url}/ia/xml/xmlgw.phtml"
        env = {
            **running.env("secrets"),
            **DEBUG_ENV,
            "TAP_INTACCT_API_URL": gateway,
            "TARGET_INTACCT_API_URL": gateway,
            "TAP_INTACCT__SELECT": SELECTION,
        }
        output, state = run_at_debug(env, "tap-intacct", "target-intacct")
    sessions = proxy.session_ids()
    assert len(sessions) >= 3, "expected a session per plugin and a fresh one after expiry"
    assert "POST " in output and "<password>***</password>" in output, "bodies not logged"
    assert_nothing_leaked(
        "tap-intacct → target-intacct",
        f"2 passwords + {len(sessions)} session ids",
        set(DEMO_SECRETS) | sessions,
        running.workdir,
        output,
        state,
    )


def test_magento_pipeline_at_debug_leaks_no_oauth_secret(running: Stack) -> None:
    oauth = {  # the emulator prints its integration's keys at start
        name: running.magento.printed(name.replace("_", " ") + ":").split(":", 1)[1].strip()
        for name in OAUTH_SETTINGS
    }
    env = {**running.env("secrets-magento"), **DEBUG_ENV}
    output, state = run_at_debug(env, "tap-intacct-magento", "target-magento")
    assert local_stack.read_jsonl(running.workdir / "magento-rejects.jsonl"), "no rejects to search"
    assert_nothing_leaked(
        "tap-intacct-magento → target-magento (OAuth)",
        "4 OAuth values + 2 passwords",
        set(oauth.values()) | set(DEMO_SECRETS),
        running.workdir,
        output,
        state,
    )


def test_magento_admin_token_and_password_stay_secret(running: Stack, tmp_path: Path) -> None:
    with RecordingProxy(running.magento.url) as proxy:
        config = magento_config(proxy.url, tmp_path)
        (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
        messages = [
            *TLS_INPUT["target-magento"],  # a category: needs the token
            {"type": "SCHEMA", "stream": "customers", "key_properties": ["RECORDNO"],
             "schema": {"properties": {"RECORDNO": {"type": "integer"},
                                       "CUSTOMERID": {"type": "string"},
                                       "DISPLAYCONTACT.EMAIL1": {"type": ["string", "null"]}}}},
            {"type": "RECORD", "stream": "customers",
             "record": {"RECORDNO": 1, "CUSTOMERID": "T-1", "DISPLAYCONTACT.EMAIL1": None}},
        ]  # fmt: skip
        command = [str(local_stack.VENV_BIN / "target-magento"), "--config"]
        completed = subprocess.run(
            [*command, str(tmp_path / "config.json")],
            input="".join(json.dumps(m) + "\n" for m in messages),
            capture_output=True, text=True, env=local_stack.meltano_environment(DEBUG_ENV),
            timeout=120, check=False,
        )  # fmt: skip
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, tail(output)
    tokens = {json.loads(body) for body in proxy.bodies if re.fullmatch(rb'"[0-9a-f]{32}"', body)}
    assert tokens, "the target never fetched an admin token"
    assert local_stack.read_jsonl(tmp_path / "rejects.jsonl"), "no reject to search"
    assert_nothing_leaked(
        "target-magento (admin user)",
        f"password + {len(tokens)} admin token(s)",
        tokens | {"admin123"},
        tmp_path,
        output,
    )


# --- TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1; None when openssl is absent."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("command", ["tap-intacct", "target-intacct", "target-magento"])
def test_verify_tls_is_on_by_default(command: str) -> None:
    about = subprocess.run(
        [str(local_stack.VENV_BIN / command), "--about", "--format=json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(about.stdout)["settings"]["properties"]["verify_tls"]["default"] is True


CERTIFICATE_ERROR = ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed")
TLS_INPUT = {
    "target-intacct": [
        {"type": "SCHEMA", "stream": "customers", "key_properties": ["CUSTOMERID"],
         "schema": {"properties": {"CUSTOMERID": {"type": "string"}, "NAME": {"type": "string"}}}},
        {"type": "RECORD", "stream": "customers", "record": {"CUSTOMERID": "TLS-1", "NAME": "TLS"}},
    ],
    "target-magento": [
        {"type": "SCHEMA", "stream": "product_lines", "key_properties": ["PRODUCTLINEID"],
         "schema": {"properties": {"PRODUCTLINEID": {"type": "string"},
                                   "DESCRIPTION": {"type": "string"}}}},
        {"type": "RECORD", "stream": "product_lines",
         "record": {"PRODUCTLINEID": "TLS-LINE", "DESCRIPTION": "Over TLS"}},
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("command", "verify"),
    [
        pytest.param(command, verify, id=f"{command}-verify-{'default' if verify else 'off'}")
        for command in ("tap-intacct", "target-intacct", "target-magento")
        for verify in (True, False)
    ],
)  # fmt: skip
def test_self_signed_gateway_is_refused_unless_verification_is_off(
    running: Stack,
    certificate: tuple[Path, Path] | None,
    tmp_path: Path,
    command: str,
    verify: bool,
) -> None:
    assert certificate is not None, "openssl is needed to make the test certificate"
    upstream = running.magento.url if command == "target-magento" else running.intacct.url
    with RecordingProxy(upstream, tls=certificate) as proxy:
        if command == "target-magento":
            config = magento_config(proxy.url, tmp_path)
        else:
            gateway = f"{proxy.url}/ia/xml/xmlgw.phtml"
            company = "demo" if command == "tap-intacct" else "tls"
            config = intacct_command_config(command, gateway, company, 1, tmp_path)
        if not verify:
            config["verify_tls"] = False
        (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
        completed = subprocess.run(
            [str(local_stack.VENV_BIN / command), "--config", str(tmp_path / "config.json")],
            input="".join(json.dumps(m) + "\n" for m in TLS_INPUT.get(command, [])),
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    output = completed.stdout + completed.stderr
    refused = next((word for word in CERTIFICATE_ERROR if word in output), None)
    report(
        TLS_TABLE,
        TLS_COLUMNS,
        (command, "default (true)" if verify else "false", completed.returncode,
         f"refused: {refused}" if refused else "connected and ran"),
    )  # fmt: skip
    if verify:
        assert completed.returncode != 0 and refused, tail(output)
    else:
        assert completed.returncode == 0 and not refused, tail(output)
        if command == "tap-intacct":
            assert '"type":"RECORD"' in completed.stdout.replace(" ", "")
