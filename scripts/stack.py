"""`make stack`: the local stack for trying the project by hand, kept up until Ctrl-C.

Starts both emulators, freshly seeded with the demo business, on the ports the `demo` environment
of `meltano.yml` points at (8765 and 8766), and with `--postgres` a throwaway PostgreSQL server
holding the example warehouse (`docs/warehouse.sql`), whose `WAREHOUSE_*` variables go to an env
file. Earlier demo runs' bookmarks and files are cleared first, as `make demo` does, so that
every job runs against the fresh seed. Then it prints what to run in another terminal and waits.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import demo
import local_stack
from local_stack import ROOT, StackError, meltano

WAREHOUSE_DATABASE = "warehouse"
ENV_FILE = ROOT / "output" / "stack.env"


@contextlib.contextmanager
def warehouse(env_file: Path) -> Iterator[local_stack.Postgres]:
    """PostgreSQL with the example warehouse, its variables written to `env_file`."""
    with local_stack.postgres_server() as server:
        server.psql(f"create database {WAREHOUSE_DATABASE}")
        model = (ROOT / "docs" / "warehouse.sql").read_text(encoding="utf-8")
        server.psql(model, WAREHOUSE_DATABASE)
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.write_text(
            "# Written by `make stack`: the throwaway warehouse it started.\n"
            f"WAREHOUSE_HOST={server.host}\nWAREHOUSE_PORT={server.port}\n"
            f"WAREHOUSE_USER={server.user}\nWAREHOUSE_PASSWORD=trust-auth-ignores-it\n"
            f"WAREHOUSE_DATABASE={WAREHOUSE_DATABASE}\n",
            encoding="utf-8",
        )
        try:
            yield server
        finally:
            env_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Start the stack, print how to use it, and wait for Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="also start the warehouse")
    parser.add_argument("--env-file", type=Path, default=ENV_FILE, help="WAREHOUSE_* file")
    args = parser.parse_args(argv)
    for port in (demo.INTACCT_PORT, demo.MAGENTO_PORT):
        demo.require_free(port)
    if not (ROOT / ".meltano" / "extractors").is_dir():
        print("Installing the Meltano plugins (meltano install), first time only ...", flush=True)
        meltano("install", timeout=1800)
    demo.reset_demo_environment()
    with contextlib.ExitStack() as running:
        intacct, magento = running.enter_context(
            local_stack.emulators(demo.INTACCT_PORT, demo.MAGENTO_PORT)
        )
        if args.postgres:
            server = running.enter_context(warehouse(args.env_file))
        print(f"Intacct emulator  {intacct.url}/ia/xml/xmlgw.phtml (REST: {intacct.url}/ia/api/v1)")
        print(f"Magento emulator  {magento.url}/rest/V1/...")
        if args.postgres:
            print(f"PostgreSQL        {server.host}:{server.port}, database {WAREHOUSE_DATABASE}")
        print("Credentials: the README's 'Demo credentials' (meltano.yml's demo environment).")
        print("\nIn another terminal, from the repository root:")
        if args.postgres:
            print(f"  set -a; . {args.env_file}; set +a   # the warehouse's WAREHOUSE_* variables")
        for job in ("intacct-to-magento", "magento-orders-to-intacct", "intacct-payments"):
            print(f"  .venv/bin/meltano --environment=demo run {job}")
        if args.postgres:
            print("  .venv/bin/meltano --environment=demo run intacct-to-warehouse")
            print("  .venv/bin/meltano --environment=demo run warehouse-to-intacct")
        print("  .venv/bin/meltano --environment=demo test --all")
        print("\nReady; Ctrl-C stops everything.", flush=True)
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StackError as error:
        print(f"The stack did not start: {error}", file=sys.stderr)
        sys.exit(1)
