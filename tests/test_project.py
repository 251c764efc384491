"""The Meltano project file: valid for Meltano's schema, documented, and free of inline secrets
outside the `demo` environment."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from meltano_schema import schema_errors

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
    """`meltano install` must never need Meltano Hub: no variants, every pip_url explicit."""
    for plugin in all_plugins(load_project()):
        if "inherit_from" in plugin:
            continue
        assert "variant" not in plugin, plugin["name"]
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


PLUGIN_CLASSES = {
    "tap-intacct": "tap_intacct.tap:TapIntacct",
    "tap-magento": "tap_magento.tap:TapMagento",
    "target-intacct": "target_intacct.target:TargetIntacct",
    "target-magento": "target_magento.target:TargetMagento",
}


def own_settings(plugin_name: str) -> dict[str, Any]:
    """The settings a plugin declares itself, read in a fresh interpreter.

    --about adds the SDK's capability settings, and so does a plugin instance to its class.
    """
    module, name = PLUGIN_CLASSES[plugin_name].split(":")
    code = (
        f"import json; from {module} import {name}; "
        f"print(json.dumps({name}.config_jsonschema['properties']))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return dict(json.loads(completed.stdout))


@pytest.mark.parametrize("plugin_name", sorted(PLUGIN_CLASSES))
def test_our_plugins_declare_exactly_the_settings_they_accept(plugin_name: str) -> None:
    """meltano.yml lists every setting the plugin declares, no other; secrets are sensitive."""
    [plugin] = [p for p in all_plugins(load_project()) if p["name"] == plugin_name]
    declared = {setting["name"]: setting for setting in plugin["settings"]}
    accepted = own_settings(plugin_name)
    # `stream_maps` is the SDK's (capability stream-maps), declared for the jobs that rename
    assert set(declared) - {"stream_maps"} == set(accepted)
    for name, prop in accepted.items():
        assert declared[name].get("sensitive", False) == prop.get("secret", False), name
