"""The Meltano project file: valid for Meltano's schema, documented, and free of inline secrets
outside the `demo` environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import plugin_definitions
import pytest
import yaml
from meltano_schema import schema_errors
from singer_rejects.settings import InvalidSettingsError
from tap_intacct.tap import TapIntacct
from tap_magento.tap import TapMagento
from target_intacct.target import TargetIntacct
from target_magento.target import TargetMagento

ROOT = Path(__file__).resolve().parents[1]
MELTANO_YML = ROOT / "meltano.yml"
ENV_REFERENCE = re.compile(r"^\$\{[A-Z][A-Z0-9_]*\}$")


def load_project() -> dict[str, Any]:
    return yaml.safe_load(MELTANO_YML.read_text(encoding="utf-8"))


def all_plugins(project: dict[str, Any]) -> list[dict[str, Any]]:
    return [plugin for group in project["plugins"].values() for plugin in group]


def test_meltano_yml_validates_against_meltano_schema() -> None:
    assert not schema_errors(MELTANO_YML)


def test_every_plugin_is_fully_defined_and_pinned() -> None:
    """`meltano install` must never need Meltano Hub: every pip_url explicit; only our own
    plugins name a variant (ours), which Meltano does not look up for a plugin defined in full."""
    for plugin in all_plugins(load_project()):
        if "inherit_from" in plugin:
            continue
        ours = plugin["name"] in plugin_definitions.PLUGIN_TYPES
        assert plugin.get("variant") == (plugin_definitions.VARIANT if ours else None), plugin[
            "name"
        ]
        assert plugin["namespace"], plugin["name"]
        pip_url = plugin["pip_url"]
        assert plugin["executable"], plugin["name"]
        for requirement in pip_url.split():
            if requirement == "-e":
                continue
            assert requirement.startswith("${MELTANO_PROJECT_ROOT}/") or "==" in requirement, (
                f"{plugin['name']}: {requirement} is neither a path in this repository nor pinned"
            )


def test_every_setting_has_a_kind_and_a_description() -> None:
    for plugin in all_plugins(load_project()):
        for setting in plugin.get("settings", []):
            where = f"{plugin['name']}.{setting['name']}"
            assert setting.get("kind"), where
            assert setting.get("description"), where


def test_secrets_are_never_inline_outside_the_demo_environment() -> None:
    project = load_project()
    for plugin in all_plugins(project):
        sensitive = {s["name"] for s in plugin.get("settings", []) if s.get("sensitive")}
        for name, value in (plugin.get("config") or {}).items():
            if name in sensitive:
                assert ENV_REFERENCE.match(str(value)), f"{plugin['name']}.{name} is inline"
    for environment in project["environments"]:
        if environment["name"] == "demo":
            continue
        assert not environment.get("config"), f"{environment['name']} holds inline config"


def test_jobs_and_schedules_refer_to_defined_plugins_and_jobs() -> None:
    project = load_project()
    plugin_names = {plugin["name"] for plugin in all_plugins(project)}
    job_names = {job["name"] for job in project["jobs"]}
    for job in project["jobs"]:
        for task in job["tasks"]:
            assert set(task.split()) <= plugin_names, f"{job['name']}: {task}"
    for schedule in project["schedules"]:
        assert schedule["job"] in job_names, schedule["name"]
    intervals = {schedule["job"]: schedule["interval"] for schedule in project["schedules"]}
    assert intervals["intacct-payments"] == "*/5 * * * *"
    assert intervals["intacct-to-magento"] == "@hourly"


def test_meltano_yml_definitions_match_each_plugins_about() -> None:
    """Labels, descriptions, kinds, defaults, secrets, choices and capabilities as the plugins
    declare them (`scripts/plugin_definitions.py` rewrites them), the SDK's settings included."""
    assert plugin_definitions.drift(load_project()) == []


