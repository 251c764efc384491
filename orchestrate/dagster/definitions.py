"""Dagster definitions of this Meltano project, through dagster-meltano.

Every job and schedule of `meltano.yml` becomes a Dagster job and schedule
(`load_jobs_from_meltano_project`). With a companies file (`companies.yml` beside this file, or
the path in `INTACCT_COMPANIES_FILE`), each Meltano job it lists runs instead as one Dagster job
per company set: one `meltano run <job>` per company, side by side, each with its own state ID
suffix (the company's name) and its own Meltano run directory.

    dagster dev -f orchestrate/dagster/definitions.py
    dagster job execute -f orchestrate/dagster/definitions.py -j intacct_to_warehouse_per_company

Meltano's state lives where `MELTANO_DATABASE_URI` (or `MELTANO_STATE_BACKEND_URI`) points in
the Dagster process's environment, which every run inherits: a PostgreSQL system database when
runs happen on more than one process or machine.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from dagster import (
    Definitions,
    JobDefinition,
    OpDefinition,
    OpExecutionContext,
    ScheduleDefinition,
    job,
    op,
)
from dagster_meltano import MeltanoResource, meltano_resource
from dagster_meltano.generation import load_jobs_from_meltano_project
from dagster_meltano.utils import generate_dagster_name

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("MELTANO_PROJECT_ROOT") or HERE.parents[1])
COMPANIES_FILE = Path(os.environ.get("INTACCT_COMPANIES_FILE") or HERE / "companies.yml")
COMPANY_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Installed plugins, shared by every company's own Meltano system directory.
SHARED_SYS_DIRS = ("extractors", "loaders", "mappers", "utilities")

# dagster-meltano's resource is a singleton: this first instance, with the `meltano` of the
# interpreter running Dagster, is the one its jobs and ours use.
_bin = Path(sys.executable).with_name("meltano")
MELTANO = MeltanoResource(
    project_dir=str(PROJECT_ROOT), meltano_bin=str(_bin) if _bin.exists() else "meltano"
)


class CompaniesFileError(ValueError):
    """The companies file is not what `companies.example.yml` describes."""


@dataclass(frozen=True)
class Company:
    """One Intacct company: its name (the state ID suffix) and the variables of its runs."""

    name: str
    env: dict[str, str]

    def resolved_env(self) -> dict[str, str]:
        """The run's variables, `${NAME}` read from the environment now.

        Secrets so stay out of the file and out of Dagster's run storage.
        """

        def value(key: str, text: str) -> str:
            def lookup(match: re.Match[str]) -> str:
                if match.group(1) not in os.environ:
                    raise CompaniesFileError(
                        f"company {self.name}: {key} refers to ${{{match.group(1)}}}, "
                        "which is not set in the environment"
                    )
                return os.environ[match.group(1)]

            return REFERENCE.sub(lookup, text)

        return {key: value(key, text) for key, text in self.env.items()}


def load_companies(path: Path) -> tuple[list[str], list[Company]]:
    """The Meltano jobs to run per company, and the companies, from the companies file."""
    document: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    jobs, entries = document.get("jobs"), document.get("companies")
    if not isinstance(jobs, list) or not all(isinstance(name, str) for name in jobs):
        raise CompaniesFileError(f"{path}: `jobs` must be a list of Meltano job names")
    if not isinstance(entries, list) or not entries:
        raise CompaniesFileError(f"{path}: `companies` must be a non-empty list")
    companies = []
    for number, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not COMPANY_NAME.match(name):
            raise CompaniesFileError(
                f"{path}: company {number}: `name` must be lower case letters, digits and _ "
                f"(it is the state ID suffix), got {name!r}"
            )
        env = entry.get("env") or {}
        if not isinstance(env, dict):
            raise CompaniesFileError(f"{path}: company {name}: `env` must be a mapping")
        companies.append(Company(name, {str(k): str(v) for k, v in env.items()}))
    names = [company.name for company in companies]
    if len(set(names)) != len(names):
        raise CompaniesFileError(f"{path}: company names repeat: {names}")
    return jobs, companies


def company_sys_dir(company: Company) -> Path:
    """A Meltano system directory of the company's own, sharing the installed plugins.

    Meltano writes a run's plugin config, catalog and state files under `<sys dir>/run/<plugin>/`,
    so two companies' runs of one plugin in one sys dir would read each other's files.
    """
    base = Path(os.environ.get("MELTANO_SYS_DIR_ROOT") or PROJECT_ROOT / ".meltano")
    path = base / "companies" / company.name
    path.mkdir(parents=True, exist_ok=True)
    for name in SHARED_SYS_DIRS:
        link = path / name
        if (base / name).is_dir() and not link.exists():
            link.symlink_to((base / name).resolve(), target_is_directory=True)
    return path


def company_op(meltano_job: str, company: Company) -> OpDefinition:
    """`meltano run <job> --state-id-suffix=<company>` with the company's variables."""

    @op(
        name=f"{generate_dagster_name(meltano_job)}__{company.name}",
        description=f"Runs the Meltano job `{meltano_job}` for company `{company.name}`.",
        tags={"kind": "meltano", "company": company.name},
        required_resource_keys={"meltano"},
    )
    def run_for_company(context: OpExecutionContext) -> None:
        env = {"MELTANO_SYS_DIR_ROOT": str(company_sys_dir(company)), **company.resolved_env()}
        command = f"run {meltano_job} --state-id-suffix={company.name}"
        context.resources.meltano.execute_command(command, env, context.log)

    return run_for_company


