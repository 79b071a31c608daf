"""What the coordination routes do: coordinators list, allocate, close and merge; sites and
requesters move their allocations on. Each runs inside :func:`handlers.answer`.

Who may see what:

- a coordinator (bearer token, checked by the app's authorizer) sees requests and sites of
  the regions in scope (403 otherwise), never a contact unless asking for it by name,
  and every such reveal is written to the audit log;
- a site (its edit token, or the link token of one allocation from its e-mail) sees its own
  allocations, and a requester's delivery contact only once it has accepted (audited);
- a requester (tracking token) sees its allocations with the sites' regions, not their
  contacts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from . import allocations, audit, config, lists, references, responses, secret, tokens
from .allocations import Actor, AllocationStore, Refused
from .coordinators import current_coordinator
from .maker_store import maker_key, maker_personal_key
from .store import RequestStore, live, request_key
from .idempotency import Idempotency
from .validation import decode_json, idempotency_key, validate_data

log = logging.getLogger("usine.api")

PAGE_SIZE = 50
REQUEST_CURSOR_KEYS = ("region", "pk", "sk", "list_pk", "list_sk")
# A site sees the delivery contact of an allocation it has accepted and not yet delivered.
CONTACT_VISIBLE = ("accepted", "produced", "shipped")


@dataclass(frozen=True)
class Call:
    """What every coordination handler works with."""

    request: Any
    settings: config.Settings
    table: Any
    lang: str
    notify: Any = None  # notify.Notifier


def _answer(model: str, status: int, body: dict[str, Any],
            headers: dict[str, str] | None = None) -> Any:
    """The body built through its answer model (answers.py), as the document says it is."""
    from . import answers

    built = getattr(answers, model).model_validate(body)
    return responses.json_response(status, built.model_dump(mode="json", exclude_unset=True),
                                   headers)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _page_size(request: Any) -> int:
    raw = (request.query_params or {}).get("limit")
    if raw is None:
        return PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise Refused(400, "bad_parameter", "limit", minimum=1, maximum=100)
    return int(raw)


def regions_in_scope(settings: config.Settings, coordinator: Any,
                     wanted: str | None) -> list[str]:
    """``wanted`` if given (400 if not a hub region, 403 if out of scope), else every hub
    region the coordinator covers."""
    hub_regions = list(config.load_hub(settings.hub_path).regions)
    if wanted is not None:
        if wanted not in hub_regions:
            raise Refused(400, "bad_region", "region", choices=", ".join(hub_regions))
        if not coordinator.covers(wanted):
            raise Refused(403, "forbidden")
        return [wanted]
    return [r for r in hub_regions if coordinator.covers(r)]


def _regions_in_scope(request: Any, settings: config.Settings, coordinator: Any) -> list[str]:
    """:func:`regions_in_scope` of the ``region`` query parameter."""
    return regions_in_scope(settings, coordinator, (request.query_params or {}).get("region"))


def _in_scope(coordinator: Any, item: dict[str, Any]) -> None:
    if not coordinator.covers(str(item.get("region", ""))):
        raise Refused(403, "forbidden")


def _reference(value: str) -> str:
    normal = references.normalize_reference(value or "")
    if not normal:
        raise Refused(404, "not_found")
    return normal


# ------------------------------------------------------------------ coordinators


def open_requests(call: Call) -> Any:
    """Open requests of the regions in scope, most urgent first, a page at a time."""
    request, settings, table = call.request, call.settings, call.table
    coordinator = current_coordinator(request)
    regions = _regions_in_scope(request, settings, coordinator)
    limit = _page_size(request)
    params = request.query_params or {}
    try:
        position = lists.decode_cursor(params.get("cursor"), REQUEST_CURSOR_KEYS)
    except lists.BadCursor:
        raise Refused(400, "bad_cursor", "cursor") from None
    if position and position["region"] not in regions:
        raise Refused(400, "bad_cursor", "cursor")
    start = regions.index(position["region"]) if position else 0
    found: list[dict[str, Any]] = []
    next_cursor = None
    today = _now().date()
    for region in regions[start:]:
        resume = ({k: position[k] for k in REQUEST_CURSOR_KEYS[1:]}
                  if position and region == position["region"] and position["pk"] else None)
        items, after = allocations.open_requests(table, region, design=params.get("design"),
                                                 limit=limit - len(found), cursor=resume)
        found.extend(allocations.request_view(i, today) for i in items)
        if after:
            next_cursor = lists.encode_cursor({"region": region, **after})
            break
        if len(found) >= limit:
            following = regions[regions.index(region) + 1:]
            if following:  # the next region, from its start
                next_cursor = lists.encode_cursor({"region": following[0], "pk": "",
                                                   "sk": "", "list_pk": "", "list_sk": ""})
            break
    return _answer("OpenRequests", 200, {"requests": found, "cursor": next_cursor})


def request_detail(call: Call, reference: str) -> Any:
    request, table = call.request, call.table
    coordinator = current_coordinator(request)
    store = AllocationStore(table)
    item = store.request(_reference(reference))
    _in_scope(coordinator, item)
    body = allocations.request_view(item, _now().date())
    body["allocations"] = [allocations.public_view(a) for a in store.of_request(item["reference"])]
    body["possible_repeats"] = RequestStore(table).possible_repeats(item["reference"])
    return _answer("RequestDetail", 200, body)


def request_contact(call: Call, reference: str) -> Any:
    """A requester's contact and address, for a coordinator who must call them: audited."""
    request, table = call.request, call.table
    coordinator = current_coordinator(request)
    normal = _reference(reference)
    item = AllocationStore(table).request(normal)
    _in_scope(coordinator, item)
    personal = RequestStore(table).get_personal(normal)
    if personal is None:
        raise Refused(404, "not_found")
    audit.write(table, f"coordinator:{coordinator.id}", "reveal_requester", [normal], _now())
    return _answer("Contact", 200, _contact(personal))


