"""Packaging: one version for every package (the VERSION file), and every plugin reports it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VERSION = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
PACKAGES = sorted(path.parent.name for path in ROOT.glob("*/pyproject.toml"))
PLUGINS = ["tap-intacct", "tap-magento", "target-intacct", "target-magento"]


def distribution_name(package: str) -> str:
    with (ROOT / package / "pyproject.toml").open("rb") as document:
        return str(tomllib.load(document)["project"]["name"])


def test_the_packages_are_the_makefiles() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [line] = [line for line in makefile.splitlines() if line.startswith("PACKAGES :=")]
    assert sorted(line.split(":=")[1].split()) == PACKAGES


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_takes_its_version_from_the_version_file(package: str) -> None:
    with (ROOT / package / "pyproject.toml").open("rb") as document:
        pyproject = tomllib.load(document)
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "../VERSION"
    # The installed (editable) distribution carries it too.
    assert metadata.version(distribution_name(package)) == VERSION


@pytest.mark.parametrize("plugin", PLUGINS)
def test_every_plugin_reports_the_version(plugin: str) -> None:
    """`--version` and `--about` name the plugin's distribution version, not "could not be
    detected" (singer-sdk looks the version up by `package_name`)."""
    executable = str(Path(sys.executable).parent / plugin)
    printed = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert printed.strip() == f"{plugin} v{VERSION}, Meltano SDK v{metadata.version('singer-sdk')}"
    about = subprocess.run(
        [executable, "--about", "--format=json"], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(about)["version"] == VERSION


def test_the_documented_pins_are_the_version() -> None:
    """The pip_urls the READMEs and docs give pin the current version."""
    pin = re.compile(r"intacct-connectors-[a-z-]+==(\d[^\s`]*)")
    documents = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("*/README.md")]
    pins = {
        str(doc.relative_to(ROOT)): pin.findall(doc.read_text(encoding="utf-8"))
        for doc in documents
    }
    assert pins["README.md"] and pins["docs/quickstart.md"]
    assert {found for found_in in pins.values() for found in found_in} == {VERSION}
