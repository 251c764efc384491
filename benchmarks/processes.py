"""Benchmark subprocesses: a server that prints its URL first, a command measured by wait4."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def start_server(command: list[str], name: str) -> tuple[subprocess.Popen[str], str]:
    """Start a `serve` command; its first line ends with the URL it listens on."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "http" not in line:
        process.kill()
        raise SystemExit(f"{name} did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


@dataclass
class Usage:
    """Wall and CPU seconds and peak RSS of one finished command."""

    seconds: float
    cpu: float
    rss_mib: int


def run_measured_process(command: list[str], stdout: Path, stdin: Path | None = None) -> Usage:
    """Run `command` to the end (stdout to a file, stderr dropped); what it cost, from wait4."""
    with stdout.open("wb") as out, stdin.open("rb") if stdin else open(os.devnull, "rb") as inp:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=inp, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed with status {status}")
    return Usage(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024)
