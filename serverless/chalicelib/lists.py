"""The keys that put an item on a coordinator's list (the sparse index ``lists``).

An item is on a list while it carries ``list_pk``/``list_sk``, and leaves it when a write
removes them: a closed or delivered request, a withdrawn site. Listing is one ``Query`` of
the index per list, sorted by ``list_sk``; never a scan.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .tables import LIST_PK, LIST_SK, LISTS_INDEX

OPEN = "OPEN#"    # open requests of a region, sorted by need date
SITES = "SITES#"  # active sites of a region
SITE = "SITE#"    # allocations of one site, sorted by planned day


def open_request(region: str, needed_by: str, reference: str) -> dict[str, str]:
    return {LIST_PK: OPEN + region, LIST_SK: f"{needed_by}#{reference}"}


def site(region: str, maker_id: str) -> dict[str, str]:
    return {LIST_PK: SITES + region, LIST_SK: maker_id}


def site_allocation(maker_id: str, day: str, allocation_id: str) -> dict[str, str]:
    return {LIST_PK: SITE + maker_id, LIST_SK: f"{day}#{allocation_id}"}


REMOVE = f"REMOVE {LIST_PK}, {LIST_SK}"  # an UpdateExpression clause: off every list


class BadCursor(ValueError):
    """A ``cursor`` parameter that is not one this API gave out."""


def encode_cursor(position: dict[str, Any] | None) -> str | None:
    if not position:
        return None
    raw = json.dumps(position, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The query position of ``cursor``; :class:`BadCursor` unless it holds exactly
    string values for ``keys`` (a cursor is the client's input like any other)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError):
        raise BadCursor() from None
    if (not isinstance(position, dict) or set(position) != set(keys)
            or not all(isinstance(v, str) and len(v) <= 300 for v in position.values())):
        raise BadCursor()
    return position


def query(table: Any, list_pk: str, *, limit: int, cursor: dict[str, Any] | None = None,
          begins: str | None = None, forward: bool = True) -> tuple[list[dict[str, Any]],
                                                                   dict[str, Any] | None]:
    """One page of the list ``list_pk``: ``(items, next position or None)``."""
    condition = "#lpk = :lpk"
    names = {"#lpk": LIST_PK}
    values: dict[str, Any] = {":lpk": list_pk}
    if begins:
        condition += " AND begins_with(#lsk, :begins)"
        names["#lsk"] = LIST_SK
        values[":begins"] = begins
    kwargs: dict[str, Any] = {"IndexName": LISTS_INDEX, "KeyConditionExpression": condition,
                              "ExpressionAttributeNames": names,
                              "ExpressionAttributeValues": values, "Limit": limit,
                              "ScanIndexForward": forward}
    if cursor:
        kwargs["ExclusiveStartKey"] = cursor
    page = table.query(**kwargs)
    return page.get("Items", []), page.get("LastEvaluatedKey")


def query_all(table: Any, list_pk: str, *, page_size: int = 200,
              maximum: int = 2000) -> list[dict[str, Any]]:
    """Every item of a short list (a site's allocations), at most ``maximum``."""
    items: list[dict[str, Any]] = []
    position = None
    while len(items) < maximum:
        page, position = query(table, list_pk, limit=page_size, cursor=position)
        items.extend(page)
        if not position:
            break
    return items[:maximum]
