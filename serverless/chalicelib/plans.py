"""Plans: the planner's proposal (chalicelib/planner.py), stored; a coordinator accepts all
or part of it, which creates the allocations.

``POST /coordination/plans`` reads the open requests of the regions in scope (index
``lists``, ``OPEN#<region>``) and the active sites of those regions (``SITES#<region>``,
their load from their allocations), plans the production days from tomorrow, and stores
the proposal as ``PLAN#<id>`` / ``PLAN`` (expiring after :data:`LIFETIME`), with what it
read of each line (the request's version, the line's quantity and allocated count).

``POST /coordination/plans/{id}/accept`` creates the allocations of the lines chosen (all
by default, at most :data:`MAX_ACCEPT_LINES` a call: ``remaining`` says how many are
left, call again). Each line is claimed first on the plan item by a conditional update
(``accepted`` is a string set; ``NOT contains``), so a retried or concurrent accept never
allocates a line twice. A line whose request changed meanwhile (another quantity,
allocated count, need date or region, or no longer open) or whose units are no longer
available is answered line by line (``status`` ``refused``, ``code`` 409, ``error``
``plan_outdated``, ``over_allocated``, ``site_unavailable`` or ``not_open``) and released,
so it may be planned again.

``highspy`` (and numpy) are not in the Lambda package (they do not fit its 15 MB): there
the plan route answers 501 ``planner_unavailable`` and coordinators plan on their laptop
with ``scripts/plan.py``, which calls :func:`propose` and :func:`accept_lines` on the
same table. Accepting a stored plan works everywhere.
"""

from __future__ import annotations

import json
import logging
import secrets
import zlib
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from botocore.exceptions import ClientError

from . import audit, faults, lists, references
from .allocations import Actor, AllocationStore, Refused
from .dynamo import utc_iso
from .store import OPEN_STATUSES, live
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

log = logging.getLogger("usine.api")

PLAN_PREFIX = "PLAN#"
PLAN_SK = "PLAN"
LIFETIME = timedelta(days=3)
HORIZON_DAYS = 21
MAX_HORIZON_DAYS = 42
MAX_ACCEPT_LINES = 50    # per call: a few writes and an e-mail each, well inside 28 s
MAX_OPEN_PER_REGION = 5000
MAX_PLAN_BYTES = 250_000  # the lines, compressed: room left in the 400 KB item for `accepted`
ID_CHARS = 8
# Urgency weight by kind of organization (a hospital's unit counts twice a pharmacy's).
URGENCY = {"hospital": 2.0, "clinic": 1.5, "care-home": 1.5, "pharmacy": 1.0, "other": 1.0}



def _binary(data: bytes) -> Any:
    """boto3's Binary, imported on use: importing boto3 costs a cold start ~0.3 s."""
    from boto3.dynamodb.types import Binary

    return Binary(data)

def plan_key(plan_id: str) -> dict[str, str]:
    return {PARTITION_KEY: PLAN_PREFIX + plan_id, SORT_KEY: PLAN_SK}


def line_key(reference: str, item: int) -> str:
    return f"{reference}:{int(item)}"


# ------------------------------------------------------------------ reading the records


def open_lines(table: Any, regions: Iterable[str]) -> list[dict[str, Any]]:
    """Every open line with units left to allocate (kits' lines are left out: their parts
    are allocated by hand), with what the plan will check again at acceptance."""
    out = []
    for region in regions:
        for request in lists.query_all(table, lists.OPEN + region,
                                       maximum=MAX_OPEN_PER_REGION):
            if request.get("status") not in OPEN_STATUSES:
                continue
            kind = str((request.get("organization") or {}).get("type") or "other")
            for i, line in enumerate(request.get("items") or []):
                left = int(line.get("quantity", 0)) - int(line.get("allocated", 0))
                if left <= 0 or line.get("parts"):
                    continue
                out.append({"reference": str(request["reference"]), "item": i,
                            "design": line.get("design"), "variant": line.get("variant"),
                            "region": str(request.get("region")),
                            "needed_by": str(request.get("needed_by")),
                            "weight": URGENCY.get(kind, 1.0),
                            "requested": int(line.get("quantity", 0)),
                            "allocated": int(line.get("allocated", 0)), "left": left,
                            "version": int(request.get("version", 0))})
    return out


