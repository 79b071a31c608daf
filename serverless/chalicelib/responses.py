"""JSON responses and CORS, applied to every answer by the app's HTTP middleware.

Chalice's ``CORSConfig`` is fixed when ``app.py`` is imported, but the allowed origin
comes from hub.toml / ``USINE_SITE_ORIGIN`` at request time. So routes are declared
without ``cors=``, each path has an explicit ``OPTIONS`` route answering the preflight
(``chalice local`` and API Gateway both send it to the app), and the middleware adds
``Access-Control-Allow-Origin`` to every response, including Chalice's own errors (415,
405, 500), which it also rewrites into the API's error shape.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from chalice import Response

from . import i18n
from .validation import ApiError

JSON_CONTENT_TYPE = "application/json"
# Headers the site's forms may send (Idempotency-Key: forms will send one per fill).
ALLOWED_REQUEST_HEADERS = ("Content-Type", "Idempotency-Key", "Authorization",
                           "Accept-Language")
EXPOSED_HEADERS = ("Retry-After", "Idempotent-Replayed")
PREFLIGHT_MAX_AGE = 600


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    all_headers = {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "no-store"}
    all_headers.update(headers or {})
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers=all_headers)


def error_response(error: ApiError) -> Response:
    return json_response(error.status, error.body(), error.headers)


def preflight_response(methods: Iterable[str]) -> Response:
    """Answer to ``OPTIONS``: the origin header itself is added by :func:`finish`."""
    allowed = ", ".join(sorted({m.upper() for m in methods} | {"OPTIONS"}))
    return Response(
        body="",
        status_code=204,
        headers={
            "Access-Control-Allow-Methods": allowed,
            "Access-Control-Allow-Headers": ", ".join(ALLOWED_REQUEST_HEADERS),
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
            "Allow": allowed,
        },
    )


def _snake(code: str) -> str:
    code = re.sub(r"Error$", "", code) or code
    return re.sub(r"(?<!^)(?=[A-Z])", "_", code).lower()


_CHALICE_CODES = {
    "InternalServerError": "internal_error",
    "UnsupportedMediaType": "unsupported_media_type",
}


def _rewrite_chalice_error(response: Response, lang: str) -> None:
    """Chalice's ``{"Code": ..., "Message": ...}`` -> ``{"error": ..., "message": ...}``."""
    body = response.body
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code = _CHALICE_CODES.get(body["Code"]) or _snake(str(body["Code"]))
        message = i18n.general(code, lang) if i18n.is_general(code) else str(body["Message"])
        response.body = json.dumps({"error": code, "message": message}, ensure_ascii=False)
        response.headers["Content-Type"] = JSON_CONTENT_TYPE


def finish(response: Response, origin: str | None, lang: str = "en") -> Response:
    """Last touch on every response: error shape (in ``lang``) and CORS header."""
    if response.status_code >= 400:
        _rewrite_chalice_error(response, lang)
    if origin:
        response.headers.setdefault("Access-Control-Allow-Origin", origin)
        response.headers.setdefault("Vary", "Origin")
        response.headers.setdefault("Access-Control-Expose-Headers", ", ".join(EXPOSED_HEADERS))
    return response
