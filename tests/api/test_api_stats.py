"""GET /stats from counters kept in the writers' transactions (chalicelib/stats.py).

Every scenario runs on moto and on DynamoDB Local (the ``engine`` fixture): the actions are
applied through real ``TransactWriteItems`` next to the record they belong to, and
``stats.read`` must equal a brute-force aggregation of the same records (:func:`oracle`).
The items are built here, put_new-style, independent of the stores.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from datetime import datetime, time, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from api_helpers import body_of
from chalicelib import stats, tables
from chalicelib.answers import Stats

TODAY = datetime.now(timezone.utc).date()
REGIONS = ("Northshire", "Eastmarch", "Westmoor", "Rivermouth")
DESIGNS = ("visor-headband", "ear-saver", "face-shield")
OPEN = ("submitted", "matched", "in_progress")


# ------------------------------------------------------------------ the oracle


def oracle(requests, makers, today):
    """The GET /stats body (without generated_at), counted the slow, obvious way."""
    rows = []
    for design in sorted({line["design"] for r in requests for line in r["items"]}):
        for region in sorted({r["region"] for r in requests}):
            mine = [r for r in requests if r["region"] == region]
            lines = [(r, line) for r in mine for line in r["items"] if line["design"] == design]
            open_requests = sum(
                1 for r in mine if r["status"] in OPEN and any(
                    line["design"] == design and line["delivered"] < line["quantity"]
                    for line in r["items"]))
            quantity_open = sum(line["quantity"] - line["delivered"] for r, line in lines
                                if r["status"] in OPEN and line["delivered"] < line["quantity"])
            delivered = sum(line["delivered"] for _r, line in lines)
            if open_requests or quantity_open or delivered:
                rows.append({"design": design, "region": region, "open_requests": open_requests,
                             "quantity_open": quantity_open, "quantity_delivered": delivered})
    live = [m for m in makers if m["status"] == "active" and last_day(m) >= today.isoformat()]
    capacity = []
    for design in sorted({o["design"] for m in live for o in m["offers"]}):
        for region in sorted({m["region"] for m in live}):
            offering = [m for m in live if m["region"] == region
                        and any(o["design"] == design for o in m["offers"])]
            if offering:
                capacity.append({"design": design, "region": region, "makers": len(offering),
                                 "units_per_day": sum(o["units_per_day"] for m in offering
                                                      for o in m["offers"]
                                                      if o["design"] == design)})
    designs = sorted({row["design"] for row in rows})
    return {
        "requests": rows,
        "capacity": capacity,
        "delivered": [{"design": d, "quantity": sum(r["quantity_delivered"] for r in rows
                                                    if r["design"] == d)} for d in designs],
        "makers": {"active": len(live),
                   "withdrawn": sum(1 for m in makers if m["status"] == "withdrawn")},
    }


def without_time(body):
    return {k: v for k, v in body.items() if k != "generated_at"}


# ------------------------------------------------------------------ items and writers


def request_item(region, lines, status="submitted"):
    ref = "R-" + uuid.uuid4().hex[:8].upper()
    return {"pk": "REQUEST#" + ref, "sk": "REQUEST", "entity": "request", "reference": ref,
            "status": status, "region": region,
            "organization": {"name": "CHU secret-org", "type": "hospital"},
            "postcode": "14999", "token_hash": "h" * 64,
            "items": [{"design": d, "variant": v, "quantity": q, "allocated": 0, "delivered": dl}
                      for d, v, q, dl in lines]}


def last_day(maker) -> str:
    """The last day a maker's capacity counts: its window's end, else its item's expiry."""
    if maker["availability"].get("until"):
        return maker["availability"]["until"]
    if maker.get("expires_at") is not None:
        return datetime.fromtimestamp(int(maker["expires_at"]), timezone.utc).date().isoformat()
    return "9999-12-31"


def maker_item(region, offers, until=None, start=None, status="active"):
    mid = "M-" + uuid.uuid4().hex[:8].upper()
    return {"pk": "MAKER#" + mid, "sk": "MAKER", "entity": "maker", "id": mid, "status": status,
            "maker_kind": "fablab", "region": region,
            "offers": [{"design": d, "variant": "m", "units_per_day": u} for d, u in offers],
            "availability": {"from": (start or TODAY).isoformat(),
                             "until": until.isoformat() if until else None},
            "token_hash": "h" * 64}