def active_sites(table: Any, regions: Iterable[str], now: datetime) -> list[dict[str, Any]]:
    """Active sites of ``regions`` with their load: machine-day fraction per planned day
    (units still to make / the site's rate for that design)."""
    store = AllocationStore(table)
    out = []
    for region in regions:
        for item in lists.query_all(table, lists.SITES + region, maximum=2000):
            if live(item, now) is None or item.get("status") != "active":
                continue
            rates = _rates(item)
            load: dict[str, float] = {}
            for a in store.of_site(str(item["id"])):
                if a.get("status") not in ("proposed", "accepted", "produced"):
                    continue
                left = int(a.get("quantity", 0)) - int(a.get("produced", 0))
                rate = _rate(rates, a.get("part") or a.get("design"),
                             None if a.get("part") else a.get("variant"))
                if left > 0 and rate > 0:
                    day = str(a.get("day"))
                    load[day] = load.get(day, 0.0) + left / rate
            availability = item.get("availability") or {}
            out.append({"id": str(item["id"]), "region": str(item.get("region")),
                        "rates": rates, "from": availability.get("from"),
                        "until": availability.get("until"), "load": load})
    return out


def _rates(site: dict[str, Any]) -> dict[tuple[str, str | None], float]:
    rates: dict[tuple[str, str | None], float] = {}
    for offer in site.get("offers") or []:
        key = (str(offer.get("design")), offer.get("variant") or None)
        rates[key] = max(rates.get(key, 0.0), float(offer.get("units_per_day", 0)))
    return rates


def _rate(rates: dict[tuple[str, str | None], float], design: Any, variant: Any) -> float:
    return max((r for (d, v), r in rates.items()
                if d == design and (not v or not variant or v == variant)), default=0.0)


# ------------------------------------------------------------------ planning


def propose(table: Any, regions: list[str], now: datetime, *, days: int = HORIZON_DAYS,
            actor: str = "cli") -> dict[str, Any]:
    """Plan the open lines of ``regions`` on their active sites and store the proposal;
    returns its public view. ``PlannerUnavailable`` without highspy."""
    from . import planner

    wanted = open_lines(table, regions)
    site_items = active_sites(table, regions, now)
    first = now.date() + timedelta(days=1)  # production from tomorrow
    horizon = [first + timedelta(days=i) for i in range(days)]
    lines = [planner.Line(w["reference"], w["item"], str(w["design"]), w["variant"],
                          w["region"], w["left"], date.fromisoformat(w["needed_by"]),
                          w["weight"]) for w in wanted]
    sites = []
    for s in site_items:
        load: dict[date, float] = {}
        for day, used in s["load"].items():  # overdue work weighs on the first day
            d = max(date.fromisoformat(day), first)
            load[d] = load.get(d, 0.0) + used
        sites.append(planner.Site(
            s["id"], s["region"], s["rates"],
            date.fromisoformat(s["from"]) if s.get("from") else None,
            date.fromisoformat(s["until"]) if s.get("until") else None, load))
    result = planner.plan(lines, sites, horizon)
    region_of = {s["id"]: s["region"] for s in site_items}
    by_key = {line_key(w["reference"], w["item"]): w for w in wanted}
    stored_lines = []
    for lp in result.lines:
        w = by_key[line_key(lp.reference, lp.item)]
        stored_lines.append({
            **{k: w[k] for k in ("reference", "item", "design", "variant", "region",
                                 "needed_by", "requested", "allocated", "version")},
            "planned": lp.planned, "on_time": lp.on_time,
            "eta": lp.eta.isoformat() if lp.eta else None,
            "allocations": [{"site": c.site, "site_region": region_of.get(c.site),
                             "day": c.day.isoformat(), "quantity": c.quantity,
                             "eta": c.eta.isoformat(), "on_time": c.on_time}
                            for c in lp.cells]})
    packed = zlib.compress(json.dumps(stored_lines, separators=(",", ":")).encode(), 9)
    if len(packed) > MAX_PLAN_BYTES:  # an item holds 400 KB: plan a region at a time
        raise Refused(409, "plan_too_large")
    plan_id = "".join(secrets.choice(references.ALPHABET) for _ in range(ID_CHARS))
    expires = now + LIFETIME
    summary = {"demanded": result.demanded, "planned": result.planned,
               "on_time": result.on_time, "bound_on_time": result.bound_on_time,
               "on_time_fraction": round(result.on_time_fraction, 4),
               "bound_fraction": round(result.bound_fraction, 4),
               "status": result.status, "seconds": round(result.seconds, 3),
               "variables": result.variables}
    item = {**plan_key(plan_id), "entity": "plan", "id": plan_id, "regions": regions,
            "first_day": horizon[0].isoformat(), "last_day": horizon[-1].isoformat(),
            "created_by": actor, "created_at": utc_iso(now), "valid_until": utc_iso(expires),
            TTL_ATTRIBUTE: int(expires.timestamp()), "summary": json.dumps(summary),
            "lines": _binary(packed)}
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(#pk)",
                   ExpressionAttributeNames={"#pk": PARTITION_KEY})
    audit.write(table, actor, "plan", [plan_id], now,
                {"lines": len(stored_lines), "planned": result.planned,
                 "on_time": result.on_time, "bound_on_time": result.bound_on_time})
    return view(item, stored_lines)


