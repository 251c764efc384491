"""`meltano test --all` on the demo environment: every extractor's `test` command (`--test`, one
record per stream) passes against the emulators, the warehouse and an export file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import local_stack
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEST_LINE = re.compile(r"^(\S+):test\.* (\w+)$", re.MULTILINE)


def test_meltano_test_all_passes_with_the_services_up(
    project: local_stack.MeltanoProject,
    intacct: local_stack.Emulator,
    postgres: local_stack.Postgres,
    tmp_path: Path,
) -> None:
    postgres.psql("drop database if exists plugin_tests")
    postgres.psql("create database plugin_tests")
    postgres.psql((ROOT / "docs" / "warehouse.sql").read_text(encoding="utf-8"), "plugin_tests")
    export = tmp_path / "exports" / "customers.jsonl"
    export.parent.mkdir()
    export.write_text(json.dumps({"CUSTOMERID": "T-1", "NAME": "Test"}) + "\n", encoding="utf-8")
    project.env |= {
        "WAREHOUSE_HOST": postgres.host,
        "WAREHOUSE_PORT": str(postgres.port),
        "WAREHOUSE_USER": postgres.user,
        "WAREHOUSE_PASSWORD": "trust-auth-ignores-it",
        "WAREHOUSE_DATABASE": "plugin_tests",
        "TAP_JSONL_PATH": str(export),
    }

    run = project.meltano("--environment=demo", "test", "--all")  # raises unless all pass

    outcomes = dict(TEST_LINE.findall(run.output))
    extractors = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))["plugins"][
        "extractors"
    ]
    assert outcomes == {plugin["name"]: "success" for plugin in extractors}, run.output[-3000:]
