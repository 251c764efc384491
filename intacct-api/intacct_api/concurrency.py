"""Requests in parallel inside a company's concurrency entitlement, for any transport.

Sage limits how many API requests of one company run at once (the performance tier's
concurrency entitlement); a request over the limit is held, then refused ("There are too many
operations running for this company", or HTTP 429 on REST). Transactions are metered per call,
so overlapping calls cost nothing more: a connector that waits for each answer before asking the
next only loses time.

`RequestSlots` is the gate a client passes every HTTP exchange through: at most `limit` at once.
A concurrency refusal lowers the limit to one below what was running, for the rest of the run
(the company's entitlement, or what other integrations leave of it, is then known; each refusal
costs about 30 s of holding at Sage, so the limit is not probed again), and the client waits
and asks again. `ParallelRequests` is the worker pool that callers
(tap, target) submit requests to; its workers share one `RequestSlots` per company. Neither knows
anything of XML or REST: a client only has to wrap its exchange in `slots.slot()` and call
`slots.refused()` when the server says it is busy.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import requests
import requests.adapters

from intacct_api.errors import ConcurrencyLimitError, RateLimitError

logger = logging.getLogger("intacct_api")

T = TypeVar("T")
R = TypeVar("R")


class RequestSlots:
    """At most `limit` requests in flight; `refused()` lowers the limit."""

    def __init__(self, maximum: int = 1) -> None:
        if maximum < 1:
            raise ValueError("max_concurrency must be 1 or more")
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self.refusals = 0
        self.peak = 0
        self._changed = threading.Condition()
        self._held = threading.local()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block, waiting while `limit` requests are in flight.

        A thread holds one slot at a time: an exchange it makes inside its own (a token asked
        for before a REST call, an XML fallback) runs in the slot it already holds.
        """
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        with self._changed:
            while self.in_flight >= self.limit:
                self._changed.wait()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            with self._changed:
                self.in_flight -= 1
                self._changed.notify()

    def refused(self) -> int:
        """The server refused a request for concurrency (called inside its slot).

        The limit drops to one below the requests in flight (the refused one included), at
        least 1; returns the new limit.
        """
        with self._changed:
            self.refusals += 1
            lowered = max(1, min(self.limit, self.in_flight) - 1)
            if lowered < self.limit:
                logger.warning(
                    "Intacct refused a request for concurrency; running at most %d at once "
                    "(of max_concurrency %d)",
                    lowered,
                    self.maximum,
                )
            self.limit = lowered
            return lowered


def in_slot(
    slots: RequestSlots,
    attempt: Callable[[], R],
    *,
    factor: float,
    max_value: float,
    max_wait: float,
) -> R:
    """One attempt inside a slot; a concurrency refusal lowers the limit, waits, asks again.

    Refusals for concurrency are not tries (nothing ran): they go on for up to `max_wait`
    seconds, waits growing exponentially with jitter up to `max_value`. A rate limit (HTTP 429)
    lowers the limit too, then goes to the caller's retries.
    """
    first_refusal: float | None = None
    refusals = 0
    while True:
        with slots.slot():
            try:
                return attempt()
            except RateLimitError:
                slots.refused()
                raise
            except ConcurrencyLimitError as exc:
                limit = slots.refused()
                now = time.monotonic()
                first_refusal = now if first_refusal is None else first_refusal
                if now - first_refusal >= max_wait:
                    logger.warning(  # the command reports the error itself, at ERROR
                        "Giving up on the Intacct request after %.0f s of concurrency refusals: "
                        "%s", now - first_refusal, exc,
                    )  # fmt: skip
                    raise
                error = exc
        wait = min(factor * 2**refusals, max_value) * random.uniform(0.5, 1.0)
        refusals += 1
        logger.warning(
            "Retrying the Intacct request in %.1f s, at most %d at once (%s)", wait, limit, error
        )
        time.sleep(wait)


class ParallelRequests:
    """A pool of `max_concurrency` workers for requests, and the slots they share.

    `submit` returns a future (one worker even at a concurrency of 1: the caller works on the
    last answer while the next request runs); `map` runs a function over items in parallel and
    returns the results in the items' order (the first failure is raised once every item has
    finished, so nothing is left running behind the caller's back).
    """

    def __init__(self, max_concurrency: int = 1, name: str = "intacct") -> None:
        self.slots = RequestSlots(max_concurrency)
        self.max_concurrency = max_concurrency
        self._pool: ThreadPoolExecutor | None = None
        self._name = name
        self._lock = threading.Lock()

    def submit(self, function: Callable[..., R], *args: object) -> Future[R]:
        """Run `function(*args)` on a worker."""
        return self._workers().submit(function, *args)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`[function(item) for item in items]`, in parallel, results in order."""
        settled = self.settle(function, items)
        first = next((error for _, error in settled if error is not None), None)
        if first is not None:
            raise first
        return [result for result, _ in settled]  # type: ignore[misc]

    def settle(
        self, function: Callable[[T], R], items: Iterable[T]
    ) -> list[tuple[R | None, BaseException | None]]:
        """`function(item)` for every item, in parallel: (result, None) or (None, error) each.

        Every item has finished when this returns, in the items' order.
        """
        items = list(items)
        if self.max_concurrency == 1 or len(items) < 2:
            return [_settled(function, item) for item in items]
        futures = [self.submit(function, item) for item in items]
        return [(None, f.exception()) if f.exception() else (f.result(), None) for f in futures]

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _workers(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.max_concurrency, thread_name_prefix=self._name
                )
            return self._pool


def _settled(function: Callable[[T], R], item: T) -> tuple[R | None, BaseException | None]:
    try:
        return function(item), None
    except Exception as exc:  # handed back to the caller, like a worker's
        return None, exc


def pooled_session(connections: int) -> requests.Session:
    """An HTTP session keeping as many connections as requests may run at once (10 at least)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(10, connections))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
