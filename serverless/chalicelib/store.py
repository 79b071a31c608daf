"""Where requests are written: one DynamoDB table, passed in (never built here).

A request is two items written in ONE ``TransactWriteItems``, each conditioned on
``attribute_not_exists(pk)``: the request without personal data, and the personal data
(contact, street address, notes) under its own partition with a TTL. Either both exist
or neither does; a reference that already exists cancels the transaction and the store
retries with a new one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from botocore.exceptions import ClientError

from . import references
from .models import REQUEST_STATUS_SUBMITTED, PartRequest
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

log = logging.getLogger("usine.store")

SCHEMA_VERSION = 1
REQUEST_PREFIX = "REQUEST#"
PERSONAL_PREFIX = "PERSONAL#"
REQUEST_SK = "REQUEST"

# Personal data is kept until this long after the later of submission and need date.
PERSONAL_RETENTION = timedelta(days=90)


class ReferenceExhausted(RuntimeError):
    """Every attempt hit an existing reference: something is wrong with the generator."""


@dataclass(frozen=True)
class StoredRequest:
    reference: str
    status: str
    created_at: str


def request_key(reference: str) -> dict[str, str]:
    return {PARTITION_KEY: REQUEST_PREFIX + reference, SORT_KEY: REQUEST_SK}


def personal_key(reference: str) -> dict[str, str]:
    return {PARTITION_KEY: PERSONAL_PREFIX + reference, SORT_KEY: REQUEST_SK}


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


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

    def create(self, request: PartRequest) -> StoredRequest:
        """Store a validated request; returns its new reference."""
        now = self._clock()
        for attempt in range(1, self._max_attempts + 1):
            reference = self._new_reference()
            try:
                self.table.meta.client.transact_write_items(
                    TransactItems=self.transact_items(reference, request, now)
                )
            except ClientError as exc:
                if not _is_condition_failure(exc):
                    raise
                log.warning("reference collision on attempt %d, retrying", attempt)
                continue
            return StoredRequest(reference, REQUEST_STATUS_SUBMITTED, _utc_iso(now))
        raise ReferenceExhausted(f"no free reference after {self._max_attempts} attempts")

    def transact_items(
        self, reference: str, request: PartRequest, now: datetime
    ) -> list[dict[str, Any]]:
        """The transaction's actions (later issues append e.g. an idempotency record)."""
        return [
            self._put_new(self.public_item(reference, request, now)),
            self._put_new(self.personal_item(reference, request, now)),
        ]

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            }
        }

    def public_item(self, reference: str, request: PartRequest, now: datetime) -> dict[str, Any]:
        """What coordinators and (aggregated) statistics may see: no personal data."""
        stamp = _utc_iso(now)
        return {
            **request_key(reference),
            "entity": "request",
            "schema": SCHEMA_VERSION,
            "reference": reference,
            "status": REQUEST_STATUS_SUBMITTED,
            "organization": {
                "name": request.organization.name,
                "type": request.organization.type,
            },
            "region": request.delivery.region,
            "postcode": request.delivery.postcode,
            "items": [{"design": i.design, "quantity": i.quantity} for i in request.items],
            "needed_by": request.needed_by.isoformat(),
            "created_at": stamp,
            "updated_at": stamp,
        }

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
            "consent_at": _utc_iso(now),
            "created_at": _utc_iso(now),
            TTL_ATTRIBUTE: self.expires_at(request.needed_by, now),
        }
        if request.notes:
            item["notes"] = request.notes
        return item

    def expires_at(self, needed_by: date, now: datetime) -> int:
        """Epoch seconds: ``personal_retention`` after the later of now and needed_by."""
        needed = datetime.combine(needed_by, time(23, 59, 59), tzinfo=timezone.utc)
        return int((max(now, needed) + self._retention).timestamp())

    # ------------------------------------------------------------------ reading

    def get_public(self, reference: str) -> dict[str, Any] | None:
        return self.table.get_item(Key=request_key(reference), ConsistentRead=True).get("Item")

    def get_personal(self, reference: str) -> dict[str, Any] | None:
        """For authenticated coordinators only; no public route may call this."""
        return self.table.get_item(Key=personal_key(reference), ConsistentRead=True).get("Item")


def _is_condition_failure(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    if error.get("Code") == "ConditionalCheckFailedException":
        return True
    if error.get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons") or []
    if reasons:
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return "ConditionalCheckFailed" in error.get("Message", "")
