"""A per-client write limit kept in DynamoDB (the Lambda has no memory between instances).

One counter item per (client, fixed window): ``RATE#<sha256(address)>#<window start>``,
incremented with a condition ``n < limit`` and removed by TTL after the window. The client's
address itself is never stored. API Gateway's throttling (template) protects the whole
API; this protects it from one client filling the table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from . import tokens
from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

PREFIX = "RATE#"
SK = "RATE"


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def hit(table: Any, source_ip: str | None, now: datetime, limit: int, window: int) -> None:
    """Count one write of this client; RateLimited (with seconds to wait) past ``limit``."""
    if limit <= 0:
        return
    epoch = int(now.timestamp())
    start = epoch - epoch % window
    key = {PARTITION_KEY: f"{PREFIX}{tokens.client_hash(source_ip)}#{start}", SORT_KEY: SK}
    try:
        table.update_item(
            Key=key,
            UpdateExpression="ADD #n :one SET #exp = if_not_exists(#exp, :exp)",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "n", "#exp": TTL_ATTRIBUTE},
            ExpressionAttributeValues={":one": 1, ":limit": limit, ":exp": start + 2 * window},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise RateLimited(max(1, start + window - epoch)) from None
        raise


def count(table: Any, name: str) -> None:
    """Add one to an anonymous counter (``COUNTER``/``name``): honeypot hits..."""
    table.update_item(Key={PARTITION_KEY: "COUNTER", SORT_KEY: name},
                      UpdateExpression="ADD #n :one",
                      ExpressionAttributeNames={"#n": "n"},
                      ExpressionAttributeValues={":one": 1})


def counter(table: Any, name: str) -> int:
    item = table.get_item(Key={PARTITION_KEY: "COUNTER", SORT_KEY: name},
                          ConsistentRead=True).get("Item")
    return int(item["n"]) if item else 0
