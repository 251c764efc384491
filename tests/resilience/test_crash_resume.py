"""kill -9 of the tap or of the target at a seeded random moment of a `meltano run`, then the
same run again from the state Meltano stored: nothing is lost, and nothing is written twice to
Intacct or Magento (files may repeat records read again after the last state: at least once).

Each run is stretched with short `slow` answers (0.15 s) so that the kill lands mid-stream; the
moment is the n-th request the emulator sees from the side being killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass

import local_stack
import pytest
from load import find_process
from resilience_support import (
    COPY,
    RUNS,
    Baseline,
    Stack,
    Tally,
    arm,
    clear_faults,
    compare_copy,
    compare_jsonl,
    compare_magento,
    failure,
    group_by,
    intacct_env,
    intacct_requests,
    magento_env,
    magento_requests,
    meltano_run,
    report,
    rng,
    run_all,
    when_count_reaches,
)

STRETCH = 0.15
TABLE = "crash and resume (kill -9, then the same meltano run from its state; zeros required)"
COLUMNS = ("pipeline", "killed", "runs", "killed at request", "checked", "lost", "duplicated")


@dataclass(frozen=True)
class Scenario:
    pipeline: str  # "jsonl", "intacct" or "magento"
    victim: str  # the process killed: "tap-intacct", "target-intacct", ...
    run: int


SCENARIOS = [
    Scenario(pipeline, victim, run)
    for pipeline, victim in (
        ("jsonl", "tap-intacct"),
        ("intacct", "tap-intacct"),
        ("intacct", "target-intacct"),
        ("magento", "tap-intacct"),
        ("magento", "target-magento"),
    )
    for run in range(RUNS)
]
BLOCKS = {
    "jsonl": ("tap-intacct", "target-jsonl"),
    "intacct": ("tap-intacct", "target-intacct"),
    "magento": ("tap-intacct-magento", "target-magento"),
}


@dataclass
class Outcome:
    scenario: Scenario
    killed_at: int | None
    resume_failure: str | None
    tally: Tally


def run_until_killed(
    env: dict[str, str], blocks: tuple[str, ...], victim: str, due: threading.Event
) -> bool:
    """Start `meltano run`, kill -9 the victim once `due` is set; True if it was killed."""
    process = subprocess.Popen(
        [str(local_stack.VENV_BIN / "meltano"), "--environment=demo", "run", *blocks],
        cwd=local_stack.ROOT,
        env=local_stack.meltano_environment(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed = False
    try:
        while process.poll() is None and not killed:
            if due.wait(0.02):
                pid = find_process(process.pid, victim)
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    killed = True
        process.wait(timeout=300)
    finally:
        local_stack.stop(process)
    return killed


def run_scenario(scenario: Scenario, running: Stack, baseline: Baseline) -> Outcome:
    choose = rng("crash", scenario.pipeline, scenario.victim, scenario.run)
    first, resumed = (
        f"{scenario.pipeline}-first",
        f"{scenario.pipeline}-resume",
    )
    make_env = magento_env if scenario.pipeline == "magento" else intacct_env
    env = make_env(running, "crash")
    if scenario.victim == "target-magento":
        arm(running.magento, kind="slow", count=100_000, delay=STRETCH)
        count = lambda: magento_requests(running.magento)  # noqa: E731
        total = baseline.magento_requests
    elif scenario.victim == "target-intacct":
        arm(running.intacct, kind="slow", count=100_000, delay=STRETCH, company=COPY)
        count = lambda: intacct_requests(running.intacct, COPY)  # noqa: E731
        total = baseline.copy_requests
    else:
        arm(running.intacct, kind="slow", count=100_000, delay=STRETCH, company="demo")
        count = lambda: intacct_requests(running.intacct, "demo")  # noqa: E731
        total = (
            baseline.magento_demo_requests
            if scenario.pipeline == "magento"
            else baseline.demo_requests // 2  # the baseline read demo twice
        )
    at = choose.randrange(2, max(3, total - 2))
    due = threading.Event()
    stop = threading.Event()
    when_count_reaches(count, at, due.set, stop)
    env["TARGET_JSONL_DESTINATION_PATH"] = str(running.workdir / first)
    try:
        killed = run_until_killed(env, BLOCKS[scenario.pipeline], scenario.victim, due)
    finally:
        stop.set()
    clear_faults(running.magento)
    clear_faults(running.intacct)
    env["TARGET_JSONL_DESTINATION_PATH"] = str(running.workdir / resumed)
    resume_failure = failure(meltano_run(env, *BLOCKS[scenario.pipeline]))
    if scenario.pipeline == "jsonl":
        folders = [running.workdir / first, running.workdir / resumed]
        tally = compare_jsonl(running, folders, allow_repeats=True)
    elif scenario.pipeline == "intacct":
        tally = compare_copy(running)
    else:
        tally = compare_magento(baseline.magento, running)
    return Outcome(scenario, at if killed else None, resume_failure, tally)


@pytest.fixture(scope="module")
def outcomes(
    baseline: Baseline, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], list[Outcome]]:
    results = run_all(
        SCENARIOS,
        lambda scenario, running: run_scenario(scenario, running, baseline),
        tmp_path_factory.mktemp("crash"),
    )
    grouped = group_by(results, lambda row: (row.scenario.pipeline, row.scenario.victim))
    for (pipeline, victim), rows in grouped.items():
        total = Tally.total(row.tally for row in rows)
        report(
            TABLE,
            COLUMNS,
            (
                " → ".join(BLOCKS[pipeline]),
                victim,
                len(rows),
                ", ".join(str(r.killed_at) for r in rows),
                total.checked,
                total.lost,
                total.duplicated,
            ),
        )
    return grouped


@pytest.mark.parametrize(
    ("pipeline", "victim"),
    sorted({(s.pipeline, s.victim) for s in SCENARIOS}),
)
def test_killed_run_resumes_without_loss_or_duplicates(
    outcomes: dict[tuple[str, str], list[Outcome]], pipeline: str, victim: str
) -> None:
    for outcome in outcomes[(pipeline, victim)]:
        assert outcome.killed_at is not None, "the run ended before the kill was due"
        assert outcome.resume_failure is None, outcome.resume_failure
        assert outcome.tally.lost == 0, outcome.tally.details
        assert outcome.tally.duplicated == 0, outcome.tally.details
