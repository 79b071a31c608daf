"""Public aggregates (``GET /stats``), kept up to date on write, read in two queries.

The writers (``store.py``, ``maker_store.py``) append the actions these functions return
to the SAME ``TransactWriteItems`` as the record they change, so a counter moves if and
only if the record does. A read never touches a request or maker item: it queries two
small counter partitions, whose size depends on the catalogue (designs x shards) and on
the distinct end dates of the makers' windows, never on the number of requests.

Counter items (numbers changed with ``ADD``, so an item is created on first use):

=====================  =========================  =========================================
pk                     sk                         attributes
=====================  =========================  =========================================
``STATS#REQUESTS``     ``<design>#<shard>``       ``open#<region>`` open requests naming
                                                  the design, ``qty#<region>`` quantity
                                                  still to deliver, ``dlv#<region>``
                                                  quantity delivered (open or closed)
``STATS#MAKERS``       ``<until>#<design>``       ``makers#<region>``, ``units#<region>``
                                                  of active makers whose window ends that
                                                  day (``9999-12-31``: open-ended)
``STATS#MAKERS``       ``<until>``                ``active``: active makers ending that day
``STATS#MAKERS``       ``withdrawn``              ``count``: makers who withdrew
``STATS#DAYS``         ``<YYYY-MM-DD>#<design>``  ``req#<region>`` quantity requested by the
                       ``#<shard>``               requests created that day, ``dlv#<region>``
                                                  quantity delivered that day (the open-data
                                                  feed, ``feed.py``)
=====================  =========================  =========================================

- Request counters are spread over :data:`SHARDS` items per design (the shard is drawn at
  random per write) so concurrent transactions seldom touch the same item; a read adds
  the shards up. A decrement need not hit the shard of the increment: only sums matter.
- Capacity counters are bucketed by the last day of the window and read with
  ``sk >= today``: a window that has ended is never read again, at midnight exactly,
  without reading maker items and without waiting for TTL. Dated buckets carry
  ``expires_at`` (:data:`BUCKET_RETENTION` after their day) so TTL removes them later.
  ``withdrawn`` starts with a letter, which sorts after every date: always read.
- A maker whose window has not started yet counts from sign-up: it is pledged capacity,
  as the requests it may serve are needs to come (``needed_by`` is in the future too).
- ``makers.active`` counts active makers whose window has not ended.
- Day counters (``STATS#DAYS``) move in the same actions as the request counters
  (:func:`request_changed`): the change of a request's requested and delivered quantities
  is added to the bucket of the day of the write (``today``, UTC), on the same shard
  number. Closing a request changes neither: demand stays on its creation day. They carry
  ``expires_at`` :data:`DAY_RETENTION` after their day, and are read by :func:`read_days`
  with one paginated query of ``sk >= since``.
- One transaction may not touch an item twice: deltas are summed per counter item first,
  and items whose deltas are all zero are left out.

No name, contact, postcode or address is ever written to a counter: only design slugs,
region names (hub.toml's list), dates and numbers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Iterator, Mapping

from .tables import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

REQUESTS_PK = "STATS#REQUESTS"
MAKERS_PK = "STATS#MAKERS"
DAYS_PK = "STATS#DAYS"
WITHDRAWN_SK = "withdrawn"
OPEN_ENDED = "9999-12-31"  # the bucket of windows without an end date
SHARDS = 8
BUCKET_RETENTION = timedelta(days=7)  # after its day, TTL may delete a capacity bucket
DAY_RETENTION = timedelta(days=400)  # the feed reads up to 366 days back
ENTITY = "stats"

# Mirrors store.OPEN_STATUSES (not imported: the store imports this module).
OPEN_STATUSES = ("submitted", "matched", "in_progress")

Action = dict[str, Any]


# ------------------------------------------------------------------ contributions


def _request_counts(item: Mapping[str, Any] | None) -> dict[tuple[str, str], int]:
    """``{(sk_design, attribute): value}`` a request item adds to the counters."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    if not item:
        return counts
    region = str(item.get("region", ""))
    is_open = str(item.get("status", "submitted")) in OPEN_STATUSES
    open_designs: set[str] = set()
    for line in item.get("items") or []:
        design = str(line.get("design", ""))
        quantity = int(line.get("quantity", 0))
        delivered = int(line.get("delivered", 0))
        counts[(design, "dlv#" + region)] += delivered
        if is_open and delivered < quantity:
            counts[(design, "qty#" + region)] += quantity - delivered
            open_designs.add(design)
    for design in open_designs:  # a request counts once per design, whatever its variants
        counts[(design, "open#" + region)] += 1
    return counts


