"""Logging that keeps personal data out of the logs.

Messages of exceptions raised deep in libraries quote the values they failed on: a database
error names the row («Key (last_name)=(Иванов)»), openpyxl and lxml the text they refused.
Tracebacks in the log therefore keep every frame and the exception's type, but not its
message, unless the exception is an ``OSError`` (a connection refused, a file missing: the
operator needs those, and they name hosts and paths, not people). ``LOG_EXCEPTION_MESSAGES=1``
shows every message again, for a debugging session."""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

from django.conf import settings

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _describe(exc: BaseException) -> str:
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if isinstance(exc, OSError) or getattr(settings, "LOG_EXCEPTION_MESSAGES", False):
        return f"{name}: {exc}"
    return f"{name} (message withheld: it may quote personal data)"


def format_exception_without_values(exc: BaseException) -> str:
    """The traceback of ``exc`` and of the exceptions it was raised from or during, with
    types and frames but without messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    chain: list[tuple[BaseException, str]] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__cause__ is not None:
            link = "The above exception was the direct cause of the following exception:"
            chain.append((current, link))
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link = "During handling of the above exception, another exception occurred:"
            chain.append((current, link))
            current = current.__context__
        else:
            chain.append((current, ""))
            current = None
    for exception, link in reversed(chain):
        frames = "".join(traceback.format_tb(exception.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{_describe(exception)}")
        if link:
            parts.append(f"\n{link}\n")
    return "\n".join(parts)


class WithoutValuesFormatter(logging.Formatter):
    """The platform's log format, with tracebacks that withhold exception messages."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        exc = ei[1]
        if exc is None:
            return super().formatException(ei)
        return format_exception_without_values(exc)
