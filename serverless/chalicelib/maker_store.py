"""Maker sign-ups in the table: a public capacity item and a personal item, written together.

``MAKER#<id>/MAKER`` holds what planning needs (kind, region, machines, materials, offers
in units per day, availability) and the edit token's hash; ``PERSONAL#<id>/MAKER`` holds the
name, contact and postcode with a TTL. Withdrawal deletes the personal item and replaces
the public one by an anonymous record (kind, region, machine counts) in one transaction.

The public item expires with the availability window (``expires_at``, end of its last day
anywhere on Earth; 365 days after the last update when open-ended), the personal item
90 days after the window (365 days after the last update when open-ended). TTL deletes up to two days late, so every read checks ``expires_at``.
Each write changes the public counters of ``GET /stats`` in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from . import dynamo, idempotency, lists, references, stats, tokens
from .dynamo import Cancelled, Transaction, put_new, utc_iso
from .idempotency import Idempotency
from .ratelimit import Limit, RateLimited
from .store import live
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:  # pydantic is loaded by the routes that validate a body, not here
    from .maker_models import MakerSignup

MAKER_PREFIX = "MAKER#"
PERSONAL_PREFIX = "PERSONAL#"
MAKER_SK = "MAKER"
ID_PREFIX = "M-"
PERSONAL_RETENTION = timedelta(days=90)  # after the end of the availability window
OPEN_ENDED_RETENTION = timedelta(days=365)  # after the last update, without an end date
# The last day of a window ends at 23:59:59 in the westernmost time zone (UTC-12).
END_OF_DAY = time(11, 59, 59)


class MakerNotFound(Exception):
    """Unknown id, wrong token, or withdrawn: the same answer for all three."""


def maker_key(maker_id: str) -> dict[str, str]:
    return {PARTITION_KEY: MAKER_PREFIX + maker_id, SORT_KEY: MAKER_SK}


def maker_personal_key(maker_id: str) -> dict[str, str]:
    return {PARTITION_KEY: PERSONAL_PREFIX + maker_id, SORT_KEY: MAKER_SK}


def new_maker_id() -> str:
    return ID_PREFIX + references.new_reference().removeprefix(references.PREFIX)


def window_end(until: Any) -> datetime:
    """When a window whose last day is ``until`` is over everywhere."""
    return datetime.combine(until + timedelta(days=1), END_OF_DAY, tzinfo=timezone.utc)


class MakerStore:
    def __init__(self, table: Any, *, secrets: tuple[bytes, ...] = (),
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 new_id: Callable[[], str] = new_maker_id, max_attempts: int = 5,
                 language: str = "en") -> None:
        self.table = table
        self._language = language  # of the site's e-mails (the page that sent the sign-up)
        self._secrets = secrets
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
            TTL_ATTRIBUTE: self.public_expires_at(signup, now),
            dynamo.VERSION: 1,
            **lists.site(signup.region, maker_id),  # withdrawal's record has no list keys
        }

    def public_expires_at(self, signup: MakerSignup, now: datetime) -> int:
        """The capacity is offered until the window is over (or a year without news)."""
        until = signup.availability.until
        if until is None:
            return int((now + OPEN_ENDED_RETENTION).timestamp())
        return int(window_end(until).timestamp())

    def personal_item(self, maker_id: str, signup: MakerSignup, now: datetime) -> dict[str, Any]:
        return {
            **maker_personal_key(maker_id),
            "entity": "personal",
            "id": maker_id,
            "name": signup.name,
            "contact": signup.contact.model_dump(mode="json"),
            "postcode": signup.postcode,
            "language": self._language,
            "consent_at": utc_iso(now),
            TTL_ATTRIBUTE: self.expires_at(signup, now),
        }

    def expires_at(self, signup: MakerSignup, now: datetime) -> int:
        until = signup.availability.until
        if until is None:
            return int((now + OPEN_ENDED_RETENTION).timestamp())
        return int((max(now, window_end(until)) + PERSONAL_RETENTION).timestamp())

    # ------------------------------------------------------------------ writes

    def create(self, signup: MakerSignup, idem: Idempotency | None = None,
               limit: Limit | None = None) -> tuple[str, str, bool]:
        """``(id, edit_token, replayed)``: one transaction, as for requests (store.py)."""
        now = self._clock()
        made: dict[str, str] = {}

        def build(maker_id: str) -> Transaction:
            token = tokens.new_token("edit", maker_id, idem.key_hash if idem else None,
                                     self._secrets[0] if idem else None)
            made[maker_id] = token
            public = self.public_item(maker_id, signup, token, utc_iso(now), now)
            tx = Transaction()
            tx.add(put_new(self.table_name, public), "record")
            tx.add(put_new(self.table_name, self.personal_item(maker_id, signup, now)), "record")
            if idem is not None:
                tx.add(idempotency.put_action(self.table_name, idem, maker_id,
                                              {"id": maker_id, "status": "active"}, now,
                                              tokens.token_hash(token)), "idem")
            if limit is not None:
                tx.add(limit.action(self.table_name), "rate")
                tx.retry_after = limit.retry_after
            for action in stats.maker_changed(self.table_name, None, public, now.date()):
                tx.add(action)
            return tx

        maker_id, replayed = dynamo.create(
            self.table.meta.client, self._new_id, build,
            lambda: idempotency.get(self.table, idem, now) if idem else None,
            attempts=self._max_attempts)
        if replayed is not None and idem is not None:
            maker_id, _answer, token = idempotency.replay(replayed, idem, "edit", self._secrets)
            return maker_id, token, True
        return maker_id, made[maker_id], False

    def _authorised(self, maker_id: str, token: str | None) -> dict[str, Any]:
        item = live(self.table.get_item(Key=maker_key(maker_id), ConsistentRead=True)
                    .get("Item"), self._clock())
        if item is None or item.get("status") != "active" or not tokens.token_matches(
                token, item.get("token_hash")):
            raise MakerNotFound(maker_id)
        return item

    def read(self, maker_id: str, token: str | None) -> dict[str, Any]:
        """The maker's own record (public + personal parts); MakerNotFound otherwise."""
        public = self._authorised(maker_id, token)
        personal = live(self.table.get_item(Key=maker_personal_key(maker_id),
                                            ConsistentRead=True).get("Item"), self._clock())
        return record_of(public, personal or {})

    def update(self, maker_id: str, token: str | None, signup: MakerSignup,
               limit: Limit | None = None) -> dict[str, Any]:
        """Replace the sign-up (both items, one transaction, only if nothing changed since
        it was read: the counters are moved from the old offers to the new ones)."""
        current = self._authorised(maker_id, token)
        now = self._clock()
        public = self.public_item(maker_id, signup, token or "", str(current["created_at"]), now)
        public[dynamo.VERSION] = dynamo.next_version(current)
        personal = self.personal_item(maker_id, signup, now)
        tx = Transaction()
        tx.add({"Put": {"TableName": self.table_name, "Item": public,
                        **unchanged_since(current)}}, "record")
        tx.add({"Put": {"TableName": self.table_name, "Item": personal}})
        if limit is not None:
            tx.add(limit.action(self.table_name), "rate")
            tx.retry_after = limit.retry_after
        for action in stats.maker_changed(self.table_name, current, public, now.date()):
            tx.add(action)
        self._send(maker_id, token, tx)
        return record_of(public, personal)

    def _send(self, maker_id: str, token: str | None, tx: Transaction) -> None:
        try:
            dynamo.transact(self.table.meta.client, tx)
        except Cancelled as cancelled:
            if "rate" in cancelled.failed:
                raise RateLimited(tx.retry_after) from None
            self._authorised(maker_id, token)  # withdrawn meanwhile: MakerNotFound (404)
            raise dynamo.changed_meanwhile(cancelled) from None  # edited meanwhile: 409

    def withdraw(self, maker_id: str, token: str | None) -> None:
        """Delete the personal data now; keep an anonymous record for the counts."""
        current = self._authorised(maker_id, token)
        now = self._clock()
        counts: dict[str, int] = {}
        for machine in current.get("machines") or []:
            tech = str(machine.get("technology"))
            counts[tech] = counts.get(tech, 0) + int(machine.get("count", 0))
        anonymous = {
            **maker_key(maker_id), "entity": "maker", "id": maker_id, "status": "withdrawn",
            "maker_kind": current.get("maker_kind"),
            "region": current.get("region"), "machine_counts": counts,
            "created_at": current.get("created_at"), "withdrawn_at": utc_iso(now),
            dynamo.VERSION: dynamo.next_version(current),
        }
        tx = Transaction()
        tx.add({"Put": {"TableName": self.table_name, "Item": anonymous,
                        **unchanged_since(current)}}, "record")
        tx.add({"Delete": {"TableName": self.table_name, "Key": maker_personal_key(maker_id)}})
        for action in stats.maker_changed(self.table_name, current, None, now.date()):
            tx.add(action)
        self._send(maker_id, token, tx)


def unchanged_since(current: dict[str, Any]) -> dict[str, Any]:
    """Condition of a write that replaces ``current``: still active, same token, and not
    changed since it was read (its version)."""
    return dynamo.unchanged(current, "#st = :active AND token_hash = :h", {"#st": "status"},
                            {":active": "active", ":h": current["token_hash"]})


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
