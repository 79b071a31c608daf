"""The stores on the real engine (DynamoDB Local): what moto does not model faithfully.

Transactions cancelled per action, conditional writes racing, the counters GET /stats
reads, TTL settings and idempotency records under concurrent writers.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from api_helpers import maker_body, valid_body
from chalicelib import idempotency, stats, tables, tokens
from chalicelib.fields import RequestContext
from chalicelib.idempotency import Idempotency, IdempotencyConflict
from chalicelib.maker_models import parse_maker
from chalicelib.maker_store import MakerNotFound, MakerStore
from chalicelib.models import parse_request
from chalicelib.store import RequestStore

CONTEXT = RequestContext(regions=("Northshire", "Rivermouth"),
                         designs=("visor-headband", "ear-saver"),
                         today=RequestContext.earliest_today(),
                         variants={"visor-headband": ("s", "m", "l"), "ear-saver": ("m",)})


@pytest.fixture(scope="module")
def ddb(dynamodb_endpoint):
    return tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG)


@pytest.fixture
def fresh_table(ddb):
    name = f"usine-it-{uuid.uuid4().hex[:8]}"
    tables.ensure_table(ddb.meta.client, name)
    yield ddb.Table(name)
    ddb.meta.client.delete_table(TableName=name)


SECRETS = (b"integration-tests-server-secret-0123456789",)


def request(**changes):
    return parse_request(valid_body(**changes), CONTEXT)


def scan(table, prefix):
    items = table.scan(ConsistentRead=True)["Items"]
    return [i for i in items if i["pk"].startswith(prefix)]


def test_table_has_the_sparse_lists_index_and_ttl(fresh_table, ddb):
    client = ddb.meta.client
    description = client.describe_table(TableName=fresh_table.name)["Table"]
    (index,) = description["GlobalSecondaryIndexes"]  # the coordinators' lists only
    assert index["IndexName"] == "lists"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["list_pk", "list_sk"]
    ttl = client.describe_time_to_live(TableName=fresh_table.name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_concurrent_retries_with_one_key_store_one_request(fresh_table):
    store = RequestStore(fresh_table, secrets=SECRETS)
    data = valid_body()
    idem = Idempotency("requests", str(uuid.uuid4()), tokens.body_hash(data))
    answers, errors = [], []

    def submit():
        try:
            answers.append(store.create(parse_request(data, CONTEXT), idem))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({(a.reference, a.tracking_token) for a in answers}) == 1
    assert len(scan(fresh_table, "REQUEST#")) == 1
    assert len(scan(fresh_table, "PERSONAL#")) == 1
    assert len(scan(fresh_table, "IDEM#")) == 1
    assert sum(not a.replayed for a in answers) == 1


def test_concurrent_writers_of_one_key_with_other_bodies_conflict(fresh_table):
    store = RequestStore(fresh_table, secrets=SECRETS)
    k = str(uuid.uuid4())
    results = []

    def submit(quantity):
        body = valid_body(items=[{"design": "visor-headband", "quantity": quantity}])
        idem = Idempotency("requests", k, tokens.body_hash(body))
        try:
            results.append(store.create(parse_request(body, CONTEXT), idem).reference)
        except IdempotencyConflict:
            results.append("conflict")

    threads = [threading.Thread(target=submit, args=(q,)) for q in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("conflict") == 5
    assert len(scan(fresh_table, "REQUEST#")) == 1


def test_expired_idempotency_record_does_not_block_a_new_write(fresh_table):
    now = datetime.now(timezone.utc)
    store = RequestStore(fresh_table, secrets=SECRETS, clock=lambda: now - timedelta(hours=25))
    data = valid_body()
    idem = Idempotency("requests", str(uuid.uuid4()), tokens.body_hash(data))
    first = store.create(parse_request(data, CONTEXT), idem)
    later = RequestStore(fresh_table, secrets=SECRETS, clock=lambda: now).create(parse_request(data, CONTEXT), idem)
    assert later.reference != first.reference and not later.replayed
    (record,) = scan(fresh_table, "IDEM#")  # replaced by the conditional put
    assert record["record_id"] == later.reference


def test_possible_repeats_on_the_real_engine(fresh_table):
    org = {"name": "CHU", "type": "hospital", "registry_id": "FINESS-140000100"}
    moments = iter(datetime(2026, 1, 1, 9, m, tzinfo=timezone.utc) for m in range(10))
    store = RequestStore(fresh_table, secrets=SECRETS, clock=lambda: next(moments))
    first = store.create(request(organization=org))
    second = store.create(request(organization=org))
    third = store.create(request(organization=org))
    assert store.possible_repeats(third.reference) == [second.reference, first.reference]
    assert store.close(second.reference) is True
    assert store.possible_repeats(first.reference) == [third.reference]
    assert "repeats" not in store.get_public(first.reference)


def test_a_replay_wins_over_a_full_window_on_the_real_engine(fresh_table):
    """Both conditions fail in one cancelled transaction: DynamoDB reports each, the
    store answers the replay, and the counter is not touched."""
    from chalicelib import ratelimit
    from chalicelib.ratelimit import RateLimited

    now = datetime.now(timezone.utc)
    store = RequestStore(fresh_table, secrets=SECRETS, clock=lambda: now)
    limit = ratelimit.limit_of("192.0.2.1", now, 1, 600, SECRETS[0])
    data = valid_body()
    idem = Idempotency("requests", str(uuid.uuid4()), tokens.body_hash(data))
    first = store.create(parse_request(data, CONTEXT), idem, limit)
    with pytest.raises(RateLimited) as refused:
        store.create(request(), None, limit)
    assert 1 <= refused.value.retry_after <= 600
    again = store.create(parse_request(data, CONTEXT), idem, limit)
    assert again.replayed and (again.reference, again.tracking_token) == (
        first.reference, first.tracking_token)
    (counter,) = scan(fresh_table, "RATE#")
    assert int(counter["n"]) == 1 and "192.0.2.1" not in str(counter)
    assert len(scan(fresh_table, "REQUEST#")) == 1


def test_maker_lifecycle_on_the_real_engine(fresh_table):
    store = MakerStore(fresh_table, secrets=SECRETS)
    signup = parse_maker(maker_body(), CONTEXT)
    maker_id, token, _ = store.create(signup)
    assert store.read(maker_id, token)["contact"]["email"].startswith("ali.")
    store.update(maker_id, token, parse_maker(maker_body(region="Northshire"), CONTEXT))
    assert store.read(maker_id, token)["region"] == "Northshire"
    # A concurrent withdrawal between the check and the write: the update's condition
    # fails and nothing of the update is written (the personal item stays deleted).
    authorised = store._authorised
    stale = iter([authorised(maker_id, token)])  # the update's own check read before
    store._authorised = lambda i, t: next(stale, None) or authorised(i, t)
    MakerStore(fresh_table, secrets=SECRETS).withdraw(maker_id, token)
    with pytest.raises(MakerNotFound):
        store.update(maker_id, token, signup)
    assert scan(fresh_table, "PERSONAL#") == []
    assert scan(fresh_table, "MAKER#")[0]["status"] == "withdrawn"


def test_stats_read_the_counters_on_the_real_engine(fresh_table):
    RequestStore(fresh_table, secrets=SECRETS).create(request())
    MakerStore(fresh_table, secrets=SECRETS).create(parse_maker(maker_body(), CONTEXT))
    data = stats.read(fresh_table, CONTEXT.today, consistent=True)
    assert data["requests"][0]["quantity_open"] == 200
    assert {c["design"]: c["units_per_day"] for c in data["capacity"]} == {
        "visor-headband": 40, "ear-saver": 100}


def test_idempotency_record_ttl_attribute_on_the_real_engine(fresh_table):
    data = valid_body()
    idem = Idempotency("requests", str(uuid.uuid4()), tokens.body_hash(data))
    now = datetime.now(timezone.utc)
    RequestStore(fresh_table, secrets=SECRETS, clock=lambda: now).create(parse_request(data, CONTEXT), idem)
    record = idempotency.get(fresh_table, idem, now)
    assert int(record["expires_at"]) == int((now + idempotency.RETENTION).timestamp())


def test_closing_a_request_moves_the_personal_expiry_in_one_transaction(fresh_table):
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    closed = created + timedelta(days=3)
    moment = [created]
    store = RequestStore(fresh_table, secrets=SECRETS, clock=lambda: moment[0])
    first = store.create(request(needed_by=(RequestContext.earliest_today()
                                            + timedelta(days=200)).isoformat()))
    before = int(store.get_personal(first.reference)["expires_at"])
    moment[0] = closed
    assert store.close(first.reference) is True
    assert store.get_public(first.reference)["status"] == "closed"
    after = int(store.get_personal(first.reference)["expires_at"])
    assert after == int((closed + timedelta(days=90)).timestamp()) < before
    assert store.close(first.reference) is False  # not open any more: nothing changes
    with pytest.raises(ValueError):
        store.close(first.reference, "bogus")


class AfterCommitFailure:
    """A loopback proxy in front of DynamoDB Local that passes the first
    TransactWriteItems on, then answers the client 500 as if the answer was lost: what
    DynamoDB calls "may have succeeded". botocore retries it (a 5xx)."""

    def __init__(self, endpoint: str) -> None:
        import http.server
        import urllib.request

        proxy = self
        self.failed = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                forward = urllib.request.Request(endpoint, data=body, method="POST", headers={
                    k: v for k, v in self.headers.items() if k.lower() != "host"})
                with urllib.request.urlopen(forward, timeout=10) as answer:
                    status, payload = answer.status, answer.read()
                target = self.headers.get("X-Amz-Target", "")
                if target.endswith("TransactWriteItems") and proxy.failed == 0:
                    proxy.failed += 1
                    status, payload = 500, b'{"__type": "InternalServerError"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_a_retried_write_that_had_committed_is_stored_once(fresh_table, dynamodb_endpoint):
    """The first answer is lost after the commit; botocore sends the transaction again.
    Its ClientRequestToken makes DynamoDB treat the retry as the same transaction: one
    request, its counters moved once, and the reference the client gets is the stored one."""
    proxy = AfterCommitFailure(dynamodb_endpoint)
    try:
        table = tables.connect(proxy.url).Table(fresh_table.name)
        stored = RequestStore(table, secrets=SECRETS).create(request())
    finally:
        proxy.close()
    assert proxy.failed == 1
    (public,) = scan(fresh_table, "REQUEST#")
    assert public["reference"] == stored.reference
    counts = stats.read(fresh_table, CONTEXT.today, consistent=True)
    assert [r["open_requests"] for r in counts["requests"]] == [1]
