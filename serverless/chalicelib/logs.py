"""The app's log lines: one JSON object per line, carrying the request id.

Every line the app writes (logger ``usine``, which is also Chalice's ``app.log``, and its
children ``usine.api``, ``usine.store``...) goes through :class:`JsonFormatter`::

    {"level": "INFO", "logger": "usine.api", "message": "refused", "request_id": "c0f…",
     "error": "invalid_request", "fields": ["contact.email", "items.0"], "unknown_fields": 1}

Rules for whoever logs:

- ``message`` is a fixed text of ours: a reference we generated, a count or a schema
  name may be interpolated, never a client's value or key name.
- Structured facts go in ``extra=``: ``log.info("refused", extra={"error": code,
  "fields": [...]})``. They become top-level keys (a key the record already has is
  refused by :mod:`logging` itself).
- An exception is logged by type and frames only (``"exception"``, ``"traceback"``):
  its message may quote client input (a ``KeyError`` names the key), so it is dropped.

JSON escapes every control character, so a newline in whatever reached a line cannot
forge another line. The request id is a context variable set by the app's middleware
(API Gateway's ``requestId``, else Lambda's ``aws_request_id``); it is ``null`` outside a
request. Only the standard library is imported here (the app's cold start).
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
from typing import Any, Iterator

LOGGER_NAME = "usine"
_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "usine_request_id", default=None)

# Attributes every LogRecord has: whatever else a record carries came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}
_TOP = ("level", "logger", "message", "request_id")


def request_id() -> str | None:
    return _REQUEST_ID.get()


def set_request_id(value: str | None) -> contextvars.Token:
    """Set the current request's id; pass the returned token to :func:`reset_request_id`."""
    return _REQUEST_ID.set(str(value)[:128] if value else None)


def reset_request_id(token: contextvars.Token) -> None:
    _REQUEST_ID.reset(token)


def _frames(tb: Any) -> Iterator[str]:
    for frame in traceback.extract_tb(tb):
        yield f"{frame.filename}:{frame.lineno} in {frame.name}"


class JsonFormatter(logging.Formatter):
    """A record -> one line of JSON (see the module's docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        line: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": _REQUEST_ID.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in _TOP and not key.startswith("_"):
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["traceback"] = list(_frames(record.exc_info[2]))
        return json.dumps(line, ensure_ascii=True, default=str)


class StdoutHandler(logging.StreamHandler):
    """A stream handler writing to whatever ``sys.stdout`` is when a line is written
    (Lambda sends stdout to CloudWatch; tests capture it), unless given a stream."""

    def __init__(self, stream: Any = None) -> None:
        logging.Handler.__init__(self)  # StreamHandler's would fix sys.stderr
        self._fixed = stream

    @property
    def stream(self) -> Any:  # type: ignore[override]
        return self._fixed if self._fixed is not None else sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        self._fixed = value


def configure(logger: logging.Logger | None = None, level: int = logging.INFO) -> logging.Handler:
    """Give ``logger`` (default ``usine``) one JSON handler on stdout; idempotent.

    Any handler installed earlier (Chalice's plain-text one) is removed, and the logger
    does not propagate, so each line is written once, as JSON.
    """
    logger = logger or logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, StdoutHandler):
            handler.setFormatter(JsonFormatter())
            logger.setLevel(level)
            return handler
        if type(handler) is logging.StreamHandler:  # Chalice's plain-text one
            logger.removeHandler(handler)
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(level)
    return handler


def handler(logger: logging.Logger | None = None) -> logging.Handler | None:
    """The JSON handler :func:`configure` installed (tests point its stream elsewhere)."""
    logger = logger or logging.getLogger(LOGGER_NAME)
    return next((h for h in logger.handlers if isinstance(h, StdoutHandler)), None)
