"""Stale requests: a daily sweep asks requesters whether their open requests still stand,
expires those not reconfirmed in time, and counts those past their need date.

Rules (periods from hub.toml ``[coordination]``, :class:`~.config.Hub`):

- An open request is **asked** once ``reconfirm_after_days`` have passed since it was
  made, or since the requester last reconfirmed it: ``reconfirm_asked_at`` and
  ``reconfirm_by`` (``reconfirm_grace_days`` later) are set, with an audit entry (actor
  ``system``) in the same transaction, then the requester gets one e-mail
  (:meth:`.notify.Notifier.reconfirm`, a link whose token is in the URL fragment). A
  message that cannot be sent does not undo the question.
- Asked and not answered by ``reconfirm_by``: the request is closed as ``expired``
  (``close_reason: not_reconfirmed``), unless an allocation is in progress (proposed,
  accepted, produced, shipped): a site is working on it, a coordinator decides.
- Past ``needed_by`` with nothing delivered: counted as ``overdue`` (coordinators see the
  flag on each request, :func:`.allocations.request_view`).

The sweep walks the open-request lists of the hub's regions (index ``lists``: one query
per page, never a scan). It is idempotent: a request asked is not asked again until the
requester answers, so a second run the same day sends nothing. Every write is
version-guarded: a requester answering at the same moment wins, and the sweep leaves the
request for the next day.

The requester answers with ``POST /requests/{reference}/reconfirm``
(:func:`reconfirm`), authorized by the tracking token or the e-mail's link token.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from . import allocations, audit, dynamo, lists
from .allocations import AllocationStore, Refused
from .dynamo import Cancelled, Transaction, utc_iso
from .store import OPEN_STATUSES, RequestStore, progress_status, request_key

log = logging.getLogger("usine.stale")

IN_PROGRESS = ("proposed", "accepted", "produced", "shipped")
PAGE_SIZE = 100
ASKED, BY, RECONFIRMED = "reconfirm_asked_at", "reconfirm_by", "reconfirmed_at"
WRITE_ATTEMPTS = 4
COUNTS = ("open", "asked", "mailed", "mail_failed", "expired", "kept_in_progress",
          "overdue", "conflicts")


def _moment(value: Any) -> datetime | None:
    """A stored ``...Z`` time as an aware datetime (None if absent or unreadable)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def in_progress(table: Any, reference: str) -> bool:
    """Has the request an allocation a site is still working on?"""
    return any(a.get("status") in IN_PROGRESS
               for a in AllocationStore(table).of_request(reference))


def due_to_ask(item: dict[str, Any], hub: Any, now: datetime) -> bool:
    if item.get(ASKED):
        return False
    since = _moment(item.get(RECONFIRMED)) or _moment(item.get("created_at"))
    return since is not None and since + timedelta(days=hub.reconfirm_after_days) <= now


def due_to_expire(item: dict[str, Any], now: datetime) -> bool:
    by = _moment(item.get(BY))
    return bool(item.get(ASKED)) and by is not None and by < now


# ------------------------------------------------------------------ the sweep


def sweep(table: Any, hub: Any, now: datetime, notifier: Any) -> dict[str, int]:
    """One pass over every open request of the hub; returns what it did, counted."""
    counts = dict.fromkeys(COUNTS, 0)
    overdue: list[str] = []
    for region in hub.regions:
        position = None
        while True:
            items, position = lists.query(table, lists.OPEN + region, limit=PAGE_SIZE,
                                          cursor=position)
            for item in items:
                counts["open"] += 1
                _one(table, hub, now, notifier, item, counts, overdue)
            if not position:
                break
    counts["overdue"] = len(overdue)
    log.info("stale requests swept", extra={"counts": counts, "overdue": overdue[:100]})
    return counts


def _one(table: Any, hub: Any, now: datetime, notifier: Any, listed: dict[str, Any],
         counts: dict[str, int], overdue: list[str]) -> None:
    reference = str(listed.get("reference"))
    if due_to_ask(listed, hub, now) or due_to_expire(listed, now):
        # The index is eventually consistent: act on the record as it is now.
        item = table.get_item(Key=request_key(reference), ConsistentRead=True).get("Item")
        if item is None or item.get("status") not in OPEN_STATUSES:
            return
        if due_to_ask(item, hub, now):
            _ask(table, hub, now, notifier, item, counts)
        elif due_to_expire(item, now):
            if _expire(table, now, reference, counts):
                return
    else:
        item = listed
    if allocations.request_view(item, now.date())["overdue"]:
        overdue.append(reference)


