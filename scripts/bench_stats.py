"""Benchmark of ``GET /stats`` against the number of stored requests, on loopback only.

    .venv/bin/python scripts/bench_stats.py [--sizes 10000 100000] [--calls 200] [--old]

One DynamoDB Local (in memory, a free port), two tables: one with 10,000 and one with
100,000 public request items (plus 500 makers each), loaded with ``BatchWriteItem``; the
counters ``GET /stats`` reads are written in bulk from the same items
(``stats.counter_items``: what the writers' transactions produce, checked against them by
``tests/api/test_api_stats.py``). Each table's item count is checked with a COUNT scan
(the bench's, never the app's), and its answer against the items.

``GET /stats`` goes through the app in-process (``chalice.test.Client``: routing,
middleware, the two queries, JSON), the route's table switched between the two tables
call by call in a random order, so both sizes share the same noise; p50 and p90 over
``--calls`` calls each after 20 warm-up rounds. Also the queries and items ``stats.read``
needs at each size (a counting wrapper of the table).

With ``--old``: the tables also carry the former ``by_listing`` index (``listing`` on
request and maker items), and the former read (every item through the index) is timed
over ``--old-calls`` calls (3) at each size, for comparison. Loading is slower then.

Progress goes to stderr; one JSON line to stdout at the end. Exit 1 if the ratio > 1.2.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SERVERLESS = REPO / "serverless"
for extra in (HERE, SERVERLESS, REPO / "tests" / "api"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import dynamodb_local  # noqa: E402
from ports import free_port  # noqa: E402

DESIGNS = ("visor-headband", "ear-saver", "face-shield", "mask-frame", "door-opener",
           "swab-holder")
REGIONS = ("Northshire", "Eastmarch", "Westmoor", "Southdale", "Rivermouth")
MAKERS = 500
OLD_INDEX = {"IndexName": "by_listing",
             "KeySchema": [{"AttributeName": "listing", "KeyType": "HASH"},
                           {"AttributeName": "created_at", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "INCLUDE",
                            "NonKeyAttributes": ["status", "region", "items", "offers",
                                                 "maker_kind"]}}


_T0 = time.perf_counter()


def log(*args: object) -> None:
    print(f"[{time.perf_counter() - _T0:5.0f} s]", *args, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def request_item(n: int, rng: random.Random, now: datetime, old: bool) -> dict:
    """A public request item as the store writes it (no personal data)."""
    ref = f"R-B{n:07d}"
    lines = [{"design": d, "variant": rng.choice("sml"), "quantity": rng.randint(1, 500),
              "allocated": 0, "delivered": 0}
             for d in rng.sample(DESIGNS, rng.choice((1, 1, 1, 2, 3)))]
    status = "submitted"
    if rng.random() < 0.2:  # some progress, some closed: every counter moves
        lines[0]["delivered"] = rng.randint(0, lines[0]["quantity"])
        status = "in_progress"
    if rng.random() < 0.15:
        status = rng.choice(("closed", "expired"))
    stamp = (now - timedelta(seconds=n)).isoformat(timespec="seconds").replace("+00:00", "Z")
    item = {"pk": "REQUEST#" + ref, "sk": "REQUEST", "entity": "request", "schema": 2,
            "reference": ref, "status": status,
            "organization": {"name": "Bench org", "type": "hospital"},
            "region": rng.choice(REGIONS), "postcode": "14000", "items": lines,
            "needed_by": "2099-01-01", "linked_to": [], "repeats": [],
            "created_at": stamp, "updated_at": stamp, "token_hash": "0" * 64}
    if old:
        item["listing"] = "request"
    return item


def maker_item(n: int, rng: random.Random, now: datetime, old: bool) -> dict:
    until = rng.choice([None, (now.date() + timedelta(days=rng.randint(-10, 60))).isoformat()])
    item = {"pk": f"MAKER#M-B{n:07d}", "sk": "MAKER", "entity": "maker", "id": f"M-B{n:07d}",
            "status": "withdrawn" if rng.random() < 0.1 else "active", "maker_kind": "fablab",
            "region": rng.choice(REGIONS),
            "offers": [{"design": d, "variant": "m", "units_per_day": rng.randint(1, 100)}
                       for d in rng.sample(DESIGNS, rng.randint(1, 3))],
            "availability": {"from": now.date().isoformat(), "until": until},
            "created_at": "2026-01-01T00:00:00Z", "token_hash": "0" * 64}
    if old:
        item["listing"] = "maker"
    return item


def batch_put(client, table: str, items: list[dict], threads: int = 4) -> None:
    """BatchWriteItem in chunks of 25 from a few threads; unprocessed items retried, and
    any error raised here (``client``: a resource's client with generous timeouts)."""
    chunks = [items[i:i + 25] for i in range(0, len(items), 25)]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while True:
                with lock:
                    if not chunks or errors:
                        return
                    chunk = chunks.pop()
                pending = {table: [{"PutRequest": {"Item": i}} for i in chunk]}
                while pending:
                    pending = client.batch_write_item(RequestItems=pending).get(
                        "UnprocessedItems") or {}
        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]