def _day_counts(item: Mapping[str, Any] | None) -> dict[tuple[str, str], int]:
    """``{(design, attribute): value}``: quantities requested and delivered, whatever the
    status (the day counters follow their changes, never the status)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    if not item:
        return counts
    region = str(item.get("region", ""))
    for line in item.get("items") or []:
        design = str(line.get("design", ""))
        counts[(design, "req#" + region)] += int(line.get("quantity", 0))
        counts[(design, "dlv#" + region)] += int(line.get("delivered", 0))
    return counts


def _maker_counts(item: Mapping[str, Any] | None) -> dict[tuple[str, str], int]:
    """``{(sk, attribute): value}`` a maker item adds to the ``STATS#MAKERS`` counters."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    if not item:
        return counts
    status = str(item.get("status", ""))
    if status == "withdrawn":
        counts[(WITHDRAWN_SK, "count")] += 1
        return counts
    if status != "active":
        return counts
    region = str(item.get("region", ""))
    until = (item.get("availability") or {}).get("until") or _day_of(item.get("expires_at"))
    until = str(until)[:10]
    counts[(until, "active")] += 1
    designs: set[str] = set()
    for offer in item.get("offers") or []:
        design = str(offer.get("design", ""))
        designs.add(design)
        counts[(f"{until}#{design}", "units#" + region)] += int(offer.get("units_per_day", 0))
    for design in designs:  # a maker counts once per design, whatever its variants
        counts[(f"{until}#{design}", "makers#" + region)] += 1
    return counts


def _day_of(expires_at: Any) -> str:
    """An open-ended offer counts until its item expires (a year after its last update:
    maker_store.py), after which nothing could ever withdraw it from the counters."""
    if expires_at is None:
        return OPEN_ENDED
    return datetime.fromtimestamp(int(expires_at), timezone.utc).date().isoformat()


