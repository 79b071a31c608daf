"""POST /requests (tokens, variants, repeat requesters, idempotency, honeypot, rate limit,
languages, failures) and GET /requests/{reference}, through chalice.test.Client on moto."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from api_helpers import JSON_HEADERS, REGIONS, body_of, count_items, post, valid_body
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
        "region": "Northshire",
        "items": [
            {"design": "visor-headband", "variant": "m", "requested": 200, "allocated": 0,
             "produced": 0, "shipped": 0, "delivered": 0},
            {"design": "ear-saver", "variant": None, "requested": 50, "allocated": 0,
             "produced": 0, "shipped": 0, "delivered": 0},
        ],
        "allocations": [],
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
                                    "requested": 200, "allocated": 200, "produced": 0,
                                    "shipped": 0, "delivered": 50}
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


def test_same_design_in_two_variants_is_two_lines_and_a_repeated_line_is_merged(client, table):
    items = [{"design": "visor-headband", "variant": "m", "quantity": 1},
             {"design": "visor-headband", "variant": "l", "quantity": 2}]
    first = body_of(post(client, valid_body(items=items)))
    assert [i["requested"] for i in body_of(track(client, first["reference"],
                                                  first["tracking_token"]))["items"]] == [1, 2]
    twice = [{"design": "visor-headband", "variant": "m", "quantity": 1},
             {"design": "visor-headband", "variant": "m", "quantity": 2}]
    data = body_of(post(client, valid_body(items=twice)))
    progress = body_of(track(client, data["reference"], data["tracking_token"]))
    assert [(i["variant"], i["requested"]) for i in progress["items"]] == [("m", 3)]


# ------------------------------------------------------------------ repeat requesters


def org(registry_id="140000100"):
    return {"name": "CHU de Caen", "type": "hospital", "registry_id": registry_id}


def test_a_repeat_requester_learns_nothing_of_the_other_requests(client, table):
    """Registry ids and postcodes are public: posting them must not reveal, or change,
    that organization's requests. The repeat is recorded for coordinators only."""
    from chalicelib.store import RequestStore

    first = body_of(post(client, valid_body(organization=org())))
    before = items_of(table, "REQUEST#")
    response = post(client, valid_body(organization=org("140 000 100")))
    second = body_of(response)
    assert set(second) == {"reference", "status", "tracking_token"}
    assert first["reference"] not in response.body.decode()
    progress = track(client, second["reference"], second["tracking_token"])
    assert first["reference"] not in progress.body.decode()
    # The older request is left exactly as it was: nothing appended, no pointer rewritten.
    assert [i for i in items_of(table, "REQUEST#") if i["reference"] == first["reference"]] \
        == before
    store = RequestStore(table)
    assert store.possible_repeats(second["reference"]) == [first["reference"]]
    assert store.possible_repeats(first["reference"]) == [second["reference"]]


def test_other_design_postcode_or_registry_is_not_a_repeat(client, table):
    from chalicelib.store import RequestStore

    first = body_of(post(client, valid_body(organization=org())))["reference"]
    other_design = valid_body(organization=org(),
                              items=[{"design": "ear-saver", "quantity": 5}])
    other_site = valid_body(organization=org())
    other_site["delivery"] = {**other_site["delivery"], "postcode": "14200"}
    for body in (other_design, other_site, valid_body(organization=org("999")), valid_body()):
        post(client, body)
    assert RequestStore(table).possible_repeats(first) == []


def test_closed_request_is_not_a_repeat(client, table):
    from chalicelib.store import RequestStore

    first = body_of(post(client, valid_body(organization=org())))["reference"]
    second = body_of(post(client, valid_body(organization=org())))["reference"]
    assert RequestStore(table).close(first) is True
    assert RequestStore(table).possible_repeats(second) == []


def test_repeats_listed_for_coordinators_are_bounded(client, table):
    from chalicelib.store import MAX_REPEATS_LISTED, RequestStore

    refs = [body_of(post(client, valid_body(organization=org())))["reference"]
            for _ in range(MAX_REPEATS_LISTED + 3)]
    listed = RequestStore(table).possible_repeats(refs[0])
    assert len(listed) == MAX_REPEATS_LISTED and refs[0] not in listed
    # One pointer item per request, each written once (a conditional put): none grows.
    pointers = items_of(table, "REQUESTER#")
    assert len(pointers) == len(refs)
    assert all(set(p) <= {"pk", "sk", "entity", "reference", "designs", "created_at"}
               for p in pointers)


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
    assert count_items(table) == stored
    assert len(items_of(table, "REQUEST#")) == len(items_of(table, "IDEM#")) == 1


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
    assert set(data) == {"reference", "status", "tracking_token"}
    assert items_of(table, "REQUEST#") == [] and items_of(table, "PERSONAL#") == []
    from chalicelib import ratelimit
    assert ratelimit.counter(table, "honeypot") == 1
    # An invalid body gets the 400 a person would get (and is not counted).
    assert post(client, {"website": "x"}).status_code == 400
    assert post(client, valid_body(website="x" * 501)).status_code == 400
    assert ratelimit.counter(table, "honeypot") == 1
    assert track(client, data["reference"], data["tracking_token"]).status_code == 404


def test_honeypot_replay_gets_the_same_fake_answer_and_counts(client, table, api_env):
    api_env.setenv("USINE_RATE_LIMIT", "4/600")
    k, body = key(), valid_body(website="http://spam.example")
    answers = [post(client, body, {**JSON_HEADERS, "Idempotency-Key": k}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert body_of(answers[0]) == body_of(answers[1]) == body_of(answers[2])
    other = body_of(post(client, valid_body(website="x"), {**JSON_HEADERS,
                                                            "Idempotency-Key": key()}))
    assert other["reference"] != body_of(answers[0])["reference"]
    # Honeypot posts count against the client's limit like any write: the 5th is refused.
    response = post(client, valid_body(website="x"))
    assert response.status_code == 429
    assert items_of(table, "REQUEST#") == [] and items_of(table, "IDEM#") == []


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


def test_a_retry_after_the_limit_gets_its_first_answer(client, table, api_env):
    """Replays come first and never count: an acknowledged write retried after the client
    used up its window gets its reference and token again, not a 429."""
    api_env.setenv("USINE_RATE_LIMIT", "2/600")
    k, body = key(), valid_body()
    first = post(client, body, {**JSON_HEADERS, "Idempotency-Key": k})
    assert post(client, valid_body()).status_code == 201
    assert post(client, valid_body()).status_code == 429  # the window is full
    for _ in range(3):
        again = post(client, body, {**JSON_HEADERS, "Idempotency-Key": k})
        assert again.status_code == 201, again.body
        assert body_of(again) == body_of(first)
        assert again.headers.get("Idempotent-Replayed") == "true"
    (counter,) = items_of(table, "RATE#")
    assert int(counter["n"]) == 2  # neither the replays nor the refused write counted


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
    assert all(region in data["fields"]["delivery.region"] for region in REGIONS)
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
