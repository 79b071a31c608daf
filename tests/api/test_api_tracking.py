"""POST /requests (tokens, variants, repeat requesters, idempotency, honeypot, rate limit,
languages, failures) and GET /requests/{reference}, through chalice.test.Client on moto."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from api_helpers import JSON_HEADERS, body_of, count_items, post, valid_body
from ports import free_port


def key() -> str:
    return str(uuid.uuid4())


def track(client, reference, token, **headers):
    all_headers = dict(headers)
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    return client.http.get(f"/requests/{reference}", headers=all_headers)


def items_of(table, prefix):
    return [i for i in table.scan(ConsistentRead=True)["Items"] if i["pk"].startswith(prefix)]


# ------------------------------------------------------------------ tracking


def test_tracking_token_is_returned_once_and_only_its_hash_is_stored(client, table):
    data = body_of(post(client, valid_body()))
    token = data["tracking_token"]
    dump = json.dumps(table.scan(ConsistentRead=True)["Items"], default=str)
    assert token not in dump
    public = items_of(table, "REQUEST#")[0]
    assert public["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_request_progress_with_the_token(client, table):
    body = valid_body(items=[{"design": "visor-headband", "variant": "m", "quantity": 200},
                             {"design": "ear-saver", "quantity": 50}])
    data = body_of(post(client, body))
    response = track(client, data["reference"], data["tracking_token"])
    assert response.status_code == 200, response.body
    progress = body_of(response)
    assert progress == {
        "reference": data["reference"], "status": "submitted",
        "needed_by": body["needed_by"], "created_at": progress["created_at"],
        "region": "Calvados", "linked_to": [], "repeats": [],
        "items": [
            {"design": "visor-headband", "variant": "m", "requested": 200, "allocated": 0,
             "delivered": 0},
            {"design": "ear-saver", "variant": None, "requested": 50, "allocated": 0,
             "delivered": 0},
        ],
    }
    text = response.body.decode()
    for secret in ("Jeanne", "jeanne.martin", "Nacre", "Lefèvre", "CHU de Caen", "14000"):
        assert secret not in text


def test_reference_typed_in_lower_case_is_found(client, table):
    data = body_of(post(client, valid_body()))
    response = track(client, data["reference"].lower(), data["tracking_token"])
    assert response.status_code == 200


@pytest.mark.parametrize("case", ["wrong-token", "no-token", "unknown-ref", "malformed-ref",
                                  "other-requests-token", "basic-scheme"])
def test_not_found_is_the_same_for_every_failure(client, table, case):
    a = body_of(post(client, valid_body()))
    b = body_of(post(client, valid_body()))
    ref, token, headers = a["reference"], a["tracking_token"], {}
    if case == "wrong-token":
        token = "x" * 32
    elif case == "no-token":
        token = None
    elif case == "unknown-ref":
        ref = "R-00000000"
    elif case == "malformed-ref":
        ref = "nothing-like-a-reference"
    elif case == "other-requests-token":
        token = b["tracking_token"]
    elif case == "basic-scheme":
        token, headers = None, {"Authorization": f"Basic {a['tracking_token']}"}
    response = track(client, ref, token, **headers)
    assert response.status_code == 404
    assert body_of(response) == {
        "error": "not_found",
        "message": "Nothing found for this reference and code. Check both, or contact the hub.",
    }


def test_status_is_computed_from_quantities(client, table):
    data = body_of(post(client, valid_body()))
    key_ = {"pk": f"REQUEST#{data['reference']}", "sk": "REQUEST"}

    def set_line(allocated, delivered):
        table.update_item(Key=key_, UpdateExpression="SET #i[0].allocated = :a, #i[0].delivered = :d",
                          ExpressionAttributeNames={"#i": "items"},
                          ExpressionAttributeValues={":a": allocated, ":d": delivered})
        return body_of(track(client, data["reference"], data["tracking_token"]))

    assert set_line(100, 0)["status"] == "matched"
    progress = set_line(200, 50)
    assert progress["status"] == "in_progress"
    assert progress["items"][0] == {"design": "visor-headband", "variant": None,
                                    "requested": 200, "allocated": 200, "delivered": 50}
    assert set_line(200, 200)["status"] == "delivered"


# ------------------------------------------------------------------ variants


def test_variant_must_belong_to_the_design(client, table):
    body = valid_body(items=[{"design": "visor-headband", "variant": "xxl", "quantity": 1}])
    response = post(client, body)
    assert response.status_code == 400
    data = body_of(response)
    assert data["codes"] == {"items.0.variant": "variant"}
    assert "m" in data["fields"]["items.0.variant"]
    assert count_items(table) == 0


def test_same_design_in_two_variants_is_two_lines(client, table):
    items = [{"design": "visor-headband", "variant": "m", "quantity": 1},
             {"design": "visor-headband", "variant": "l", "quantity": 2}]
    assert post(client, valid_body(items=items)).status_code == 201
    twice = [{"design": "visor-headband", "variant": "m", "quantity": 1}] * 2
    response = post(client, valid_body(items=twice))
    assert body_of(response)["codes"] == {"items": "duplicate_design"}


# ------------------------------------------------------------------ repeat requesters


def org(registry_id="140000100"):
    return {"name": "CHU de Caen", "type": "hospital", "registry_id": registry_id}


def test_repeat_request_for_the_same_design_is_linked_both_ways(client, table):
    first = body_of(post(client, valid_body(organization=org())))
    second = body_of(post(client, valid_body(organization=org("140 000 100"))))
    assert first["linked_to"] == []
    assert second["linked_to"] == [first["reference"]]
    # Both are stored: the coordinator sees the first with its repeat.
    old = body_of(track(client, first["reference"], first["tracking_token"]))
    assert old["repeats"] == [second["reference"]]
    new = body_of(track(client, second["reference"], second["tracking_token"]))
    assert new["linked_to"] == [first["reference"]]
    assert len(items_of(table, "REQUEST#")) == 2


def test_other_design_postcode_or_registry_is_not_linked(client, table):
    post(client, valid_body(organization=org()))
    other_design = valid_body(organization=org(),
                              items=[{"design": "ear-saver", "quantity": 5}])
    assert body_of(post(client, other_design))["linked_to"] == []
    other_site = valid_body(organization=org())
    other_site["delivery"] = {**other_site["delivery"], "postcode": "14200"}
    assert body_of(post(client, other_site))["linked_to"] == []
    assert body_of(post(client, valid_body(organization=org("999"))))["linked_to"] == []
    assert body_of(post(client, valid_body()))["linked_to"] == []  # no registry id


def test_closed_request_is_not_linked(client, table):
    first = body_of(post(client, valid_body(organization=org())))
    table.update_item(Key={"pk": f"REQUEST#{first['reference']}", "sk": "REQUEST"},
                      UpdateExpression="SET #s = :c", ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":c": "closed"})
    assert body_of(post(client, valid_body(organization=org())))["linked_to"] == []


def test_registry_id_shape_is_checked(client, table):
    response = post(client, valid_body(organization=org("!!")))
    assert body_of(response)["codes"] == {"organization.registry_id": "registry_id"}


# ------------------------------------------------------------------ idempotency


def test_same_key_same_body_returns_the_first_answer_and_stores_nothing(client, table):
    k, body = key(), valid_body()
    first = post(client, body, {**JSON_HEADERS, "Idempotency-Key": k})
    stored = count_items(table)
    again = post(client, body, {**JSON_HEADERS, "Idempotency-Key": k})
    assert first.status_code == again.status_code == 201
    assert body_of(again) == body_of(first)  # same reference, same token
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert count_items(table) == stored == 3  # public, personal, idempotency record
    assert len(items_of(table, "REQUEST#")) == 1


def test_key_order_and_spacing_do_not_make_another_body(client, table):
    k, body = key(), valid_body()
    first = post(client, json.dumps(body), {**JSON_HEADERS, "Idempotency-Key": k})
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = post(client, reordered, {**JSON_HEADERS, "Idempotency-Key": k})
    assert body_of(again)["reference"] == body_of(first)["reference"]


def test_same_key_other_body_is_409(client, table):
    k = key()
    post(client, valid_body(), {**JSON_HEADERS, "Idempotency-Key": k})
    changed = copy.deepcopy(valid_body())
    changed["items"][0]["quantity"] = 201
    response = post(client, changed, {**JSON_HEADERS, "Idempotency-Key": k})
    assert response.status_code == 409
    assert body_of(response)["error"] == "idempotency_conflict"
    assert len(items_of(table, "REQUEST#")) == 1


def test_idempotency_record_holds_no_key_no_token_and_expires(client, table):
    k = key()
    data = body_of(post(client, valid_body(), {**JSON_HEADERS, "Idempotency-Key": k}))
    (record,) = items_of(table, "IDEM#")
    text = json.dumps(record, default=str)
    assert k not in text and data["tracking_token"] not in text
    assert record["record_id"] == data["reference"]
    assert int(record["expires_at"]) - int(record["created_epoch"]) == 24 * 3600


def test_replayed_token_still_tracks(client, table):
    k, body = key(), valid_body()
    post(client, body, {**JSON_HEADERS, "Idempotency-Key": k})
    again = body_of(post(client, body, {**JSON_HEADERS, "Idempotency-Key": k}))
    assert track(client, again["reference"], again["tracking_token"]).status_code == 200


@pytest.mark.parametrize("bad", ["short", "x" * 129, "has space in it 12345", "é" * 20])
def test_malformed_idempotency_key_is_400(client, table, bad):
    response = post(client, valid_body(), {**JSON_HEADERS, "Idempotency-Key": bad})
    assert response.status_code == 400
    assert body_of(response)["error"] == "invalid_idempotency_key"
    assert count_items(table) == 0


def test_invalid_body_with_a_key_stores_no_record(client, table):
    k = key()
    bad = valid_body(consent=False)
    assert post(client, bad, {**JSON_HEADERS, "Idempotency-Key": k}).status_code == 400
    assert count_items(table) == 0
    # The fixed body may reuse the key.
    assert post(client, valid_body(), {**JSON_HEADERS, "Idempotency-Key": k}).status_code == 201


# ------------------------------------------------------------------ honeypot


def test_filled_honeypot_is_answered_as_accepted_stores_nothing_and_is_counted(client, table):
    response = post(client, valid_body(website="http://spam.example"))
    assert response.status_code == 201
    data = body_of(response)
    assert set(data) == {"reference", "status", "tracking_token", "linked_to"}
    assert items_of(table, "REQUEST#") == [] and items_of(table, "PERSONAL#") == []
    from chalicelib import ratelimit
    assert ratelimit.counter(table, "honeypot") == 1
    # An invalid body gets the 400 a person would get (and is not counted).
    assert post(client, {"website": "x"}).status_code == 400
    assert post(client, valid_body(website="x" * 501)).status_code == 400
    assert ratelimit.counter(table, "honeypot") == 1
    assert track(client, data["reference"], data["tracking_token"]).status_code == 404


def test_empty_honeypot_is_fine(client, table):
    assert post(client, valid_body(website="")).status_code == 201
    assert post(client, valid_body(website=None)).status_code == 201


# ------------------------------------------------------------------ rate limit


def test_rate_limit_per_client_in_dynamodb(client, table, api_env):
    api_env.setenv("USINE_RATE_LIMIT", "3/600")
    for _ in range(3):
        assert post(client, valid_body()).status_code == 201
    response = post(client, valid_body())
    assert response.status_code == 429
    assert body_of(response)["error"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 600
    (counter,) = items_of(table, "RATE#")
    assert int(counter["n"]) == 3 and int(counter["expires_at"]) > 0
    assert "127.0.0.1" not in json.dumps(counter, default=str)  # the address is hashed
    assert len(items_of(table, "REQUEST#")) == 3


def test_invalid_bodies_do_not_use_up_the_limit(client, table, api_env):
    api_env.setenv("USINE_RATE_LIMIT", "1/600")
    for _ in range(3):
        assert post(client, valid_body(consent=False)).status_code == 400
    assert post(client, valid_body()).status_code == 201


# ------------------------------------------------------------------ languages


@pytest.mark.parametrize("header, region_word, summary", [
    ("fr-FR,fr;q=0.9,en;q=0.8", "n'est pas une région", "champ(s)"),
    ("ar-MA", "ليست منطقة", "الحقول"),
    ("en-GB", "is not a region", "field(s)"),
    ("de-DE,es;q=0.5", "is not a region", "field(s)"),
    ("de, fr;q=0.3, ar;q=0.6", "ليست منطقة", "الحقول"),
    ("", "is not a region", "field(s)"),
])
def test_messages_follow_accept_language(client, table, header, region_word, summary):
    body = valid_body()
    body["delivery"]["region"] = "Atlantis"
    response = post(client, body, {**JSON_HEADERS, "Accept-Language": header})
    data = body_of(response)
    assert region_word in data["fields"]["delivery.region"]
    assert "Calvados" in data["fields"]["delivery.region"]
    assert summary in data["message"]
    assert data["codes"]["delivery.region"] == "region"


def test_every_error_is_translated(client, table):
    fr = {**JSON_HEADERS, "Accept-Language": "fr"}
    assert "Content-Type" in body_of(post(client, valid_body(), {"Content-Type": "text/plain",
                                                                 "Accept-Language": "fr"}))["message"]
    assert "Envoyez" in body_of(post(client, valid_body(), {"Content-Type": "text/plain",
                                                            "Accept-Language": "fr"}))["message"]
    assert "dépasse" in body_of(post(client, valid_body(notes="x" * 70_000), fr))["message"]
    assert "JSON valide" in body_of(post(client, "{", fr))["message"]
    ar = {"Accept-Language": "ar"}
    assert "لا شيء" in body_of(track(client, "R-00000000", "x", **ar))["message"]


# ------------------------------------------------------------------ size and type


def test_body_limit_is_64_kib(client, table):
    body = valid_body()
    raw = json.dumps(body)
    padded = raw[:-1] + " " * (65536 - len(raw.encode())) + "}"
    assert len(padded.encode()) == 65536
    assert post(client, padded).status_code == 201
    over = raw[:-1] + " " * (65537 - len(raw.encode())) + "}"
    assert post(client, over).status_code == 413


# ------------------------------------------------------------------ failures


def test_unreachable_storage_is_503_with_retry_after(client, api_env):
    api_env.setenv("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    response = post(client, valid_body())
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert body_of(response)["error"] == "unavailable"
    assert "try again" in body_of(response)["message"]
    assert track(client, "R-00000000", "x" * 32).status_code == 503


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException",
                                  "ThrottlingException", "RequestLimitExceeded",
                                  "InternalServerError"])
def test_throttling_is_503_and_nothing_is_half_written(client, table, monkeypatch, code):
    import botocore.client

    real = botocore.client.BaseClient._make_api_call

    def throttled(self, operation, params):
        if operation == "TransactWriteItems":
            raise ClientError({"Error": {"Code": code, "Message": "slow down"}}, operation)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", throttled)
    response = post(client, valid_body())
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert count_items(table) == 0
