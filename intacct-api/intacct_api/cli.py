"""What the tap's and the target's command lines share: a refused login as one clear line."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

from intacct_api.errors import AuthenticationError, ControlError, GatewayError, SettingsError
from intacct_api.preferences import UnsupportedFormattingError

# Errors before any data moved: wrong credentials, an unauthorised sender, a gateway refusal,
# date preferences that cannot be read exactly, settings missing what the transport needs.
LOGIN_ERRORS = (
    AuthenticationError, ControlError, GatewayError, SettingsError, UnsupportedFormattingError,
)  # fmt: skip


def exit_on_login_failure(main: Callable[..., Any], logger: logging.Logger) -> Callable[..., Any]:
    """Wrap a command's `main`: Intacct's refusal is logged as one line and the exit status is 1.

    The message already names what to fix (`sender_id/sender_password`, ...); a traceback would
    only bury it.
    """

    @functools.wraps(main)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return main(*args, **kwargs)
        except LOGIN_ERRORS as exc:
            logger.error("%s", exc)
            sys.exit(1)

    return run
