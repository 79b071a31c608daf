"""Where part requests are written and read: one DynamoDB table, passed in (never built here).

A request is written in ONE ``TransactWriteItems``: the request without personal data, the
personal data (contact, street address, notes) under its own partition with a TTL, the
idempotency record when the client sent a key, the organization's per-design pointers
and the ``repeats`` of the open requests it is linked to. Either all of it exists or none.
A reference that already exists cancels the transaction and the store retries with a new
one; a concurrent writer of the same key makes this one replay the winner's answer.
"""

from __future__ import annotations

import logging
import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from botocore.exceptions import ClientError

from . import idempotency, references, tokens
from .idempotency import Idempotency
from .models import REQUEST_STATUS_SUBMITTED, PartRequest
from .tables import LISTING_ATTRIBUTE, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

log = logging.getLogger("usine.store")

SCHEMA_VERSION = 2
REQUEST_PREFIX = "REQUEST#"
PERSONAL_PREFIX = "PERSONAL#"
REQUESTER_PREFIX = "REQUESTER#"
REQUEST_SK = "REQUEST"
OPEN_STATUSES = ("submitted", "matched", "in_progress")
CLOSED_STATUSES = ("closed", "expired")

# Personal data is kept until this long after the later of submission and need date.
PERSONAL_RETENTION = timedelta(days=90)


class ReferenceExhausted(RuntimeError):
    """Every attempt hit an existing reference: something is wrong with the generator."""


@dataclass(frozen=True)
class StoredRequest:
    reference: str
    status: str
    created_at: str
    tracking_token: str = ""
    linked_to: tuple[str, ...] = ()
    replayed: bool = False

    def answer(self) -> dict[str, Any]:
        """The 201 body (the token is added by the caller, never stored)."""
        return {"reference": self.reference, "status": self.status,
                "linked_to": list(self.linked_to)}


def request_key(reference: str) -> dict[str, str]:
    return {PARTITION_KEY: REQUEST_PREFIX + reference, SORT_KEY: REQUEST_SK}


def personal_key(reference: str) -> dict[str, str]:
    return {PARTITION_KEY: PERSONAL_PREFIX + reference, SORT_KEY: REQUEST_SK}


def requester_key(requester: str, design: str) -> dict[str, str]:
    return {PARTITION_KEY: REQUESTER_PREFIX + requester, SORT_KEY: "DESIGN#" + design}


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def cancellation_codes(exc: ClientError) -> list[str]:
    """Per-action reason codes of a cancelled transaction ("None" for actions that were fine)."""
    reasons = exc.response.get("CancellationReasons") or []
    if reasons:
        return [str(r.get("Code") or "None") for r in reasons]
    # Some engines only put them in the message: "... [None, ConditionalCheckFailed]".
    message = exc.response.get("Error", {}).get("Message", "")
    if "[" in message and "]" in message:
        inner = message[message.rindex("[") + 1: message.rindex("]")]
        return [part.strip() for part in inner.split(",")]
    return []


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def put_new(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table_name,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        }
    }


def progress_status(item: dict[str, Any]) -> str:
    """A request's status from its quantities (or closed/expired, set by a coordinator)."""
    stored = str(item.get("status", REQUEST_STATUS_SUBMITTED))
    if stored in CLOSED_STATUSES:
        return stored
    lines = item.get("items") or []
    requested = sum(int(i.get("quantity", 0)) for i in lines)
    allocated = sum(int(i.get("allocated", 0)) for i in lines)
    delivered = sum(int(i.get("delivered", 0)) for i in lines)
    if lines and delivered >= requested:
        return "delivered"
    if delivered > 0:
        return "in_progress"
    if allocated > 0:
        return "matched"
    return REQUEST_STATUS_SUBMITTED


@dataclass
class _Plan:
    """One attempt's transaction: its actions and where each kind of action sits."""

    actions: list[dict[str, Any]] = field(default_factory=list)
    token: str = ""
    idem_index: int | None = None
    link_indexes: tuple[int, int] = (0, 0)


