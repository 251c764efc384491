"""OAuth 2.0 for Sage Intacct's REST API: client credentials or a (rotating) refresh token.

Client credentials name the Web Services user as `username=<user>@<company>` (`|<entity>` for an
entity token); the refresh-token grant uses a refresh token from an authorization the user made
in Intacct. Access tokens last 12 hours (`expires_in`); one is renewed `refresh_margin` seconds
before it expires and whenever the API answers 401. Each refresh answers a new refresh token and
ends the old one: it is kept in memory and, when `token_file` is set, written there atomically
(a temporary file renamed over the old one, mode 0600) before it is used. Tokens and the client
secret never appear in logs, errors or repr.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from intacct_api.errors import AuthenticationError

logger = logging.getLogger("intacct_api")
TOKEN_PATH = "/oauth2/token"
CLIENT_CREDENTIALS = "client_credentials"
REFRESH_TOKEN = "refresh_token"


@dataclass(frozen=True)
class OAuthCredentials:
    """A registered REST client and the user it acts for.

    `grant` is `client_credentials` (needs `user_id` and `company_id`) or `refresh_token` (needs
    `refresh_token` or a `token_file` holding one). `entity_id` names the entity a token or
    request is for; `sender_id` is the Web Services sender (the XML side's, for logs only).
    """

    client_id: str
    client_secret: str = field(repr=False)
    company_id: str
    user_id: str = ""
    entity_id: str | None = None
    grant: str = CLIENT_CREDENTIALS
    refresh_token: str | None = field(default=None, repr=False)
    token_file: str | None = None

    def __post_init__(self) -> None:
        if self.grant not in (CLIENT_CREDENTIALS, REFRESH_TOKEN):
            raise ValueError(f"grant must be {CLIENT_CREDENTIALS} or {REFRESH_TOKEN}")
        if self.grant == CLIENT_CREDENTIALS and not self.user_id:
            raise ValueError("the client_credentials grant needs the user ID (user_id)")

    @property
    def username(self) -> str:
        """`user@company` or `user@company|entity`, as the client-credentials grant names them."""
        entity = f"|{self.entity_id}" if self.entity_id else ""
        return f"{self.user_id}@{self.company_id}{entity}"

    def for_entity(self, entity_id: str | None) -> OAuthCredentials:
        """The same client and user for another entity (requests name it in a header)."""
        return replace(self, entity_id=entity_id)

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], entity_id: str | None = None
    ) -> OAuthCredentials:
        """The REST settings the tap and the target share."""
        return cls(
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            company_id=config["company_id"],
            user_id=config.get("user_id") or "",
            entity_id=entity_id,
            grant=config.get("oauth_grant") or CLIENT_CREDENTIALS,
            refresh_token=config.get("refresh_token") or None,
            token_file=config.get("token_file") or None,
        )


class TokenFile:
    """The refresh token kept between runs: `{"refresh_token": "..."}`, mode 0600."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def read(self) -> str | None:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise AuthenticationError(f"token_file {self.path} cannot be read: {exc}") from None
        token = data.get("refresh_token") if isinstance(data, dict) else None
        return str(token) if token else None

    def write(self, refresh_token: str) -> None:
        """Replace the file atomically: a crash leaves the old token or the new one, whole."""
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".token-", dir=directory)
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w") as out:
                json.dump({"refresh_token": refresh_token}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@dataclass
class _Token:
    access: str = field(repr=False)
    expires_at: float  # time.monotonic()


Post = Callable[[str, Mapping[str, str]], tuple[int, Any]]


class TokenSource:
    """Access tokens for one client: fetched, renewed before expiry or after a 401."""

    def __init__(
        self, credentials: OAuthCredentials, post: Post, refresh_margin: float = 300.0
    ) -> None:
        self.credentials = credentials
        self._post = post  # (path, form) → (status, JSON body); the HTTP client's
        self.refresh_margin = refresh_margin
        self._file = TokenFile(credentials.token_file) if credentials.token_file else None
        self._refresh: str | None = credentials.refresh_token
        self._token: _Token | None = None
        self._lock = threading.Lock()
        self.grants = 0

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be logged: the client secret and every token held now."""
        held = [self.credentials.client_secret, self._refresh]
        if self._token is not None:
            held.append(self._token.access)
        return tuple(s for s in held if s)

    def access_token(self) -> str:
        with self._lock:
            token = self._token
            if token is None or time.monotonic() >= token.expires_at - self._margin(token):
                token = self._token = self._grant()
            return token.access

    def invalidate(self, access: str) -> None:
        """The API refused `access` (HTTP 401): the next request gets a new token."""
        with self._lock:
            if self._token is not None and self._token.access == access:
                self._token = None

    def _margin(self, token: _Token) -> float:
        return min(self.refresh_margin, max(token.expires_at - time.monotonic(), 0) / 2)

    def _grant(self) -> _Token:
        creds = self.credentials
        form = {"client_id": creds.client_id, "client_secret": creds.client_secret}
        if creds.grant == CLIENT_CREDENTIALS:
            form |= {"grant_type": CLIENT_CREDENTIALS, "username": creds.username}
        else:
            refresh = (self._file.read() if self._file else None) or self._refresh
            if not refresh:
                raise AuthenticationError(
                    "oauth_grant refresh_token needs a refresh token: set refresh_token, or "
                    "token_file to a file holding one"
                )
            form |= {"grant_type": REFRESH_TOKEN, "refresh_token": refresh}
        started = time.monotonic()
        status, body = self._post(TOKEN_PATH, form)
        if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
            raise AuthenticationError(self._refusal(status, body))
        rotated = body.get("refresh_token")
        if rotated and creds.grant == REFRESH_TOKEN:
            if self._file is not None:
                self._file.write(str(rotated))
            self._refresh = str(rotated)
        self.grants += 1
        lifetime = float(body.get("expires_in") or 0) or 3600.0
        logger.info(
            "Intacct REST token for company %s (%s) valid for %.0f s",
            creds.company_id,
            creds.grant,
            lifetime,
        )
        return _Token(str(body["access_token"]), started + lifetime)

    def _refusal(self, status: int, body: Any) -> str:
        """One line saying what Intacct refused and what to do about it."""
        error = body.get("ia::result", body).get("ia::error") if isinstance(body, dict) else None
        error = error or (body.get("error") if isinstance(body, dict) else None)
        code = message = ""
        if isinstance(error, dict):
            code = str(error.get("errorId") or error.get("code") or "")
            message = str(error.get("message") or "")
        elif isinstance(error, str):
            code, message = error, str(body.get("error_description") or "")
        said = f"{message} ({code})" if message and code else message or code or "no reason given"
        creds = self.credentials
        if creds.grant == REFRESH_TOKEN:
            where = f" or {creds.token_file}" if creds.token_file else ""
            what = (
                "the refresh token has expired or was revoked (authorizing the same user again "
                "revokes earlier tokens): authorize the client in Intacct again and put the new "
                f"refresh token in refresh_token{where}"
            )
        elif status == 401:
            what = (
                "check client_id and client_secret, and that the client is authorized in the "
                "company"
            )
        else:
            what = (
                f"check that user {creds.user_id!r} exists in company {creds.company_id!r}, is a "
                "Web Services user and is named in the company's authorized client applications"
            )
        return f"Intacct refused the OAuth token request (HTTP {status}: {said}); {what}"
