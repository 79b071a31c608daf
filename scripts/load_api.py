"""Load and fault runs of the request API on loopback: nothing acknowledged is lost or doubled.

    .venv/bin/python scripts/load_api.py                     # 8 clients x 25 requests
    .venv/bin/python scripts/load_api.py --fault             # DynamoDB Local stopped mid-load
    .venv/bin/python scripts/load_api.py --clients 16 --requests 50 --retry-share 0.5

Starts its own DynamoDB Local (on disk in a temporary folder, so a restart keeps the data)
and `chalice local`, both on free 127.0.0.1 ports; never reaches anything else. Each
client sends requests, each with its own Idempotency-Key, and re-sends a share of them
with the same key and body (a form retrying after a lost answer; some at the same
moment from two threads). A 503 is retried with the same key after its Retry-After
(shortened here), as the site's forms do. Then the table is checked:

- every acknowledged (201) request is stored exactly once, under the reference that was
  acknowledged, and every answer for one key named the same reference;
- nothing is half-written: every public item has its personal item and vice versa, and
  every idempotency record points to a stored request.

With ``--fault``, DynamoDB Local is stopped while the clients run and restarted a few
seconds later on the same port and folder: the run must see 503s, and afterwards every
acknowledged request must be there.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for extra in (HERE, REPO / "serverless"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import chalice_local  # noqa: E402
import dynamodb_local  # noqa: E402
from ports import free_port  # noqa: E402

TABLE = "usine-local"  # the `local` stage's table (serverless/.chalice/config.json)
REGIONS = ["Northshire", "Eastmarch", "Westmoor", "Southdale", "Rivermouth"]
DESIGNS = ["visor-headband", "ear-saver"]
HUB = ('[hub]\nname = "Load"\nsite_url = "http://127.0.0.1:1/"\nregions = '
       + json.dumps(REGIONS) + '\n[stages.local]\nsite_origin = "http://127.0.0.1:1"\n')


@dataclass
class Outcome:
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> reference
    answers: dict[str, set[str]] = field(default_factory=dict)   # key -> references seen
    markers: dict[str, str] = field(default_factory=dict)        # key -> organization name
    statuses: Counter = field(default_factory=Counter)
    sent: int = 0
    gave_up: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: str, status: int, reference: str | None, seconds: float) -> None:
        with self.lock:
            self.sent += 1
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if status == 201 and reference:
                self.acknowledged.setdefault(key, reference)
                self.answers.setdefault(key, set()).add(reference)


def body_for(marker: str, rng: random.Random) -> dict[str, Any]:
    return {
        "organization": {"name": marker, "type": "hospital"},
        "contact": {"name": "Load Test", "email": "load@example.org", "phone": "+33 2 00 00 00 00"},
        "delivery": {"region": rng.choice(REGIONS), "postcode": "14000", "address": "1 rue du Test"},
        "items": [{"design": rng.choice(DESIGNS), "quantity": rng.randint(1, 500)}],
        "needed_by": (date.today() + timedelta(days=rng.randint(1, 60))).isoformat(),
        "consent": True,
    }


def post(url: str, body: dict, key: str, timeout: float = 15.0) -> tuple[int, dict, float]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url + "/requests", data=data, method="POST", headers={
        "Content-Type": "application/json", "Idempotency-Key": key})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), time.perf_counter() - start
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), time.perf_counter() - start
    except OSError:
        return 0, {}, time.perf_counter() - start  # connection lost: no answer


def send_until_answered(url: str, body: dict, key: str, outcome: Outcome,
                        deadline: float) -> None:
    """Send; on 503 or no answer, retry with the same key until the deadline."""
    wait = 0.2
    while True:
        status, data, seconds = post(url, body, key)
        outcome.record(key, status, data.get("reference"), seconds)
        if status not in (0, 503) or time.monotonic() > deadline:
            if status in (0, 503):
                with outcome.lock:
                    outcome.gave_up += 1
            return
        time.sleep(wait)
        wait = min(wait * 1.5, 1.0)


def client(url: str, n: int, retry_share: float, seed: int, outcome: Outcome,
           deadline: float) -> None:
    rng = random.Random(seed)
    for i in range(n):
        key = str(uuid.uuid4())
        marker = f"load-{seed}-{i}-{key[:8]}"
        with outcome.lock:
            outcome.markers[key] = marker
        body = body_for(marker, rng)
        if rng.random() < retry_share / 2:
            # The same form sent twice at the same moment (a double click, two tabs).
            twin = threading.Thread(target=send_until_answered,
                                    args=(url, body, key, outcome, deadline))
            twin.start()
            send_until_answered(url, body, key, outcome, deadline)
            twin.join()
        else:
            send_until_answered(url, body, key, outcome, deadline)
            if rng.random() < retry_share:  # a retry after a lost answer
                send_until_answered(url, body, key, outcome, deadline)


def table_items(endpoint: str) -> list[dict[str, Any]]:
    from chalicelib import tables

    table = tables.connect(endpoint, client_config=tables.TOOL_CLIENT_CONFIG).Table(TABLE)
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def verify(outcome: Outcome, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Problems found in the table (empty lists when all is well) and counts."""
    public = {i["reference"]: i for i in items if i["pk"].startswith("REQUEST#")}
    personal = {i["reference"] for i in items if i["pk"].startswith("PERSONAL#")}
    by_marker = Counter(i["organization"]["name"] for i in public.values())
    idem_targets = [i["record_id"] for i in items if i["pk"].startswith("IDEM#")]
    problems = {
        "acknowledged_missing": [r for r in outcome.acknowledged.values() if r not in public],
        "acknowledged_under_another_marker": [
            k for k, r in outcome.acknowledged.items()
            if r in public and public[r]["organization"]["name"] != outcome.markers[k]],
        "stored_more_than_once": [m for m, n in by_marker.items() if n > 1],
        "keys_answered_with_two_references": [k for k, refs in outcome.answers.items()
                                              if len(refs) > 1],
        "public_without_personal": sorted(set(public) - personal),
        "personal_without_public": sorted(personal - set(public)),
        "idempotency_record_without_request": [r for r in idem_targets if r not in public],
    }
    lat = sorted(outcome.latencies) or [0.0]
    return {
        "problems": problems,
        "ok": not any(problems.values()),
        "sent": outcome.sent,
        "statuses": dict(sorted(outcome.statuses.items())),
        "keys": len(outcome.markers),
        "acknowledged": len(outcome.acknowledged),
        "stored_requests": len(public),
        "gave_up": outcome.gave_up,
        "latency_median_ms": round(1000 * lat[len(lat) // 2], 1),
        "latency_p99_ms": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
    }


def run(clients: int = 8, requests: int = 25, retry_share: float = 0.3, fault: bool = False,
        outage_after: float = 1.0, outage_seconds: float = 3.0, seed: int = 1,
        time_limit: float = 120.0) -> dict[str, Any]:
    """Start DynamoDB Local + chalice local, run the load (and the fault), verify."""
    from chalicelib import tables

    work = Path(tempfile.mkdtemp(prefix="usine-load-"))
    (work / "hub.toml").write_text(HUB)
    (work / "manifest.json").write_text(json.dumps({
        "schema": 1, "designs": {d: {"technology": "fdm"} for d in DESIGNS},
        "variants": [{"design": d, "variant": "m"} for d in DESIGNS]}))
    db_port = free_port()
    db = dynamodb_local.start(db_port, db_path=work / "db")
    api = None
    try:
        tables.ensure_table(tables.connect(
            db.endpoint, client_config=tables.TOOL_CLIENT_CONFIG).meta.client, TABLE)
        api = chalice_local.start(free_port(), {
            "DYNAMODB_ENDPOINT": db.endpoint, "USINE_MANIFEST": str(work / "manifest.json"),
            "USINE_HUB_CONFIG": str(work / "hub.toml"), "USINE_RATE_LIMIT": "0",
            "USINE_SITE_ORIGIN": "http://127.0.0.1:1"})
        outcome = Outcome()
        deadline = time.monotonic() + time_limit
        threads = [threading.Thread(target=client, args=(api.url, requests, retry_share,
                                                         seed * 1000 + c, outcome, deadline))
                   for c in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        outage = None
        if fault:
            time.sleep(outage_after)
            db.stop()
            outage_start = time.perf_counter()
            time.sleep(outage_seconds)
            db = dynamodb_local.start(db_port, db_path=work / "db")
            outage = round(time.perf_counter() - outage_start, 2)
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        result = verify(outcome, table_items(db.endpoint))
        result.update({"clients": clients, "requests_per_client": requests,
                       "retry_share": retry_share, "fault": fault, "outage_s": outage,
                       "seconds": round(elapsed, 2),
                       "acknowledged_per_s": round(len(outcome.acknowledged) / elapsed, 1)})
        return result
    finally:
        if api is not None:
            api.stop()
        db.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=25, help="per client")
    parser.add_argument("--retry-share", type=float, default=0.3)
    parser.add_argument("--fault", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.clients * args.requests > 5000:
        parser.error("bounded: at most 5000 requests per run")
    result = run(args.clients, args.requests, args.retry_share, args.fault, seed=args.seed)
    print(json.dumps(result, indent=1))
    return 0 if result["ok"] and (not args.fault or result["statuses"].get(503)) else 1


if __name__ == "__main__":
    sys.exit(main())
