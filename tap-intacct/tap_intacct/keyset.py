"""Keyset reads of one stream partition, with Intacct's latency hidden.

Rows are read in (replication key, RECORDNO) order, each page starting strictly after the last
row read. Two things overlap the waiting:

* Pipelining: the next page is asked for as soon as a page's answer is parsed, and the page is
  converted and written while that request runs.
* Key ranges: when a page says many rows remain, the rest is split at row positions found with
  `offset` probes into `max_concurrency` closed ranges, read at once, each by its own cursor
  with its own position in the state (`key_ranges`). The split ends at the last row that
  existed when it was planned (`key_ranges_end`); what lies after it (rows created or changed
  during the read: a change moves a row to the end of the order) is read by the one cursor
  after every range is done. So a row's new version always comes after its old one, and a row
  that changes is never lost: it moves into that tail.

For a line stream a range starts at a document's first line, so a document's lines stay in one
range, and the range holds a page's last document back until its next page (`whole_documents`):
no STATE ever falls between two lines of a document.

STATE after each page holds every open range's position; a run stopped anywhere resumes each
range where it stopped, then reads the tail. The bookmark proper (`replication_key_value`,
`replication_key_recordno`) moves only once every range is done, to the end of the split.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from intacct_api import dates, functions
from intacct_api.concurrency import ParallelRequests
from intacct_api.preferences import Rendering

from tap_intacct.objects import RECORDNO
from tap_intacct.schema import datetime_converter

RANGES = "key_ranges"
RANGES_END = "key_ranges_end"
POSITION_RECORDNO = "replication_key_recordno"
# A range is worth its probes when it holds at least this many pages.
MIN_PAGES_PER_RANGE = 2
# Answered pages of ranges that may wait to be written before no more are asked for.
ANSWERS_WAITING = 2

Row = dict[str, Any]
Position = tuple[str, int]  # (replication key as ISO 8601 UTC, RECORDNO)


@dataclass
class Page:
    """A parsed answer: its rows, whether more follow, when it was read, the rows it matched."""

    rows: list[Row]
    more: bool
    remaining: int
    extracted_at: datetime
    total: int | None = None


@dataclass
class Pages:
    """A stream partition as a keyset read sees it (whatever the transport reading its pages).

    `fetch(filter, offset=, size=, fields=)` reads one page in read order (on a worker);
    `emit(rows, page)` turns rows into records; `checkpoint()` writes STATE.
    """

    replication_key: str
    link: str | None
    page_size: int
    rendering: Rendering
    fetch: Callable[..., Page]
    emit: Callable[[list[Row], Page], Iterator[dict]]
    checkpoint: Callable[[], None]

    def iso(self, value: str) -> str:
        """A replication key value as Intacct renders it → ISO 8601 UTC."""
        return str(self._to_iso(value))

    def rendered(self, iso: str) -> str:
        """An ISO 8601 UTC value → as Intacct reads it in a filter."""
        return rendered(utc(iso), self.rendering)

    @cached_property
    def _to_iso(self) -> Callable[[str], Any]:
        return datetime_converter(self.rendering)


@dataclass
class KeyRange:
    """Rows strictly after `after` and at or before `until`, in read order.

    `entry` is the range in the state; its `after` follows each record once it is written.
    """

    after: Position
    until: Position
    held: list[Row] = field(default_factory=list)  # the last document, until the next page
    entry: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entry = {"after": list(self.after), "until": list(self.until)}


def after(key: str, value: str, recordno: int) -> functions.Filter:
    """Rows strictly after `(key, RECORDNO) = (value, recordno)` in the read order."""
    return functions.or_(
        functions.gt(key, value),
        functions.and_(functions.eq(key, value), functions.gt(RECORDNO, recordno)),
    )


def at_or_before(key: str, value: str, recordno: int) -> functions.Filter:
    """Rows at or before `(key, RECORDNO) = (value, recordno)` in the read order."""
    return functions.or_(
        functions.lt(key, value),
        functions.and_(functions.eq(key, value), functions.le(RECORDNO, recordno)),
    )


def range_count(remaining: int, page_size: int, max_concurrency: int) -> int:
    """How many ranges to split `remaining` rows into (1: not worth splitting)."""
    pages = math.ceil(remaining / page_size)
    return max(1, min(max_concurrency, pages // MIN_PAGES_PER_RANGE))


def whole_documents(link: str | None, rows: list[Row], more: bool) -> tuple[list[Row], list[Row]]:
    """A line stream's rows to emit now, and the page's last document's, held for the next.

    A page can end inside a document. STATE after the page must not move past part of one:
    a run stopped there would resume after it, and a target would get that document's lines
    in two runs, the first of them incomplete. Held rows go out with the next page.
    """
    if not more or link is None or not rows:
        return rows, []
    document = rows[-1].get(link)
    cut = len(rows)
    while cut and rows[cut - 1].get(link) == document:
        cut -= 1
    return rows[:cut], rows[cut:]


class KeysetRead:
    """One partition's incremental read, from a start filter or from ranges in the state."""

    def __init__(
        self,
        pages: Pages,
        state: dict[str, Any],
        parallel: ParallelRequests,
        *,
        pipeline: bool = True,
        first: Future[Page] | None = None,
    ) -> None:
        assert pages.replication_key is not None
        self.pages = pages
        self.key = pages.replication_key
        self.state = state
        self.parallel = parallel
        self.pipeline = pipeline
        self.first = first  # the first page, asked for ahead of the stream (see the tap)

    # --- the one cursor --------------------------------------------------------------------

    def records(self, start: functions.Filter | None) -> Iterator[dict]:
        """Every row from `start` on (or from the state's ranges), as records."""
        if RANGES in self.state:  # a split read stopped before its end: resume it
            yield from self._ranges([self._from_state(r) for r in self.state[RANGES]])
            start = self._tail_start()
        may_split = self.parallel.max_concurrency > 1
        pending = self.first or self._ask(start)
        held: list[Row] = []
        while True:
            page = pending.result()
            rows = page.rows
            ready, held = whole_documents(self.pages.link, [*held, *rows], page.more)
            remaining = page.remaining + len(held)
            following = self._after(rows[-1]) if page.more else None  # before rows convert
            probes = None
            if may_split and following is not None and ready:
                probes = self._probe(ready[-1], remaining)
                may_split = False
            if following is not None and probes is None and self.pipeline:
                pending = self._ask(following)
            yield from self._emit(ready, page)
            ranges = self._plan(probes) if probes is not None else None
            if ranges is None:
                if following is not None and (probes is not None or not self.pipeline):
                    pending = self._ask(following)  # now: not pipelined, or no split after all
                self.pages.checkpoint()
                if not page.more:
                    return
                continue
            yield from self._ranges(ranges)
            held = []
            pending = self._ask(self._tail_start())

    def _ask(self, filter_: functions.Filter | None) -> Future[Page]:
        """The page from `filter_` on: read on a worker when pipelining, else here, now."""
        if not self.pipeline:
            done: Future[Page] = Future()
            done.set_result(self.pages.fetch(filter_))
            return done
        return self.parallel.submit(self.pages.fetch, filter_)

    def _after(self, row: Row) -> functions.Filter:
        return after(self.key, row[self.key], int(row[RECORDNO]))

    def _position(self, row: Row) -> Position:
        return self.pages.iso(row[self.key]), int(row[RECORDNO])

    def _emit(self, rows: list[Row], page: Page) -> Iterator[dict]:
        """The rows as records; the bookmark follows each record as it goes out.

        (STATE is written between pages only; a run paused at the SDK's record limit resumes
        right after its last record.)
        """
        key, state = self.key, self.state
        state["replication_key"] = key
        for record in self.pages.emit(rows, page):
            state["replication_key_value"] = record[key]
            state[POSITION_RECORDNO] = record[RECORDNO]
            yield record

    def _tail_start(self) -> functions.Filter:
        """Where the tail starts: after the split's end, which becomes the bookmark."""
        value, recordno = self.state.pop(RANGES_END)
        self.state.pop(RANGES, None)
        self.state["replication_key"] = self.key
        self.state["replication_key_value"] = value
        self.state[POSITION_RECORDNO] = recordno
        self.pages.checkpoint()
        return after(self.key, self.pages.rendered(value), recordno)

    # --- splitting -------------------------------------------------------------------------

    def _probe(self, last: Row, remaining: int) -> _Probes | None:
        """Ask for the rows at equal distances after `last`, and the last row (or None)."""
        count = range_count(remaining, self.pages.page_size, self.parallel.max_concurrency)
        if count < 2:
            return None
        rest = self._after(last)
        fields = [self.key, RECORDNO, *([self.pages.link] if self.pages.link else [])]
        offsets = [remaining * n // count for n in range(1, count)] + [remaining - 1]
        futures = [
            self.parallel.submit(self._probe_row, rest, fields, offset) for offset in offsets
        ]
        return _Probes(self._position(last), rest, fields, futures)

    def _probe_row(self, rest: functions.Filter, fields: list[str], offset: int) -> Row | None:
        rows = self.pages.fetch(rest, offset=offset, size=1, fields=fields).rows
        return rows[0] if rows else None

    def _plan(self, probes: _Probes) -> list[KeyRange] | None:
        """The ranges from the probes' rows, stored in the state; None when there are none."""
        rows = [future.result() for future in probes.futures]
        if any(row is None for row in rows):  # rows went away meanwhile: one cursor reads on
            return None
        found = [row for row in rows if row is not None]
        end = found.pop()
        if self.pages.link:
            found = self.parallel.map(lambda row: self._document_start(probes, row), found)
        bounds = [probes.start]
        for row in found:  # a range ends just before the row (its document) the next starts at
            value, recordno = self._position(row)
            if (value, recordno - 1) > bounds[-1]:
                bounds.append((value, recordno - 1))
        stop = self._position(end)
        if stop <= bounds[-1]:
            return None
        bounds.append(stop)
        ranges = [KeyRange(a, b) for a, b in itertools.pairwise(bounds)]
        self.state[RANGES_END] = list(stop)
        self.state[RANGES] = [r.entry for r in ranges]
        return ranges

    def _document_start(self, probes: _Probes, row: Row) -> Row:
        """The first line (in read order) of the row's document."""
        link = self.pages.link
        assert link is not None
        first = self.pages.fetch(
            functions.and_(probes.rest, functions.eq(link, row[link])), size=1,
            fields=probes.fields,
        )  # fmt: skip
        return first.rows[0] if first.rows else row

    def _from_state(self, stored: dict[str, Any]) -> KeyRange:
        (a_value, a_no), (u_value, u_no) = stored["after"], stored["until"]
        return KeyRange((str(a_value), int(a_no)), (str(u_value), int(u_no)))

    # --- reading ranges at once ----------------------------------------------------------

    def _ask_range(self, key_range: KeyRange, start: Position) -> Future[Page]:
        """The range's page after `start` (its position, or the last row it fetched)."""
        (a_value, a_no), (u_value, u_no) = start, key_range.until
        filter_ = functions.and_(
            after(self.key, self.pages.rendered(a_value), a_no),
            at_or_before(self.key, self.pages.rendered(u_value), u_no),
        )
        return self.parallel.submit(self.pages.fetch, filter_)

    def _ranges(self, ranges: list[KeyRange]) -> Iterator[dict]:
        """Every range at once; pages are written as they come, each range's position kept.

        A range's next page is asked for as soon as its page is answered, unless
        `ANSWERS_WAITING` answered pages already wait to be written: when writing is slower
        than Intacct, more answers would only hold memory.
        """
        open_ranges = list(ranges)
        self.state[RANGES] = [r.entry for r in open_ranges]
        asked: dict[Future[Page], KeyRange] = {}
        to_ask: list[tuple[KeyRange, Position]] = [(r, r.after) for r in ranges]
        key = self.key
        while asked or to_ask:
            self._ask_due(asked, to_ask)
            done, _ = wait(list(asked), return_when=FIRST_COMPLETED)
            for future in [f for f in asked if f in done]:  # in the order they were asked
                key_range = asked.pop(future)
                page = future.result()
                if page.more:
                    to_ask.append((key_range, self._position(page.rows[-1])))
                    self._ask_due(asked, to_ask)
                ready, key_range.held = whole_documents(
                    self.pages.link, [*key_range.held, *page.rows], page.more
                )
                entry = key_range.entry
                for record in self.pages.emit(ready, page):
                    entry["after"] = [record[key], record[RECORDNO]]
                    yield record
                if not page.more:
                    open_ranges.remove(key_range)
                    self.state[RANGES] = [r.entry for r in open_ranges]
                self.pages.checkpoint()

    def _ask_due(
        self, asked: dict[Future[Page], KeyRange], to_ask: list[tuple[KeyRange, Position]]
    ) -> None:
        """Ask for the ranges' next pages while few answered pages wait."""
        while to_ask and sum(f.done() for f in asked) < ANSWERS_WAITING:
            key_range, start = to_ask.pop(0)
            asked[self._ask_range(key_range, start)] = key_range


@dataclass
class _Probes:
    """Probes asked for a split: where it starts, the filter after it, the rows' futures."""

    start: Position
    rest: functions.Filter
    fields: list[str]
    futures: list[Future[Row | None]]


def rendered(moment: datetime, rendering: Rendering) -> str:
    """A moment as Intacct reads it in a filter: the API user's date format and zone."""
    return dates.format_datetime(moment, rendering.zone, rendering.style)


def utc(iso: str) -> datetime:
    """An ISO 8601 bookmark as an aware UTC datetime."""
    parsed = dates.parse_datetime(iso)
    if parsed is None:
        raise ValueError(f"empty bookmark value {iso!r}")
    return parsed