class RequestStore:
    """Part requests in a DynamoDB ``Table`` resource (``boto3.resource(...).Table(name)``)."""

    def __init__(
        self,
        table: Any,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        new_reference: Callable[[], str] = references.new_reference,
        personal_retention: timedelta = PERSONAL_RETENTION,
        max_attempts: int = 5,
    ) -> None:
        self.table = table
        self._clock = clock
        self._new_reference = new_reference
        self._retention = personal_retention
        self._max_attempts = max_attempts

    @property
    def table_name(self) -> str:
        return self.table.name

    # ------------------------------------------------------------------ writing

    def create(self, request: PartRequest, idem: Idempotency | None = None) -> StoredRequest:
        """Store a validated request; returns its reference and (secret) tracking token.

        With ``idem``: a live record of the same key replays the first answer (same
        reference, same token, nothing written); another body raises IdempotencyConflict.
        A retry is detected by the record's condition failing in the transaction.
        """
        now = self._clock()
        # Optimistic: no lookup first. The idempotency record's condition in the
        # transaction catches a retry (one round trip less for every first write).
        linked = self.open_requests_of(request)
        attempts = conflicts = 0
        while attempts < self._max_attempts:
            reference = self._new_reference()
            plan = self.plan(reference, request, now, idem, linked)
            try:
                self.table.meta.client.transact_write_items(TransactItems=plan.actions)
            except ClientError as exc:
                codes = cancellation_codes(exc) if error_code(exc) == "TransactionCanceledException" else []
                if not codes:
                    raise
                if plan.idem_index is not None and codes[plan.idem_index] == "ConditionalCheckFailed":
                    existing = idempotency.get(self.table, idem, now)
                    if existing is not None:
                        return self._replay(existing, idem)
                if "TransactionConflict" in codes and conflicts < 5:
                    conflicts += 1  # another writer on the same items: try again shortly
                    _time.sleep(0.02 * conflicts)
                    continue
                start, end = plan.link_indexes
                if any(c == "ConditionalCheckFailed" for c in codes[start:end]):
                    linked = self.open_requests_of(request)  # one was closed meanwhile
                    attempts += 1
                    continue
                if any(c == "ConditionalCheckFailed" for c in codes[:2]):
                    log.warning("reference collision on attempt %d, retrying", attempts + 1)
                    attempts += 1
                    continue
                raise
            return StoredRequest(reference, REQUEST_STATUS_SUBMITTED, utc_iso(now), plan.token,
                                 tuple(sorted(set(linked.values()))))
        raise ReferenceExhausted(f"no free reference after {self._max_attempts} attempts")

    def _replay(self, item: dict[str, Any], idem: Idempotency) -> StoredRequest:
        reference, answer = idempotency.replay(item, idem)
        return StoredRequest(
            reference, str(answer.get("status", REQUEST_STATUS_SUBMITTED)), "",
            tokens.new_token("tracking", reference, idem.key),
            tuple(answer.get("linked_to") or ()), replayed=True,
        )

    def plan(self, reference: str, request: PartRequest, now: datetime,
             idem: Idempotency | None = None, linked: dict[str, str] | None = None) -> _Plan:
        """The transaction's actions for one attempt."""
        linked = linked or {}
        token = tokens.new_token("tracking", reference, idem.key if idem else None)
        plan = _Plan(token=token)
        plan.actions.append(put_new(self.table_name,
                                    self.public_item(reference, request, now, token, linked)))
        plan.actions.append(put_new(self.table_name, self.personal_item(reference, request, now)))
        if idem is not None:
            plan.idem_index = len(plan.actions)
            answer = StoredRequest(reference, REQUEST_STATUS_SUBMITTED, "", "",
                                   tuple(sorted(set(linked.values())))).answer()
            plan.actions.append(idempotency.put_action(self.table_name, idem, reference,
                                                       answer, now))
        requester = request.requester_key()
        if requester:
            for design in sorted({i.design for i in request.items}):
                plan.actions.append({"Put": {"TableName": self.table_name, "Item": {
                    **requester_key(requester, design), "entity": "requester",
                    "reference": reference, "updated_at": utc_iso(now)}}})
        start = len(plan.actions)
        for old in sorted(set(linked.values())):
            plan.actions.append({"Update": {
                "TableName": self.table_name,
                "Key": request_key(old),
                "UpdateExpression": "SET #rep = list_append(if_not_exists(#rep, :empty), :new)",
                "ConditionExpression": "attribute_exists(#pk) AND #st IN (:s0, :s1, :s2)",
                "ExpressionAttributeNames": {"#rep": "repeats", "#pk": PARTITION_KEY,
                                             "#st": "status"},
                "ExpressionAttributeValues": {":empty": [], ":new": [reference],
                                              ":s0": OPEN_STATUSES[0], ":s1": OPEN_STATUSES[1],
                                              ":s2": OPEN_STATUSES[2]},
            }})
        plan.link_indexes = (start, len(plan.actions))
        return plan

    def transact_items(self, reference: str, request: PartRequest, now: datetime) -> list[dict[str, Any]]:
        """The actions of a plain write (no key, no link): kept for callers and tests."""
        return self.plan(reference, request, now).actions

    def open_requests_of(self, request: PartRequest) -> dict[str, str]:
        """``{design: reference}`` of this organization's open requests for these designs."""
        requester = request.requester_key()
        if not requester:
            return {}
        designs = {i.design for i in request.items}
        pointers = self.table.query(
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
            ExpressionAttributeValues={":pk": REQUESTER_PREFIX + requester},
            ConsistentRead=True,
        ).get("Items", [])
        found: dict[str, str] = {}
        for pointer in pointers:
            design = str(pointer[SORT_KEY]).removeprefix("DESIGN#")
            if design not in designs:
                continue
            old = self.get_public(str(pointer["reference"]))
            if old is not None and old.get("status") in OPEN_STATUSES:
                found[design] = str(pointer["reference"])
        return found

    def public_item(self, reference: str, request: PartRequest, now: datetime,
                    token: str = "", linked: dict[str, str] | None = None) -> dict[str, Any]:
        """What coordinators and (aggregated) statistics may see: no personal data."""
        stamp = utc_iso(now)
        item: dict[str, Any] = {
            **request_key(reference),
            "entity": "request",
            LISTING_ATTRIBUTE: "request",
            "schema": SCHEMA_VERSION,
            "reference": reference,
            "status": REQUEST_STATUS_SUBMITTED,
            "organization": {
                "name": request.organization.name,
                "type": request.organization.type,
            },
            "region": request.delivery.region,
            "postcode": request.delivery.postcode,
            "items": [
                {"design": i.design, "variant": i.variant, "quantity": i.quantity,
                 "allocated": 0, "delivered": 0}
                for i in request.items
            ],
            "needed_by": request.needed_by.isoformat(),
            "linked_to": sorted(set((linked or {}).values())),
            "repeats": [],
            "created_at": stamp,
            "updated_at": stamp,
        }
        if request.organization.registry_id:
            item["organization"]["registry_id"] = request.organization.registry_id
            item["requester"] = request.requester_key()
        if token:
            item["token_hash"] = tokens.token_hash(token)
        return item

    def personal_item(
        self, reference: str, request: PartRequest, now: datetime
    ) -> dict[str, Any]:
        """Contact, street address, free-text notes: kept apart, deleted by TTL."""
        item: dict[str, Any] = {
            **personal_key(reference),
            "entity": "personal",
            "schema": SCHEMA_VERSION,
            "reference": reference,
            "contact": {
                "name": request.contact.name,
                "email": request.contact.email,
                "phone": request.contact.phone,
            },
            "address": request.delivery.address,
            "consent_at": utc_iso(now),
            "created_at": utc_iso(now),
            TTL_ATTRIBUTE: self.expires_at(request.needed_by, now),
        }
        if request.notes:
            item["notes"] = request.notes
        return item

    def expires_at(self, needed_by: date, now: datetime) -> int:
        """Epoch seconds: ``personal_retention`` after the later of now and needed_by."""
        needed = datetime.combine(needed_by, time(23, 59, 59), tzinfo=timezone.utc)
        return int((max(now, needed) + self._retention).timestamp())

    def close(self, reference: str, status: str = "closed") -> bool:
        """Close an open request (for the coordinators' tools; no public route calls it).

        One transaction: the status, and the personal item's expiry moved to
        ``personal_retention`` after now, so contacts are kept that long after the request
        is closed (the documented rule). False if it was not open.
        """
        if status not in CLOSED_STATUSES:
            raise ValueError(f"status must be one of {CLOSED_STATUSES}")
        now = self._clock()
        try:
            self.table.meta.client.transact_write_items(TransactItems=[
                {"Update": {
                    "TableName": self.table_name, "Key": request_key(reference),
                    "UpdateExpression": "SET #st = :closed, updated_at = :now",
                    "ConditionExpression": "#st IN (:s0, :s1, :s2)",
                    "ExpressionAttributeNames": {"#st": "status"},
                    "ExpressionAttributeValues": {":closed": status, ":now": utc_iso(now),
                                                  ":s0": OPEN_STATUSES[0],
                                                  ":s1": OPEN_STATUSES[1],
                                                  ":s2": OPEN_STATUSES[2]}}},
                {"Update": {
                    "TableName": self.table_name, "Key": personal_key(reference),
                    "UpdateExpression": "SET #exp = :exp",
                    "ConditionExpression": "attribute_exists(#pk)",
                    "ExpressionAttributeNames": {"#exp": TTL_ATTRIBUTE, "#pk": PARTITION_KEY},
                    "ExpressionAttributeValues": {
                        ":exp": int((now + self._retention).timestamp())}}},
            ])
        except ClientError as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                return False
            raise
        return True

    # ------------------------------------------------------------------ reading

    def get_public(self, reference: str) -> dict[str, Any] | None:
        return self.table.get_item(Key=request_key(reference), ConsistentRead=True).get("Item")

    def get_personal(self, reference: str) -> dict[str, Any] | None:
        """For authenticated coordinators only; no public route may call this."""
        return self.table.get_item(Key=personal_key(reference), ConsistentRead=True).get("Item")

    def progress(self, reference: str, token: str | None) -> dict[str, Any] | None:
        """The request's public progress if ``token`` is its tracking token, else None."""
        item = self.get_public(reference)
        if item is None or not tokens.token_matches(token, item.get("token_hash")):
            return None
        return {
            "reference": reference,
            "status": progress_status(item),
            "needed_by": str(item.get("needed_by", "")),
            "created_at": str(item.get("created_at", "")),
            "region": str(item.get("region", "")),
            "items": [
                {"design": str(i.get("design")), "variant": i.get("variant"),
                 "requested": int(i.get("quantity", 0)), "allocated": int(i.get("allocated", 0)),
                 "delivered": int(i.get("delivered", 0))}
                for i in item.get("items") or []
            ],
            "linked_to": [str(r) for r in item.get("linked_to") or []],
            "repeats": [str(r) for r in item.get("repeats") or []],
        }


def _is_condition_failure(exc: ClientError) -> bool:
    """Kept for callers: True when a transaction failed on a condition."""
    if error_code(exc) == "ConditionalCheckFailedException":
        return True
    return "ConditionalCheckFailed" in cancellation_codes(exc)