def put_new(table_name, item):
    return {"Put": {"TableName": table_name, "Item": item,
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": "pk"}}}


def put_if_version(table_name, item, version):
    """The record's write, conditioned on the stored item being the one the counters'
    deltas were computed from: a concurrent change (or a blind replay) cancels it all."""
    return {"Put": {"TableName": table_name, "Item": item,
                    "ConditionExpression": "#v = :v",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":v": version}}}


def reasons_of(exc):
    reasons = [str(r.get("Code")) for r in exc.response.get("CancellationReasons") or []]
    message = exc.response.get("Error", {}).get("Message", "")
    return reasons or [part.strip() for part in message[message.rfind("[") + 1:-1].split(",")]


def plain(value):
    """A stored item back as plain Python (Decimal -> int), as a store would pass it."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return int(value) if hasattr(value, "as_integer_ratio") and not isinstance(value, bool) \
        else value


class World:
    """The records as the stores would hold them, written with the counters' actions.

    Each change reads the stored item, computes the new one and the counters' actions,
    and writes both in one transaction conditioned on the stored version; a
    ConditionalCheckFailed (changed meanwhile) re-reads and recomputes, a
    TransactionConflict retries. ``inject`` (0..1): the share of transactions refused
    with AWS's TransactionConflict answer before they are sent (DynamoDB Local never
    reports conflicts: it runs transactions one at a time)."""

    def __init__(self, table, shard=None, inject=0.0, seed=0):
        self.table = table
        self.name = table.name
        self.requests: dict[str, dict] = {}  # last known versions (to pick references)
        self.makers: dict[str, dict] = {}
        self.shard = shard
        self.inject = inject
        self.rng = random.Random(seed)
        self.conflicts = self.stale = 0

    def transact(self, actions):
        """The caller's retry on TransactionConflict (what the stores do)."""
        for attempt in range(50):
            try:
                if self.rng.random() < self.inject:
                    raise ClientError({"Error": {
                        "Code": "TransactionCanceledException",
                        "Message": "Transaction cancelled, please refer cancellation reasons "
                                   "for specific reasons [TransactionConflict]"},
                        "CancellationReasons": [{"Code": "TransactionConflict"}]},
                        "TransactWriteItems")
                self.table.meta.client.transact_write_items(TransactItems=actions)
                return
            except ClientError as exc:
                if "TransactionConflict" in reasons_of(exc):
                    self.conflicts += 1
                    threading.Event().wait(0.002 * (attempt + 1) * self.rng.random())
                    continue
                raise
        raise AssertionError("still conflicting after 50 attempts")

    def _change(self, key, make_new, counters):
        for _ in range(50):
            current = plain(self.table.get_item(Key=key, ConsistentRead=True)["Item"])
            new = {**make_new(current), "version": current["version"] + 1}
            try:
                self.transact([put_if_version(self.name, new, current["version"]),
                               *counters(current, new)])
                return new
            except ClientError as exc:
                if "ConditionalCheckFailed" in reasons_of(exc):
                    self.stale += 1  # changed meanwhile: read again
                    continue
                raise
        raise AssertionError("still stale after 50 attempts")

    def open(self, region, lines):
        item = {**request_item(region, lines), "version": 0}
        self.transact([put_new(self.name, item),
                       *stats.request_opened(self.name, item, shard=self.shard)])
        self.requests[item["reference"]] = item
        return item

    def close(self, ref, status="closed"):
        def counters(current, new):
            return stats.request_closed(self.name, current, status=status, shard=self.shard)

        self.requests[ref] = self._change(_key(self.requests[ref]),
                                          lambda cur: {**cur, "status": status}, counters)

    def deliver(self, ref, line, quantity):
        def make_new(current):
            lines = [dict(x) for x in current["items"]]
            lines[line]["delivered"] = min(lines[line]["quantity"],
                                           lines[line]["delivered"] + quantity)
            return {**current, "items": lines,
                    "status": "in_progress" if current["status"] in OPEN else current["status"]}

        self.requests[ref] = self._change(
            _key(self.requests[ref]), make_new,
            lambda cur, new: stats.request_changed(self.name, cur, new, shard=self.shard))

    def sign_up(self, region, offers, until=None, start=None, today=TODAY):
        item = {**maker_item(region, offers, until, start), "version": 0}
        self.transact([put_new(self.name, item), *stats.maker_changed(self.name, None, item, today)])
        self.makers[item["id"]] = item
        return item

    def update(self, mid, offers=None, region=None, until="same", today=TODAY):
        def make_new(old):
            if old["status"] != "active":
                return old  # withdrawn meanwhile: nothing to change (no counter moves)
            new = {**old, "region": region or old["region"]}
            if offers is not None:
                new["offers"] = [{"design": d, "variant": "m", "units_per_day": u}
                                 for d, u in offers]
            if until != "same":
                new["availability"] = {**old["availability"],
                                       "until": until.isoformat() if until else None}
            return new

        self.makers[mid] = self._change(
            _key(self.makers[mid]), make_new,
            lambda old, new: stats.maker_changed(self.name, old, new, today))

    def withdraw(self, mid, today=TODAY):
        def make_new(old):
            if old["status"] != "active":
                return old
            return {"pk": old["pk"], "sk": "MAKER", "entity": "maker", "id": mid,
                    "status": "withdrawn", "region": old["region"]}

        self.makers[mid] = self._change(
            _key(self.makers[mid]), make_new,
            lambda old, new: stats.maker_changed(
                self.name, old, None if old["status"] == "active" else new, today))

    def stored(self, prefix):
        """The records actually in the table (a scan: the test's, never the app's)."""
        items, kwargs = [], {"ConsistentRead": True}
        while True:
            page = self.table.scan(**kwargs)
            items += [plain(i) for i in page["Items"] if i["pk"].startswith(prefix)]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def expected(self, today=TODAY):
        return oracle(self.stored("REQUEST#"), self.stored("MAKER#"), today)

    def check(self, today=TODAY):
        body = stats.read(self.table, today, consistent=True)
        Stats.model_validate(body)
        assert without_time(body) == self.expected(today)
        return body


