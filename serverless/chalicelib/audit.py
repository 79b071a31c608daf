"""The coordination audit log: who did what, when, to which records. Append-only.

One item per entry, ``AUDIT#<YYYY-MM-DD>`` / ``<iso time, microseconds>#<random>``::

    {"at": "2025-04-02T09:14:03.120451Z", "actor": "coordinator:C-7K3M9Q2XAB",
     "action": "allocation.proposed", "records": ["R-7K3M9Q2X", "A-..."],
     "detail": {"quantity": 40, "reason": "no_material"}}

- Written with :func:`entry`, a ``put_new`` ``Put`` added to the same
  :class:`~.dynamo.Transaction` as the action it describes: the action and its entry land
  together or not at all. :func:`write` is the standalone form (one transaction of one).
- Append-only: an entry is only ever created (``attribute_not_exists``), never updated or
  deleted by the application.
- **Entries never expire**: no ``expires_at``, so the table's TTL never removes them. They
  hold no personal data, which is what allows keeping them: ``records`` are ids we
  generated, ``detail`` holds ids, counts and reason codes only (:func:`check_detail`
  refuses anything else shaped like free text), never a contact, a name or text a client
  submitted. An actor is ``coordinator:<id>``, ``site:<maker id>``, ``requester:<ref>``,
  ``system`` or ``cli``.
- Read one UTC day at a time, in time order, with an opaque cursor (:func:`read`): the
  base64url of the query's ``LastEvaluatedKey`` as JSON, checked on the way back in.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timezone
from typing import Any

from . import dynamo, lists
from .tables import PARTITION_KEY, SORT_KEY

PREFIX = "AUDIT#"
ENTITY = "audit"
MAX_LIMIT = 100
MAX_RECORDS = 100
MAX_DETAIL_KEYS = 20
MAX_TEXT = 64  # an id or a reason code; longer is free text

ACTOR = re.compile(r"^(system|cli|(coordinator|site|requester):[A-Z0-9-]{3,32})$")
ACTION = re.compile(r"^[a-z][a-z0-9_.]{1,63}$")
DETAIL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A record id or a reason code: no spaces, no @, nothing a sentence or a contact needs.
RECORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_#:.\-]{0,63}$")
# A detail text: an id, a code, a date, a region name of hub.toml (letters, digits,
# spaces, hyphens): one short line without @.
_TEXT = re.compile(r"^[\w .:#\-]{1,%d}$" % MAX_TEXT)
_SORT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#[0-9a-f]{8}$")


class InvalidCursor(ValueError):
    """A cursor :func:`read` did not hand out for this day (the API's 400, field ``cursor``)."""


def day_key(day: date) -> str:
    return PREFIX + day.isoformat()


def _at(now: datetime) -> str:
    return now.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _text_ok(value: Any) -> bool:
    return isinstance(value, str) and bool(_TEXT.fullmatch(value)) and "@" not in value


def _value_ok(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return True
    return _text_ok(value)


def check_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """``detail`` if it holds ids, counts, booleans and codes only; ValueError otherwise.

    A guard rail for whoever writes an entry: values are ints, booleans, None, short
    one-line texts without ``@`` (ids, reason codes, dates, region names), or lists of
    those; no float (DynamoDB wants Decimal), no nested object, no sentence.
    """
    detail = dict(detail or {})
    if len(detail) > MAX_DETAIL_KEYS:
        raise ValueError(f"audit detail has {len(detail)} keys, at most {MAX_DETAIL_KEYS}")
    for key, value in detail.items():
        if not isinstance(key, str) or not DETAIL_KEY.fullmatch(key):
            raise ValueError("audit detail keys are short snake_case names")
        values = value if isinstance(value, (list, tuple)) else [value]
        if len(values) > MAX_RECORDS or not all(_value_ok(v) for v in values):
            raise ValueError(f"audit detail {key!r}: ids, counts and codes only")
        if isinstance(value, tuple):
            detail[key] = list(value)
    return detail


def entry(table_name: str, actor: str, action: str, records: list[str], now: datetime,
          detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``Put`` of a new audit entry, for the action's own :class:`~.dynamo.Transaction`."""
    if not ACTOR.fullmatch(actor or ""):
        raise ValueError("audit actor: system, cli, or coordinator:/site:/requester:<id>")
    if not ACTION.fullmatch(action or ""):
        raise ValueError("audit action: a dotted lower-case name")
    records = list(records or [])
    if len(records) > MAX_RECORDS or not all(
            isinstance(r, str) and RECORD.fullmatch(r) for r in records):
        raise ValueError("audit records: ids only")
    at = _at(now)
    item: dict[str, Any] = {
        PARTITION_KEY: day_key(now.astimezone(timezone.utc).date()),
        SORT_KEY: f"{at}#{secrets.token_hex(4)}",
        "entity": ENTITY, "at": at, "actor": actor, "action": action,
        "records": records, "detail": check_detail(detail),
    }
    return dynamo.put_new(table_name, item)


def write(table: Any, actor: str, action: str, records: list[str], now: datetime,
          detail: dict[str, Any] | None = None) -> None:
    """Append one entry on its own (an action with nothing else to write)."""
    tx = dynamo.Transaction()
    tx.add(entry(table.name, actor, action, records, now, detail))
    dynamo.transact(table.meta.client, tx)


# ------------------------------------------------------------------ reading


def encode_cursor(last_key: dict[str, Any]) -> str:
    return lists.encode_cursor({PARTITION_KEY: last_key[PARTITION_KEY],
                                SORT_KEY: last_key[SORT_KEY]}) or ""


def decode_cursor(cursor: str, day: date) -> dict[str, str]:
    """The ``ExclusiveStartKey`` of ``cursor``; :class:`InvalidCursor` unless it is one
    :func:`read` handed out for ``day``."""
    if not isinstance(cursor, str) or not 0 < len(cursor) <= 512:
        raise InvalidCursor("cursor")
    try:
        key = lists.decode_cursor(cursor, (PARTITION_KEY, SORT_KEY))
    except lists.BadCursor:
        raise InvalidCursor("cursor") from None
    if key[PARTITION_KEY] != day_key(day) or not _SORT.fullmatch(key[SORT_KEY]):
        raise InvalidCursor("cursor")
    return {PARTITION_KEY: key[PARTITION_KEY], SORT_KEY: key[SORT_KEY]}


def _plain(value: Any) -> Any:
    """DynamoDB's Decimals back to ints (entries hold no fractions)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (bool, float)):
        return int(value)
    return value


def public(item: dict[str, Any]) -> dict[str, Any]:
    return {"at": item.get("at"), "actor": item.get("actor"), "action": item.get("action"),
            "records": _plain(list(item.get("records") or [])),
            "detail": _plain(dict(item.get("detail") or {}))}


def read(table: Any, day: date, cursor: str | None, limit: int
         ) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``day``'s entries in time order, and the cursor of the next (or None)."""
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise ValueError(f"limit must be 1 to {MAX_LIMIT}")
    args: dict[str, Any] = {
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        "ExpressionAttributeValues": {":pk": day_key(day)},
        "Limit": int(limit),
        "ConsistentRead": True,
    }
    if cursor:
        args["ExclusiveStartKey"] = decode_cursor(cursor, day)
    page = table.query(**args)
    last = page.get("LastEvaluatedKey")
    return [public(i) for i in page.get("Items", [])], (encode_cursor(last) if last else None)
