"""What each route does, apart from Chalice so it reads (and tests) as plain functions.

Every handler runs inside :func:`answer`, which turns the exceptions below a route into
the API's JSON errors in the client's language: bad input 400/413/415, unknown or not
yours 404, reused idempotency key or a record changed meanwhile 409, too many writes 429,
storage throttled, down or slow, or configuration missing 503 with ``Retry-After``, a
call of ours that DynamoDB refuses 500.

Logging: only references, counts, field names and error codes. Never a body, a contact,
an address, a note, a token or a client address.

Cold start: the body models (pydantic) are imported by the routes that validate a body,
on their first call; reads, preflights and ``/stats`` never load them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from . import config, dynamo, faults, i18n, ratelimit, references, responses, secret, stats, tokens
from .idempotency import Idempotency, IdempotencyConflict
from .maker_store import MakerNotFound, MakerStore
from .ratelimit import RateLimited
from .store import RequestStore
from .allocations import Refused
from .validation import ApiError, decode_json, error, idempotency_key, validate_data

log = logging.getLogger("usine.api")

RETRY_AFTER_SECONDS = 30
# Whatever the table: a Table resource factory (the app's lazy getter).
GetTable = Callable[[], Any]


def unavailable(lang: str) -> ApiError:
    return error(503, "unavailable", lang, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def language(request: Any) -> str:
    return i18n.negotiate(request.headers.get("accept-language"))


def answer(request: Any, work: Callable[[str], Any]) -> Any:
    """Run ``work(lang)``; map what it raises to the API's error answers."""
    lang = language(request)
    # Logged: fixed messages, error codes, the schema's field paths, counts (chalicelib/logs.py
    # writes them as JSON with the request id). Never a value or a key name the client sent.
    try:
        return work(lang)
    except ApiError as exc:
        facts: dict[str, Any] = {"error": exc.error, "status": exc.status}
        if exc.fields:
            facts["fields"] = sorted(exc.fields)
        if getattr(exc, "unknown_fields", 0):
            facts["unknown_fields"] = exc.unknown_fields
        log.info("refused", extra=facts)
        return responses.error_response(exc)
    except IdempotencyConflict:
        log.info("refused", extra={"error": "idempotency_conflict", "status": 409})
        return responses.error_response(error(409, "idempotency_conflict", lang))
    except RateLimited as exc:
        log.info("refused", extra={"error": "rate_limited", "status": 429})
        return responses.error_response(
            error(429, "rate_limited", lang, headers={"Retry-After": str(exc.retry_after)},
                  seconds=exc.retry_after))
    except MakerNotFound:
        log.info("refused", extra={"error": "not_found", "status": 404})
        return responses.error_response(error(404, "not_found", lang))
    except Refused as exc:  # the records do not allow it (coordination)
        log.info("refused", extra={"error": exc.code, "status": exc.status,
                                   **({"fields": [exc.field]} if exc.field else {})})
        message = i18n.general(exc.code, lang, **exc.values)
        return responses.error_response(ApiError(
            exc.status, exc.code, message, fields={exc.field: message} if exc.field else None,
            codes={exc.field: exc.code} if exc.field else None))
    except config.ConfigError as exc:
        # The deployment's paths and names (ConfigError never holds user input).
        log.error("configuration error", extra={"error": "configuration", "status": 503,
                                                "detail": str(exc)})
        return responses.error_response(unavailable(lang))
    except (ClientError, BotoCoreError) as exc:
        fault = faults.classify(exc)
        facts = {"error": faults.error_code(exc), "fault": fault}
        if getattr(exc, "operation_name", None):
            facts["operation"] = exc.operation_name
        if facts["error"] == "TransactionCanceledException":
            facts["reasons"] = faults.cancellation_reasons(exc)
        if fault == faults.CONFLICT:  # a condition no code path expected: reload, retry
            log.warning("storage error", extra={**facts, "status": 409})
            return responses.error_response(error(409, "conflict", lang))
        if fault == faults.UNAVAILABLE:  # throttled, down, slow, table missing
            log.error("storage error", extra={**facts, "status": 503})
            return responses.error_response(unavailable(lang))
        log.error("storage error", extra={**facts, "status": 500})  # a call of ours is wrong
        return responses.error_response(error(500, "internal_error", lang))


def request_context(settings: config.Settings) -> Any:
    """Regions and country rules from hub.toml, designs and variants from the manifest,
    today's earliest date."""
    from .fields import RequestContext

    hub = config.load_hub(settings.hub_path)
    catalog = config.load_catalog(settings.manifest_path)
    return RequestContext(regions=hub.regions,
                          designs=catalog.designs + published_kits(hub, catalog),
                          today=RequestContext.earliest_today(), variants=catalog.variants,
                          country=hub.country, postcode=hub.postcode, registry=hub.registry)