def _key(item):
    return {"pk": item["pk"], "sk": item["sk"]}


# ------------------------------------------------------------------ engines


@pytest.fixture(scope="module")
def local_resource(dynamodb_endpoint):
    return tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG)


@pytest.fixture
def local_table(local_resource):
    name = f"usine-stats-{uuid.uuid4().hex[:8]}"
    tables.ensure_table(local_resource.meta.client, name)
    yield local_resource.Table(name)
    local_resource.meta.client.delete_table(TableName=name)


@pytest.fixture(params=["moto", "dynamodb_local"])
def engine(request):
    """A fresh table on moto, then on DynamoDB Local."""
    fixture = "table" if request.param == "moto" else "local_table"
    return request.getfixturevalue(fixture)


# ------------------------------------------------------------------ the actions themselves


def test_actions_touch_each_item_once_and_add_numbers_only():
    item = request_item("Northshire", [("visor-headband", "s", 100, 0),
                                     ("visor-headband", "m", 50, 20),
                                     ("ear-saver", "m", 10, 0)])
    actions = stats.request_opened("t", item, shard=3, today=TODAY)
    keys = [(a["Update"]["Key"]["pk"], a["Update"]["Key"]["sk"]) for a in actions]
    day = TODAY.isoformat()
    assert keys == [("STATS#REQUESTS", "ear-saver#03"), ("STATS#REQUESTS", "visor-headband#03"),
                    ("STATS#DAYS", f"{day}#ear-saver#03"),
                    ("STATS#DAYS", f"{day}#visor-headband#03")]
    daily = actions[3]["Update"]
    assert {daily["ExpressionAttributeNames"][k]: daily["ExpressionAttributeValues"][":v" + k[2:]]
            for k in daily["ExpressionAttributeNames"] if k.startswith("#a")} == {
        "req#Northshire": 150, "dlv#Northshire": 20}
    visor = actions[1]["Update"]
    assert visor["UpdateExpression"].startswith("ADD ")
    named = {visor["ExpressionAttributeNames"][k]: visor["ExpressionAttributeValues"][":v" + k[2:]]
             for k in visor["ExpressionAttributeNames"] if k.startswith("#a")}
    # Two variants of one design: one open request, both remaining quantities.
    assert named == {"open#Northshire": 1, "qty#Northshire": 130, "dlv#Northshire": 20}
    text = repr(actions)
    for secret in ("secret-org", "14999", "h" * 64, item["reference"]):
        assert secret not in text
    # Closing an item that is not open, or a change that moves nothing: no action at all.
    assert stats.request_closed("t", {**item, "status": "closed"}) == []
    assert stats.maker_changed("t", None, None, TODAY) == []
    maker = maker_item("Eastmarch", [("ear-saver", 5)], until=TODAY + timedelta(days=3))
    assert stats.maker_changed("t", maker, {**maker, "maker_kind": "school"}, TODAY) == []


