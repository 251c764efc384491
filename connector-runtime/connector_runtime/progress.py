"""Progress lines while a tap reads a stream, and one summary table at the end of a run.

The APIs count the rows a query matches (Intacct's `totalcount` and `ia::meta.totalCount`,
Magento's `total_count`), so the first page of a read tells how many rows it will return: the
lines show the share done and the time left. Where nothing counts the rows they show the
records alone. `table` lays out any summary (the targets' too).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

PROGRESS_EVERY_SECONDS = 10.0
COLUMNS = ("stream", "records", "deleted", "pages", "API calls", "seconds", "records/s")
Row = tuple[str, int, int, int, int, float]


def duration(seconds: float) -> str:
    """`28 s`, `4 min 10 s`, `2 h 5 min`: a time left as a person reads it."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


@dataclass
class Progress:
    """One stream partition's read: records (of the total when known), deletes, pages, calls.

    `requests()` counts the partition's API calls so far, its first page's too when it was
    asked for ahead of the stream's turn.
    """

    stream: str
    label: str
    logger: logging.Logger
    requests: Callable[[], int]
    every: float = PROGRESS_EVERY_SECONDS
    total: int | None = None
    records: int = 0
    deleted: int = 0
    pages: int = 0
    skipped: bool = False
    counted: bool = False
    calls_after: int | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def __post_init__(self) -> None:
        self.last_log = self.started

    @property
    def calls(self) -> int:
        return self.requests() if self.calls_after is None else self.calls_after

    def finish(self) -> None:
        """The partition's read is over: its time and calls stop counting."""
        if self.finished is None:
            self.finished = time.monotonic()
            self.calls_after = self.requests()

    @property
    def seconds(self) -> float:
        return max((self.finished or time.monotonic()) - self.started, 1e-9)

    def expect(self, matching: int | None) -> None:
        """The rows the query being read matches from here on (None: not counted).

        Only the first call counts; make it before `page` of the page whose answer counted.
        """
        if not self.counted:
            self.counted = True
            self.total = None if matching is None else self.records + matching

    def page(self, rows: int) -> None:
        self.pages += 1
        self.records += rows
        if self.total is not None and self.records > self.total:
            self.total = self.records  # rows changed during the read came in again
        now = time.monotonic()
        if now - self.last_log >= self.every:
            self.last_log = now
            self.logger.info("%s", self.line())

    def line(self) -> str:
        """`customers: 40,000 of 100,010 (40%), 20 pages, 21 API calls, 2,150/s, ETA 28 s`."""
        rate = self.records / self.seconds
        counts = f"{self.records:,} records"
        eta = ""
        if self.total:
            counts = f"{self.records:,} of {self.total:,} ({100 * self.records // self.total}%)"
            if rate > 0:
                eta = f", ETA {duration((self.total - self.records) / rate)}"
        return (
            f"{self.label}: {counts}, {self.pages:,} pages, {self.calls:,} API calls, "
            f"{rate:,.0f}/s, {self.seconds:.1f} s{eta}"
        )

    def done(self) -> None:
        self.finish()
        rate = self.records / self.seconds
        self.logger.info(
            "%s done: %s records, %s deleted, %s pages, %s API calls, %s records/s, %.1f s",
            self.label, f"{self.records:,}", f"{self.deleted:,}", f"{self.pages:,}",
            f"{self.calls:,}", f"{rate:,.0f}", self.seconds,
        )  # fmt: skip


class RunSummary:
    """Every stream partition's progress, logged at the end as one table (a stream a row)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.reads: list[Progress] = []

    def add(self, progress: Progress) -> Progress:
        self.reads.append(progress)
        return progress

    def rows(self) -> list[Row]:
        """(stream, records, deleted, pages, API calls, seconds), partitions added up."""
        by_stream: dict[str, list[Progress]] = {}
        for read in self.reads:
            by_stream.setdefault(read.stream, []).append(read)
        rows = []
        for stream, reads in by_stream.items():
            name = f"{stream} (skipped)" if all(r.skipped for r in reads) else stream
            rows.append((
                name, sum(r.records for r in reads), sum(r.deleted for r in reads),
                sum(r.pages for r in reads), sum(r.calls for r in reads),
                sum(r.seconds for r in reads),
            ))  # fmt: skip
        return rows

    def log(self, logger: logging.Logger, requests: int) -> None:
        """The table, a line per row; the last row is the run's (its calls counted once)."""
        if not self.reads:
            return
        for read in self.reads:  # a stream stopped by an error ends here
            read.finish()
        rows = self.rows()
        seconds = time.monotonic() - self.started
        records = sum(row[1] for row in rows)
        total = ("total", records, sum(row[2] for row in rows), sum(row[3] for row in rows),
                 requests, seconds)  # fmt: skip
        logger.info("Run summary: %d streams, %s records in %.1f s", len(rows), f"{records:,}",
                    seconds)  # fmt: skip
        cells = []
        for name, count, deleted, pages, calls, spent in [*rows, total]:
            rate = count / spent if spent > 0 else 0.0
            cells.append([name, f"{count:,}", f"{deleted:,}", f"{pages:,}", f"{calls:,}",
                          f"{spent:.1f}", f"{rate:,.0f}"])  # fmt: skip
        for line in table(COLUMNS, cells):
            logger.info("%s", line)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """Text lines of `rows` under `columns`: the first column left-aligned, the others right."""
    cells = [[str(c) for c in columns], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    ]


def read_table(lines: Iterable[str], title: str) -> dict[str, dict[str, str]]:
    """The rows of the table logged after the line starting with `title`, by their first cell.

    Log prefixes (`... | name | `) are dropped; cells are apart by two spaces or more.
    """
    messages = [line.rsplit(" | ", 1)[-1].strip() for line in lines]
    start = next((i for i, text in enumerate(messages) if text.startswith(title)), None)
    if start is None or start + 1 >= len(messages):
        return {}
    columns = re.split(r"\s{2,}", messages[start + 1])
    if columns[0] != "stream":
        return {}
    rows: dict[str, dict[str, str]] = {}
    for text in messages[start + 2 :]:
        cells = re.split(r"\s{2,}", text)
        if len(cells) != len(columns):
            break
        rows[cells[0]] = dict(zip(columns[1:], cells[1:], strict=True))
    return rows
