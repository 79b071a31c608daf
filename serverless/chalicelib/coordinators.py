"""Coordinators: who may act on the hub's requests, over which regions, until when.

A coordinator is issued by the command-line tool (``scripts/coordinators.py``) with a
name, a scope (some of hub.toml's regions, or the whole hub) and a lifetime, and gets a
bearer token ``<coordinator id>.<secret>``: the id (``C-`` + 10 characters of
:data:`references.ALPHABET`) finds the record by key, the secret is 256 random bits
(``secrets.token_urlsafe(32)``). The record, ``COORDINATORS`` / ``<id>``, keeps only the
SHA-256 of the whole token, compared in constant time (:func:`tokens.token_matches`).

Record: ``name``, ``scope`` (``"hub"`` or ``"regions"``), ``regions`` (a list, empty for
the hub), ``token_hash``, ``created_at``, ``valid_until``, ``revoked_at`` (None until
revoked), ``version``. Not under ``PERSONAL#``: a coordinator's name is the hub's own staff
record, kept while the record is (no ``expires_at``; ``list_all`` shows it to the
operator, nothing else returns it).

The API checks a token with :func:`authenticate` (one strongly consistent ``GetItem``:
a revocation holds from the very next request), in the Chalice authorizer of
:mod:`.coordination_auth`, which hands the route a :class:`Coordinator` through the
authorizer context (:meth:`Coordinator.context`, :func:`current_coordinator`). A wrong,
expired or revoked token is a 401; a region outside the scope is a 403, checked by the
handler (:meth:`Coordinator.covers`, :func:`require_region`, :func:`require_hub`).

Issuing and revoking append an audit entry in the same transaction (:mod:`.audit`).
Logs name the coordinator id only, never the token or the name.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Sequence

from . import audit, dynamo, references, tokens
from .tables import PARTITION_KEY, SORT_KEY
from .validation import ApiError, error

log = logging.getLogger("usine.coordinators")

PARTITION = "COORDINATORS"
ENTITY = "coordinator"
ID_PREFIX = "C-"
ID_LENGTH = 10
SECRET_BYTES = 32  # 256 bits
MAX_LIFETIME = timedelta(days=365)
MAX_NAME = 80
HUB, REGIONS = "hub", "regions"
DEFAULT_ACTOR = "cli"

_ID = re.compile(rf"^{ID_PREFIX}[{references.ALPHABET}]{{{ID_LENGTH}}}$")
# token_urlsafe(32): 43 characters; anything much longer is not one of ours.
_SECRET = re.compile(r"^[A-Za-z0-9_\-]{20,128}$")
# Hashed instead when the id is unknown, so an unknown id costs the same hash.
_NO_HASH = "0" * 64


def new_id() -> str:
    return ID_PREFIX + "".join(secrets.choice(references.ALPHABET) for _ in range(ID_LENGTH))


def is_id(text: Any) -> bool:
    return isinstance(text, str) and bool(_ID.fullmatch(text))


def key(coordinator_id: str) -> dict[str, str]:
    return {PARTITION_KEY: PARTITION, SORT_KEY: coordinator_id}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Coordinator:
    """An authenticated coordinator, as a route sees it."""

    id: str
    name: str
    regions: tuple[str, ...] | None  # None: the whole hub
    valid_until: str  # ISO UTC

    @property
    def hub_scope(self) -> bool:
        return self.regions is None

    @property
    def actor(self) -> str:
        """Its name in the audit log."""
        return f"coordinator:{self.id}"

    def covers(self, region: str) -> bool:
        return self.regions is None or region in self.regions

    def scope(self) -> str | list[str]:
        return HUB if self.regions is None else list(self.regions)

    def context(self) -> dict[str, str]:
        """The authorizer's context: strings only (API Gateway passes nothing else)."""
        return {"coordinator_id": self.id, "name": self.name,
                "scope": HUB if self.regions is None else REGIONS,
                "regions": json.dumps(list(self.regions or []), ensure_ascii=False),
                "valid_until": self.valid_until}

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> "Coordinator":
        """Back from ``request.context["authorizer"]``; ValueError if it is not ours."""
        if not isinstance(context, dict) or not is_id(context.get("coordinator_id")):
            raise ValueError("no coordinator in the authorizer context")
        scope = context.get("scope")
        if scope == HUB:
            regions = None
        elif scope == REGIONS:
            try:
                listed = json.loads(context.get("regions") or "")
            except ValueError:
                raise ValueError("bad regions in the authorizer context") from None
            if not isinstance(listed, list) or not listed or not all(
                    isinstance(r, str) for r in listed):
                raise ValueError("bad regions in the authorizer context")
            regions = tuple(listed)
        else:
            raise ValueError("bad scope in the authorizer context")
        return cls(id=context["coordinator_id"], name=str(context.get("name") or ""),
                   regions=regions, valid_until=str(context.get("valid_until") or ""))

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Coordinator":
        regions = None if item.get("scope") == HUB else tuple(item.get("regions") or ())
        return cls(id=str(item[SORT_KEY]), name=str(item.get("name") or ""),
                   regions=regions, valid_until=str(item.get("valid_until") or ""))


