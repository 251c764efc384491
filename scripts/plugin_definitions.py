"""The Meltano definitions of our four plugins, made from each plugin's `--about --format json`.

`meltano.yml` keeps each plugin's `settings` and `capabilities` exactly as this module makes them
from what the plugin itself declares (labels, descriptions, kinds, defaults, secrets, choices, the
SDK's settings it takes), so the two cannot drift: `python scripts/plugin_definitions.py` rewrites
them, `--check` fails on a difference (tests/test_project.py runs it), `--hub NAME` prints a
Meltano Hub definition of one plugin, which `meltano add --from-ref` takes in a project of one's
own (`--find-links DIR`: its pip_url finds the distributions `make dist` built in DIR).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MELTANO_YML = ROOT / "meltano.yml"
VERSION = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
VENV_BIN = Path(sys.executable).parent
# Our variant on Meltano Hub (which lists another tap-intacct), the distributions' prefix.
VARIANT = "intacct-connectors"
REPOSITORY = "https://github.com/intacct-connectors/intacct-connectors"
PLUGIN_TYPES = {
    "tap-intacct": "extractors",
    "tap-magento": "extractors",
    "target-intacct": "loaders",
    "target-magento": "loaders",
}
WORDS = {
    "api": "API", "id": "ID", "ids": "IDs", "url": "URL", "tls": "TLS", "xml": "XML",
    "rest": "REST", "oauth": "OAuth", "sku": "SKU",
}  # fmt: skip


@cache
def about(name: str) -> dict[str, Any]:
    """What the plugin's own command says about itself."""
    completed = subprocess.run(
        [str(VENV_BIN / name), "--about", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(completed.stdout))


@cache
def meltano_capabilities(plugin_type: str) -> frozenset[str]:
    """The capabilities Meltano's own project schema accepts for extractors or loaders."""
    schema_file = resources.files("meltano.schemas").joinpath("meltano.schema.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    for part in schema["$defs"]["plugins"][plugin_type]["allOf"]:
        capabilities = part.get("properties", {}).get("capabilities")
        if capabilities:
            return frozenset(capabilities["items"]["enum"])
    raise LookupError(plugin_type)


def label(text: str) -> str:
    """`sender_id` → `Sender ID`."""
    return " ".join(WORDS.get(word, word.capitalize()) for word in text.split("_"))


def setting(name: str, prop: Mapping[str, Any]) -> dict[str, Any]:
    """One Meltano setting from one property of the plugin's settings schema."""
    types = prop.get("type", "string")
    kind = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
    definition: dict[str, Any] = {"name": name, "label": prop.get("title") or label(name)}
    if prop.get("enum"):
        definition["kind"] = "options"
        definition["options"] = [
            {"label": label(str(option)), "value": option}
            for option in prop["enum"]
            if option is not None
        ]
    elif prop.get("format") == "date-time":
        definition["kind"] = "date_iso8601"
    else:
        # Meltano 4.4 reads a `decimal` setting given in the environment as a Decimal, which it
        # then cannot write into the plugin's config (TypeError: Decimal is not JSON
        # serializable): numbers are declared `integer` (whole seconds, whole counts).
        definition["kind"] = "integer" if kind == "number" else kind
    default = prop.get("default")
    if default is not None:
        whole = kind == "number" and isinstance(default, float) and default.is_integer()
        definition["value"] = int(default) if whole else default
    if prop.get("secret"):
        definition["sensitive"] = True
    definition["description"] = prop.get("description") or definition["label"]
    return definition


def settings(name: str) -> list[dict[str, Any]]:
    """Every setting the plugin takes, its own and the SDK's, in its `--about` order."""
    return [setting(key, prop) for key, prop in about(name)["settings"]["properties"].items()]


def capabilities(name: str) -> list[str]:
    """The plugin's capabilities that Meltano knows (it refuses others, e.g. validate-records)."""
    accepted = meltano_capabilities(PLUGIN_TYPES[name])
    return [c for c in about(name)["capabilities"] if c in accepted]


def project_plugin(project: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The plugin's definition in a parsed meltano.yml."""
    [plugin] = [p for p in project["plugins"][PLUGIN_TYPES[name]] if p["name"] == name]
    return dict(plugin)


def drift(project: Mapping[str, Any]) -> list[str]:
    """Where meltano.yml's definitions differ from the plugins' own, one line each."""
    problems = []
    for name in PLUGIN_TYPES:
        plugin = project_plugin(project, name)
        if plugin.get("capabilities") != capabilities(name):
            problems.append(
                f"{name}: capabilities {plugin.get('capabilities')} != {capabilities(name)}"
            )
        declared = {s["name"]: s for s in plugin.get("settings", [])}
        made = {s["name"]: s for s in settings(name)}
        problems += [
            f"{name}.{key}: meltano.yml {declared.get(key)} != {made.get(key)}"
            for key in sorted(declared.keys() | made.keys())
            if declared.get(key) != made.get(key)
        ]
        if plugin.get("variant") != VARIANT:
            problems.append(f"{name}: variant {plugin.get('variant')!r} != {VARIANT!r}")
        if plugin.get("docs") != docs(name):
            problems.append(f"{name}: docs {plugin.get('docs')!r} != {docs(name)!r}")
    return problems


def docs(name: str) -> str:
    """The plugin's README, absolute (Meltano prints it in `config list` and errors)."""
    return f"{REPOSITORY}/blob/main/{name}/README.md"


def flow(value: Any) -> str:
    """A value as one line of YAML (JSON is YAML; plain strings stay plain when safe)."""
    if (
        isinstance(value, str)
        and re.fullmatch(r"[A-Za-z_][\w .,/()+-]*", value)
        and (yaml.safe_load(value) == value)
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def settings_yaml(name: str) -> str:
    """The `settings:` block of the plugin as meltano.yml writes it, one key a line."""
    lines = ["    settings:"]
    for definition in settings(name):
        lines.append(f"    - name: {definition['name']}")
        for key, value in definition.items():
            if key == "name":
                continue
            if key == "options":
                lines.append("      options:")
                lines += [f"      - {{label: {flow(o['label'])}, value: {flow(o['value'])}}}"
                          for o in value]  # fmt: skip
            else:
                lines.append(f"      {key}: {flow(value)}")
    return "\n".join(lines) + "\n"


def rewrite(text: str) -> str:
    """meltano.yml with our plugins' variant, docs, capabilities and settings made anew."""
    for name in PLUGIN_TYPES:
        start = text.index(f"  - name: {name}\n")
        following = text.find("\n  - name: ", start + 1)
        end = len(text) if following < 0 else following
        text = text[:start] + rewrite_plugin(text[start:end], name) + text[end:]
    return text


def rewrite_plugin(block: str, name: str) -> str:
    """One plugin's part of meltano.yml made anew (the rest of it kept as written)."""
    block = re.sub(r"(?m)^    variant: .*\n", "", block)
    block = block.replace("    namespace: ", f"    variant: {VARIANT}\n    namespace: ", 1)
    block = re.sub(r"(?m)^    docs: .*$", f"    docs: {docs(name)}", block)
    listed = ", ".join(capabilities(name))
    block = re.sub(r"(?m)^    capabilities: .*$", f"    capabilities: [{listed}]", block)
    made = settings_yaml(name)
    return re.sub(r"(?ms)^    settings:\n.*?(?=^    [a-z])", lambda _: made, block)


def pip_url(name: str, find_links: str | None = None) -> str:
    """The plugin's distribution at this release, and where its wheels and the shared ones lie."""
    pinned = f"intacct-connectors-{name}=={VERSION}"
    return f"{pinned} --find-links {find_links}" if find_links else pinned


def hub_definition(name: str, find_links: str | None = None) -> dict[str, Any]:
    """The plugin as a Meltano Hub variant file would list it."""
    plugin = project_plugin(yaml.safe_load(MELTANO_YML.read_text(encoding="utf-8")), name)
    info = about(name)
    return {
        "name": name,
        "variant": VARIANT,
        "namespace": plugin["namespace"],
        "label": plugin["label"],
        "description": plugin["description"],
        "docs": docs(name),
        "repo": REPOSITORY,
        "pip_url": pip_url(name, find_links),
        "executable": name,
        "capabilities": capabilities(name),
        "settings": settings(name),
        "settings_group_validation": plugin.get("settings_group_validation", []),
        "sdk_version": info.get("sdk_version"),
    }


def main() -> int:
    """Rewrite meltano.yml, check it (`--check`) or print a Hub definition (`--hub`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when meltano.yml differs")
    parser.add_argument("--hub", metavar="PLUGIN", choices=sorted(PLUGIN_TYPES))
    parser.add_argument(
        "--find-links", metavar="DIR", help="with --hub: the folder (or page) of `make dist`"
    )
    args = parser.parse_args()
    if args.hub:
        definition = hub_definition(args.hub, args.find_links)
        print(yaml.safe_dump(definition, sort_keys=False, allow_unicode=True))
        return 0
    text = MELTANO_YML.read_text(encoding="utf-8")
    if args.check:
        problems = drift(yaml.safe_load(text))
        print("\n".join(problems) or "meltano.yml matches every plugin's --about")
        return 1 if problems else 0
    MELTANO_YML.write_text(rewrite(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
