"""Logging without personal data. Log lines name rows by id; an exception's text is never logged
at INFO or above, because it can quote what a customer sent (a database error's DETAIL with an
e-mail address, a parser's message with a name or phone number). Its type and stack are enough to
find the fault; the full text goes to DEBUG, which production does not keep."""

from __future__ import annotations

import logging
import sys
import traceback


def exception_without_text(logger: logging.Logger, message: str, *args: object) -> None:
    """Inside an `except` block: like logger.exception, minus the exception's own text."""
    error = sys.exc_info()[1]
    if error is None:
        logger.error(message, *args)
        return
    stack = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        message + " (%s)\nTraceback (the exception's text is logged at DEBUG):\n%s",
        *args,
        type(error).__name__,
        stack.rstrip(),
    )
    logger.debug(message, *args, exc_info=error)
