"""`magento-emulator serve --port PORT [--seed demo] [--db PATH] [--integration-bearer]`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from .seed import SEEDS
from .server import serve_in_thread


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until interrupted."""
    parser = argparse.ArgumentParser(
        prog="magento-emulator", description="Local emulator of the Magento 2.4.8 admin REST API"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8081)
    serve.add_argument("--seed", choices=[*SEEDS, "none"], default="demo")
    serve.add_argument("--db", help="SQLite file (default: in memory)")
    serve.add_argument(
        "--integration-bearer",
        action="store_true",
        help="accept the integration access token alone as a Bearer token",
    )
    serve.add_argument("--two-factor", action="store_true", help="refuse admin tokens as 2FA would")
    args = parser.parse_args(argv)
    emulator = serve_in_thread(
        args.port,
        seed=None if args.seed == "none" else args.seed,
        db_path=args.db,
        integration_bearer=args.integration_bearer,
        two_factor=args.two_factor,
    )
    credentials = emulator.integration
    print(f"Magento emulator listening on {emulator.base_url}")
    print("admin user: admin / admin123")
    print(f"consumer key: {credentials.consumer_key}")
    print(f"consumer secret: {credentials.consumer_secret}")
    print(f"access token: {credentials.access_token}")
    print(f"access token secret: {credentials.access_token_secret}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
