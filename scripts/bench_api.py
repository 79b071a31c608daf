"""Benchmark of the request API, on loopback only.

    .venv/bin/python scripts/bench_api.py [--n 300] [--package]

Measures, in one run against one DynamoDB Local (in memory, a free port):

- ``POST /requests`` in-process (``chalice.test.Client``: routing, validation, the
  transaction), median and p99, for a one-line request and for the widest one (a registry
  id and 20 lines);
- the raw ``TransactWriteItems`` of the same items, sent straight to the same table: the
  honest floor of an atomic request (HTTP to DynamoDB Local + its engine); the ratio of
  the two medians is the price of the API's own work (goal: at most 1.25);
- the import time of ``app`` in a fresh interpreter (median of 20): the floor of a Lambda
  cold start (goal: at most 250 ms);
- with ``--package``: the deployment package's size (``serverless/package.py`` into a
  temporary folder), zipped and unzipped.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SERVERLESS = REPO / "serverless"
for extra in (HERE, SERVERLESS, REPO / "tests" / "api"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import dynamodb_local  # noqa: E402
from ports import free_port  # noqa: E402

TABLE = "usine-local"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [1000 * s for s in seconds]
    return {"median_ms": round(statistics.median(ms), 2), "p99_ms": round(percentile(ms, 0.99), 2),
            "n": len(ms)}


def import_time(runs: int = 20) -> dict[str, float]:
    code = ("import time, sys; sys.path.insert(0, %r); t = time.perf_counter(); import app; "
            "print(time.perf_counter() - t)" % str(SERVERLESS))
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=SERVERLESS, check=True)
        times.append(float(out.stdout.strip()))
    return {"median_ms": round(1000 * statistics.median(times), 1),
            "min_ms": round(1000 * min(times), 1), "runs": runs}


def package_size() -> dict[str, float]:
    import package  # serverless/package.py
    from api_helpers import write_manifest

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        manifest = REPO / "build" / "manifest.json"
        if not manifest.is_file():
            manifest = write_manifest(work / "manifest.json")
        template = package.package(work / "out", "prod", origin="https://example.org",
                                   hub=REPO / "hub.toml", manifest=manifest)
        zipped = template.parent / "deployment.zip"
        with zipfile.ZipFile(zipped) as z:
            unzipped = sum(i.file_size for i in z.infolist())
            files = len(z.infolist())
        return {"zip_mb": round(zipped.stat().st_size / 1e6, 2),
                "unzipped_mb": round(unzipped / 1e6, 2), "files": files}


def now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


WIDE_DESIGNS = tuple(f"design-{n:02d}" for n in range(10))


def scenarios() -> dict[str, dict]:
    """Bodies the write path must handle at the same cost: plain, and the widest request
    (a registry id and 20 lines)."""
    from api_helpers import valid_body

    wide = valid_body(organization={"name": "CHU", "type": "hospital",
                                    "registry_id": "140000100"},
                      items=[{"design": d, "variant": v, "quantity": 10}
                             for d in WIDE_DESIGNS for v in ("s", "m")])
    return {"one_line": valid_body(items=[{"design": WIDE_DESIGNS[0], "quantity": 200}]),
            "registry_id_20_lines": wide}


def bench_writes(n: int) -> dict[str, object]:
    """``POST /requests`` against the raw transaction of the same items, per scenario,
    interleaved so that both see the same machine load."""
    import logging

    from chalice.test import Client

    from api_helpers import write_hub, write_manifest
    from chalicelib import ratelimit, secret, tables, tokens
    from chalicelib.fields import RequestContext
    from chalicelib.idempotency import Idempotency
    from chalicelib.models import parse_request
    from chalicelib.store import RequestStore

    db = dynamodb_local.start(free_port())
    try:
        work = Path(tempfile.mkdtemp(prefix="usine-bench-"))
        manifest = write_manifest(work / "manifest.json", designs=WIDE_DESIGNS)
        env = {"DYNAMODB_ENDPOINT": db.endpoint, "USINE_MANIFEST": str(manifest),
               "USINE_HUB_CONFIG": str(write_hub(work / "hub.toml")),
               "USINE_SECRET_FILE": str(work / "server-secret"),
               "USINE_SITE_ORIGIN": "http://127.0.0.1:1",
               "USINE_RATE_LIMIT": f"{100 * n}/600"}  # counted, never reached
        os.environ.update(env)
        resource = tables.connect(db.endpoint, client_config=tables.TOOL_CLIENT_CONFIG)
        tables.ensure_table(resource.meta.client, TABLE)
        table = resource.Table(TABLE)

        import app as app_module

        app_module.app.log.setLevel(logging.WARNING)  # keep stdout for the JSON
        keys = secret.keys()
        store = RequestStore(table, secrets=keys)
        from chalicelib import config

        hub_regions = config.load_hub(Path(env["USINE_HUB_CONFIG"])).regions
        variants = {d: ("s", "m", "l") for d in WIDE_DESIGNS}
        context = RequestContext(hub_regions, WIDE_DESIGNS, RequestContext.earliest_today(),
                                 variants)
        results: dict[str, object] = {}
        with Client(app_module.app, stage_name="local", project_dir=str(SERVERLESS)) as client:
            for number, (name, body) in enumerate(scenarios().items()):
                raw_body = json.dumps(body)
                sample = parse_request(body, context)
                api_times, tx_times = [], []
                for i in range(n + 10):  # 10 warm-up rounds of each, not counted
                    headers = {"Content-Type": "application/json",
                               "Idempotency-Key": str(uuid.uuid4())}
                    start = time.perf_counter()
                    response = client.http.post("/requests", headers=headers, body=raw_body)
                    api = time.perf_counter() - start
                    assert response.status_code == 201, response.body
                    # The floor: the very transaction the API sends for such a request
                    # (public, personal, idempotency record, rate counter, stats counters,
                    # requester pointer), built ahead and sent straight to DynamoDB.
                    idem = Idempotency("bench", str(uuid.uuid4()), tokens.body_hash(body))
                    limit = ratelimit.limit_of("198.51.100.7", now(), 100 * n, 600, keys[0])
                    tx = store.transaction(f"R-{number}{i:07d}", sample, now(), idem, limit)
                    start = time.perf_counter()
                    table.meta.client.transact_write_items(TransactItems=tx.actions)
                    floor = time.perf_counter() - start
                    if i >= 10:
                        api_times.append(api)
                        tx_times.append(floor)
                api_s, tx_s = summary(api_times), summary(tx_times)
                results[name] = {
                    "post_requests": api_s, "raw_transact_write_same_items": tx_s,
                    "actions": len(tx.actions),
                    "ratio_median": round(api_s["median_ms"] / tx_s["median_ms"], 3)}
        results["post_does"] = "one TransactWriteItems, no read"
        return results
    finally:
        db.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="measured requests (max 5000)")
    parser.add_argument("--package", action="store_true", help="also package the app")
    args = parser.parse_args(argv)
    if not 1 <= args.n <= 5000:
        parser.error("--n must be 1 to 5000")
    result = {"writes": bench_writes(args.n), "import_app": import_time()}
    if args.package:
        result["package"] = package_size()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