def per_company_job(meltano_job: str, companies: list[Company]) -> JobDefinition:
    """The job once for every company, in parallel."""

    @job(
        name=f"{generate_dagster_name(meltano_job)}_per_company",
        description=f"Runs the Meltano job `{meltano_job}` once per company, side by side.",
        resource_defs={"meltano": meltano_resource},
    )
    def for_every_company() -> None:
        for company in companies:
            company_op(meltano_job, company)()

    return for_every_company


def migrate_system_database() -> None:
    """`meltano upgrade database` before anything else runs Meltano.

    dagster-meltano runs `meltano job list` and `meltano schedule list` at once, and Meltano
    migrates its system database at the start of each command: on a new PostgreSQL database both
    would create the same tables and one fails. Migrating first makes theirs no-ops.
    """
    completed = subprocess.run(
        [MELTANO.meltano_bin, "upgrade", "database"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-20:])
        raise RuntimeError(f"`meltano upgrade database` exited {completed.returncode}:\n{tail}")


def definitions() -> Definitions:
    """The project's jobs and schedules; those of the companies file's jobs run per company."""
    migrate_system_database()
    loaded = load_jobs_from_meltano_project(str(PROJECT_ROOT))
    jobs = [d for d in loaded if isinstance(d, JobDefinition)]
    schedules = [d for d in loaded if isinstance(d, ScheduleDefinition)]
    if not COMPANIES_FILE.exists():
        return Definitions(jobs=jobs, schedules=schedules)
    per_company, companies = load_companies(COMPANIES_FILE)
    known = {generate_dagster_name(name): name for name in per_company}
    unknown = set(known) - {d.name for d in jobs}
    if unknown:
        raise CompaniesFileError(f"{COMPANIES_FILE}: no Meltano job {sorted(unknown)}")
    replaced = {name: per_company_job(job, companies) for name, job in known.items()}
    jobs = [replaced.get(d.name, d) for d in jobs]
    schedules = [
        ScheduleDefinition(
            name=f"{s.name}_per_company",
            job=replaced[s.job_name],
            cron_schedule=s.cron_schedule,
            default_status=s.default_status,
        )
        if s.job_name in replaced
        else s
        for s in schedules
    ]
    return Definitions(jobs=jobs, schedules=schedules)


defs = definitions()
