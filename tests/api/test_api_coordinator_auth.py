"""Coordinator tokens, the authorizer (401/403), the audit log, and the command-line tool.

moto for the store and the routes under chalice.test.Client; DynamoDB Local for the
command-line tool (a subprocess, as an operator runs it) and for `chalice local`.
Regions are the fixture hub's (api_helpers.TEST_HUB), never hub.toml's.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from api_helpers import ORIGIN, REGIONS, REPO, SERVERLESS, TABLE, write_hub, write_manifest
from chalicelib import audit, coordinators, tables
from chalicelib.coordinators import Coordinator

KNOWN = REGIONS  # the fixture hub's
NORTH, EAST = KNOWN[0], KNOWN[1]
NAME = "Nadia Rahmani"
AUDIT = "/coordination/audit"
CLI = REPO / "scripts" / "coordinators.py"


def now() -> datetime:
    return datetime.now(timezone.utc)


def issue(table, regions=None, days=30, name=NAME, at=None):
    return coordinators.issue(table, name, regions, timedelta(days=days), at or now(),
                              known_regions=KNOWN)


def get(client, path=AUDIT, token=None, headers=None):
    all_headers = {"Accept-Language": "en"}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    return client.http.get(path, headers=all_headers)


def body(response) -> dict:
    return json.loads(response.body) if response.body else {}


def header(response, name):
    return {k.lower(): v for k, v in response.headers.items()}.get(name.lower())


def assert_unauthorized(response):
    assert response.status_code == 401, response.body
    answer = body(response)
    assert answer["error"] == "unauthorized"
    assert answer["message"].startswith("Sign in again")
    assert header(response, "WWW-Authenticate") == "Bearer"
    assert header(response, "Access-Control-Allow-Origin") == ORIGIN


# ------------------------------------------------------------------ the store


def test_issue_keeps_only_the_hash_and_writes_the_audit_entry_with_it(table):
    coordinator, token = issue(table, (NORTH, EAST))
    cid, _, secret = token.partition(".")
    assert cid == coordinator.id and coordinators.is_id(cid)
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32  # 256 bits
    items = table.scan(ConsistentRead=True)["Items"]
    assert token not in json.dumps(items, default=str)
    assert secret not in json.dumps(items, default=str)
    record = table.get_item(Key=coordinators.key(cid))["Item"]
    assert record["token_hash"] == coordinators.tokens.token_hash(token)
    assert record["regions"] == [NORTH, EAST] and record["scope"] == "regions"
    assert "expires_at" not in record
    entries, _ = audit.read(table, now().date(), None, 10)
    assert entries == [{"at": entries[0]["at"], "actor": "cli", "action": "coordinator.issued",
                        "records": [cid],
                        "detail": {"scope": "regions", "regions": [NORTH, EAST], "days": 30}}]
    assert all("expires_at" not in i for i in items if i["pk"].startswith("AUDIT#"))


def test_issue_refuses_a_bad_scope_name_or_lifetime(table):
    with pytest.raises(ValueError, match="not a region"):
        issue(table, ("Atlantis",))
    with pytest.raises(ValueError):
        issue(table, ())
    with pytest.raises(ValueError):
        issue(table, None, name=" ")
    with pytest.raises(ValueError):
        issue(table, None, name="two\nlines")
    for days in (0, 366):
        with pytest.raises(ValueError):
            issue(table, None, days=days)
    # hub.toml's spelling is kept whatever the case typed
    coordinator, _ = issue(table, ("northshire", "NORTHSHIRE"))
    assert coordinator.regions == (NORTH,)
    assert len(table.scan()["Items"]) == 2  # the one coordinator and its audit entry


def test_check_says_why_a_token_is_refused(table):
    coordinator, token = issue(table, (NORTH,))
    cid = coordinator.id
    assert coordinators.check(table, token, now())[:2] == (coordinator, "ok")
    assert coordinators.authenticate(table, token, now()) == coordinator
    wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other = coordinators.new_id() + token[len(cid):]
    cases = {None: "malformed", "": "malformed", cid: "malformed", token + "\n": "malformed",
             "C-1.abc": "malformed", wrong: "wrong_secret", other: "unknown"}
    for candidate, reason in cases.items():
        assert coordinators.check(table, candidate, now())[:2] == (None, reason), candidate
    later = now() + timedelta(days=31)
    assert coordinators.check(table, token, later)[:2] == (None, "expired")
    assert coordinators.revoke(table, cid, now()) is True
    assert coordinators.check(table, token, now())[:2] == (None, "revoked")
    assert coordinators.revoke(table, cid, now()) is True  # again: nothing changes
    assert coordinators.revoke(table, coordinators.new_id(), now()) is False
    assert coordinators.revoke(table, "not-an-id", now()) is False
    actions = [e["action"] for e in audit.read(table, now().date(), None, 10)[0]]
    assert actions == ["coordinator.issued", "coordinator.revoked"]


def test_list_shows_status_and_scope_never_the_hash(table):
    hub, _ = issue(table, None)
    region, _ = issue(table, (EAST,))
    expired, _ = issue(table, (NORTH,), days=1, at=now() - timedelta(days=2))
    coordinators.revoke(table, region.id, now())
    listed = {c["id"]: c for c in coordinators.list_all(table, now())}
    assert listed[hub.id]["status"] == "active" and listed[hub.id]["scope"] == "hub"
    assert listed[region.id]["status"] == "revoked" and listed[region.id]["scope"] == [EAST]
    assert listed[expired.id]["status"] == "expired"
    assert all("token_hash" not in c for c in listed.values())


def test_context_round_trip_and_junk():
    c = Coordinator("C-0123456789", "Ali", (NORTH, "Île-de-France"), "2030-01-01T00:00:00Z")
    context = c.context()
    assert all(isinstance(v, str) for v in context.values())
    assert Coordinator.from_context({**context, "principalId": c.id}) == c
    hub = Coordinator("C-0123456789", "Ali", None, "2030-01-01T00:00:00Z")
    assert Coordinator.from_context(hub.context()).hub_scope
    assert hub.covers("anything") and c.covers(NORTH) and not c.covers(EAST)
    for junk in ({}, None, {"coordinator_id": "x"}, {**context, "scope": "all"},
                 {**context, "regions": "[]"}, {**context, "regions": "nope"}):
        with pytest.raises(ValueError):
            Coordinator.from_context(junk)


def test_audit_detail_holds_ids_counts_and_codes_only():
    ok = {"quantity": 40, "reason": "no_material", "regions": [NORTH], "day": "2025-04-02",
          "merged_into": "R-7K3M9Q2X", "flag": True, "none": None}
    assert audit.check_detail(ok) == ok
    for bad in ({"email": "ali@example.org"}, {"note": "x" * 65}, {"note": "two\nlines"},
                {"ratio": 0.5}, {"nested": {"a": 1}}, {"Bad Key": 1}):
        with pytest.raises(ValueError):
            audit.check_detail(bad)
    with pytest.raises(ValueError):
        audit.entry("t", "somebody", "x.y", [], now())
    with pytest.raises(ValueError):
        audit.entry("t", "cli", "x.y", ["has space"], now())


# ------------------------------------------------------------------ the authorizer (test client)


def test_no_token_is_a_401_in_the_apis_shape(client):
    assert_unauthorized(get(client))


@pytest.mark.parametrize("value", [
    "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer garbage", "Bearer C-0123456789",
    "Bearer C-0123456789.", "Bearer c-0123456789." + "a" * 43,
    "Bearer C-0123456789." + "a" * 43,  # well formed, unknown id
])
def test_malformed_or_unknown_tokens_are_401(client, value):
    assert_unauthorized(get(client, headers={"Authorization": value}))


def test_wrong_secret_expired_and_revoked_are_401_revocation_at_once(client, table):
    hub, token = issue(table, None)
    assert get(client, token=token).status_code == 200
    assert_unauthorized(get(client, token=token[:-4] + "abcd"))
    old, old_token = issue(table, None, days=1, at=now() - timedelta(days=1, seconds=1))
    assert_unauthorized(get(client, token=old_token))
    coordinators.revoke(table, hub.id, now())
    assert_unauthorized(get(client, token=token))  # the very next call


def test_401_is_worded_in_the_clients_language(client):
    response = get(client, headers={"Accept-Language": "fr", "Authorization": "Bearer x"})
    assert response.status_code == 401
    assert body(response)["message"].startswith("Reconnectez-vous")
    assert get(client, headers={"Accept-Language": "ar"}).status_code == 401


def test_the_audit_log_is_for_hub_scope_coordinators_only(client, table):
    region, region_token = issue(table, (NORTH,))
    response = get(client, token=region_token)
    assert response.status_code == 403, response.body
    assert body(response)["error"] == "forbidden"
    assert header(response, "Access-Control-Allow-Origin") == ORIGIN
    hub, hub_token = issue(table, None)
    response = get(client, token=hub_token)
    assert response.status_code == 200, response.body
    answer = body(response)
    assert answer["day"] == now().date().isoformat() and answer["cursor"] is None
    assert [(e["action"], e["records"]) for e in answer["entries"]] == [
        ("coordinator.issued", [region.id]), ("coordinator.issued", [hub.id])]


def test_audit_pages_with_an_opaque_cursor(client, table):
    _, token = issue(table, None)
    day = datetime(2024, 2, 29, 8, 0, tzinfo=timezone.utc)
    for n in range(5):
        audit.write(table, "system", "test.entry", [f"R-{n:08d}"], day + timedelta(minutes=n),
                    {"n": n})
    seen, cursor, pages = [], None, 0
    while True:
        query = f"{AUDIT}?day=2024-02-29&limit=2" + (f"&cursor={cursor}" if cursor else "")
        response = get(client, query, token=token)
        assert response.status_code == 200, response.body
        answer = body(response)
        seen += [e["detail"]["n"] for e in answer["entries"]]
        pages += 1
        cursor = answer["cursor"]
        if cursor is None:
            break
        assert "AUDIT#" not in cursor  # opaque
    assert seen == [0, 1, 2, 3, 4] and pages == 3
    assert body(get(client, f"{AUDIT}?day=2024-03-01", token=token))["entries"] == []


@pytest.mark.parametrize("query, field", [
    ("?day=2024-02-30", "day"), ("?day=yesterday", "day"), ("?day=2024-2-3", "day"),
    ("?limit=0", "limit"), ("?limit=101", "limit"), ("?limit=ten", "limit"),
    ("?cursor=%%%", "cursor"), ("?cursor=bm90IGpzb24", "cursor"),
    ("?cursor=" + audit.encode_cursor({"pk": "COORDINATORS", "sk": "C-0123456789"}), "cursor"),
    ("?day=2024-02-28&cursor=" + audit.encode_cursor(
        {"pk": "AUDIT#2024-02-29", "sk": "2024-02-29T08:00:00.000000Z#0123abcd"}), "cursor"),
])
def test_bad_query_parameters_are_400_naming_the_field(client, table, query, field):
    _, token = issue(table, None)
    response = get(client, AUDIT + query, token=token)
    assert response.status_code == 400, response.body
    answer = body(response)
    assert answer["error"] == "invalid_request" and list(answer["fields"]) == [field]


class FailingTable:
    name = TABLE

    def __init__(self, code):
        self.code = code

    def get_item(self, **_):
        raise ClientError({"Error": {"Code": self.code, "Message": "no"},
                           "ResponseMetadata": {"HTTPStatusCode": 400}}, "GetItem")


@pytest.mark.parametrize("code, status, error", [
    ("ProvisionedThroughputExceededException", 503, "unavailable"),
    ("ValidationException", 500, "internal_error"),
])
def test_a_storage_fault_in_the_authorizer_is_never_a_401(client, app_module, monkeypatch,
                                                          code, status, error):
    monkeypatch.setattr(app_module, "get_table", lambda: FailingTable(code))
    response = get(client, token="C-0123456789." + "a" * 43)
    assert response.status_code == status, response.body
    assert body(response)["error"] == error
    if status == 503:
        assert header(response, "Retry-After")


def test_logs_name_the_coordinator_never_its_token_or_name(client, table, app_logs):
    coordinator, token = issue(table, None)
    region, region_token = issue(table, (EAST,))
    get(client, token=token)
    get(client, token=region_token)
    get(client, token=token[:-3] + "xyz")
    coordinators.revoke(table, coordinator.id, now())
    get(client, token=token)
    text = "\n".join(app_logs)
    secret = token.partition(".")[2]
    assert secret[:12] not in text and region_token.partition(".")[2][:12] not in text
    assert NAME not in text and "Nadia" not in text
    records = app_logs.records
    reasons = [r.get("reason") for r in records if r.get("status") == 401]
    assert reasons == ["wrong_secret", "revoked"]
    assert any(r.get("coordinator") == region.id and r.get("status") == 403 for r in records)
    assert any(r.get("coordinator") == coordinator.id for r in records)


def test_the_local_gateway_is_adapted_even_when_chalice_test_comes_after_the_app(tmp_path):
    """app.py imported first, chalice.test later (as the fixtures do): the import hook
    still gives a missing header the API's 401."""
    script = (
        "import json, sys; sys.path.insert(0, %r); import app; "
        "from chalice.test import Client; "
        "r = Client(app.app).http.get('/coordination/audit'); "
        "print(json.dumps([r.status_code, json.loads(r.body)]))" % str(SERVERLESS))
    env = {**os.environ, "USINE_SITE_ORIGIN": ORIGIN,
           "USINE_HUB_CONFIG": str(write_hub(tmp_path / "hub.toml"))}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=SERVERLESS, env=env, check=True)
    status, answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == 401 and answer["error"] == "unauthorized"


