"""The OpenAPI 3.1 document, generated from the same pydantic models that validate bodies.

``openapi_document()`` is what ``GET /openapi.json`` answers and what the site publishes
as ``api/openapi.json`` (scripts/gen_pages.py calls it). With a hub.toml and a manifest
at hand, the regions and designs are given as examples; validation stays the API's.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from . import answers, config
from .maker_models import MakerSignup
from .models import PartRequest
from .validation import MAX_BODY_BYTES

REF = "#/components/schemas/{model}"
VERSION = "2.0.0"


def _schemas() -> dict[str, Any]:
    models = [(PartRequest, "validation"), (MakerSignup, "validation")]
    models += [(m, "serialization") for m in (
        answers.RequestCreated, answers.RequestProgress, answers.MakerCreated,
        answers.MakerRecord, answers.MakerWithdrawn, answers.DesignList, answers.Stats,
        answers.ErrorBody)]
    _, top = models_json_schema(models, ref_template=REF)
    return top.get("$defs", {})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(name: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description,
                              "content": {"application/json": {"schema": _ref(name)}}}
    if headers:
        answer["headers"] = headers
    return answer


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "schema": {"type": "string"}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "Not valid: `fields` has a message per bad field, in the Accept-Language language.",
        404: "Unknown, or wrong or missing token (indistinguishable).",
        409: "The Idempotency-Key was used with another body.",
        413: f"Body over {MAX_BODY_BYTES} bytes.",
        415: "Content-Type is not application/json.",
        429: "Too many writes from this client.",
        503: "Storage unreachable or throttling; try again after Retry-After.",
    }
    return {str(c): _json("ErrorBody", words[c], RETRY_AFTER if c in (429, 503) else None)
            for c in codes}


def _parameters(*names: str) -> list[dict[str, Any]]:
    known = {
        "Idempotency-Key": {"name": "Idempotency-Key", "in": "header", "required": False,
                            "description": "Generated once per form fill (a UUID).",
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_\\-]{16,128}$"}},
        "Accept-Language": {"name": "Accept-Language", "in": "header", "required": False,
                            "description": "fr, en or ar for the error messages.",
                            "schema": {"type": "string"}},
        "reference": {"name": "reference", "in": "path", "required": True,
                      "schema": {"type": "string", "maxLength": 40}},
        "maker_id": {"name": "maker_id", "in": "path", "required": True,
                     "schema": {"type": "string", "maxLength": 40}},
    }
    return [known[n] for n in names]


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def openapi_document(settings: config.Settings | None = None) -> dict[str, Any]:
    """The API's OpenAPI 3.1 document as a dict (JSON-ready)."""
    settings = settings or config.settings()
    schemas = _schemas()
    _add_examples(schemas, settings)
    bearer = [{"token": []}]
    replayed = {"Idempotent-Replayed": {"description": "true when this is the first "
                                        "answer again", "schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Usine API",
            "version": VERSION,
            "description": "Hospitals request parts; makers sign up their capacity. "
            "Contract: serverless/README.md.",
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "tracking_token or edit_token"}},
        },
        "paths": {
            "/requests": {"post": {
                "summary": "Request parts",
                "operationId": "createRequest",
                "parameters": _parameters("Idempotency-Key", "Accept-Language"),
                "requestBody": _body("PartRequest"),
                "responses": {"201": _json("RequestCreated", "Stored (or the first answer "
                                           "to this Idempotency-Key).", replayed),
                              **_errors(400, 409, 413, 415, 429, 503)},
            }},
            "/requests/{reference}": {"get": {
                "summary": "Progress of a request (with its tracking token)",
                "operationId": "getRequest",
                "parameters": _parameters("reference", "Accept-Language"),
                "security": bearer,
                "responses": {"200": _json("RequestProgress", "Status and quantities."),
                              **_errors(404, 503)},
            }},
            "/makers": {"post": {
                "summary": "Sign up production capacity",
                "operationId": "createMaker",
                "parameters": _parameters("Idempotency-Key", "Accept-Language"),
                "requestBody": _body("MakerSignup"),
                "responses": {"201": _json("MakerCreated", "Stored.", replayed),
                              **_errors(400, 409, 413, 415, 429, 503)},
            }},
            "/makers/{maker_id}": {
                "get": {"summary": "Read a sign-up (with its edit token)",
                        "operationId": "getMaker",
                        "parameters": _parameters("maker_id", "Accept-Language"),
                        "security": bearer,
                        "responses": {"200": _json("MakerRecord", "The sign-up."),
                                      **_errors(404, 503)}},
                "put": {"summary": "Replace a sign-up",
                        "operationId": "updateMaker",
                        "parameters": _parameters("maker_id", "Accept-Language"),
                        "security": bearer,
                        "requestBody": _body("MakerSignup"),
                        "responses": {"200": _json("MakerRecord", "Updated."),
                                      **_errors(400, 404, 413, 415, 429, 503)}},
                "delete": {"summary": "Withdraw: personal data deleted at once",
                           "operationId": "withdrawMaker",
                           "parameters": _parameters("maker_id", "Accept-Language"),
                           "security": bearer,
                           "responses": {"200": _json("MakerWithdrawn", "Withdrawn."),
                                         **_errors(404, 503)}},
            },
            "/designs": {"get": {
                "summary": "Published designs and variants",
                "operationId": "listDesigns",
                "responses": {"200": _json("DesignList", "From the build manifest."),
                              **_errors(503)},
            }},
            "/stats": {"get": {
                "summary": "Public aggregates (no personal data)",
                "operationId": "getStats",
                "responses": {"200": _json("Stats", "Aggregates."), **_errors(503)},
            }},
        },
    }


def _add_examples(schemas: dict[str, Any], settings: config.Settings) -> None:
    """Regions and designs of this hub as examples (when its files are at hand)."""
    try:
        regions = list(config.load_hub(settings.hub_path).regions)
        designs = list(config.load_catalog(settings.manifest_path).designs)
    except config.ConfigError:
        return
    for name, field, values in (("Delivery", "region", regions),
                                ("MakerSignup", "region", regions),
                                ("Item", "design", designs), ("Offer", "design", designs)):
        prop = schemas.get(name, {}).get("properties", {}).get(field)
        if prop is not None and values:
            prop["examples"] = values
