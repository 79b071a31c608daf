"""The stores on the real engine (DynamoDB Local): what moto does not model faithfully.

Transactions cancelled per action, conditional writes racing, the index GET /stats reads,
TTL settings and idempotency records under concurrent writers.
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
from chalicelib.store import RequestStore, request_key

CONTEXT = RequestContext(regions=("Calvados", "Seine-Maritime"),
                         designs=("visor-headband", "ear-saver"),
                         today=RequestContext.earliest_today(),
                         variants={"visor-headband": ("s", "m", "l"), "ear-saver": ("m",)})


@pytest.fixture(scope="module")
def ddb(dynamodb_endpoint):
    return tables.connect(dynamodb_endpoint)


@pytest.fixture
def fresh_table(ddb):
    name = f"usine-it-{uuid.uuid4().hex[:8]}"
    tables.ensure_table(ddb.meta.client, name)
    yield ddb.Table(name)
    ddb.meta.client.delete_table(TableName=name)


def request(**changes):
    return parse_request(valid_body(**changes), CONTEXT)


def scan(table, prefix):
    items = table.scan(ConsistentRead=True)["Items"]
    return [i for i in items if i["pk"].startswith(prefix)]


def test_table_has_the_listing_index_and_ttl(fresh_table, ddb):
    client = ddb.meta.client
    description = client.describe_table(TableName=fresh_table.name)["Table"]
    (index,) = description["GlobalSecondaryIndexes"]
    assert index["IndexName"] == tables.LISTING_INDEX
    assert index["Projection"]["ProjectionType"] == "INCLUDE"
    assert set(index["Projection"]["NonKeyAttributes"]) == set(tables.LISTING_PROJECTED)
    ttl = client.describe_time_to_live(TableName=fresh_table.name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_ensure_table_adds_the_index_to_a_table_of_the_first_version(ddb):
    name = f"usine-old-{uuid.uuid4().hex[:8]}"
    client = ddb.meta.client
    client.create_table(TableName=name, KeySchema=tables.KEY_SCHEMA,
                        AttributeDefinitions=tables.ATTRIBUTE_DEFINITIONS[:2],
                        BillingMode="PAY_PER_REQUEST")
    try:
        assert tables.ensure_table(client, name) is False
        indexes = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
        assert [i["IndexName"] for i in indexes] == [tables.LISTING_INDEX]
    finally:
        client.delete_table(TableName=name)


def test_concurrent_retries_with_one_key_store_one_request(fresh_table):
    store = RequestStore(fresh_table)
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
    store = RequestStore(fresh_table)
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
    store = RequestStore(fresh_table, clock=lambda: now - timedelta(hours=25))
    data = valid_body()
    idem = Idempotency("requests", str(uuid.uuid4()), tokens.body_hash(data))
    first = store.create(parse_request(data, CONTEXT), idem)
    later = RequestStore(fresh_table, clock=lambda: now).create(parse_request(data, CONTEXT), idem)
    assert later.reference != first.reference and not later.replayed
    (record,) = scan(fresh_table, "IDEM#")  # replaced by the conditional put
    assert record["record_id"] == later.reference


def test_link_to_a_request_closed_meanwhile_is_dropped_atomically(fresh_table):
    org = {"name": "CHU", "type": "hospital", "registry_id": "140000100"}
    store = RequestStore(fresh_table)
    first = store.create(request(organization=org))
    stale = store.open_requests_of(request(organization=org))
    assert stale == {"visor-headband": first.reference}
    fresh_table.update_item(Key=request_key(first.reference), UpdateExpression="SET #s = :c",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":c": "closed"})
    calls = iter([stale])
    store.open_requests_of = lambda r: next(calls, {})  # first lookup is stale
    second = store.create(request(organization=org))
    assert second.linked_to == ()
    old = store.get_public(first.reference)
    assert old["repeats"] == []  # the cancelled attempt left nothing behind
    assert store.get_public(second.reference)["linked_to"] == []


def test_repeat_requests_link_on_the_real_engine(fresh_table):
    org = {"name": "CHU", "type": "hospital", "registry_id": "FINESS-140000100"}
    store = RequestStore(fresh_table)
    first = store.create(request(organization=org))
    second = store.create(request(organization=org))
    third = store.create(request(organization=org))
    assert second.linked_to == (first.reference,)
    assert third.linked_to == (second.reference,)  # the pointer follows the latest
    assert store.get_public(first.reference)["repeats"] == [second.reference]


def test_maker_lifecycle_on_the_real_engine(fresh_table):
    store = MakerStore(fresh_table)
    signup = parse_maker(maker_body(), CONTEXT)
    maker_id, token, _ = store.create(signup)
    assert store.read(maker_id, token)["contact"]["email"].startswith("ali.")
    store.update(maker_id, token, parse_maker(maker_body(region="Calvados"), CONTEXT))
    assert store.read(maker_id, token)["region"] == "Calvados"
    # A concurrent withdrawal between the check and the write: the update's condition
    # fails and nothing of the update is written (the personal item stays deleted).
    authorised = store._authorised
    current = authorised(maker_id, token)
    store._authorised = lambda i, t: current
    MakerStore(fresh_table).withdraw(maker_id, token)
    with pytest.raises(MakerNotFound):
        store.update(maker_id, token, signup)
    assert scan(fresh_table, "PERSONAL#") == []
    assert scan(fresh_table, "MAKER#")[0]["status"] == "withdrawn"


def test_stats_read_the_index_on_the_real_engine(fresh_table):
    RequestStore(fresh_table).create(request())
    MakerStore(fresh_table).create(parse_maker(maker_body(), CONTEXT))
    data = stats.compute(fresh_table)
    assert data["requests"][0]["quantity_open"] == 200
    assert {c["design"]: c["units_per_day"] for c in data["capacity"]} == {
        "visor-headband": 40, "ear-saver": 100}


def test_idempotency_record_ttl_attribute_on_the_real_engine(fresh_table):
    data = valid_body()
    idem = Idempotency("requests", str(uuid.uuid4()), tokens.body_hash(data))
    now = datetime.now(timezone.utc)
    RequestStore(fresh_table, clock=lambda: now).create(parse_request(data, CONTEXT), idem)
    record = idempotency.get(fresh_table, idem, now)
    assert int(record["expires_at"]) == int((now + idempotency.RETENTION).timestamp())


def test_closing_a_request_moves_the_personal_expiry_in_one_transaction(fresh_table):
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    closed = created + timedelta(days=3)
    clock = iter([created, closed, closed])
    store = RequestStore(fresh_table, clock=lambda: next(clock))
    first = store.create(request(needed_by=(RequestContext.earliest_today()
                                            + timedelta(days=200)).isoformat()))
    before = int(store.get_personal(first.reference)["expires_at"])
    assert store.close(first.reference) is True
    assert store.get_public(first.reference)["status"] == "closed"
    after = int(store.get_personal(first.reference)["expires_at"])
    assert after == int((closed + timedelta(days=90)).timestamp()) < before
    assert store.close(first.reference) is False  # not open any more: nothing changes
    with pytest.raises(ValueError):
        store.close(first.reference, "bogus")
