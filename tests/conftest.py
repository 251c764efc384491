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

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

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
    gateway = f"{intacct.url}/ia/xml/xmlgw.phtml"
    env = {
        "MELTANO_SYS_DIR_ROOT": str(local_stack.private_meltano_dir(tmp_path / "meltano-sys")),
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
        "TAP_INTACCT_API_URL": gateway,
        "TARGET_INTACCT_API_URL": gateway,
        "TARGET_MAGENTO_BASE_URL": magento.url,
        "TARGET_MAGENTO_REJECT_FILE": str(tmp_path / "magento-rejects.jsonl"),
        "TARGET_MAGENTO_ID_MAP_FILE": str(tmp_path / "magento-id-map.json"),
        "TARGET_MAGENTO_PENDING_INVOICES_FILE": str(tmp_path / "magento-pending-invoices.json"),
        "TARGET_INTACCT_ID_MAP_FILE": str(tmp_path / "intacct-id-map.jsonl"),
        "TARGET_INTACCT_REJECT_FILE": str(tmp_path / "intacct-rejects.jsonl"),
        "TARGET_JSONL_DESTINATION_PATH": str(tmp_path / "jsonl"),
    }
    return local_stack.MeltanoProject(env)
