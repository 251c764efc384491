"""Typed errors of the Intacct XML gateway, one class per way a request can fail.

The level tells the caller what ran: a `ControlError` or `AuthenticationError` means no function
ran, a `FunctionError` concerns one result, a `TransientError` is safe to retry, and an
`AmbiguousWriteError` means writes may or may not have run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from intacct_api.envelope import Result

_SUPPORT_ID = re.compile(r"\[Support ID: ([^\]]*)\]")
MASK = "***"
_TRUNCATED_WORD = re.compile(r"(?<!\S)(\S{4,}?)(\.{2,}|…)")


@dataclass(frozen=True)
class ErrorDetail:
    """One `<error>` of an `<errormessage>`; the support id in `description2` is url-decoded."""

    errorno: str = ""
    description: str = ""
    description2: str = ""
    correction: str = ""

    @classmethod
    def create(
        cls, errorno: str, description: str, description2: str, correction: str
    ) -> ErrorDetail:
        """Build a detail, url-decoding the `[Support ID: …]` suffix Intacct appends."""
        description2 = _SUPPORT_ID.sub(
            lambda m: f"[Support ID: {unquote(m.group(1))}]", description2
        )
        return cls(errorno.strip(), description.strip(), description2.strip(), correction.strip())

    @property
    def support_id(self) -> str | None:
        match = _SUPPORT_ID.search(self.description2)
        return match.group(1) if match else None

    @property
    def text(self) -> str:
        """Description, details and correction as sentences, without the error number."""
        pieces = [p for p in (self.description, self.description2, self.correction) if p]
        last = len(pieces) - 1
        return " ".join(
            p if i == last or p[-1] in ".!?]" else f"{p}." for i, p in enumerate(pieces)
        )

    def __str__(self) -> str:
        """`Intacct's text (errorno)`, or whichever of the two is present."""
        if self.text and self.errorno:
            return f"{self.text} ({self.errorno})"
        return self.text or self.errorno

    def masked(self, secrets: Sequence[str]) -> ErrorDetail:
        return replace(
            self,
            errorno=mask_secrets(self.errorno, secrets),
            description=mask_secrets(self.description, secrets),
            description2=mask_secrets(self.description2, secrets),
            correction=mask_secrets(self.correction, secrets),
        )


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret by `***`, and a truncated one too (`Invalid session q1w2....`)."""
    secrets = [s for s in secrets if s]
    if not secrets or not text:
        return text
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)

    def mask_truncated(match: re.Match[str]) -> str:
        prefix = match.group(1)
        if any(s.startswith(prefix) for s in secrets):
            return MASK + match.group(2)
        return match.group(0)

    return _TRUNCATED_WORD.sub(mask_truncated, text)


def describe(errors: Iterable[ErrorDetail]) -> str:
    """All details of an error message on one line."""
    return "; ".join(str(e) for e in errors) or "no error details given"


class IntacctError(Exception):
    """Base of every error raised by `intacct_api`; `errors` holds Intacct's own details."""

    def __init__(
        self,
        message: str,
        errors: Sequence[ErrorDetail] = (),
        *,
        status_code: int | None = None,
        control_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        self.status_code = status_code
        self.control_id = control_id

    @property
    def errorno(self) -> str | None:
        return self.errors[0].errorno if self.errors else None

    def __str__(self) -> str:
        return self.message


class SettingsError(IntacctError):
    """The settings cannot open a connection (a transport without its credentials)."""


class GatewayError(IntacctError):
    """The HTTP exchange itself failed: non-XML body, HTTP error status or gateway error code."""


class ResultMismatchError(GatewayError):
    """The answer's results do not pair one-to-one with the functions sent, by control id.

    Nothing can be concluded from such an answer; when the request held writes they may have
    run (`control_ids` are the functions', in request order), so read back before re-posting.
    """

    def __init__(self, message: str, *, control_ids: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.control_ids: tuple[str, ...] = tuple(control_ids)

    @classmethod
    def listing(
        cls,
        counts: str,
        problems: Sequence[tuple[str, Sequence[str]]],
        *,
        read_only: bool = False,
        control_ids: Sequence[str] = (),
    ) -> ResultMismatchError:
        """One line: what was sent and answered, each problem with its first five names."""
        found = [
            f"{label} {', '.join(repr(n) for n in names[:5])}{' …' if len(names) > 5 else ''}"
            for label, names in problems
            if names
        ]
        consequence = (
            "nothing is concluded from it"
            if read_only
            else "the writes may have run: nothing is concluded from it; read the records back "
            "(a re-run does) before posting again"
        )
        return cls(
            f"Intacct's answer does not match the request ({counts}): {'; '.join(found)}; "
            f"{consequence}",
            control_ids=control_ids,
        )


class ControlError(IntacctError):
    """The `<control>` block was rejected (sender credentials, malformed request): nothing ran."""


class AuthenticationError(IntacctError):
    """The login or session was rejected: no function ran."""


class InvalidSessionError(AuthenticationError):
    """The session id is invalid or expired; logging in again and repeating is safe."""


class FunctionError(IntacctError):
    """One function failed; `result` is the failed `Result`."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message, result.errors, control_id=result.control_id)
        self.result = result


class TransientError(IntacctError):
    """A failure that is safe to retry: the request did not run.

    `retry_after` holds the server's Retry-After seconds, when it sent one.
    """

    def __init__(
        self,
        message: str,
        errors: Sequence[ErrorDetail] = (),
        *,
        status_code: int | None = None,
        control_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, errors, status_code=status_code, control_id=control_id)
        self.retry_after = retry_after


class RateLimitError(TransientError):
    """HTTP 429 / GW-0010 or "API rate limit exceeded"."""


class ServiceUnavailableError(TransientError):
    """HTTP 502/503, a connection that could not be made, or a read that can be repeated."""


class ConcurrencyLimitError(TransientError):
    """Intacct's "There are too many operations running for this company"."""


class AmbiguousWriteError(IntacctError):
    """A request with writes timed out, was cut off or got HTTP 524: it may have run.

    Read the records back by a natural key, or re-send with the same function control ids
    (`control_ids`, in request order) and `unique_id=True`, before posting again.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        control_ids: Sequence[str] = (),
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.control_ids: tuple[str, ...] = tuple(control_ids)