def count_items(client, table: str) -> int:
    """Every item of the table (a COUNT scan: the bench's check, never the app's)."""
    total, kwargs = 0, {"TableName": table, "Select": "COUNT"}
    while True:
        page = client.scan(**kwargs)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def expected(requests: list[dict], makers: list[dict], today) -> dict:
    """The answer computed from the items (the bench's own check)."""
    open_statuses = ("submitted", "matched", "in_progress")
    rows: dict = defaultdict(lambda: [0, 0, 0])
    for r in requests:
        designs = set()
        for line in r["items"]:
            row = rows[(line["design"], r["region"])]
            row[2] += line["delivered"]
            if r["status"] in open_statuses and line["delivered"] < line["quantity"]:
                row[1] += line["quantity"] - line["delivered"]
                designs.add(line["design"])
        for d in designs:
            rows[(d, r["region"])][0] += 1
    active = [m for m in makers if m["status"] == "active"
              and (m["availability"]["until"] or "9999") >= today.isoformat()]
    return {"requests": [list(k) + v for k, v in sorted(rows.items()) if any(v)],
            "active": len(active),
            "units": sum(o["units_per_day"] for m in active for o in m["offers"])}


class CountingTable:
    def __init__(self, table):
        self.table, self.queries, self.items = table, 0, 0

    def query(self, **kwargs):
        self.queries += 1
        page = self.table.query(**kwargs)
        self.items += len(page.get("Items", []))
        return page


