"""The company-to-company round trip over REST: with XML beside it, and over REST alone."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal

import pytest
from tap_intacct.tap import TapIntacct
from target_intacct.objects import WRITE_SPECS
from target_intacct_helpers import read_jsonl, rest_config, run_target, summary
from test_round_trip import *  # noqa: F403 - the mixed round trip, collected here over REST

# the streams tap-intacct reads over REST alone that target-intacct writes
REST_STREAMS = ("locations", "departments", "gl_accounts", "product_lines", "customers",
                "contacts", "items")  # fmt: skip


pytestmark = pytest.mark.usefixtures("rest_journal")


@pytest.fixture
def config(emulator, company, tmp_path):
    return rest_config(emulator, company, tmp_path, xml=True)


def tap_messages(emulator, company: str) -> list[dict]:
    """tap-intacct over REST alone: the REST streams of `company`, as it writes them."""
    settings = {"transport": "rest", "company_id": company, "user_id": "demo_user",
                "client_id": "demo_client_id.app.sage.com", "client_secret": "demo_client_secret",
                "rest_url": emulator.base_url + "/ia/api/v1"}  # fmt: skip
    catalog = TapIntacct(config=settings).catalog_dict
    for entry in catalog["streams"]:
        selected = entry["tap_stream_id"] in REST_STREAMS
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = selected
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out):
        TapIntacct(config=settings, catalog=catalog).sync_all()
        out.flush()
    lines = out.buffer.getvalue().splitlines()  # type: ignore[attr-defined]
    return [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]


def writable_records(messages: list[dict], stream: str) -> dict[str, dict]:
    spec = WRITE_SPECS[stream]
    return {
        str(m["record"][spec.id_field]): {
            k: v for k, v in m["record"].items() if not spec.is_read_only(k) and v is not None
        }
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == stream
    }


def test_round_trip_over_rest_alone(emulator, company, tmp_path):
    """demo → an empty company, tap and target both over REST alone: the same records."""
    emulator.admin("POST", f"/_emulator/companies/{company}", {"custom_fields": CUSTOM_FIELDS})  # noqa: F405
    source = tap_messages(emulator, "demo")
    settings = rest_config(emulator, company, tmp_path)
    target = run_target(settings, source)
    assert read_jsonl(settings["reject_file"]) == []
    copied = tap_messages(emulator, company)
    for stream in REST_STREAMS:
        want, got = writable_records(source, stream), writable_records(copied, stream)
        assert want, stream
        assert got == want, stream
        assert summary(target, stream)["created"] == len(want)
    ids = read_jsonl(settings["id_map_file"])
    assert {i["stream"] for i in ids} == set(REST_STREAMS)
