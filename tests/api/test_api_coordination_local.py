"""Coordination on the real engines: DynamoDB Local's conditional writes under concurrent
coordinators, and the whole journey through `chalice local` with a real SMTP server."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

import chalice_local
from api_helpers import TABLE, maker_body, valid_body, write_hub, write_manifest
from chalicelib import coordinators, tables
from chalicelib.allocations import Actor, AllocationStore, Refused
from coordination_helpers import hub_regions
from ports import free_port


@pytest.fixture(scope="module")
def ddb(dynamodb_endpoint):
    return tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG)


@pytest.fixture
def fresh_table(ddb):
    name = f"usine-coord-{uuid.uuid4().hex[:8]}"
    tables.ensure_table(ddb.meta.client, name)
    yield ddb.Table(name)
    ddb.meta.client.delete_table(TableName=name)


def _store_request_and_site(table, region, quantity):
    """A request and an active site written by the stores themselves."""
    from chalicelib.maker_models import parse_maker
    from chalicelib.maker_store import MakerStore
    from chalicelib.models import RequestContext, parse_request
    from chalicelib.store import RequestStore

    context = RequestContext(regions=(region,), designs=("visor-headband", "ear-saver"),
                             today=RequestContext.earliest_today(),
                             variants={"visor-headband": ("s", "m", "l")})
    body = valid_body(items=[{"design": "visor-headband", "variant": "m",
                              "quantity": quantity}])
    body["delivery"]["region"] = region
    stored = RequestStore(table).create(parse_request(body, context))
    maker_id, _, _ = MakerStore(table).create(parse_maker(maker_body(region=region), context))
    return stored.reference, maker_id


def test_concurrent_coordinators_never_allocate_more_than_requested(fresh_table, hub):
    """16 coordinators at once, each asking 1 to 4 of 20 units (40 asked in all), then
    declines and new allocations racing: the sum of active allocations never passes 20
    and always equals the request's own counter."""
    region = hub_regions(hub)[0]
    reference, site = _store_request_and_site(fresh_table, region, 20)
    store = AllocationStore(fresh_table)
    made, refused, failures = [], [], []
    lock = threading.Lock()
    start = threading.Barrier(16, timeout=60)

    def coordinator(n):
        start.wait()
        try:
            record = store.allocate(Actor("coordinator", f"C-{n}"), reference, 0, site,
                                    1 + n % 4)
            with lock:
                made.append(record)
        except Refused as exc:
            with lock:
                refused.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                failures.append(repr(exc))

    threads = [threading.Thread(target=coordinator, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert made and refused and set(refused) == {"over_allocated"}

    def check():
        stored = store.of_request(reference)
        active = sum(int(a["quantity"]) for a in stored
                     if a["status"] not in ("declined", "cancelled"))
        counter = int(store.request(reference)["items"][0]["allocated"])
        assert active == counter <= 20
        return active

    check()
    # Declines return quantity while others allocate it again, concurrently.
    racing = [threading.Thread(target=lambda a=a: store.act(
        Actor("site", site), a["id"], "decline", reason="no_material")) for a in made[:4]]
    racing += [threading.Thread(target=coordinator, args=(n,)) for n in range(16, 24)]
    start = threading.Barrier(8, timeout=60)  # the new coordinators wait for each other
    for t in racing:
        t.start()
    for t in racing:
        t.join()
    assert not failures, failures
    check()


# ------------------------------------------------------------------ chalice local


@pytest.fixture
def local_api(ddb, dynamodb_endpoint, tmp_path, smtp_server):
    tables.ensure_table(ddb.meta.client, TABLE)
    manifest = write_manifest(tmp_path / "manifest.json")
    hub = write_hub(tmp_path / "hub.toml")
    server = chalice_local.start(free_port(), {
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "USINE_MANIFEST": str(manifest),
        "USINE_HUB_CONFIG": str(hub),
        "USINE_SITE_ORIGIN": f"http://127.0.0.1:{free_port()}",
        "USINE_RATE_LIMIT": "0",
        "USINE_SMTP": f"{smtp_server.host}:{smtp_server.port}",
        "USINE_MAIL_FROM": smtp_server.mail_from,
        "USINE_SECRET_FILE": str(tmp_path / "server-secret"),
    })
    server.hub = hub
    try:
        yield server
    finally:
        server.stop()


def http(api, method, path, body=None, token=None, lang="en"):
    headers = {"Content-Type": "application/json", "Accept-Language": lang}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(api.url + path, data=data, method=method,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _fragment(message):
    """The link of a message: its token is in the fragment, never in the query."""
    (url,) = re.findall(r"https?://\S+", message.get_content())
    parts = urlsplit(url)
    assert "token" not in parts.query
    return {k: v[0] for k, v in parse_qs(parts.fragment).items()}


def test_request_to_confirmed_delivery_through_chalice_local(local_api, ddb, smtp_server):
    regions = hub_regions(local_api.hub)
    table = ddb.Table(TABLE)
    _, coordinator = coordinators.issue(table, "Coordinator", None, timedelta(days=1),
                                        datetime.now(timezone.utc))
    body = valid_body(items=[{"design": "visor-headband", "variant": "m", "quantity": 5}])
    body["delivery"]["region"] = regions[-1]
    status, request = http(local_api, "POST", "/requests", body, lang="fr")
    assert status == 201, request
    ref, tracking = request["reference"], request["tracking_token"]
    status, site = http(local_api, "POST", "/makers", maker_body(region=regions[-1]),
                        lang="ar")
    assert status == 201, site

    status, made = http(local_api, "POST", "/coordination/allocations",
                        {"reference": ref, "item": 0, "site": site["id"], "quantity": 5},
                        token=coordinator)
    assert status == 201, made
    # The site is told, in the language it signed up in, with a link that acts on this
    # allocation only: its token in the fragment.
    (proposed,) = smtp_server.wait_for(1, timeout=20)
    assert proposed["To"] == "ali.benali@fablab-havre.example"
    link = _fragment(proposed)
    assert link["id"] == made["id"]
    assert re.search(r"[\u0600-\u06FF]", proposed.get_content())  # Arabic text
    assert http(local_api, "POST", f"/allocations/{made['id']}", {"action": "accept"},
                token=link["token"])[0] == 200
    for action, count in (("produced", 5), ("shipped", 5)):
        status, answer = http(local_api, "POST", f"/allocations/{made['id']}",
                              {"action": action, "count": count}, token=site["edit_token"])
        assert status == 200, answer
    # The requester is told of the shipment, in French, and confirms with the link token.
    shipped = smtp_server.wait_for(2, timeout=20)[1]
    assert shipped["To"] == "jeanne.martin@chu-caen.example"
    link = _fragment(shipped)
    assert link["ref"] == ref
    status, answer = http(local_api, "POST", f"/requests/{ref}/receipts",
                          {"allocation": made["id"], "received": 5}, token=link["token"])
    assert status == 200 and answer["status"] == "delivered", answer

    # The status page, /stats and the coordinators' list agree.
    status, progress = http(local_api, "GET", f"/requests/{ref}", token=tracking)
    assert progress["status"] == "delivered"
    assert progress["items"][0]["delivered"] == 5
    assert progress["allocations"][0]["site_region"] == regions[-1]
    status, stats = http(local_api, "GET", "/stats")
    delivered = {d["design"]: d["quantity"] for d in stats["delivered"]}
    assert delivered["visor-headband"] >= 5  # the table is shared by this module's tests
    status, feed = http(local_api, "GET", "/feed.json")
    assert any(row["region"] == regions[-1] and row["design"] == "visor-headband"
               and row["delivered"] >= 5 for row in feed["rows"])
    status, listed = http(local_api, "GET", f"/coordination/requests?region={regions[-1]}",
                          token=coordinator)
    assert ref not in [r["reference"] for r in listed["requests"]]
    status, audit = http(local_api, "GET", "/coordination/audit", token=coordinator)
    actions = [e["action"] for e in audit["entries"] if ref in e["records"]]
    assert actions[:1] == ["allocate"] and "delivered" in actions
    # No contact in the server's log.
    log = local_api.log_text()
    for value in ("jeanne.martin", "ali.benali", "Jeanne", "Nacre", link["token"]):
        assert value not in log
