"""The Intacct emulator on a free port, and an in-process tap runner that captures its messages."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from connector_emulators.intacct.server import serve_in_thread
from intacct_api.client import Credentials, IntacctClient
from singer_sdk.exceptions import AbortedSyncPausedException
from tap_intacct.tap import TapIntacct

DEMO = {
    "sender_id": "demo_sender",
    "sender_password": "demo_sender_password",
    "company_id": "demo",
    "user_id": "demo_user",
    "user_password": "demo_user_password",
}


@dataclass
class Run:
    """The Singer messages of one tap run."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def state(self) -> dict[str, Any]:
        return self.states[-1]

    def streams_with_records(self) -> set[str]:
        return {m["stream"] for m in self.messages if m["type"] == "RECORD"}


def parse_messages(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line, parse_float=Decimal) for line in raw.splitlines() if line.strip()]


def _run_tap(
    config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    abort_after: dict[str, int] | None = None,
    raises: type[Exception] | None = None,
) -> Run:
    """Run a full sync in-process; `abort_after` stops a stream after N records (SDK record
    limit); with `raises`, the run must fail with that error (the messages up to it are kept)."""
    output = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(output):
        tap = TapIntacct(config=config, state=copy.deepcopy(state or {}), catalog=catalog)
        for name, limit in (abort_after or {}).items():
            tap.streams[name].ABORT_AT_RECORD_COUNT = limit
        expected = (
            pytest.raises(raises)
            if raises
            else contextlib.suppress(AbortedSyncPausedException)
            if abort_after
            else nullcontext()
        )
        with expected:
            tap.sync_all()
        output.flush()
    return Run(parse_messages(output.buffer.getvalue()))  # type: ignore[attr-defined]


def _select(catalog: dict[str, Any], *streams: str) -> dict[str, Any]:
    """A copy of `catalog` with only `streams` selected (and only those entries)."""
    chosen = copy.deepcopy([s for s in catalog["streams"] if s["tap_stream_id"] in streams])
    for entry in chosen:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = True
    return {"streams": chosen}


@pytest.fixture(scope="session")
def run_tap():
    """Run the tap in-process: `run_tap(config, state=, catalog=, abort_after=) -> Run`."""
    return _run_tap


@pytest.fixture(scope="session")
def select():
    """`select(catalog, *streams)`: a catalog of only those streams, selected."""
    return _select


@pytest.fixture(scope="session")
def demo_credentials() -> dict[str, str]:
    return dict(DEMO)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    handle = serve_in_thread(port=0, seed="demo")
    yield handle
    handle.stop()


@pytest.fixture
def reset(emulator: Any) -> Any:
    """A freshly seeded demo company (and real time) for tests that change data."""
    emulator.admin("POST", "/_emulator/reset", {"seed": "demo"})
    return emulator


@pytest.fixture
def config(emulator: Any) -> dict[str, Any]:
    return {**DEMO, "api_url": emulator.url}


@pytest.fixture(scope="session")
def demo_catalog(emulator: Any) -> dict[str, Any]:
    """Discovery of the seeded demo company, done once."""
    return TapIntacct(config={**DEMO, "api_url": emulator.url}).catalog_dict


@pytest.fixture
def client(emulator: Any) -> Iterator[IntacctClient]:
    """A protocol client for changing data between runs."""
    with IntacctClient(Credentials(**DEMO), emulator.url) as intacct:
        yield intacct


@pytest.fixture
def api_rows(emulator: Any):
    """Every row of an object as the API renders it (the emulator's admin view)."""

    def rows(obj: str, company: str = "demo") -> list[dict[str, Any]]:
        return emulator.admin("GET", f"/_emulator/records/{company}/{obj}", None)["records"]

    return rows