def published_kits(hub: config.Hub, catalog: config.Catalog) -> tuple[str, ...]:
    """Kits whose every part is a published design: requested (and assembled) like one."""
    return tuple(slug for slug, kit in hub.kits.items()
                 if slug not in catalog.designs and all(p in catalog.designs for p in kit.parts))


def source_ip(request: Any) -> str | None:
    context = getattr(request, "context", None) or {}
    return (context.get("identity") or {}).get("sourceIp")


def _write_prelude(request: Any, scope: str, lang: str) -> tuple[Any, Idempotency | None]:
    """Decode the body and read the idempotency key: ``(data, idem)``."""
    data = decode_json(request.headers, request.raw_body, lang)
    key = idempotency_key(request.headers, lang)
    return data, (Idempotency(scope, key, tokens.body_hash(data)) if key else None)


def _limit(request: Any, settings: config.Settings) -> ratelimit.Limit | None:
    """This client's write counter in the current window (None when disabled)."""
    count, window = settings.rate_limit
    return ratelimit.limit_of(source_ip(request), datetime.now(timezone.utc), count, window,
                              secret.keys()[0])


def _robot_answer(data: Any, idem: Idempotency | None, limit: ratelimit.Limit | None,
                  purpose: str, get_table: GetTable) -> tuple[str, str] | None:
    """``(fake id, fake token)`` when a valid body fills the hidden field, else None.

    Checked after validation: an invalid body gets the same 400 a person would get, a
    valid one the same 201, so a robot learns nothing from the answer. Nothing is stored;
    the post counts against the client's limit. With an idempotency key the fake answer is
    derived from the server secret, the key and the body, so a retry gets the same one.
    """
    from .models import honeypot_filled

    if not honeypot_filled(data):
        return None
    # One transaction, as a real write: the client's counter and the honeypot's.
    table = get_table()
    tx = dynamo.Transaction()
    if limit is not None:
        tx.add(limit.action(table.name), "rate")
        tx.retry_after = limit.retry_after
    tx.add(ratelimit.count_action(table.name, "honeypot"))
    try:
        dynamo.transact(table.meta.client, tx)
    except dynamo.Cancelled:
        raise RateLimited(tx.retry_after) from None
    log.info("honeypot filled on %s: answered as accepted, nothing stored", purpose)
    if idem is None:
        return references.new_reference(), tokens.new_token(purpose, "", None)
    key = secret.keys()[0]
    fake = references.derived_reference(tokens.keyed(key, "honeypot", idem.key_hash,
                                                     idem.body_hash))
    return fake, tokens.new_token(purpose, fake, idem.key_hash, key)


# ------------------------------------------------------------------ requests


def create_request(request: Any, settings: config.Settings, get_table: GetTable) -> Any:
    """``POST /requests``: validate, store (once per key), answer 201 with the token."""
    from .answers import RequestCreated
    from .models import parse_request

    def work(lang: str) -> Any:
        context = request_context(settings)
        data, idem = _write_prelude(request, "requests", lang)
        part_request = validate_data(data, lambda d: parse_request(d, context), lang)
        limit = _limit(request, settings)
        robot = _robot_answer(data, idem, limit, "tracking", get_table)
        if robot:
            body = RequestCreated(reference=robot[0], tracking_token=robot[1])
            return responses.json_response(201, body.model_dump())
        stored = RequestStore(get_table(), secrets=secret.keys(), language=lang,
                              kits=config.load_hub(settings.hub_path).kits,
                              ).create(part_request, idem, limit)
        if stored.replayed:
            log.info("request %s replayed (same idempotency key)", stored.reference)
        else:
            log.info("request %s stored: %d line(s)", stored.reference, len(part_request.items))
        body = RequestCreated(reference=stored.reference, status="submitted",
                              tracking_token=stored.tracking_token)
        headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
        return responses.json_response(201, body.model_dump(), headers)

    return answer(request, work)


def request_progress(request: Any, reference: str, settings: config.Settings,
                     get_table: GetTable) -> Any:
    """``GET /requests/{reference}``: 404 alike for unknown, wrong token, no token."""
    def work(lang: str) -> Any:
        from .coordination import requester_actor, requester_allocations

        table = get_table()
        actor = requester_actor(request, table, reference)  # 404 alike unless its token
        progress = RequestStore(table).progress(actor.id)
        if progress is None:
            raise error(404, "not_found", lang)
        progress["allocations"] = requester_allocations(table, actor.id)
        return responses.json_response(200, progress)

    return answer(request, work)


# ------------------------------------------------------------------ makers