def _diff(old: Mapping[tuple[str, str], int],
          new: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """``{sk: {attribute: delta}}`` without zero deltas (nor items left without any)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key in sorted(set(old) | set(new)):
        delta = new.get(key, 0) - old.get(key, 0)
        if delta:
            out[key[0]][key[1]] = delta
    return dict(out)


def _bucket_day(sk: str) -> str | None:
    head = sk.split("#", 1)[0]
    return head if len(head) == 10 and head[4] == "-" and head[7] == "-" else None


def _expires_at(day: str) -> int | None:
    if day == OPEN_ENDED:
        return None
    end = datetime.combine(date.fromisoformat(day), time(23, 59, 59), tzinfo=timezone.utc)
    return int((end + BUCKET_RETENTION).timestamp())


def _update(table_name: str, pk: str, sk: str, deltas: Mapping[str, int],
            expires_at: int | None = None) -> Action:
    names = {"#e": "entity"}
    values: dict[str, Any] = {":e": ENTITY}
    adds = []
    for i, (attribute, delta) in enumerate(sorted(deltas.items())):
        names[f"#a{i}"] = attribute
        values[f":v{i}"] = int(delta)
        adds.append(f"#a{i} :v{i}")
    sets = ["#e = :e"]
    if expires_at is not None:
        names["#x"] = TTL_ATTRIBUTE
        values[":x"] = expires_at
        sets.append("#x = :x")
    return {"Update": {
        "TableName": table_name,
        "Key": {PARTITION_KEY: pk, SORT_KEY: sk},
        "UpdateExpression": "ADD " + ", ".join(adds) + " SET " + ", ".join(sets),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }}


# ------------------------------------------------------------------ write actions


def request_changed(table_name: str, old: Mapping[str, Any] | None,
                    new: Mapping[str, Any] | None, *, shard: int | None = None,
                    today: date | None = None) -> list[Action]:
    """Actions moving the request counters from ``old`` to ``new`` (public request items,
    None for "absent"): one ``Update`` per design whose counters change, all on one shard.
    For progress too (``delivered`` changed by the coordination tools). The day counters
    of ``today`` (default: the UTC date now) get the change of the quantities requested
    and delivered: one ``Update`` per design, on the same shard number."""
    deltas = _diff(_request_counts(old), _request_counts(new))
    day_deltas = _diff(_day_counts(old), _day_counts(new))
    if not deltas and not day_deltas:
        return []
    shard = random.randrange(SHARDS) if shard is None else shard % SHARDS
    actions = [_update(table_name, REQUESTS_PK, f"{design}#{shard:02d}", attrs)
               for design, attrs in sorted(deltas.items())]
    day = (today or datetime.now(timezone.utc).date()).isoformat()
    actions += [_update(table_name, DAYS_PK, f"{day}#{design}#{shard:02d}", attrs,
                        _day_expires_at(day))
                for design, attrs in sorted(day_deltas.items())]
    return actions


def _day_expires_at(day: str) -> int:
    end = datetime.combine(date.fromisoformat(day), time(23, 59, 59), tzinfo=timezone.utc)
    return int((end + DAY_RETENTION).timestamp())


def request_opened(table_name: str, item: Mapping[str, Any], *,
                   shard: int | None = None, today: date | None = None) -> list[Action]:
    """Actions counting a new request (``item``: the public request item being written)."""
    return request_changed(table_name, None, item, shard=shard, today=today)


def request_closed(table_name: str, item: Mapping[str, Any], *, status: str = "closed",
                   shard: int | None = None, today: date | None = None) -> list[Action]:
    """Actions for an open request becoming closed (``item``: its stored public item, still
    open). Its open counts go; its delivered quantities stay. [] if it was not open."""
    return request_changed(table_name, item, {**item, "status": status}, shard=shard,
                           today=today)


def maker_changed(table_name: str, old: Mapping[str, Any] | None,
                  new: Mapping[str, Any] | None, today: date) -> list[Action]:
    """Actions moving the maker counters from ``old`` (stored public item, None on
    sign-up) to ``new`` (new public item; None, or an item with status "withdrawn", on
    withdrawal). Buckets that ended before ``today`` are never read again: not written
    (with one day of margin, so a writer's clock a little ahead of a reader's is harmless).
    """
    if new is None and old is not None and old.get("status") == "active":
        new = {"status": "withdrawn"}
    deltas = _diff(_maker_counts(old), _maker_counts(new))
    floor = (today - timedelta(days=1)).isoformat()
    actions = []
    for sk, attrs in sorted(deltas.items()):
        day = _bucket_day(sk)
        if day is not None and day < floor:
            continue
        actions.append(_update(table_name, MAKERS_PK, sk, attrs,
                               _expires_at(day) if day is not None else None))
    return actions


# ------------------------------------------------------------------ reading


def _query(table: Any, pk: str, since: str | None, consistent: bool) -> Iterator[dict[str, Any]]:
    names = {"#pk": PARTITION_KEY}
    values: dict[str, Any] = {":pk": pk}
    condition = "#pk = :pk"
    if since is not None:
        names["#sk"] = SORT_KEY
        values[":since"] = since
        condition += " AND #sk >= :since"
    kwargs: dict[str, Any] = {"KeyConditionExpression": condition,
                              "ExpressionAttributeNames": names,
                              "ExpressionAttributeValues": values,
                              "ConsistentRead": consistent}
    while True:
        page = table.query(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _numbers(item: Mapping[str, Any]) -> Iterable[tuple[str, str, int]]:
    """``(prefix, region, value)`` of an item's ``<prefix>#<region>`` counters."""
    for name, value in item.items():
        prefix, sep, region = name.partition("#")
        if sep and not isinstance(value, (str, bytes, bool)):
            yield prefix, region, int(value)


def read(table: Any, today: date | None = None, *, now: datetime | None = None,
         consistent: bool = False) -> dict[str, Any]:
    """The ``GET /stats`` body (:class:`answers.Stats`): two paginated queries, no scan.

    Rows whose counts are all zero are left out. ``today`` (default: the UTC date of
    ``now``) decides which capacity buckets still count.
    """
    now = now or datetime.now(timezone.utc)
    today = today or now.astimezone(timezone.utc).date()
    requests: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    slot = {"open": 0, "qty": 1, "dlv": 2}
    for item in _query(table, REQUESTS_PK, None, consistent):
        design = str(item[SORT_KEY]).rsplit("#", 1)[0]
        for prefix, region, value in _numbers(item):
            if prefix in slot:
                requests[(design, region)][slot[prefix]] += value
    capacity: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    active = withdrawn = 0
    for item in _query(table, MAKERS_PK, today.isoformat(), consistent):
        sk = str(item[SORT_KEY])
        if sk == WITHDRAWN_SK:
            withdrawn += int(item.get("count", 0))
        elif "#" in sk:
            design = sk.split("#", 1)[1]
            for prefix, region, value in _numbers(item):
                if prefix in ("makers", "units"):
                    capacity[(design, region)][prefix == "units"] += value
        else:
            active += int(item.get("active", 0))
    rows = {k: v for k, v in requests.items() if any(v)}
    delivered: dict[str, int] = defaultdict(int)
    for (design, _region), v in rows.items():
        delivered[design] += v[2]
    return {
        "generated_at": now.astimezone(timezone.utc).isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "requests": [
            {"design": d, "region": r, "open_requests": v[0], "quantity_open": v[1],
             "quantity_delivered": v[2]}
            for (d, r), v in sorted(rows.items())
        ],
        "capacity": [
            {"design": d, "region": r, "makers": v[0], "units_per_day": v[1]}
            for (d, r), v in sorted(capacity.items()) if v[0] or v[1]
        ],
        "delivered": [{"design": d, "quantity": q} for d, q in sorted(delivered.items())],
        "makers": {"active": active, "withdrawn": withdrawn},
    }


def read_days(table: Any, since: date, today: date, *,
              consistent: bool = False) -> dict[tuple[str, str, str], list[int]]:
    """``{(day, region, design): [requested, delivered, capacity units per day]}`` for the
    days ``since`` to ``today``: two paginated queries (``STATS#DAYS`` and
    ``STATS#MAKERS`` from ``since``), no scan, whatever the number of records.

    Capacity of a day: the units per day of the makers counted now whose window ends on
    or after that day. An approximation (the counters hold today's makers by end date,
    not their history): the start of a window is not kept, so a maker counts from the
    first day of the feed; a maker who withdrew or changed its offers no longer counts on
    the days before; a window that ended before yesterday is no longer updated and goes
    with its bucket's TTL. Exact for today (what ``GET /stats`` says), a lower bound
    for earlier days.
    """
    first, last = since.isoformat(), today.isoformat()
    rows: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    slot = {"req": 0, "dlv": 1}
    for item in _query(table, DAYS_PK, first, consistent):
        sk = str(item[SORT_KEY])
        day, design = sk[:10], sk[11:].rsplit("#", 1)[0]
        if day > last:
            continue  # a writer's clock ahead of ours: tomorrow's, not shown yet
        for prefix, region, value in _numbers(item):
            if prefix in slot:
                rows[(day, region, design)][slot[prefix]] += value
    ends: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in _query(table, MAKERS_PK, first, consistent):
        sk = str(item[SORT_KEY])
        until = _bucket_day(sk)
        if until is None or "#" not in sk:
            continue
        design = sk.split("#", 1)[1]
        for prefix, region, value in _numbers(item):
            if prefix == "units" and value:
                ends[(region, design)][until] += value
    days = [(since + timedelta(days=n)).isoformat() for n in range((today - since).days + 1)]
    for (region, design), by_end in ends.items():
        for day in days:
            units = sum(v for end, v in by_end.items() if end >= day)
            if units:
                rows[(day, region, design)][2] += units
    return {k: v for k, v in sorted(rows.items()) if any(v)}


def counter_items(requests: Iterable[Mapping[str, Any]], makers: Iterable[Mapping[str, Any]],
                  today: date, *, shards: int = 1) -> list[dict[str, Any]]:
    """The counter items the actions would produce for these items, as whole items (for a
    bulk load or a rebuild with ``BatchWriteItem``; request counts spread over ``shards``)."""
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for n, item in enumerate(requests):
        for (design, attribute), value in _request_counts(item).items():
            totals[(REQUESTS_PK, f"{design}#{n % shards:02d}")][attribute] += value
    floor = today.isoformat()
    for item in makers:
        for (sk, attribute), value in _maker_counts(item).items():
            day = _bucket_day(sk)
            if day is None or day >= floor:
                totals[(MAKERS_PK, sk)][attribute] += value
    out = []
    for (pk, sk), attrs in sorted(totals.items()):
        item: dict[str, Any] = {PARTITION_KEY: pk, SORT_KEY: sk, "entity": ENTITY,
                                **{a: v for a, v in attrs.items()}}
        day = _bucket_day(sk) if pk == MAKERS_PK else None
        expires = _expires_at(day) if day else None
        if expires is not None:
            item[TTL_ATTRIBUTE] = expires
        out.append(item)
    return out
