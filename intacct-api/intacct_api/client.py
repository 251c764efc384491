"""HTTP client for the Intacct XML gateway: sessions, endpoint switch, retries and logging.

Retry policy: a request is repeated only when repeating cannot run a write twice. Rate limits
(HTTP 429, GW-0010), HTTP 502/503, connections that were never made, and "too many operations" /
"try again later" answers are retried for every request. Read-only requests are also retried on
other 5xx answers (504, 524), read time-outs and connections dropped after sending; a request with
writes raises `AmbiguousWriteError` in those cases instead.

Every exchange is bounded as a whole (`deadline`, see `connector_runtime.deadline`), and its results
are matched to the functions sent by control id: an answer that leaves one out, adds one or
names an id not sent raises `ResultMismatchError`, and nothing is concluded from it.

Every exchange holds a slot of the client's `RequestSlots` (shared by the clients of one company,
see `concurrency.py`). A refusal for concurrency ("too many operations running for this
company") lowers the slots' limit and is asked again after a wait; those refusals do not count
as tries, and are given up only after `max_concurrency_wait` seconds of them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from connector_runtime.deadline import BodyTooLargeError, Deadline, DeadlineExceededError, read_body

from intacct_api import dates
from intacct_api.concurrency import RequestSlots, pooled_session
from intacct_api.envelope import (
    Control,
    LoginAuth,
    Response,
    Result,
    SessionAuth,
    build_request,
    match_results,
    parse_response,
    transient_class,
)
from intacct_api.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    GatewayError,
    IntacctError,
    InvalidSessionError,
    RateLimitError,
    ServiceUnavailableError,
    describe,
    mask_secrets,
)
from intacct_api.functions import QUERY_MAX_PAGE_SIZE, Function, get_api_session
from intacct_api.retries import connection_failure, retry_after, with_retries
from intacct_api.xml import MAX_BODY_BYTES

DEFAULT_API_URL = "https://api.intacct.com/ia/xml/xmlgw.phtml"
DEFAULT_SESSION_LIFETIME = 30 * 60.0
USER_AGENT = "intacct-connectors-api/0.1"
LOGGED_BODY_CHARS = 20_000
XML_CONTENT_TYPES = ("text/xml", "application/xml")

logger = logging.getLogger("intacct_api")
_SECRET_ELEMENTS = re.compile(rb"<(password|sessionid)>[^<]*</\1>")


@dataclass(frozen=True)
class Credentials:
    """Web Services sender and user credentials; `entity_id` logs into one entity."""

    sender_id: str
    sender_password: str = field(repr=False)
    company_id: str
    user_id: str
    user_password: str = field(repr=False)
    entity_id: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], entity_id: str | None = None) -> Credentials:
        """The five credentials settings the tap and the target share, for one entity."""
        return cls(
            sender_id=config["sender_id"],
            sender_password=config["sender_password"],
            company_id=config["company_id"],
            user_id=config["user_id"],
            user_password=config["user_password"],
            entity_id=entity_id,
        )


@dataclass
class _Session:
    session_id: str = field(repr=False)
    endpoint: str
    lifetime: float
    expires_at: float  # time.monotonic() deadline


class IntacctClient:
    """One company's connection to the gateway; `execute` sends one HTTP request per call."""

    max_page_size = QUERY_MAX_PAGE_SIZE

    def __init__(
        self,
        credentials: Credentials,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float | tuple[float, float] = (10.0, 300.0),
        verify_tls: bool | str = True,
        max_tries: int = 6,
        max_time: float = 300.0,
        backoff_factor: float = 1.0,
        backoff_max: float = 60.0,
        timezone: str = "UTC",
        session_refresh_margin: float = 120.0,
        max_response_bytes: int = MAX_BODY_BYTES,
        deadline: float | None = None,
        http: requests.Session | None = None,
        slots: RequestSlots | None = None,
        max_concurrency_wait: float = 3600.0,
    ) -> None:
        self.credentials = credentials
        self.api_url = api_url
        self.timeout = timeout
        # seconds one whole exchange may take; by default the connect and read time-outs added
        self.deadline = deadline or (sum(timeout) if isinstance(timeout, tuple) else 2 * timeout)
        self.verify_tls = verify_tls
        self.max_tries = max_tries
        self.max_time = max_time
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.timezone = timezone
        self.zone = dates.zone(timezone)
        self.session_refresh_margin = session_refresh_margin
        self.max_response_bytes = max_response_bytes
        self.slots = slots or RequestSlots(1)
        self.max_concurrency_wait = max_concurrency_wait
        self._owns_http = http is None
        self._http = http or pooled_session(self.slots.maximum)
        self._session: _Session | None = None
        self._lock = threading.RLock()
        self.request_count = 0
        self.login_count = 0
        self.function_counts: Counter[str] = Counter()

    # --- public API ----------------------------------------------------------------------

    def execute(
        self,
        functions: Sequence[Function],
        transaction: bool = False,
        unique_id: bool = False,
    ) -> list[Result]:
        """Send the functions in one request; results come back in order, failures included.

        Results are matched to the functions by control id. Raises for control, authentication
        and transport failures and for results that do not match, never for a failed function.
        """
        functions = list(functions)
        session = self._current_session()
        try:
            response = self._send_with_session(session, functions, transaction, unique_id)
        except InvalidSessionError:
            logger.info("Intacct session is no longer valid; logging in again and repeating")
            self._forget(session)
            session = self._current_session()
            response = self._send_with_session(session, functions, transaction, unique_id)
        return response.results

    def call(self, function: Function) -> Result:
        """Execute one function and raise `FunctionError` if it failed."""
        results = self.execute([function])
        if not results:
            raise GatewayError(f"Intacct returned no result for {function.name}")
        return results[0].raise_for_status()

    def login(self) -> None:
        """Open a session now (otherwise the first `execute` does)."""
        with self._lock:
            self._session = self._login()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> IntacctClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def endpoint(self) -> str | None:
        """The per-session endpoint Intacct returned at login."""
        return self._session.endpoint if self._session else None

    @property
    def session_expires_in(self) -> float | None:
        """Seconds until the current session times out, as last projected by Intacct."""
        return self._session.expires_at - time.monotonic() if self._session else None

    def parse_datetime(self, text: str | None) -> datetime | None:
        """Parse a timestamp rendered in the company's zone into aware UTC."""
        return dates.parse_datetime(text, self.zone)

    def format_datetime(self, value: datetime) -> str:
        """Render a datetime in the company's zone for filters and fields."""
        return dates.format_datetime(value, self.zone)

    # --- sessions ------------------------------------------------------------------------

    def _current_session(self) -> _Session:
        with self._lock:
            session = self._session
            if session is not None:
                margin = min(self.session_refresh_margin, session.lifetime / 2)
                if time.monotonic() < session.expires_at - margin:
                    return session
                logger.info("Intacct session times out within %.0f s; logging in again", margin)
            self._session = self._login()
            return self._session

    def _forget(self, session: _Session) -> None:
        with self._lock:
            if self._session is session:
                self._session = None

    def _login(self) -> _Session:
        creds = self.credentials
        auth = LoginAuth(creds.user_id, creds.company_id, creds.user_password, creds.entity_id)
        function = get_api_session(creds.entity_id, control_id="sessionProvider")
        started = time.monotonic()
        response = self._exchange(self.api_url, auth, [function], False, False)
        result = response.results[0] if response.results else None
        if result is None or not result.ok:
            errors = result.errors if result is not None else ()
            raise AuthenticationError(
                f"Intacct refused to open an API session for company {creds.company_id!r}"
                f"{f' entity {creds.entity_id!r}' if creds.entity_id else ''}: {describe(errors)}",
                errors,
            )
        api = result.records()[0] if result.records() else {}
        session_id = api.get("sessionid")
        if not session_id:
            raise GatewayError("Intacct's getAPISession answer holds no session id")
        endpoint = self._checked_endpoint(api.get("endpoint"))
        lifetime = self._lifetime(response) or DEFAULT_SESSION_LIFETIME
        self.login_count += 1
        logger.info(
            "Logged in to Intacct company %s%s; endpoint %s; session lifetime %.0f s",
            creds.company_id,
            f" entity {creds.entity_id}" if creds.entity_id else "",
            endpoint,
            lifetime,
        )
        return _Session(session_id, endpoint, lifetime, started + lifetime)

    def _checked_endpoint(self, endpoint: str | None) -> str:
        """Use the returned endpoint, unless it would leave HTTPS for another host."""
        if not endpoint:
            return self.api_url
        target, origin = urlsplit(endpoint), urlsplit(self.api_url)
        if target.scheme == "https" or (target.scheme, target.netloc) == (
            origin.scheme,
            origin.netloc,
        ):
            return endpoint
        raise GatewayError(
            f"Intacct returned a session endpoint on {target.scheme}://{target.netloc}, which is "
            f"neither HTTPS nor the configured host {origin.netloc}; refusing to send the session"
        )

    def _lifetime(self, response: Response) -> float | None:
        """Session lifetime from `sessiontimeout` minus `sessiontimestamp` (both server clock)."""
        auth = response.auth
        if auth is None or not auth.session_timeout:
            return None
        try:
            timeout = dates.parse_datetime(auth.session_timeout)
            stamp = (
                dates.parse_datetime(auth.session_timestamp)
                if auth.session_timestamp
                else datetime.now(UTC)
            )
        except ValueError:
            return None
        if timeout is None or stamp is None:
            return None
        return max((timeout - stamp).total_seconds(), 0.0)

    def _send_with_session(
        self, session: _Session, functions: list[Function], transaction: bool, unique_id: bool
    ) -> Response:
        started = time.monotonic()
        response = self._exchange(
            session.endpoint, SessionAuth(session.session_id), functions, transaction, unique_id
        )
        lifetime = self._lifetime(response)
        if lifetime is not None:
            with self._lock:
                session.lifetime = lifetime
                session.expires_at = started + lifetime
        return response

    # --- one exchange, with retries ------------------------------------------------------

    def _exchange(
        self,
        url: str,
        auth: LoginAuth | SessionAuth,
        functions: list[Function],
        transaction: bool,
        unique_id: bool,
    ) -> Response:
        control = Control(self.credentials.sender_id, self.credentials.sender_password)
        request = _Request(
            url=url,
            body=build_request(control, auth, functions, transaction, unique_id),
            names=tuple(f.name for f in functions),
            control_ids=tuple(f.control_id for f in functions),
            read_only=all(f.is_read for f in functions),
            secrets=self._secrets(auth),
        )

        def attempt() -> Response:
            response = self._post(request)
            response.results = match_results(
                request.control_ids, response.results, read_only=request.read_only
            )
            _raise_for_transient_results(response, request.read_only)
            return response

        return with_retries(
            attempt,
            max_tries=self.max_tries,
            max_time=self.max_time,
            factor=self.backoff_factor,
            max_value=self.backoff_max,
            slots=self.slots,
            max_concurrency_wait=self.max_concurrency_wait,
        )

    def _secrets(self, auth: LoginAuth | SessionAuth) -> tuple[str, ...]:
        secrets = [self.credentials.sender_password, self.credentials.user_password]
        if isinstance(auth, SessionAuth):
            secrets.append(auth.session_id)
        if self._session is not None:
            secrets.append(self._session.session_id)
        return tuple(s for s in secrets if s)

    def _post(self, request: _Request) -> Response:
        host = urlsplit(request.url).netloc
        with self._lock:
            self.request_count += 1
            self.function_counts.update(request.names)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s (%s): %s",
                mask_secrets(request.url, request.secrets),
                request.what,
                _masked(request.body, request.secrets),
            )
        started = time.monotonic()
        deadline = Deadline(self.deadline)
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout,) * 2
        timeouts = deadline.timeouts(connect, read)
        try:
            http_response = self._http.post(
                request.url,
                data=request.body,
                headers={"Content-Type": "application/xml", "User-Agent": USER_AGENT},
                timeout=timeouts,
                verify=self.verify_tls,
                stream=True,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise connection_failure(exc, host, deadline, request.cut_off) from None
        try:
            status = http_response.status_code
            payload = self._read_body(http_response, request, deadline)
        finally:
            http_response.close()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "HTTP %s from %s in %.3f s, %d bytes: %s",
                status,
                host,
                time.monotonic() - started,
                len(payload),
                _masked(payload, request.secrets),
            )
        return self._interpret(request, status, http_response.headers, payload)

    def _read_body(
        self, http_response: requests.Response, request: _Request, deadline: Deadline
    ) -> bytes:
        """Read at most `max_response_bytes` (decompressed) of the body, before the deadline."""
        limit, status = self.max_response_bytes, http_response.status_code
        try:
            return read_body(http_response, deadline, limit)
        except BodyTooLargeError:
            too_large = GatewayError(
                f"Intacct response (HTTP {status}) exceeds the {limit}-byte limit",
                status_code=status,
            )
            raise request.unreadable(too_large, definite=300 <= status < 500) from None
        except DeadlineExceededError as exc:
            raise request.cut_off(str(exc)) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise request.cut_off(f"the response (HTTP {status}) was cut off: {exc}") from None

    def _interpret(
        self, request: _Request, status: int, headers: Mapping[str, str], payload: bytes
    ) -> Response:
        """Turn an HTTP answer into a `Response`, or the error that says what happened."""
        media_type = headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        response = None
        if media_type in XML_CONTENT_TYPES or media_type.endswith("+xml") or not media_type:
            try:
                response = parse_response(
                    payload,
                    status_code=status,
                    secrets=request.secrets,
                    max_bytes=self.max_response_bytes,
                )
            except GatewayError as exc:
                if status < 300:
                    raise request.unreadable(exc) from None
        summary = _summary(status, media_type, payload, response, request.secrets)
        errors = response.errors if response is not None else ()
        wait = retry_after(headers.get("Retry-After"))
        if status == 429:
            raise RateLimitError(
                f"Intacct rate limit hit ({summary})",
                errors,
                status_code=status,
                retry_after=wait,
            )
        if status in (502, 503):
            raise ServiceUnavailableError(
                f"Intacct is unavailable ({summary})",
                errors,
                status_code=status,
                retry_after=wait,
            )
        if response is not None and response.control_status != "success":
            response.raise_for_status()  # a definite answer, whatever the status: nothing ran
        if status >= 500:
            raise request.cut_off(f"Intacct answered {summary}", status_code=status)
        if status >= 300 or response is None:
            detail = "" if status >= 300 else "; expected text/xml or application/xml"
            raise request.unreadable(
                GatewayError(f"Intacct returned {summary}{detail}", errors, status_code=status),
                definite=status >= 300,
            )
        return response.raise_for_status()