def site_contact(call: Call, maker_id: str) -> Any:
    request, table = call.request, call.table
    coordinator = current_coordinator(request)
    site = live(table.get_item(Key=maker_key(maker_id), ConsistentRead=True).get("Item"),
                _now())
    if site is None or site.get("status") != "active":
        raise Refused(404, "not_found")
    _in_scope(coordinator, site)
    personal = live(table.get_item(Key=maker_personal_key(maker_id), ConsistentRead=True)
                    .get("Item"), _now())
    if personal is None:
        raise Refused(404, "not_found")
    audit.write(table, f"coordinator:{coordinator.id}", "reveal_site", [maker_id], _now())
    return _answer("SiteContact", 200, {"name": personal.get("name"),
                                         "contact": dict(personal.get("contact") or {})})


def _contact(personal: dict[str, Any]) -> dict[str, Any]:
    return {"contact": dict(personal.get("contact") or {}), "address": personal.get("address"),
            "notes": personal.get("notes")}


def sites(call: Call) -> Any:
    """Active sites of the regions in scope, their capacity and their load per day."""
    request, settings, table = call.request, call.settings, call.table
    coordinator = current_coordinator(request)
    design = (request.query_params or {}).get("design")
    store = AllocationStore(table)
    now = _now()
    found = []
    for region in _regions_in_scope(request, settings, coordinator):
        for item in lists.query_all(table, lists.SITES + region, maximum=500):
            if live(item, now) is None or item.get("status") != "active":
                continue
            if design and not any(o.get("design") == design for o in item.get("offers") or []):
                continue
            found.append(allocations.site_view(item, store.load_per_day(str(item["id"]))))
    return _answer("SiteList", 200, {"sites": found})


def allocate(call: Call) -> Any:
    request, table, lang = call.request, call.table, call.lang
    from .coordination_models import NewAllocation, parse

    coordinator = current_coordinator(request)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(NewAllocation, d), lang)
    key = idempotency_key(request.headers, lang)
    idem = (Idempotency(f"allocations#{coordinator.id}", key, tokens.body_hash(data))
            if key else None)
    store = AllocationStore(table)
    reference = _reference(body.reference)
    _in_scope(coordinator, store.request(reference))
    site_id = _maker_id(body.site)
    record = store.allocate(Actor("coordinator", coordinator.id), reference, body.item,
                            site_id, body.quantity, body.day, body.part, idem)
    if record.get("replayed"):  # the first call's answer; the site was told then
        log.info("allocation %s replayed (same idempotency key)", record["id"])
        return _answer("AllocationView", 201, allocations.public_view(record),
                       {"Idempotent-Replayed": "true"})
    log.info("allocation %s proposed", record["id"])
    call.notify.allocation_proposed(table, record)
    return _answer("AllocationView", 201, allocations.public_view(record))


