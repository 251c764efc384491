"""`one_line_errors` on its own: what a command logs when its `main` raises."""

from __future__ import annotations

import logging

import pytest
from connector_runtime.cli import one_line_errors


class ExpectedError(Exception):
    pass


def failing(error: Exception):
    def main() -> None:
        raise error

    return main


def ended(main, caplog, level: int) -> list[logging.LogRecord]:
    logger = logging.getLogger("tap-example")
    caplog.set_level(level, logger="tap-example")
    with pytest.raises(SystemExit) as exit_:
        one_line_errors(main, logger, (ExpectedError,))()
    assert exit_.value.code == 1
    return caplog.records


def test_an_expected_error_is_its_message_on_one_line(caplog):
    records = ended(failing(ExpectedError("the shop said\n  no,\tagain")), caplog, logging.INFO)
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("ERROR", "the shop said no, again")
    ]
    assert records[0].exc_info is None


def test_an_unexpected_error_names_its_type_and_how_to_see_where(caplog):
    [record] = ended(failing(KeyError("ENTITY")), caplog, logging.INFO)
    assert record.getMessage() == (
        "KeyError: 'ENTITY' (an unexpected error: TAP_EXAMPLE_LOGLEVEL=DEBUG logs where it "
        "happened)"
    )


def test_the_traceback_follows_at_debug(caplog):
    error, debug = ended(failing(ExpectedError("no")), caplog, logging.DEBUG)
    assert (error.levelname, debug.levelname) == ("ERROR", "DEBUG")
    assert debug.exc_info is not None and debug.exc_info[1].args == ("no",)


def test_a_normal_end_and_an_exit_pass_through():
    logger = logging.getLogger("tap-example")
    assert one_line_errors(lambda: 7, logger, ())() == 7
    with pytest.raises(SystemExit):
        one_line_errors(failing(SystemExit(2)), logger, ())()
