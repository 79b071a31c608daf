"""Where part requests are written and read: one DynamoDB table, passed in (never built here).

A request is written in ONE ``TransactWriteItems`` (:mod:`.dynamo`): the request without
personal data, the personal data (contact, street address, notes) under its own partition
with a TTL, the idempotency record when the client sent a key, the client's write counter,
the public counters of ``GET /stats``, and, with a registry id, a pointer under the
organization's partition. Either all of it exists or none. Nothing is read first.

A repeat requester is recorded, never answered: registry ids and postcodes are public, so
whoever posts them must learn nothing of the organization's other requests. Each request
of an organization adds its own pointer item (a conditional put, no list to grow, nothing
changed on the older requests); coordinators list them with :meth:`RequestStore.possible_repeats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable


from . import dynamo, idempotency, lists, references, stats, tokens
from .dynamo import Cancelled, Transaction, put_new, utc_iso
from .idempotency import Idempotency
from .ratelimit import Limit
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:  # the models need pydantic, which a cold start does not load for reads
    from .models import PartRequest

__all__ = ["RequestStore", "StoredRequest", "request_key", "personal_key", "requester_key",
           "utc_iso", "progress_status", "OPEN_STATUSES", "CLOSED_STATUSES"]

SCHEMA_VERSION = 3
REQUEST_STATUS_SUBMITTED = "submitted"
REQUEST_PREFIX = "REQUEST#"
PERSONAL_PREFIX = "PERSONAL#"
REQUESTER_PREFIX = "REQUESTER#"
REQUEST_SK = "REQUEST"
OPEN_STATUSES = ("submitted", "matched", "in_progress")
CLOSED_STATUSES = ("closed", "expired")
MAX_REPEATS_LISTED = 25  # a coordinator's view of one organization: one bounded query

# Personal data is kept until this long after the later of submission and need date.
PERSONAL_RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class StoredRequest:
    reference: str
    status: str
    tracking_token: str = ""
    replayed: bool = False

    def answer(self) -> dict[str, Any]:
        """The 201 body without its token (which is never stored)."""
        return {"reference": self.reference, "status": self.status}


def request_key(reference: str) -> dict[str, str]:
    return {PARTITION_KEY: REQUEST_PREFIX + reference, SORT_KEY: REQUEST_SK}


def personal_key(reference: str) -> dict[str, str]:
    return {PARTITION_KEY: PERSONAL_PREFIX + reference, SORT_KEY: REQUEST_SK}


def requester_key(requester: str, reference: str, created_at: str) -> dict[str, str]:
    """An organization's pointer to one of its requests, sorted by time of creation."""
    return {PARTITION_KEY: REQUESTER_PREFIX + requester,
            SORT_KEY: f"{REQUEST_PREFIX}{created_at}#{reference}"}


