"""Public aggregates (``GET /stats``): read from the ``by_listing`` index, which holds only
public request and maker items and projects only status, region, items, offers and kind.
No name, contact, postcode or address can reach an answer: they are not in the index.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Iterator

from .store import OPEN_STATUSES, utc_iso
from .tables import LISTING_ATTRIBUTE, LISTING_INDEX

_CACHE: dict[str, tuple[float, dict[str, Any]]] = {}


def _listing(table: Any, kind: str) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"IndexName": LISTING_INDEX,
                              "KeyConditionExpression": "#l = :kind",
                              "ExpressionAttributeNames": {"#l": LISTING_ATTRIBUTE},
                              "ExpressionAttributeValues": {":kind": kind}}
    while True:
        page = table.query(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def compute(table: Any, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    requests: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    delivered: dict[str, int] = defaultdict(int)
    for item in _listing(table, "request"):
        region = str(item.get("region", ""))
        is_open = item.get("status") in OPEN_STATUSES
        for line in item.get("items") or []:
            design = str(line.get("design", ""))
            quantity = int(line.get("quantity", 0))
            done = int(line.get("delivered", 0))
            delivered[design] += done
            row = requests[(design, region)]
            row[2] += done
            if is_open and done < quantity:
                row[0] += 1
                row[1] += quantity - done
    capacity: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [set(), 0])
    active = withdrawn = 0
    for item in _listing(table, "maker"):
        if item.get("status") != "active":
            withdrawn += 1
            continue
        active += 1
        region = str(item.get("region", ""))
        for offer in item.get("offers") or []:
            row = capacity[(str(offer.get("design", "")), region)]
            row[0].add(str(item.get("pk")))
            row[1] += int(offer.get("units_per_day", 0))
    return {
        "generated_at": utc_iso(now),
        "requests": [
            {"design": d, "region": r, "open_requests": v[0], "quantity_open": v[1],
             "quantity_delivered": v[2]}
            for (d, r), v in sorted(requests.items())
        ],
        "capacity": [
            {"design": d, "region": r, "makers": len(v[0]), "units_per_day": v[1]}
            for (d, r), v in sorted(capacity.items())
        ],
        "delivered": [{"design": d, "quantity": q} for d, q in sorted(delivered.items())],
        "makers": {"active": active, "withdrawn": withdrawn},
    }


def cached(table: Any, max_age: float) -> dict[str, Any]:
    """:func:`compute`, reused for ``max_age`` seconds per table (0: always fresh)."""
    hit = _CACHE.get(table.name)
    if max_age > 0 and hit and time.monotonic() - hit[0] < max_age:
        return hit[1]
    value = compute(table)
    _CACHE[table.name] = (time.monotonic(), value)
    return value