def cancel(call: Call, allocation_id: str) -> Any:
    request, table, lang = call.request, call.table, call.lang
    from .coordination_models import AllocationAction, parse

    coordinator = current_coordinator(request)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(AllocationAction, d), lang)
    if body.action != "cancel":
        raise Refused(400, "bad_action", "action", choices="cancel")
    store = AllocationStore(table)
    current = store.get(allocation_id)
    _in_scope(coordinator, store.request(current["reference"]))
    done = store.act(Actor("coordinator", coordinator.id), allocation_id, "cancel",
                     reason=body.reason)
    return _answer("AllocationView", 200, allocations.public_view(done))


def close_request(call: Call, reference: str) -> Any:
    request, table, lang = call.request, call.table, call.lang
    from .coordination_models import Closing, parse

    coordinator = current_coordinator(request)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(Closing, d), lang)
    normal = _reference(reference)
    _close(coordinator, table, normal, body.reason, None)
    return _answer("ClosedRequest", 200, {"reference": normal, "status": "closed"})


def merge(call: Call, reference: str) -> Any:
    """Close a repeat in favour of the request kept (the organization's other open one)."""
    request, table, lang = call.request, call.table, call.lang
    from .coordination_models import Merge, parse

    coordinator = current_coordinator(request)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(Merge, d), lang)
    normal, kept = _reference(reference), _reference(body.into)
    _in_scope(coordinator, AllocationStore(table).request(normal))
    if kept not in RequestStore(table).possible_repeats(normal):
        raise Refused(409, "not_a_repeat", "into")
    _close(coordinator, table, normal, "duplicate", kept)
    return _answer("ClosedRequest", 200, {"reference": normal, "status": "closed",
                                         "merged_into": kept})


def _close(coordinator: Any, table: Any, reference: str, reason: str,
           merged_into: str | None) -> None:
    store = AllocationStore(table)
    item = store.request(reference)
    _in_scope(coordinator, item)
    if any(a.get("status") in ("proposed", "accepted", "produced", "shipped")
           for a in store.of_request(reference)):
        raise Refused(409, "has_allocations")
    detail = {"reason": reason, **({"merged_into": merged_into} if merged_into else {})}
    closed = RequestStore(table).close(
        reference, "closed", extra={"close_reason": reason,
                                    **({"merged_into": merged_into} if merged_into else {})},
        audit_entry=lambda now: audit.entry(table.name, f"coordinator:{coordinator.id}",
                                            "merge" if merged_into else "close",
                                            [reference] + ([merged_into] if merged_into else []),
                                            now, detail))
    if not closed:
        raise Refused(409, "not_open")


# ------------------------------------------------------------------ sites


def _maker_id(value: str | None) -> str:
    normal = references.normalize_maker_id(value)
    if not normal:
        raise Refused(404, "not_found")
    return normal


def _site_of(request: Any, table: Any, allocation: dict[str, Any]) -> Actor:
    """The allocation's site, if the bearer token is its edit token or the link token of
    this allocation (from the e-mail: valid for it only); 404 alike otherwise."""
    token = tokens.bearer(request.headers)
    site_id = str(allocation.get("site"))
    site = live(table.get_item(Key=maker_key(site_id), ConsistentRead=True).get("Item"), _now())
    if site is None or site.get("status") != "active" or not token:
        raise Refused(404, "not_found")
    if tokens.token_matches(token, site.get("token_hash")) or any(
            tokens.token_matches(token, tokens.token_hash(
                allocations.link_token(key, str(allocation["id"])))) for key in secret.keys()):
        return Actor("site", site_id)
    raise Refused(404, "not_found")


def _site_by_edit_token(request: Any, table: Any, maker_id: str) -> Actor:
    normal = _maker_id(maker_id)
    token = tokens.bearer(request.headers)
    site = live(table.get_item(Key=maker_key(normal), ConsistentRead=True).get("Item"), _now())
    if site is None or site.get("status") != "active" or not tokens.token_matches(
            token, site.get("token_hash")):
        raise Refused(404, "not_found")
    return Actor("site", normal)


