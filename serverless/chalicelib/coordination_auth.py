"""The coordinator authorizer and ``GET /coordination/audit``, apart from Chalice.

How a coordinator request is answered, on each runtime:

- **API Gateway** (deployed). The authorizer is a TOKEN Lambda authorizer on the
  ``Authorization`` header, without caching (``ttl_seconds=0``: a revocation holds from
  the next request). A request without the header is refused by API Gateway itself, 401,
  without calling the authorizer. A wrong, malformed, unknown, expired or revoked token
  makes :func:`authorize` raise :class:`Unauthorized`, whose message is exactly
  ``Unauthorized``: API Gateway's only way to answer 401. Both 401s use the
  ``UNAUTHORIZED`` gateway response of ``serverless/iac.py``: the API's error JSON
  (``{"error": "unauthorized", "message": "Unauthorized", "request_id": ...}``), the
  CORS headers and ``WWW-Authenticate: Bearer``; the message is API Gateway's, in
  English (a gateway response cannot negotiate a language). An authorizer that raises
  anything else (here :class:`AuthorizerFault`: DynamoDB throttled, down or refusing the
  call, or a configuration error) is an "authorizer configuration error" to API Gateway:
  500, with the ``DEFAULT_5XX`` gateway response (``unavailable``, ``Retry-After: 1``).
  So a storage fault is never a 401, but API Gateway cannot tell 503 from 500 there: the
  function's log line (``fault``, ``error``) does. A valid token is an ``Allow`` on every
  route with the coordinator in the context; scope (403) is the handler's check.
- **chalice local and chalice.test.Client** run the same authorizer function through
  Chalice's ``LocalGatewayAuthorizer``, which would let :class:`Unauthorized` escape (a
  dropped connection, an exception in the test) and answers a missing header with its
  own ``{"message": "Unauthorized"}``. :func:`adapt_local_gateway` (called by app.py,
  a no-op on Lambda) makes the local gateway answer as the deployed one, in the API's
  own shape: 401 ``unauthorized`` (in the client's language, with CORS and
  ``WWW-Authenticate``) for a missing header or :class:`Unauthorized`, and for
  :class:`AuthorizerFault` the API's fault answer per :func:`faults.classify` (503
  ``unavailable`` with ``Retry-After``, or 500 ``internal_error``). Locally a storage
  fault is thus 503 where API Gateway says 500 (above).
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import date, datetime, timezone
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from . import audit, config, faults, handlers, i18n, responses, tokens
from .coordinators import check, current_coordinator, require_hub, unauthorized
from .validation import ApiError, error

log = logging.getLogger("usine.coordination")

DEFAULT_AUDIT_LIMIT = 50
LAMBDA_ENVIRONMENT = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda, never by chalice local


class Unauthorized(Exception):
    """No valid coordinator token. The message is API Gateway's cue for a 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


class AuthorizerFault(Exception):
    """Storage or configuration failed while checking a token: not the caller's fault."""

    def __init__(self, fault: str) -> None:
        super().__init__(f"authorizer fault: {fault}")
        self.fault = fault


# ------------------------------------------------------------------ the authorizer


def authorize(auth_request: Any, get_table: Callable[[], Any],
              now: datetime | None = None) -> Any:
    """The body of the app's ``coordinator`` authorizer: an ``AuthResponse`` allowing
    every route, with the coordinator in its context; :class:`Unauthorized` (401) or
    :class:`AuthorizerFault` (a 5XX) otherwise."""
    from chalice import AuthResponse

    token = tokens.bearer({"authorization": getattr(auth_request, "token", None) or ""})
    try:
        coordinator, reason, known = check(get_table(), token,
                                           now or datetime.now(timezone.utc))
    except (ClientError, BotoCoreError) as exc:
        fault = faults.classify(exc)
        if fault == faults.CONFLICT:  # a read has no condition: not expected
            fault = faults.INTERNAL
        log.error("authorizer storage error", extra={
            "error": faults.error_code(exc), "fault": fault,
            "status": 503 if fault == faults.UNAVAILABLE else 500})
        raise AuthorizerFault(fault) from None
    except config.ConfigError as exc:
        log.error("configuration error", extra={"error": "configuration", "status": 503,
                                                "detail": str(exc)})
        raise AuthorizerFault(faults.UNAVAILABLE) from None
    if coordinator is None:
        facts: dict[str, Any] = {"error": "unauthorized", "status": 401,
                                 "reason": reason if token else "missing"}
        if known:
            facts["coordinator"] = known
        log.info("refused", extra=facts)
        raise Unauthorized()
    return AuthResponse(routes=["*"], principal_id=coordinator.id,
                        context=coordinator.context())


