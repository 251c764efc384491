"""Airflow DAG: the Meltano job `intacct-to-warehouse` for two Intacct companies, side by side.

An example for Airflow 3 (apache-airflow-providers-standard's BashOperator); copy it into the
DAGs folder of an Airflow whose workers have this repository at PROJECT_ROOT with
`meltano install` done. Each company's task runs `meltano run <job> --state-id-suffix=<company>`,
so each keeps its own state (`<environment>:<tap>-to-<target>:<company>`), with its own Meltano
run directory (`.meltano/companies/<company>/`, linking the installed plugins), because two runs
of one plugin in one directory would read each other's config and catalog files. Credentials
come from the Airflow connection `intacct_<company>` (login = Web Services user ID, password),
which Airflow masks in logs and rendered fields. Meltano's state is where the workers'
MELTANO_DATABASE_URI points (a PostgreSQL system database shared by every worker).
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

PROJECT_ROOT = "/srv/intacct-connectors"
MELTANO = f"{PROJECT_ROOT}/.venv/bin/meltano"
MELTANO_JOB = "intacct-to-warehouse"
# company name (state ID suffix, Airflow connection intacct_<name>) → Intacct company ID
COMPANIES = {"acme": "acme", "acme_uk": "acme-uk"}

# A run directory of the company's own that shares the installed plugin virtualenvs.
RUN = """
set -euo pipefail
mkdir -p "$MELTANO_SYS_DIR_ROOT"
for kind in extractors loaders; do
  ln -sfn "{root}/.meltano/$kind" "$MELTANO_SYS_DIR_ROOT/$kind"
done
exec {meltano} --environment=prod run {job} --state-id-suffix={company}
"""

with DAG(
    dag_id="intacct_to_warehouse_per_company",
    schedule="0 * * * *",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # a company's next run waits for its last: one writer per state ID
    tags=["meltano", "intacct"],
):
    for company, company_id in COMPANIES.items():
        BashOperator(
            task_id=f"{MELTANO_JOB.replace('-', '_')}__{company}",
            bash_command=RUN.format(
                root=PROJECT_ROOT, meltano=MELTANO, job=MELTANO_JOB, company=company
            ),
            cwd=PROJECT_ROOT,
            append_env=True,  # the worker's MELTANO_DATABASE_URI, WAREHOUSE_* and INTACCT_SENDER_*
            env={
                "MELTANO_SYS_DIR_ROOT": f"{PROJECT_ROOT}/.meltano/companies/{company}",
                "TAP_INTACCT_COMPANY_ID": company_id,
                "TAP_INTACCT_USER_ID": f"{{{{ conn.intacct_{company}.login }}}}",
                "TAP_INTACCT_USER_PASSWORD": f"{{{{ conn.intacct_{company}.password }}}}",
                "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": f"intacct_{company}",
            },
        )
