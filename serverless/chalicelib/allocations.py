"""Allocations: a quantity of one request line given to one site, followed to delivery.

An allocation lives in its request's partition (``REQUEST#<ref>`` / ``ALLOC#<id>``, no
personal data) and on its site's list (index ``lists``, ``SITE#<maker id>``, by planned day).
Its id is ``<request reference>-<6 characters>``, so the id alone finds its partition.

Lifecycle (``TRANSITIONS``)::

    proposed --accept--> accepted --produced(n)--> produced --shipped(n)--> shipped
        |                    |                         |           --delivered(n)--> delivered
        +--decline(reason)   +--cancel(reason)         +--cancel(reason)

A decline or a cancel returns the quantity to the queue. Counts are totals so far (a
retried call changes nothing), never more than the step before (shipped <= produced <=
quantity; delivered <= shipped).

The request line's counters (``allocated`` = sum of active allocations, ``produced``,
``shipped``, ``delivered``) change in the SAME transaction as the allocation, and the
request's status and quantities are derived from them (:func:`store.progress_status`),
never set by hand. The invariant "sum of active allocations <= requested" is one
condition on the request item (``items[i].allocated <= quantity - q``), evaluated by
DynamoDB atomically with the increment: two coordinators allocating the last units at
once cannot both succeed, however many there are.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from . import audit, dynamo, idempotency, lists, references, stats, tokens
from .dynamo import Cancelled, Transaction, put_new, utc_iso
from .maker_store import maker_key
from .store import (CLOSED_STATUSES, OPEN_STATUSES, live, progress_status, request_key)
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

ALLOC_PREFIX = "ALLOC#"
ID_CHARS = 6
REASONS = ("no_material", "machine_down", "no_answer", "not_needed", "other")
ACTIVE = ("proposed", "accepted", "produced", "shipped", "delivered")
# action -> (statuses it may start from, who may do it)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": (("proposed",), "site"),
    "decline": (("proposed",), "site"),
    "produced": (("accepted", "produced"), "site"),
    "shipped": (("produced", "shipped"), "site"),
    "delivered": (("shipped", "delivered"), "requester"),
    "cancel": (("proposed", "accepted", "produced"), "coordinator"),
}
RESULT = {"accept": "accepted", "decline": "declined", "produced": "produced",
          "shipped": "shipped", "delivered": "delivered", "cancel": "cancelled"}
COUNTED = {"produced": "produced", "shipped": "shipped", "delivered": "delivered"}
# The count an action may not exceed: the step before it.
CEILING = {"produced": "quantity", "shipped": "produced", "delivered": "shipped"}
WRITE_ATTEMPTS = 4  # re-reads after another writer changed the request meanwhile
MAX_LISTED = 100


class Refused(Exception):
    """An operation the records do not allow: ``status`` (4xx), ``code`` (a key of the catalogs' [api.general]),
    ``field`` (the body field at fault, if any) and values for the message."""

    def __init__(self, status: int, code: str, field: str | None = None, **values: Any):
        super().__init__(code)
        self.status, self.code, self.field, self.values = status, code, field, values


def allocation_key(allocation_id: str) -> dict[str, str]:
    reference = reference_of(allocation_id)
    return {PARTITION_KEY: request_key(reference)[PARTITION_KEY],
            SORT_KEY: ALLOC_PREFIX + allocation_id}


def reference_of(allocation_id: str) -> str:
    reference, _, suffix = (allocation_id or "").rpartition("-")
    if not references.is_reference(reference) or len(suffix) != ID_CHARS or any(
            c not in references.ALPHABET for c in suffix):
        raise Refused(404, "not_found")
    return reference


def new_allocation_id(reference: str) -> str:
    return f"{reference}-" + "".join(secrets.choice(references.ALPHABET)
                                      for _ in range(ID_CHARS))


def link_token(secret: bytes, allocation_id: str) -> str:
    """The token of the link a site receives by e-mail: it acts on this allocation only.
    Keyed with the server secret, so nothing needs storing and no one else can make it."""
    return tokens.keyed(secret, "allocation-link", allocation_id).hex()[:43]


def public_view(allocation: dict[str, Any]) -> dict[str, Any]:
    """An allocation as any of its parties may see it (no contact, no token hash)."""
    out = {k: allocation.get(k) for k in (
        "id", "reference", "item", "design", "variant", "part", "site", "site_region",
        "quantity",
        "status", "produced", "shipped", "delivered", "day", "reason", "created_at",
        "updated_at")}
    for k in ("item", "quantity", "produced", "shipped", "delivered"):
        out[k] = int(out[k] or 0)
    return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Actor:
    """Who acts: ``coordinator``, ``site`` (a maker id) or ``requester`` (a reference)."""

    role: str
    id: str

    @property
    def audit_name(self) -> str:
        return f"{self.role}:{self.id}"


class AllocationStore:
    def __init__(self, table: Any, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.table = table
        self._clock = clock

    @property
    def table_name(self) -> str:
        return self.table.name

    # ------------------------------------------------------------------ reading

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return self.table.get_item(Key=key, ConsistentRead=True).get("Item")

    def request(self, reference: str) -> dict[str, Any]:
        item = self._get(request_key(reference))
        if item is None:
            raise Refused(404, "not_found")
        return item

    def get(self, allocation_id: str) -> dict[str, Any]:
        item = self._get(allocation_key(allocation_id))
        if item is None:
            raise Refused(404, "not_found")
        return item

    def of_request(self, reference: str) -> list[dict[str, Any]]:
        """Every allocation of a request, oldest first (one query of its partition)."""
        page = self.table.query(
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :a)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            ExpressionAttributeValues={":pk": request_key(reference)[PARTITION_KEY],
                                       ":a": ALLOC_PREFIX},
            ConsistentRead=True)
        return sorted(page.get("Items", []), key=lambda a: str(a.get("created_at")))

    def of_site(self, maker_id: str) -> list[dict[str, Any]]:
        """A site's allocations by planned day (the index: eventually consistent)."""
        return lists.query_all(self.table, lists.SITE + maker_id)

    def load_per_day(self, maker_id: str) -> dict[str, int]:
        """Units a site still has to produce, per planned day (active, not yet produced)."""
        load: dict[str, int] = {}
        for a in self.of_site(maker_id):
            if a.get("status") in ("proposed", "accepted", "produced"):
                left = int(a.get("quantity", 0)) - int(a.get("produced", 0))
                if left > 0:
                    load[str(a.get("day"))] = load.get(str(a.get("day")), 0) + left
        return dict(sorted(load.items()))

    # ------------------------------------------------------------------ allocating

    def allocate(self, actor: Actor, reference: str, item: int, site_id: str, quantity: int,
                 day: date | None = None, part: str | None = None,
                 idem: Any = None) -> dict[str, Any]:
        """Give ``quantity`` units of line ``item`` of ``reference`` to ``site_id``.

        Refused: unknown request (404), closed (409 ``not_open``), more than what is left
        to allocate (409 ``over_allocated``, with what is left), a site that is not active
        or does not offer the design (409 ``site_unavailable``).

        A kit's line is allocated per ``part`` (a design of the kit, to a site offering
        that design: at most units-per-kit x quantity) and, without ``part``, to an
        assembling site (one offering the kit itself: at most the quantity).

        With ``idem`` (:class:`.idempotency.Idempotency`), a retry of the same call answers
        the allocation first made and allocates nothing more (the key's record is one
        action of the transaction); the same key with another body: IdempotencyConflict.
        """
        now = self._clock()
        if idem is not None:
            first = self._replayed(idem, now)
            if first is not None:
                return first
        request = self.request(reference)
        lines = request.get("items") or []
        if not 0 <= item < len(lines):
            raise Refused(400, "bad_item", "item", maximum=len(lines) - 1)
        if request.get("status") not in OPEN_STATUSES:
            raise Refused(409, "not_open")
        line = lines[item]
        counters, made_of = counters_of(line, part)
        left = counters["ceiling"] - int(counters.get("allocated", 0))
        if quantity > left:
            raise Refused(409, "over_allocated", "quantity", left=left)
        site = live(self._get(maker_key(site_id)), now)
        if site is None or site.get("status") != "active" or not offers(site, made_of):
            raise Refused(409, "site_unavailable", "site")
        planned = (day or date.fromisoformat(str(request["needed_by"]))).isoformat()
        for _ in range(5):  # a fresh id until one is free (a collision is rare)
            allocation_id = new_allocation_id(reference)
            record = {
                **allocation_key(allocation_id), "entity": "allocation",
                "id": allocation_id, "reference": reference, "item": item,
                "design": line.get("design"), "variant": line.get("variant"), "part": part,
                "site": site_id, "site_region": site.get("region"),
                "request_region": request.get("region"),
                "quantity": quantity, "status": "proposed",
                "produced": 0, "shipped": 0, "delivered": 0, "day": planned,
                "created_by": actor.audit_name, "created_at": utc_iso(now),
                "updated_at": utc_iso(now), dynamo.VERSION: 1,
                **lists.site_allocation(site_id, planned, allocation_id),
            }
            record = {k: v for k, v in record.items() if v is not None}
            tx = Transaction()
            tx.add(self._add_to_line(reference, item, "allocated", quantity, now,
                                     ceiling=counters["ceiling"], part=part), "quantity")
            tx.add(put_new(self.table_name, record), "record")
            tx.add({"ConditionCheck": {
                "TableName": self.table_name, "Key": maker_key(site_id),
                "ConditionExpression": "#st = :active AND #exp > :now",
                "ExpressionAttributeNames": {"#st": "status", "#exp": TTL_ATTRIBUTE},
                "ExpressionAttributeValues": {":active": "active",
                                              ":now": int(now.timestamp())}}}, "site")
            tx.add(audit.entry(self.table_name, actor.audit_name, "allocate",
                               [reference, allocation_id, site_id], now,
                               {"item": item, "quantity": quantity, "day": planned}))
            if idem is not None:
                tx.add(idempotency.put_action(self.table_name, idem, allocation_id,
                                              {"id": allocation_id}, now, ""), "idem")
            try:
                dynamo.transact(self.table.meta.client, tx)
                return record
            except Cancelled as cancelled:
                if "idem" in cancelled.failed and idem is not None:
                    first = self._replayed(idem, now)  # the same call, landed meanwhile
                    if first is not None:
                        return first
                if "quantity" in cancelled.failed:  # allocated or closed meanwhile
                    fresh = self.request(reference)
                    if fresh.get("status") not in OPEN_STATUSES:
                        raise Refused(409, "not_open") from None
                    fresh_counters, _ = counters_of((fresh.get("items") or [])[item], part)
                    raise Refused(409, "over_allocated", "quantity",
                                  left=fresh_counters["ceiling"]
                                  - int(fresh_counters.get("allocated", 0))) from None
                if "site" in cancelled.failed:
                    raise Refused(409, "site_unavailable", "site") from None
                if cancelled.failed != {"record"}:
                    raise dynamo.changed_meanwhile(cancelled) from None
        raise dynamo.IdsExhausted("no free allocation id")

    def _replayed(self, idem: Any, now: datetime) -> dict[str, Any] | None:
        record = idempotency.get(self.table, idem, now)
        if record is None:
            return None
        if record.get("body_hash") != idem.body_hash:
            raise idempotency.IdempotencyConflict(idem.scope)
        return {**self.get(str(record["record_id"])), "replayed": True}  # not stored

    def _add_to_line(self, reference: str, item: int, counter: str, delta: int,
                     now: datetime, ceiling: int | None = None,
                     part: str | None = None) -> dict[str, Any]:
        """An Update adding ``delta`` to a line's (or a kit part's) counter; with
        ``ceiling``, only while the request is open and the counter stays <= ceiling (the
        allocation invariant)."""
        names = {"#items": "items", "#c": counter, "#ver": dynamo.VERSION}
        path = f"#items[{int(item)}].#c"
        if part is not None:
            path = f"#items[{int(item)}].#parts.#part.#c"
            names.update({"#parts": "parts", "#part": part})
        update: dict[str, Any] = {
            "TableName": self.table_name, "Key": request_key(reference),
            "UpdateExpression": f"SET {path} = if_not_exists({path}, :zero) + :d, "
                                "updated_at = :now, #ver = if_not_exists(#ver, :zero) + :one",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":d": delta, ":zero": 0, ":one": 1,
                                          ":now": utc_iso(now)},
        }
        if ceiling is not None:
            update["ConditionExpression"] = (
                f"({path} <= :max OR attribute_not_exists({path})) "
                "AND #st IN (:s0, :s1, :s2)")
            update["ExpressionAttributeNames"]["#st"] = "status"
            update["ExpressionAttributeValues"].update(
                {":max": ceiling - delta, **{f":s{i}": s for i, s in enumerate(OPEN_STATUSES)}})
        return {"Update": update}

    # ------------------------------------------------------------------ moving on

    def act(self, actor: Actor, allocation_id: str, action: str, *, count: int | None = None,
            reason: str | None = None) -> dict[str, Any]:
        """Move an allocation on; returns it as stored. ``actor`` must be its party."""
        if action not in TRANSITIONS:
            raise Refused(400, "bad_action", "action", choices=", ".join(TRANSITIONS))
        for _ in range(WRITE_ATTEMPTS):
            current = self.get(allocation_id)
            self._check_party(actor, current, action)
            part = current.get("part")
            if part and action == "delivered":  # parts go to the assembling site
                raise Refused(409, "bad_transition", "action", current=current["status"])
            request = None
            ready = None
            if action == "produced" and not part and "parts" in self._line(current):
                request = self.request(current["reference"])
                ready = kits_ready(request, current)
            updated, deltas = self._next(current, action, count, reason, ready)
            if updated is None:
                return current  # the same call again: nothing to change
            now = self._clock()
            updated.update({"updated_at": utc_iso(now),
                            dynamo.VERSION: dynamo.next_version(current)})
            tx = Transaction()
            tx.add({"Put": {"TableName": self.table_name, "Item": updated,
                            **dynamo.unchanged(current)}}, "record")
            if "delivered" in deltas or action in ("decline", "cancel") or ready is not None:
                request = self.request(current["reference"])
                new_request = self._request_after(request, int(current["item"]), deltas, part)
                tx.add({"Put": {"TableName": self.table_name, "Item": new_request,
                                **dynamo.unchanged(request)}}, "request")
                for stat in stats.request_changed(self.table_name, request, new_request,
                                                  today=now.date()):
                    tx.add(stat)
            else:
                for counter, delta in deltas.items():
                    tx.add(self._add_to_line(current["reference"], int(current["item"]),
                                             counter, delta, now, part=part))
            detail: dict[str, Any] = {"status": updated["status"]}
            if count is not None:
                detail["count"] = count
            if reason:
                detail["reason"] = reason
            tx.add(audit.entry(self.table_name, actor.audit_name, action,
                               [current["reference"], allocation_id], now, detail))
            try:
                dynamo.transact(self.table.meta.client, tx)
                return updated
            except Cancelled:
                continue  # the allocation or the request changed meanwhile: read again
        raise Refused(409, "conflict")

    def _check_party(self, actor: Actor, allocation: dict[str, Any], action: str) -> None:
        allowed, role = TRANSITIONS[action]
        mine = ((actor.role == "site" and actor.id == allocation.get("site"))
                or (actor.role == "requester" and actor.id == allocation.get("reference"))
                or actor.role == "coordinator")
        if not mine:
            raise Refused(404, "not_found")  # never confirms someone else's allocation exists
        if actor.role != role:
            raise Refused(403, "forbidden")

    def _line(self, allocation: dict[str, Any]) -> dict[str, Any]:
        return (self.request(allocation["reference"]).get("items") or [])[int(allocation["item"])]

    def _next(self, current: dict[str, Any], action: str, count: int | None,
              reason: str | None, ready: int | None = None
              ) -> tuple[dict[str, Any] | None, dict[str, int]]:
        """``(new allocation item, counter deltas of the request line)``; ``(None, {})``
        when the action was already done with the same count (a retry)."""
        allowed, _ = TRANSITIONS[action]
        status = str(current.get("status"))
        target = RESULT[action]
        counter = COUNTED.get(action)
        if status == target and (not counter or count == int(current.get(counter, 0))):
            return None, {}  # done already: a retry
        if status not in allowed:
            raise Refused(409, "bad_transition", "action", current=status)
        if counter:
            ceiling = int(current.get(CEILING[action], 0))
            done = int(current.get(counter, 0))
            if ready is not None:  # an assembly: no more kits than parts arrived for
                ceiling = min(ceiling, done + ready)
            if count is None or not max(done, 1) <= count <= ceiling:
                raise Refused(400, "bad_count", "count", minimum=max(done, 1),
                              maximum=ceiling)
        if action in ("decline", "cancel") and reason not in REASONS:
            raise Refused(400, "bad_reason", "reason", choices=", ".join(REASONS))
        new = {k: v for k, v in current.items()}
        new["status"] = target
        deltas: dict[str, int] = {}
        if counter:
            new[counter] = count
            deltas[counter] = int(count) - int(current.get(counter, 0))
        if action in ("decline", "cancel"):
            new["reason"] = reason
            deltas["allocated"] = -int(current["quantity"])
            # Leaves the site's list: nothing more to make there.
            new.pop(lists.LIST_PK, None), new.pop(lists.LIST_SK, None)
        return new, deltas

    def _request_after(self, request: dict[str, Any], item: int, deltas: dict[str, int],
                       part: str | None = None) -> dict[str, Any]:
        """The request item once ``deltas`` are applied to line ``item`` (or its kit
        ``part``); off the open list when everything is delivered (status derived from
        the quantities)."""
        new = {**request, "items": [dict(line) for line in request.get("items") or []]}
        line = new["items"][item]
        if part is not None:
            line["parts"] = {p: dict(c) for p, c in line["parts"].items()}
            line = line["parts"][part]
        for counter, delta in deltas.items():
            line[counter] = int(line.get(counter, 0)) + delta
        new[dynamo.VERSION] = dynamo.next_version(request)
        new["updated_at"] = utc_iso(self._clock())
        if progress_status(new) == "delivered" and new.get("status") not in CLOSED_STATUSES:
            new["status"] = "delivered"
            new.pop(lists.LIST_PK, None), new.pop(lists.LIST_SK, None)
        return new


