"""Rows changing while tap-intacct reads them, with parallel requests and key ranges on.

`meltano run` copies the demo company into JSON lines and into another Intacct company (small
pages, four requests at once, so streams split into key ranges), stretched with short `slow`
answers; at seeded moments of the read a batch of rows is edited (WHENMODIFIED moves, as an edit
in Intacct's UI does). A second run then picks up what changed after the first had read past
it. Nothing may be lost, the copy company must hold each record once, and the newest version of
every edited row must have reached the files.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import resilience_support as support
from resilience_support import RUNS, Stack, Tally

STRETCH = 0.1
EDITS = 3  # moments of a run at which rows are edited
ROWS_PER_EDIT = 4
TABLE = "rows changing mid-read (parallel reads, key ranges; zeros required)"
COLUMNS = ("runs", "edits", "rows edited", "checked", "lost", "duplicated", "stale", "failed")


@dataclass
class Outcome:
    edited: int
    tally: Tally
    stale: list[str]
    failed: str | None


def edit(running: Stack, choices: list[tuple[str, int]]) -> None:
    """Edit rows as a user would: the clock moves on, then their WHENMODIFIED does."""
    running.intacct.post_json("/_emulator/clock", {"advance_seconds": 2})
    by_object: dict[str, list[int]] = {}
    for obj, recordno in choices:
        by_object.setdefault(obj, []).append(recordno)
    for obj, keys in by_object.items():
        running.intacct.post_json(f"/_emulator/records/demo/{obj}/touch", {"keys": keys})


def iso(rendered: str) -> str:
    """The emulator's `MM/DD/YYYY HH:MM:SS` (UTC for demo) as the tap's ISO 8601."""
    return datetime.strptime(rendered, "%m/%d/%Y %H:%M:%S").replace(tzinfo=UTC).isoformat()


def stale_rows(running: Stack, folders: Iterable, edited: set[tuple[str, int]]) -> list[str]:
    """Edited rows whose newest version in the files is not the one Intacct holds now."""
    stale = []
    for copied in support.COPIED:
        now = {int(r["RECORDNO"]): iso(r["WHENMODIFIED"])
               for r in running.intacct_rows("demo", copied.object)}  # fmt: skip
        newest: dict[int, str] = {}
        for row in support.jsonl_rows(list(folders), copied.stream):
            key = int(row["RECORDNO"])
            newest[key] = max(newest.get(key, ""), row["WHENMODIFIED"])
        stale += [f"{copied.stream} {key}" for obj, key in edited
                  if obj == copied.object and newest.get(key) != now[key]]  # fmt: skip
    return stale


def run_case(run: int, running: Stack) -> Outcome:
    choose = support.rng("changing", run)
    candidates = [(c.object, int(r["RECORDNO"])) for c in support.COPIED
                  for r in running.intacct_rows("demo", c.object)]  # fmt: skip
    support.arm(running.intacct, kind="slow", count=100_000, delay=STRETCH, company="demo")
    stop = threading.Event()
    edited: set[tuple[str, int]] = set()
    for at in sorted(choose.sample(range(4, 60), EDITS)):
        picked = choose.sample(candidates, ROWS_PER_EDIT)
        edited.update(picked)
        support.when_count_reaches(lambda: support.intacct_requests(running.intacct, "demo"), at,
                           lambda picked=picked: edit(running, picked), stop)  # fmt: skip
    first = support.intacct_env(running, "changing-first")
    try:
        failed = support.failure(support.meltano_run(first, *support.INTACCT_BLOCKS))
    finally:
        stop.set()
    support.clear_faults(running.intacct)
    again = support.intacct_env(running, "changing-again")
    failed = failed or support.failure(support.meltano_run(again, *support.INTACCT_BLOCKS))
    folders = [running.workdir / "jsonl-changing-first", running.workdir / "jsonl-changing-again"]
    tally = support.compare_copy(running)
    tally.add(support.compare_jsonl(running, folders, allow_repeats=True))
    return Outcome(len(edited), tally, stale_rows(running, folders, edited), failed)


@pytest.fixture(scope="module")
def outcomes(installed_plugins: None, tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    results = support.run_all(list(range(RUNS)), run_case, tmp_path_factory.mktemp("changing"))
    total = Tally.total(r.tally for r in results)
    support.report(TABLE, COLUMNS, (
        len(results), EDITS * len(results), sum(r.edited for r in results), total.checked,
        total.lost, total.duplicated, sum(len(r.stale) for r in results),
        sum(r.failed is not None for r in results),
    ))  # fmt: skip
    return results


def test_rows_changed_during_a_parallel_read_are_neither_lost_nor_stale(
    outcomes: list[Outcome],
) -> None:
    for outcome in outcomes:
        assert outcome.failed is None, outcome.failed
        assert (outcome.tally.lost, outcome.tally.duplicated) == (0, 0), outcome.tally.details
        assert outcome.stale == []