def create_maker(request: Any, settings: config.Settings, get_table: GetTable) -> Any:
    from .answers import MakerCreated
    from .maker_models import parse_maker

    def work(lang: str) -> Any:
        context = request_context(settings)
        data, idem = _write_prelude(request, "makers", lang)
        signup = validate_data(data, lambda d: parse_maker(d, context), lang)
        limit = _limit(request, settings)
        robot = _robot_answer(data, idem, limit, "edit", get_table)
        if robot:
            fake = "M-" + robot[0].removeprefix("R-")
            body = MakerCreated(id=fake, edit_token=robot[1])
            return responses.json_response(201, body.model_dump())
        maker_id, token, replayed = MakerStore(get_table(), secrets=secret.keys(),
                                               language=lang).create(signup, idem, limit)
        log.info("maker %s %s: %d offer(s)", maker_id,
                 "replayed" if replayed else "stored", len(signup.offers))
        body = MakerCreated(id=maker_id, edit_token=token)
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return responses.json_response(201, body.model_dump(), headers)

    return answer(request, work)


def read_maker(request: Any, maker_id: str, settings: config.Settings,
               get_table: GetTable) -> Any:
    def work(lang: str) -> Any:
        normal, token = references.normalize_maker_id(maker_id), tokens.bearer(request.headers)
        if not normal or not token:
            raise MakerNotFound(maker_id)
        return responses.json_response(200, MakerStore(get_table()).read(normal, token))

    return answer(request, work)


def update_maker(request: Any, maker_id: str, settings: config.Settings,
                 get_table: GetTable) -> Any:
    from .maker_models import parse_maker

    def work(lang: str) -> Any:
        context = request_context(settings)
        normal, token = references.normalize_maker_id(maker_id), tokens.bearer(request.headers)
        data = decode_json(request.headers, request.raw_body, lang)
        if not normal or not token:
            raise MakerNotFound(maker_id)
        signup = validate_data(data, lambda d: parse_maker(d, context), lang)
        record = MakerStore(get_table(), language=lang).update(normal, token, signup,
                                                _limit(request, settings))
        log.info("maker %s updated", normal)
        return responses.json_response(200, record)

    return answer(request, work)


def withdraw_maker(request: Any, maker_id: str, settings: config.Settings,
                   get_table: GetTable) -> Any:
    def work(lang: str) -> Any:
        normal, token = references.normalize_maker_id(maker_id), tokens.bearer(request.headers)
        if not normal or not token:
            raise MakerNotFound(maker_id)
        MakerStore(get_table()).withdraw(normal, token)
        log.info("maker %s withdrawn: personal data deleted", normal)
        return responses.json_response(200, {"id": normal, "status": "withdrawn"})

    return answer(request, work)


# ------------------------------------------------------------------ public reads


def designs(request: Any, settings: config.Settings) -> Any:
    def work(lang: str) -> Any:
        catalog = config.load_catalog(settings.manifest_path)
        return responses.json_response(200, {"designs": [dict(r) for r in catalog.records]},
                                       {"Cache-Control": "public, max-age=300"})

    return answer(request, work)


def public_stats(request: Any, settings: config.Settings, get_table: GetTable) -> Any:
    def work(lang: str) -> Any:
        now = datetime.now(timezone.utc)
        body = stats.read(get_table(), now.date(), now=now)  # two queries, any table size
        return responses.json_response(200, body, {"Cache-Control": "public, max-age=30"})

    return answer(request, work)


def openapi(request: Any, settings: config.Settings) -> Any:
    from .openapi import openapi_document  # only this route needs the schema machinery

    def work(lang: str) -> Any:
        return responses.json_response(200, openapi_document(settings),
                                       {"Cache-Control": "public, max-age=300"})

    return answer(request, work)


def preflight(methods: list[str]) -> Any:
    return responses.preflight_response(methods)


def finish(response: Any, settings: config.Settings, headers: Any = None) -> Any:
    """Every response's last step (the app's HTTP middleware): error shape, CORS."""
    lang = i18n.negotiate((headers or {}).get("accept-language"))
    return responses.finish(response, allowed_origin(settings), lang)


def allowed_origin(settings: config.Settings) -> str | None:
    """The CORS origin, or None (logged) when the configuration has none."""
    try:
        return config.site_origin(settings)
    except config.ConfigError as exc:
        log.error("no CORS origin: %s", exc)
        return None


# ------------------------------------------------------------------ coordination


def coordinated(request: Any, settings: config.Settings, get_table: GetTable,
                handler: Callable[..., Any], **path: str) -> Any:
    """Run a coordination handler (chalicelib/coordination.py) with its call context."""
    from .coordination import Call
    from .notify import Notifier

    def work(lang: str) -> Any:
        return handler(Call(request, settings, get_table(), lang, Notifier(settings)), **path)

    return answer(request, work)