# ------------------------------------------------------------------ GET /coordination/audit


def _invalid(field: str, code: str, lang: str, ctx: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, "invalid_request",
                    i18n.general("invalid_request", lang, count=1, names=field),
                    {field: i18n.field_message(code, ctx, lang)}, codes={field: code})


def _day(value: str | None, lang: str) -> date:
    if value is None or value == "":
        return datetime.now(timezone.utc).date()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid("day", "date_format", lang) from None


def _limit(value: str | None, lang: str) -> int:
    if value is None or value == "":
        return DEFAULT_AUDIT_LIMIT
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise _invalid("limit", "int_type", lang)
    number = int(value)
    if number < 1:
        raise _invalid("limit", "greater_than_equal", lang, {"ge": 1})
    if number > audit.MAX_LIMIT:
        raise _invalid("limit", "less_than_equal", lang, {"le": audit.MAX_LIMIT})
    return number


def audit_log(request: Any, settings: config.Settings, get_table: Callable[[], Any]) -> Any:
    """``GET /coordination/audit?day=YYYY-MM-DD&cursor=...&limit=N``: hub scope only.

    One UTC day (default today) in time order, at most ``limit`` (1 to 100, default 50)
    entries a page; ``cursor`` is the previous page's, null after the last page.
    Reading the log is not itself logged in it (paging would never reach the end).
    """
    def work(lang: str) -> Any:
        coordinator = current_coordinator(request, lang)
        require_hub(coordinator, lang)
        params = getattr(request, "query_params", None) or {}
        day = _day(params.get("day"), lang)
        limit = _limit(params.get("limit"), lang)
        cursor = params.get("cursor") or None
        try:
            entries, next_cursor = audit.read(get_table(), day, cursor, limit)
        except audit.InvalidCursor:
            raise _invalid("cursor", "invalid", lang) from None
        log.info("audit read: %d entries", len(entries),
                 extra={"coordinator": coordinator.id})
        return responses.json_response(200, {"day": day.isoformat(), "entries": entries,
                                             "cursor": next_cursor})

    return handlers.answer(request, work)


# ------------------------------------------------------------------ the local gateway


def _local_answer(lambda_event: dict[str, Any], failure: ApiError) -> tuple[dict, bytes]:
    """Headers and body of ``failure`` as the app's middleware would finish them."""
    headers = (lambda_event or {}).get("headers") or {}
    response = handlers.finish(responses.error_response(failure), config.settings(), headers)
    body = response.body if isinstance(response.body, (bytes, str)) else ""
    return dict(response.headers), body.encode("utf-8") if isinstance(body, str) else body


def _patch(local: Any) -> None:
    """Wrap ``LocalGatewayAuthorizer.authorize`` of the module ``chalice.local``."""
    gateway = local.LocalGatewayAuthorizer
    if getattr(gateway.authorize, "_usine_adapted", False):
        return
    original = gateway.authorize

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        try:
            return original(self, raw_path, lambda_event, lambda_context)
        except (Unauthorized, local.NotAuthorizedError):
            lang = i18n.negotiate(((lambda_event or {}).get("headers") or {})
                                  .get("accept-language"))
            headers, body = _local_answer(lambda_event, unauthorized(lang))
            raise local.NotAuthorizedError(headers, body) from None
        except AuthorizerFault as exc:
            lang = i18n.negotiate(((lambda_event or {}).get("headers") or {})
                                  .get("accept-language"))
            failure = (handlers.unavailable(lang) if exc.fault == faults.UNAVAILABLE
                       else error(500, "internal_error", lang))
            headers, body = _local_answer(lambda_event, failure)
            answer = local.LocalGatewayException(headers, body)
            answer.CODE = failure.status
            raise answer from None

    authorize._usine_adapted = True  # type: ignore[attr-defined]
    gateway.authorize = authorize


class _PatchingLoader:
    """Runs a module's own loader, then :func:`_patch` on it (chalice.local only)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def create_module(self, spec: Any) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        _patch(module)

    def __getattr__(self, name: str) -> Any:  # get_source, is_package...
        return getattr(self.inner, name)


class _PatchOnImport:
    """A one-shot import hook: ``chalice.local`` gets :func:`_patch` when first imported
    (chalice.test imports it after app.py when a test builds its client late)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "chalice.local":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


def adapt_local_gateway() -> None:
    """Make Chalice's local gateway answer coordinator refusals as API Gateway does (see
    the module's docstring). On Lambda (``AWS_LAMBDA_FUNCTION_NAME``), nothing at all."""
    if os.environ.get(LAMBDA_ENVIRONMENT):
        return
    local = sys.modules.get("chalice.local")
    if local is not None:
        _patch(local)
    elif not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