def counters_of(line: dict[str, Any], part: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(counters with their "ceiling", what the site must offer)`` for an allocation of
    ``line``: the line itself, or one part of a kit's line (units per kit x quantity)."""
    parts = line.get("parts")
    if part is None:
        return {**line, "ceiling": int(line["quantity"])}, line
    if not parts or part not in parts:
        raise Refused(400, "bad_part", "part", choices=", ".join(sorted(parts or {})) or "-")
    counters = parts[part]
    ceiling = int(counters["per_kit"]) * int(line["quantity"])
    return {**counters, "ceiling": ceiling}, {"design": part, "variant": None}


def kits_ready(request: dict[str, Any], assembly: dict[str, Any]) -> int:
    """Kits an assembling site may still report as produced: complete sets of parts
    shipped to it, less the kits already counted as produced on the line."""
    line = (request.get("items") or [])[int(assembly["item"])]
    sets = min(int(c.get("shipped", 0)) // int(c["per_kit"]) for c in line["parts"].values())
    return max(0, sets - int(line.get("produced", 0)))


def offers(site: dict[str, Any], line: dict[str, Any]) -> bool:
    """Does the site offer the line's design (any variant, or the line's)?"""
    for offer in site.get("offers") or []:
        if offer.get("design") == line.get("design") and (
                not offer.get("variant") or not line.get("variant")
                or offer.get("variant") == line.get("variant")):
            return True
    return False


def open_requests(table: Any, region: str, *, design: str | None, limit: int,
                  cursor: dict[str, Any] | None) -> tuple[list[dict[str, Any]],
                                                          dict[str, Any] | None]:
    """One page of a region's open requests, most urgent first (index ``lists``)."""
    items, position = lists.query(table, lists.OPEN + region, limit=limit, cursor=cursor)
    if design:
        items = [i for i in items if any(line.get("design") == design
                                         for line in i.get("items") or [])]
    return items, position


def request_view(item: dict[str, Any], today: date) -> dict[str, Any]:
    """A request as coordinators list it: no personal data, quantities per line, and
    whether it is past its need date with nothing delivered."""
    lines = [{"design": line.get("design"), "variant": line.get("variant"),
              "requested": int(line.get("quantity", 0)),
              **{c: int(line.get(c, 0)) for c in ("allocated", "produced", "shipped",
                                                    "delivered")},
              **({"parts": {p: {k: int(v) for k, v in c.items()}
                            for p, c in line["parts"].items()}} if line.get("parts") else {})}
             for line in item.get("items") or []]
    needed_by = str(item.get("needed_by", ""))
    view = {"reference": item.get("reference"), "status": progress_status(item),
            "region": item.get("region"), "needed_by": needed_by,
            "created_at": item.get("created_at"),
            "organization_type": (item.get("organization") or {}).get("type"),
            "items": [{k: v for k, v in line.items() if v is not None} for line in lines],
            "overdue": bool(needed_by and needed_by < today.isoformat()
                            and not any(line["delivered"] for line in lines))}
    if item.get("reconfirm_asked_at"):
        view["reconfirm_asked_at"] = item["reconfirm_asked_at"]
    return view


def site_view(item: dict[str, Any], load: dict[str, int]) -> dict[str, Any]:
    """A site as coordinators list it: capacity (a rate per design), no contact."""
    technologies: dict[str, int] = {}
    for machine in item.get("machines") or []:
        tech = str(machine.get("technology"))
        technologies[tech] = technologies.get(tech, 0) + int(machine.get("count", 0))
    return {"id": item.get("id"), "region": item.get("region"), "kind": item.get("maker_kind"),
            "machines": technologies, "materials": list(item.get("materials") or []),
            "offers": [{"design": o.get("design"), **({"variant": o["variant"]}
                                                      if o.get("variant") else {}),
                        "units_per_day": int(o.get("units_per_day", 0))}
                       for o in item.get("offers") or []],
            "availability": dict(item.get("availability") or {}), "load_per_day": load}