@dataclass(frozen=True)
class _Request:
    """One request body and what decides how its failures are handled."""

    url: str
    body: bytes
    names: tuple[str, ...]
    control_ids: tuple[str, ...]
    read_only: bool
    secrets: tuple[str, ...]

    @property
    def what(self) -> str:
        return ", ".join(self.names)

    def ambiguous(self, why: str, status_code: int | None = None) -> AmbiguousWriteError:
        return AmbiguousWriteError(
            f"{why}; the request ({self.what}) contains writes that may have run: read the "
            "records back (or re-send with the same control ids and unique_id=True) before "
            "posting again",
            status_code=status_code,
            control_ids=self.control_ids,
        )

    def cut_off(
        self, why: str, status_code: int | None = None
    ) -> ServiceUnavailableError | AmbiguousWriteError:
        """The request was sent but no answer came back: repeat reads, never writes."""
        if self.read_only:
            return ServiceUnavailableError(f"{why} ({self.what})", status_code=status_code)
        return self.ambiguous(why, status_code)

    def unreadable(self, error: GatewayError, definite: bool = False) -> IntacctError:
        """An answer we cannot read: unless it is a definite refusal, a write may have run."""
        if self.read_only or definite:
            return error
        return self.ambiguous(str(error), error.status_code)


def _raise_for_transient_results(response: Response, read_only: bool) -> None:
    """Retry a "try again later" result only when no write in the request succeeded."""
    failed = [r for r in response.results if not r.ok]
    if not failed:
        return
    cls = transient_class([e for r in failed for e in r.errors])
    if cls is not None and (read_only or len(failed) == len(response.results)):
        raise cls(
            f"Intacct asked to retry later: {describe(failed[0].errors)}",
            failed[0].errors,
            control_id=failed[0].control_id,
        )


def _summary(
    status: int,
    media_type: str,
    payload: bytes,
    response: Response | None,
    secrets: Iterable[str],
) -> str:
    """`HTTP 503 (text/html): <first words of the page>` or the XML error details."""
    if response is not None and response.errors:
        return f"HTTP {status}, {describe(response.errors)}"
    text = re.sub(r"<[^>]*>", " ", payload[:2000].decode("utf-8", "replace"))
    text = mask_secrets(" ".join(text.split())[:200], secrets)
    return f"HTTP {status} ({media_type or 'no content type'})" + (f": {text}" if text else "")


def _masked(body: bytes, secrets: Iterable[str]) -> str:
    text = _SECRET_ELEMENTS.sub(rb"<\1>***</\1>", body).decode("utf-8", "replace")
    if len(text) > LOGGED_BODY_CHARS:
        text = f"{text[:LOGGED_BODY_CHARS]}… ({len(text)} chars)"
    return mask_secrets(text, secrets)
