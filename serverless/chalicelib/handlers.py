"""What each route does, apart from Chalice so it reads (and tests) as plain functions.

Logging: only references, counts, field names and error codes. Never a body, a contact,
an address or a note.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import config, responses
from .models import RequestContext, RequestCreated, parse_request
from .store import RequestStore
from .validation import ApiError, validate_body

log = logging.getLogger("usine.api")

UNAVAILABLE = ApiError(
    503,
    "unavailable",
    "The request service is not available right now. Please try again in a few minutes "
    "or contact the hub.",
    headers={"Retry-After": "60"},
)


def request_context(settings: config.Settings) -> RequestContext:
    """Regions from hub.toml, designs from the manifest, today's earliest date."""
    hub = config.load_hub(settings.hub_path)
    catalog = config.load_catalog(settings.manifest_path)
    return RequestContext(
        regions=hub.regions, designs=catalog.designs, today=RequestContext.earliest_today()
    )


def create_request(request: Any, settings: config.Settings, get_store: Any) -> Any:
    """``POST /requests``: validate, store both items, answer 201 with the reference.

    ``get_store`` is called only once the body is valid (no AWS client for bad input).
    """
    try:
        context = request_context(settings)
        part_request = validate_body(
            request.headers, request.raw_body, lambda data: parse_request(data, context)
        )
        store: RequestStore = get_store()
        stored = store.create(part_request)
    except ApiError as exc:
        if exc.fields:
            log.info("request refused: %s %s", exc.error, ", ".join(sorted(exc.fields)))
        else:
            log.info("request refused: %s", exc.error)
        return responses.error_response(exc)
    except config.ConfigError as exc:
        log.error("configuration error: %s", exc)  # paths and names, no user data
        return responses.error_response(UNAVAILABLE)
    except (ClientError, BotoCoreError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else ""
        log.error("storage error: %s %s", type(exc).__name__, code)
        return responses.error_response(UNAVAILABLE)
    log.info(
        "request %s stored: %d design(s), region %s",
        stored.reference, len(part_request.items), part_request.delivery.region,
    )
    body = RequestCreated(reference=stored.reference, status=stored.status)
    return responses.json_response(201, body.model_dump())


def preflight(methods: list[str]) -> Any:
    return responses.preflight_response(methods)


def finish(response: Any, settings: config.Settings) -> Any:
    """Every response's last step (the app's HTTP middleware): error shape, CORS."""
    return responses.finish(response, allowed_origin(settings))


def allowed_origin(settings: config.Settings) -> str | None:
    """The CORS origin, or None (logged) when the configuration has none."""
    try:
        return config.site_origin(settings)
    except config.ConfigError as exc:
        log.error("no CORS origin: %s", exc)
        return None
