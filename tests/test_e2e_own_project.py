"""Our plugins in a Meltano project of a user's own, added as the quickstart says: `meltano init`
in an empty folder, `make dist` into a folder of it, each plugin's definition printed by
`scripts/plugin_definitions.py --hub NAME --find-links ...` (one pip_url: its distribution and
that folder) and added with `meltano add --from-ref`, which installs it; then runs against the
emulators. tap-jsonl and target-jsonl come from PyPI, defined as in this repository.

The build and the installs happen once for the module; each test gets fresh emulators.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import local_stack
import pytest
import yaml
from intacct_rows import DEMO_CREDENTIALS, emulator_counts, emulator_rows
from meltano_schema import schema_errors

ROOT = Path(__file__).resolve().parents[1]
VERSION = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
OURS = {
    "extractors": ["tap-intacct", "tap-magento"],
    "loaders": ["target-intacct", "target-magento"],
}
FROM_PYPI = {"extractors": ["tap-jsonl"], "loaders": ["target-jsonl"]}
WHEELS = "${MELTANO_PROJECT_ROOT}/wheels"


def pyproject(package_dir: str) -> dict[str, Any]:
    with (ROOT / package_dir / "pyproject.toml").open("rb") as document:
        return dict(tomllib.load(document)["project"])


PACKAGE_DIRS = {
    pyproject(path.parent.name)["name"]: path.parent.name for path in ROOT.glob("*/pyproject.toml")
}


def ours_installed_with(distribution: str) -> set[str]:
    """A distribution of ours and those of ours it needs, directly or through another."""
    needed = {distribution}
    for requirement in pyproject(PACKAGE_DIRS[distribution])["dependencies"]:
        if requirement in PACKAGE_DIRS:
            needed |= ours_installed_with(requirement)
    return needed


def add_ours(root: Path, definitions: Path) -> None:
    """Each of our plugins from its printed Hub definition; `meltano add` installs it."""
    for plugin_type, names in OURS.items():
        for name in names:
            printed = subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "plugin_definitions.py"),
                 "--hub", name, "--find-links", WHEELS],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            definition = definitions / f"{name}.yml"
            definition.write_text(printed, encoding="utf-8")
            local_stack.meltano(
                "add", "--plugin-type", plugin_type[:-1], name, "--from-ref", str(definition),
                cwd=root,
            )  # fmt: skip


def add_from_pypi(project: dict[str, Any]) -> None:
    """tap-jsonl and target-jsonl as this repository defines them, without its config."""
    repository = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))["plugins"]
    for plugin_type, names in FROM_PYPI.items():
        for definition in repository[plugin_type]:
            if definition["name"] in names:
                plugin = {key: value for key, value in definition.items() if key != "config"}
                project["plugins"][plugin_type].append(plugin)


@dataclass
class OwnProject:
    root: Path
    plugins: dict[str, list[dict[str, Any]]]

    def definition(self, name: str) -> tuple[str, dict[str, Any]]:
        for plugin_type, group in self.plugins.items():
            for plugin in group:
                if plugin["name"] == name:
                    return plugin_type, plugin
        raise KeyError(name)

    def project(self, env: dict[str, str] | None = None) -> local_stack.MeltanoProject:
        return local_stack.MeltanoProject(dict(env or {}), root=self.root)


@pytest.fixture(scope="module")
def own_project(tmp_path_factory: pytest.TempPathFactory) -> OwnProject:
    base = tmp_path_factory.mktemp("own-project")
    root = base / "warehouse-sync"
    local_stack.meltano("init", "--no-usage-stats", str(root), cwd=base)
    subprocess.run(
        ["make", "-s", "dist", f"DIST={root / 'wheels'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    add_ours(root, base)
    meltano_yml = root / "meltano.yml"
    project = yaml.safe_load(meltano_yml.read_text(encoding="utf-8"))
    add_from_pypi(project)
    meltano_yml.write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    local_stack.meltano("install", cwd=root, timeout=1200)
    return OwnProject(root, project["plugins"])


@pytest.fixture
def emulators() -> Iterator[tuple[local_stack.Emulator, local_stack.Emulator]]:
    with local_stack.emulators() as running:
        yield running


def intacct_env(prefix: str, intacct: local_stack.Emulator) -> dict[str, str]:
    """The demo login for tap-intacct or target-intacct, the way a user sets it: variables."""
    credentials = DEMO_CREDENTIALS
    return {
        f"{prefix}_API_URL": f"{intacct.url}/ia/xml/xmlgw.phtml",
        f"{prefix}_SENDER_ID": credentials.sender_id,
        f"{prefix}_SENDER_PASSWORD": credentials.sender_password,
        f"{prefix}_COMPANY_ID": credentials.company_id,
        f"{prefix}_USER_ID": credentials.user_id,
        f"{prefix}_USER_PASSWORD": credentials.user_password,
    }


def test_make_dist_builds_every_package_at_the_one_version(own_project: OwnProject) -> None:
    built = sorted(path.name for path in (own_project.root / "wheels").iterdir())
    expected = []
    for name in PACKAGE_DIRS:
        stem = name.replace("-", "_")
        expected += [f"{stem}-{VERSION}-py3-none-any.whl", f"{stem}-{VERSION}.tar.gz"]
    assert built == sorted(expected)


def test_meltano_yml_of_the_new_project_validates(own_project: OwnProject) -> None:
    assert not schema_errors(own_project.root / "meltano.yml")


@pytest.mark.parametrize("plugin", [name for group in OURS.values() for name in group])
def test_one_pip_url_installs_the_plugin_with_the_packages_it_shares(
    own_project: OwnProject, plugin: str
) -> None:
    plugin_type, definition = own_project.definition(plugin)
    distribution = pyproject(plugin)["name"]
    assert definition["pip_url"] == f"{distribution}=={VERSION} --find-links {WHEELS}"
    site = next(
        (own_project.root / ".meltano" / plugin_type / plugin / "venv").glob("lib/*/site-packages")
    )
    installed = sorted(path.name for path in site.glob("intacct_connectors_*.dist-info"))
    assert installed == sorted(
        f"{name.replace('-', '_')}-{VERSION}.dist-info"
        for name in ours_installed_with(distribution)
    )

    printed = own_project.project().meltano("invoke", plugin, "--version").output
    assert re.search(
        rf"^{plugin} v{re.escape(VERSION)}, Meltano SDK v\d+\.\d+\.\d+$", printed, re.M
    )


@pytest.mark.parametrize("plugin", [name for group in OURS.values() for name in group])
def test_config_list_shows_every_setting_with_its_label_and_default(
    own_project: OwnProject, plugin: str
) -> None:
    _, definition = own_project.definition(plugin)
    listed = local_stack.meltano("config", "list", plugin, "--all", cwd=own_project.root).stdout
    lines = listed.splitlines()
    settings = definition["settings"]
    assert all(setting.get("label") for setting in settings)
    assert any("value" in setting for setting in settings)
    for setting in settings:
        [at] = [i for i, text in enumerate(lines) if text.startswith(f"{setting['name']} ")]
        default = setting.get("value")
        assert lines[at].endswith(f"current value: {default!r} (default)"), lines[at]
        assert lines[at + 1] == f"\t{setting['label']}: {setting['description']}"


def test_meltano_add_custom_takes_the_one_pip_url(own_project: OwnProject, tmp_path: Path) -> None:
    """The documented `meltano add --custom` answers (namespace, pip_url, executable,
    capabilities, no settings) make a plugin that installs and runs."""
    root = tmp_path / "added"
    local_stack.meltano("init", "--no-usage-stats", str(root), cwd=tmp_path)
    pip_url = (
        f"intacct-connectors-target-magento=={VERSION} --find-links {own_project.root / 'wheels'}"
    )
    answers = f"target_magento\n{pip_url}\ntarget-magento\nabout,stream-maps\n\n"
    local_stack.meltano(
        "add", "--plugin-type", "loader", "--custom", "target-magento", cwd=root, answers=answers
    )

    [added] = yaml.safe_load((root / "meltano.yml").read_text(encoding="utf-8"))["plugins"][
        "loaders"
    ]
    assert added["pip_url"] == pip_url
    printed = local_stack.meltano("invoke", "target-magento", "--version", cwd=root).stdout
    assert printed.startswith(f"target-magento v{VERSION}, Meltano SDK v")


def test_tap_intacct_into_target_jsonl(
    own_project: OwnProject, emulators: Any, tmp_path: Path
) -> None:
    intacct, _ = emulators
    streams = ["customers", "items", "ar_invoices"]
    env = intacct_env("TAP_INTACCT", intacct) | {
        "TAP_INTACCT__SELECT": json.dumps([f"{stream}.*" for stream in streams]),
        "TARGET_JSONL_DESTINATION_PATH": str(tmp_path),
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
    }

    run = own_project.project(env).run("tap-intacct", "target-jsonl", environment="dev")

    expected = {
        stream: count for stream, count in emulator_counts(intacct).items() if stream in streams
    }
    assert run.record_counts() == expected
    for stream, count in expected.items():
        [written] = tmp_path.glob(f"{stream}*.jsonl")
        assert len(local_stack.read_jsonl(written)) == count, stream


def test_tap_magento_into_target_jsonl(
    own_project: OwnProject, emulators: Any, tmp_path: Path
) -> None:
    _, magento = emulators
    env = {
        "TAP_MAGENTO_BASE_URL": magento.url,
        "TAP_MAGENTO_USERNAME": "admin",
        "TAP_MAGENTO_PASSWORD": "admin123",
        "TAP_MAGENTO__SELECT": '["orders.*"]',
        "TARGET_JSONL_DESTINATION_PATH": str(tmp_path),
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
    }

    run = own_project.project(env).run("tap-magento", "target-jsonl", environment="dev")

    orders = len(magento.get_json("/_emulator/dump")["orders"])
    assert orders > 0
    assert run.record_counts() == {"orders": orders}
    [written] = tmp_path.glob("orders*.jsonl")
    assert len(local_stack.read_jsonl(written)) == orders


def test_tap_jsonl_into_target_intacct(
    own_project: OwnProject, emulators: Any, tmp_path: Path
) -> None:
    intacct, _ = emulators
    export = tmp_path / "customers.jsonl"
    customers = [
        {"CUSTOMERID": "OWN-1", "NAME": "Own Project One"},
        {"CUSTOMERID": "OWN-2", "NAME": "Own Project Two"},
    ]
    export.write_text("".join(json.dumps(row) + "\n" for row in customers), encoding="utf-8")
    env = intacct_env("TARGET_INTACCT", intacct) | {
        "TAP_JSONL_PATH": str(export),
        "TAP_JSONL_STREAM_NAME": "customers",
        "TAP_JSONL_PRIMARY_KEYS": '["CUSTOMERID"]',
        "TARGET_INTACCT_REJECT_FILE": str(tmp_path / "rejects.jsonl"),
        "TARGET_INTACCT_ID_MAP_FILE": str(tmp_path / "id-map.jsonl"),
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
    }

    run = own_project.project(env).run("tap-jsonl", "target-intacct", environment="dev")

    assert run.record_counts() == {"customers": 2}
    stored = {row["CUSTOMERID"]: row["NAME"] for row in emulator_rows(intacct, "CUSTOMER")}
    assert {key: stored.get(key) for key in ("OWN-1", "OWN-2")} == {
        row["CUSTOMERID"]: row["NAME"] for row in customers
    }
    assert local_stack.read_jsonl(tmp_path / "rejects.jsonl") == []
