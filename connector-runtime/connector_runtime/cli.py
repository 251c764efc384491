"""A command's fatal error as one line, its traceback only at DEBUG: what every plugin's CLI shares.

singer-sdk's command logs an error that ends the run with its traceback (its `sys.excepthook`),
and a failed stream once more before that; a user then reads a screen of frames around one
sentence that already says what to change. `one_line_errors` wraps the command's `main`: the error
is logged as one line at ERROR, the traceback follows only when DEBUG is on, and the exit status
is 1. Errors the plugin expects (a refused login, a server that keeps failing: `expected`) are
their message alone; anything else, a bug, is named by its type and says how to see the frames.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

# singer-sdk's line when a stream fails, just before the error reaches the command (0.54).
SDK_STREAM_FAILURE = "An unhandled error occurred while syncing"
MAX_LINE_CHARS = 2000


def one_line_errors(
    main: Callable[..., Any],
    logger: logging.Logger,
    expected: tuple[type[BaseException], ...],
) -> Callable[..., Any]:
    """Wrap a command's `main` as above; `logger` is the plugin's (named like the command)."""
    variable = f"{logger.name.upper().replace('-', '_')}_LOGLEVEL"  # as singer-sdk reads it

    @functools.wraps(main)
    def run(*args: Any, **kwargs: Any) -> Any:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, _StreamFailureAsInfo) for f in handler.filters):
                handler.addFilter(_StreamFailureAsInfo())
        try:
            return main(*args, **kwargs)
        except Exception as exc:  # every error ends the run here, as one line
            logger.error("%s", one_line(exc, expected, variable))
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("The error above, where it happened:", exc_info=exc)
            sys.exit(1)

    return run


def one_line(
    exc: BaseException, expected: tuple[type[BaseException], ...], log_level_variable: str
) -> str:
    """The error's message on one line (newlines and runs of spaces closed up, long ones cut)."""
    text = " ".join(str(exc).split())
    if len(text) > MAX_LINE_CHARS:
        text = text[:MAX_LINE_CHARS] + "…"
    if isinstance(exc, expected):
        return text or type(exc).__name__
    return (
        f"{type(exc).__name__}: {text} (an unexpected error: {log_level_variable}=DEBUG logs "
        "where it happened)"
    )


class _StreamFailureAsInfo(logging.Filter):
    """The SDK's note that a stream failed, at INFO: the command reports the error, once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and str(record.msg).startswith(SDK_STREAM_FAILURE):
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True
