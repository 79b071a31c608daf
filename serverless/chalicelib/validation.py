"""From an HTTP request to a validated model, or an :class:`ApiError` saying what is wrong.

Errors are ``{"error": code, "message": words, "fields": {"dotted.path": why}, "codes":
{"dotted.path": reason}}``, worded in the client's language (:mod:`.i18n`). Paths use the
body's own names with list indexes: ``items.0.quantity``. No message repeats a submitted
value (bodies carry personal data).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from . import i18n

MAX_BODY_BYTES = 64 * 1024
JSON_MEDIA_TYPE = "application/json"
UNSUPPORTED_MEDIA_TYPE = i18n.general("unsupported_media_type", "en")
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-]{16,128}$")


class ApiError(Exception):
    """An answer other than success, raised anywhere below a route."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        codes: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}
        self.codes = codes or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.fields or self.error == "invalid_request":
            body["fields"] = dict(self.fields)
        if self.codes:
            # Machine-readable reason per field (pydantic's error type or ours: "missing",
            # "string_too_long", "region", "date_past"...): the site words it per language.
            body["codes"] = dict(self.codes)
        return body


def error(status: int, code: str, lang: str, headers: dict[str, str] | None = None,
          **values: Any) -> ApiError:
    """An ApiError whose message is ``i18n.GENERAL[code]`` in ``lang``."""
    return ApiError(status, code, i18n.general(code, lang, **values), headers=headers)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def raw_bytes(raw_body: bytes | str | None) -> bytes:
    raw = raw_body or b""
    return raw.encode("utf-8") if isinstance(raw, str) else raw


def decode_json(headers: Any, raw_body: bytes | str | None, lang: str = "en") -> Any:
    """The decoded JSON body, or ApiError 415 (not JSON), 413 (too big), 400 (bad JSON)."""
    if media_type(headers.get("content-type")) != JSON_MEDIA_TYPE:
        raise error(415, "unsupported_media_type", lang)
    raw = raw_bytes(raw_body)
    if len(raw) > MAX_BODY_BYTES:
        raise error(413, "payload_too_large", lang, limit=MAX_BODY_BYTES)
    if not raw.strip():
        raise ApiError(400, "invalid_json", i18n.general("empty_body", lang))
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", i18n.general("not_utf8", lang)) from None
    except ValueError as exc:
        # JSONDecodeError's message names a position, never the content.
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise ApiError(400, "invalid_json", i18n.general("invalid_json", lang, where=where)) from None


def idempotency_key(headers: Any, lang: str = "en") -> str | None:
    """The ``Idempotency-Key`` header, None when absent; ApiError 400 when malformed."""
    value = headers.get("idempotency-key")
    if value is None or value == "":
        return None
    if not IDEMPOTENCY_KEY.match(value):
        raise error(400, "invalid_idempotency_key", lang)
    return value


# ------------------------------------------------------------------ pydantic errors


def plain_message(err: dict[str, Any], lang: str = "en") -> str:
    """One pydantic error -> short words in ``lang``."""
    return i18n.field_message(str(err.get("type", "invalid")), err.get("ctx"), lang)


def field_errors(exc: ValidationError, lang: str = "en") -> tuple[dict[str, str], dict[str, str]]:
    """``({"items.0.quantity": "must be at least 1"}, {"items.0.quantity":
    "greater_than_equal"})``: message and code of the first error of each path."""
    fields: dict[str, str] = {}
    codes: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in err.get("loc", ()))
        if path not in fields:
            fields[path] = plain_message(err, lang)
            codes[path] = str(err.get("type", "invalid"))
    return fields, codes


def invalid_request(exc: ValidationError, lang: str = "en") -> ApiError:
    fields, codes = field_errors(exc, lang)
    if "" in fields:  # the body itself is not an object
        return ApiError(400, "invalid_request", i18n.general("not_an_object", lang), {})
    return ApiError(
        400,
        "invalid_request",
        i18n.general("invalid_request", lang, count=len(fields), names=", ".join(fields)),
        fields,
        codes=codes,
    )


def validate_data(data: Any, parse: Callable[[Any], BaseModel], lang: str = "en") -> BaseModel:
    try:
        return parse(data)
    except ValidationError as exc:
        raise invalid_request(exc, lang) from None


def validate_body(
    headers: Any,
    raw_body: bytes | str | None,
    parse: Callable[[Any], BaseModel],
    lang: str = "en",
) -> BaseModel:
    """Decode and validate; raises ApiError (415/413/400)."""
    return validate_data(decode_json(headers, raw_body, lang), parse, lang)
