"""A per-client write limit kept in DynamoDB (the Lambda has no memory between instances).

One counter item per (client, fixed window): ``RATE#<client>#<window start>``, incremented
with a condition ``n < limit`` and removed by TTL after the window. ``<client>`` is an
HMAC of the address under the server secret: the address is never stored, and the
stored value cannot be reversed by trying the 2**32 addresses. The counter is one action
of the write's own transaction (:meth:`Limit.action`), so only writes that happen count:
a replay or a refused write never does. A honeypot post counts every time (nothing of it
is kept to recognise a retry). API Gateway's throttling (template) protects the whole
API; this protects it from one client filling the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


from . import tokens
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

PREFIX = "RATE#"
SK = "RATE"


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """A client's counter in the current window: its update, and the wait when it is full."""

    update: dict[str, Any]  # UpdateItem arguments: Key, UpdateExpression, Condition...
    retry_after: int

    def action(self, table_name: str) -> dict[str, Any]:
        """The ``Update`` action for a ``TransactWriteItems``."""
        return {"Update": {"TableName": table_name, **self.update}}


def limit_of(source_ip: str | None, now: datetime, limit: int, window: int,
             secret: bytes) -> Limit | None:
    """This client's counter, or None when the limit is disabled (``limit`` 0)."""
    if limit <= 0:
        return None
    epoch = int(now.timestamp())
    start = epoch - epoch % window
    client = tokens.keyed(secret, "client", source_ip or "unknown").hex()[:32]
    return Limit(update={
        "Key": {PARTITION_KEY: f"{PREFIX}{client}#{start}", SORT_KEY: SK},
        "UpdateExpression": "ADD #n :one SET #exp = if_not_exists(#exp, :exp)",
        "ConditionExpression": "attribute_not_exists(#n) OR #n < :limit",
        "ExpressionAttributeNames": {"#n": "n", "#exp": TTL_ATTRIBUTE},
        "ExpressionAttributeValues": {":one": 1, ":limit": limit, ":exp": start + 2 * window},
    }, retry_after=max(1, start + window - epoch))


def count_action(table_name: str, name: str) -> dict[str, Any]:
    """Add one to an anonymous counter (``COUNTER``/``name``: honeypot hits), as a
    transaction action."""
    return {"Update": {"TableName": table_name,
                       "Key": {PARTITION_KEY: "COUNTER", SORT_KEY: name},
                       "UpdateExpression": "ADD #n :one",
                       "ExpressionAttributeNames": {"#n": "n"},
                       "ExpressionAttributeValues": {":one": 1}}}


def counter(table: Any, name: str) -> int:
    item = table.get_item(Key={PARTITION_KEY: "COUNTER", SORT_KEY: name},
                          ConsistentRead=True).get("Item")
    return int(item["n"]) if item else 0
