"""One bound on a whole HTTP exchange: connecting, sending and every byte of the answer.

`requests`' time-outs apply to each socket operation, so an answer that drips a byte a second
never times out. A `Deadline` clips those time-outs to the time left, and `read_body` reads the
answer while a watchdog hangs up the connection when the time is up. Every client of both
protocol packages (`intacct_api`: the XML gateway and REST, OAuth tokens included; `magento_api`)
sends its requests and reads its answers through here. The plugins all set the deadline with
their `request_timeout` setting, so a deadline's error names it: that is what to change.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import requests
import urllib3.exceptions

SETTING = "request_timeout"
CHUNK_BYTES = 65536
# The shortest time-out handed to requests: zero would mean "never wait" to the socket layer.
MINIMUM_WAIT = 0.001


class DeadlineExceededError(TimeoutError):
    """The exchange took longer than its deadline; what was read of the answer is dropped."""


class BodyTooLargeError(ValueError):
    """The answer is larger than the configured limit (after decompression)."""


class Deadline:
    """The moment by which one exchange must be over, `seconds` after it was created."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(self._ends_at - time.monotonic(), 0.0)

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._ends_at

    def timeouts(self, connect: float, read: float) -> tuple[float, float]:
        """`requests`' (connect, read) time-outs, neither longer than the time left."""
        left = max(self.remaining(), MINIMUM_WAIT)
        return min(connect, left), min(read, left)

    def exceeded(self, what: str) -> DeadlineExceededError:
        """`what` did not come in time, in words naming the setting to change."""
        return DeadlineExceededError(
            f"{what} did not come within the request's deadline ({SETTING}) of {self.seconds:g} s"
        )


def read_body(response: requests.Response, deadline: Deadline, limit: int) -> bytes:
    """Every byte of a streamed answer, before the deadline and within `limit` bytes.

    Raises `DeadlineExceededError`, `BodyTooLargeError`, or the `requests` / `urllib3` error of
    an answer cut off.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(limit)
    hung_up = threading.Event()
    watchdog = threading.Timer(deadline.remaining(), _hang_up, (response, hung_up))
    watchdog.daemon = True
    watchdog.start()
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError(limit)
            chunks.append(chunk)
            if deadline.expired:
                break
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
        if not (hung_up.is_set() or deadline.expired):
            raise
    finally:
        watchdog.cancel()
    if hung_up.is_set() or deadline.expired:
        raise deadline.exceeded(f"the whole answer (HTTP {response.status_code})")
    return b"".join(chunks)


def _hang_up(response: requests.Response, hung_up: threading.Event) -> None:
    """Shut the answer's socket, which wakes the reader blocked on it."""
    hung_up.set()
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    # the plain socket's shutdown, also under TLS: the reader thread owns the TLS state
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
