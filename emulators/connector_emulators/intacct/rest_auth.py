"""OAuth 2.0 of the REST API: the token endpoint (client credentials, refresh token) and bearers.

As Sage's OAuth guide and recorded answers show: `POST /oauth2/token` takes a form body;
client credentials name the user as `username=<user>@<company>` (`|<entity>` for an entity token);
an answer is `{"token_type": "Bearer", "access_token", "refresh_token", "expires_in": 43200}`;
a refresh gives a new refresh token and the old one stops working.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from .users import USER_ID

CLIENT_ID = "demo_client_id.app.sage.com"
CLIENT_SECRET = "demo_client_secret"
TOKEN_LIFETIME = 43200.0


class TokenError(Exception):
    """A refused token request or bearer: HTTP status, Sage's code, errorId and message."""

    def __init__(self, status: int, code: str, message: str, error_id: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.error_id = status, code, message, error_id


@dataclass
class Grant:
    """Who a token speaks for."""

    company: str
    userid: str
    entity: str | None


@dataclass
class Token:
    """An access token's grant and expiry."""

    grant: Grant
    expires_at: datetime


class Tokens:
    """Issued access and refresh tokens (in memory: a restarted emulator forgets them)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.access: dict[str, Token] = {}
        self.refresh: dict[str, Grant] = {}
        self.lifetime = TOKEN_LIFETIME
        self.issued = 0

    def clear(self) -> None:
        with self.lock:
            self.access.clear()
            self.refresh.clear()

    def exchange(
        self, body: bytes, now: datetime, entity_exists: object
    ) -> dict[str, str | int | float]:
        """Answer a token request (form fields), or raise `TokenError`."""
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        grant_type = form.get("grant_type", "")
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            raise TokenError(401, "GW-0011", "Invalid client ID or client secret", "GW-0011")
        if grant_type == "client_credentials":
            grant = self._user_grant(form.get("username", ""))
            if grant.entity and callable(entity_exists) and not entity_exists(grant):
                raise TokenError(
                    400, "GW-0036", f"Entity '{grant.entity}' does not exist", "GW-0036"
                )
        elif grant_type == "refresh_token":
            with self.lock:
                found = self.refresh.pop(form.get("refresh_token", ""), None)
            if found is None:
                raise TokenError(400, "tokenInvalid", "Token is not valid", "REST-2102")
            grant = found
        else:
            raise TokenError(400, "GW-0032", f"Unsupported grant_type '{grant_type}'", "GW-0032")
        return self._issue(grant, now)

    @staticmethod
    def _user_grant(username: str) -> Grant:
        user, _, rest = username.partition("@")
        company, _, entity = rest.partition("|")
        if not user or not company:
            raise TokenError(
                400, "GW-0037", "username must be <user ID>@<company ID>[|<entity ID>]", "GW-0037"
            )
        if user != USER_ID:
            raise TokenError(401, "GW-0012", f"User '{user}' cannot sign in to '{company}'")
        return Grant(company, user, entity or None)

    def _issue(self, grant: Grant, now: datetime) -> dict[str, str | int | float]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = Token(grant, now + timedelta(seconds=self.lifetime))
            self.refresh[refresh] = grant
            self.issued += 1
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": int(self.lifetime),
        }

    def bearer(self, header: str | None, now: datetime) -> Grant:
        """The grant of a request's `Authorization: Bearer` header."""
        scheme, _, value = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise TokenError(401, "GW-0034", "Authorization header must be 'Bearer <token>'")
        with self.lock:
            token = self.access.get(value.strip())
        if token is None or token.expires_at <= now:
            raise TokenError(401, "GW-0031", "Invalid or expired access token", "GW-0031")
        return token.grant

    def expire(self, company: str | None = None) -> None:
        """Every access token (of one company) stops working; refresh tokens stay valid."""
        with self.lock:
            for key, token in list(self.access.items()):
                if company is None or token.grant.company == company:
                    del self.access[key]

    def revoke(self, company: str | None = None) -> int:
        """Revoke refresh tokens (as a second authorization of the same user does)."""
        with self.lock:
            doomed = [k for k, g in self.refresh.items() if company in (None, g.company)]
            for key in doomed:
                del self.refresh[key]
        return len(doomed)
