"""A `meltano.yml` checked against Meltano's JSON schema: the one the installed Meltano ships and
check-jsonschema's copy (SchemaStore's, which follows Meltano's newest release)."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

CHECKER = Path(sys.executable).parent / "check-jsonschema"
INSTALLED_SCHEMA = Path(str(resources.files("meltano") / "schemas" / "meltano.schema.json"))


def schema_errors(meltano_yml: Path) -> str:
    """check-jsonschema's report of what breaks either schema; empty when the file is valid."""
    report = ""
    for schema in (["--schemafile", str(INSTALLED_SCHEMA)], ["--builtin-schema", "vendor.meltano"]):
        completed = subprocess.run(
            [str(CHECKER), *schema, str(meltano_yml)], capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            report += f"{' '.join(schema)}:\n{completed.stdout}{completed.stderr}"
    return report
