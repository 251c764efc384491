"""`intacct-emulator serve --port PORT [--db PATH] [--seed demo|none] [--records N] ...`."""

from __future__ import annotations

import argparse
import logging
import sys

from .gateway import Latency
from .server import IntacctEmulator


def main(argv: list[str] | None = None) -> int:
    """Run the `intacct-emulator` command."""
    parser = argparse.ArgumentParser(
        prog="intacct-emulator", description="Local Sage Intacct XML gateway emulator."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the gateway on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    serve.add_argument("--seed", default="demo", choices=("demo", "none"))
    options = (
        ("--records", int, 0, "synthetic customers added to the demo company"),
        ("--journal-lines", int, 0, "synthetic journal entry lines (two per GLBATCH) added"),
        ("--session-timeout", float, 3600.0, "idle seconds before a session expires"),
        ("--resultid-ttl", float, 1800.0, "idle seconds before a readMore resultId expires"),
        ("--latency-base", float, 0.0, "seconds every gateway answer takes"),
        ("--latency-per-row", float, 0.0, "more seconds per row a read answers"),
        ("--latency-per-record", float, 0.0, "more seconds per record a write writes"),
    )
    for flag, kind, default, text in options:
        serve.add_argument(flag, type=kind, default=default, help=text)
    serve.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    emulator = IntacctEmulator(
        args.port,
        db_path=args.db,
        seed_kind=None if args.seed == "none" else args.seed,
        records=args.records,
        session_timeout=args.session_timeout,
        resultid_ttl=args.resultid_ttl,
        journal_lines=args.journal_lines,
        latency=Latency(args.latency_base, args.latency_per_row, args.latency_per_record),
    )
    print(f"Intacct emulator listening on {emulator.url}", flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
