"""HTTP client for Sage Intacct's REST API (v1): bearer tokens, entity header, retries, errors.

The retry policy is the XML client's (`intacct_api.retries`): HTTP 429 (waiting at least
Retry-After or `X-IA-Throttle-Limit-RetryAfter`), 502 and 503, and connections never made are
retried for every request; reads, and writes sent with an `Idempotency-Key` (which Sage answers
once however often it arrives), are also retried on other 5xx answers, time-outs and answers cut
off; an unkeyed write raises `AmbiguousWriteError` there instead. A 401 gets a new access token
and the request once more. Every exchange is bounded as a whole (`connector_runtime.deadline`).
Logs (DEBUG holds bodies) never show tokens, the client secret or the Authorization header.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions
from connector_runtime.deadline import BodyTooLargeError, Deadline, DeadlineExceededError, read_body

from intacct_api.concurrency import RequestSlots, pooled_session
from intacct_api.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    ErrorDetail,
    GatewayError,
    IntacctError,
    RateLimitError,
    ServiceUnavailableError,
    TransientError,
    mask_secrets,
)
from intacct_api.rest.errors import describe_answer, error_details
from intacct_api.rest.oauth import OAuthCredentials, TokenSource
from intacct_api.retries import connection_failure, retry_after, with_retries
from intacct_api.xml import MAX_BODY_BYTES

DEFAULT_REST_URL = "https://api.intacct.com/ia/api/v1"
USER_AGENT = "intacct-connectors-api/0.1"
ENTITY_HEADER = "X-IA-API-Param-Entity"
TRANSACTION_HEADER = "X-IA-API-Param-Transaction"
LOGGED_BODY_CHARS = 20_000
RETRY_AFTER_HEADERS = (
    "Retry-After", "X-IA-Throttle-Limit-RetryAfter", "X-IA-Hour-Rate-Limit-Retry-After",
    "X-IA-Minute-Rate-Limit-Retry-After", "X-IA-Tenant-Throttle-Limit-Retry-After",
)  # fmt: skip

logger = logging.getLogger("intacct_api")


@dataclass(frozen=True)
class RestAnswer:
    """An answer the caller interprets: 2xx and 4xx (other than 401 and 429)."""

    status: int
    headers: Mapping[str, str]
    body: Any  # parsed JSON, None when empty
    tries: int = 1  # times the request went out for this answer (retries after a lost answer)

    @property
    def errors(self) -> tuple[ErrorDetail, ...]:
        return error_details(self.body)


class _UnauthorizedError(IntacctError):
    """HTTP 401 on a request: the access token was refused."""


class RestClient:
    """One company's connection to the REST API; `send` is one request (retried as above)."""

    def __init__(
        self,
        credentials: OAuthCredentials,
        base_url: str = DEFAULT_REST_URL,
        *,
        timeout: float | tuple[float, float] = (10.0, 300.0),
        deadline: float | None = None,
        verify_tls: bool | str = True,
        max_tries: int = 6,
        max_time: float = 300.0,
        backoff_factor: float = 1.0,
        backoff_max: float = 60.0,
        max_response_bytes: int = MAX_BODY_BYTES,
        http: requests.Session | None = None,
        tokens: TokenSource | None = None,
        slots: RequestSlots | None = None,
        max_concurrency_wait: float = 3600.0,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.deadline = deadline or sum(self.timeout)
        self.verify_tls = verify_tls
        self.max_tries, self.max_time = max_tries, max_time
        self.backoff_factor, self.backoff_max = backoff_factor, backoff_max
        self.max_response_bytes = max_response_bytes
        self.slots = slots or RequestSlots(1)
        self.max_concurrency_wait = max_concurrency_wait
        self._owns_http = http is None
        self._http = http or pooled_session(self.slots.maximum)
        # tokens are the user's (top level); the entity goes in each request's header
        self.tokens = tokens or TokenSource(credentials.for_entity(None), self._token_request)
        self.request_count = 0

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    @property
    def secrets(self) -> tuple[str, ...]:
        return self.tokens.secrets

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        transaction: bool = False,
        read_only: bool | None = None,
        content: tuple[str, bytes] | None = None,
    ) -> RestAnswer:
        """One request to `path` (under the base URL), with the policy above.

        `content` (a media type and bytes) is sent instead of a JSON `body`: a multipart form.
        """
        read_only = method == "GET" if read_only is None else read_only
        url = self.base_url + path + (f"?{urlencode(params)}" if params else "")
        payload = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"], payload = content
        if self.credentials.entity_id:
            headers[ENTITY_HEADER] = self.credentials.entity_id
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if transaction:
            headers[TRANSACTION_HEADER] = "true"
        request = _Request(method, url, payload, headers, read_only or bool(idempotency_key))
        tries = 0

        def attempt() -> RestAnswer:
            nonlocal tries
            tries += 1
            return self._exchange(request, bearer=True)

        for tries_left in (1, 0):
            try:
                return replace(self._retried(attempt), tries=tries)
            except _UnauthorizedError as exc:
                if not tries_left:
                    raise AuthenticationError(
                        f"Intacct refused a new access token too ({exc}); check that the client "
                        "is still authorized in the company"
                    ) from None
                logger.info("Intacct refused the access token (HTTP 401); getting a new one")
        raise AssertionError("unreachable")

    def _retried(self, attempt: Any) -> RestAnswer:
        answer: RestAnswer = with_retries(
            attempt,
            max_tries=self.max_tries,
            max_time=self.max_time,
            factor=self.backoff_factor,
            max_value=self.backoff_max,
            slots=self.slots,
            max_concurrency_wait=self.max_concurrency_wait,
        )
        return answer

    def _token_request(self, path: str, form: Mapping[str, str]) -> tuple[int, Any]:
        """The token endpoint's answer (status, JSON), retried like a read."""
        request = _Request(
            "POST",
            self.base_url + path,
            urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            retry_safe=True,
            secrets=tuple(form.get(k, "") for k in ("client_secret", "refresh_token")),
            log_answer=False,
        )
        answer = self._retried(lambda: self._exchange(request, bearer=False))
        return answer.status, answer.body

    def _access_token(self) -> str:
        """The bearer token, its request tried `max_tries` times and no more.

        The request that needed it does not try again: that would be tries times tries.
        """
        try:
            return self.tokens.access_token()
        except TransientError as exc:
            raise GatewayError(f"no OAuth access token from Intacct: {exc}") from None

    def _exchange(self, request: _Request, *, bearer: bool) -> RestAnswer:
        headers = {**request.headers, "User-Agent": USER_AGENT}
        access = ""
        if bearer:
            access = self._access_token()
            headers["Authorization"] = f"Bearer {access}"
        secrets = (*self.secrets, *request.secrets)
        self.request_count += 1
        host = urlsplit(request.url).netloc
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s: %s", request.method, request.url, _masked(request.body or b"", secrets)
            )
        deadline = Deadline(self.deadline)
        started = time.monotonic()
        try:
            response = self._http.request(
                request.method, request.url, data=request.body, headers=headers,
                timeout=deadline.timeouts(*self.timeout), verify=self.verify_tls, stream=True,
                allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            raise connection_failure(exc, host, deadline, request.cut_off) from None
        try:
            status = response.status_code
            raw = read_body(response, deadline, self.max_response_bytes)
        except BodyTooLargeError:
            raise GatewayError(
                f"Intacct's answer exceeds {self.max_response_bytes} bytes"
            ) from None
        except DeadlineExceededError as exc:
            raise request.cut_off(str(exc)) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise request.cut_off(
                f"the answer (HTTP {response.status_code}) was cut off: {exc}"
            ) from None
        finally:
            response.close()
        if logger.isEnabledFor(logging.DEBUG):
            shown = _masked(raw, secrets) if request.log_answer else "(a token answer, not logged)"
            logger.debug(
                "HTTP %s from %s in %.3f s: %s", status, host, time.monotonic() - started, shown
            )
        return self._interpret(request, _Raw(status, response.headers, raw), access, secrets)

    def _interpret(
        self, request: _Request, answer: _Raw, access: str, secrets: tuple[str, ...]
    ) -> RestAnswer:
        status, headers, raw = answer.status, answer.headers, answer.body
        media = headers.get("Content-Type", "").split(";")[0].strip().lower()
        body: Any = None
        if raw.strip() and (media.endswith("json") or not media):
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        summary = mask_secrets(describe_answer(status, media, raw, body), secrets)
        if status == 401 and access:
            self.tokens.invalidate(access)
            raise _UnauthorizedError(summary, status_code=status)
        if status == 429:
            wait = retry_after(*(headers.get(name) for name in RETRY_AFTER_HEADERS))
            raise RateLimitError(
                f"Intacct rate limit hit ({summary})", error_details(body), status_code=status,
                retry_after=wait,
            )  # fmt: skip
        if status in (502, 503):
            wait = retry_after(headers.get("Retry-After"))
            raise ServiceUnavailableError(
                f"Intacct is unavailable ({summary})", status_code=status, retry_after=wait
            )
        if status >= 500:
            raise request.cut_off(f"Intacct answered {summary}", status)
        if raw.strip() and body is None:
            error = GatewayError(f"Intacct answered {summary}; expected JSON", status_code=status)
            if status < 300 and not request.retry_safe:
                raise AmbiguousWriteError(str(error), status_code=status) from None
            raise error
        return RestAnswer(status, headers, body)


@dataclass(frozen=True)
class _Raw:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    body: bytes | None
    headers: Mapping[str, str]
    retry_safe: bool  # a read, or a write Intacct answers once per Idempotency-Key
    secrets: tuple[str, ...] = ()
    log_answer: bool = True  # token answers hold tokens: never logged

    def cut_off(
        self, why: str, status_code: int | None = None
    ) -> ServiceUnavailableError | AmbiguousWriteError:
        """Sent, but no answer: repeat what is safe to repeat, never an unkeyed write."""
        if self.retry_safe:
            return ServiceUnavailableError(f"{why} ({self.method})", status_code=status_code)
        return AmbiguousWriteError(
            f"{why}; the {self.method} may have run: read the records back before sending it "
            "again, or send writes with an Idempotency-Key",
            status_code=status_code,
        )


def _masked(body: bytes, secrets: tuple[str, ...]) -> str:
    text = body.decode("utf-8", "replace")
    if len(text) > LOGGED_BODY_CHARS:
        text = f"{text[:LOGGED_BODY_CHARS]}… ({len(text)} chars)"
    return mask_secrets(text, secrets)