# ------------------------------------------------------------------ API helpers


def unauthorized(lang: str) -> ApiError:
    return error(401, "unauthorized", lang, headers={"WWW-Authenticate": "Bearer"})


def forbidden(lang: str) -> ApiError:
    return error(403, "forbidden", lang)


def current_coordinator(request: Any, lang: str = "en") -> Coordinator:
    """The coordinator the authorizer let through (a route with ``authorizer=coordinator``).

    A 401 if the request carries none: only a route declared without the authorizer
    gets there, and it must not act for anybody.
    """
    context = (getattr(request, "context", None) or {}).get("authorizer") or {}
    try:
        return Coordinator.from_context(context)
    except ValueError:
        raise unauthorized(lang) from None


def require_hub(coordinator: Coordinator, lang: str) -> None:
    """403 unless the coordinator's scope is the whole hub."""
    if not coordinator.hub_scope:
        log.info("refused", extra={"error": "forbidden", "status": 403,
                                   "coordinator": coordinator.id, "need": HUB})
        raise forbidden(lang)


def require_region(coordinator: Coordinator, region: str, lang: str) -> None:
    """403 unless the coordinator's scope covers ``region``."""
    if not coordinator.covers(region):
        log.info("refused", extra={"error": "forbidden", "status": 403,
                                   "coordinator": coordinator.id, "need": "region"})
        raise forbidden(lang)


# ------------------------------------------------------------------ the table


def check_regions(regions: Iterable[str] | None,
                  known: Sequence[str] | None = None) -> tuple[str, ...] | None:
    """``None`` (the hub) or a non-empty tuple of distinct regions, each one of ``known``
    (hub.toml's, spelled as there: a case-insensitive match is given hub.toml's spelling)."""
    if regions is None:
        return None
    chosen: list[str] = []
    by_fold = {k.casefold(): k for k in known or ()}
    for region in regions:
        name = str(region).strip()
        if known is not None:
            if name.casefold() not in by_fold:
                raise ValueError(f"not a region of this hub: {name}")
            name = by_fold[name.casefold()]
        if not name:
            raise ValueError("empty region name")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ValueError("a scope lists at least one region, or is the whole hub")
    return tuple(chosen)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"a name is one line of 1 to {MAX_NAME} characters")
    return name


def check_lifetime(lifetime: timedelta) -> timedelta:
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValueError(f"a lifetime is more than 0 and at most {MAX_LIFETIME.days} days")
    return lifetime


def issue(table: Any, name: str, regions: tuple[str, ...] | None, lifetime: timedelta,
          now: datetime, *, known_regions: Sequence[str] | None = None,
          actor: str = DEFAULT_ACTOR) -> tuple[Coordinator, str]:
    """Store a new coordinator and its audit entry; ``(coordinator, token)``.

    The token is returned once and never stored (only its hash). ValueError for a bad
    name, scope (``known_regions``: hub.toml's regions) or lifetime.
    """
    name = check_name(name)
    regions = check_regions(regions, known_regions)
    lifetime = check_lifetime(lifetime)
    valid_until = dynamo.utc_iso(now + lifetime)
    issued: dict[str, str] = {}

    def build(coordinator_id: str) -> dynamo.Transaction:
        token = f"{coordinator_id}.{secrets.token_urlsafe(SECRET_BYTES)}"
        issued[coordinator_id] = token
        item = {**key(coordinator_id), "entity": ENTITY, "id": coordinator_id,
                "name": name, "scope": HUB if regions is None else REGIONS,
                "regions": list(regions or []), "token_hash": tokens.token_hash(token),
                "created_at": dynamo.utc_iso(now), "valid_until": valid_until,
                "revoked_at": None, dynamo.VERSION: 1}
        tx = dynamo.Transaction()
        tx.add(dynamo.put_new(table.name, item), "record")
        tx.add(audit.entry(table.name, actor, "coordinator.issued", [coordinator_id], now, {
            "scope": HUB if regions is None else REGIONS,
            "regions": list(regions or []), "days": lifetime.days}))
        return tx

    coordinator_id, _ = dynamo.create(table.meta.client, new_id, build, lambda: None)
    log.info("coordinator %s issued", coordinator_id,
             extra={"coordinator": coordinator_id, "scope": HUB if regions is None else REGIONS})
    return (Coordinator(coordinator_id, name, regions, valid_until), issued[coordinator_id])


