"""The one place both stores talk to DynamoDB transactions through.

A write is one ``TransactWriteItems`` whose actions have roles: ``record`` (the new id's
item, which must not exist), ``idem`` (the idempotency record), ``rate`` (the client's
write counter). :func:`create` runs it with a fresh id until it lands and tells the caller
why it did not: a live idempotency record (a replay: nothing was written, nothing was
counted), the client's limit (:class:`~.ratelimit.RateLimited`), or an id collision
(another id is tried). Transaction conflicts with another writer are retried briefly.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from botocore.exceptions import ClientError

from . import faults
from .ratelimit import RateLimited
from .tables import PARTITION_KEY

CONFLICT_RETRIES = 3  # a few tens of ms in all: well inside the function's time budget


class IdsExhausted(RuntimeError):
    """Every attempt hit an existing id: something is wrong with the generator."""


class Cancelled(Exception):
    """A transaction cancelled on conditions: the roles whose condition failed."""

    def __init__(self, failed: set[str], codes: list[str]) -> None:
        super().__init__(", ".join(sorted(failed)) or ", ".join(codes))
        self.failed = failed
        self.codes = codes


@dataclass
class Transaction:
    """Actions of one ``TransactWriteItems``, with the role of the ones that matter."""

    actions: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)
    retry_after: int = 0  # seconds, when the ``rate`` action fails

    def add(self, action: dict[str, Any], role: str | None = None) -> None:
        if role:
            self.roles[len(self.actions)] = role
        self.actions.append(action)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def put_new(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    """A ``Put`` that fails if an item with that key exists."""
    return {"Put": {"TableName": table_name, "Item": item,
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": PARTITION_KEY}}}


VERSION = "version"  # a record's write count: the optimistic lock of every change


def unchanged(current: dict[str, Any], condition: str = "",
              names: dict[str, str] | None = None,
              values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Condition arguments of a write that replaces ``current``: its ``version`` is still
    the one read (and ``condition``, over ``names`` and ``values``). A timestamp would not
    do: two writes in the same second would both pass and both move the counters."""
    seen = current.get(VERSION)
    check = "#ver = :seen" if seen is not None else "attribute_not_exists(#ver)"
    values = {**(values or {}), **({":seen": seen} if seen is not None else {})}
    out: dict[str, Any] = {
        "ConditionExpression": f"{check} AND {condition}" if condition else check,
        "ExpressionAttributeNames": {"#ver": VERSION, **(names or {})}}
    if values:
        out["ExpressionAttributeValues"] = values
    return out


def next_version(current: dict[str, Any]) -> int:
    return int(current.get(VERSION, 0)) + 1


def transact(client: Any, tx: Transaction, *,
             sleep: Callable[[float], None] = time.sleep) -> None:
    """Send ``tx``; :class:`Cancelled` when a condition failed (nothing was written).

    Each send carries its own ``ClientRequestToken`` (botocore would fill one in; it is
    written here because the store's correctness rests on it): when botocore retries a
    send whose first attempt committed but timed out or got a 500 (DynamoDB's "may have
    succeeded"), DynamoDB answers the retry as the same transaction instead of cancelling
    it on its own conditions, so a stored write is never taken for an id collision or a
    stale version (tests/api/test_api_integration.py, a proxy that loses the answer).
    """
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            client.transact_write_items(TransactItems=tx.actions,
                                        ClientRequestToken=secrets.token_hex(16))
            return
        except ClientError as exc:
            if faults.error_code(exc) != "TransactionCanceledException":
                raise
            codes = faults.cancellation_codes(exc)
            failed = {tx.roles.get(i, "other") for i, c in enumerate(codes)
                      if c == "ConditionalCheckFailed"}
            if failed:
                raise Cancelled(failed, codes) from None
            if "TransactionConflict" not in codes or attempt == CONFLICT_RETRIES:
                raise
            sleep(random.uniform(0.005, 0.02 * 2 ** attempt))  # another writer: shortly again
    raise AssertionError("unreachable")


def changed_meanwhile(cancelled: Cancelled) -> ClientError:
    """The error of a write whose record changed since it was read (the API's 409)."""
    return ClientError({"Error": {"Code": "ConditionalCheckFailedException",
                                  "Message": str(cancelled)}}, "TransactWriteItems")


def create(client: Any, new_id: Callable[[], str], build: Callable[[str], Transaction],
           live_idempotency: Callable[[], dict[str, Any] | None], *,
           attempts: int = 5) -> tuple[str, dict[str, Any] | None]:
    """Write ``build(id)`` with a fresh id: ``(id, None)``, or ``(id, record)`` for a replay.

    A replay is detected by the idempotency record's condition failing, and wins over the
    rate limit: a client retrying an acknowledged write gets its answer, never a 429.
    """
    for _ in range(attempts):
        record_id = new_id()
        tx = build(record_id)
        try:
            transact(client, tx)
            return record_id, None
        except Cancelled as cancelled:
            if "idem" in cancelled.failed:
                existing = live_idempotency()
                if existing is not None:
                    return str(existing["record_id"]), existing
                continue  # it expired between the two calls: write again
            if "rate" in cancelled.failed:
                raise RateLimited(tx.retry_after) from None
            if cancelled.failed == {"record"}:
                continue  # the id exists already: another one
            raise changed_meanwhile(cancelled) from None
    raise IdsExhausted(f"no free id after {attempts} attempts")
