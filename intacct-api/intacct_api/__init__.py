"""Sage Intacct XML gateway protocol: envelope, sessions, functions, errors and retries."""

from intacct_api.client import DEFAULT_API_URL, Credentials, IntacctClient
from intacct_api.envelope import (
    AuthInfo,
    Control,
    LoginAuth,
    Response,
    Result,
    SessionAuth,
    build_request,
    flatten_record,
    parse_response,
)
from intacct_api.errors import (
    AmbiguousWriteError,
    AuthenticationError,
    ConcurrencyLimitError,
    ControlError,
    ErrorDetail,
    FunctionError,
    GatewayError,
    IntacctError,
    InvalidSessionError,
    RateLimitError,
    ServiceUnavailableError,
    TransientError,
)
from intacct_api.functions import Filter, Function

__all__ = [
    "DEFAULT_API_URL",
    "AmbiguousWriteError",
    "AuthInfo",
    "AuthenticationError",
    "ConcurrencyLimitError",
    "Control",
    "ControlError",
    "Credentials",
    "ErrorDetail",
    "Filter",
    "Function",
    "FunctionError",
    "GatewayError",
    "IntacctClient",
    "IntacctError",
    "InvalidSessionError",
    "LoginAuth",
    "RateLimitError",
    "Response",
    "Result",
    "ServiceUnavailableError",
    "SessionAuth",
    "TransientError",
    "build_request",
    "flatten_record",
    "parse_response",
]