def status(item: dict[str, Any], now: datetime) -> str:
    if item.get("revoked_at"):
        return "revoked"
    until = _parse_time(item.get("valid_until"))
    return "active" if until is not None and now < until else "expired"


def list_all(table: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every coordinator, without its token hash, oldest id first, with its status."""
    now = now or datetime.now(timezone.utc)
    args: dict[str, Any] = {"KeyConditionExpression": "#pk = :pk",
                            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
                            "ExpressionAttributeValues": {":pk": PARTITION},
                            "ConsistentRead": True}
    found: list[dict[str, Any]] = []
    while True:
        page = table.query(**args)
        for item in page.get("Items", []):
            found.append({
                "id": item[SORT_KEY], "name": item.get("name"),
                "scope": HUB if item.get("scope") == HUB else list(item.get("regions") or []),
                "created_at": item.get("created_at"), "valid_until": item.get("valid_until"),
                "revoked_at": item.get("revoked_at"), "status": status(item, now)})
        if not page.get("LastEvaluatedKey"):
            return found
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def revoke(table: Any, coordinator_id: str, now: datetime, *,
           actor: str = DEFAULT_ACTOR) -> bool:
    """Revoke now (with its audit entry); False for an unknown id. Revoking a revoked
    coordinator changes nothing and is True."""
    if not is_id(coordinator_id):
        return False
    for _ in range(3):
        current = table.get_item(Key=key(coordinator_id), ConsistentRead=True).get("Item")
        if current is None:
            return False
        if current.get("revoked_at"):
            return True
        tx = dynamo.Transaction()
        tx.add({"Update": {
            "TableName": table.name, "Key": key(coordinator_id),
            "UpdateExpression": "SET revoked_at = :at, #ver = :next",
            **_merge_values(dynamo.unchanged(current), {":at": dynamo.utc_iso(now),
                                                        ":next": dynamo.next_version(current)}),
        }}, "record")
        tx.add(audit.entry(table.name, actor, "coordinator.revoked", [coordinator_id], now))
        try:
            dynamo.transact(table.meta.client, tx)
        except dynamo.Cancelled as cancelled:
            if cancelled.failed == {"record"}:
                continue  # changed meanwhile: read again
            raise dynamo.changed_meanwhile(cancelled) from None
        log.info("coordinator %s revoked", coordinator_id,
                 extra={"coordinator": coordinator_id})
        return True
    raise dynamo.changed_meanwhile(dynamo.Cancelled({"record"}, []))


def _merge_values(condition: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**condition,
            "ExpressionAttributeValues": {**condition.get("ExpressionAttributeValues", {}),
                                          **values}}


def check(table: Any, token: str | None, now: datetime
          ) -> tuple[Coordinator | None, str, str | None]:
    """``(coordinator or None, reason, known id or None)``; reason is ``ok``,
    ``malformed``, ``unknown``, ``wrong_secret``, ``revoked`` or ``expired``.

    The id is returned only when the record exists (it is then ours to log). Storage
    faults are raised (the caller answers 503/500, never a 401).
    """
    coordinator_id, dot, secret = (token or "").partition(".")
    if not dot or not is_id(coordinator_id) or not _SECRET.fullmatch(secret):
        return None, "malformed", None
    item = table.get_item(Key=key(coordinator_id), ConsistentRead=True).get("Item")
    if item is None:
        tokens.token_matches(token, _NO_HASH)  # the same work as a known id
        return None, "unknown", None
    if not tokens.token_matches(token, item.get("token_hash")):
        return None, "wrong_secret", coordinator_id
    if item.get("revoked_at"):
        return None, "revoked", coordinator_id
    until = _parse_time(item.get("valid_until"))
    if until is None or now >= until:
        return None, "expired", coordinator_id
    return Coordinator.from_item(item), "ok", coordinator_id


def authenticate(table: Any, token: str | None, now: datetime) -> Coordinator | None:
    """The coordinator of a valid, unexpired, unrevoked token, else None."""
    return check(table, token, now)[0]
