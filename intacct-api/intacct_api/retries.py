"""Retries shared by the XML and the REST client: which waits, how long, and what is logged.

A failure is retried when its class says the request did not run (`TransientError`): waits grow
exponentially with full jitter, and are never shorter than the server's Retry-After (capped at
the longest wait). Both clients log the same lines, with secrets already masked in the errors.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import backoff
import requests
import urllib3.exceptions
from connector_runtime.deadline import Deadline

from intacct_api.concurrency import RequestSlots, in_slot
from intacct_api.errors import (
    ConcurrencyLimitError,
    GatewayError,
    IntacctError,
    ServiceUnavailableError,
    TransientError,
)

logger = logging.getLogger("intacct_api")
T = TypeVar("T")


def retry_waits(factor: float, max_value: float) -> Generator[float, Any, None]:
    """Exponential waits with full jitter, at least the server's Retry-After (capped)."""
    error = yield 0.0  # backoff primes the generator, then sends each exception
    attempt = 0
    while True:
        wait = random.uniform(0, min(factor * 2**attempt, max_value))
        attempt += 1
        retry_after = getattr(error, "retry_after", None) or 0.0
        error = yield max(wait, min(retry_after, max_value))


def retry_after(*values: str | None) -> float | None:
    """Seconds of the first Retry-After-like header value that is a whole number."""
    for value in values:
        if value and value.strip().isdigit():
            return float(value)
    return None


def with_retries(
    attempt: Callable[[], T],
    *,
    max_tries: int,
    max_time: float,
    factor: float,
    max_value: float,
    slots: RequestSlots | None = None,
    max_concurrency_wait: float = 3600.0,
) -> T:
    """Run `attempt`, repeating it on `TransientError` as the policy above says.

    With `slots`, each attempt holds one of them, and refusals for concurrency are waited for
    there (`concurrency.in_slot`), not counted as tries.
    """
    if slots is not None:
        bare, gate = attempt, slots

        def attempt() -> T:
            return in_slot(gate, bare, factor=factor, max_value=max_value,
                           max_wait=max_concurrency_wait)  # fmt: skip

    retrying: Callable[[Callable[[], T]], Callable[[], T]] = backoff.on_exception(
        retry_waits,
        TransientError,
        giveup=lambda error: slots is not None and isinstance(error, ConcurrencyLimitError),
        max_tries=max_tries,
        max_time=max_time,
        jitter=None,
        on_backoff=_log_backoff,
        on_giveup=_log_giveup,
        logger=None,
        factor=factor,
        max_value=max_value,
    )
    return retrying(attempt)()


def not_sent(exc: requests.ConnectionError) -> bool:
    """True when the connection failed before any byte of the request left."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
    )


def connection_failure(
    exc: requests.RequestException,
    host: str,
    deadline: Deadline,
    cut_off: Callable[[str], IntacctError],
) -> IntacctError:
    """What a request that raised `exc` before any answer means.

    TLS failures are definite; a connection never made is retried; a connection dropped after
    sending, or no answer in time, is `cut_off` (a read is repeated, a write may have run).
    """
    if isinstance(exc, requests.exceptions.SSLError):
        return GatewayError(f"TLS connection to {host} failed: {exc}")
    if isinstance(exc, requests.ConnectionError) and not_sent(exc):
        return ServiceUnavailableError(f"could not connect to Intacct at {host}: {exc}")
    if isinstance(exc, requests.Timeout):
        if deadline.expired:
            return cut_off(str(deadline.exceeded(f"an answer from {host}")))
        return cut_off(f"no answer from {host} within the read time-out")
    return cut_off(f"the connection to {host} dropped after sending")


def _log_backoff(details: Any) -> None:
    logger.warning(
        "Retrying the Intacct request in %.1f s (attempt %d failed: %s)",
        details["wait"],
        details["tries"],
        details["exception"],
    )


def _log_giveup(details: Any) -> None:
    # a warning: where the error ends the run, the command reports it (once, at ERROR)
    logger.warning(
        "Giving up on the Intacct request after %d attempts in %.1f s: %s",
        details["tries"],
        details["elapsed"],
        details["exception"],
    )