def live(item: dict[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    """``item`` unless its ``expires_at`` has passed (TTL deletes up to two days late)."""
    if item is None:
        return None
    expires = item.get(TTL_ATTRIBUTE)
    return None if expires is not None and int(expires) <= int(now.timestamp()) else item


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


class RequestStore:
    """Part requests in a DynamoDB ``Table`` resource (``boto3.resource(...).Table(name)``).

    ``secrets``: the server secret's values, current first (:func:`.secret.keys`); needed
    to derive the token of a write that carries an idempotency key.
    """

    def __init__(
        self,
        table: Any,
        *,
        secrets: tuple[bytes, ...] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        new_reference: Callable[[], str] = references.new_reference,
        personal_retention: timedelta = PERSONAL_RETENTION,
        max_attempts: int = 5,
        language: str = "en",
        kits: Any = None,
    ) -> None:
        self.table = table
        self._kits = kits or {}  # config.Kit per slug: a kit's line counts its parts too
        self._language = language  # of the requester's e-mails (the page that sent it)
        self._secrets = secrets
        self._clock = clock
        self._new_reference = new_reference
        self._retention = personal_retention
        self._max_attempts = max_attempts

    @property
    def table_name(self) -> str:
        return self.table.name

    # ------------------------------------------------------------------ writing

    def create(self, request: PartRequest, idem: Idempotency | None = None,
               limit: Limit | None = None) -> StoredRequest:
        """Store a validated request; returns its reference and (secret) tracking token.

        With ``idem``: a live record of the same key replays the first answer (same
        reference, same token, nothing written, nothing counted); another body raises
        IdempotencyConflict. With ``limit``: the client's counter is one action of the
        transaction, so a full window refuses the write (RateLimited) unless it is a replay.
        """
        now = self._clock()
        tokens_made: dict[str, str] = {}

        def build(reference: str) -> Transaction:
            tx = self.transaction(reference, request, now, idem, limit)
            tokens_made[reference] = tx.token
            return tx

        reference, replayed = dynamo.create(
            self.table.meta.client, self._new_reference, build,
            lambda: idempotency.get(self.table, idem, now) if idem else None,
            attempts=self._max_attempts)
        if replayed is not None and idem is not None:
            reference, answer, token = idempotency.replay(replayed, idem, "tracking",
                                                          self._secrets)
            return StoredRequest(reference, str(answer.get("status", REQUEST_STATUS_SUBMITTED)),
                                 token, replayed=True)
        return StoredRequest(reference, REQUEST_STATUS_SUBMITTED, tokens_made[reference])

    def transaction(self, reference: str, request: PartRequest, now: datetime,
                    idem: Idempotency | None = None,
                    limit: Limit | None = None) -> "RequestTransaction":
        """Every action of one attempt to store ``request`` as ``reference``."""
        token = tokens.new_token("tracking", reference, idem.key_hash if idem else None,
                                 self._secrets[0] if idem else None)
        tx = RequestTransaction(token=token)
        public = self.public_item(reference, request, now, token)
        tx.add(put_new(self.table_name, public), "record")
        tx.add(put_new(self.table_name, self.personal_item(reference, request, now)), "record")
        if idem is not None:
            answer = StoredRequest(reference, REQUEST_STATUS_SUBMITTED).answer()
            tx.add(idempotency.put_action(self.table_name, idem, reference, answer, now,
                                          tokens.token_hash(token)), "idem")
        if limit is not None:
            tx.add(limit.action(self.table_name), "rate")
            tx.retry_after = limit.retry_after
        requester = request.requester_key()
        if requester:
            tx.add(put_new(self.table_name, {
                **requester_key(requester, reference, utc_iso(now)), "entity": "requester",
                "reference": reference, "designs": sorted({i.design for i in request.items}),
                "created_at": utc_iso(now)}), "record")
        for action in stats.request_opened(self.table_name, public, today=now.date()):
            tx.add(action)
        return tx

    def public_item(self, reference: str, request: PartRequest, now: datetime,
                    token: str = "") -> dict[str, Any]:
        """What coordinators and (aggregated) statistics may see: no personal data."""
        stamp = utc_iso(now)
        item: dict[str, Any] = {
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
            "items": [self.line(i.design, i.variant, i.quantity) for i in request.items],
            "needed_by": request.needed_by.isoformat(),
            "created_at": stamp,
            "updated_at": stamp,
            dynamo.VERSION: 1,
            **lists.open_request(request.delivery.region, request.needed_by.isoformat(),
                                 reference),
        }
        if request.organization.registry_id:
            item["organization"]["registry_id"] = request.organization.registry_id
            item["requester"] = request.requester_key()
        if token:
            item["token_hash"] = tokens.token_hash(token)
        return item

    def line(self, design: str, variant: str | None, quantity: int) -> dict[str, Any]:
        """A request line and its counters; a kit's line also counts each of its parts
        (units per kit x quantity to make, by sites of that part's technology)."""
        line: dict[str, Any] = {"design": design, "variant": variant, "quantity": quantity,
                                "allocated": 0, "produced": 0, "shipped": 0, "delivered": 0}
        kit = self._kits.get(design)
        if kit is not None:
            line["parts"] = {part: {"per_kit": per_kit, "allocated": 0, "produced": 0,
                                    "shipped": 0} for part, per_kit in kit.parts.items()}
        return line

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
            "language": self._language,
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

    def close(self, reference: str, status: str = "closed", *,
              extra: dict[str, str] | None = None,
              audit_entry: Callable[[datetime], dict[str, Any]] | None = None) -> bool:
        """Close an open request (for the coordinators' tools; no public route calls it).

        One transaction: the status, the public counters, and the personal item's expiry
        moved to ``personal_retention`` after now, so contacts are kept that long after the
        request is closed (the documented rule). False if it was not open.
        """
        if status not in CLOSED_STATUSES:
            raise ValueError(f"status must be one of {CLOSED_STATUSES}")
        now = self._clock()
        current = self.get_public(reference)
        if current is None or current.get("status") not in OPEN_STATUSES:
            return False
        keep_contact = True
        more = dict(extra or {})
        while True:
            tx = Transaction()
            tx.add({"Update": {
                "TableName": self.table_name, "Key": request_key(reference),
                "UpdateExpression": "SET #st = :closed, updated_at = :now, #ver = :next"
                                    + "".join(f", #x{i} = :x{i}" for i in range(len(more)))
                                    + " " + lists.REMOVE,
                **dynamo.unchanged(current, "#st = :was", {
                    "#st": "status", **{f"#x{i}": k for i, k in enumerate(more)}}, {
                    ":was": current["status"], ":closed": status, ":now": utc_iso(now),
                    ":next": dynamo.next_version(current),
                    **{f":x{i}": v for i, v in enumerate(more.values())}})}}, "record")
            if audit_entry is not None:
                tx.add(audit_entry(now))
            if keep_contact:  # only a contact still within its retention is kept longer
                tx.add({"Update": {
                    "TableName": self.table_name, "Key": personal_key(reference),
                    "UpdateExpression": "SET #exp = :exp",
                    "ConditionExpression": "attribute_exists(#pk) AND #exp > :now",
                    "ExpressionAttributeNames": {"#exp": TTL_ATTRIBUTE, "#pk": PARTITION_KEY},
                    "ExpressionAttributeValues": {
                        ":exp": int((now + self._retention).timestamp()),
                        ":now": int(now.timestamp())}}}, "personal")
            for action in stats.request_closed(self.table_name, current, today=now.date()):
                tx.add(action)
            try:
                dynamo.transact(self.table.meta.client, tx)
                return True
            except Cancelled as cancelled:
                if cancelled.failed == {"personal"}:
                    keep_contact = False  # expired or deleted: close without it
                    continue
                return False  # changed or closed meanwhile

    # ------------------------------------------------------------------ reading

    def get_public(self, reference: str) -> dict[str, Any] | None:
        return self.table.get_item(Key=request_key(reference), ConsistentRead=True).get("Item")

    def get_personal(self, reference: str) -> dict[str, Any] | None:
        """For authenticated coordinators only; no public route may call this."""
        item = self.table.get_item(Key=personal_key(reference), ConsistentRead=True).get("Item")
        return live(item, self._clock())

    def possible_repeats(self, reference: str) -> list[str]:
        """Open requests of the same organization (registry id and postcode) sharing a
        design with ``reference``, newest first, at most ``MAX_REPEATS_LISTED``: for
        coordinators, who decide whether to merge them. Never shown to a submitter."""
        item = self.get_public(reference)
        if item is None or not item.get("requester"):
            return []
        designs = {str(line.get("design")) for line in item.get("items") or []}
        pointers = self.table.query(
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
            ExpressionAttributeValues={":pk": REQUESTER_PREFIX + str(item["requester"])},
            ScanIndexForward=False, Limit=MAX_REPEATS_LISTED + 1,
        ).get("Items", [])
        found = []
        for pointer in pointers:
            other = str(pointer.get("reference"))
            if other == reference or not designs & set(pointer.get("designs") or []):
                continue
            old = self.get_public(other)
            if old is not None and old.get("status") in OPEN_STATUSES:
                found.append(other)
        return found[:MAX_REPEATS_LISTED]

    def progress(self, reference: str) -> dict[str, Any] | None:
        """The request's public progress (for its requester: the caller checked the token)."""
        item = self.get_public(reference)
        if item is None:
            return None
        return {
            "reference": reference,
            "status": progress_status(item),
            "needed_by": str(item.get("needed_by", "")),
            "created_at": str(item.get("created_at", "")),
            "region": str(item.get("region", "")),
            "items": [
                {"design": str(i.get("design")), "variant": i.get("variant"),
                 "requested": int(i.get("quantity", 0)),
                 **{c: int(i.get(c, 0)) for c in ("allocated", "produced", "shipped",
                                                    "delivered")}}
                for i in item.get("items") or []
            ],
        }


@dataclass
class RequestTransaction(Transaction):
    """A request's transaction, with the tracking token its public item's hash is of."""

    token: str = ""
