"""The local stack shared by `scripts/demo.py` and the end-to-end tests.

Both emulators run as subprocesses (their console scripts, exactly as a user would start them),
a throwaway PostgreSQL server runs from Debian's binaries in a temporary directory, and Meltano
runs through its CLI in the repository root, which is the Meltano project. Everything binds
127.0.0.1 and is stopped when its context manager exits, even on failure or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
LISTENING = re.compile(r"listening on (https?://[^\s/]+)")


class StackError(RuntimeError):
    """A piece of the local stack did not start or a command it ran failed."""


@dataclass
class Emulator:
    """A running emulator subprocess: its base URL and everything it printed so far."""

    name: str
    process: subprocess.Popen[str]
    url: str = ""
    output: list[str] = field(default_factory=list)

    def get_json(self, path: str) -> Any:
        """GET one of the emulator's routes (admin routes live under `/_emulator/`)."""
        with urllib.request.urlopen(self.url + path, timeout=30) as response:  # noqa: S310
            return json.load(response)

    def post_json(self, path: str, body: Any = None) -> Any:
        """POST JSON to one of the emulator's routes and return the decoded answer."""
        request = urllib.request.Request(  # noqa: S310
            self.url + path,
            data=json.dumps(body if body is not None else {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            payload = response.read()
        return json.loads(payload) if payload else None

    def printed(self, prefix: str, timeout: float = 10) -> str:
        """The first line the emulator printed that starts with `prefix` (waits for it)."""
        deadline = time.monotonic() + timeout
        while True:
            for line in list(self.output):
                if line.startswith(prefix):
                    return line
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise StackError(f"{self.name} never printed a line starting with {prefix!r}")
            time.sleep(0.05)


@contextlib.contextmanager
def emulator(
    command: str, port: int = 0, seed: str = "demo", timeout: float = 60
) -> Iterator[Emulator]:
    """Run `<command> serve --port P --seed S` until the block exits; port 0 picks a free one."""
    executable = VENV_BIN / command
    if not executable.exists():
        raise StackError(f"{executable} is missing: run `make setup` first")
    process = subprocess.Popen(
        [str(executable), "serve", "--port", str(port), "--seed", seed],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    running = Emulator(command, process)
    ready = threading.Event()

    def drain() -> None:
        # Reads every line so the pipe never fills; the first "listening on" line means ready.
        assert process.stdout is not None
        for line in process.stdout:
            running.output.append(line.rstrip("\n"))
            match = LISTENING.search(line)
            if match and not ready.is_set():
                running.url = match.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=drain, name=f"{command}-output", daemon=True).start()
    try:
        if not ready.wait(timeout) or not running.url:
            printed = "\n".join(running.output[-20:])
            why = "exited" if process.poll() is not None else f"printed nothing in {timeout:.0f}s"
            raise StackError(f"{command} {why} before 'listening on':\n{printed}")
        yield running
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate a subprocess we started, killing it if it ignores SIGTERM."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def emulators(intacct_port: int = 0, magento_port: int = 0) -> Iterator[tuple[Emulator, Emulator]]:
    """Both emulators seeded with the shared demo business."""
    with (
        emulator("intacct-emulator", intacct_port) as intacct,
        emulator("magento-emulator", magento_port) as magento,
    ):
        yield intacct, magento


def meltano(
    *args: str,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = 900,
    cwd: Path = ROOT,
    answers: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the Meltano CLI in a project, this repository's unless `cwd` names another.

    `answers` are typed into its prompts. On failure raise with the end of its output.
    """
    completed = subprocess.run(
        [str(VENV_BIN / "meltano"), *args],
        cwd=cwd,
        env=meltano_environment(env),
        input=answers,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-60:])
        raise StackError(f"`meltano {' '.join(args)}` exited {completed.returncode}:\n{tail}")
    return completed


@dataclass
class MeltanoRun:
    """The JSON log of one finished `meltano` command."""

    output: str

    def record_counts(self, plugin: str | None = None) -> dict[str, int]:
        return record_counts(self.output, plugin)

    def events(self) -> Iterator[dict[str, Any]]:
        return log_events(self.output)


@dataclass
class MeltanoProject:
    """A Meltano project (the repository's by default) run with extra environment variables.

    The variables take precedence over `meltano.yml`: tests point plugins at their own emulators
    and give every test its own system database (`MELTANO_DATABASE_URI`), hence its own state.
    """

    env: dict[str, str] = field(default_factory=dict)
    root: Path = ROOT

    def meltano(self, *args: str) -> MeltanoRun:
        completed = meltano("--log-format=json", *args, env=self.env, cwd=self.root)
        return MeltanoRun(completed.stdout + completed.stderr)

    def run(self, *blocks: str, environment: str = "demo") -> MeltanoRun:
        """`meltano run` of jobs or plugin blocks in an environment."""
        return self.meltano(f"--environment={environment}", "run", *blocks)

    def state(self, state_id: str, environment: str = "demo") -> dict[str, Any]:
        """The state Meltano stored under `state_id`."""
        completed = meltano(
            f"--environment={environment}", "state", "get", state_id, env=self.env, cwd=self.root
        )
        return dict(json.loads(completed.stdout))


def private_meltano_dir(path: Path) -> Path:
    """A Meltano system directory of our own that shares the project's installed plugins.

    Meltano writes each run's config and catalog files under `.meltano/run/<plugin>/` and clears
    them as it goes, so two runs of the same plugin in one project trip over each other. Pointing
    `MELTANO_SYS_DIR_ROOT` here keeps run files, catalog cache and logs apart.
    """
    path.mkdir(parents=True, exist_ok=True)
    for plugin_type in ("extractors", "loaders"):
        link = path / plugin_type
        if not link.exists():
            link.symlink_to(ROOT / ".meltano" / plugin_type)
    return path


def project_env(
    intacct: Emulator, magento: Emulator | None, workdir: Path, run: str = "run"
) -> dict[str, str]:
    """Variables pointing the demo environment at these emulators, with state and files of its own.

    `run` names the Meltano system database and the JSON-lines folder: one name, one state.
    """
    gateway = f"{intacct.url}/ia/xml/xmlgw.phtml"
    env = {
        "MELTANO_SYS_DIR_ROOT": str(private_meltano_dir(workdir / "meltano-sys")),
        "MELTANO_DATABASE_URI": f"sqlite:///{workdir}/meltano-{run}.db",
        "TAP_INTACCT_API_URL": gateway,
        "TAP_INTACCT_DISCOVERY_CACHE_DIR": str(workdir / "discovery-cache"),
        "TARGET_INTACCT_API_URL": gateway,
        "TARGET_INTACCT_ID_MAP_FILE": str(workdir / "intacct-id-map.jsonl"),
        "TARGET_INTACCT_REJECT_FILE": str(workdir / "intacct-rejects.jsonl"),
        "TARGET_INTACCT_PENDING_FILE": str(workdir / "intacct-pending.json"),
        "TARGET_JSONL_DESTINATION_PATH": str(workdir / f"jsonl-{run}"),
    }
    if magento is not None:
        env |= {
            "TAP_MAGENTO_BASE_URL": magento.url,
            "TAP_MAGENTO_ORDERS_BASE_URL": magento.url,
            "TARGET_MAGENTO_BASE_URL": magento.url,
            "TARGET_MAGENTO_REJECT_FILE": str(workdir / "magento-rejects.jsonl"),
            "TARGET_MAGENTO_ID_MAP_FILE": str(workdir / "magento-id-map.json"),
            "TARGET_MAGENTO_PENDING_INVOICES_FILE": str(workdir / "magento-pending-invoices.json"),
            "TARGET_MAGENTO_PENDING_CATALOG_FILE": str(workdir / "magento-pending-catalog.json"),
            "TARGET_MAGENTO_PENDING_BULK_FILE": str(workdir / "magento-pending-bulks.json"),
        }
    return env


def meltano_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment for Meltano: no usage stats, our venv first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra or {})
    return env


def free_port() -> int:
    """A port that was free a moment ago, for servers that cannot be told to pick one."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Postgres:
    """A running throwaway PostgreSQL server: superuser `postgres`, no password (trust)."""

    bin_dir: Path
    port: int
    user: str = "postgres"
    run_as: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql and return its unaligned, tab-separated output."""
        connection = f"host={self.host} port={self.port} user={self.user} dbname={database}"
        completed = subprocess.run(
            [str(self.bin_dir / "psql"), "-XqAt", "-F", "\t", "-v", "ON_ERROR_STOP=1", connection],
            input=sql,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise StackError(f"psql failed: {completed.stderr.strip()}\nSQL: {sql}")
        return completed.stdout

    def rows(self, sql: str, database: str = "postgres") -> list[list[str]]:
        """Rows of a query as lists of strings (NULL is the empty string)."""
        return [line.split("\t") for line in self.psql(sql, database).splitlines() if line]


def postgres_bin_dir() -> Path:
    """Debian's PostgreSQL binaries (`apt-get install postgresql`), newest version first."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if not candidates:
        found = shutil.which("pg_ctl")
        if found:
            return Path(found).parent
        raise StackError(
            "PostgreSQL is not installed: `apt-get install -y postgresql` (as root) provides "
            "initdb and pg_ctl under /usr/lib/postgresql/<version>/bin"
        )
    return candidates[0].parent


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A server made by `initdb` + `pg_ctl` in a temporary directory, on a free loopback port.

    PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
    """
    bin_dir = postgres_bin_dir()
    run_as: tuple[str, ...] = ()
    with tempfile.TemporaryDirectory(prefix="intacct-connectors-pg-") as tmp:
        base = Path(tmp)
        if os.geteuid() == 0:
            shutil.chown(base, user="postgres", group="postgres")
            run_as = ("runuser", "-u", "postgres", "--")
        data, sockets = base / "data", base / "sockets"
        port = free_port()
        _run_checked([*run_as, "mkdir", "-p", str(sockets)])
        _run_checked(
            [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )  # fmt: skip
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run_checked(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(base / "server.log"), "-w", "-t", "60", "start"]
        )  # fmt: skip
        try:
            yield Postgres(bin_dir=bin_dir, port=port, run_as=run_as)
        finally:
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )


def _run_checked(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise StackError(f"{' '.join(command)} failed:\n{completed.stdout}{completed.stderr}")


def log_events(output: str) -> Iterator[dict[str, Any]]:
    """The JSON events of a `meltano --log-format=json ...` run (other lines are skipped)."""
    for line in output.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                yield json.loads(line)


def record_counts(output: str, plugin: str | None = None) -> dict[str, int]:
    """Records per stream that producers (taps) logged in their Singer SDK `record_count` metrics.

    `plugin` limits the count to one plugin's lines, e.g. a mapper or an inherited tap.
    """
    counts: dict[str, int] = {}
    for event in log_events(output):
        metric = event.get("metric_info") or {}
        if metric.get("metric") != "record_count" or not event.get("producer"):
            continue
        if plugin is not None and event.get("name") != plugin:
            continue
        stream = metric.get("tags", {}).get("stream", "")
        counts[stream] = counts.get(stream, 0) + int(metric.get("value", 0))
    return counts


def read_json(path: Path) -> Any:
    """A JSON file written by a plugin (id maps, pending invoices)."""
    with path.open(encoding="utf-8") as document:
        return json.load(document)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file (reject files, exports); none when it does not exist."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
