"""`intacct-emulator serve --port PORT [--db PATH] [--seed demo|none] [--records N]`."""

from __future__ import annotations

import argparse
import logging
import sys

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
    serve.add_argument(
        "--records", type=int, default=0, help="synthetic customers added to the demo company"
    )
    serve.add_argument(
        "--session-timeout",
        type=float,
        default=3600.0,
        help="idle seconds before a session expires",
    )
    serve.add_argument(
        "--resultid-ttl",
        type=float,
        default=1800.0,
        help="idle seconds before a readMore resultId expires",
    )
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