def test_a_definition_that_drifts_is_caught() -> None:
    project = load_project()
    [plugin] = [p for p in project["plugins"]["loaders"] if p["name"] == "target-intacct"]
    [setting] = [s for s in plugin["settings"] if s["name"] == "validate_records"]
    setting["kind"] = "string"
    del setting["value"]
    assert plugin_definitions.drift(project) == [
        "target-intacct.validate_records: meltano.yml "
        f"{setting} != {plugin_definitions.setting('validate_records', VALIDATE_RECORDS)}"
    ]


VALIDATE_RECORDS = {
    "type": ["boolean", "null"],
    "title": "Validate Records",
    "default": True,
    "description": "Whether to validate the schema of the incoming streams.",
}
PLUGIN_CLASSES: dict[str, Any] = {
    "tap-intacct": TapIntacct,
    "tap-magento": TapMagento,
    "target-intacct": TargetIntacct,
    "target-magento": TargetMagento,
}
GROUP_VALUES = {
    "transport": "rest",
    "oauth_grant": "refresh_token",
    "base_url": "https://shop.test",
}


def settings_check(name: str, config: dict[str, Any]) -> None:
    """The plugin's settings check alone (a tap builds no streams, so asks nothing of a server)."""
    extra = {"setup_mapper": False} if name.startswith("tap-") else {}
    PLUGIN_CLASSES[name](config=config, validate_config=True, **extra)


@pytest.mark.parametrize("name", sorted(PLUGIN_CLASSES))
def test_settings_groups_are_each_a_way_in_with_nothing_to_spare(name: str, tmp_path: Path) -> None:
    """Each settings_group_validation group alone passes the plugin's own check, and the check
    fails when any one of the group's settings is missing."""
    [plugin] = [p for p in all_plugins(load_project()) if p["name"] == name]
    groups = plugin["settings_group_validation"]
    assert groups
    files = {"reject_file": str(tmp_path / "rejects.jsonl"), "id_map_file": str(tmp_path / "ids")}
    for group in groups:
        config = {key: GROUP_VALUES.get(key, f"value-of-{key}") for key in group}
        settings_check(name, config | (files if name.startswith("target-") else {}))
        for missing in group:
            with pytest.raises(InvalidSettingsError):
                rest = {k: v for k, v in config.items() if k != missing}
                settings_check(name, rest | (files if name.startswith("target-") else {}))


def project_copy(tmp_path: Path) -> Path:
    shutil.copy(MELTANO_YML, tmp_path / "meltano.yml")
    return tmp_path


def meltano(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "meltano"), "--environment=dev", *args],
        cwd=project,
        env={**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return completed.stdout


def test_meltano_config_set_stores_sdk_settings_typed(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    meltano(project, "config", "set", "target-intacct", "validate_records", "false")
    meltano(project, "config", "set", "target-intacct", "batch_size_rows", "250")
    meltano(project, "config", "set", "tap-intacct", "flattening_enabled", "true")
    stored = yaml.safe_load((project / "meltano.yml").read_text(encoding="utf-8"))
    [dev] = [e for e in stored["environments"] if e["name"] == "dev"]
    config = {p["name"]: p["config"] for group in dev["config"]["plugins"].values() for p in group}
    assert config["target-intacct"] == {"validate_records": False, "batch_size_rows": 250}
    assert config["tap-intacct"] == {"flattening_enabled": True}


def test_sdk_settings_from_the_environment_reach_the_plugin_typed(tmp_path: Path) -> None:
    env = {"TARGET_INTACCT_VALIDATE_RECORDS": "false", "TAP_INTACCT_FLATTENING_MAX_DEPTH": "2"}
    target = json.loads(
        meltano(project_copy(tmp_path), "config", "print", "target-intacct", env=env)
    )
    tap = json.loads(meltano(project_copy(tmp_path), "config", "print", "tap-intacct", env=env))
    assert target["validate_records"] is False
    assert tap["flattening_max_depth"] == 2
