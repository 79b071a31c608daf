"""Integration: the store on the real DynamoDB engine, and the API served by `chalice local`.

moto accepts things DynamoDB refuses (and ignores TTL and request tokens), so these run
against DynamoDB Local (fixture ``dynamodb_endpoint`` from tests/conftest.py).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

import chalice_local
from api_helpers import (
    REGIONS, TABLE, count_items, count_records, stored_contact, valid_body, write_hub,
    write_manifest,
)
from chalicelib import tables
from chalicelib.models import RequestContext, parse_request
from chalicelib.store import RequestStore, personal_key, request_key
from ports import free_port


@pytest.fixture(scope="module")
def ddb(dynamodb_endpoint):
    return tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG)


@pytest.fixture
def fresh_table(ddb):
    name = f"usine-test-{uuid.uuid4().hex[:8]}"
    tables.ensure_table(ddb.meta.client, name)
    yield ddb.Table(name)
    ddb.meta.client.delete_table(TableName=name)


def _request():
    context = RequestContext(regions=("Northshire",), designs=("visor-headband",),
                             today=RequestContext.earliest_today())
    return parse_request(valid_body(), context)


def test_ensure_table_on_the_real_engine(ddb):
    name = f"usine-test-{uuid.uuid4().hex[:8]}"
    client = ddb.meta.client
    try:
        assert tables.ensure_table(client, name) is True
        assert tables.ensure_table(client, name) is False
        table = client.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == tables.KEY_SCHEMA
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl["AttributeName"] == "expires_at"
        assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    finally:
        client.delete_table(TableName=name)


def test_store_transaction_on_the_real_engine(fresh_table):
    refs = iter(["R-AAAAAAAA", "R-BBBBBBBB"])
    fresh_table.put_item(Item={**personal_key("R-AAAAAAAA"), "entity": "personal"})
    store = RequestStore(fresh_table, new_reference=lambda: next(refs))
    stored = store.create(_request())
    # The first reference collided on the personal item: the whole transaction was
    # cancelled (no public item for it) and retried under a new reference.
    assert stored.reference == "R-BBBBBBBB"
    assert store.get_public("R-AAAAAAAA") is None
    public, personal = store.get_public("R-BBBBBBBB"), store.get_personal("R-BBBBBBBB")
    assert public["items"] == [{"design": "visor-headband", "variant": None, "quantity": 200,
                                "allocated": 0, "produced": 0, "shipped": 0,
                                "delivered": 0}]
    assert "contact" not in public and "expires_at" not in public
    assert personal["contact"]["email"] == "jeanne.martin@chu-caen.example"
    assert int(personal["expires_at"]) > 0
    assert count_records(fresh_table) == 3


# ------------------------------------------------------------------ chalice local


@pytest.fixture(scope="module")
def api(ddb, dynamodb_endpoint, tmp_path_factory):
    """`chalice local --stage local` on a free port, storing in DynamoDB Local."""
    tables.ensure_table(ddb.meta.client, TABLE)  # the stage's table name
    folder = tmp_path_factory.mktemp("api")
    manifest = write_manifest(folder / "manifest.json")
    origin = f"http://127.0.0.1:{free_port()}"
    server = chalice_local.start(free_port(), {
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "USINE_MANIFEST": str(manifest),
        "USINE_HUB_CONFIG": str(write_hub(folder / "hub.toml")),
        "USINE_SITE_ORIGIN": origin,
        "USINE_RATE_LIMIT": "0",
    })
    server.origin = origin
    try:
        yield server
    finally:
        server.stop()


def http(method, url, body=None, headers=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_browser_preflight_is_answered(api):
    status, headers, _ = http("OPTIONS", f"{api.url}/requests", headers={
        "Origin": api.origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == api.origin
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()


def test_request_posted_to_chalice_local_lands_in_dynamodb_local(api, ddb):
    table = ddb.Table(TABLE)
    body = valid_body()
    status, headers, raw = http("POST", f"{api.url}/requests", body,
                                {"Content-Type": "application/json", "Origin": api.origin})
    assert status == 201, raw
    assert headers["Access-Control-Allow-Origin"] == api.origin
    reference = json.loads(raw)["reference"]
    public = table.get_item(Key=request_key(reference), ConsistentRead=True)["Item"]
    personal = table.get_item(Key=personal_key(reference), ConsistentRead=True)["Item"]
    assert public["status"] == "submitted" and public["region"] == REGIONS[0]
    assert personal["contact"] == stored_contact(body["contact"])
    assert personal["address"] == body["delivery"]["address"]
    assert int(personal["expires_at"]) > 0
    # The request log names the reference, never the person.
    log = api.log_text()
    assert reference in log
    assert "jeanne.martin" not in log and "Jeanne" not in log


def test_refusals_from_chalice_local_are_json_with_cors(api, ddb):
    table = ddb.Table(TABLE)
    before = count_items(table)
    status, headers, raw = http("POST", f"{api.url}/requests", valid_body(consent=False),
                                {"Content-Type": "application/json", "Origin": api.origin})
    assert status == 400
    assert json.loads(raw)["fields"].keys() == {"consent"}
    assert headers["Access-Control-Allow-Origin"] == api.origin
    status, headers, raw = http("POST", f"{api.url}/requests", b"hello",
                                {"Content-Type": "text/plain", "Origin": api.origin})
    assert status == 415
    assert json.loads(raw)["error"] == "unsupported_media_type"
    assert headers["Access-Control-Allow-Origin"] == api.origin
    status, _, raw = http("POST", f"{api.url}/requests", b"{oops",
                          {"Content-Type": "application/json"})
    assert status == 400 and json.loads(raw)["error"] == "invalid_json"
    assert count_items(table) == before
