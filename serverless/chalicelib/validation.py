"""From an HTTP request to a validated model, or an :class:`ApiError` saying what is wrong.

Errors are ``{"error": code, "message": plain words, "fields": {"dotted.path": why}}``.
Paths use the body's own names with list indexes: ``items.0.quantity``. No message
repeats a submitted value (bodies carry personal data).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

MAX_BODY_BYTES = 32 * 1024
JSON_MEDIA_TYPE = "application/json"
UNSUPPORTED_MEDIA_TYPE = (
    "Send the request as JSON with the header Content-Type: application/json."
)


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


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_json(headers: Any, raw_body: bytes | str | None) -> Any:
    """The decoded JSON body, or ApiError 415 (not JSON), 413 (too big), 400 (bad JSON)."""
    if media_type(headers.get("content-type")) != JSON_MEDIA_TYPE:
        raise ApiError(415, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE)
    raw = raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"The body is larger than {MAX_BODY_BYTES} bytes.")
    if not raw.strip():
        raise ApiError(400, "invalid_json", "The body is empty: send a JSON object.")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "The body is not UTF-8 text.") from None
    except ValueError as exc:
        # JSONDecodeError's message names a position, never the content.
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise ApiError(400, "invalid_json", f"The body is not valid JSON{where}.") from None


# ------------------------------------------------------------------ pydantic errors

_PLAIN: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: "is required",
    "extra_forbidden": lambda c: "is not a known field",
    "string_type": lambda c: "must be text",
    "string_too_short": lambda c: (
        "must not be empty" if c.get("min_length") == 1
        else f"must be at least {c.get('min_length')} characters"
    ),
    "string_too_long": lambda c: f"must be at most {c.get('max_length')} characters",
    "int_type": lambda c: "must be a whole number",
    "int_parsing": lambda c: "must be a whole number",
    "int_from_float": lambda c: "must be a whole number",
    "greater_than_equal": lambda c: f"must be at least {c.get('ge')}",
    "less_than_equal": lambda c: f"must be at most {c.get('le')}",
    "literal_error": lambda c: f"must be one of {c.get('expected')}",
    "model_type": lambda c: "must be an object",
    "model_attributes_type": lambda c: "must be an object",
    "dict_type": lambda c: "must be an object",
    "list_type": lambda c: "must be a list",
    "too_short": lambda c: (
        "must list at least one entry" if c.get("min_length") == 1
        else f"must list at least {c.get('min_length')} entries"
    ),
    "too_long": lambda c: f"must list at most {c.get('max_length')} entries",
}


def plain_message(error: dict[str, Any]) -> str:
    """One pydantic error -> short plain words (our custom errors already are)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _PLAIN:
        return _PLAIN[kind](ctx)
    msg = str(error.get("msg", "is not valid"))
    for prefix, replacement in (("Input should be", "must be"), ("Value error, ", "")):
        if msg.startswith(prefix):
            msg = replacement + msg[len(prefix):]
    return msg


def field_errors(exc: ValidationError) -> tuple[dict[str, str], dict[str, str]]:
    """``({"items.0.quantity": "must be at least 1"}, {"items.0.quantity":
    "greater_than_equal"})``: message and code of the first error of each path."""
    fields: dict[str, str] = {}
    codes: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error.get("loc", ()))
        if path not in fields:
            fields[path] = plain_message(error)
            codes[path] = str(error.get("type", "invalid"))
    return fields, codes


def invalid_request(exc: ValidationError) -> ApiError:
    fields, codes = field_errors(exc)
    if "" in fields:  # the body itself is not an object
        return ApiError(
            400, "invalid_request", "The body must be a JSON object.", {}
        )
    names = ", ".join(fields)
    noun = "field is" if len(fields) == 1 else "fields are"
    return ApiError(
        400,
        "invalid_request",
        f"{len(fields)} {noun} missing or not valid: {names}.",
        fields,
        codes=codes,
    )


def validate_body(
    headers: Any,
    raw_body: bytes | str | None,
    parse: Callable[[Any], BaseModel],
) -> BaseModel:
    """Decode and validate; raises ApiError (415/413/400)."""
    data = decode_json(headers, raw_body)
    try:
        return parse(data)
    except ValidationError as exc:
        raise invalid_request(exc) from None