# ------------------------------------------------------------------ DynamoDB Local


@pytest.fixture(scope="module")
def ddb(dynamodb_endpoint):
    return tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG)


@pytest.fixture(scope="module")
def local_hub(tmp_path_factory):
    return write_hub(tmp_path_factory.mktemp("hub") / "hub.toml")


@pytest.fixture
def cli_table(ddb):
    name = f"usine-coord-{os.urandom(4).hex()}"
    tables.ensure_table(ddb.meta.client, name)
    yield ddb.Table(name)
    ddb.meta.client.delete_table(TableName=name)


def run_cli(table, endpoint, hub, *args):
    env = {**os.environ, "TABLE_NAME": table.name, "DYNAMODB_ENDPOINT": endpoint,
           "USINE_HUB_CONFIG": str(hub)}
    return subprocess.run([sys.executable, str(CLI), *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def test_cli_issue_list_revoke_on_dynamodb_local(cli_table, dynamodb_endpoint, local_hub):
    issued = run_cli(cli_table, dynamodb_endpoint, local_hub, "issue", "--name", NAME,
                     "--regions", NORTH, "--regions", "eastmarch", "--days", "30")
    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    tokens = [line for line in lines if line.startswith("C-") and "." in line]
    assert len(tokens) == 1
    token = tokens[0]
    assert issued.stdout.count(token) == 1 and token not in issued.stderr
    assert "cannot be shown again" in issued.stderr
    coordinator = coordinators.authenticate(cli_table, token, now())
    assert coordinator is not None and coordinator.regions == (NORTH, EAST)
    assert coordinator.name == NAME

    hub = run_cli(cli_table, dynamodb_endpoint, local_hub, "issue", "--name", "Hub desk",
                  "--hub", "--days", "1")
    assert hub.returncode == 0, hub.stderr

    listed = run_cli(cli_table, dynamodb_endpoint, local_hub, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert rows[coordinator.id]["scope"] == [NORTH, EAST]
    assert rows[coordinator.id]["status"] == "active"
    assert token.partition(".")[2] not in listed.stdout and "token_hash" not in listed.stdout
    table_view = run_cli(cli_table, dynamodb_endpoint, local_hub, "list")
    assert coordinator.id in table_view.stdout and "hub" in table_view.stdout

    revoked = run_cli(cli_table, dynamodb_endpoint, local_hub, "revoke", coordinator.id)
    assert revoked.returncode == 0, revoked.stderr
    assert coordinators.authenticate(cli_table, token, now()) is None
    again = run_cli(cli_table, dynamodb_endpoint, local_hub, "revoke", "C-0000000000")
    assert again.returncode == 1 and "C-0000000000" in again.stderr

    entries, _ = audit.read(cli_table, now().date(), None, 100)
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("cli", "coordinator.issued"), ("cli", "coordinator.issued"),
        ("cli", "coordinator.revoked")]
    assert entries[2]["records"] == [coordinator.id]


def test_cli_refuses_bad_input(cli_table, dynamodb_endpoint, local_hub):
    for args in (["--regions", "Atlantis", "--days", "3"], ["--hub", "--days", "0"],
                 ["--hub", "--days", "400"], ["--days", "3"],
                 ["--hub", "--regions", NORTH, "--days", "3"]):
        result = run_cli(cli_table, dynamodb_endpoint, local_hub, "issue", "--name", "X", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert cli_table.scan()["Items"] == []


def test_chalice_local_answers_401_403_200_in_the_apis_shape(ddb, dynamodb_endpoint,
                                                             local_hub, tmp_path):
    import chalice_local
    from ports import free_port

    table = ddb.Table(TABLE)  # the stage's table, as chalice local uses it
    tables.ensure_table(ddb.meta.client, TABLE)
    hub, hub_token = issue(table, None)
    _, region_token = issue(table, (NORTH,))
    server = chalice_local.start(free_port(), {
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "USINE_MANIFEST": str(write_manifest(tmp_path / "manifest.json")),
        "USINE_HUB_CONFIG": str(local_hub), "USINE_SITE_ORIGIN": ORIGIN,
        "USINE_RATE_LIMIT": "0"})
    try:
        def call(token=None, auth=None):
            headers = {"Accept-Language": "en"}
            if auth is not None or token is not None:
                headers["Authorization"] = auth if auth is not None else f"Bearer {token}"
            request = urllib.request.Request(server.url + AUDIT, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, response.headers, json.loads(response.read())
            except urllib.error.HTTPError as err:
                return err.code, err.headers, json.loads(err.read())

        for status, headers, answer in (call(), call(auth="Bearer nope"),
                                        call(token=hub_token[:-4] + "abcd")):
            assert status == 401 and answer["error"] == "unauthorized", answer
            assert headers["Access-Control-Allow-Origin"] == ORIGIN
            assert headers["WWW-Authenticate"] == "Bearer"
        status, _, answer = call(token=region_token)
        assert status == 403 and answer["error"] == "forbidden"
        status, _, answer = call(token=hub_token)
        assert status == 200 and "entries" in answer
        coordinators.revoke(table, hub.id, now())
        assert call(token=hub_token)[0] == 401
        log = server.log_text()
        assert hub_token.partition(".")[2][:12] not in log and NAME not in log
    finally:
        server.stop()
