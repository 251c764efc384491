"""Magento 2 REST client: authentication, retries, bounded concurrency, secret-free logging.

Every request is bounded as a whole (`connector_runtime.deadline`): connecting, sending and every
byte of the answer within `timeout` seconds, however steadily a slow answer drips.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t
import warnings
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import backoff
import msgspec
import requests
import urllib3.exceptions
from connector_runtime.deadline import BodyTooLargeError, Deadline, DeadlineExceededError, read_body
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from magento_api.auth import AuthSettings, BearerAuth, NoAuth, oauth1
from magento_api.codec import decode_json, encode_json
from magento_api.errors import MagentoError, TLSError, TransientError, render_message, tls_reason

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

LOGGER = logging.getLogger("magento_api.http")

# 520-524: a CDN in front of the shop (524: the shop took too long to answer it)
RETRIABLE_STATUS = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD"})
CONNECT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 256 * 2**20

T = t.TypeVar("T")
R = t.TypeVar("R")

Filter = tuple[str, object, str]


def search_params(
    filter_groups: Sequence[Sequence[Filter]],
    *,
    sort_orders: Sequence[tuple[str, str]] = (),
    page_size: int,
    current_page: int = 1,
) -> dict[str, t.Any]:
    """`searchCriteria` query parameters: groups AND, filters in a group OR, then the sorts."""
    params: dict[str, t.Any] = {}
    for group_index, group in enumerate(filter_groups):
        for filter_index, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filterGroups][{group_index}][filters][{filter_index}]"
            params[f"{prefix}[field]"] = field
            params[f"{prefix}[value]"] = value
            params[f"{prefix}[conditionType]"] = condition
    for index, (field, direction) in enumerate(sort_orders):
        params[f"searchCriteria[sortOrders][{index}][field]"] = field
        params[f"searchCriteria[sortOrders][{index}][direction]"] = direction
    params["searchCriteria[pageSize]"] = page_size
    params["searchCriteria[currentPage]"] = current_page
    return params


class MagentoClient:
    """One keep-alive session shared by `max_concurrency` worker threads.

    `timeout` bounds each whole request (its answer's last byte included); `session` is the
    `requests.Session`, open to hooks (request capture, proxies).
    """

    def __init__(
        self,
        base_url: str,
        auth: AuthSettings,
        *,
        store_code: str = "default",
        timeout: float = 60.0,
        verify_tls: bool = True,
        max_concurrency: int = 4,
        max_tries: int = 5,
        backoff_factor: float = 0.5,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.store_code = store_code
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.max_concurrency = max(1, max_concurrency)
        self.max_tries = max(1, max_tries)
        self.backoff_factor = backoff_factor
        self.request_count = 0
        self._auth_settings = auth
        self._mode = auth.mode
        # oauthlib logs signature base strings, access token included, at DEBUG level.
        for chatty in ("oauthlib", "requests_oauthlib"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
        self._admin_token: str | None = None
        self._token_lock = threading.Lock()
        self._count_lock = threading.Lock()
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override `Session.verify`.
        self.verify_tls = verify_tls
        if not verify_tls:
            LOGGER.warning("verify_tls is false: the shop's HTTPS certificate is not checked")
            warnings.filterwarnings("ignore", category=InsecureRequestWarning)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=self.max_concurrency + 2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json"})
        self.session.auth = self._build_auth()
        self._pool = ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="mg")

    @property
    def auth_mode(self) -> str:
        """`oauth`, `bearer` or `admin`."""
        return self._mode

    def _build_auth(self) -> requests.auth.AuthBase:
        settings = self._auth_settings
        if self._mode == "oauth":
            return oauth1(settings)
        if self._mode == "bearer":
            token = t.cast("str", settings.access_token)
            return BearerAuth(lambda: token)
        return BearerAuth(self._current_admin_token)

    # Admin token -------------------------------------------------------------------------

    def _current_admin_token(self) -> str:
        with self._token_lock:
            if self._admin_token is None:
                self._admin_token = self._fetch_admin_token()
            return self._admin_token

    def _fetch_admin_token(self) -> str:
        """`POST /V1/integration/admin/token`: has no side effect, so it is retried freely."""
        settings = self._auth_settings
        body = {"username": settings.username, "password": settings.password}
        token = self._send(
            "POST",
            f"{self.store_code}/V1/integration/admin/token",
            body=body,
            params=None,
            retry=True,
            authenticate=False,
        )
        LOGGER.info("Obtained a Magento admin token")
        return str(token)

    def _refresh_admin_token(self, rejected: str | None) -> None:
        with self._token_lock:
            if self._admin_token == rejected:
                self._admin_token = None

    # Requests ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        store: str | None = None,
        params: Mapping[str, t.Any] | None = None,
        body: object = None,
        retry: bool | None = None,
    ) -> t.Any:
        """Send one call; idempotent methods are retried on transient failures, POST is not.

        A POST is retried only by callers that first check whether it took effect
        (`create_safely`). With admin-token auth a 401 refreshes the token once.
        """
        method = method.upper()
        should_retry = method in IDEMPOTENT_METHODS if retry is None else retry
        full_path = f"{store or self.store_code}/{path.lstrip('/')}"
        if self._mode != "admin":
            return self._send(method, full_path, body=body, params=params, retry=should_retry)
        token = self._current_admin_token()
        try:
            return self._send(method, full_path, body=body, params=params, retry=should_retry)
        except MagentoError as error:
            if error.status != 401:
                raise
            LOGGER.info("Magento refused the admin token; requesting a new one")
            self._refresh_admin_token(token)
            return self._send(method, full_path, body=body, params=params, retry=should_retry)

    def _send(
        self,
        method: str,
        full_path: str,
        *,
        body: object,
        params: Mapping[str, t.Any] | None,
        retry: bool,
        authenticate: bool = True,
    ) -> t.Any:
        def attempt() -> t.Any:
            return self._send_once(method, full_path, body, params, authenticate=authenticate)

        if not retry:
            return attempt()
        retrying = backoff.on_exception(
            backoff.expo,
            TransientError,
            max_tries=self.max_tries,
            factor=self.backoff_factor,
            max_value=10,
            logger=None,
            on_backoff=lambda details: LOGGER.warning(
                "Retrying %s /rest/%s after %s (attempt %d)",
                method,
                full_path.split("?", 1)[0],
                details.get("exception"),
                details["tries"],
            ),
        )(attempt)
        return retrying()

    def _send_once(
        self,
        method: str,
        full_path: str,
        body: object,
        params: Mapping[str, t.Any] | None,
        *,
        authenticate: bool,
    ) -> t.Any:
        url = f"{self.base_url}/rest/{full_path}"
        data = None if body is None else encode_json(body)
        headers = {"Content-Type": "application/json"} if data is not None else None
        with self._count_lock:
            self.request_count += 1
        started = time.monotonic()
        deadline = Deadline(self.timeout)
        where = f"/rest/{full_path}"
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=deadline.timeouts(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
                auth=None if authenticate else NoAuth(),
                verify=self.verify_tls,
                stream=True,
            )
        except requests.exceptions.SSLError as error:
            host = urlsplit(self.base_url).netloc
            message = (
                f"TLS with {host} failed: {tls_reason(error)}. Give REQUESTS_CA_BUNDLE a CA "
                "bundle that holds the shop certificate's issuer, or set verify_tls to false "
                "(only for a shop you trust, e.g. a local one)"
            )
            raise TLSError(0, message, method, where) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            LOGGER.debug("%s %s failed: %s", method, where, type(error).__name__)
            why = str(deadline.exceeded("an answer")) if deadline.expired else type(error).__name__
            raise TransientError(0, why, method, where) from None
        try:
            raw = read_body(response, deadline, self.max_response_bytes)
        except BodyTooLargeError:
            why = f"the answer exceeds {self.max_response_bytes} bytes"
            raise MagentoError(response.status_code, why, method, where) from None
        except DeadlineExceededError as error:
            raise TransientError(0, str(error), method, where) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            why = f"the answer was cut off ({type(error).__name__})"
            raise TransientError(0, why, method, where) from None
        finally:
            response.close()
        LOGGER.debug(
            "%s /rest/%s -> %d in %.3fs",
            method,
            full_path,
            response.status_code,
            time.monotonic() - started,
        )
        try:
            payload = decode_json(raw) if raw else None
        except msgspec.DecodeError:
            payload = raw.decode(response.encoding or "utf-8", "replace")
        if response.status_code < 300:
            return payload
        error_class = TransientError if response.status_code in RETRIABLE_STATUS else MagentoError
        raise error_class(response.status_code, render_message(payload), method, where)

    # Conveniences ------------------------------------------------------------------------

    def search(
        self,
        path: str,
        filter_groups: list[list[tuple[str, object, str]]],
        *,
        page_size: int = 300,
        store: str | None = None,
    ) -> list[dict]:
        """Every item of a searchCriteria query, page by page; groups AND, filters in a group OR.

        `currentPage` paging is safe only over a set that does not move while it is read (the
        target's look-ups); a reader of changing data pages by key (`search_params`).
        """
        items: list[dict] = []
        page = 1
        while True:
            params = search_params(filter_groups, page_size=page_size, current_page=page)
            result = self.request("GET", path, store=store, params=params) or {}
            batch = result.get("items") or []
            items.extend(batch)
            total = int(result.get("total_count") or 0)
            if not batch or page * page_size >= total:
                return items
            page += 1

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run `function` over `items` on the bounded worker pool, results in input order."""
        materialised = list(items)
        if len(materialised) <= 1 or self.max_concurrency == 1:
            return [function(item) for item in materialised]
        return list(self._pool.map(function, materialised))

    def create_safely(
        self,
        path: str,
        body: object,
        find_existing: Callable[[], T | None],
        *,
        store: str | None = None,
    ) -> tuple[t.Any, T | None]:
        """POST once; after a transient failure, look for the result before posting again.

        Returns `(response, None)` when the POST answered, or `(None, existing)` when a lost
        answer turned out to have created the object.
        """
        for attempt in range(1, self.max_tries + 1):
            try:
                return self.request("POST", path, store=store, body=body, retry=False), None
            except TransientError:
                if attempt == self.max_tries:
                    raise
                time.sleep(min(10.0, self.backoff_factor * 2**attempt))
                existing = find_existing()
                if existing is not None:
                    LOGGER.info("POST /%s had taken effect before its answer was lost", path)
                    return None, existing
        msg = "unreachable"  # pragma: no cover
        raise AssertionError(msg)  # pragma: no cover

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.session.close()


def sku_path(sku: str) -> str:
    """`V1/products/{sku}` with the SKU URL-encoded, slashes included."""
    return f"V1/products/{quote(sku, safe='')}"
