"""Maker sign-ups in the table: a public capacity item and a personal item, written together.

``MAKER#<id>/MAKER`` holds what planning needs (kind, region, machines, materials, offers
in units per day, availability) and the edit token's hash; ``PERSONAL#<id>/MAKER`` holds the
name, contact and postcode with a TTL. Withdrawal deletes the personal item and replaces
the public one by an anonymous record (kind, region, machine counts) in one transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable

from botocore.exceptions import ClientError

from . import idempotency, references, tokens
from .idempotency import Idempotency
from .maker_models import MakerSignup
from .store import cancellation_codes, error_code, put_new, utc_iso
from .tables import LISTING_ATTRIBUTE, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

log = logging.getLogger("usine.store")

MAKER_PREFIX = "MAKER#"
PERSONAL_PREFIX = "PERSONAL#"
MAKER_SK = "MAKER"
ID_PREFIX = "M-"
PERSONAL_RETENTION = timedelta(days=90)  # after the end of the availability window
OPEN_ENDED_RETENTION = timedelta(days=365)  # after the last update, without an end date


class MakerNotFound(Exception):
    """Unknown id, wrong token, or withdrawn: the same answer for all three."""


def maker_key(maker_id: str) -> dict[str, str]:
    return {PARTITION_KEY: MAKER_PREFIX + maker_id, SORT_KEY: MAKER_SK}


def maker_personal_key(maker_id: str) -> dict[str, str]:
    return {PARTITION_KEY: PERSONAL_PREFIX + maker_id, SORT_KEY: MAKER_SK}


def new_maker_id() -> str:
    return ID_PREFIX + references.new_reference().removeprefix(references.PREFIX)


class MakerStore:
    def __init__(self, table: Any, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 new_id: Callable[[], str] = new_maker_id, max_attempts: int = 5) -> None:
        self.table = table
        self._clock = clock
        self._new_id = new_id
        self._max_attempts = max_attempts

    @property
    def table_name(self) -> str:
        return self.table.name

    # ------------------------------------------------------------------ items

    def public_item(self, maker_id: str, signup: MakerSignup, token: str, created: str,
                    now: datetime) -> dict[str, Any]:
        return {
            **maker_key(maker_id),
            "entity": "maker",
            LISTING_ATTRIBUTE: "maker",
            "id": maker_id,
            "status": "active",
            "maker_kind": signup.kind,
            "region": signup.region,
            "machines": [m.model_dump(mode="json") for m in signup.machines],
            "materials": list(signup.materials),
            "offers": [o.model_dump(mode="json") for o in signup.offers],
            "availability": signup.availability.model_dump(mode="json", by_alias=True),
            "token_hash": tokens.token_hash(token),
            "created_at": created,
            "updated_at": utc_iso(now),
        }

    def personal_item(self, maker_id: str, signup: MakerSignup, now: datetime) -> dict[str, Any]:
        return {
            **maker_personal_key(maker_id),
            "entity": "personal",
            "id": maker_id,
            "name": signup.name,
            "contact": signup.contact.model_dump(mode="json"),
            "postcode": signup.postcode,
            "consent_at": utc_iso(now),
            TTL_ATTRIBUTE: self.expires_at(signup, now),
        }

    def expires_at(self, signup: MakerSignup, now: datetime) -> int:
        until = signup.availability.until
        if until is None:
            return int((now + OPEN_ENDED_RETENTION).timestamp())
        end = datetime.combine(until, time(23, 59, 59), tzinfo=timezone.utc)
        return int((max(now, end) + PERSONAL_RETENTION).timestamp())

    # ------------------------------------------------------------------ writes

    def create(self, signup: MakerSignup, idem: Idempotency | None = None) -> tuple[str, str, bool]:
        """``(id, edit_token, replayed)``."""
        now = self._clock()  # a retry is caught by the idempotency record's condition
        conflicts = 0
        attempts = 0
        while attempts < self._max_attempts:
            maker_id = self._new_id()
            token = tokens.new_token("edit", maker_id, idem.key if idem else None)
            actions = [
                put_new(self.table_name, self.public_item(maker_id, signup, token, utc_iso(now), now)),
                put_new(self.table_name, self.personal_item(maker_id, signup, now)),
            ]
            if idem is not None:
                actions.append(idempotency.put_action(
                    self.table_name, idem, maker_id, {"id": maker_id, "status": "active"}, now))
            try:
                self.table.meta.client.transact_write_items(TransactItems=actions)
            except ClientError as exc:
                codes = cancellation_codes(exc) if error_code(exc) == "TransactionCanceledException" else []
                if not codes:
                    raise
                if idem is not None and len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                    existing = idempotency.get(self.table, idem, now)
                    if existing is not None:
                        return self._replay(existing, idem)
                if "TransactionConflict" in codes and conflicts < 5:
                    conflicts += 1
                    continue
                if "ConditionalCheckFailed" in codes[:2]:
                    attempts += 1
                    continue
                raise
            return maker_id, token, False
        raise RuntimeError(f"no free maker id after {self._max_attempts} attempts")

    def _replay(self, item: dict[str, Any], idem: Idempotency) -> tuple[str, str, bool]:
        maker_id, _answer = idempotency.replay(item, idem)
        return maker_id, tokens.new_token("edit", maker_id, idem.key), True

    def _authorised(self, maker_id: str, token: str | None) -> dict[str, Any]:
        item = self.table.get_item(Key=maker_key(maker_id), ConsistentRead=True).get("Item")
        if item is None or item.get("status") != "active" or not tokens.token_matches(
                token, item.get("token_hash")):
            raise MakerNotFound(maker_id)
        return item

    def read(self, maker_id: str, token: str | None) -> dict[str, Any]:
        """The maker's own record (public + personal parts); MakerNotFound otherwise."""
        public = self._authorised(maker_id, token)
        personal = self.table.get_item(Key=maker_personal_key(maker_id),
                                       ConsistentRead=True).get("Item") or {}
        return record_of(public, personal)

    def update(self, maker_id: str, token: str | None, signup: MakerSignup) -> dict[str, Any]:
        """Replace the sign-up (both items, one transaction, only if the token still holds)."""
        current = self._authorised(maker_id, token)
        now = self._clock()
        public = self.public_item(maker_id, signup, token or "", str(current["created_at"]), now)
        personal = self.personal_item(maker_id, signup, now)
        try:
            self.table.meta.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table_name, "Item": public,
                         "ConditionExpression": "#st = :active AND token_hash = :h",
                         "ExpressionAttributeNames": {"#st": "status"},
                         "ExpressionAttributeValues": {":active": "active",
                                                       ":h": current["token_hash"]}}},
                {"Put": {"TableName": self.table_name, "Item": personal}},
            ])
        except ClientError as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                raise MakerNotFound(maker_id) from None  # withdrawn meanwhile
            raise
        return record_of(public, personal)

    def withdraw(self, maker_id: str, token: str | None) -> None:
        """Delete the personal data now; keep an anonymous record for the counts."""
        current = self._authorised(maker_id, token)
        now = self._clock()
        counts: dict[str, int] = {}
        for machine in current.get("machines") or []:
            tech = str(machine.get("technology"))
            counts[tech] = counts.get(tech, 0) + int(machine.get("count", 0))
        anonymous = {
            **maker_key(maker_id), "entity": "maker", LISTING_ATTRIBUTE: "maker",
            "id": maker_id, "status": "withdrawn", "maker_kind": current.get("maker_kind"),
            "region": current.get("region"), "machine_counts": counts,
            "created_at": current.get("created_at"), "withdrawn_at": utc_iso(now),
        }
        try:
            self.table.meta.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table_name, "Item": anonymous,
                         "ConditionExpression": "#st = :active AND token_hash = :h",
                         "ExpressionAttributeNames": {"#st": "status"},
                         "ExpressionAttributeValues": {":active": "active",
                                                       ":h": current["token_hash"]}}},
                {"Delete": {"TableName": self.table_name, "Key": maker_personal_key(maker_id)}},
            ])
        except ClientError as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                raise MakerNotFound(maker_id) from None
            raise


def record_of(public: dict[str, Any], personal: dict[str, Any]) -> dict[str, Any]:
    """The maker's own view: the sign-up's fields, id, status and dates (no token hash)."""
    def plain(value: Any) -> Any:
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if hasattr(value, "as_integer_ratio") and not isinstance(value, (bool, float)):
            return int(value) if value == int(value) else float(value)
        return value

    return plain({
        "id": public["id"],
        "status": public["status"],
        "name": personal.get("name", ""),
        "kind": public.get("maker_kind"),
        "contact": personal.get("contact", {}),
        "region": public.get("region"),
        "postcode": personal.get("postcode", ""),
        "machines": public.get("machines", []),
        "materials": public.get("materials", []),
        "offers": public.get("offers", []),
        "availability": public.get("availability", {}),
        "consent": True,
        "created_at": public.get("created_at"),
        "updated_at": public.get("updated_at"),
    })