def old_compute(table) -> dict:
    """The former GET /stats: every request and maker item through the by_listing index."""
    totals = defaultdict(int)
    for kind in ("request", "maker"):
        kwargs = {"IndexName": "by_listing", "KeyConditionExpression": "listing = :k",
                  "ExpressionAttributeValues": {":k": kind}}
        while True:
            page = table.query(**kwargs)
            for item in page.get("Items", []):
                for line in item.get("items") or []:
                    totals[(line["design"], item["region"])] += int(line["quantity"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--old", action="store_true", help="also time the former code")
    parser.add_argument("--old-calls", type=int, default=3, help="calls of the former code")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--count-scan", action="store_true",
                        help="count the stored items with a COUNT scan (slower)")
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    labels = [f"{n // 1000}k" if n % 1000 == 0 else str(n) for n in sizes]

    from api_helpers import write_hub, write_manifest
    from chalice.test import Client

    from chalicelib import stats, tables

    db = dynamodb_local.start(free_port())
    try:
        work = Path(tempfile.mkdtemp(prefix="usine-bench-stats-"))
        os.environ.update({"DYNAMODB_ENDPOINT": db.endpoint,
                           "USINE_MANIFEST": str(write_manifest(work / "manifest.json", DESIGNS)),
                           "USINE_HUB_CONFIG": str(write_hub(work / "hub.toml")),
                           "USINE_SITE_ORIGIN": "http://127.0.0.1:1",
                           "USINE_RATE_LIMIT": "0"})
        resource = tables.connect(db.endpoint)
        # The loader's own connection: DynamoDB Local under bulk load answers slower than
        # the app's timeouts allow (tables.CLIENT_CONFIG is budgeted for a Lambda).
        patient = tables.connect(db.endpoint, client_config={
            "connect_timeout": 10, "read_timeout": 300,
            "retries": {"mode": "standard", "total_max_attempts": 10}})
        loader = patient.meta.client
        rng = random.Random(args.seed)
        now = datetime.now(timezone.utc)
        today = now.date()
        makers = [maker_item(n, rng, now, args.old) for n in range(MAKERS)]
        requests = [request_item(n, rng, now, args.old) for n in range(sizes[-1])]
        log(f"DynamoDB Local up, {len(requests)} request items generated")
        names = {label: f"usine-stats-{label}" for label in labels}
        result: dict = {}
        for size, label in zip(sizes, labels):
            name = names[label]
            spec = tables.table_spec(name)
            if args.old:
                spec["AttributeDefinitions"] += [
                    {"AttributeName": "listing", "AttributeType": "S"},
                    {"AttributeName": "created_at", "AttributeType": "S"}]
                spec["GlobalSecondaryIndexes"] = [OLD_INDEX]
            loader.create_table(**spec)
            tables.ensure_table(loader, name)  # waits, TTL
            start = time.perf_counter()
            batch_put(loader, name, makers + requests[:size])
            load_s = time.perf_counter() - start
            counters = stats.counter_items(requests[:size], makers, today, shards=stats.SHARDS)
            batch_put(loader, name, counters)
            # DynamoDB Local keeps ItemCount exact at once (AWS updates it every ~6 h);
            # the COUNT scan (--count-scan) says the same, slower.
            stored = (count_items(loader, name) if args.count_scan else
                      int(loader.describe_table(TableName=name)["Table"]["ItemCount"]))
            log(f"{label}: {size + MAKERS} items loaded in {load_s:.1f} s "
                f"({(size + MAKERS) / load_s:.0f}/s), {len(counters)} counter items, "
                f"{stored} items in the table")
            assert stored == size + MAKERS + len(counters)
            counting = CountingTable(resource.Table(name))
            body = stats.read(counting, today, consistent=True)
            want = expected(requests[:size], makers, today)
            got = {"requests": [[r["design"], r["region"], r["open_requests"],
                                 r["quantity_open"], r["quantity_delivered"]]
                                for r in body["requests"]],
                   "active": body["makers"]["active"],
                   "units": sum(c["units_per_day"] for c in body["capacity"])}
            assert got == want, "GET /stats differs from the stored items"
            result[label] = {"stored_items": stored, "load_s": round(load_s, 1),
                             "queries": counting.queries, "items_read": counting.items,
                             "times": []}

        import logging

        import app as app_module

        app_module.app.log.setLevel(logging.WARNING)
        route_table = app_module.get_table
        targets = {label: resource.Table(names[label]) for label in labels}
        try:
            with Client(app_module.app, stage_name="local", project_dir=str(SERVERLESS)) as client:
                # Interleaved, in a random order each round: both sizes see the same noise
                # (other processes, the JVM's garbage collector).
                for i in range(args.calls + 20):
                    for label in rng.sample(labels, len(labels)):
                        app_module.get_table = lambda t=targets[label]: t  # the route's table
                        start = time.perf_counter()
                        response = client.http.get("/stats")
                        elapsed = time.perf_counter() - start
                        assert response.status_code == 200, response.body
                        assert response.headers["Cache-Control"] == "public, max-age=30"
                        if i >= 20:
                            result[label]["times"].append(1000 * elapsed)
        finally:
            app_module.get_table = route_table
        log("measured")
        for label in labels:
            times = result[label].pop("times")
            result[label].update(p50_ms=round(statistics.median(times), 2),
                                 p90_ms=round(percentile(times, 0.9), 2), calls=len(times))
            if args.old:
                old_times = []
                for _ in range(args.old_calls):
                    start = time.perf_counter()
                    old_compute(patient.Table(names[label]))
                    old_times.append(1000 * (time.perf_counter() - start))
                result[label]["old_p50_ms"] = round(statistics.median(old_times), 1)
            log(f"{label}: GET /stats {result[label]}")
    finally:
        db.stop()

    small, large = labels
    ratio = result[large]["p50_ms"] / result[small]["p50_ms"]
    log(f"p50 ratio {large}/{small}: {ratio:.3f} (goal <= 1.2)")
    line = {f"stats_p50_ms_{small}": result[small]["p50_ms"],
            f"stats_p50_ms_{large}": result[large]["p50_ms"],
            f"ratio_{large}_{small}": round(ratio, 3),
            f"items_read_{small}": result[small]["items_read"],
            f"items_read_{large}": result[large]["items_read"]}
    if args.old:
        line[f"old_p50_ms_{small}"] = result[small]["old_p50_ms"]
        line[f"old_p50_ms_{large}"] = result[large]["old_p50_ms"]
        log(f"former code p50 ratio {large}/{small}: "
            f"{result[large]['old_p50_ms'] / result[small]['old_p50_ms']:.2f}")
    print(json.dumps(line))
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
