"""target-intacct's connection settings: which transport, its credentials, time-outs and retries.

The same names as tap-intacct's (`intacct_api.connect` reads them), so one Meltano project
configures both plugins alike; over REST, the XML credentials given too carry what REST does not.
"""

from __future__ import annotations

from intacct_api.client import DEFAULT_API_URL
from intacct_api.connect import TRANSPORTS
from intacct_api.rest.client import DEFAULT_REST_URL
from intacct_api.rest.oauth import CLIENT_CREDENTIALS, REFRESH_TOKEN
from singer_sdk import typing as th

CONNECTION_SETTINGS = (
    th.Property(
        "transport",
        th.StringType,
        allowed_values=list(TRANSPORTS),
        default="xml",
        description="xml (every stream) or rest: generic objects are written through Sage's "
        "REST API (batches of up to 500, Idempotency-Key); documents, payments and journal "
        "entries need the XML credentials too.",
    ),
    th.Property(
        "sender_id",
        th.StringType,
        description="Web Services sender ID (issued by Sage; XML).",
    ),
    th.Property(
        "sender_password",
        th.StringType,
        secret=True,
        description="Web Services sender password (XML).",
    ),
    th.Property("company_id", th.StringType, description="Company to write into."),
    th.Property(
        "user_id",
        th.StringType,
        description="Web Services user of the company (XML, and REST client credentials).",
    ),
    th.Property(
        "user_password",
        th.StringType,
        secret=True,
        description="Web Services user password (XML).",
    ),
    th.Property(
        "rest_url", th.StringType, default=DEFAULT_REST_URL, description="REST API base URL."
    ),
    th.Property("client_id", th.StringType, description="REST client ID (Sage App Registry)."),
    th.Property("client_secret", th.StringType, secret=True, description="REST client secret."),
    th.Property(
        "oauth_grant",
        th.StringType,
        allowed_values=[CLIENT_CREDENTIALS, REFRESH_TOKEN],
        default=CLIENT_CREDENTIALS,
        description="client_credentials (a token for user_id@company_id) or refresh_token.",
    ),
    th.Property(
        "refresh_token",
        th.StringType,
        secret=True,
        description="Refresh token of a user's authorization (refresh_token grant).",
    ),
    th.Property(
        "token_file",
        th.StringType,
        description="File keeping the rotated refresh token between runs (mode 0600).",
    ),
    th.Property("entity_id", th.StringType, description="Entity (location) to write into."),
    th.Property(
        "entity_field",
        th.StringType,
        description="Record field naming the entity to write each record in (one session "
        "per entity), e.g. MEGAENTITYID (the owner tap-intacct reads); a record without one "
        "goes to entity_id, or the top level.",
    ),
    th.Property(
        "api_url",
        th.StringType,
        default=DEFAULT_API_URL,
        description="XML gateway URL (the emulator's for tests).",
    ),
    th.Property(
        "timezone",
        th.StringType,
        description="Zone of Intacct's timestamps (a zone name or +hh:mm). Empty: the API "
        "user's GMT offset preference, read at start.",
    ),
    th.Property(
        "verify_tls",
        th.BooleanType,
        default=True,
        description="Verify the gateway's TLS certificate (false only for tests).",
    ),
    th.Property(
        "request_timeout",
        th.NumberType(exclusive_minimum=0),
        default=300,
        description="Seconds a whole request may take (connecting, sending and every byte "
        "of the answer); a write without an answer is re-sent with the same control ids.",
    ),
    th.Property(
        "max_tries",
        th.IntegerType(minimum=1),
        default=6,
        description="Tries for a request that failed in a way safe to repeat (429, 502, 503).",
    ),
)