def _ask(table: Any, hub: Any, now: datetime, notifier: Any, item: dict[str, Any],
         counts: dict[str, int]) -> None:
    reference = str(item["reference"])
    respond_by = now + timedelta(days=hub.reconfirm_grace_days)
    tx = Transaction()
    tx.add({"Update": {
        "TableName": table.name, "Key": request_key(reference),
        "UpdateExpression": "SET #asked = :now, #by = :by, updated_at = :now, #ver = :next",
        **dynamo.unchanged(item, "", {"#asked": ASKED, "#by": BY},
                           {":now": utc_iso(now), ":by": utc_iso(respond_by),
                            ":next": dynamo.next_version(item)})}}, "record")
    tx.add(audit.entry(table.name, "system", "reconfirm_asked", [reference], now,
                       {"respond_by": respond_by.date().isoformat()}))
    try:
        dynamo.transact(table.meta.client, tx)
    except Cancelled:
        counts["conflicts"] += 1  # changed meanwhile (the requester answered): next run
        return
    counts["asked"] += 1
    sent = notifier.reconfirm(table, reference, respond_by.date().isoformat())
    counts["mailed" if sent else "mail_failed"] += 1
    log.info("reconfirmation of %s asked", reference, extra={"mailed": bool(sent)})


def _expire(table: Any, now: datetime, reference: str, counts: dict[str, int]) -> bool:
    """Close an unanswered request as expired; False when a site is working on it."""
    if in_progress(table, reference):
        counts["kept_in_progress"] += 1
        return False
    closed = RequestStore(table, clock=lambda: now).close(
        reference, "expired", extra={"close_reason": "not_reconfirmed"},
        audit_entry=lambda at: audit.entry(table.name, "system", "expire", [reference], at,
                                           {"reason": "not_reconfirmed"}))
    if closed:
        counts["expired"] += 1
        log.info("request %s expired", reference)
    else:
        counts["conflicts"] += 1
    return closed


# ------------------------------------------------------------------ the requester's answer


def reconfirm(call: Any, reference: str) -> Any:
    """``POST /requests/{reference}/reconfirm``: ``{"still_needed": true|false}``."""
    from . import coordination
    from .coordination_models import Reconfirmation, parse
    from .validation import decode_json, validate_data

    request, table, lang = call.request, call.table, call.lang
    actor = coordination.requester_actor(request, table, reference)
    data = decode_json(request.headers, request.raw_body, lang)
    body = validate_data(data, lambda d: parse(Reconfirmation, d), lang)
    store = AllocationStore(table)
    if not body.still_needed:
        if store.request(actor.id).get("status") not in OPEN_STATUSES:
            raise Refused(409, "not_open")
        if in_progress(table, actor.id):
            raise Refused(409, "has_allocations")
        closed = RequestStore(table).close(
            actor.id, "closed", extra={"close_reason": "not_needed"},
            audit_entry=lambda at: audit.entry(table.name, actor.audit_name, "reconfirm",
                                               [actor.id], at, {"still_needed": False}))
        if not closed:
            raise Refused(409, "not_open")
        log.info("request %s closed: not needed", actor.id)
        return coordination._answer("Reconfirmed", 200,
                                    {"reference": actor.id, "status": "closed"})
    for _ in range(WRITE_ATTEMPTS):
        item = store.request(actor.id)
        if item.get("status") not in OPEN_STATUSES:
            raise Refused(409, "not_open")
        now = datetime.now(timezone.utc)
        tx = Transaction()
        tx.add({"Update": {
            "TableName": table.name, "Key": request_key(actor.id),
            "UpdateExpression": "SET #re = :now, updated_at = :now, #ver = :next "
                                "REMOVE #asked, #by",
            **dynamo.unchanged(item, "", {"#re": RECONFIRMED, "#asked": ASKED, "#by": BY},
                               {":now": utc_iso(now), ":next": dynamo.next_version(item)})}},
               "record")
        tx.add(audit.entry(table.name, actor.audit_name, "reconfirm", [actor.id], now,
                           {"still_needed": True}))
        try:
            dynamo.transact(table.meta.client, tx)
        except Cancelled:
            continue  # changed meanwhile: read again
        log.info("request %s reconfirmed", actor.id)
        return coordination._answer("Reconfirmed", 200, {
            "reference": actor.id, "status": progress_status(item),
            "reconfirmed_at": utc_iso(now)})
    raise Refused(409, "conflict")