def _site_allocation_view(table: Any, actor: Actor, item: dict[str, Any],
                          revealed: list[str]) -> dict[str, Any]:
    view = allocations.public_view(item)
    if item.get("status") in CONTACT_VISIBLE:
        personal = RequestStore(table).get_personal(str(item["reference"]))
        if personal is not None:
            view["delivery"] = _contact(personal)
            revealed.append(str(item["reference"]))
    return view


def _audit_reveals(table: Any, actor: Actor, revealed: list[str]) -> None:
    if revealed:
        audit.write(table, actor.audit_name, "reveal_requester", sorted(set(revealed)), _now())


def site_allocations(call: Call, maker_id: str) -> Any:
    """A site's allocations (edit token); the delivery contact of each it has accepted
    and not yet delivered, each reveal audited."""
    request, table = call.request, call.table
    actor = _site_by_edit_token(request, table, maker_id)
    revealed: list[str] = []
    out = [_site_allocation_view(table, actor, item, revealed)
           for item in AllocationStore(table).of_site(actor.id)]
    _audit_reveals(table, actor, revealed)
    return _answer("SiteAllocations", 200, {"allocations": out})


def allocation_for_site(call: Call, allocation_id: str) -> Any:
    """One allocation, for its site (edit token or the e-mail's link token)."""
    request, table = call.request, call.table
    item = AllocationStore(table).get(allocation_id)
    actor = _site_of(request, table, item)
    revealed: list[str] = []
    view = _site_allocation_view(table, actor, item, revealed)
    _audit_reveals(table, actor, revealed)
    return _answer("SiteAllocation", 200, view)


def site_act(call: Call, allocation_id: str) -> Any:
    request, table, lang = call.request, call.table, call.lang
    from .coordination_models import AllocationAction, parse

    store = AllocationStore(table)
    before = store.get(allocation_id)
    actor = _site_of(request, table, before)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(AllocationAction, d), lang)
    done = store.act(actor, allocation_id, body.action, count=body.count, reason=body.reason)
    log.info("allocation %s %s", allocation_id, done["status"])
    if body.action == "shipped" and int(done.get("shipped", 0)) > int(before.get("shipped", 0)):
        call.notify.shipment(table, done)
    return _answer("AllocationView", 200, allocations.public_view(done))


# ------------------------------------------------------------------ requesters


def requester_actor(request: Any, table: Any, reference: str) -> Actor:
    """The requester, if the bearer token is the tracking token (or the link token of its
    e-mails); 404 alike otherwise."""
    normal = _reference(reference)
    token = tokens.bearer(request.headers)
    item = table.get_item(Key=request_key(normal), ConsistentRead=True).get("Item")
    if item is None or not token:
        raise Refused(404, "not_found")
    if tokens.token_matches(token, item.get("token_hash")) or any(
            tokens.token_matches(token, tokens.token_hash(request_link_token(key, normal)))
            for key in secret.keys()):
        return Actor("requester", normal)
    raise Refused(404, "not_found")


def request_link_token(secret_key: bytes, reference: str) -> str:
    """The token in a requester's e-mail links (the tracking token is never stored)."""
    return tokens.keyed(secret_key, "request-link", reference).hex()[:43]


def receipt(call: Call, reference: str) -> Any:
    request, table, lang = call.request, call.table, call.lang
    from .coordination_models import Receipt, parse

    actor = requester_actor(request, table, reference)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(Receipt, d), lang)
    store = AllocationStore(table)
    done = store.act(actor, body.allocation, "delivered", count=body.received)
    log.info("allocation %s delivered", body.allocation)
    return _answer("AllocationView", 200, allocations.public_view(done))


def requester_allocations(table: Any, reference: str) -> list[dict[str, Any]]:
    """What a requester sees of its allocations: region of the site, not the site."""
    out = []
    for a in AllocationStore(table).of_request(reference):
        if a.get("status") in ("declined", "cancelled"):
            continue
        view = allocations.public_view(a)
        view.pop("site", None)
        out.append(view)
    return out

