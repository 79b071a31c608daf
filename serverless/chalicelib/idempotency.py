"""Idempotency records: the first answer to a write, kept 24 h under the key's hash.

A write with an ``Idempotency-Key`` adds :func:`put_action` to its own transaction, so the
record exists if and only if the write happened. A retry finds the record: same body ->
the first answer (:func:`replay`), another body -> :class:`IdempotencyConflict`. The key
itself is never stored (only ``sha256(scope:key)``), nor the answer's secret token, which
the caller rebuilds from the key (:mod:`.tokens`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import tokens
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

RETENTION = timedelta(hours=24)
PREFIX = "IDEM#"
SK = "IDEM"


class IdempotencyConflict(Exception):
    """The key was already used with another body."""


@dataclass(frozen=True)
class Idempotency:
    scope: str  # "requests", "makers": a key is scoped to its endpoint
    key: str
    body_hash: str

    @property
    def key_hash(self) -> str:
        return tokens.key_hash(self.scope, self.key)

    def item_key(self) -> dict[str, str]:
        return {PARTITION_KEY: f"{PREFIX}{self.scope}#{self.key_hash}", SORT_KEY: SK}


def put_action(table_name: str, idem: Idempotency, record_id: str, answer: dict[str, Any],
               now: datetime, token_hash: str) -> dict[str, Any]:
    """The transaction action writing the record (fails if a live one exists)."""
    epoch = int(now.timestamp())
    return {
        "Put": {
            "TableName": table_name,
            "Item": {
                **idem.item_key(),
                "entity": "idempotency",
                "body_hash": idem.body_hash,
                "record_id": record_id,
                "answer": answer,
                "token_hash": token_hash,
                "created_epoch": epoch,  # not created_at: that name is an index key (a string)
                TTL_ATTRIBUTE: int((now + RETENTION).timestamp()),
            },
            # An expired record that TTL has not removed yet does not count.
            "ConditionExpression": "attribute_not_exists(#pk) OR #exp < :now",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#exp": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":now": epoch},
        }
    }


def get(table: Any, idem: Idempotency, now: datetime) -> dict[str, Any] | None:
    """The live record of this key, or None."""
    item = table.get_item(Key=idem.item_key(), ConsistentRead=True).get("Item")
    if item is None or int(item.get(TTL_ATTRIBUTE, 0)) < int(now.timestamp()):
        return None
    return item


def replay(item: dict[str, Any], idem: Idempotency, purpose: str,
           secrets_in_use: tuple[bytes, ...]) -> tuple[str, dict[str, Any], str]:
    """``(record_id, first answer, token)``; IdempotencyConflict when the body differs.

    :class:`TokenLost` when no secret in use rebuilds the token (rotated twice within the
    record's 24 hours).
    """
    if item.get("body_hash") != idem.body_hash:
        raise IdempotencyConflict(idem.scope)
    record_id = str(item["record_id"])
    token = tokens.rebuild_token(purpose, record_id, idem.key_hash, item.get("token_hash"),
                                 secrets_in_use)
    if token is None:
        raise TokenLost(idem.scope)
    return record_id, dict(item.get("answer") or {}), token


class TokenLost(RuntimeError):
    """A replay whose token no secret in use can rebuild: the secret was rotated twice
    within the record's 24 hours (see :mod:`.secret`). Retrying cannot help: a 500."""
