"""The OpenAPI 3.1 document, generated from the same pydantic models that validate bodies.

``openapi_document()`` is what ``GET /openapi.json`` answers and what the site publishes
as ``api/openapi.json`` (scripts/gen_pages.py calls it). It states every rule the server
enforces on a body, so that whatever the document accepts the API accepts, and whatever
it refuses the API refuses: lengths, patterns (the same regular expressions as the
server's, padding included: the server trims white space), enums. Built with this hub's
files at hand (it is generated per request), it also gives this hub's regions and designs
as ``enum``, each design's variants, and the range of dates accepted today as a
``pattern``. Without them it still builds, looser, with those rules in descriptions.
This hub's [country] postcode and registry shapes replace the generic ones. What JSON
Schema cannot say is in the descriptions: regions match without regard to case, a phone
number's validity (libphonenumber's data of every country: the document gives its lengths
and ``"format": "phone"``, tests/api/schemathesis_hooks.py draws valid numbers for it),
lines naming the same design and variant are merged, the availability window's two dates
are put in order, the body is at most ``MAX_BODY_BYTES``.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pydantic.json_schema import models_json_schema

from . import answers, config
from .fields import MAX_DAYS_AHEAD, RequestContext
from .maker_models import MakerSignup
from .models import PartRequest
from .validation import MAX_BODY_BYTES

REF = "#/components/schemas/{model}"
VERSION = "3.0.0"  # 3.0: no linked_to or repeats in answers; tokens keyed with a server secret
#: Answer schemas that share a name with a (hub-constrained) body schema are renamed so:
STORED_PREFIX = "Stored"
ANSWERS = (answers.RequestCreated, answers.RequestProgress, answers.MakerCreated,
           answers.MakerRecord, answers.MakerWithdrawn, answers.DesignList, answers.Stats,
           answers.ErrorBody, answers.OpenRequests, answers.RequestDetail, answers.Contact,
           answers.SiteList, answers.SiteContact, answers.AllocationView,
           answers.SiteAllocations, answers.SiteAllocation, answers.ClosedRequest,
           answers.AuditPage, answers.Reconfirmed,
           answers.Feed, answers.PlanView, answers.PlanAccepted)


def _defs(models: list[tuple[Any, str]]) -> dict[str, Any]:
    _, top = models_json_schema(models, ref_template=REF)
    return top.get("$defs", {})


def _schemas(settings: config.Settings | None, live_dates: bool = True) -> dict[str, Any]:
    """Body schemas (with this hub's rules when its files are at hand) and answer schemas.

    Answers are generated apart: a stored sign-up keeps the region, design and dates it
    was accepted with, which today's rules may no longer accept.
    """
    from . import coordination_models as cm

    bodies = _defs([(PartRequest, "validation"), (MakerSignup, "validation")]
                   + [(m, "validation") for m in (cm.NewAllocation, cm.AllocationAction,
                                                  cm.Receipt, cm.Closing, cm.Merge,
                                                  cm.Reconfirmation)]
                   + [(m, "validation") for m in (cm.PlanOrder, cm.PlanAcceptance)])
    _add_hub_rules(bodies, settings, live_dates=live_dates)
    outputs = _defs([(m, "serialization") for m in ANSWERS])
    # Offers naming the same design and variant are merged: a stored rate may exceed the
    # bound of one offer.
    rate = outputs["Offer"]["properties"]["units_per_day"]
    rate.pop("maximum", None)
    rate["description"] = "Units a day (offers of the same design and variant added up)."
    renamed = {name: STORED_PREFIX + name for name, schema in outputs.items()
               if name in bodies and bodies[name] != schema}
    outputs = {renamed.get(name, name): _rename_refs(schema, renamed)
               for name, schema in outputs.items()}
    return {**bodies, **outputs}


def _rename_refs(node: Any, renamed: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {k: _rename_refs(v, renamed) for k, v in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF.format(model="")):
            name = ref[len(REF.format(model="")):]
            out["$ref"] = REF.format(model=renamed.get(name, name))
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renamed) for v in node]
    return node


# ------------------------------------------------------------------ dates as a pattern


def _digits_range(low: int, high: int) -> str:
    """A regex matching the two-digit numbers ``low`` to ``high`` (zero-padded)."""
    parts = []
    for tens in range(low // 10, high // 10 + 1):
        first = low % 10 if tens == low // 10 else 0
        last = high % 10 if tens == high // 10 else 9
        units = str(first) if first == last else f"[{first}-{last}]"
        parts.append(f"{tens}{units}")
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def date_range_pattern(start: date, end: date) -> str:
    """A regex (JSON Schema and Python alike) matching exactly the ``YYYY-MM-DD`` dates
    from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValueError("empty date range")
    by_days: dict[tuple[int, str], list[str]] = {}  # (year, days regex) -> months
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = start.day if (year, month) == (start.year, start.month) else 1
        last = (end.day if (year, month) == (end.year, end.month)
                else calendar.monthrange(year, month)[1])
        by_days.setdefault((year, _digits_range(first, last)), []).append(f"{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    by_year: dict[int, list[str]] = {}
    for (year, days), months in by_days.items():
        alternatives = months[0] if len(months) == 1 else "(?:" + "|".join(months) + ")"
        by_year.setdefault(year, []).append(f"{alternatives}-{days}")
    branches = [f"{year}-" + (parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")")
                for year, parts in by_year.items()]
    return "^(?:" + "|".join(branches) + ")$"


def accepted_dates(today: date | None = None) -> tuple[date, date]:
    """The first and last dates a body may name today (``needed_by``, availability)."""
    first = today or RequestContext.earliest_today()
    return first, first + timedelta(days=MAX_DAYS_AHEAD)


# ------------------------------------------------------------------ this hub's rules

CASE_WORDS = ("Matched without regard to case or surrounding white space; stored and "
              "answered in the spelling listed.")


def _hub(settings: config.Settings | None
         ) -> tuple[config.Hub, dict[str, tuple[str, ...]]] | None:
    if settings is None:
        return None
    from .handlers import published_kits

    try:
        hub = config.load_hub(settings.hub_path)
        catalog = config.load_catalog(settings.manifest_path)
    except config.ConfigError:
        return None
    designs = {d: tuple(catalog.variants.get(d, ())) for d in catalog.designs}
    designs.update({kit: () for kit in published_kits(hub, catalog)})  # no variants
    return hub, designs


def _country_rules(schemas: dict[str, Any], hub: config.Hub) -> None:
    """hub.toml's [country] postcode and registry shapes, and its country for phones."""
    from .fields import _padded

    def apply(prop: dict[str, Any], rule: config.Rule, words: str) -> None:
        prop["pattern"] = _padded(rule.core)
        prop["examples"] = [rule.example]
        prop["description"] = f"{words} (hub.toml [country]), e.g. {rule.example}; " \
            "surrounding white space is trimmed."

    if hub.postcode:
        for name in ("Delivery", "MakerSignup"):
            apply(schemas[name]["properties"]["postcode"], hub.postcode, "A postcode")
    if hub.registry:
        registry = schemas["Organization"]["properties"]["registry_id"]["anyOf"][0]
        apply(registry, hub.registry,
              f"A number in the registry of organizations named in hub.toml "
              f"({hub.registry.name('en')})")
    if hub.country:
        for name in ("Contact", "MakerContact"):
            prop = schemas[name]["properties"]["phone"]
            prop = prop["anyOf"][0] if "anyOf" in prop else prop
            prop["description"] += f" This hub's country: {hub.country}."


def _add_hub_rules(schemas: dict[str, Any], settings: config.Settings | None,
                   today: date | None = None, live_dates: bool = True) -> None:
    """This hub's regions, designs and variants, and today's dates, into the body schemas.

    ``live_dates=False`` (the copy published with the site, which outlives the day it was
    built): dates keep their shape only, and the range is said in words.
    """
    first, last = accepted_dates(today)
    dates = {"type": "string", "format": "date", "pattern": date_range_pattern(first, last)}
    if not live_dates:
        dates["pattern"] = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    for name, field in (("PartRequest", "needed_by"), ("Availability", "from")):
        prop = schemas[name]["properties"][field]
        prop.update(dates)
        prop["description"] += (f" Today: {first.isoformat()} to {last.isoformat()}."
                                if live_dates else " From today (UTC-12) to 366 days later; "
                                "GET /openapi.json on the API states today's exact range.")
    until = schemas["Availability"]["properties"]["until"]
    until["anyOf"][0].update(dates)
    until["description"] = (until.get("description", "") + " A date as for `from`; before "
                            "`from`, the two dates are swapped (the window runs from the "
                            "earlier to the later).")
    hub = _hub(settings)
    if hub is None:
        for name in ("Delivery", "MakerSignup"):
            schemas[name]["properties"]["region"]["description"] += (
                " " + CASE_WORDS.replace("the spelling listed", "the hub's spelling"))
        return
    hub, designs = hub
    regions = list(hub.regions)
    named = "; ".join(f"{r.id}: {r.name(hub.languages[0])}" for r in hub.region_list
                      if r.name(hub.languages[0]) != r.id)
    for name in ("Delivery", "MakerSignup"):
        prop = schemas[name]["properties"]["region"]
        prop.clear()
        prop.update({"type": "string", "enum": regions, "examples": regions,
                     "description": "The identifier of one of this hub's regions "
                     f"(hub.toml [hub] regions{'; ' + named if named else ''}). {CASE_WORDS}"})
    _country_rules(schemas, hub)
    for name in ("Item", "Offer"):
        _line_per_design(schemas[name], designs)


def _line_per_design(schema: dict[str, Any], designs: dict[str, tuple[str, ...]]) -> None:
    """``design`` one of the published slugs; ``variant`` one of that design's (or null)."""
    props = schema["properties"]
    if not designs:
        props["design"] = {"not": {}, "description": "No design is published yet."}
        return
    every_variant = sorted({v for variants in designs.values() for v in variants})
    props["design"] = {"type": "string", "enum": list(designs),
                       "description": "Slug of a published design (GET /designs)."}
    props["variant"] = {"anyOf": [{"type": "string", "enum": every_variant} if every_variant
                                  else {"not": {}}, {"type": "null"}],
                        "description": "One of the design's variants (GET /designs); any "
                        "variant when absent or null."}
    schema["anyOf"] = [
        {"properties": {"design": {"const": design},
                        "variant": ({"anyOf": [{"enum": list(variants)}, {"type": "null"}]}
                                    if variants else {"type": "null"})}}
        for design, variants in designs.items()]


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
        401: "No coordinator token, or a wrong, expired or revoked one.",
        403: "Out of the coordinator's scope (regions), or not this party's action.",
        404: "Unknown, or wrong or missing token (indistinguishable).",
        409: "The Idempotency-Key was used with another body, or the records do not allow "
             "it now (`error` says why: over_allocated, not_open, bad_transition...).",
        413: f"Body over {MAX_BODY_BYTES} bytes.",
        415: "Content-Type is not application/json.",
        429: "Too many writes from this client.",
        501: "Not run by this deployment (planner_unavailable: plan with scripts/plan.py).",
        503: "Storage unreachable or throttling; try again after Retry-After.",
    }
    return {str(c): _json("ErrorBody", words[c], RETRY_AFTER if c in (429, 503) else None)
            for c in codes}


def _parameters(*names: str) -> list[dict[str, Any]]:
    known = {
        "Idempotency-Key": {"name": "Idempotency-Key", "in": "header", "required": False,
                            "description": "Generated once per form fill (a UUID): the "
                            "same key with the same body gives the first answer again. "
                            "Empty is the same as absent.",
                            "schema": {"type": "string",
                                       "pattern": "^(?:[A-Za-z0-9_\\-]{16,128})?$"}},
        "Accept-Language": {"name": "Accept-Language", "in": "header", "required": False,
                            "description": "fr, en or ar for the error messages.",
                            "schema": {"type": "string"}},
        "reference": {"name": "reference", "in": "path", "required": True,
                      "schema": {"type": "string", "maxLength": 40}},
        "maker_id": {"name": "maker_id", "in": "path", "required": True,
                     "schema": {"type": "string", "maxLength": 40}},
        "allocation_id": {"name": "allocation_id", "in": "path", "required": True,
                          "schema": {"type": "string", "maxLength": 40}},
        "plan_id": {"name": "plan_id", "in": "path", "required": True,
                    "schema": {"type": "string", "maxLength": 40}},
        "region": {"name": "region", "in": "query", "required": False,
                   "description": "One of the hub's regions; default: every region in scope.",
                   "schema": {"type": "string"}},
        "design": {"name": "design", "in": "query", "required": False,
                   "schema": {"type": "string"}},
        "cursor": {"name": "cursor", "in": "query", "required": False,
                   "description": "The previous page's cursor.", "schema": {"type": "string"}},
        "limit": {"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        "day": {"name": "day", "in": "query", "required": False,
                "description": "YYYY-MM-DD (UTC); default today.",
                "schema": {"type": "string", "format": "date"}},
    }
    return [known[n] for n in names]


def _body(name: str) -> dict[str, Any]:
    return {"required": True,
            "description": f"At most {MAX_BODY_BYTES} bytes of UTF-8 JSON (else 413).",
            "content": {"application/json": {"schema": _ref(name)}}}


BEARER_FROM = "Bearer {$response.body#/%s}"


def _links(id_parameter: str, id_pointer: str, token_pointer: str,
           *operations: str) -> dict[str, Any]:
    """Links from a 201 to the operations its id and token open (OpenAPI 3.1 links)."""
    return {op[0].upper() + op[1:]: {
        "operationId": op,
        "parameters": {f"path.{id_parameter}": f"$response.body#/{id_pointer}",
                       # Not a declared parameter (it is the security scheme's header):
                       # tools that follow links (schemathesis) send it as given.
                       "header.Authorization": BEARER_FROM % token_pointer},
        "description": f"`{id_pointer}` is the path's `{id_parameter}`; `{token_pointer}` "
                       "goes in the header `Authorization: Bearer <token>`.",
    } for op in operations}


def openapi_document(settings: config.Settings | None = None,
                     live_dates: bool = True) -> dict[str, Any]:
    """The API's OpenAPI 3.1 document as a dict (JSON-ready); ``live_dates=False`` for a
    copy that outlives the day (the site's ``api/openapi.json``)."""
    settings = settings or config.settings()
    schemas = _schemas(settings, live_dates)
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
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer",
                          "description": "tracking_token or edit_token (or the link token "
                          "of an e-mail)"},
                "coordinator": {"type": "http", "scheme": "bearer",
                                "description": "A coordinator's token, issued by "
                                "scripts/coordinators.py: scoped to regions or the hub, "
                                "expiring, revocable."}},
        },
        "paths": {
            "/requests": {"post": {
                "summary": "Request parts",
                "operationId": "createRequest",
                "parameters": _parameters("Idempotency-Key", "Accept-Language"),
                "requestBody": _body("PartRequest"),
                "responses": {"201": {**_json("RequestCreated", "Stored (or the first "
                                              "answer to this Idempotency-Key).", replayed),
                                      "links": _links("reference", "reference",
                                                      "tracking_token", "getRequest")},
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
                "responses": {"201": {**_json("MakerCreated", "Stored.", replayed),
                                      "links": _links("maker_id", "id", "edit_token",
                                                      "getMaker", "updateMaker",
                                                      "withdrawMaker")},
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
            **_coordination_paths(bearer, live_dates),
        },
    }


def _operation(summary: str, operation_id: str, parameters: tuple[str, ...],
               security: list[dict[str, Any]], answer: tuple[str, str, str],
               errors: tuple[int, ...], body: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"summary": summary, "operationId": operation_id,
                           "parameters": _parameters(*parameters, "Accept-Language"),
                           "security": security,
                           "responses": {answer[0]: _json(answer[1], answer[2]),
                                         **_errors(*errors)}}
    if body:
        out["requestBody"] = _body(body)
    return out


def _coordination_paths(bearer: list[dict[str, Any]], live_dates: bool = True) -> dict[str, Any]:
    """Coordinators (scheme ``coordinator``), sites and requesters (scheme ``token``)."""
    coord = [{"coordinator": []}]
    read, write = (401, 403, 404, 503), (400, 401, 403, 404, 409, 413, 415, 503)
    own_write = (400, 404, 409, 413, 415, 503)
    return {
        **_export_paths(coord, live_dates),
        "/coordination/requests": {"get": _operation(
            "Open requests in scope, most urgent first", "listOpenRequests",
            ("region", "design", "cursor", "limit"), coord,
            ("200", "OpenRequests", "A page of open requests."), (400, 401, 403, 503))},
        "/coordination/requests/{reference}": {"get": _operation(
            "A request with its allocations and possible repeats", "getOpenRequest",
            ("reference",), coord, ("200", "RequestDetail", "The request."), read)},
        "/coordination/requests/{reference}/contact": {"get": _operation(
            "Reveal a requester's contact (audited)", "revealRequester", ("reference",),
            coord, ("200", "Contact", "The contact."), read)},
        "/coordination/requests/{reference}/close": {"post": _operation(
            "Close a request with a reason", "closeRequest", ("reference",), coord,
            ("200", "ClosedRequest", "Closed."), write, "Closing")},
        "/coordination/requests/{reference}/merge": {"post": _operation(
            "Merge a repeat into the request kept", "mergeRequest", ("reference",), coord,
            ("200", "ClosedRequest", "Closed as a repeat."), write, "Merge")},
        "/coordination/audit": {"get": _operation(
            "The audit log of a day (hub-scope coordinators)", "readAudit",
            ("day", "cursor", "limit"), coord, ("200", "AuditPage", "A page of entries."),
            (400, 401, 403, 503))},
        "/coordination/sites": {"get": _operation(
            "Active sites in scope: capacity and load per day", "listSites",
            ("region", "design"), coord, ("200", "SiteList", "The sites."),
            (400, 401, 403, 503))},
        "/coordination/sites/{maker_id}/contact": {"get": _operation(
            "Reveal a site's contact (audited)", "revealSite", ("maker_id",), coord,
            ("200", "SiteContact", "The contact."), read)},
        "/coordination/allocations": {"post": _operation(
            "Allocate a quantity of a request line to a site", "allocate", (), coord,
            ("201", "AllocationView", "Proposed to the site (told by e-mail)."), write,
            "NewAllocation")},
        "/coordination/allocations/{allocation_id}/cancel": {"post": _operation(
            "Cancel an allocation with a reason", "cancelAllocation", ("allocation_id",),
            coord, ("200", "AllocationView", "Cancelled: its quantity is back in the "
                    "queue."), write, "AllocationAction")},
        "/makers/{maker_id}/allocations": {"get": _operation(
            "A site's allocations (edit token)", "listSiteAllocations", ("maker_id",),
            bearer, ("200", "SiteAllocations", "Delivery contacts once accepted "
                     "(audited)."), (404, 503))},
        "/allocations/{allocation_id}": {
            "get": _operation("One allocation, for its site (edit or link token)",
                              "getAllocation", ("allocation_id",), bearer,
                              ("200", "SiteAllocation", "The allocation."), (404, 503)),
            "post": _operation("Accept, decline, report produced or shipped",
                               "actOnAllocation", ("allocation_id",), bearer,
                               ("200", "AllocationView", "Done."), own_write,
                               "AllocationAction")},
        "/requests/{reference}/receipts": {"post": _operation(
            "Confirm the units received from an allocation", "confirmReceipt",
            ("reference",), bearer, ("200", "AllocationView", "Counted as delivered."),
            own_write, "Receipt")},
        "/requests/{reference}/reconfirm": {"post": _operation(
            "Answer the e-mail asking whether the request still stands", "reconfirmRequest",
            ("reference",), bearer, ("200", "Reconfirmed", "Reconfirmed, or closed when "
                                     "no longer needed (409 has_allocations if a site is "
                                     "working on it)."), own_write, "Reconfirmation")},
        "/coordination/plans": {"post": _operation(
            "Plan the open requests in scope on the sites in scope (stored proposal)",
            "proposePlan", (), coord, ("201", "PlanView", "The proposal, with an ETA per "
                                       "line and the LP bound; accept it within its "
                                       "validity."), (400, 401, 403, 409, 413, 415, 501, 503),
            "PlanOrder")},
        "/coordination/plans/{plan_id}/accept": {"post": _operation(
            "Accept all or part of a plan: its allocations are created (idempotent)",
            "acceptPlan", ("plan_id",), coord, ("200", "PlanAccepted", "One result per "
                                                "line: a line whose request changed since "
                                                "the plan is refused (409), not allocated."),
            write, "PlanAcceptance")},
    }


def _csv(description: str, columns: tuple[str, ...], cache: str) -> dict[str, Any]:
    return {"description": f"{description} Columns: {', '.join(columns)}.",
            "headers": {"Content-Disposition": {"schema": {"type": "string"}},
                        "Cache-Control": {"schema": {"type": "string"},
                                          "description": cache}},
            "content": {"text/csv": {"schema": {"type": "string"}}}}


def _date_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "format": "date"}}


def _export_paths(coord: list[dict[str, Any]], live_dates: bool = True) -> dict[str, Any]:
    """The open-data feed (public) and the coordinators' CSV export."""
    from . import exports, feed

    since = _date_parameter("since", f"First day (YYYY-MM-DD), at most {feed.MAX_DAYS_BACK} "
                            f"days back (UTC); default: the last {feed.DEFAULT_DAYS} days.")
    if live_dates:  # today's exact range, as for the bodies' dates
        today = datetime.now(timezone.utc).date()
        since["schema"]["pattern"] = date_range_pattern(
            today - timedelta(days=feed.MAX_DAYS_BACK), today)
    public = ("Open data: counters by day, region and design, no personal field. "
              "Capacity before today is a lower bound (withdrawn makers and ended "
              "windows no longer count).")
    return {
        "/feed.json": {"get": {
            "summary": "Open-data feed (JSON)", "operationId": "getFeedJson",
            "description": public,
            "parameters": [since, *_parameters("Accept-Language")],
            "responses": {"200": _json("Feed", "Rows by day, region and design.", {
                "Cache-Control": {"schema": {"type": "string"},
                                  "description": feed.CACHE}}), **_errors(400, 503)}}},
        "/feed.csv": {"get": {
            "summary": "Open-data feed (CSV)", "operationId": "getFeedCsv",
            "description": public,
            "parameters": [since, *_parameters("Accept-Language")],
            "responses": {"200": _csv("UTF-8 CSV with a header row.", feed.COLUMNS,
                                      feed.CACHE), **_errors(400, 503)}}},
        "/coordination/export.csv": {"get": {
            "summary": "Allocations by site and day (CSV; contacts once accepted, audited)",
            "operationId": "exportAllocations",
            "parameters": [*_parameters("region"),
                           _date_parameter("from", "First planned day (inclusive)."),
                           _date_parameter("to", "Last planned day (inclusive)."),
                           *_parameters("Accept-Language")],
            "security": coord,
            "responses": {"200": _csv("UTF-8 CSV (with a byte order mark) with a header "
                                      "row; contact columns filled only for accepted, "
                                      "produced or shipped allocations; a cell starting "
                                      "with = + - @ gets a leading '.", exports.COLUMNS,
                                      "no-store"), **_errors(400, 401, 403, 503)}}},
    }
