"""The three ways Magento accepts an admin caller: OAuth 1.0a integration, bearer, admin token."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import requests
from requests_oauthlib import OAuth1

if t.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

OAUTH_FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


@dataclass(frozen=True)
class AuthSettings:
    """The credentials of one of the three ways Magento accepts; `repr` hides every secret."""

    access_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token_secret: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return f"AuthSettings(mode={self.mode!r})"

    @classmethod
    def from_config(cls, config: Mapping[str, t.Any]) -> AuthSettings:
        """The credentials settings every Magento plugin shares (same names in each)."""
        return cls(
            access_token=config.get("access_token"),
            consumer_key=config.get("consumer_key"),
            consumer_secret=config.get("consumer_secret"),
            access_token_secret=config.get("access_token_secret"),
            username=config.get("username"),
            password=config.get("password"),
        )

    @property
    def mode(self) -> str:
        """`oauth` (integration, signed), `bearer` (token) or `admin` (username + password)."""
        if self.consumer_key or self.consumer_secret or self.access_token_secret:
            missing = [name for name in OAUTH_FIELDS if not getattr(self, name)]
            if missing:
                msg = f"OAuth 1.0a needs all four integration credentials; missing: {missing}"
                raise ValueError(msg)
            return "oauth"
        if self.access_token:
            return "bearer"
        if self.username and self.password:
            return "admin"
        msg = "No Magento credentials: set access_token, or username and password, or OAuth keys"
        raise ValueError(msg)


class BearerAuth(requests.auth.AuthBase):
    """Adds `Authorization: Bearer`; the token is read at send time so a refresh applies."""

    def __init__(self, token_source: Callable[[], str]) -> None:
        self._token_source = token_source

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token_source()}"
        return request


class NoAuth(requests.auth.AuthBase):
    """Overrides the session auth for the admin-token request itself."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        return request


def oauth1(settings: AuthSettings) -> OAuth1:
    """An integration's signer: HMAC-SHA256 in the header, the only method Magento accepts."""
    return OAuth1(
        client_key=t.cast("str", settings.consumer_key),
        client_secret=settings.consumer_secret,
        resource_owner_key=settings.access_token,
        resource_owner_secret=settings.access_token_secret,
        signature_method="HMAC-SHA256",
        signature_type="AUTH_HEADER",
    )