def view(item: dict[str, Any], stored_lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    lines = stored_lines if stored_lines is not None else _lines(item)
    return {"id": item["id"], "regions": list(item.get("regions") or []),
            "first_day": item["first_day"], "last_day": item["last_day"],
            "created_at": item["created_at"], "valid_until": item["valid_until"],
            **json.loads(item["summary"]),
            "lines": [{k: v for k, v in line.items()
                       if k not in ("version", "allocated") and v is not None}
                      for line in lines]}


def _lines(item: dict[str, Any]) -> list[dict[str, Any]]:
    raw = item["lines"]
    raw = getattr(raw, "value", raw)  # boto3's Binary, or bytes
    raw = bytes(raw)
    return json.loads(zlib.decompress(raw))


# ------------------------------------------------------------------ accepting


def load(table: Any, plan_id: str, now: datetime) -> dict[str, Any]:
    if not plan_id or len(plan_id) != ID_CHARS or any(
            c not in references.ALPHABET for c in plan_id):
        raise Refused(404, "not_found")
    item = live(table.get_item(Key=plan_key(plan_id), ConsistentRead=True).get("Item"), now)
    if item is None:
        raise Refused(404, "not_found")
    return item


def accept_lines(table: Any, item: dict[str, Any], actor: Actor,
                 chosen: list[tuple[str, int]] | None, *, covers: Any = lambda region: True,
                 notify: Any = None, limit: int = MAX_ACCEPT_LINES) -> dict[str, Any]:
    """Allocate the lines ``chosen`` of the stored plan ``item`` (None: every planned line
    not yet accepted), at most ``limit``; one result per line."""
    lines = {line_key(x["reference"], x["item"]): x for x in _lines(item)}
    accepted = set(item.get("accepted") or ())
    if chosen is None:
        keys = [k for k, x in lines.items() if x["allocations"] and k not in accepted]
    else:
        keys = list(dict.fromkeys(line_key(r, i) for r, i in chosen))
    todo, remaining = keys[:limit], max(0, len(keys) - limit)
    store = AllocationStore(table)
    results = []
    for key in todo:
        line = lines.get(key)
        reference, _, item_text = key.rpartition(":")
        if line is None or not line["allocations"]:
            results.append(_result(reference, int(item_text), "refused", 404, "not_planned"))
            continue
        if not covers(line["region"]):
            results.append(_result(reference, line["item"], "refused", 403, "forbidden"))
            continue
        results.append(_accept_line(table, store, item, line, key, actor, notify))
    return {"id": item["id"], "lines": results, "remaining": remaining}


def _result(reference: str, item: int, status: str, code: int, error: str | None = None,
            allocations: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": reference, "item": item, "status": status,
                           "code": code, "allocations": allocations or []}
    if error:
        out["error"] = error
    return out


def _claim(table: Any, item: dict[str, Any], key: str) -> bool:
    try:
        table.update_item(Key=plan_key(item["id"]), UpdateExpression="ADD #acc :k",
                          ConditionExpression="attribute_exists(#pk) AND NOT contains(#acc, :key)",
                          ExpressionAttributeNames={"#acc": "accepted", "#pk": PARTITION_KEY},
                          ExpressionAttributeValues={":k": {key}, ":key": key})
        return True
    except ClientError as exc:
        if faults.error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise


def _release(table: Any, item: dict[str, Any], key: str) -> None:
    table.update_item(Key=plan_key(item["id"]), UpdateExpression="DELETE #acc :k",
                      ExpressionAttributeNames={"#acc": "accepted"},
                      ExpressionAttributeValues={":k": {key}})


def _accept_line(table: Any, store: AllocationStore, item: dict[str, Any],
                 line: dict[str, Any], key: str, actor: Actor, notify: Any) -> dict[str, Any]:
    reference, index = line["reference"], int(line["item"])
    if not _claim(table, item, key):
        return _result(reference, index, "already_accepted", 200)
    try:
        request = store.request(reference)
    except Refused:
        _release(table, item, key)
        return _result(reference, index, "refused", 409, "plan_outdated")
    current = (request.get("items") or [])[index:index + 1]
    if request.get("status") not in OPEN_STATUSES:
        _release(table, item, key)
        return _result(reference, index, "refused", 409, "not_open")
    if (not current or int(current[0].get("quantity", 0)) != int(line["requested"])
            or int(current[0].get("allocated", 0)) != int(line["allocated"])
            or str(request.get("needed_by")) != line["needed_by"]
            or str(request.get("region")) != line["region"]):
        _release(table, item, key)
        return _result(reference, index, "refused", 409, "plan_outdated")
    made: list[str] = []
    for cell in line["allocations"]:
        try:
            record = store.allocate(actor, reference, index, cell["site"], int(cell["quantity"]),
                                    date.fromisoformat(cell["day"]))
        except Refused as exc:
            if not made:
                _release(table, item, key)
                return _result(reference, index, "refused", exc.status, exc.code)
            return _result(reference, index, "partial", exc.status, exc.code, made)
        made.append(str(record["id"]))
        if notify is not None:
            notify.allocation_proposed(table, record)
    log.info("plan %s: line accepted (%d allocations)", item["id"], len(made))
    return _result(reference, index, "accepted", 201, None, made)


# ------------------------------------------------------------------ the routes


def create(call: Any) -> Any:
    """``POST /coordination/plans`` (coordinator)."""
    from .coordination import _answer
    from .coordinators import current_coordinator
    from .validation import decode_json, validate_data

    coordinator = current_coordinator(call.request)
    data = decode_json(call.request.headers, call.request.raw_body, call.lang)
    from .coordination_models import PlanOrder

    body = validate_data(data, lambda d: PlanOrder.model_validate(d), call.lang)
    from .coordination import regions_in_scope

    regions = regions_in_scope(call.settings, coordinator, body.region)
    try:
        import highspy  # noqa: F401  (not in the Lambda package)
    except ImportError:
        raise Refused(501, "planner_unavailable") from None
    now = datetime.now(timezone.utc)
    proposal = propose(call.table, regions, now, days=body.days,
                       actor=f"coordinator:{coordinator.id}")
    log.info("plan %s proposed", proposal["id"])
    return _answer("PlanView", 201, proposal)


def accept(call: Any, plan_id: str) -> Any:
    """``POST /coordination/plans/{plan_id}/accept`` (coordinator)."""
    from .coordination import _answer
    from .coordinators import current_coordinator
    from .validation import decode_json, validate_data

    coordinator = current_coordinator(call.request)
    data = decode_json(call.request.headers, call.request.raw_body, call.lang)
    from .coordination_models import PlanAcceptance

    body = validate_data(data, lambda d: PlanAcceptance.model_validate(d), call.lang)
    item = load(call.table, plan_id, datetime.now(timezone.utc))
    if not all(coordinator.covers(r) for r in item.get("regions") or []):
        raise Refused(403, "forbidden")
    chosen = None if body.lines is None else [(x.reference, x.item) for x in body.lines]
    done = accept_lines(call.table, item, Actor("coordinator", coordinator.id), chosen,
                        covers=coordinator.covers, notify=call.notify,
                        limit=MAX_ACCEPT_LINES)
    return _answer("PlanAccepted", 200, done)