def test_shards_are_drawn_at_random_within_range():
    item = request_item("Eastmarch", [("ear-saver", "m", 1, 0)])
    sks = {stats.request_opened("t", item)[0]["Update"]["Key"]["sk"] for _ in range(400)}
    assert sks == {f"ear-saver#{n:02d}" for n in range(stats.SHARDS)}


def test_maker_moving_bucket_and_design_updates_each_item_once():
    old = maker_item("Eastmarch", [("ear-saver", 5), ("ear-saver", 7), ("visor-headband", 1)],
                     until=TODAY + timedelta(days=3))
    new = {**old, "offers": [{"design": "ear-saver", "units_per_day": 2}],
           "availability": {"from": TODAY.isoformat(), "until": None}}
    actions = stats.maker_changed("t", old, new, TODAY)
    keys = [a["Update"]["Key"]["sk"] for a in actions]
    end = (TODAY + timedelta(days=3)).isoformat()
    assert keys == [end, f"{end}#ear-saver", f"{end}#visor-headband",
                    "9999-12-31", "9999-12-31#ear-saver"]
    assert len(set(keys)) == len(keys)
    dated = [a for a in actions if a["Update"]["Key"]["sk"].startswith(end)]
    assert all(":x" in a["Update"]["ExpressionAttributeValues"] for a in dated)
    undated = [a for a in actions if a["Update"]["Key"]["sk"].startswith("9999")]
    assert all(":x" not in a["Update"]["ExpressionAttributeValues"] for a in undated)


# ------------------------------------------------------------------ scenarios, both engines


def test_requests_open_close_deliver_match_the_oracle(engine):
    world = World(engine)
    a = world.open("Northshire", [("visor-headband", "s", 200, 0), ("visor-headband", "m", 50, 0)])
    b = world.open("Northshire", [("visor-headband", "m", 30, 0), ("ear-saver", "m", 10, 0)])
    c = world.open("Eastmarch", [("face-shield", "m", 5, 0)])
    body = world.check()
    assert body["requests"][2] == {"design": "visor-headband", "region": "Northshire",
                                   "open_requests": 2, "quantity_open": 280,
                                   "quantity_delivered": 0}
    world.deliver(a["reference"], 0, 120)
    world.deliver(b["reference"], 1, 10)  # ear-saver fully delivered: no longer open for it
    world.check()
    world.close(a["reference"])  # its open counts go, its 120 delivered stay
    world.close(c["reference"], "expired")
    body = world.check()
    assert {"design": "visor-headband", "quantity": 120} in body["delivered"]
    assert [r for r in body["requests"] if r["design"] == "face-shield"] == []


