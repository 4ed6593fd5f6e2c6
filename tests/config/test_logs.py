"""Tracebacks in the logs keep types and frames but not the messages that quote values."""

from __future__ import annotations

import logging

from config.logs import WithoutValuesFormatter


def formatted(exc: BaseException) -> str:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise exc
    except BaseException as raised:
        record.exc_info = (type(raised), raised, raised.__traceback__)
    return WithoutValuesFormatter("%(message)s").format(record)


def test_messages_of_exceptions_are_withheld_with_their_causes():
    name = "Иванов Пётр"
    try:
        try:
            raise ValueError(f"All strings must be XML compatible: {name}\x05")
        except ValueError as inner:
            raise RuntimeError(f"export of {name} failed") from inner
    except RuntimeError as outer:
        text = formatted(outer)
    assert "Иванов" not in text
    assert "builtins.ValueError (message withheld" in text
    assert "builtins.RuntimeError (message withheld" in text
    assert "direct cause" in text and "test_logs.py" in text


def test_network_errors_keep_their_message(settings):
    assert "Connection refused" in formatted(ConnectionRefusedError("Connection refused"))
    settings.LOG_EXCEPTION_MESSAGES = True
    assert "Иванов" in formatted(ValueError("Иванов"))
