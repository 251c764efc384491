"""Every fault the gateways produce, injected at seeded random points of real `meltano run`s:
the destination ends with exactly the source's records, nothing lost, nothing duplicated.

Intacct faults hit one invocation holding two pipelines that read company `demo`:
tap-intacct → target-jsonl (read faults: the files hold each demo record once) and
tap-intacct → target-intacct into company `copy` (write faults armed on `copy`: each record
exactly once there, lines included). Magento faults hit tap-intacct-magento → target-magento,
whose shop must end as after a run without faults. The table "fault matrix" lists each fault.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass

import local_stack
import pytest
from resilience_support import (
    COPY,
    INTACCT_BLOCKS,
    MAGENTO_BLOCKS,
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
    intacct_fired,
    intacct_requests,
    magento_env,
    magento_unfired,
    meltano_run,
    report,
    rng,
    run_all,
    when_count_reaches,
)

SLOW_DELAY = 3.0  # past the 2 s request time-out the pipelines are given
FAULTS_PER_SIDE = 2
MAGENTO_FAULTS = 3
TABLE = "fault matrix (meltano run on the emulators; zeros required)"
COLUMNS = ("fault", "runs", "fired", "records checked", "lost", "duplicated", "rejected", "failed")

# fault kind → the `when` values it is tried with (one picked per fault, seeded)
INTACCT_KINDS: dict[str, tuple[str, ...]] = {
    "http_429": ("before",),
    "http_502": ("before", "after"),
    "http_503": ("before", "after"),
    "http_524": ("before", "after"),
    "drop_connection": ("before", "after"),
    "slow": ("before", "after"),
    "session_expiry": ("before",),
    "resultid_expiry": ("before",),
    "concurrency": ("before",),
}
MAGENTO_KINDS: dict[str, tuple[str, ...]] = {
    "http_500": ("before", "after"),
    "http_502": ("before", "after"),
    "http_503": ("before", "after"),
    "drop_connection": ("before", "after"),
    "slow": ("before", "after"),
}
LABELS = {
    ("intacct", "http_429"): "Intacct HTTP 429 / GW-0010",
    ("intacct", "slow"): "Intacct read time-out (slow 3 s > 2 s)",
    ("intacct", "concurrency"): "Intacct per-company concurrency refusal",
    ("magento", "slow"): "Magento read time-out (slow 3 s > 2 s)",
}


@dataclass(frozen=True)
class Case:
    system: str  # "intacct" or "magento"
    kind: str
    run: int

    @property
    def label(self) -> str:
        return LABELS.get((self.system, self.kind), f"{self.system.title()} {self.kind}")


@dataclass
class Outcome:
    case: Case
    fired: int
    tally: Tally
    rejected: int
    failure: str | None


CASES = [
    Case(system, kind, run)
    for system, kinds in (("intacct", INTACCT_KINDS), ("magento", MAGENTO_KINDS))
    for kind in kinds
    for run in range(RUNS)
]


def fault_positions(choose: random.Random, requests: int, count: int) -> list[int]:
    """`count` request numbers to fault, at least three apart.

    A client repeats a failed request once (after logging in again, for an expired session); two
    faults in a row would hit that repeat, which no real service does to a fresh session.
    """
    while True:
        positions = sorted(choose.randrange(1, max(2, requests - 1)) for _ in range(count))
        if requests < 3 * count or all(b - a >= 3 for a, b in itertools.pairwise(positions)):
            return positions


def _refuse_for_a_second(running: Stack, company: str) -> None:
    arm(running.intacct, kind="concurrency", count=0, company=company)
    time.sleep(1.0)
    clear_faults(running.intacct)


def run_intacct_case(case: Case, running: Stack, baseline: Baseline) -> Outcome:
    choose = rng("matrix", case.system, case.kind, case.run)
    stop = threading.Event()
    sides = (("demo", baseline.demo_requests), (COPY, baseline.copy_requests))
    for company, requests in sides:
        for at in fault_positions(choose, requests, FAULTS_PER_SIDE):
            if case.kind == "concurrency":
                when_count_reaches(
                    lambda company=company: intacct_requests(running.intacct, company),
                    at,
                    lambda company=company: _refuse_for_a_second(running, company),
                    stop,
                )
                break  # one refusal window per company
            arm(
                running.intacct,
                kind=case.kind,
                company=company,
                after=at,
                when=choose.choice(INTACCT_KINDS[case.kind]),
                delay=SLOW_DELAY if case.kind == "slow" else 0,
            )
    try:
        completed = meltano_run(intacct_env(running, "fault", case.kind == "slow"), *INTACCT_BLOCKS)
    finally:
        stop.set()
    tally = compare_copy(running)
    tally.add(compare_jsonl(running, [running.workdir / "jsonl-fault"]))
    rejects = local_stack.read_jsonl(running.workdir / "intacct-rejects.jsonl")
    fired = intacct_fired(running.intacct)
    return Outcome(case, fired, tally, len(rejects), failure(completed, 25))


def run_magento_case(case: Case, running: Stack, baseline: Baseline) -> Outcome:
    choose = rng("matrix", case.system, case.kind, case.run)
    for _ in range(MAGENTO_FAULTS):
        arm(
            running.magento,
            kind=case.kind,
            after=choose.randrange(1, max(2, baseline.magento_requests - 1)),
            when=choose.choice(MAGENTO_KINDS[case.kind]),
            delay=SLOW_DELAY if case.kind == "slow" else 0,
        )
    completed = meltano_run(magento_env(running, "fault", case.kind == "slow"), *MAGENTO_BLOCKS)
    tally = compare_magento(baseline.magento, running)
    fired = MAGENTO_FAULTS - magento_unfired(running.magento)
    rejects = local_stack.read_jsonl(running.workdir / "magento-rejects.jsonl")
    return Outcome(case, fired, tally, len(rejects), failure(completed, 25))


@pytest.fixture(scope="module")
def outcomes(
    baseline: Baseline, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], list[Outcome]]:
    def work(case: Case, running: Stack) -> Outcome:
        if case.system == "intacct":
            return run_intacct_case(case, running, baseline)
        return run_magento_case(case, running, baseline)

    results = run_all(CASES, work, tmp_path_factory.mktemp("matrix"))
    grouped = group_by(results, lambda row: (row.case.system, row.case.kind))
    for rows in grouped.values():
        total = Tally.total(row.tally for row in rows)
        report(
            TABLE,
            COLUMNS,
            (
                rows[0].case.label,
                len(rows),
                sum(r.fired for r in rows),
                total.checked,
                total.lost,
                total.duplicated,
                sum(r.rejected for r in rows),
                sum(1 for r in rows if r.failure),
            ),
        )
    return grouped


def fault_param(system: str, kind: str) -> object:
    return pytest.param(system, kind, id=f"{system}-{kind}")


@pytest.mark.parametrize(
    ("system", "kind"),
    [fault_param("intacct", kind) for kind in INTACCT_KINDS]
    + [fault_param("magento", kind) for kind in MAGENTO_KINDS],
)
def test_fault_leaves_destination_equal_to_source(
    outcomes: dict[tuple[str, str], list[Outcome]], baseline: Baseline, system: str, kind: str
) -> None:
    for outcome in outcomes[(system, kind)]:
        assert outcome.failure is None, f"run {outcome.case.run} failed:\n{outcome.failure}"
        assert outcome.fired > 0, f"run {outcome.case.run}: the fault never fired"
        assert (outcome.tally.lost, outcome.tally.duplicated) == (0, 0), outcome.tally.details
        expected_rejects = 0 if system == "intacct" else baseline.magento_rejects
        assert outcome.rejected == expected_rejects
