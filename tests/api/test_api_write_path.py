"""The write path: one transaction per write, whatever the request holds (point 10 of the
hardening issue), through the one DynamoDB helper both stores use (``dynamo.py``)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from api_helpers import JSON_HEADERS, maker_body, post, send, valid_body, write_manifest
from chalicelib import dynamo
from chalicelib.ratelimit import RateLimited


@pytest.fixture
def calls(monkeypatch):
    """Every DynamoDB operation the app sends, in order."""
    import botocore.client

    sent: list[str] = []
    real = botocore.client.BaseClient._make_api_call

    def record(self, operation, params):
        sent.append(operation)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", record)
    return sent


WIDE = tuple(f"design-{n:02d}" for n in range(10))


def widest_request() -> dict:
    return valid_body(organization={"name": "CHU", "type": "hospital",
                                    "registry_id": "140000100"},
                      items=[{"design": d, "variant": v, "quantity": 3}
                             for d in WIDE for v in ("s", "m")])


@pytest.mark.parametrize("rate_limit", ["0", "30/600"])
def test_a_request_is_one_transaction_whatever_it_holds(client, table, api_env, calls,
                                                        tmp_path, rate_limit):
    api_env.setenv("USINE_RATE_LIMIT", rate_limit)
    api_env.setenv("USINE_MANIFEST", str(write_manifest(tmp_path / "wide.json", WIDE)))
    for body in (valid_body(items=[{"design": WIDE[0], "quantity": 1}]), widest_request()):
        calls.clear()
        response = post(client, body, {**JSON_HEADERS, "Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 201, response.body
        assert calls == ["TransactWriteItems"]


def test_a_sign_up_and_its_update_are_one_transaction_each(client, table, api_env, calls):
    api_env.setenv("USINE_RATE_LIMIT", "30/600")
    response = send(client, "POST", "/makers", maker_body(),
                    headers={"Idempotency-Key": str(uuid.uuid4())})
    assert calls == ["TransactWriteItems"]
    data = json.loads(response.body)
    calls.clear()
    assert send(client, "PUT", f"/makers/{data['id']}", maker_body(),
                token=data["edit_token"]).status_code == 200
    assert calls == ["GetItem", "TransactWriteItems"]  # read (the token), then write


class FakeClient:
    """Answers each call with the next outcome: None (done) or a cancellation's codes."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0
        self.tokens: list[str] = []

    def transact_write_items(self, TransactItems, ClientRequestToken):  # noqa: N803 (boto3's)
        self.calls += 1
        self.tokens.append(ClientRequestToken)
        codes = self.outcomes.pop(0)
        if codes is None:
            return {}
        raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "x"},
                           "CancellationReasons": [{"Code": c} for c in codes]},
                          "TransactWriteItems")


def tx(*roles):
    t = dynamo.Transaction(retry_after=7)
    for role in roles:
        t.add({"Put": {}}, role)
    return t


def test_transaction_conflicts_are_retried_then_given_up():
    client = FakeClient(["TransactionConflict", "None"], ["None", "TransactionConflict"], None)
    dynamo.transact(client, tx("record", None), sleep=lambda s: None)
    assert client.calls == 3
    assert len(set(client.tokens)) == 3  # each send is its own transaction
    stubborn = FakeClient(*[["TransactionConflict"]] * (dynamo.CONFLICT_RETRIES + 1))
    with pytest.raises(ClientError):
        dynamo.transact(stubborn, tx("record"), sleep=lambda s: None)
    assert stubborn.calls == dynamo.CONFLICT_RETRIES + 1


def test_a_failed_condition_names_its_role():
    with pytest.raises(dynamo.Cancelled) as cancelled:
        dynamo.transact(FakeClient(["None", "ConditionalCheckFailed", "None"]),
                        tx("record", "idem", "rate"))
    assert cancelled.value.failed == {"idem"}


def test_create_prefers_the_replay_then_the_limit_then_a_new_id():
    ids = iter(["A", "B", "C"])
    replay = {"record_id": "first"}
    both = FakeClient(["None", "ConditionalCheckFailed", "ConditionalCheckFailed"])
    assert dynamo.create(both, lambda: next(ids), lambda i: tx("record", "idem", "rate"),
                         lambda: replay) == ("first", replay)
    with pytest.raises(RateLimited) as limited:
        dynamo.create(FakeClient(["None", "None", "ConditionalCheckFailed"]), lambda: "D",
                      lambda i: tx("record", "idem", "rate"), lambda: None)
    assert limited.value.retry_after == 7
    collided = FakeClient(["ConditionalCheckFailed", "None"], None)
    assert dynamo.create(collided, lambda: next(ids), lambda i: tx("record", "idem"),
                         lambda: None) == ("C", None)
    with pytest.raises(dynamo.IdsExhausted):
        dynamo.create(FakeClient(*[["ConditionalCheckFailed"]] * 3), lambda: "E",
                      lambda i: tx("record"), lambda: None, attempts=3)


def test_a_change_made_on_a_stale_read_is_refused_and_moves_no_counter(table):
    """Two edits of one sign-up in the same second, both from the same read: the record's
    version lets one through; the other is refused as a conflict (not a 404: the sign-up
    still exists) and the counters count one maker."""
    from chalicelib import faults, stats
    from chalicelib.fields import RequestContext
    from chalicelib.maker_models import parse_maker
    from chalicelib.maker_store import MakerStore

    context = RequestContext(("Rivermouth",), ("visor-headband", "ear-saver"),
                             RequestContext.earliest_today(),
                             {"visor-headband": ("s", "m", "l")})
    store = MakerStore(table)
    maker_id, token, _ = store.create(parse_maker(maker_body(), context))
    stale = store._authorised(maker_id, token)
    store.update(maker_id, token, parse_maker(maker_body(), context))
    store._authorised = lambda *_: stale  # the second edit read before the first wrote
    for change in (lambda: store.update(maker_id, token, parse_maker(maker_body(), context)),
                   lambda: store.withdraw(maker_id, token)):
        with pytest.raises(ClientError) as refused:  # the API's 409 "conflict": reload
            change()
        assert faults.classify(refused.value) == faults.CONFLICT
    counts = stats.read(table, context.today, consistent=True)
    assert counts["makers"]["active"] == 1
    assert {c["design"]: c["units_per_day"] for c in counts["capacity"]} == {
        "visor-headband": 40, "ear-saver": 100}
