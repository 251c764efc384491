"""End-to-end fixtures: the real Meltano CLI on this repository's project, the emulators as
subprocesses on free ports, and a PostgreSQL server started for the session.

`meltano install` runs once per session (it dominates the time). Every test gets its own Meltano
system database and run directory, so state never leaks between tests, and points the plugins at
its own emulators through environment variables, which take precedence over `meltano.yml`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))  # shared helpers (intacct_rows)

import local_stack  # noqa: E402


@pytest.fixture(scope="session")
def installed_plugins() -> None:
    """Every plugin of `meltano.yml` installed under `.meltano/` (fails loudly if one cannot be)."""
    local_stack.meltano("install", timeout=1200)


@pytest.fixture(scope="session")
def postgres() -> Iterator[local_stack.Postgres]:
    with local_stack.postgres_server() as server:
        yield server


@pytest.fixture
def stack() -> Iterator[tuple[local_stack.Emulator, local_stack.Emulator]]:
    """Fresh emulators seeded with the demo business, on free ports."""
    with local_stack.emulators() as running:
        yield running


@pytest.fixture
def intacct(stack: tuple[local_stack.Emulator, local_stack.Emulator]) -> local_stack.Emulator:
    return stack[0]


@pytest.fixture
def magento(stack: tuple[local_stack.Emulator, local_stack.Emulator]) -> local_stack.Emulator:
    return stack[1]


@pytest.fixture
def project(
    installed_plugins: None,
    tmp_path: Path,
    intacct: local_stack.Emulator,
    magento: local_stack.Emulator,
) -> local_stack.MeltanoProject:
    """Meltano in the demo environment, its own state, pointed at this test's emulators."""
    return local_stack.MeltanoProject(local_stack.project_env(intacct, magento, tmp_path))


@pytest.fixture
def warehouse(
    postgres: local_stack.Postgres, project: local_stack.MeltanoProject, request: Any
) -> str:
    """A fresh database for this test, which the project's WAREHOUSE_* variables point at."""
    database = "wh_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    postgres.psql(f"drop database if exists {database}")
    postgres.psql(f"create database {database}")
    project.env |= {
        "WAREHOUSE_HOST": postgres.host,
        "WAREHOUSE_PORT": str(postgres.port),
        "WAREHOUSE_USER": postgres.user,
        "WAREHOUSE_PASSWORD": "trust-auth-ignores-it",
        "WAREHOUSE_DATABASE": database,
    }
    return database
