"""The Normandy surge replayed through the real API: the planner against first come, first
served (FCFS), and against the LP bound.

    .venv/bin/python scripts/bench_coordination.py [--json] [--requests 1500] [--seed 1]

Starts its own DynamoDB Local and `chalice local` on free 127.0.0.1 ports (as
scripts/load_api.py; nothing else is reached, no e-mail is sent), then:

1. 15 sites sign up (``POST /makers``): 70 printers and 10 laser cutters in all, joining
   over the first week, so the capacity grows from about 150 to 500 visors a day;
2. at least 1,500 requests (about 5,000 visors, ``needed_by`` from 2 to 21 days) are posted
   by 16 concurrent clients in their simulated arrival order over two hours, 10 % of them
   sent again with the same Idempotency-Key (a client retrying); the urgent ones arrive
   mostly in the second hour, after less urgent ones;
3. a hub coordinator plans (``POST /coordination/plans``) and accepts the plan in batches
   (``POST /coordination/plans/{id}/accept``); sites decline 5 % of the allocations; the
   coordinator plans and accepts again (the declined units are back in the queue);
4. production is simulated day by day from the allocations stored in the table (each site
   makes its allocations in planned-day order at its rate, from its first available day;
   another region delivers a day later), and the same is done for FCFS: in arrival order,
   each request to the site (its region's first) with free capacity on the earliest day,
   5 % of those allocations declined and given again at the end of the queue.

Its last line is one JSON object: ``requests``, ``sites``, ``planner_on_time``,
``fcfs_on_time`` (fractions of the demanded units delivered by their need date),
``bound_on_time`` (the first plan's LP relaxation bound, same fraction), ``acknowledged``
(keys answered 201), ``stored`` (requests in the table), ``plan_seconds`` (the planner's
time in the route), ``plan_seconds_ungrouped`` (the planner alone on the same data with
no two lines alike), and more. Goals: planner >= 0.9 x bound and >= FCFS + 0.10;
acknowledged = stored.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
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
REGIONS = ["Calvados", "Manche", "Orne", "Eure", "Seine-Maritime"]
DESIGN = "visor"
HUB = ('[hub]\nname = "Normandie"\nsite_url = "http://127.0.0.1:1/"\nregions = '
       + json.dumps(REGIONS) + '\n[stages.local]\nsite_origin = "http://127.0.0.1:1"\n')
PRINTER_RATE, LASER_RATE = 4, 22  # visors a day per machine
# (technology, machines, first production day): 70 printers and 10 lasers; ~150 a day on
# day 0, 500 once all have joined.
SITES = [("laser", 2, 0), ("fdm", 10, 0), ("fdm", 9, 0), ("fdm", 8, 0),
         ("laser", 3, 1), ("fdm", 7, 1), ("fdm", 7, 2), ("fdm", 6, 2), ("laser", 2, 3),
         ("fdm", 6, 3), ("fdm", 5, 4), ("laser", 3, 5), ("fdm", 5, 5), ("fdm", 4, 6),
         ("fdm", 3, 7)]
QUANTITIES = [1, 1, 2, 2, 3, 3, 4, 5, 6, 6]  # mean 3.3: about 5,000 visors for 1,500
KINDS = ["hospital", "clinic", "care-home", "pharmacy", "other"]
CLIENTS = 16
RETRY_SHARE = 0.10
DECLINE_SHARE = 0.05
HORIZON = 21
ACCEPT_BATCH = 50


def call(url: str, method: str, path: str, body: Any = None, token: str | None = None,
         key: str | None = None, timeout: float = 300.0) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")
    except OSError:
        return 0, {}


# ------------------------------------------------------------------ the surge


def site_bodies(today: date, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i, (tech, count, start) in enumerate(SITES):
        rate = count * (LASER_RATE if tech == "laser" else PRINTER_RATE)
        out.append({
            "name": f"Atelier {i + 1}", "kind": "fablab",
            "contact": {"name": "Bench Site", "email": f"site{i}@bench.example",
                        "phone": "+33 2 00 00 00 00"},
            "region": REGIONS[i % len(REGIONS)], "postcode": "14000",
            "machines": [{"technology": tech, "model": "Bench", "count": count}],
            "materials": ["PETG"], "offers": [{"design": DESIGN, "units_per_day": rate}],
            "availability": {"from": (today + timedelta(days=1 + start)).isoformat(),
                             "until": (today + timedelta(days=60)).isoformat()},
            "consent": True})
    return out


def request_specs(n: int, today: date, rng: random.Random) -> list[dict[str, Any]]:
    """Arrival (seconds into the two hours), body; urgent ones mostly in the second hour."""
    specs = []
    for i in range(n):
        arrival = rng.uniform(0, 7200)
        if arrival < 3600:
            days = rng.randint(8, 21) if rng.random() < 0.8 else rng.randint(2, 7)
        else:
            days = rng.randint(2, 5) if rng.random() < 0.7 else rng.randint(6, 21)
        specs.append({"arrival": arrival, "key": str(uuid.uuid4()), "body": {
            "organization": {"name": f"Etablissement {i}", "type": rng.choice(KINDS)},
            "contact": {"name": "Bench Requester", "email": "req@bench.example",
                        "phone": "+33 2 00 00 00 00"},
            "delivery": {"region": rng.choice(REGIONS), "postcode": "14000",
                         "address": "1 rue du Bench"},
            "items": [{"design": DESIGN, "quantity": rng.choice(QUANTITIES)}],
            "needed_by": (today + timedelta(days=days)).isoformat(), "consent": True}})
    return sorted(specs, key=lambda s: s["arrival"])


def post_requests(url: str, specs: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """16 clients take the requests in arrival order; 10 % are sent again (same key)."""
    work: queue.Queue = queue.Queue()
    for spec in specs:
        work.put((spec, rng.random() < RETRY_SHARE))
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    counts = {"sent": 0, "retries": 0, "errors": 0}

    def worker() -> None:
        while True:
            try:
                spec, retry = work.get_nowait()
            except queue.Empty:
                return
            for attempt in range(2 if retry else 1):
                for _ in range(20):  # a 503 or a lost answer: again, same key
                    status, answer = call(url, "POST", "/requests", spec["body"],
                                          key=spec["key"])
                    with lock:
                        counts["sent"] += 1
                        counts["retries"] += attempt
                    if status not in (0, 503):
                        break
                    time.sleep(0.2)
                with lock:
                    if status == 201:
                        first = acknowledged.setdefault(spec["key"], answer["reference"])
                        if first != answer["reference"]:
                            counts["errors"] += 1  # a retry answered another reference
                    else:
                        counts["errors"] += 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"acknowledged": acknowledged, **counts}


# ------------------------------------------------------------------ planning through the API


def plan_and_accept(url: str, token: str) -> dict[str, Any]:
    started = time.perf_counter()
    status, proposal = call(url, "POST", "/coordination/plans", {"days": HORIZON}, token=token)
    if status != 201:
        raise SystemExit(f"plan: {status} {proposal}")
    route_seconds = time.perf_counter() - started
    made: list[tuple[str, dict[str, Any]]] = []  # (allocation id, its cell)
    refused = 0
    lines = [x for x in proposal["lines"] if x["allocations"]]
    for i in range(0, len(lines), ACCEPT_BATCH):
        batch = lines[i:i + ACCEPT_BATCH]
        status, done = call(url, "POST", f"/coordination/plans/{proposal['id']}/accept",
                            {"lines": [{"reference": x["reference"], "item": x["item"]}
                                       for x in batch]}, token=token)
        if status != 200:
            raise SystemExit(f"accept: {status} {done}")
        cells = {(x["reference"], x["item"]): x["allocations"] for x in batch}
        for result in done["lines"]:
            if result["status"] != "accepted":
                refused += 1
                continue
            made += list(zip(result["allocations"], cells[(result["reference"],
                                                            result["item"])]))
    return {"proposal": proposal, "made": made, "refused": refused,
            "route_seconds": route_seconds}


def scan(table: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ------------------------------------------------------------------ simulation


def simulate(allocations: list[dict[str, Any]], sites: dict[str, dict[str, Any]],
             requests: dict[str, dict[str, Any]], first: date) -> int:
    """Units delivered by their need date: each site makes its allocations in planned-day
    order, at its rate, from its first available day; another region: one more day."""
    on_time = 0
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in allocations:
        by_site[a["site"]].append(a)
    for site_id, queue_ in by_site.items():
        site = sites[site_id]
        queue_.sort(key=lambda a: (a["day"], a["order"]))
        left = [int(a["quantity"]) for a in queue_]
        k, day = 0, 0
        while k < len(queue_) and day < 90:
            today = first + timedelta(days=day)
            room = site["rate"] if today >= site["from"] else 0
            while room > 0 and k < len(queue_):
                take = min(room, left[k])
                room -= take
                left[k] -= take
                a = queue_[k]
                request = requests[a["reference"]]
                arrives = today + timedelta(days=int(site["region"] != request["region"]))
                if arrives <= request["needed_by"]:
                    on_time += take
                if left[k] == 0:
                    k += 1
            day += 1
    return on_time


def fcfs(requests: list[dict[str, Any]], sites: dict[str, dict[str, Any]], first: date,
         rng: random.Random) -> list[dict[str, Any]]:
    """In arrival order, each request to the first site with free capacity on the earliest
    day (its own region's sites first); 5 % declined and given again at the end."""
    days = 90
    free = {s: [site["rate"] if first + timedelta(days=d) >= site["from"] else 0
                for d in range(days)] for s, site in sites.items()}
    order = sorted(sites)

    def give(request: dict[str, Any], quantity: int, out: list[dict[str, Any]]) -> None:
        mine = [s for s in order if sites[s]["region"] == request["region"]]
        others = [s for s in order if sites[s]["region"] != request["region"]]
        for d in range(days):
            for s in mine + others:
                take = min(quantity, free[s][d])
                if take > 0:
                    free[s][d] -= take
                    quantity -= take
                    out.append({"site": s, "reference": request["reference"],
                                "quantity": take, "day": (first + timedelta(days=d)),
                                "order": len(out)})
                if quantity == 0:
                    return

    given: list[dict[str, Any]] = []
    for request in requests:
        give(request, request["quantity"], given)
    kept, declined = [], []
    for a in given:
        (declined if rng.random() < DECLINE_SHARE else kept).append(a)
    for a in declined:  # its capacity is free again; the units go to the end of the queue
        free[a["site"]][(a["day"] - first).days] += a["quantity"]
    by_ref = {r["reference"]: r for r in requests}
    for a in declined:
        give(by_ref[a["reference"]], a["quantity"], kept)
    return kept


def worst_case_seconds(requests: list[dict[str, Any]], sites: dict[str, dict[str, Any]],
                       first: date) -> float:
    """The planner alone on the same requests, sites and 21 days, every line its own group
    (weights all different): its time when grouping identical lines saves nothing."""
    from chalicelib import planner

    lines = [planner.Line(r["reference"], 0, DESIGN, None, r["region"], r["quantity"],
                          r["needed_by"], 1.0 + i * 1e-6) for i, r in enumerate(requests)]
    plan_sites = [planner.Site(s, v["region"], {(DESIGN, None): float(v["rate"])}, v["from"])
                  for s, v in sorted(sites.items())]
    result = planner.plan(lines, plan_sites, [first + timedelta(days=d) for d in range(HORIZON)])
    return round(result.seconds, 3)


# ------------------------------------------------------------------ the run


def run(n_requests: int = 1500, seed: int = 1) -> dict[str, Any]:
    from chalicelib import coordinators, tables

    rng = random.Random(seed)
    os.environ.pop("USINE_MAIL_FROM", None)  # no e-mail leaves the bench
    os.environ.pop("USINE_SMTP", None)
    work = Path(tempfile.mkdtemp(prefix="usine-coordination-"))
    (work / "hub.toml").write_text(HUB)
    (work / "manifest.json").write_text(json.dumps({
        "schema": 1, "designs": {DESIGN: {"technology": "fdm"}}, "variants": []}))
    db = dynamodb_local.start(free_port(), db_path=work / "db")
    api = None
    started = time.perf_counter()
    try:
        resource = tables.connect(db.endpoint, client_config=tables.TOOL_CLIENT_CONFIG)
        tables.ensure_table(resource.meta.client, TABLE)
        table = resource.Table(TABLE)
        api = chalice_local.start(free_port(), {
            "DYNAMODB_ENDPOINT": db.endpoint, "USINE_MANIFEST": str(work / "manifest.json"),
            "USINE_HUB_CONFIG": str(work / "hub.toml"), "USINE_RATE_LIMIT": "0",
            "USINE_SITE_ORIGIN": "http://127.0.0.1:1"})
        today = datetime.now(timezone.utc).date()
        first = today + timedelta(days=1)

        site_info: dict[str, dict[str, Any]] = {}
        edit_tokens: dict[str, str] = {}
        for body in site_bodies(today, rng):
            status, made = call(api.url, "POST", "/makers", body)
            if status != 201:
                raise SystemExit(f"site: {status} {made}")
            site_info[made["id"]] = {"region": body["region"],
                                     "rate": body["offers"][0]["units_per_day"],
                                     "from": date.fromisoformat(body["availability"]["from"])}
            edit_tokens[made["id"]] = made["edit_token"]

        specs = request_specs(n_requests, today, rng)
        posting = time.perf_counter()
        posted = post_requests(api.url, specs, rng)
        post_seconds = time.perf_counter() - posting
        items = scan(table)
        stored = [i for i in items if i["pk"].startswith("REQUEST#") and i["sk"] == "REQUEST"]
        arrival = {posted["acknowledged"][s["key"]]: s["arrival"] for s in specs
                   if s["key"] in posted["acknowledged"]}
        requests = sorted(({"reference": i["reference"], "region": i["region"],
                            "needed_by": date.fromisoformat(i["needed_by"]),
                            "quantity": int(i["items"][0]["quantity"]),
                            "arrival": arrival.get(i["reference"], 1e9)} for i in stored),
                          key=lambda r: r["arrival"])
        by_ref = {r["reference"]: r for r in requests}
        demanded = sum(r["quantity"] for r in requests)

        now = datetime.now(timezone.utc)
        _, token = coordinators.issue(table, "Bench hub desk", None, timedelta(days=1), now)
        first_round = plan_and_accept(api.url, token)
        proposal = first_round["proposal"]
        declined = 0
        for allocation_id, cell in first_round["made"]:
            if rng.random() < DECLINE_SHARE:
                status, _ = call(api.url, "POST", f"/allocations/{allocation_id}",
                                 {"action": "decline", "reason": "no_material"},
                                 token=edit_tokens[cell["site"]])
                declined += status == 200
        second_round = plan_and_accept(api.url, token)

        allocations = [{"site": a["site"], "reference": a["reference"],
                        "quantity": int(a["quantity"]), "day": date.fromisoformat(a["day"]),
                        "order": a["created_at"]}
                       for a in scan(table) if str(a["sk"]).startswith("ALLOC#")
                       and a.get("status") in ("proposed", "accepted", "produced")]
        planner_on_time = simulate(allocations, site_info, by_ref, first)
        fcfs_allocations = fcfs(requests, site_info, first, random.Random(seed + 1))
        fcfs_on_time = simulate(fcfs_allocations, site_info, by_ref, first)
        worst = worst_case_seconds(requests, site_info, first)
        capacity = [sum(s["rate"] for s in site_info.values()
                        if first + timedelta(days=d) >= s["from"]) for d in (0, 7)]
        result = {
            "requests": len(specs), "sites": len(site_info), "demanded": demanded,
            "planner_on_time": round(planner_on_time / demanded, 4),
            "fcfs_on_time": round(fcfs_on_time / demanded, 4),
            "bound_on_time": round(proposal["bound_on_time"] / demanded, 4),
            "plan_on_time": round(proposal["on_time"] / demanded, 4),
            "acknowledged": len(posted["acknowledged"]), "stored": len(stored),
            "plan_seconds": proposal["seconds"],
            "plan_route_seconds": round(first_round["route_seconds"], 2),
            "replan_seconds": second_round["proposal"]["seconds"],
            "plan_variables": proposal["variables"],
            "plan_seconds_ungrouped": worst,
            "allocations": len(first_round["made"]) + len(second_round["made"]),
            "declined": declined, "refused_lines": first_round["refused"]
            + second_round["refused"],
            "posts": posted["sent"], "retries": posted["retries"],
            "post_errors": posted["errors"], "post_seconds": round(post_seconds, 1),
            "capacity_per_day": capacity, "seconds": round(time.perf_counter() - started, 1),
        }
        result["goals_met"] = (result["planner_on_time"] >= 0.9 * result["bound_on_time"]
                               and result["planner_on_time"] >= result["fcfs_on_time"] + 0.10
                               and result["acknowledged"] == result["stored"])
        return result
    finally:
        if api is not None:
            api.stop()
        db.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 5000:
        parser.error("--requests: 1 to 5000")
    result = run(args.requests, args.seed)
    if not args.json:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    print(json.dumps(result, separators=(",", ":")))
    return 0 if result["goals_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