def test_maker_update_withdrawal_and_expiry_match_the_oracle(engine):
    world = World(engine)
    short = world.sign_up("Eastmarch", [("ear-saver", 100), ("visor-headband", 40)],
                          until=TODAY + timedelta(days=2))
    forever = world.sign_up("Eastmarch", [("visor-headband", 10)])
    later = world.sign_up("Westmoor", [("face-shield", 3)], start=TODAY + timedelta(days=20),
                          until=TODAY + timedelta(days=40))
    body = world.check()
    assert body["capacity"][2] == {"design": "visor-headband", "region": "Eastmarch", "makers": 2,
                                   "units_per_day": 50}
    assert body["makers"] == {"active": 3, "withdrawn": 0}  # not started yet: counted
    # An update subtracts the old offers and adds the new ones (another region, too).
    world.update(forever["id"], offers=[("visor-headband", 15), ("ear-saver", 1)],
                 region="Northshire")
    world.update(short["id"], until=TODAY + timedelta(days=5))
    world.check()
    world.update(short["id"], until=TODAY + timedelta(days=2))
    world.withdraw(later["id"])
    world.check()
    # The window of `short` ends on day +2: counted that day, gone the day after.
    for days in (1, 2, 3, 30, 365):
        world.check(TODAY + timedelta(days=days))
    assert world.check(TODAY + timedelta(days=3))["makers"] == {"active": 1, "withdrawn": 1}
    # Withdrawing well after the window ended writes no expired bucket (one day of margin
    # for clocks), and counts the withdrawal.
    later_day = TODAY + timedelta(days=5)
    actions = stats.maker_changed(engine.name, world.makers[short["id"]], None, later_day)
    assert [a["Update"]["Key"]["sk"] for a in actions] == ["withdrawn"]
    world.withdraw(short["id"], today=later_day)
    assert world.check(later_day)["makers"] == {"active": 1, "withdrawn": 2}


def test_random_history_matches_the_oracle(engine):
    rng = random.Random(11)
    world = World(engine)
    for step in range(120):
        choice = rng.random()
        open_refs = [r for r, i in world.requests.items() if i["status"] in OPEN]
        active = [m for m, i in world.makers.items() if i["status"] == "active"]
        if choice < 0.4 or not open_refs:
            lines = [(d, rng.choice("sml"), rng.randint(1, 500), 0)
                     for d in rng.sample(DESIGNS, rng.randint(1, 3))]
            world.open(rng.choice(REGIONS), lines)
        elif choice < 0.55:
            world.close(rng.choice(open_refs), rng.choice(["closed", "expired"]))
        elif choice < 0.7:
            ref = rng.choice(open_refs)
            world.deliver(ref, rng.randrange(len(world.requests[ref]["items"])),
                          rng.randint(1, 300))
        elif choice < 0.82 or not active:
            until = rng.choice([None, TODAY + timedelta(days=rng.randint(0, 60))])
            world.sign_up(rng.choice(REGIONS),
                          [(d, rng.randint(1, 99)) for d in rng.sample(DESIGNS, rng.randint(1, 3))],
                          until=until)
        elif choice < 0.94:
            world.update(rng.choice(active),
                         offers=[(rng.choice(DESIGNS), rng.randint(1, 99))
                                 for _ in range(rng.randint(1, 3))],
                         region=rng.choice(REGIONS),
                         until=rng.choice(["same", None, TODAY + timedelta(days=rng.randint(0, 60))]))
        else:
            world.withdraw(rng.choice(active))
        if step % 20 == 19:
            world.check()
    for days in (0, 1, 7, 30, 61):
        world.check(TODAY + timedelta(days=days))


def test_a_cancelled_transaction_moves_no_counter(engine):
    world = World(engine)
    first = world.open("Northshire", [("visor-headband", "m", 10, 0)])
    before = world.check()
    clash = {**request_item("Northshire", [("visor-headband", "m", 99, 0)]),
             "pk": first["pk"]}  # an existing reference: the put's condition fails
    with pytest.raises(ClientError) as caught:
        engine.meta.client.transact_write_items(TransactItems=[
            put_new(engine.name, clash), *stats.request_opened(engine.name, clash)])
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert without_time(stats.read(engine, TODAY, consistent=True)) == without_time(before)


def test_expired_buckets_stay_in_the_table_unread_and_carry_a_ttl(engine):
    world = World(engine)
    maker = world.sign_up("Southdale", [("ear-saver", 7)], until=TODAY)
    assert world.check(TODAY)["capacity"] == [{"design": "ear-saver", "region": "Southdale",
                                               "makers": 1, "units_per_day": 7}]
    assert world.check(TODAY + timedelta(days=1))["capacity"] == []
    # Nothing was deleted (no TTL needed for the answer), and TTL will clean up later.
    items = engine.query(KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": stats.MAKERS_PK},
                         ConsistentRead=True)["Items"]
    bucket = {i["sk"]: i for i in items}[f"{TODAY.isoformat()}#ear-saver"]
    end = datetime.combine(TODAY, datetime.max.time(), tzinfo=timezone.utc)
    assert int(bucket[tables.TTL_ATTRIBUTE]) > end.timestamp()
    assert int(bucket[tables.TTL_ATTRIBUTE]) <= (end + stats.BUCKET_RETENTION).timestamp()
    assert maker["status"] == "active"


