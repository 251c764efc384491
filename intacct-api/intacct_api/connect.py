"""The connection a plugin's settings ask for: the XML gateway, or the REST API (with XML beside).

Both tap-intacct and target-intacct take the same settings: `transport` (`xml`, the default,
or `rest`), the XML credentials (`sender_id`, `sender_password`, `company_id`, `user_id`,
`user_password`, `api_url`) and the REST client (`client_id`, `client_secret`, `oauth_grant`,
`refresh_token`, `token_file`, `rest_url`). Over REST, XML credentials given too serve what the
REST API does not offer (see `rest.transport`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intacct_api.client import DEFAULT_API_URL, Credentials, IntacctClient
from intacct_api.concurrency import RequestSlots
from intacct_api.errors import SettingsError
from intacct_api.rest.client import DEFAULT_REST_URL, RestClient
from intacct_api.rest.oauth import CLIENT_CREDENTIALS, OAuthCredentials
from intacct_api.rest.transport import RestTransport
from intacct_api.transport import Transport

TRANSPORTS = ("xml", "rest")
XML_SETTINGS = ("sender_id", "sender_password", "company_id", "user_id", "user_password")
SECRET_SETTINGS = ("sender_password", "user_password", "client_secret", "refresh_token")


def transport_name(config: Mapping[str, Any]) -> str:
    """`xml` or `rest`, as `transport` says (default `xml`)."""
    name = str(config.get("transport") or "xml").lower()
    if name not in TRANSPORTS:
        raise SettingsError(f"transport must be one of {', '.join(TRANSPORTS)}, not {name!r}")
    return name


def max_page_size(config: Mapping[str, Any]) -> int:
    """The largest `query` page of the configured transport."""
    rest = transport_name(config) == "rest"
    return RestTransport.max_page_size if rest else IntacctClient.max_page_size


def has_xml_credentials(config: Mapping[str, Any]) -> bool:
    """Whether the five XML credentials are set (over REST: the fallback for the rest)."""
    return all(config.get(name) for name in XML_SETTINGS)


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse settings that cannot open the chosen transport, naming what is missing."""
    name = transport_name(config)
    if name == "xml":
        missing = [s for s in XML_SETTINGS if not config.get(s)]
        what = "the XML gateway"
    else:
        grant = config.get("oauth_grant") or CLIENT_CREDENTIALS
        needed = ["client_id", "client_secret", "company_id"]
        if grant == CLIENT_CREDENTIALS:
            needed.append("user_id")
        missing = [s for s in needed if not config.get(s)]
        if grant != CLIENT_CREDENTIALS and not (
            config.get("refresh_token") or config.get("token_file")
        ):
            missing.append("refresh_token or token_file")
        what = f"the REST API ({grant})"
    if missing:
        raise SettingsError(f"transport {name}: {what} needs {', '.join(missing)}")
    page_size = config.get("page_size")
    if page_size and int(page_size) > max_page_size(config):
        raise SettingsError(
            f"page_size {page_size} is over the {name} transport's largest page, "
            f"{max_page_size(config)}"
        )


def open_transport(
    config: Mapping[str, Any],
    entity_id: str | None,
    *,
    timeout: float | tuple[float, float],
    deadline: float | None = None,
    verify_tls: bool = True,
    max_tries: int = 6,
    like: Transport | None = None,
    slots: RequestSlots | None = None,
) -> Transport:
    """One connection (one entity, None: top level) as the settings say.

    REST connections of one plugin share the token of `like` (another entity's connection):
    tokens are the user's, the entity goes in each request's header, and a rotating refresh
    token must have one holder. `slots` bound the requests in flight (one company: pass the
    same to every connection of a plugin); REST and its XML fallback share them.
    """
    check_settings(config)
    xml = None
    if has_xml_credentials(config):
        xml = IntacctClient(
            Credentials.from_config(config, entity_id=entity_id),
            api_url=config.get("api_url") or DEFAULT_API_URL,
            timeout=timeout,
            deadline=deadline,
            verify_tls=verify_tls,
            max_tries=max_tries,
            slots=slots,
        )
    if transport_name(config) == "xml":
        assert xml is not None
        return xml
    rest = RestClient(
        OAuthCredentials.from_config(config, entity_id),
        config.get("rest_url") or DEFAULT_REST_URL,
        timeout=timeout,
        deadline=deadline,
        verify_tls=verify_tls,
        max_tries=max_tries,
        tokens=like.rest.tokens if isinstance(like, RestTransport) else None,
        slots=slots,
    )
    return RestTransport(rest, xml)
