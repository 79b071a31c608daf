"""From an HTTP request to a validated model, or an :class:`ApiError` saying what is wrong.

Errors are ``{"error": code, "message": words, "fields": {"dotted.path": why}, "codes":
{"dotted.path": reason}}``, worded in the client's language (:mod:`.i18n`). Paths use the
schema's own names with list indexes: ``items.0.quantity``. No message repeats a submitted
value (bodies carry personal data), and no path holds a name the client chose: unknown
keys are reported at their parent's path (``items.0``; ``body`` for the top level) with a
count and the names the schema allows, code ``extra_forbidden``. The same paths are all
the logs ever get (:func:`handlers.answer`).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, get_args

from . import i18n

if TYPE_CHECKING:  # pydantic is imported by the first body validated, not at a cold start
    from pydantic import BaseModel, ValidationError

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
        self.unknown_fields = 0  # how many keys the schema does not know (never their names)

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
    """An ApiError whose message is the catalogs' ``api.general.<code>`` in ``lang``."""
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
        where = (i18n.general("json_position", lang, line=exc.lineno, column=exc.colno)
                 if hasattr(exc, "lineno") else "")
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


ROOT_PATH = "body"  # where unknown top-level keys are reported
_OBJECT_TYPES = ("model_type", "model_attributes_type", "dict_type")


def _models() -> dict[str, type[BaseModel]]:
    """Every body model by class name (``ValidationError.title`` names the root one)."""
    from .fields import Model

    found: dict[str, type[BaseModel]] = {}
    todo = [Model]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.setdefault(sub.__name__, sub)
            todo.append(sub)
    return found


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through ``Optional``, ``list`` and ``Annotated``."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _field_names(model: type[BaseModel]) -> dict[str, Any]:
    """Name and alias of each field -> its FieldInfo."""
    names: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        names[name] = info
        if info.alias:
            names[info.alias] = info
    return names


def allowed_names(model: type[BaseModel] | None) -> list[str]:
    """The keys a body of ``model`` may hold, as the client writes them (aliases)."""
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def schema_path(root: type[BaseModel] | None, loc: Iterable[Any]
                ) -> tuple[list[str | int], type[BaseModel] | None, bool]:
    """``(parts, model at the end, complete)``: the longest start of ``loc`` made of the
    schema's own names and list indexes; ``complete`` is False when a part was dropped
    (a key the client chose)."""
    model, parts = root, []
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            parts.append(part)  # a list index: still the list's item model
            continue
        info = _field_names(model).get(part) if model is not None else None
        if info is None:
            return parts, model, False
        parts.append(part)
        model = _model_in(info.annotation)
    return parts, model, True


def _dotted(parts: list[str | int]) -> str:
    return ".".join(str(p) for p in parts) if parts else ROOT_PATH


def field_errors(exc: ValidationError, lang: str = "en"
                 ) -> tuple[dict[str, str], dict[str, str], int]:
    """``({"items.0.quantity": "must be at least 1"}, {"items.0.quantity":
    "greater_than_equal"}, unknown)``: message and code of the first error of each path,
    and how many unknown keys the body holds. Unknown keys are counted at their parent's
    path; a path never holds a name the client chose."""
    root = _models().get(exc.title)
    fields: dict[str, str] = {}
    codes: dict[str, str] = {}
    unknown: dict[str, tuple[int, list[str]]] = {}
    for err in exc.errors(include_url=False, include_input=False):
        kind = str(err.get("type", "invalid"))
        loc = tuple(err.get("loc", ()))
        if kind == "extra_forbidden":
            parts, model, _ = schema_path(root, loc[:-1])
            path = _dotted(parts)
            count, _names = unknown.get(path, (0, allowed_names(model)))
            unknown[path] = (count + 1, _names)
            continue
        parts, _, complete = schema_path(root, loc)
        path = _dotted(parts)
        if path not in fields:
            fields[path] = plain_message(err, lang) if complete else i18n.field_message(
                "invalid", None, lang)
            codes[path] = kind if complete else "invalid"
    for path, (count, names) in unknown.items():
        if path not in fields:
            fields[path] = i18n.field_message(
                "unknown_fields", {"count": count, "allowed": ", ".join(names)}, lang)
            codes[path] = "extra_forbidden"
    return fields, codes, sum(count for count, _ in unknown.values())


def invalid_request(exc: ValidationError, lang: str = "en") -> ApiError:
    if any(not err.get("loc") and err.get("type") in _OBJECT_TYPES
           for err in exc.errors(include_url=False, include_input=False)):
        return ApiError(400, "invalid_request", i18n.general("not_an_object", lang), {})
    fields, codes, unknown = field_errors(exc, lang)
    refused = ApiError(
        400,
        "invalid_request",
        i18n.general("invalid_request", lang, count=len(fields), names=", ".join(fields)),
        fields,
        codes=codes,
    )
    refused.unknown_fields = unknown
    return refused


def validate_data(data: Any, parse: Callable[[Any], BaseModel], lang: str = "en") -> BaseModel:
    from pydantic import ValidationError

    try:
        return parse(data)
    except ValidationError as exc:
        raise invalid_request(exc, lang) from None

