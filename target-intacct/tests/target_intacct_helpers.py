"""Helpers for target-intacct tests: Singer messages, an in-process target run, emulator reads."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
import simplejson
from intacct_api.envelope import flatten_record
from target_intacct.target import TargetIntacct

SENDER_ID = "demo_sender"
SENDER_PASSWORD = "demo_sender_password"
USER_ID = "demo_user"
USER_PASSWORD = "demo_user_password"


def base_config(emulator, company: str, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "sender_id": SENDER_ID,
        "sender_password": SENDER_PASSWORD,
        "company_id": company,
        "user_id": USER_ID,
        "user_password": USER_PASSWORD,
        "api_url": emulator.url,
        "request_timeout": 5,
        "reject_file": str(tmp_path / "rejects.jsonl"),
        "id_map_file": str(tmp_path / "ids.jsonl"),
        "pending_file": str(tmp_path / "pending.json"),
        **extra,
    }


REST_CLIENT = {"client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret"}
XML_CREDENTIALS = ("sender_id", "sender_password", "user_password", "api_url")


def rest_config(emulator, company: str, tmp_path: Path, *, xml: bool = False, **extra: Any):
    """The base config over REST; with `xml`, the XML credentials too (for legacy objects)."""
    config = base_config(emulator, company, tmp_path, **extra)
    if not xml:
        config = {k: v for k, v in config.items() if k not in XML_CREDENTIALS}
    return {**config, **REST_CLIENT, "transport": "rest",
            "rest_url": emulator.base_url + "/ia/api/v1"}  # fmt: skip


def rest_token(emulator, company: str) -> dict[str, Any]:
    """A client-credentials token answer for `demo_user@company` (its refresh token too)."""
    form = {"grant_type": "client_credentials", **REST_CLIENT, "username": f"demo_user@{company}"}
    answer = requests.post(emulator.base_url + "/ia/api/v1/oauth2/token", data=form, timeout=10)
    return answer.json()


def _json_type(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": ["boolean", "null"]}
    if isinstance(value, int | float | Decimal):
        return {"type": ["number", "null"]}
    if isinstance(value, list):
        return {"type": ["array", "null"]}
    if isinstance(value, dict):
        return {"type": ["object", "null"]}
    return {"type": ["string", "null"]}


def schema_for(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for record in records:
        for name, value in record.items():
            if value is not None:
                properties.setdefault(name, _json_type(value))
    for name in properties:
        if name == "_sdc_deleted_at":
            properties[name] = {"type": ["string", "null"], "format": "date-time"}
    return {"type": "object", "properties": properties}


def stream_messages(
    stream: str, records: Sequence[Mapping[str, Any]], key_properties: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """A SCHEMA message (types taken from the records) followed by one RECORD per record."""
    schema = {
        "type": "SCHEMA",
        "stream": stream,
        "schema": schema_for(records),
        "key_properties": list(key_properties),
    }
    return [schema, *({"type": "RECORD", "stream": stream, "record": dict(r)} for r in records)]


def run_target(config: Mapping[str, Any], messages: Iterable[Mapping[str, Any]]) -> TargetIntacct:
    """Run the target in-process on the messages, as `target-intacct` would on stdin."""
    target = TargetIntacct(config=dict(config), validate_config=True)
    text = "".join(simplejson.dumps(m, use_decimal=True, default=str) + "\n" for m in messages)
    target.listen(io.StringIO(text))
    return target


def run_command(
    config: Mapping[str, Any], stdin: bytes, folder: Path, *extra: str
) -> subprocess.CompletedProcess[bytes]:
    """The `target-intacct` command on the input bytes, with the config written to `folder`."""
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(dict(config)))
    return subprocess.run(
        [sys.executable, "-m", "target_intacct.target", "--config", str(config_path), *extra],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def emulator_records(emulator, company: str, obj: str) -> list[dict[str, Any]]:
    """What the emulator stores for an object, read through its admin route."""
    return emulator.admin("GET", f"/_emulator/records/{company}/{obj}", None)["records"]


def stored(emulator, company: str, obj: str) -> list[dict[str, Any]]:
    """The emulator's records of an object, nested fields flattened (`DISPLAYCONTACT.EMAIL1`)."""
    return [flatten_record(r) for r in emulator_records(emulator, company, obj)]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.exists():
        return []
    # JSON lines end at "\n" only: a value may hold U+0085 or U+2028, which splitlines splits at
    return [json.loads(line) for line in path.read_text().split("\n") if line.strip()]


def summary(target: TargetIntacct, stream: str) -> dict[str, int]:
    return dict(target.report.counts.get(stream, {}))


def config_over(transport: str, emulator, company: str, tmp_path: Path) -> dict[str, Any]:
    """The base config over `transport`: xml, or rest (REST alone)."""
    if transport == "rest":
        return rest_config(emulator, company, tmp_path)
    return base_config(emulator, company, tmp_path)


def record_nos(emulator, company: str, obj: str = "CUSTOMER", key: str = "CUSTOMERID"):
    """What the emulator holds: each record's key → its RECORDNO."""
    return {str(r[key]): str(r["RECORDNO"]) for r in stored(emulator, company, obj)}


def mapped(id_map_file: str | Path, key: str = "CUSTOMERID") -> dict[str, Any]:
    """The ID map's latest RECORDNO per source key (the file grows run after run)."""
    return {e["source_key"][key]: e["RECORDNO"] for e in read_jsonl(id_map_file)}
