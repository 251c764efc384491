"""The discovery cache: a second discovery asks Intacct nothing (XML and REST), and what can
change the answer (age, the settings' objects, the tap's code) asks again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tap_intacct.tap import TapIntacct

TAP = [sys.executable, "-m", "tap_intacct"]
CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}


def requests(emulator: Any) -> dict[str, Any]:
    """The emulator's request counts since the last call (then reset)."""
    stats = emulator.admin("GET", "/_emulator/stats", None)
    emulator.admin("POST", "/_emulator/stats/reset", {})
    return stats


def discover(tmp_path: Path, config: dict[str, Any]) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = subprocess.run([*TAP, "--config", str(path), "--discover"], check=False,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("transport", ["xml", "rest"])
def test_second_discovery_asks_intacct_nothing(tmp_path, emulator, config, transport):
    if transport == "rest":
        config = {
            "transport": "rest", "company_id": "demo", "user_id": "demo_user", **CLIENT,
            "rest_url": emulator.base_url + "/ia/api/v1",
        }  # fmt: skip
    cached = {**config, "discovery_cache_dir": str(tmp_path / "cache")}
    requests(emulator)
    first = discover(tmp_path, cached)
    assert requests(emulator)["requests"] > 0
    second = discover(tmp_path, cached)
    assert requests(emulator)["requests"] == 0
    assert second == first == discover(tmp_path, config)  # the cache changes nothing
    (kept,) = (tmp_path / "cache").iterdir()
    text = kept.read_text()
    for secret in ("sender_password", "user_password", "client_secret"):
        if config.get(secret):
            assert config[secret] not in text


def test_old_entries_and_new_code_ask_again(tmp_path, emulator, config, monkeypatch):
    cached = {**config, "discovery_cache_dir": str(tmp_path)}
    assert TapIntacct(config=cached).catalog_dict["streams"]
    requests(emulator)
    assert TapIntacct(config=cached).catalog_dict
    assert requests(emulator)["functions"].get("lookup", 0) == 0

    (kept,) = tmp_path.iterdir()
    entries = json.loads(kept.read_text())
    entries["CUSTOMER"]["at"] -= 86400  # a day old: the default age
    kept.write_text(json.dumps(entries))
    assert TapIntacct(config=cached).catalog_dict["streams"]
    assert requests(emulator)["functions"]["lookup"] == 1

    monkeypatch.setattr("tap_intacct.discovery.code_fingerprint", lambda: "another version")
    assert TapIntacct(config=cached).catalog_dict["streams"]
    assert requests(emulator)["functions"]["lookup"] == len(entries)
