"""The project under Dagster (orchestrate/dagster/definitions.py, dagster-meltano): two Intacct
companies' warehouse loads side by side, Meltano's state in a PostgreSQL system database."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import local_stack
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from intacct_api import functions
from intacct_api.client import IntacctClient
from intacct_rows import DEMO_CREDENTIALS, emulator_counts

DEFINITIONS = local_stack.ROOT / "orchestrate" / "dagster" / "definitions.py"
JOB = "intacct_to_warehouse_per_company"
COMPANY_STEPS = ["intacct_to_warehouse__demo", "intacct_to_warehouse__second"]
# Two streams keep the runs short; a company's `env` may hold any Meltano variable.
STREAMS = ["customers", "ar_invoices"]
SELECT = json.dumps([f"{stream}.*" for stream in STREAMS])


def companies_file(path: Path) -> Path:
    """Company `demo` (the seeded one) and `second`, whose password comes from the environment."""
    path.write_text(
        yaml.safe_dump(
            {
                "jobs": ["intacct-to-warehouse"],
                "companies": [
                    {
                        "name": "demo",
                        "env": {
                            "TAP_INTACCT__SELECT": SELECT,
                            "TAP_INTACCT_COMPANY_ID": "demo",
                            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "intacct_demo",
                        },
                    },
                    {
                        "name": "second",
                        "env": {
                            "TAP_INTACCT__SELECT": SELECT,
                            "TAP_INTACCT_COMPANY_ID": "second",
                            "TAP_INTACCT_USER_PASSWORD": "${SECOND_INTACCT_USER_PASSWORD}",
                            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "intacct_second",
                        },
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def test_two_companies_load_side_by_side_under_dagster_with_their_own_state_in_postgres(
    project: local_stack.MeltanoProject,
    intacct: local_stack.Emulator,
    postgres: local_stack.Postgres,
    warehouse: str,
    tmp_path: Path,
) -> None:
    # The second company: its own custom field (so its catalog differs) and two customers.
    intacct.post_json(
        "/_emulator/companies/second",
        {"custom_fields": [{"object": "CUSTOMER", "name": "REGION_CODE", "datatype": "TEXT"}]},
    )
    second = dataclasses.replace(DEMO_CREDENTIALS, company_id="second")
    with IntacctClient(second, api_url=f"{intacct.url}/ia/xml/xmlgw.phtml") as client:
        client.call(
            functions.create(
                "CUSTOMER",
                [
                    {"CUSTOMERID": "S-1", "NAME": "Second One", "REGION_CODE": "NORTH"},
                    {"CUSTOMERID": "S-2", "NAME": "Second Two", "REGION_CODE": "SOUTH"},
                ],
            )
        )
    postgres.psql("drop database if exists meltano_state")
    postgres.psql("create database meltano_state")
    dagster_home = tmp_path / "dagster-home"
    dagster_home.mkdir()
    env = project.env | {
        "MELTANO_DATABASE_URI": (
            f"postgresql+psycopg://{postgres.user}@{postgres.host}:{postgres.port}/meltano_state"
        ),
        "DAGSTER_HOME": str(dagster_home),
        "INTACCT_COMPANIES_FILE": str(companies_file(tmp_path / "companies.yml")),
        "SECOND_INTACCT_USER_PASSWORD": DEMO_CREDENTIALS.user_password,
    }

    completed = subprocess.run(
        [
            str(local_stack.VENV_BIN / "dagster"),
            "job",
            "execute",
            "-f",
            str(DEFINITIONS),
            "-j",
            JOB,
        ],
        cwd=local_stack.ROOT,
        env=local_stack.meltano_environment(env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]

    # The seeded company's rows landed in its schema, the second's customers in its own.
    expected = emulator_counts(intacct)
    for stream in STREAMS:
        rows = postgres.rows(f"select count(*) from intacct_demo.{stream}", warehouse)
        assert int(rows[0][0]) == expected[stream] > 0, stream
    assert postgres.rows(
        'select "CUSTOMERID", "REGION_CODE" from intacct_second.customers order by 1', warehouse
    ) == [["S-1", "NORTH"], ["S-2", "SOUTH"]]
    demo_columns = postgres.rows(
        "select column_name from information_schema.columns "
        "where table_schema = 'intacct_demo' and table_name = 'customers'",
        warehouse,
    )
    assert ["REGION_CODE"] not in demo_columns

    # Meltano's state: one row per company in the PostgreSQL system database, bookmarks apart.
    state = {
        row[0]: json.loads(row[1])
        for row in postgres.rows("select state_id, completed_state from state", "meltano_state")
    }
    assert sorted(state) == [
        "demo:tap-intacct-to-target-postgres:demo",
        "demo:tap-intacct-to-target-postgres:second",
    ]
    demo_state = state["demo:tap-intacct-to-target-postgres:demo"]["singer_state"]["bookmarks"]
    second_state = state["demo:tap-intacct-to-target-postgres:second"]["singer_state"]["bookmarks"]
    assert demo_state["customers"] != second_state["customers"]
    assert demo_state["ar_invoices"]["replication_key_value"]
    assert "replication_key_value" not in second_state.get("ar_invoices", {})

    # The two companies' steps overlapped: each started before the other finished.
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        (run,) = instance.get_runs()
        assert run.status == DagsterRunStatus.SUCCESS
        events = [e for e in instance.all_logs(run.run_id) if e.dagster_event is not None]
        started = {
            e.step_key: e.timestamp
            for e in events
            if e.dagster_event_type == DagsterEventType.STEP_START
        }
        finished = {
            e.step_key: e.timestamp
            for e in events
            if e.dagster_event_type == DagsterEventType.STEP_SUCCESS
        }
    assert max(started[s] for s in COMPANY_STEPS) < min(finished[s] for s in COMPANY_STEPS)
    # The second company's password was read from the environment, never stored by Dagster.
    for path in dagster_home.rglob("*"):
        if path.is_file():
            assert DEMO_CREDENTIALS.user_password.encode() not in path.read_bytes(), path
