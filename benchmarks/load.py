"""Sustained load through `meltano run`: throughput and memory of every process of the pipeline.

Two pipelines, each on its own Intacct emulator seeded with N synthetic customers:

* `tap-intacct target-jsonl`: N customers read and written to JSON lines (default 1,000,000);
* `tap-intacct target-intacct`: M customers copied into another company (default 100,000).

The resident set size (RSS) of meltano, the tap and the target is sampled every second (the
`--interval`); printed per pipeline: records, seconds, records per second, exit code, ERROR log
lines, and per process the first, peak and last RSS after warm-up and the mean RSS of the first
and last quarter of the samples (flat memory: the two are close).

    .venv/bin/python benchmarks/load.py                       # 1,000,000 and 100,000
    .venv/bin/python benchmarks/load.py --jsonl 100000 --intacct 10000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import local_stack  # noqa: E402

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
WARM_UP_SECONDS = 3.0
WARM_UP_SHARE = 0.2  # and at least this share of a process's life
# Processes of a pipeline, named by the executable their command line runs.
ROLES = ("tap-intacct", "target-jsonl", "target-intacct", "target-magento", "meltano")


def rss_bytes(pid: int) -> int | None:
    """Resident set size of a process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return None


def children(pid: int) -> list[int]:
    """Direct children of a process, from /proc (no psutil needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the ppid follows the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> Iterator[int]:
    for child in children(pid):
        yield child
        yield from descendants(child)


def role_of(pid: int) -> str | None:
    """Which pipeline process this is (tap, target, meltano), from its command line."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    argv = [Path(part).name for part in raw.decode(errors="replace").split("\0") if part]
    for role in ROLES:
        if role in argv[:3]:
            return role
    return None


def find_process(root: int, role: str) -> int | None:
    """The pid of a pipeline's tap or target under the meltano process `root`."""
    return next((pid for pid in descendants(root) if role_of(pid) == role), None)


@dataclass
class Samples:
    """RSS samples of one process: (seconds since start, bytes)."""

    role: str
    points: list[tuple[float, int]] = field(default_factory=list)

    def settled(self) -> list[int]:
        """Samples after the warm-up (all of them for a process that lived less long)."""
        start, end = self.points[0][0], self.points[-1][0]
        warm_up = max(WARM_UP_SECONDS, WARM_UP_SHARE * (end - start))
        later = [rss for at, rss in self.points if at - start >= warm_up]
        return later if len(later) >= 4 else [rss for _, rss in self.points]

    def quarter_means(self) -> tuple[float, float]:
        """Mean RSS of the first and of the last quarter of the settled samples."""
        values = self.settled()
        quarter = max(1, len(values) // 4)
        return sum(values[:quarter]) / quarter, sum(values[-quarter:]) / quarter

    @property
    def growth(self) -> float:
        """Last-quarter mean over first-quarter mean, minus one (0.05 = 5 % more)."""
        first, last = self.quarter_means()
        return last / first - 1


class RssSampler:
    """Samples the RSS of a process tree every `interval` seconds in a thread, by role."""

    def __init__(self, root: int, interval: float = 1.0) -> None:
        self.root = root
        self.interval = interval
        self.samples: dict[str, Samples] = {}
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        now = time.monotonic() - self._started
        for pid in [self.root, *descendants(self.root)]:
            role = role_of(pid) or ("meltano" if pid == self.root else None)
            rss = rss_bytes(pid) if role else None
            if role and rss:
                self.samples.setdefault(role, Samples(role)).points.append((now, rss))


@dataclass
class LoadResult:
    """What one pipeline run did: records moved, time, exit code, errors and memory."""

    pipeline: str
    records: int
    seconds: float
    returncode: int
    error_lines: list[str]
    memory: dict[str, Samples]

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        mib = 1024 * 1024
        out = [
            f"{self.pipeline}: {self.records:,} records in {self.seconds:.1f} s = "
            f"{self.per_second:,.0f} records/s; exit {self.returncode}; "
            f"{len(self.error_lines)} ERROR lines"
        ]
        for role, samples in sorted(self.memory.items()):
            values = samples.settled()
            first, last = samples.quarter_means()
            out.append(
                f"  {role:<15} RSS MiB first {values[0] / mib:6.1f}  peak {max(values) / mib:6.1f}"
                f"  last {values[-1] / mib:6.1f}  | first-quarter mean {first / mib:6.1f}, "
                f"last-quarter mean {last / mib:6.1f} ({samples.growth:+.1%}), "
                f"{len(samples.points)} samples"
            )
        out.extend(f"  ERROR: {line[:300]}" for line in self.error_lines[:5])
        return out


COPY_CUSTOM_FIELDS = [
    {"object": "CUSTOMER", "name": "LOYALTY_TIER", "valid": ["Gold", "Silver", "Bronze"]},
    {"object": "CUSTOMER", "name": "LOYALTY_POINTS", "datatype": "INTEGER"},
    {"object": "CUSTOMER", "name": "LAST_REVIEW_DATE", "datatype": "DATE"},
]


def pipeline_env(intacct: local_stack.Emulator, workdir: Path) -> dict[str, str]:
    """Meltano's demo environment pointed at this emulator, its own system database and files."""
    return local_stack.project_env(intacct, None, workdir) | {
        "TARGET_INTACCT_COMPANY_ID": "copy",
        "TAP_INTACCT__SELECT": json.dumps(["customers.*"]),
    }


def run_pipeline(
    intacct: local_stack.Emulator,
    workdir: Path,
    loader: str,
    records: int,
    *,
    interval: float = 1.0,
    extra_env: Mapping[str, str] | None = None,
) -> LoadResult:
    """Seed `records` synthetic customers (plus the demo ones) and run tap-intacct → loader."""
    intacct.post_json("/_emulator/reset", {"seed": "demo"})
    total = records + intacct.get_json("/_emulator/records/demo/CUSTOMER")["count"]
    intacct.post_json("/_emulator/reset", {"seed": "demo", "records": records})
    intacct.post_json("/_emulator/companies/copy", {"custom_fields": COPY_CUSTOM_FIELDS})
    env = local_stack.meltano_environment({**pipeline_env(intacct, workdir), **(extra_env or {})})
    log_path = workdir / f"{loader}.log"
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(local_stack.VENV_BIN / "meltano"), "run", "tap-intacct", loader],
            cwd=local_stack.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        with RssSampler(process.pid, interval) as sampler:
            returncode = process.wait()
    seconds = time.monotonic() - started
    output = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [line for line in output if "[error" in line or "| ERROR" in line]
    return LoadResult(
        f"tap-intacct → {loader}", total, seconds, returncode, errors, sampler.samples
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jsonl", type=int, default=1_000_000, help="customers → target-jsonl")
    parser.add_argument("--intacct", type=int, default=100_000, help="customers → target-intacct")
    parser.add_argument("--interval", type=float, default=1.0, help="RSS sampling period (s)")
    args = parser.parse_args()
    local_stack.meltano("install", timeout=1200)
    with (
        tempfile.TemporaryDirectory(prefix="load-") as tmp,
        local_stack.emulator("intacct-emulator") as intacct,
    ):
        for loader, records in (("target-jsonl", args.jsonl), ("target-intacct", args.intacct)):
            if not records:
                continue
            workdir = Path(tmp) / loader
            workdir.mkdir()
            result = run_pipeline(intacct, workdir, loader, records, interval=args.interval)
            print("\n".join(result.lines()), flush=True)


if __name__ == "__main__":
    main()
