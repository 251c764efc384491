"""Who is calling: admin tokens, the demo integration (OAuth 1.0a), and Magento's refusals.

* `POST /V1/integration/admin/token` answers a token string valid 4 hours; wrong credentials are a
  401, and 6 failures lock the user for 30 minutes (the same 401 text, as in Magento).
* OAuth 1.0a requests are verified here with HMAC-SHA256, the only method Magento accepts: the
  signature base string is built from the method, the normalised URL and the sorted, encoded
  `oauth_*` header parameters plus the query (and form) parameters; the key is
  `consumer_secret&token_secret`. Each nonce is accepted once per consumer.
* The integration access token sent alone as `Bearer` is refused unless the
  "integration as bearer" switch is on (off by default since Magento 2.4.4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .errors import MagentoError, aggregate, input_error, required

ADMIN_TOKEN_LIFETIME = 4 * 3600
MAX_FAILURES = 6
LOCKOUT_SECONDS = 1800
NONCE_TIME_DEVIATION = 600
# Magento\Framework\Oauth\Helper\Oauth::LENGTH_TOKEN and LENGTH_CONSUMER_KEY
TOKEN_LENGTH = 32
CONSUMER_KEY_LENGTH = 32
USER_TYPE_INTEGRATION = 1
USER_TYPE_ADMIN = 2
SIGN_IN_FAILED = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
TWO_FACTOR_REQUIRED = "Please use the 2fa provider-specific endpoints to obtain a token."
OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_nonce",
    "oauth_timestamp",
    "oauth_token",
)


def _demo_secret(label: str) -> str:
    """Deterministic 32-character values shaped like Magento's integration credentials."""
    return hashlib.sha256(f"magento-emulator-demo:{label}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Integration:
    """The four OAuth credentials of an activated integration."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str
    consumer_id: int = 1

    def __repr__(self) -> str:
        return f"Integration(consumer_key={self.consumer_key!r}, secrets hidden)"


DEMO_INTEGRATION = Integration(
    consumer_key=_demo_secret("consumer_key"),
    consumer_secret=_demo_secret("consumer_secret"),
    access_token=_demo_secret("access_token"),
    access_token_secret=_demo_secret("access_token_secret"),
)


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request (None user_type means anonymous/guest)."""

    user_type: int | None
    user_id: int = 1


ANONYMOUS = Caller(None, 0)


@dataclass
class Authenticator:
    """Tokens, lockouts and nonces; all in memory, cleared by a reset."""

    admin_username: str
    admin_password: str
    integration: Integration = DEMO_INTEGRATION
    _tokens: dict[str, float] = field(default_factory=dict)
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _nonces: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._failures.clear()
            self._nonces.clear()

    def admin_token(self, username: str, password: str, *, two_factor: bool) -> str:
        if not username or not password:
            raise aggregate(
                [
                    required(name)
                    for name, value in (("username", username), ("password", password))
                    if not value
                ]
            )
        with self._lock:
            failures, since = self._failures.get(username, (0, 0.0))
            if failures >= MAX_FAILURES and time.monotonic() - since < LOCKOUT_SECONDS:
                raise MagentoError(401, SIGN_IN_FAILED)
            valid = hmac.compare_digest(username, self.admin_username) and hmac.compare_digest(
                password, self.admin_password
            )
            if not valid:
                count = failures + 1 if failures < MAX_FAILURES else 1
                self._failures[username] = (count, time.monotonic())
                raise MagentoError(401, SIGN_IN_FAILED)
            self._failures.pop(username, None)
            if two_factor:
                raise input_error(TWO_FACTOR_REQUIRED)
            token = secrets.token_hex(16)
            self._tokens[token] = time.monotonic() + ADMIN_TOKEN_LIFETIME
            return token

    def bearer(self, token: str, *, integration_bearer: bool) -> Caller | None:
        with self._lock:
            expiry = self._tokens.get(token)
            if expiry is not None and expiry > time.monotonic():
                return Caller(USER_TYPE_ADMIN)
        if integration_bearer and hmac.compare_digest(token, self.integration.access_token):
            return Caller(USER_TYPE_INTEGRATION)
        return None

    def oauth(self, header: str, method: str, url: str, form: str = "") -> Caller:
        """Verify an `Authorization: OAuth ...` request; raise Magento's errors when it fails.

        The checks run in `Oauth::validateAccessTokenRequest`'s order: protocol parameters
        (version, required names, token length, signature method), the consumer, the nonce
        (recorded before the signature is checked), the access token, then the signature.
        """
        params = _header_params(header)
        if "oauth_version" in params and params["oauth_version"] != "1.0":
            raise input_error('The "%1" Oauth version isn\'t supported.', [params["oauth_version"]])
        missing = [required(name) for name in OAUTH_REQUIRED if name not in params]
        if missing:
            raise aggregate(missing)
        if len(params["oauth_token"]) != TOKEN_LENGTH:
            raise input_error("The token length is invalid. Check the length and try again.")
        if params["oauth_signature_method"] != "HMAC-SHA256":
            raise input_error(
                "Signature method %1 is not supported", [params["oauth_signature_method"]]
            )
        credentials = self.integration
        if len(params["oauth_consumer_key"]) != CONSUMER_KEY_LENGTH:
            raise MagentoError(401, "Consumer key is not the correct length")
        if not hmac.compare_digest(params["oauth_consumer_key"], credentials.consumer_key):
            raise MagentoError(401, "A consumer having the specified key does not exist")
        self._use_nonce(params, credentials)
        if not hmac.compare_digest(params["oauth_token"], credentials.access_token):
            raise MagentoError(401, "Specified token does not exist")
        expected = signature(
            method,
            url,
            [(k, v) for k, v in params.items() if k not in {"oauth_signature", "realm"}]
            + _query_pairs(url)
            + parse_qsl(form, keep_blank_values=True),
            credentials.consumer_secret,
            credentials.access_token_secret,
        )
        if not hmac.compare_digest(expected, params["oauth_signature"]):
            raise MagentoError(401, "The signature is invalid. Verify and try again.")
        return Caller(USER_TYPE_INTEGRATION)

    def _use_nonce(self, params: dict[str, str], credentials: Integration) -> None:
        """Check the timestamp and record the nonce, once per consumer."""
        try:
            timestamp = int(params["oauth_timestamp"])
        except ValueError:
            timestamp = 0
        if timestamp <= 0 or timestamp > time.time() + NONCE_TIME_DEVIATION:
            raise input_error("The timestamp is invalid. Check the timestamp and try again.")
        nonce = (params["oauth_consumer_key"], params["oauth_nonce"])
        with self._lock:
            if nonce in self._nonces:
                raise MagentoError(
                    401,
                    "The nonce is already being used by the consumer with ID %1.",
                    [credentials.consumer_id],
                )
            self._nonces.add(nonce)


def signature(
    method: str,
    url: str,
    params: list[tuple[str, str]],
    consumer_secret: str,
    token_secret: str,
) -> str:
    """HMAC-SHA256 OAuth 1.0a signature (RFC 5849 §3.4), base64-encoded."""
    encoded = sorted((_encode(k), _encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in encoded)
    base = "&".join((method.upper(), _encode(_base_url(url)), _encode(normalized)))
    key = f"{_encode(consumer_secret)}&{_encode(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _encode(text: str) -> str:
    return quote(text, safe="~")


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


def _query_pairs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _header_params(header: str) -> dict[str, str]:
    text = header.strip()
    if text[:5].lower() == "oauth":
        text = text[5:]
    params: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            params[unquote(name.strip())] = unquote(value.strip().strip('"'))
    return params