def test_no_personal_value_reaches_a_counter(engine):
    world = World(engine)
    world.open("Northshire", [("visor-headband", "m", 10, 0)])
    world.sign_up("Eastmarch", [("ear-saver", 7)], until=TODAY + timedelta(days=3))
    for pk in (stats.REQUESTS_PK, stats.MAKERS_PK):
        items = engine.query(KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": pk})["Items"]
        text = repr(items)
        for secret in ("secret-org", "14999", "h" * 64, "REQUEST#", "MAKER#"):
            assert secret not in text


# ------------------------------------------------------------------ a bounded read


class CountingTable:
    """A Table wrapper counting calls and items; ``limit`` forces small pages."""

    def __init__(self, table, limit=None):
        self.table, self.limit, self.calls, self.items = table, limit, Counter(), 0

    def query(self, **kwargs):
        self.calls["query"] += 1
        if self.limit:
            kwargs["Limit"] = self.limit
        page = self.table.query(**kwargs)
        self.items += len(page.get("Items", []))
        return page

    def __getattr__(self, name):  # scan, get_item...: counted, then refused
        self.calls[name] += 1
        raise AssertionError(f"stats.read called {name}")


def test_read_is_a_bounded_number_of_queries_whatever_the_number_of_requests(local_table):
    table = local_table
    world = World(table)
    rng = random.Random(3)
    seen = []
    for total in (30, 300):
        while len(world.requests) < total:
            world.open(rng.choice(REGIONS), [(rng.choice(DESIGNS), "m", rng.randint(1, 9), 0)])
        counting = CountingTable(table)
        assert without_time(stats.read(counting, TODAY)) == world.expected()
        seen.append((dict(counting.calls), counting.items))
    assert seen[0][0] == seen[1][0] == {"query": 2}
    # At most designs x shards request counter items, whatever the number of requests.
    assert seen[1][1] <= len(DESIGNS) * stats.SHARDS
    assert seen[0][1] <= seen[1][1]


def test_read_follows_pages(engine):
    world = World(engine)
    for n in range(12):
        world.open(REGIONS[n % 4], [(DESIGNS[n % 3], "m", n + 1, 0)])
        world.sign_up(REGIONS[n % 4], [(DESIGNS[n % 3], n + 1)], until=TODAY + timedelta(days=n))
    counting = CountingTable(engine, limit=2)
    assert without_time(stats.read(counting, TODAY)) == world.expected()
    assert counting.calls["query"] > 2


# ------------------------------------------------------------------ concurrent writers


@pytest.mark.parametrize("shard, inject", [(None, 0.0), (0, 0.25)],
                         ids=["random-shards", "one-shard-injected-conflicts"])
def test_concurrent_writers_leave_exact_counters(local_table, shard, inject):
    """8 threads x 25 transactions on DynamoDB Local: requests opened, delivered, closed;
    makers signed up, and 4 shared makers updated and withdrawn by every thread. Callers
    retry TransactionConflict and re-read on ConditionalCheckFailed: the counters equal
    the brute-force count of the records stored in the table, exactly."""
    setup = World(local_table)
    shared = [setup.sign_up(REGIONS[n], [(DESIGNS[n % 3], 10)],
                            until=TODAY + timedelta(days=n)) for n in range(4)]
    totals = Counter()
    errors = []
    lock = threading.Lock()

    def writer(n):
        rng = random.Random(n)
        mine = World(local_table, shard=shard, inject=inject, seed=n)
        mine.makers.update({m["id"]: m for m in shared})
        try:
            for i in range(25):
                step = i % 5
                open_refs = [r for r, v in mine.requests.items() if v["status"] in OPEN]
                if step == 0 or not open_refs:  # every thread on the same hot design/region
                    mine.open("Northshire", [("visor-headband", "m", rng.randint(1, 50), 0),
                                           (rng.choice(DESIGNS[1:]), "s", 1, 0)])
                elif step == 1:
                    mine.deliver(rng.choice(open_refs), 0, rng.randint(1, 30))
                elif step == 2:
                    mine.close(rng.choice(open_refs))
                elif step == 3:
                    mine.update(rng.choice(shared)["id"],
                                offers=[(rng.choice(DESIGNS), rng.randint(1, 20))],
                                region=rng.choice(REGIONS),
                                until=rng.choice([None, TODAY + timedelta(days=2)]))
                elif i == 24 and n < 2:
                    mine.withdraw(shared[n]["id"])
                else:
                    mine.sign_up("Northshire", [("visor-headband", rng.randint(1, 9))],
                                 until=rng.choice([None, TODAY + timedelta(days=3)]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        with lock:
            totals.update(conflicts=mine.conflicts, stale=mine.stale)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    body = setup.check()
    for days in (1, 3, 4):
        setup.check(TODAY + timedelta(days=days))
    stored = setup.stored("REQUEST#")
    assert len(stored) >= 8 * 5
    hot = next(r for r in body["requests"] if r["design"] == "visor-headband")
    assert hot["open_requests"] == sum(
        1 for r in stored if r["status"] in OPEN and r["items"][0]["delivered"] < r["items"][0]["quantity"])
    assert body["makers"]["withdrawn"] == 2
    if inject:
        assert totals["conflicts"] > 0  # the retry path was taken, and stayed exact
    print(f"shard={shard} inject={inject}: {dict(totals)}")


# ------------------------------------------------------------------ the route


def test_route_answers_the_counters_with_cache_control(client, table):
    world = World(table)
    world.open("Northshire", [("visor-headband", "m", 10, 0)])
    world.sign_up("Eastmarch", [("ear-saver", 7)], until=TODAY + timedelta(days=3))
    response = client.http.get("/stats")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=30"
    body = body_of(response)
    Stats.model_validate(body)
    assert without_time(body) == world.expected()
    world.open("Northshire", [("visor-headband", "m", 5, 0)])
    # No per-container cache: the next call sees the new request at once.
    assert body_of(client.http.get("/stats"))["requests"][0]["quantity_open"] == 15


def test_counter_items_equal_what_the_transactions_produce(engine):
    """The bulk form (scripts/bench_stats.py, a rebuild) gives the same answer."""
    world = World(engine)
    rng = random.Random(5)
    for _ in range(30):
        world.open(rng.choice(REGIONS), [(rng.choice(DESIGNS), "m", rng.randint(1, 9), 0)])
    for _ in range(6):
        world.sign_up(rng.choice(REGIONS), [(rng.choice(DESIGNS), 3)],
                      until=rng.choice([None, TODAY + timedelta(days=2)]))
    world.close(next(iter(world.requests)))
    world.withdraw(next(iter(world.makers)))
    expected = without_time(stats.read(engine, TODAY, consistent=True))
    assert expected == world.expected()
    with engine.batch_writer() as batch:  # drop the counters, then load the bulk form
        for pk in (stats.REQUESTS_PK, stats.MAKERS_PK):
            for item in engine.query(KeyConditionExpression="pk = :p",
                                     ExpressionAttributeValues={":p": pk})["Items"]:
                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    assert without_time(stats.read(engine, TODAY, consistent=True))["requests"] == []
    with engine.batch_writer() as batch:
        for item in stats.counter_items(world.requests.values(), world.makers.values(), TODAY,
                                        shards=4):
            batch.put_item(Item=item)
    assert without_time(stats.read(engine, TODAY, consistent=True)) == expected


def test_an_open_ended_maker_counts_until_its_item_expires(table):
    """An open-ended sign-up's item expires a year after its last update; after that no
    route can withdraw it, so its capacity must stop counting by itself."""
    maker = maker_item("Eastmarch", [("ear-saver", 9)])
    maker["expires_at"] = int(datetime.combine(TODAY + timedelta(days=365), time(12),
                                               tzinfo=timezone.utc).timestamp())
    table.meta.client.transact_write_items(TransactItems=[
        put_new(table.name, maker), *stats.maker_changed(table.name, None, maker, TODAY)])
    for days, counted in ((0, 9), (365, 9), (366, 0)):
        read = stats.read(table, TODAY + timedelta(days=days), consistent=True)
        assert sum(c["units_per_day"] for c in read["capacity"]) == counted, days
